"""A teacher's first minute in a real browser: sign in, see the Vietnamese home page, sign out."""

import pytest

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_city(transactional_db, settings):
    from accounts.demo import load_demo_city

    settings.SHOW_DEMO_LOGINS = True
    load_demo_city()


def test_teacher_signs_in_sees_home_and_signs_out(demo_city, live_server, page):
    """The demo teacher signs in, is greeted in Vietnamese with her menu, and signs out again."""
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/login/")
    assert page.locator("h1").inner_text() == "Đăng nhập"
    assert page.locator("[data-testid=demo-logins]").is_visible()
    screenshot(page, "login")

    login(page, live_server, "demo.gv")
    assert page.locator("h1").inner_text() == "Xin chào, Nguyễn Thị Lan"
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_text("Việc đang chờ bạn").is_visible()
    # A teacher is not offered the account administration menu.
    assert page.locator("nav a", has_text="Nhập tài khoản").count() == 0
    screenshot(page, "home-teacher")

    page.get_by_role("button", name="Nguyễn Thị Lan").click()
    page.locator("[data-testid=logout]").click()
    page.wait_for_url(f"{live_server.url}/login/")
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/login/")


def test_wrong_password_is_explained(demo_city, live_server, page):
    """A mistyped password shows a Vietnamese explanation on the login form."""
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "demo.gv")
    page.fill("input[name=password]", "sai")
    page.click("button[type=submit]")
    assert "Mã cán bộ hoặc mật khẩu không đúng" in page.locator(".alert-danger").inner_text()


def test_school_admin_sees_account_tools(demo_city, live_server, page):
    """The school's account administrator gets the people and import menus."""
    login(page, live_server, "demo.qtt")
    page.get_by_role("button", name="Quản trị").click()
    page.locator("nav a", has_text="Nhập tài khoản").click()
    assert page.locator("h1").inner_text() == "Nhập đơn vị và tài khoản từ tệp"
    screenshot(page, "import-start")
