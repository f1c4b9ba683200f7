"""Every page bench/bench_city.py measures runs at most 10 SQL queries, and the same number on a
small city and on a city four times larger (no query per row, one scope read per request).

Both cities are built by `load_city` inside the test (0.001 and 0.004: more schools, teachers,
lectures, cases, publications and panels); the small one is rolled back to a savepoint before
the larger one is loaded. Each page is requested as the role bench_city.py measures it with,
sessions in the cache as in production (Redis), and counted on its second request: the pages'
per-unit figures are cached (elearning.figures_cache) and the bench measures them warm.
"""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.city_pages import pages, pick_users

MAX_QUERIES = 10
# Pages still above the target, at their measured count (issue 13: not done yet). A page here
# may only go down; take it out of the table when it reaches MAX_QUERIES.
# Pages whose count differs between the two cities for a reason that is not a query per row.
# (The district chair's home, 17 → 15, differed by the author card: at the small size the chair
# picked had a draft ready to submit, whose status read the calendar twice (window open today,
# next window); the card now counts drafts, returned and in-review lectures in one query whatever
# they are.)
# - The city specialist's library search, 8 → 10: at the small size the search finds nothing for
#   the specialist picked there, so the page has no rows: its rows query and their publications'
#   query (badges, latest version) do not run; the larger city finds lectures and runs both. The
#   number of lectures listed comes with the option counts (kept in the cache), so an empty
#   result runs 8 and any other 10, whatever the size. Legitimate: it stays here.
NOT_YET_EQUAL = {"city_specialist | library search + 2 filters"}
OVER_BUDGET: dict[str, int] = {}
SMALL, LARGE = "0.001", "0.004"


def _queries_per_page(client, scale: str) -> dict[str, int]:
    cache.clear()
    call_command("load_city", "--scale", scale, stdout=StringIO())
    users = pick_users()
    counts = {}
    for page in pages(users):
        client.force_login(users[page.role])
        assert client.get(page.url).status_code == 200, page.key
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page.url)
        assert response.status_code == 200, page.key
        counts[page.key] = len(ctx.captured_queries)
    return counts


@pytest.fixture
def cache_sessions(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"


@pytest.mark.django_db
def test_every_page_runs_a_few_queries_whatever_the_size_of_the_city(client, cache_sessions):
    with transaction.atomic():
        small = _queries_per_page(client, SMALL)
        transaction.set_rollback(True)
    large = _queries_per_page(client, LARGE)
    assert small.keys() == large.keys()
    report = "\n".join(f"{key}: {small[key]} → {large[key]}" for key in small)
    print(report)  # shown with -s, and in the failure report
    too_many = {key: n for key, n in large.items() if n > OVER_BUDGET.get(key, MAX_QUERIES)}
    grew = {
        key: (small[key], large[key])
        for key in small
        if small[key] != large[key] and key not in NOT_YET_EQUAL
    }
    assert not too_many, f"more queries than the page's budget:\n{report}"
    assert not grew, f"queries depend on the size of the city:\n{report}"
