"""Keyboard only (issue 16): sign in, search the library, create a lecture and start its upload,
record a decision, each with page.keyboard and a visible focus ring (screenshots in
test-artifacts/keyboard-*.png); a failed form puts focus on its error summary, whose links lead
to the fields."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from .conftest import ARTIFACTS
from .test_review_journey import demo_city  # noqa: F401 (fixture)
from .test_submission_journey import SCORM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'),
          text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 80),
          href: el.getAttribute('href'), testid: el.dataset.testid || '', value: el.value,
          type: el.getAttribute('type'), summary: el.hasAttribute('data-error-summary'),
          outline: parseFloat(style.outlineWidth) || 0, outlineStyle: style.outlineStyle};
}"""


def focused(page):
    return page.evaluate(FOCUSED) or {}


def tab_to(page, matches, limit=80, backwards=False):
    """Presses Tab until the focused element satisfies `matches`; asserts its ring is visible."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if now and matches(now):
            assert now["outline"] >= 2 and now["outlineStyle"] != "none", f"no focus ring on {now}"
            return now
    raise AssertionError(f"never reached by Tab; last focus {focused(page)}")


def shot(page, name):
    """The viewport, not the full page: the focus ring must be where a person looks."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate("() => document.activeElement && document.activeElement.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(100)
    page.screenshot(path=str(ARTIFACTS / f"keyboard-{name}.png"))


def open_file_chooser_with_enter(page, attempts=3):
    """Enter on the focused "chọn tệp từ máy" opens the system's file chooser. On a loaded CI
    machine the first key press can arrive before Uppy has wired the button (seen once: no chooser
    in 15 s with the focus on the button); a person presses Enter again, and so does the test. The
    focus must still be on the browse button for every press."""
    for attempt in range(attempts):
        assert "uppy-Dashboard-browse" in page.evaluate("() => document.activeElement.className")
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press("Enter")
            return chooser.value
        except PlaywrightTimeoutError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def keyboard_login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    # The user name field has the focus on arrival.
    assert focused(page)["name"] == "username"
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("hoclieu2026")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")


def test_a_teacher_and_a_head_do_their_work_with_the_keyboard_only(demo_city, live_server, page):  # noqa: F811
    """Skip link, library search, new lecture up to its upload, and a decision, all by keyboard."""
    from reviews.models import ReviewCase

    keyboard_login(page, live_server, "demo.gv")
    # The first Tab reaches the skip link, which takes the focus to the main content.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Bỏ qua, đến nội dung chính"
    shot(page, "skip-link")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"

    # The library: reached from the menu, searched, the count read out through the live region.
    page.keyboard.press("Shift+Tab")
    tab_to(page, lambda f: f["text"] == "Kho học liệu số", backwards=True)
    shot(page, "navbar-link")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/library/")
    tab_to(page, lambda f: f["id"] == "q")
    page.keyboard.type("toan")
    shot(page, "library-search")
    page.keyboard.press("Enter")
    page.wait_for_function("() => /bài giảng/.test(document.getElementById('live-status').textContent)")
    count = page.get_by_test_id("result-count").inner_text()
    assert page.locator("#live-status").inner_text() == count

    # A new lecture: the form by keyboard, then the upload widget, and an upload started.
    page.goto(f"{live_server.url}/lectures/")
    tab_to(page, lambda f: f["testid"] == "lecture-create")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/lectures/new/")
    tab_to(page, lambda f: f["name"] == "subject")
    page.keyboard.type("Toán")
    tab_to(page, lambda f: f["name"] == "grade")
    page.keyboard.type("Lớp 6")
    assert page.locator("select[name=grade]").input_value() == "6"
    tab_to(page, lambda f: f["name"] == "title")
    page.keyboard.type("Bài 2. Tập hợp các số tự nhiên")
    shot(page, "lecture-form")
    page.keyboard.press("Enter")
    page.wait_for_selector("#uploader .uppy-Dashboard")
    browse = tab_to(
        page,
        lambda f: (
            f["tag"] == "button"
            and "uppy-Dashboard-browse" in page.evaluate("() => document.activeElement.className")
        ),
    )
    assert browse
    shot(page, "upload-browse")
    open_file_chooser_with_enter(page).set_files(str(SCORM))
    tab_to(
        page,
        lambda f: (
            "uppy-StatusBar-actionBtn--upload" in page.evaluate("() => document.activeElement.className")
        ),
    )
    shot(page, "upload-start")
    page.keyboard.press("Enter")
    page.wait_for_selector(
        "[data-testid=upload-message]:has-text('Kết quả kiểm tra: Hợp lệ')", timeout=60_000
    )

    # The head of department records a decision on a case in the queue.
    keyboard_login(page, live_server, "demo.tt")
    page.goto(f"{live_server.url}/reviews/queue/")
    link = tab_to(page, lambda f: bool(re.match(r"^/reviews/cases/\d+/$", f["href"] or "")))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{link['href']}")
    case_pk = int(link["href"].split("/")[-2])
    tab_to(page, lambda f: f["name"] == "decision")
    # Arrow keys move within the radio group and choose; "Yêu cầu chỉnh sửa" is asked for here.
    for _ in range(4):
        if page.evaluate("() => document.activeElement.value") == "return":
            break
        page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.checked && document.activeElement.value") == "return"
    shot(page, "decision-radio")
    tab_to(page, lambda f: f["name"] == "required_changes")
    page.keyboard.type("Bổ sung phần luyện tập có phản hồi.")
    tab_to(page, lambda f: f["testid"] == "decide-submit")
    shot(page, "decision-submit")
    page.keyboard.press("Enter")
    page.get_by_text("Đã yêu cầu tác giả chỉnh sửa").wait_for()
    assert ReviewCase.objects.get(pk=case_pk).state == "returned"


def test_a_failed_form_focuses_its_error_summary_whose_links_lead_to_the_fields(
    demo_city,  # noqa: F811
    live_server,
    page,
):
    """An empty login and an empty decision come back with the focus on the summary; every error
    in it is a link that puts the focus on its field, which names the error in its description."""
    page.goto(f"{live_server.url}/login/")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-error-summary]")
    assert focused(page)["summary"]
    summary = page.get_by_test_id("error-summary")
    assert summary.get_attribute("role") == "alert"
    links = summary.locator("a")
    assert links.count() == 2
    for i, field in enumerate(["id_username", "id_password"]):
        assert links.nth(i).get_attribute("href") == f"#{field}"
        assert page.locator(f"#{field}").get_attribute("aria-describedby") == f"{field}_error"
        assert page.locator(f"#{field}_error").inner_text().strip()
    shot(page, "login-errors")
    links.nth(1).click()
    assert focused(page)["id"] == "id_password"

    keyboard_login(page, live_server, "demo.tt")
    page.goto(f"{live_server.url}/reviews/queue/")
    page.locator("main table a[href^='/reviews/cases/']").first.click()
    page.get_by_text("Kết luận thẩm định và lập biên bản").wait_for()
    page.get_by_test_id("decide-submit").click()
    page.wait_for_selector("[data-error-summary]")
    assert focused(page)["summary"]
    shot(page, "decision-errors")
    link = page.get_by_test_id("error-summary").locator("a").first
    assert link.inner_text().startswith("Quyết định:")
    assert link.get_attribute("href") == "#id_decision_0"
    assert page.locator("fieldset#id_decision").get_attribute("aria-describedby") == "id_decision_error"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_decision_0"
