"""Every page of every demo role passes axe-core's WCAG 2.0/2.1/2.2 A and AA rules (issue 16,
item 1): the menu pages and one detail page of each kind, the anonymous pages, a login with its
errors shown, the lecture form with errors, the upload widget and a case whose decision form
came back with errors. One browser, one context per role."""

import re

import pytest

from .axe import axe_violations
from .conftest import CHROMIUM_ARGS, login  # noqa: F401
from .test_responsive import DETAIL_KINDS, _extra_paths, _links, _one_user_per_role
from .test_review_journey import demo_city  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANONYMOUS_PAGES = ["/login/", "/password/reset/", "/support/"]
# The lecture's own content (SCORM frames, PDF pages) is the author's, not the platform's.
CONTENT = re.compile(r"/library/(content|preview)/|/vendor/pdfjs/|/lectures/\d+/(content|preview)/")


def _visit(page, live_server, path, who, failures):
    response = page.goto(f"{live_server.url}{path}", wait_until="domcontentloaded")
    if response is None or response.status >= 400:
        if response is not None and response.status >= 500:
            failures.append(f"{who} {path}: HTTP {response.status}")
        return False
    failures += axe_violations(page, f"{who} {path}")
    return True


def _walk(page, live_server, who, extra, failures):
    seen: set[str] = set()
    kinds_seen: set[str] = set()
    todo = ["/", *_links(page)]
    while todo:
        path = todo.pop(0)
        kind = next((k for k, rx in DETAIL_KINDS.items() if rx.match(path)), None)
        if path in seen or kind in kinds_seen:
            continue
        seen.add(path)
        if not _visit(page, live_server, path, who, failures):
            continue
        if kind:
            kinds_seen.add(kind)
            continue
        for link in _links(page):
            link_kind = next((k for k, rx in DETAIL_KINDS.items() if rx.match(link)), None)
            if link_kind and link_kind not in kinds_seen and link not in todo:
                todo.append(link)
    for path in extra:
        kind = next((k for k, rx in DETAIL_KINDS.items() if rx.match(path)), None)
        if path not in seen and (kind is None or kind not in kinds_seen):
            seen.add(path)
            _visit(page, live_server, path, who, failures)
    return len(seen)


def _forms_with_errors(page, live_server, failures):
    """The states a page reaches only through a form: errors shown, the upload widget open."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state("domcontentloaded")
    failures += axe_violations(page, "anonymous /login/ (empty submit)")

    login(page, live_server, "demo.gv")
    page.goto(f"{live_server.url}/lectures/new/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    failures += axe_violations(page, "demo.gv /lectures/new/ (errors)")
    page.select_option("select[name=subject]", label="Toán")
    page.select_option("select[name=grade]", value="6")
    page.fill("input[name=title]", "Bài kiểm tra khả năng tiếp cận")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#uploader .uppy-Dashboard")
    failures += axe_violations(page, "demo.gv upload widget")

    page.context.clear_cookies()
    login(page, live_server, "demo.tt")
    page.goto(f"{live_server.url}/reviews/queue/")
    page.locator("main table a[href^='/reviews/cases/']").first.click()
    page.get_by_test_id("decide-submit").click()
    page.wait_for_load_state("domcontentloaded")
    failures += axe_violations(page, "demo.tt case decision (errors)")


def test_every_page_of_every_role_passes_axe_wcag_a_and_aa(demo_city, live_server, browser):  # noqa: F811
    """axe finds no WCAG 2.0/2.1/2.2 A or AA violation on any page any demo role reaches."""
    # CSP forbids inline scripts; axe is injected by the test, so the test's context bypasses it.
    # No service worker: requests it answers would escape page.route() (conftest.page says so).
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 1280, "height": 900}, bypass_csp=True, service_workers="block"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.route(CONTENT, lambda route: route.abort())
    failures: list[str] = []
    try:
        # The check sees a violation when there is one.
        page.goto(f"{live_server.url}/support/")
        page.evaluate(
            "() => { const i = document.createElement('img'); i.src = '/x.png'; document.querySelector('main').append(i); }"
        )
        assert any("[image-alt]" in line for line in axe_violations(page, "probe"))

        for path in ANONYMOUS_PAGES:
            assert _visit(page, live_server, path, "anonymous", failures), path
        extra = _extra_paths()
        visited = 0
        users = _one_user_per_role()
        for username in users:
            page.context.clear_cookies()
            login(page, live_server, username)
            visited += _walk(page, live_server, username, extra, failures)
        _forms_with_errors(page, live_server, failures)
    finally:
        page.goto("about:blank")
        context.close()
    assert len(users) >= 10 and visited > 60, (users, visited)
    assert not failures, f"{len(failures)} axe violations:\n" + "\n".join(failures)
