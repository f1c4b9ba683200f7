"""bench/bench_city.py's pieces on a tiny city: every page it measures opens for its user, and
the bench-only URLconf serves the bare view, the review-case changelist and the SQL header."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from bench.city_pages import ADMIN_URLS, pages, pick_users
from bench.middleware import HEADER

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_users():
    call_command("load_city", "--scale", "0.001", stdout=None)
    return pick_users()


def test_every_measured_page_opens_for_its_role(client, city_users):
    """Each page of the bench answers 200 to the loaded user it is measured with."""
    for page in pages(city_users):
        client.force_login(city_users[page.role])
        response = client.get(page.url)
        assert response.status_code == 200, (page.key, response.status_code)


def test_bench_urlconf_counts_queries_and_serves_the_comparisons(client, city_users):
    """Under bench.settings' URLconf and middleware: the bare view runs no query, a page reports
    its queries in the header, and the admin changelists compared with the pages open."""
    with override_settings(
        ROOT_URLCONF="bench.urls", MIDDLEWARE=["bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]
    ):
        bare = client.get("/__bench__/bare/")
        assert bare.status_code == 200 and bare[HEADER] == "0"
        client.force_login(city_users["teacher"])
        home = client.get("/")
        assert home.status_code == 200 and int(home[HEADER]) > 0
        client.force_login(city_users["admin"])
        for url in ADMIN_URLS.values():
            assert client.get(url).status_code == 200, url


def test_bare_view_exists_only_in_the_bench_urlconf(client):
    """The project's own URLconf has no bare view and no query header."""
    response = client.get("/__bench__/bare/")
    assert response.status_code == 404 and HEADER not in response
