"""static/js/pdf-viewer.js in headless Chromium, under the app's CSP: every page of a PDF drawn by the
vendored pdf.js into labelled canvases, the page count shown, a PDF that cannot load explained."""

import pytest

from .conftest import screenshot
from .pdf_viewer_urls import PAGES

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.browser.pdf_viewer_urls")]


def _console_errors(page):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_every_page_of_a_pdf_becomes_a_labelled_canvas(live_server, page):
    """A 5-page PDF: five canvases with role img and "Trang n / 5", data-page-count 5, all drawn after scrolling."""
    errors = _console_errors(page)
    response = page.goto(f"{live_server.url}/viewer/")
    assert "worker-src 'self'" in response.headers["content-security-policy"]
    viewer = page.locator("#viewer")
    page.wait_for_selector("#viewer[data-state=ready]")
    assert viewer.get_attribute("data-page-count") == str(PAGES)
    canvases = viewer.locator("canvas")
    assert canvases.count() == PAGES
    assert viewer.locator(".pdf-viewer-status").inner_text() == f"{PAGES} trang"  # from "%(count)s trang"
    assert viewer.locator(".placeholder").count() == 0  # the no-script line is gone
    for n in range(PAGES):
        canvas = canvases.nth(n)
        assert canvas.get_attribute("role") == "img"
        assert canvas.get_attribute("aria-label") == f"Trang {n + 1} / {PAGES}"
    page.wait_for_selector("#viewer canvas[data-page='3'][data-rendered=true]")
    # Beyond the first three, pages are drawn when they come near the viewport (A4 pages 720 px
    # wide: the last one lies three screens below).
    assert canvases.nth(PAGES - 1).get_attribute("data-rendered") is None
    canvases.nth(PAGES - 1).scroll_into_view_if_needed()
    page.wait_for_selector(f"#viewer canvas[data-page='{PAGES}'][data-rendered=true]")
    assert viewer.locator("canvas[data-rendered=true]").count() == PAGES
    # Something was drawn: the first page is not blank white.
    inked = page.evaluate(
        """() => {
        const c = document.querySelector('#viewer canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let dark = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 128) dark++;
        return dark;
    }"""
    )
    assert inked > 100
    assert not [e for e in errors if "Content Security Policy" in e or "MIME" in e], errors
    canvases.first.scroll_into_view_if_needed()
    screenshot(page, "pdf-viewer")


def test_a_pdf_that_cannot_be_loaded_shows_the_pages_error_text(live_server, page):
    """A missing PDF: no canvas, state error, and the Vietnamese text of data-error-text as an alert."""
    page.goto(f"{live_server.url}/viewer/?broken=1")
    page.wait_for_selector("#viewer[data-state=error]")
    status = page.locator("#viewer .pdf-viewer-status")
    assert status.inner_text() == "Không hiển thị được tệp PDF này."
    assert status.get_attribute("role") == "alert"
    assert page.locator("#viewer canvas").count() == 0
