"""A district officer's dashboard draws its charts in a real browser, on a desktop and a phone."""

import pytest

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ["chart-cases", "chart-subjects", "chart-coverage", "chart-usage"]


def test_the_district_dashboard_draws_its_charts(live_server, page):
    """Each chart's canvas is drawn (not blank) and its table follows; the phone layout keeps both."""
    from django.core.cache import cache

    from accounts.demo import load_demo_city
    from accounts.models import Unit, User
    from repository.models import Publication
    from repository.services import usage_record
    from tests.conftest import DemoCity
    from tests.reports.builders import district_with_lectures

    cache.clear()
    load_demo_city()
    demo = DemoCity({u.username: u for u in User.objects.all()}, {u.code: u for u in Unit.objects.all()})
    district_with_lectures(demo, schools=3, per_school=3)
    for n, publication in enumerate(Publication.objects.order_by("pk")[:4]):
        for username in ["demo.gv", "demo.tt", "demo.ht"][: n + 1]:
            usage_record(publication=publication, user=demo.user(username), kind="view")
    login(page, live_server, "demo.phong")
    page.goto(f"{live_server.url}/reports/dashboard/")
    for chart in CHARTS:
        page.wait_for_selector(f"#{chart}[data-drawn=true]")
        blank = page.evaluate(
            """id => { const c = document.getElementById(id); const b = document.createElement('canvas');
                       b.width = c.width; b.height = c.height; return c.toDataURL() === b.toDataURL(); }""",
            chart,
        )
        assert not blank, chart
    assert page.locator("#table-by_school tbody tr").count() >= 3
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot(page, "dashboard-district-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    screenshot(page, "dashboard-district-390")
    page.goto(f"{live_server.url}/")
    screenshot(page, "home-district-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    screenshot(page, "home-district-1366")
