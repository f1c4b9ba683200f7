"""Records compliance per school, department and teacher; the page, the Excel file, the home card."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reports.compliance import compliance_rows
from reviews import services

from .builders import school_year, submit_lesson_plan, submit_plan

pytestmark = pytest.mark.django_db


def _row(rows, name):
    return next(r for r in rows if r.name == name)


def test_counts_per_school_department_and_teacher(demo):
    """On time, late and missing plans; lesson plans approved before, after, or not by the teaching date."""
    today = timezone.localdate()
    year = school_year(deadline=today)
    submit_plan(demo, "teacher_plan", "demo.gv", "THCS-LQD-TOAN", year=year)  # on time
    school_year(deadline=today - datetime.timedelta(days=1))
    submit_plan(demo, "department_plan", "demo.tt", "THCS-LQD-TOAN", year=year)  # late
    before = submit_lesson_plan(demo, teaching_date=today + datetime.timedelta(days=2))
    after = submit_lesson_plan(demo, lesson="Bài 2", teaching_date=today - datetime.timedelta(days=1))
    submit_lesson_plan(
        demo, lesson="Bài 3", teaching_date=today - datetime.timedelta(days=2)
    )  # never approved
    for case in (before, after):
        services.record_decide(case=case, actor=demo.user("demo.tt"), approve=True)
    rows = compliance_rows(demo.user("demo.ht"), year)
    assert {r.school for r in rows} == {"Trường THCS Lê Quý Đôn"}
    lan = _row(rows, "Nguyễn Thị Lan").counts
    assert (lan.plans_on_time, lan.plans_late, lan.plans_missing) == (1, 0, 0)
    assert (lan.lessons_on_time, lan.lessons_late, lan.lessons_missing) == (1, 1, 1)
    toan = _row(rows, "Tổ Toán – Tin").counts
    # the department plan (late), Lan's plan (on time), Hùng's own teacher plan (missing)
    assert (toan.plans_on_time, toan.plans_late, toan.plans_missing) == (1, 1, 1)
    school = _row(rows, "Trường THCS Lê Quý Đôn").counts
    assert school.plans_missing >= 3  # the school plan, Ngữ văn's plans
    assert school.lessons_on_time == 1 and school.lessons_late == 1


@pytest.mark.parametrize(
    "username,status",
    [
        ("demo.ht", 200),
        ("demo.phong", 200),
        ("demo.ldso", 200),
        ("demo.gv", 404),
        ("demo.tt", 404),
        ("demo.cvso", 404),
    ],
)
def test_compliance_page_is_for_leaders_and_offices(demo, client, username, status):
    """The principal, the district office and the city's leaders follow compliance; others get 404."""
    school_year()
    client.force_login(demo.user(username))
    assert client.get(reverse("reports:records_compliance")).status_code == status
    assert client.get(reverse("reports:records_compliance_xlsx")).status_code == status


def test_district_officer_sees_only_the_district_schools(demo, client):
    school_year()
    client.force_login(demo.user("demo.phong"))
    page = client.get(reverse("reports:records_compliance")).content.decode()
    assert "Trường THCS Lê Quý Đôn" in page and "Trường THCS Hồng Bàng" in page
    assert "Trần Phú" not in page and "Nguyễn Trãi" not in page


def test_excel_export_keeps_names_as_text(demo, client):
    """A teacher named like a formula stays text in the workbook."""
    school_year()
    user = demo.user("demo.gv")
    user.full_name = '=HYPERLINK("x")'
    user.save()
    client.force_login(demo.user("demo.ht"))
    response = client.get(reverse("reports:records_compliance_xlsx"))
    ws = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    cells = [c for row in ws.iter_rows() for c in row if c.value == '=HYPERLINK("x")']
    assert cells and all(c.data_type == "s" for c in cells)
    assert ws.cell(row=3, column=4).value == "Kế hoạch nộp đúng hạn"


def test_home_card_summarises_for_the_principal(demo, client):
    school_year()
    client.force_login(demo.user("demo.ht"))
    page = client.get("/").content.decode()
    assert "Hồ sơ chuyên môn" in page and "chưa nộp" in page
