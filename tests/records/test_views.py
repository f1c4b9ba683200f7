"""The records pages: the teacher's page and forms, the queue shared with lectures, inspection."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import CaseState, ReviewCase
from submissions.models import Record

from .builders import MP4, school_year, submit_lesson_plan, submit_plan, upload

pytestmark = pytest.mark.django_db


def test_teacher_page_shows_what_is_due_late_and_returned(demo, client):
    """The teacher sees the plan they still owe (late after the deadline) and a returned record."""
    school_year(deadline=timezone.localdate() - datetime.timedelta(days=1))
    case = submit_lesson_plan(demo)
    client.force_login(demo.user("demo.tt"))
    client.post(
        reverse("records:case_decide", args=[case.pk]), {"decision": "return", "comment": "Thiếu mục tiêu."}
    )
    client.force_login(demo.user("demo.gv"))
    page = client.get(reverse("records:mine")).content.decode()
    assert "Cần nộp" in page and "Kế hoạch giáo dục của giáo viên" in page and "Đã quá hạn" in page
    assert 'data-testid="returned-records"' in page and "Bài 1. Tập hợp" in page
    detail = client.get(reverse("records:detail", args=[case.record_id])).content.decode()
    assert "Thiếu mục tiêu." in detail and 'data-testid="resubmit-form"' in detail
    assert "Hồ sơ chuyên môn cần chỉnh sửa" in client.get("/").content.decode()


def test_submit_form_stores_the_plan_and_routes_it(demo, client):
    """Submitting the teacher plan through the form opens it at the department head's queue."""
    school_year()
    client.force_login(demo.user("demo.gv"))
    form_page = client.get(reverse("records:new", args=["teacher_plan"]))
    assert form_page.status_code == 200 and 'enctype="multipart/form-data"' in form_page.content.decode()
    unit = demo.unit("THCS-LQD-TOAN")
    subject = unit.subjects.get(code="toan")
    response = client.post(
        reverse("records:new", args=["teacher_plan"]),
        {"unit": unit.pk, "subject": subject.pk, "file": upload()},
    )
    assert response.status_code == 302
    record = Record.objects.get()
    assert ReviewCase.objects.get(record=record).unit == unit
    client.force_login(demo.user("demo.tt"))
    queue = client.get(reverse("reviews:queue")).content.decode()
    assert "Kế hoạch giáo dục của giáo viên" in queue and 'data-testid="record-kind"' in queue


def test_a_refused_file_keeps_the_form_and_says_why(demo, client):
    """A video as a plan: 400, a Vietnamese error in the summary, the typed lesson kept, nothing stored."""
    school_year()
    client.force_login(demo.user("demo.gv"))
    unit = demo.unit("THCS-LQD-TOAN")
    response = client.post(
        reverse("records:new", args=["lesson_plan"]),
        {
            "unit": unit.pk,
            "subject": unit.subjects.get(code="toan").pk,
            "lesson_name": "Bài 3. Phép cộng",
            "grade": 6,
            "class_name": "6A1",
            "teaching_date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "file": upload(MP4, "bai3.pdf"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-summary"' in page and "chỉ nhận" in page and "Bài 3. Phép cộng" in page
    assert not Record.objects.exists()


def test_queue_shows_lectures_and_records_filterable_by_kind(demo, client):
    """The head's queue lists the record beside lectures; the kind filter narrows it."""
    from tests.workflow import submit

    submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Phân số bằng nhau")
    submit_lesson_plan(demo)
    submit_plan(demo, "teacher_plan", "demo.gv", "THCS-LQD-TOAN")
    client.force_login(demo.user("demo.tt"))
    page = client.get(reverse("reviews:queue")).content.decode()
    assert 'data-testid="kind-filter"' in page
    assert "Bài 1. Tập hợp" in page and "Kế hoạch giáo dục của giáo viên" in page
    only = client.get(reverse("reviews:queue"), {"kind": "lesson_plan"}).content.decode()
    assert "Bài 1. Tập hợp" in only and "Kế hoạch giáo dục của giáo viên</a>" not in only
    lectures = client.get(reverse("reviews:queue"), {"kind": "lecture"}).content.decode()
    assert "Bài 1. Tập hợp" not in lectures and "Phân số bằng nhau" in lectures
    assert "Phân số bằng nhau" not in only
    assert ReviewCase.objects.filter(record__isnull=False, state=CaseState.IN_REVIEW).count() == 2


def test_district_officer_acknowledges_the_school_plan_from_the_queue(demo, client):
    """The school plan appears in the district office's queue and is acknowledged there."""
    case = submit_plan(demo, "school_plan", "demo.ht", "THCS-LQD")
    client.force_login(demo.user("demo.phong"))
    queue = client.get(reverse("reviews:queue")).content.decode()
    assert "Kế hoạch giáo dục của nhà trường" in queue
    page = client.get(reverse("records:case", args=[case.pk])).content.decode()
    assert "Xác nhận đã nhận" in page and "05/NQ-HĐT" in page
    client.post(reverse("records:case_decide", args=[case.pk]), {"decision": "approve"})
    assert ReviewCase.objects.get(pk=case.pk).state == CaseState.APPROVED


def test_principal_inspects_every_record_of_the_school(demo, client):
    """The principal's inspection list holds the school's records, filterable by kind."""
    submit_plan(demo, "teacher_plan", "demo.gv", "THCS-LQD-TOAN")
    submit_plan(demo, "teacher_plan", "demo.gv.van", "THCS-LQD-VAN")
    submit_plan(demo, "teacher_plan", "demo.gv.thpt", "THPT-TRANPHU-DIA")
    client.force_login(demo.user("demo.ht"))
    page = client.get(reverse("records:school")).content.decode()
    assert "Nguyễn Thị Lan" in page and "Vũ Thị Mai" in page and "Bùi Thị Ngọc" not in page
    assert 'data-label="Người nộp"' in page  # the phone layout labels its cells
