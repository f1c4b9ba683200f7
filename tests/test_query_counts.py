"""The busiest pages run a fixed number of SQL queries however many lectures they list."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews.services import case_submit
from tests.repository.factories import make_lecture, make_version

PAGES = [
    ("demo.gv", "/lectures/"),
    ("demo.tt", "/reviews/queue/"),
    ("demo.ht", "/reviews/school/"),
    ("demo.ht", "/"),
    ("demo.tt", "/"),
    ("demo.gv", "/"),
]


def submitted_lectures(demo, n):
    for _ in range(n):
        lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
        version = make_version(lecture, kind="none")
        version.submitted_at = timezone.now()
        version.save()
        case_submit(version=version, actor=demo.user("demo.gv"))


def queries_per_page(client, demo):
    counts = {}
    # The home page's figures are cached per unit: count them computed, every time.
    cache.clear()
    for username, url in PAGES:
        client.force_login(demo.user(username))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[(username, url)] = len(ctx.captured_queries)
    return counts


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_the_number_of_lectures(demo, client):
    """Going from 2 to 20 lectures in review adds no query to the list, queue and home pages."""
    submitted_lectures(demo, 2)
    few = queries_per_page(client, demo)
    submitted_lectures(demo, 18)
    many = queries_per_page(client, demo)
    assert many == few


SCOPE_ROLES_SQL = 'SELECT "accounts_roleassignment"."role" AS "role", "accounts_roleassignment"."unit_id"'


@pytest.mark.django_db
def test_each_page_reads_the_users_roles_and_panels_once(demo, client):
    """One scope per request: the menu, the bell, the cards and every app's rules share one read of
    the user's roles and one of their panels."""
    for username, url in PAGES:
        user = demo.user(username)
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        # The scope's read (the home page reads the roles once more, with names, to list them).
        own_roles = [
            q["sql"]
            for q in ctx.captured_queries
            if q["sql"].startswith(SCOPE_ROLES_SQL) and f'"user_id" = {user.pk}' in q["sql"]
        ]
        own_panels = [
            q["sql"]
            for q in ctx.captured_queries
            if 'FROM "accounts_panelmembership"' in q["sql"] and f'"user_id" = {user.pk}' in q["sql"]
        ]
        assert len(own_roles) == 1, (url, own_roles)
        assert len(own_panels) == 1, (url, own_panels)
