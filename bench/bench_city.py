"""Every page of every role at city scale, under gunicorn with the production settings.

    createdb -h 127.0.0.1 -U postgres wt_city
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_city
    DEBUG=1 .venv/bin/python manage.py migrate && DEBUG=1 .venv/bin/python manage.py load_city --scale 0.01
    .venv/bin/python bench/bench_city.py --rounds 30 --out /tmp/city-0.01.json
    # … the same on a database loaded with --scale 1.0, then:
    .venv/bin/python bench/bench_city.py --rounds 30 --compare /tmp/city-0.01.json

It collects the static files into a temporary folder (STATIC_MANIFEST=1), starts gunicorn (2
workers, DEBUG off, a random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, Redis sessions when
--redis-url) with `bench.settings` (the production settings plus a bare view, an admin
changelist of review cases and a header counting each request's SQL queries), signs in as one
loaded user per role (printed), and measures interleaved rounds: each round requests every
page, then the admin changelists of the same tables searched for "phan so", then the bare view. It
prints p50, p95 and the SQL count of each page, its ratio to the admin changelist and to the
bare view, and with --compare the growth of p50 from an earlier run (e.g. scale 0.01 → 1).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
BARE_URL = "/__bench__/bare/"
QUERY_HEADER = "X-Bench-Queries"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(args, static_root: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_MANIFEST="1",
        BENCH_STATIC_ROOT=static_root,
        EMBEDDED_SCHEDULER="0",
        SHOW_DEMO_LOGINS="0",
        REDIS_URL=args.redis_url,
        CONN_MAX_AGE=str(args.conn_max_age),
    )
    return env


class Session:
    """One signed-in browser: a cookie jar, no redirects followed silently after sign-in."""

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def login(self, username: str, password: str) -> None:
        self.get("/login/")
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"}
        )
        self.opener.open(request).read()
        if not any(c.name == "sessionid" for c in self.jar):
            raise SystemExit(f"Sign-in refused for {username}")

    def get(self, url: str) -> tuple[float, int, int | None, int]:
        """(seconds, status, SQL queries, bytes)."""
        started = time.perf_counter()
        try:
            response = self.opener.open(self.base + url)
            body, status, headers = response.read(), response.status, response.headers
        except urllib.error.HTTPError as error:
            body, status, headers = error.read(), error.code, error.headers
        elapsed = time.perf_counter() - started
        queries = headers.get(QUERY_HEADER)
        return elapsed, status, int(queries) if queries else None, len(body)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def start_server(args, env) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    command = [GUNICORN, "elearning.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(args.workers), "--timeout", "300", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if urllib.request.urlopen(base + "/healthz", timeout=5).status == 200:
                return server, base
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz")


def measure(args, pages, users, base) -> dict:
    from accounts.demo import DEMO_PASSWORD
    from bench.city_pages import ADMIN_URLS

    sessions = {}
    for role in {p.role for p in pages} | {"admin"}:
        sessions[role] = Session(base)
        sessions[role].login(users[role].username, DEMO_PASSWORD)
    times = {p.key: [] for p in pages}
    admin_times = {kind: [] for kind in ADMIN_URLS}
    bare_times = []
    info = {}
    for page in pages:  # one warm-up each, which also gives the status and the SQL count
        _t, status, queries, size = sessions[page.role].get(page.url)
        info[page.key] = {"status": status, "queries": queries, "bytes": size}
    for kind, url in ADMIN_URLS.items():
        _t, status, queries, _size = sessions["admin"].get(url)
        info[f"admin {kind}"] = {"status": status, "queries": queries}
    live = [p for p in pages if info[p.key]["status"] == 200]
    kinds = sorted({p.admin for p in live})
    for round_number in range(args.rounds):
        # One round: every page, then each admin changelist the pages are compared with, then
        # the bare view, so that all of them share the machine's moments alike.
        for page in live:
            times[page.key].append(sessions[page.role].get(page.url)[0])
        for kind in kinds:
            admin_times[kind].append(sessions["admin"].get(ADMIN_URLS[kind])[0])
        bare_times.append(sessions[live[0].role].get(BARE_URL)[0])
        print(f"  round {round_number + 1}/{args.rounds}", file=sys.stderr, flush=True)
    bare_p50 = percentile(bare_times, 0.5)
    result = {"pages": {}, "admin": {}, "bare": {"p50": bare_p50, "p95": percentile(bare_times, 0.95)}}
    for kind, values in admin_times.items():
        if values:
            result["admin"][kind] = {
                "p50": percentile(values, 0.5),
                "p95": percentile(values, 0.95),
                "queries": info[f"admin {kind}"]["queries"],
            }
    for page in pages:
        row = {"role": page.role, "name": page.name, "url": page.url, "admin": page.admin, **info[page.key]}
        row["user"] = users[page.role].username
        if times[page.key]:
            p50 = percentile(times[page.key], 0.5)
            row.update(p50=p50, p95=percentile(times[page.key], 0.95))
            row["ratio_admin"] = p50 / result["admin"][page.admin]["p50"]
            row["ratio_bare"] = p50 / bare_p50
        result["pages"][page.key] = row
    return result


def report(result: dict, earlier: dict | None) -> None:
    ms = 1000
    print(
        f"\nScale: {result['lectures']} lectures, {result['publications']} publications, "
        f"{result['cases']} cases; {result['rounds']} interleaved rounds; "
        f"bare view p50 {result['bare']['p50'] * ms:.1f} ms, p95 {result['bare']['p95'] * ms:.1f} ms"
    )
    for kind, row in result["admin"].items():
        print(
            f"admin changelist ({kind}, search): p50 {row['p50'] * ms:.1f} ms, p95 {row['p95'] * ms:.1f} ms, SQL {row['queries']}"
        )
    head = f"{'role | page':<48} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>4} {'×admin':>7} {'×bare':>7}"
    print("\n" + head + (f" {'growth':>7}" if earlier else ""))
    for key, row in result["pages"].items():
        if "p50" not in row:
            print(f"{key:<48} status {row['status']} (not measured)")
            continue
        line = (
            f"{key:<48} {row['p50'] * ms:8.1f} {row['p95'] * ms:8.1f} {row['queries'] or 0:4d} "
            f"{row['ratio_admin']:7.2f} {row['ratio_bare']:7.1f}"
        )
        old = (earlier or {}).get("pages", {}).get(key, {})
        if earlier:
            line += f" {row['p50'] / old['p50']:7.2f}" if old.get("p50") else f" {'—':>7}"
            if old.get("queries") is not None and old["queries"] != row["queries"]:
                line += f"  (SQL was {old['queries']})"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/14", help='"" = sessions in the database'
    )
    parser.add_argument("--conn-max-age", type=int, default=0, help="CONN_MAX_AGE of the server")
    parser.add_argument("--only", default="", help="measure only pages whose 'role | page' contains this")
    parser.add_argument("--out", default="", help="write the result as JSON here")
    parser.add_argument("--compare", default="", help="an earlier JSON result: print the growth of p50")
    parser.add_argument("--report", default="", help="only print an earlier JSON result (with --compare)")
    parser.add_argument(
        "--slow-sql", type=int, default=0, help="then print the slowest SQL of the N worst pages"
    )
    args = parser.parse_args()
    if args.report:
        earlier = json.loads(Path(args.compare).read_text()) if args.compare else None
        report(json.loads(Path(args.report).read_text()), earlier)
        return
    # A kill (SIGTERM) stops the server and removes the static folder, as the end of a run does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database loaded by manage.py load_city.")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elearning.settings")
    if args.redis_url:
        # The bench's own Redis database, emptied: what another city's run kept there (library
        # counts keyed by unit ids) must not be read as this city's.
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
    import django

    django.setup()
    from bench.city_pages import pages as city_pages
    from bench.city_pages import pick_users
    from repository.models import Publication
    from reviews.models import ReviewCase
    from submissions.models import Lecture

    users = pick_users()
    pages = [p for p in city_pages(users) if args.only in p.key]
    print("Users per role:")
    for role, user in users.items():
        print(f"  {role:<22} {user.username:<22} {user.full_name}")
    with tempfile.TemporaryDirectory(prefix="bench-city-") as static_root:
        env = server_env(args, static_root)
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        server, base = start_server(args, env)
        try:
            result = measure(args, pages, users, base)
        finally:
            server.terminate()
            server.wait(timeout=30)
    result.update(
        rounds=args.rounds,
        lectures=Lecture.objects.count(),
        publications=Publication.objects.count(),
        cases=ReviewCase.objects.count(),
    )
    earlier = json.loads(Path(args.compare).read_text()) if args.compare else None
    report(result, earlier)
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1, ensure_ascii=False))
        print(f"\nJSON: {args.out}")
    if args.slow_sql:
        from bench.city_sql import print_slowest

        print_slowest(list(result["pages"].values()), users, args.slow_sql)


if __name__ == "__main__":
    main()
