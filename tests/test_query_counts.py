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


# Every signed-in page: its scope, menu, bell and rules (and for the home page, the roles and panels
# it lists), each app's; a panel chair's home, the library and the records page besides.
SCOPE_PAGES = [*PAGES, ("demo.hdq.ct", "/"), ("demo.ht", "/library/"), ("demo.gv", "/records/")]


def _reads_own(sql: str, table: str, user_id: int) -> bool:
    return f'FROM "{table}"' in sql and f'"{table}"."user_id" = {user_id}' in sql


@pytest.mark.django_db
def test_each_page_reads_the_users_roles_and_panels_once(demo, client):
    """One scope per request, in one query: the menu, the bell, the cards, the roles and panels the
    home page lists and every app's rules share one read of the user's roles and panels."""
    for username, url in SCOPE_PAGES:
        user = demo.user(username)
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        sqls = [q["sql"] for q in ctx.captured_queries]
        scope_reads = [
            sql
            for sql in sqls
            if _reads_own(sql, "accounts_roleassignment", user.pk)
            and _reads_own(sql, "accounts_panelmembership", user.pk)
        ]
        assert len(scope_reads) == 1, (url, scope_reads)
        panel_reads = [sql for sql in sqls if _reads_own(sql, "accounts_panelmembership", user.pk)]
        assert panel_reads == scope_reads, (url, panel_reads)
        if url != "/records/":  # the records page reads the units behind the roles it submits for
            role_reads = [sql for sql in sqls if _reads_own(sql, "accounts_roleassignment", user.pk)]
            assert role_reads == scope_reads, (url, role_reads)


@pytest.mark.django_db
def test_the_home_page_lists_every_role_and_panel_from_the_scope(demo, client):
    """The roles and panels the home page names (read with the scope): a chair's panel and units."""
    user = demo.user("demo.hdq.ct")
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "Bạn là chủ tịch Hội đồng bộ môn Toán THCS quận Hồng Bàng" in html
    for ra in user.roles.select_related("unit__parent", "subject"):
        assert f"{ra.get_role_display()} – {ra.unit.name}" in html
        if ra.unit.kind == "department":
            assert f"{ra.unit.name}, {ra.unit.parent.name}" in html
