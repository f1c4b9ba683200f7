"""A principal uses the library end to end; a teacher of another district cannot get in."""

import pytest

from ..repository.factories import make_lecture, make_version, publish
from .conftest import login, screenshot


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_principal_searches_filters_opens_and_previews(live_server, page, demo):
    """The principal searches without diacritics, filters by grade, opens a lecture and plays it;
    demo.gv.th (another district) gets 404 on the same school-scope lecture."""
    dept = demo.unit("THCS-LQD-TOAN")
    wanted = make_lecture(
        demo.user("demo.gv"), dept, grade=7, title="Đại lượng tỉ lệ thuận", keywords="tỉ lệ"
    )
    pub = publish(make_version(wanted, kind="scorm12"), dept)
    same_words = make_lecture(demo.user("demo.gv"), dept, grade=6, title="Tỉ số và tỉ số phần trăm")
    publish(make_version(same_words, kind="none"), dept)
    other = make_lecture(demo.user("demo.gv"), dept, grade=7, title="Hình hộp chữ nhật")
    publish(make_version(other, kind="mp4"), dept)

    login(page, live_server, "demo.ht")
    page.get_by_role("link", name="Thư viện của trường").first.wait_for()
    page.get_by_role("link", name="Kho học liệu số").first.click()
    page.wait_for_url(f"{live_server.url}/library/")
    assert page.locator("[data-testid=library-item]").count() == 3
    page.fill("#q", "ti le")
    page.get_by_role("button", name="Tìm").click()
    page.locator("[data-testid=result-count]", has_text="2 bài giảng").wait_for()
    page.select_option("#f-grade", "7")
    page.locator("[data-testid=result-count]", has_text="1 bài giảng").wait_for()
    screenshot(page, "library-search")
    items = page.locator("[data-testid=library-item]")
    assert items.count() == 1 and "Đại lượng tỉ lệ thuận" in items.inner_text()
    items.first.click()
    page.wait_for_url(f"{live_server.url}{pub.get_absolute_url()}")
    page.locator("[data-testid=runtime-status][data-event=setvalue]").wait_for(state="attached")
    page.frame_locator("[data-testid=preview-frame]").locator("#contentFrame").wait_for()
    screenshot(page, "library-detail-preview")
    assert "1 lượt xem" in page.locator("[data-testid=usage]").inner_text()

    page.goto(f"{live_server.url}/library/school/")
    page.locator("[data-testid=coverage]").wait_for()
    screenshot(page, "library-school")

    page.context.clear_cookies()
    login(page, live_server, "demo.gv.th")
    response = page.goto(f"{live_server.url}{pub.get_absolute_url()}")
    assert response.status == 404
    page.goto(f"{live_server.url}/library/?q=ti+le")
    assert page.locator("[data-testid=library-item]").count() == 0
