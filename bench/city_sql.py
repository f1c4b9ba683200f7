"""The slowest SQL of a page, run once in-process (`bench_city.py --slow-sql N`): where the time
of the worst pages goes, for whoever fixes them."""

from __future__ import annotations

import re
import warnings

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings


def slowest_queries(user, url: str, keep: int = 3) -> tuple[int, list[tuple[float, str]]]:
    """(number of queries, [(seconds, sql)] of the `keep` slowest), the page rendered once."""
    warnings.filterwarnings("ignore", message="No directory at")
    client = Client()
    client.force_login(user)
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        client.get(url)  # warm the caches as the server's were
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
    timed = sorted(((float(q["time"]), q["sql"]) for q in captured.captured_queries), reverse=True)
    return len(captured.captured_queries), timed[:keep]


def print_slowest(rows: list[dict], users: dict, count: int, width: int = 600) -> None:
    worst = sorted((r for r in rows if "ratio_admin" in r), key=lambda r: -r["ratio_admin"])[:count]
    print(f"\nThe slowest SQL of the {len(worst)} pages furthest above the admin (one in-process run each):")
    for row in worst:
        total, timed = slowest_queries(users[row["role"]], row["url"])
        print(
            f"\n{row['role']} | {row['name']} ({row['url']}): {total} queries, ×admin {row['ratio_admin']:.2f}"
        )
        for seconds, sql in timed:
            # The column list says little; what follows FROM says where the time goes.
            text = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", " ".join(sql.split()), count=1)
            if len(text) > width:  # the tables joined, then the conditions, order and limit
                text = f"{text[: width // 3]} … {text[-(2 * width) // 3 :]}"
            print(f"  {seconds * 1000:7.1f} ms  {text}")
