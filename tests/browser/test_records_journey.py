"""Professional records in a real browser: a teacher submits a teacher plan and a lesson plan, the
head returns one with comments and approves the other, the teacher resubmits, the principal reads
the compliance table, the district officer inspects the school's records and the teacher downloads
the stamped copy of the approved plan."""

import datetime

import pytest
from django.utils import timezone

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = "tests/fixtures/files/py-pdf-sample-files_002-trivial-libre-office-writer.pdf"
LESSON = "Bài 7. Thứ tự thực hiện các phép tính"


@pytest.fixture
def demo_city(transactional_db):
    from accounts.demo import load_demo_city
    from tests.records.builders import school_year

    load_demo_city()
    school_year(deadline=timezone.localdate() - datetime.timedelta(days=1))


def switch_user(page, live_server, username):
    page.context.clear_cookies()
    login(page, live_server, username)


def test_records_journey(page, live_server, demo_city):
    teaching = (timezone.localdate() + datetime.timedelta(days=4)).isoformat()
    login(page, live_server, "demo.gv")
    page.get_by_role("link", name="Hồ sơ chuyên môn").first.click()
    page.get_by_test_id("new-teacher_plan").click()
    page.select_option("select[name=subject]", label="Toán")
    page.set_input_files("input[name=file]", PDF)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_selector("[data-testid=record-status]")
    page.goto(f"{live_server.url}/records/")
    page.get_by_test_id("new-lesson_plan").click()
    page.select_option("select[name=subject]", label="Toán")
    page.fill("input[name=lesson_name]", LESSON)
    page.select_option("select[name=grade]", "6")
    page.fill("input[name=class_name]", "6A3")
    page.fill("input[name=teaching_date]", teaching)
    page.set_input_files("input[name=file]", PDF)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_selector("[data-testid=record-status]")

    switch_user(page, live_server, "demo.tt")
    page.goto(f"{live_server.url}/reviews/queue/")
    page.get_by_role("link", name=LESSON).click()
    page.check("input[name=decision][value=return]")
    page.fill("textarea[name=comment]", "Ghi rõ thời lượng từng hoạt động.")
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    page.wait_for_selector("text=Đã trả lại hồ sơ")
    page.goto(f"{live_server.url}/reviews/queue/?kind=teacher_plan")
    page.get_by_role("link", name="Kế hoạch giáo dục của giáo viên").click()
    page.check("input[name=decision][value=approve]")
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    page.wait_for_selector("text=Đã phê duyệt hồ sơ")

    switch_user(page, live_server, "demo.gv")
    page.goto(f"{live_server.url}/records/")
    page.get_by_test_id("returned-records").get_by_role("link").click()
    assert "Ghi rõ thời lượng từng hoạt động." in page.get_by_test_id("return-comment").inner_text()
    page.set_input_files("input[name=file]", PDF)
    page.fill("textarea[name=change_note]", "Đã ghi thời lượng.")
    page.get_by_role("button", name="Nộp lại").click()
    page.wait_for_selector("text=Đã nộp lại hồ sơ")
    assert page.get_by_test_id("record-status").inner_text() == "Chờ phê duyệt"

    switch_user(page, live_server, "demo.ht")
    # A principal's own records and the school's share the "Hồ sơ chuyên môn" drop-down.
    page.get_by_role("button", name="Hồ sơ chuyên môn").click()
    page.get_by_role("link", name="Kiểm tra hồ sơ").click()
    page.get_by_test_id("compliance-link").click()
    row = page.locator("[data-testid=compliance-table] tr", has_text="Nguyễn Thị Lan")
    # The plan came after the year's deadline: late, not on time, not missing.
    assert [row.locator("td").nth(i).inner_text() for i in (1, 2, 3)] == ["0", "1", "0"]
    screenshot(page, "records-compliance")

    switch_user(page, live_server, "demo.phong")
    page.get_by_role("link", name="Kiểm tra hồ sơ").click()
    table = page.get_by_test_id("record-table").inner_text()
    assert LESSON in table and "Nguyễn Thị Lan" in table
    screenshot(page, "records-district-inspection")

    # The teacher downloads the approved copy of the teacher plan: the stamp is in it.
    switch_user(page, live_server, "demo.gv")
    page.goto(f"{live_server.url}/records/")
    page.get_by_role("link", name="Kế hoạch giáo dục của giáo viên", exact=True).click()
    with page.expect_download() as download:
        page.get_by_test_id("record-approved-copy").get_by_role("link").click()
    path = download.value.path()
    from tests.documents.pdfcheck import pages_text

    text = pages_text(open(path, "rb").read())[-1]
    assert "ĐÃ PHÊ DUYỆT" in text and "Trần Văn Hùng" in text
    screenshot(page, "records-approved-copy")
