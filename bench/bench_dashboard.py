"""The dashboards at city scale on PostgreSQL: time to compute a unit's figures cold (what the first
view after a change pays) and to read them warm (every other view), for the city, a district and
a school, and the figures themselves.

    createdb -h 127.0.0.1 -U postgres el_bench_dashboard
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/el_bench_dashboard .venv/bin/python manage.py migrate
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/el_bench_dashboard .venv/bin/python bench/bench_dashboard.py 20000

Generates N publications as bench_library.py does (bulk inserts; no review cases, so the case
tables stay empty and the publication-based figures carry the load).
"""

import sys
import time

from bench_library import generate  # noqa: E402  (also sets Django up)
from django.core.cache import cache  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Unit, User  # noqa: E402
from reports.dashboard import dashboard_scope, figures_of  # noqa: E402


def measure(username: str, code: str) -> None:
    user, unit = User.objects.get(username=username), Unit.objects.get(code=code)
    dscope = dashboard_scope(user, unit)
    cache.clear()
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        figures = figures_of(dscope)
        cold = time.perf_counter() - started
    started = time.perf_counter()
    figures_of(dscope)
    warm = time.perf_counter() - started
    tables = figures.tables
    approved = sum(r[2] for r in tables["by_school"].rows)
    views = sum(r[1] for r in tables["usage_by_month"].rows)
    print(
        f"{code:12} {username:12} cold {cold * 1000:7.0f} ms ({len(ctx.captured_queries)} queries)  "
        f"warm {warm * 1000:5.1f} ms  schools {len(tables['by_school'].rows):4}  approved {approved:6}  "
        f"coverage rows {len(tables['coverage'].rows):4}  views {views}"
    )


if __name__ == "__main__":
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://…"
    generate(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
    for username, code in [
        ("demo.ldso", "SGD"),
        ("demo.cvso", "SGD"),
        ("demo.phong", "PGD-HB"),
        ("demo.ht", "THCS-LQD"),
    ]:
        measure(username, code)
