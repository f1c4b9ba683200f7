"""A teacher's lecture in a real browser: create, upload with progress, see it checked, submit."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCORM = Path(__file__).resolve().parents[1] / "fixtures/scorm/valid/moodle_singlescobasic_SCORM12.zip"


@pytest.fixture
def demo_city(transactional_db):
    from accounts.demo import load_demo_city
    from submissions.demo import load_demo

    load_demo_city()
    load_demo()


def _create_and_upload(page, live_server, title):
    page.goto(f"{live_server.url}/lectures/")
    page.get_by_test_id("lecture-create").click()
    page.select_option("select[name=subject]", label="Toán")
    page.select_option("select[name=grade]", value="6")
    page.fill("input[name=title]", title)
    page.fill("input[name=keywords]", "toán 6, số tự nhiên")
    screenshot(page, "submission-create-form")
    page.get_by_role("button", name="Tạo bản nháp").click()
    page.wait_for_selector("#uploader .uppy-Dashboard")
    assert page.get_by_test_id("lecture-status").inner_text() == "Bản nháp – chưa có tệp"

    page.set_input_files("#uploader input[type=file].uppy-Dashboard-input >> nth=0", str(SCORM))
    page.locator(".uppy-StatusBar-actionBtn--upload").click()
    progress = page.get_by_test_id("upload-progress")
    progress.wait_for(state="visible")
    assert progress.is_visible()
    page.wait_for_selector("[data-testid=upload-progress][aria-valuenow='100']")
    assert page.locator(".uppy-StatusBar").is_visible()
    # The status panel refreshes itself (htmx) and shows the result of the check.
    page.wait_for_selector("[data-testid=check-status]:has-text('Hợp lệ')")
    # The message under the widget follows: no "checking…" left once the check has passed.
    page.wait_for_selector("[data-testid=upload-message]:has-text('Kết quả kiểm tra: Hợp lệ')")
    assert "đang kiểm tra" not in page.get_by_test_id("upload-message").inner_text().lower()


def test_teacher_creates_uploads_and_submits_in_an_open_window(demo_city, live_server, page):
    """demo.gv creates a lecture, uploads a SCORM package with a visible progress bar, sees it checked and submits it."""
    from submissions.models import Lecture

    login(page, live_server, "demo.gv")
    page.get_by_role("link", name="Bài giảng của tôi").first.click()
    assert page.locator("h1").inner_text() == "Bài giảng của tôi"
    _create_and_upload(page, live_server, "Bài 6. Luỹ thừa với số mũ tự nhiên")
    assert "Gói SCORM 1.2" in page.get_by_test_id("check-result").inner_text()
    assert page.get_by_test_id("lecture-status").inner_text() == "Sẵn sàng nộp"
    assert "Nộp bài" in page.get_by_test_id("submit-lecture").inner_text()
    screenshot(page, "submission-checked")

    page.get_by_test_id("submit-lecture").click()
    assert page.get_by_text("Đã nộp bài giảng.").is_visible()
    assert page.get_by_test_id("lecture-status").inner_text() == "Đang thẩm định (cấp trường)"
    assert "Tổ trưởng chuyên môn – Tổ Toán – Tin" in page.get_by_test_id("holder").inner_text()
    screenshot(page, "submission-in-review")
    lecture = Lecture.objects.get(title="Bài 6. Luỹ thừa với số mũ tự nhiên")
    assert lecture.versions.get().is_submitted

    page.goto(f"{live_server.url}/lectures/")
    screenshot(page, "submission-list")


def test_outside_a_window_no_submit_is_offered_and_the_next_date_is_given(demo_city, live_server, page):
    """Outside every window the teacher can prepare the lecture; instead of a Submit button the page says when the next window opens."""
    from submissions import services
    from submissions.models import AcademicYear

    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    next_open = monday + datetime.timedelta(weeks=3)
    services.windows_create_standard(
        year=AcademicYear.objects.get(), makeup1=next_open, makeup2=monday + datetime.timedelta(weeks=20)
    )
    login(page, live_server, "demo.gv")
    _create_and_upload(page, live_server, "Bài 7. Thứ tự thực hiện các phép tính")
    # No Submit button outside a window: the page says when the next window opens.
    message = f"Hiện không trong đợt nộp. Đợt nộp tiếp theo mở từ {next_open:%d/%m/%Y}."
    assert page.get_by_test_id("next-step").inner_text().strip() == message
    assert page.get_by_test_id("submit-lecture").count() == 0
    assert page.get_by_test_id("lecture-status").inner_text() == "Sẵn sàng nộp"
    screenshot(page, "submission-window-closed")
