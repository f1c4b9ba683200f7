"""Every role's home page and menu: what is waiting for them, and only what they can use."""

import pytest

from accounts.demo import USERS

TEACHERS = {"demo.gv", "demo.tt", "demo.qtt", "demo.gv.van", "demo.gv.th", "demo.gv.thpt"}
PANEL_MEMBERS = {"demo.hdq.ct", "demo.hdq.tv1", "demo.hdq.tv2", "demo.hds.ct", "demo.hds.tv1", "demo.hds.tv2"}
EVERYONE = {u.username for u in USERS}
MENU = {
    "Bài giảng của tôi": TEACHERS | PANEL_MEMBERS,  # the panels' core teachers teach too
    "Kho học liệu số": EVERYONE,
    "Hỗ trợ": EVERYONE,
    "Kiểm tra văn bản": EVERYONE,
    # Professional records (issue 10): whoever submits a kind of record, whoever may inspect them.
    "Hồ sơ chuyên môn": TEACHERS | PANEL_MEMBERS | {"demo.ht", "demo.ht.thpt", "demo.cumtruong"},
    "Kiểm tra hồ sơ": {
        "demo.tt",
        "demo.ht",
        "demo.pht",
        "demo.ht.thpt",
        "demo.cumtruong",
        "demo.phong",
        "demo.phong.lc",
        "demo.cvso",
        "demo.ldso",
    },
    "Chờ thẩm định": {
        "demo.phong",  # school plans of the district's lower-secondary schools
        "demo.phong.lc",
        "demo.ldso",  # school plans of upper-secondary and multi-level schools
        "demo.tt",
        "demo.ht",
        "demo.pht",
        "demo.ht.thpt",
        "demo.cumtruong",
        "demo.hdq.ct",
        "demo.hds.ct",
        "demo.hds.tv1",
    },
    "Được phân công": PANEL_MEMBERS,
    "Thẩm định trong đơn vị": {
        "demo.ht",
        "demo.pht",
        "demo.ht.thpt",
        "demo.cumtruong",
        "demo.phong",
        "demo.phong.lc",
        "demo.cvso",
        "demo.ldso",
    },
    "Nhân sự": {
        "demo.tt",
        "demo.ht",
        "demo.pht",
        "demo.qtt",
        "demo.ht.thpt",
        "demo.cumtruong",
        "demo.phong",
        "demo.phong.lc",
        "demo.cvso",
        "demo.ldso",
    },
    "Nhập tài khoản": {"demo.qtt", "demo.phong", "demo.phong.lc", "demo.ldso"},
    # The dashboards (reports): the same reach as the approved-lecture lists.
    "Bảng số liệu": {
        "demo.ht",
        "demo.pht",
        "demo.ht.thpt",
        "demo.cumtruong",
        "demo.phong",
        "demo.phong.lc",
        "demo.cvso",
        "demo.ldso",
    },
    "Lịch nộp bài": {"demo.phong", "demo.phong.lc", "demo.ldso"},
    # LMS registrations (interop): the city's leaders, a district's officers.
    "Kết nối LMS (LTI)": {"demo.phong", "demo.phong.lc", "demo.ldso"},
    # Semester reports: school leaders and district officers write them, the city leader reads them.
    "Báo cáo học kì": {
        "demo.ht",
        "demo.pht",
        "demo.ht.thpt",
        "demo.cumtruong",
        "demo.phong",
        "demo.phong.lc",
        "demo.ldso",
    },
    # The approved-lecture lists (reports): whoever may inspect some school, cluster, district or city.
    "Danh sách phê duyệt": {
        "demo.ht",
        "demo.pht",
        "demo.ht.thpt",
        "demo.cumtruong",
        "demo.phong",
        "demo.phong.lc",
        "demo.cvso",
        "demo.ldso",
    },
}


@pytest.mark.parametrize("username", [u.username for u in USERS])
def test_every_demo_role_has_a_home_page(demo, client, username):
    """Each demo account signs in to a Vietnamese home page greeting them by name."""
    client.force_login(demo.user(username))
    response = client.get("/")
    assert response.status_code == 200
    assert f"Xin chào, {demo.user(username).full_name}" in response.content.decode()


@pytest.mark.parametrize("username", [u.username for u in USERS])
def test_menu_shows_only_what_the_role_can_use(demo, client, username):
    """The top menu offers a role exactly the entries it may use, and each entry opens."""
    client.force_login(demo.user(username))
    response = client.get("/")
    labels = {item.label for item in response.context["nav_items"]}
    assert labels <= set(MENU), f"{username}: a menu entry this test does not know: {labels - set(MENU)}"
    for label, allowed in MENU.items():
        assert (label in labels) == (username in allowed), f"{username}: menu entry {label}"
    for item in response.context["nav_items"]:
        assert client.get(item.url).status_code == 200, f"{username}: {item.label} → {item.url}"
