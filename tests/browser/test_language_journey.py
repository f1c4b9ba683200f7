"""The interface language in a real browser: Vietnamese whatever the browser asks for, English
only when the person picks it at the foot of the page, and then remembered on their profile."""

import pytest

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_city(transactional_db, settings):
    from accounts.demo import load_demo_city
    from submissions.demo import load_demo

    settings.SHOW_DEMO_LOGINS = True
    load_demo_city()
    load_demo()


@pytest.fixture
def english_browser(browser):
    """A browser set up the way most school PCs are: English Windows, Accept-Language en-US."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    page.goto("about:blank")
    context.close()


def _upload_widget_text(page, live_server) -> str:
    """The drop zone of the upload widget on demo.gv's draft lecture."""
    from submissions.models import Lecture

    lecture = Lecture.objects.get(author__username="demo.gv", title="Bài 1. Tập hợp")
    page.goto(f"{live_server.url}{lecture.get_absolute_url()}")
    return page.locator("#uploader .uppy-Dashboard-AddFiles-title").inner_text()


def _sign_out(page, live_server, name):
    page.get_by_role("button", name=name).click()
    page.locator("[data-testid=logout]").click()
    page.wait_for_url(f"{live_server.url}/login/")


def test_english_browser_gets_vietnamese_until_english_is_chosen(demo_city, live_server, english_browser):
    """An en-US browser sees the Vietnamese login and home page; English picked at the foot of the
    page switches the interface and stays after sign-out and the next sign-in (the profile)."""
    from accounts.models import User

    page = english_browser
    assert page.evaluate("navigator.language") == "en-US"
    page.goto(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").inner_text() == "Đăng nhập"
    screenshot(page, "login-en-us-browser")

    login(page, live_server, "demo.gv")
    assert page.locator("h1").inner_text() == "Xin chào, Nguyễn Thị Lan"
    assert page.locator("html").get_attribute("lang") == "vi"
    screenshot(page, "home-teacher-en-us-browser")
    assert "Kéo thả tệp vào đây" in _upload_widget_text(page, live_server)
    page.goto(f"{live_server.url}/")

    page.select_option("footer select[name=language]", "en")
    page.locator("footer button[type=submit]").click()
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() != "Xin chào, Nguyễn Thị Lan"
    assert User.objects.get(username="demo.gv").language == "en"
    screenshot(page, "home-teacher-english")
    assert "Drop files here" in _upload_widget_text(page, live_server)

    _sign_out(page, live_server, "Nguyễn Thị Lan")
    assert page.locator("html").get_attribute("lang") == "en"

    # A new device (no cookie): Vietnamese until she signs in, then her saved English.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("lang") == "vi"
    login(page, live_server, "demo.gv")
    assert page.locator("html").get_attribute("lang") == "en"
    _sign_out(page, live_server, "Nguyễn Thị Lan")
    assert page.locator("html").get_attribute("lang") == "en"

    # The login page's switcher changes this device only: on a shared school PC, whoever signs
    # in next gets their own saved language, not the last person's cookie.
    page.select_option("footer select[name=language]", "vi")
    page.locator("footer button[type=submit]").click()
    page.wait_for_selector("html[lang=vi]")
    login(page, live_server, "demo.gv")
    assert page.locator("html").get_attribute("lang") == "en"  # the profile still says English
