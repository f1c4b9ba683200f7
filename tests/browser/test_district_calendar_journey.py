"""A district officer moves the make-up week of semester I for the district's schools and creates
the district's three standard windows on it from the calendar page (issue 11, item 4)."""

import datetime

import pytest

from .conftest import login, screenshot
from .test_review_journey import demo_city  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_sets_the_districts_make_up_week_and_windows(page, live_server, demo_city):  # noqa: F811
    from submissions.models import AcademicYear, SubmissionWindow

    year = AcademicYear.objects.get()
    start = year.starts_on + datetime.timedelta(weeks=10)
    monday = start + datetime.timedelta(days=(7 - start.weekday()) % 7)
    assert monday + datetime.timedelta(days=6) <= year.semester1_ends_on
    shown = f"{monday:%d/%m/%Y} – {monday + datetime.timedelta(days=6):%d/%m/%Y}"

    login(page, live_server, "demo.phong")
    page.get_by_role("button", name="Quản trị").click()
    page.get_by_role("link", name="Lịch nộp bài", exact=True).click()
    section = page.locator("section", has=page.get_by_role("heading", name=f"Năm học {year.name}"))
    district = section.locator("[data-testid^=district-]").first
    assert "Đang theo lịch của Sở." in district.inner_text()
    district.get_by_test_id("district-edit").click()

    page.fill("input[name=makeup1_starts_on]", (monday + datetime.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Lưu").click()
    page.locator(".invalid-feedback", has_text="không phải thứ Hai").first.wait_for()
    screenshot(page, "calendar-district-error")
    page.fill("input[name=makeup1_starts_on]", monday.isoformat())
    page.get_by_role("button", name="Lưu").click()
    page.get_by_text(f"Đã lưu lịch riêng của Phòng GDĐT quận Hồng Bàng năm học {year.name}.").wait_for()

    section = page.locator("section", has=page.get_by_role("heading", name=f"Năm học {year.name}"))
    district = section.locator("[data-testid^=district-]").first
    assert f"từ thứ Hai {monday:%d/%m/%Y}" in district.inner_text() and "riêng" in district.inner_text()
    district.get_by_test_id("district-standard-windows").click()
    page.get_by_text(
        f"Đã tạo ba đợt nộp chuẩn của Phòng GDĐT quận Hồng Bàng cho năm học {year.name}."
    ).wait_for()
    section = page.locator("section", has=page.get_by_role("heading", name=f"Năm học {year.name}"))
    row = section.get_by_test_id("window-row").filter(has_text="Thời điểm 2: tuần dạy bù học kì I (Phòng")
    assert shown in row.inner_text() and "Phòng GDĐT quận Hồng Bàng" in row.inner_text()
    screenshot(page, "calendar-district")
    assert SubmissionWindow.objects.filter(unit__code="PGD-HB", slot="makeup_1", opens_on=monday).exists()
