"""The approved-lecture list of a district as Excel and PDF (issue 11, item 1), built through the services."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.documents.pdfcheck import font_family, keep, pages_text, pdffonts
from tests.reports.builders import FORMULA_TITLE, district_with_lectures

pytestmark = pytest.mark.django_db


def test_district_list_as_excel_and_pdf(client, demo):
    """A district of three schools and 42 approved lectures: both files list them all."""
    cases = district_with_lectures(demo, schools=3, per_school=14)
    last_title = check_excel(client, demo, demo.unit("PGD-HB"), cases)
    check_pdf(client, demo, demo.unit("PGD-HB"), cases, last_title)


def _export(client, user, unit, fmt, **filters):
    client.force_login(user)
    response = client.post(reverse("reports:approved_list_export", args=[fmt]), {"unit": unit.pk, **filters})
    assert response.status_code == 200, response.content[:500]
    return response


def check_excel(client, demo, unit, cases):
    """The workbook has one numbered row per approved lecture, numbers and dates typed, a table
    with a frozen header, the total line, and a title starting with "=" stored as text."""
    response = _export(client, demo.user("demo.phong"), unit, "xlsx")
    assert response["Content-Disposition"].startswith("attachment;")
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.freeze_panes == "A7"
    header = [c.value for c in ws[6]]
    assert header == [
        "STT",
        "Tên bài giảng",
        "Môn học",
        "Lớp",
        "Tác giả",
        "Trường",
        "Cấp phê duyệt",
        "Ngày phê duyệt",
    ]
    assert list(ws.tables.keys()) == ["DanhSach"] and ws.tables["DanhSach"].ref == f"A6:H{6 + len(cases)}"
    rows = [[c for c in r] for r in ws.iter_rows(min_row=7, max_row=6 + len(cases))]
    assert [r[0].value for r in rows] == list(range(1, len(cases) + 1))
    assert all(isinstance(r[3].value, int) for r in rows)
    assert all(isinstance(r[7].value, datetime.datetime) for r in rows)
    assert ws.column_dimensions["B"].width == 50
    formula = [r[1] for r in rows if r[1].value == FORMULA_TITLE]
    assert len(formula) == 1 and formula[0].data_type == "s"
    levels = {r[6].value for r in rows}
    assert levels == {"Cấp trường", "Cấp quận/huyện"}
    assert (
        ws.cell(row=6 + len(cases) + 2, column=1).value == f"Tổng cộng danh sách có {len(cases)} bài giảng./."
    )
    assert "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO" == ws["A2"].value
    return rows[-1][1].value


def check_pdf(client, demo, unit, cases, last_title):
    """The PDF is headed by the district, numbered rows over several pages, the total line, and
    the signature block on the page of the last row; one embedded font family."""
    pdf = keep(_export(client, demo.user("demo.phong"), unit, "pdf").content, "approved-list-district")
    pages = pages_text(pdf)
    assert len(pages) >= 2
    first, last = pages[0], pages[-1]
    assert "UBND QUẬN HỒNG BÀNG" in first and "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO" in first and "Số:" in first
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in first
    assert "DANH SÁCH BÀI GIẢNG ĐIỆN TỬ ĐƯỢC PHÊ DUYỆT" in first
    assert f"Tổng cộng danh sách có {len(cases)} bài giảng" in last
    assert "THỦ TRƯỞNG ĐƠN VỊ" in last and "(kí tên và đóng dấu)" in last
    assert last_title[:40] in last  # the signature is on the page of the last row
    fonts = pdffonts(pdf)
    assert {font_family(f["name"]) for f in fonts} == {"DocSerif"} and all(f["emb"] == "yes" for f in fonts)


def test_filters_narrow_the_list(client, demo):
    """Level "district and above" keeps the one lecture the district panel approved; grade 7 a quarter."""
    cases = district_with_lectures(demo, schools=3, per_school=4)
    unit = demo.unit("PGD-HB")
    client.force_login(demo.user("demo.phong"))
    page = client.get(reverse("reports:approved_list"), {"unit": unit.pk, "level": "district"})
    assert page.status_code == 200 and page.context["count"] == 1
    page = client.get(reverse("reports:approved_list"), {"unit": unit.pk, "grade": 7})
    assert page.context["count"] == 3  # i = 1 in each of the three schools
    # A window: the lectures submitted in it; a year: those approved between its first and last day.
    window, year = cases[0].window, cases[0].window.year
    page = client.get(reverse("reports:approved_list"), {"unit": unit.pk, "period": f"window:{window.pk}"})
    assert page.context["count"] == 12
    approved_on = page.context["preview"][0].approved_on
    inside = approved_on >= year.starts_on and approved_on <= year.ends_on
    page = client.get(reverse("reports:approved_list"), {"unit": unit.pk, "period": f"year:{year.pk}"})
    assert page.context["count"] == (12 if inside else 0)
