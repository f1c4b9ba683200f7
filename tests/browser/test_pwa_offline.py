"""The installable library on a phone (issue 14, item 4): the manifest is linked and valid, the
service worker registers, a teacher keeps a SCORM lecture with "Dùng khi không có mạng", and
with the network switched off the kept lecture plays (the SCORM runtime initialises in the
SCO) while a lecture that was not kept shows the offline page."""

import json

import pytest

from tests.repository.factories import make_lecture, make_version, publish

from .conftest import login, screenshot
from .test_offline_copy import _scorm12_zip


@pytest.fixture
def pwa_page(browser):
    """A page whose context lets the app's service worker run (the shared fixture blocks it)."""
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    page.goto("about:blank")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_teacher_keeps_a_lecture_and_plays_it_with_no_connection(live_server, pwa_page, demo):
    page = pwa_page
    school = demo.unit("THCS-LQD-TOAN")
    lecture = make_lecture(demo.user("demo.gv"), school, title="Đường tròn")
    kept = publish(make_version(lecture, kind="scorm12", zip_bytes=_scorm12_zip()), school)
    other = make_lecture(demo.user("demo.gv"), school, title="Tam giác")
    not_kept = publish(make_version(other, kind="scorm12", zip_bytes=_scorm12_zip()), school)

    login(page, live_server, "demo.gv.van")
    # The manifest is linked from every page and says what the phone installs.
    href = page.locator("link[rel=manifest]").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text())
    assert manifest["name"] == "Thư viện bài giảng"
    assert manifest["lang"] == "vi"
    assert manifest["start_url"] == "/library/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0b5394"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert page.request.get(f"{live_server.url}{icon['src']}").headers["content-type"] == "image/png"
    # The service worker registers with the whole app as its scope.
    page.locator("html[data-sw=ready]").wait_for(state="attached")
    assert (
        page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.scope)") == f"{live_server.url}/"
    )

    page.goto(f"{live_server.url}{kept.get_absolute_url()}")
    card = page.get_by_test_id("pwa-offline")
    assert "khoảng" in card.get_by_test_id("pwa-size").inner_text()
    assert "không được tính vào lượt xem" in card.inner_text()
    card.get_by_test_id("pwa-save").click()
    page.locator("[data-pwa-offline][data-state=saved]").wait_for(timeout=30_000)
    assert "Đã lưu trên máy này" in card.get_by_test_id("pwa-status").inner_text()
    card.scroll_into_view_if_needed()
    screenshot(page, "pwa-lecture-kept")

    page.goto(f"{live_server.url}/library/saved/")
    item = page.get_by_test_id("pwa-saved-item")
    item.wait_for()
    assert item.count() == 1 and "Đường tròn" in item.inner_text()
    screenshot(page, "pwa-saved-list")

    page.context.set_offline(True)
    page.goto(f"{live_server.url}{kept.get_absolute_url()}")
    assert page.get_by_test_id("publication-title").inner_text() == "Đường tròn"
    sco = page.frame_locator("#preview-frame")
    sco.locator("body[data-init]").wait_for(state="attached")
    assert sco.locator("body").get_attribute("data-init") == "true"
    assert sco.locator("#out").inner_text() == "LMSInitialize: true"
    page.locator("#runtime-status[data-event]").wait_for()
    # The kept copy still runs in an opaque origin: uploaded content never runs on the app's.
    frame = page.locator("#preview-frame").element_handle().content_frame()
    assert frame.evaluate("self.origin") == "null"
    assert (
        frame.evaluate(
            "(() => { try { return !!parent.document.cookie || 'read'; } catch (e) { return 'blocked'; } })()"
        )
        == "blocked"
    )
    screenshot(page, "pwa-lecture-offline")

    page.goto(f"{live_server.url}{not_kept.get_absolute_url()}")
    page.get_by_test_id("offline-fallback").wait_for()
    assert "Không có kết nối mạng" in page.content()
    screenshot(page, "pwa-offline-fallback")

    # Back online, logging out drops every kept lecture from the device.
    page.context.set_offline(False)
    page.goto(f"{live_server.url}/library/saved/")
    page.get_by_test_id("pwa-saved-item").wait_for()
    page.locator(".user-menu-toggle").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url(f"{live_server.url}/login/")
    kept_caches = "caches.keys().then(names => names.filter(n => n.startsWith('hoclieu-bai-')))"
    assert page.evaluate(kept_caches) == []
