"""The whole review chain in a real browser, from the teacher's upload to the minutes PDF."""

import re
import zlib

import pytest

from .conftest import login, screenshot
from .test_submission_journey import SCORM, _create_and_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Bài 8. Quan hệ chia hết và tính chất"


@pytest.fixture
def demo_city(transactional_db):
    from accounts.demo import load_demo_city
    from reviews.demo import load_demo as load_review_demo
    from submissions.demo import load_demo

    load_demo_city()
    load_demo()
    load_review_demo()


def switch_user(page, live_server, username):
    page.context.clear_cookies()
    login(page, live_server, username)


def open_case_from(page, live_server, path):
    page.goto(f"{live_server.url}{path}")
    page.get_by_role("link", name=TITLE).first.click()
    page.wait_for_selector("[data-testid=case-state]")


def fill_scores(page, scope, points):
    inputs = page.locator(f"{scope} input[name^=score_]")
    for i in range(inputs.count()):
        inputs.nth(i).fill(str(points[i]))


def pdf_page_count(data: bytes) -> int:
    counts = [int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            counts += [
                int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", zlib.decompress(stream))
            ]
        except zlib.error:
            continue
    return max(counts, default=0)


def test_lecture_goes_from_teacher_to_district_panel_and_back_with_minutes(
    demo_city, live_server, page, tmp_path
):
    """Submit, return with changes, resubmit, approve, nominate, assign two members, both evaluate, approve, download the minutes PDF."""
    from reviews.models import ReviewCase

    # 1. The teacher creates, uploads and submits.
    login(page, live_server, "demo.gv")
    _create_and_upload(page, live_server, TITLE)
    page.get_by_test_id("submit-lecture").click()
    page.get_by_text("Đã nộp bài giảng.").wait_for()

    # 2. The department head returns it with required changes.
    switch_user(page, live_server, "demo.tt")
    page.get_by_role("link", name="Chờ thẩm định").first.click()
    assert page.locator("h1").inner_text() == "Bài giảng chờ thẩm định"
    screenshot(page, "review-queue-head")
    page.get_by_role("link", name=TITLE).first.click()
    page.get_by_test_id("case-file").wait_for()
    # Nothing is chosen for the reviewer: the head previews the package and decides.
    assert page.locator("input[name=decision]:checked").count() == 0
    page.frame_locator("[data-testid=preview-frame]").locator("body").wait_for()
    page.check("input[name=decision][value=return]")
    page.fill("textarea[name=limitations]", "Phần luyện tập còn ít, chưa có phản hồi khi trả lời sai.")
    page.fill("textarea[name=required_changes]", "Bổ sung 3 câu hỏi tương tác có phản hồi ở phần luyện tập.")
    screenshot(page, "review-case-decision-form")
    page.get_by_test_id("decide-submit").click()
    page.get_by_text("Đã yêu cầu tác giả chỉnh sửa").wait_for()
    assert page.get_by_test_id("case-state").inner_text() == "Yêu cầu chỉnh sửa"

    # 3. The teacher reads the minutes from the notification and resubmits a new version.
    switch_user(page, live_server, "demo.gv")
    page.goto(f"{live_server.url}/reviews/notifications/")
    page.get_by_role("button", name=re.compile("cần chỉnh sửa")).first.click()
    assert "Bổ sung 3 câu hỏi tương tác" in page.get_by_test_id("required-changes").inner_text()
    screenshot(page, "review-minutes-returned")
    lecture = ReviewCase.objects.get(lecture__title=TITLE).lecture
    page.goto(f"{live_server.url}{lecture.get_absolute_url()}")
    page.fill("textarea[name=change_note]", "Đã bổ sung 3 câu hỏi tương tác.")
    page.get_by_test_id("new-version").click()
    page.wait_for_selector("#uploader .uppy-Dashboard")
    page.set_input_files("#uploader input[type=file].uppy-Dashboard-input >> nth=0", str(SCORM))
    page.locator(".uppy-StatusBar-actionBtn--upload").click()
    page.wait_for_selector("[data-testid=check-status]:has-text('Hợp lệ')")
    page.get_by_test_id("submit-lecture").click()
    page.wait_for_selector("[data-testid=lecture-status]:has-text('Đang thẩm định')")

    # 4. The head approves version 2 with scores and minutes.
    switch_user(page, live_server, "demo.tt")
    open_case_from(page, live_server, "/reviews/queue/")
    assert "Phiên bản 2" in page.content()
    fill_scores(page, "[data-testid=decision-panel]", [26, 21, 17, 13, 8])
    page.fill("textarea[name=strengths]", "Nội dung chính xác; câu hỏi tương tác tốt.")
    page.fill("textarea[name=conclusion]", "Đạt yêu cầu, đưa vào kho học liệu của trường.")
    page.check("input[name=decision][value=approve]")
    page.get_by_test_id("decide-submit").click()
    page.get_by_text("Đã phê duyệt và lập biên bản.").wait_for()

    # 5. The principal nominates it to the district.
    switch_user(page, live_server, "demo.ht")
    page.goto(f"{live_server.url}/reviews/school/")
    screenshot(page, "review-school-view")
    page.get_by_test_id("nominatable").get_by_role("link", name=TITLE).click()
    page.get_by_test_id("nominate-submit").click()
    page.get_by_text("Đã đề cử bài giảng lên Hội đồng bộ môn Toán THCS quận Hồng Bàng").wait_for()

    # 6. The district chair assigns the two default members.
    switch_user(page, live_server, "demo.hdq.ct")
    open_case_from(page, live_server, "/reviews/queue/")
    checked = page.locator("[data-testid=assign-panel] input[type=checkbox]:checked")
    assert checked.count() == 2
    screenshot(page, "review-assign")
    page.get_by_test_id("assign-submit").click()
    page.get_by_text("Đã phân công thành viên đánh giá.").wait_for()

    # 7. Both members evaluate.
    for member, points in [("demo.hdq.tv1", [25, 20, 16, 12, 8]), ("demo.hdq.tv2", [27, 22, 18, 13, 9])]:
        switch_user(page, live_server, member)
        open_case_from(page, live_server, "/reviews/assigned/")
        fill_scores(page, "[data-testid=evaluation-panel]", points)
        page.fill("[data-testid=evaluation-panel] textarea[name=strengths]", "Bài giảng sinh động.")
        page.check("input[name=recommendation][value=approve]")
        if member == "demo.hdq.tv1":
            screenshot(page, "review-evaluation-form")
        page.get_by_test_id("evaluate-submit").click()
        page.get_by_text("Đã nộp phiếu đánh giá.").wait_for()

    # 8. The chair approves with the panel's minutes.
    switch_user(page, live_server, "demo.hdq.ct")
    open_case_from(page, live_server, "/reviews/queue/")
    assert page.get_by_test_id("evaluations").locator("tbody tr").count() == 2
    page.fill("textarea[name=strengths]", "Thiết kế hoạt động rõ ràng, tương tác tốt.")
    page.fill("textarea[name=conclusion]", "Hội đồng thống nhất phê duyệt, đưa vào kho học liệu của quận.")
    page.check("input[name=decision][value=approve]")
    page.get_by_test_id("decide-submit").click()
    page.get_by_text("Đã phê duyệt và lập biên bản.").wait_for()
    screenshot(page, "review-district-approved")
    district = ReviewCase.objects.get(lecture__title=TITLE, level="district")
    assert district.state == "approved" and district.minutes.total is not None

    # 9. The author downloads the district minutes as a PDF.
    switch_user(page, live_server, "demo.gv")
    page.goto(f"{live_server.url}/reviews/notifications/")
    page.get_by_role("button", name="đã được phê duyệt (Cấp quận").first.click()
    screenshot(page, "review-minutes-district")
    with page.expect_download() as download_info:
        page.get_by_test_id("minutes-pdf").click()
    path = tmp_path / "bien-ban.pdf"
    download_info.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert pdf_page_count(data) >= 1
    assert download_info.value.suggested_filename.startswith("bien-ban-tham-dinh-")
