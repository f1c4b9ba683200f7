"""Home pages that say what to do: officers and leaders see their unit's figures and the pages to act
on them; a panel chair reads which panel they chair."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.reports.builders import district_with_lectures
from tests.workflow import submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_district_officer_home_shows_the_district_figures_and_links(client, demo):
    """Submitted, approved and in-review counts of the district, with links to the dashboard, list and Excel."""
    district_with_lectures(demo, schools=2, per_school=2)
    submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Đang chờ duyệt")
    client.force_login(demo.user("demo.phong"))
    page = client.get("/")
    [summary] = page.context["summaries"]
    assert "Phòng" in summary.title or "Hồng Bàng" in summary.title
    figures = {label: value for label, value, _url, _tone in summary.figures}
    assert figures["Bài giảng đã nộp"] == 5
    assert figures["Được phê duyệt"] == 4
    assert figures["Đang thẩm định"] == 1
    html = page.content.decode()
    district = demo.unit("PGD-HB").pk
    for url in (
        reverse("reports:dashboard_unit", args=[district]),
        reverse("reports:dashboard_export", args=[district]),
        reverse("reports:approved_list"),
    ):
        assert url in html


def test_the_city_leader_home_shows_the_city_and_a_teacher_none(client, demo):
    """The leader's summary is the city's; a teacher's home has no summary."""
    client.force_login(demo.user("demo.ldso"))
    [summary] = client.get("/").context["summaries"]
    assert demo.unit("SGD").name in summary.title
    client.force_login(demo.user("demo.gv"))
    page = client.get("/")
    assert page.context["summaries"] == []
    assert 'data-testid="home-summary"' not in page.content.decode()


def test_a_panel_chair_home_says_which_panel_they_chair(client, demo):
    """The district panel's chair reads its name on their home page; a member reads that they are a member."""
    client.force_login(demo.user("demo.hdq.ct"))
    html = client.get("/").content.decode()
    assert "Bạn là chủ tịch Hội đồng bộ môn Toán THCS quận Hồng Bàng" in html
    client.force_login(demo.user("demo.hdq.tv1"))
    html = client.get("/").content.decode()
    assert "Bạn là thành viên Hội đồng bộ môn Toán THCS quận Hồng Bàng" in html
    assert "chủ tịch" not in html.split('data-testid="home-panels"')[1].split("</ul>")[0]
