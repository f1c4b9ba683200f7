"""The dashboard's figures are kept per unit and cleared by the services: a second view reads the
cache; an approval or a retraction shows at once; the number of queries does not grow with the city."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from repository.models import Publication
from reviews.services import publication_retract
from tests.reports.builders import district_with_lectures
from tests.workflow import approve, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def approved_in(client, unit):
    page = client.get(reverse("reports:dashboard_unit", args=[unit.pk]))
    return sum(r[2] for r in {t.key: t for t in page.context["tables"]}["by_school"].rows)


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_a_second_view_reads_the_cache(client, demo):
    """The first view computes the figures; the second runs far fewer queries."""
    district_with_lectures(demo, schools=2, per_school=2)
    client.force_login(demo.user("demo.ldso"))
    url = reverse("reports:dashboard_unit", args=[demo.unit("SGD").pk])
    cold, warm = queries(client, url), queries(client, url)
    assert warm <= cold - 15, (cold, warm)


def test_an_approval_and_a_retraction_show_at_once(client, demo, django_capture_on_commit_callbacks):
    """The district's and the city's cached figures follow a new approval and a retraction; the other district's are kept."""
    client.force_login(demo.user("demo.ldso"))
    district, city, other = demo.unit("PGD-HB"), demo.unit("SGD"), demo.unit("PGD-LC")
    assert (approved_in(client, district), approved_in(client, city), approved_in(client, other)) == (0, 0, 0)
    with django_capture_on_commit_callbacks(execute=True):
        approve(submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Phân số"))
    assert (approved_in(client, district), approved_in(client, city)) == (1, 1)
    other_url = reverse("reports:dashboard_unit", args=[other.pk])
    assert queries(client, other_url) < 15  # untouched: still from the cache
    publication = Publication.objects.get(state=Publication.State.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        publication_retract(publication=publication, actor=demo.user("demo.ht"), reason="Sai nội dung")
    assert (approved_in(client, district), approved_in(client, city)) == (0, 0)


def test_the_city_dashboard_queries_do_not_grow_with_the_lectures(client, demo):
    """Computed from scratch, the city's dashboard runs as many queries for 2 schools as for 4."""
    client.force_login(demo.user("demo.ldso"))
    url = reverse("reports:dashboard_unit", args=[demo.unit("SGD").pk])
    district_with_lectures(demo, schools=1, per_school=2)
    cache.clear()
    few = queries(client, url)
    from tests.reports.builders import new_school

    for n in (7, 8, 9):
        _school, department, teacher = new_school(demo, n)
        for i in range(3):
            approve(submit(teacher, department, title=f"Bài {n}.{i}", grade=6 + i))
    cache.clear()
    assert queries(client, url) == few


def _section(client, unit, key):
    """The rendered table `key` of the unit's dashboard, as the browser gets it."""
    html = client.get(reverse("reports:dashboard_unit", args=[unit.pk])).content.decode()
    start = html.index(f'id="table-{key}"')
    return html[start : html.index("</section>", start)]


def test_the_kept_tables_html_follows_an_approval_and_the_target(
    client, demo, django_capture_on_commit_callbacks
):
    """The tables' HTML is kept with the figures (a city's takes 0.6 s to render): an approval
    shows in the rendered table on the next view, and so does a new online-share target."""
    district = demo.unit("PGD-HB")
    client.force_login(demo.user("demo.phong"))
    before = _section(client, district, "by_school")
    assert _section(client, district, "by_school") == before
    with django_capture_on_commit_callbacks(execute=True):
        approve(submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Phân số"))
    after = _section(client, district, "by_school")
    assert after != before and "THCS Lê Quý Đôn" in after
    share = _section(client, district, "online_share")
    assert ">35" in share
    client.post(reverse("reports:dashboard_target", args=[district.pk]), {"online_share": "40"})
    share = _section(client, district, "online_share")
    assert ">40" in share and ">35" not in share
