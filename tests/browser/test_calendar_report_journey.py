"""The city leader sets up a school year and its three standard windows from the calendar page;
a principal writes and generates the semester report and downloads its PDF (issue 11, items 3–4)."""

import io

import pytest
from pypdf import PdfReader

from .conftest import login, screenshot
from .test_review_journey import demo_city, switch_user  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_sets_up_the_year_and_principal_reports(page, live_server, demo_city):  # noqa: F811
    login(page, live_server, "demo.ldso")
    page.get_by_role("button", name="Quản trị").click()
    page.get_by_role("link", name="Lịch nộp bài", exact=True).click()
    page.get_by_test_id("year-new").click()
    page.fill("input[name=name]", "2027-2028")
    for field, value in {
        "starts_on": "2027-08-01",
        "semester1_ends_on": "2028-01-15",
        "ends_on": "2028-05-31",
        "makeup1_starts_on": "2028-01-03",
        "makeup2_starts_on": "2028-05-15",
    }.items():
        page.fill(f"input[name={field}]", value)
    page.get_by_role("button", name="Lưu").click()
    page.get_by_text("Đã lưu năm học 2027–2028.").wait_for()
    year = page.locator("section", has=page.get_by_role("heading", name="Năm học 2027–2028"))
    year.get_by_role("button", name="Tạo ba đợt nộp chuẩn").click()
    page.get_by_text("Đã tạo ba đợt nộp chuẩn cho năm học 2027–2028.").wait_for()
    year = page.locator("section", has=page.get_by_role("heading", name="Năm học 2027–2028"))
    assert year.get_by_test_id("window-row").count() == 3
    assert "16/08/2027 – 22/08/2027" in year.inner_text()
    screenshot(page, "calendar-leader")

    switch_user(page, live_server, "demo.ht")
    page.get_by_role("button", name="Báo cáo").click()
    page.get_by_role("link", name="Báo cáo học kì", exact=True).click()
    page.get_by_test_id("semester-start").get_by_role("button", name="Mở báo cáo").click()
    page.fill("textarea[name=difficulties]", "Đường truyền chậm vào giờ cao điểm.")
    page.fill("textarea[name=causes]", "Chưa được tập huấn đầy đủ.")
    page.fill("textarea[name=recommendations]", "Đề nghị tổ chức tập huấn đóng gói bài giảng.")
    page.get_by_test_id("generate").click()
    page.get_by_test_id("semester-generated").wait_for()
    screenshot(page, "semester-report")
    with page.expect_download() as download:
        page.get_by_test_id("download-pdf").click()
    reader = PdfReader(io.BytesIO(open(download.value.path(), "rb").read()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "TRƯỜNG THCS LÊ QUÝ ĐÔN" in text and "Tổng cộng danh sách có" in text
    assert "Đường truyền chậm vào giờ cao điểm." in text and "HIỆU TRƯỞNG" in text
