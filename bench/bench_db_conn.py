"""Database connection reuse (issue 13 item 6): requests per second of one page under gunicorn,
with a new PostgreSQL connection per request (CONN_MAX_AGE=0) and with persistent connections
(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=1, the production default).

    createdb -h 127.0.0.1 -U postgres prodshape
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/prodshape
    DEBUG=1 .venv/bin/python manage.py migrate && DEBUG=1 .venv/bin/python manage.py load_demo
    .venv/bin/python bench/bench_db_conn.py --seconds 10 --clients 4

Each mode gets a fresh gunicorn (2 sync workers, `bench.settings`: the production settings, DEBUG
off, Redis sessions) and is measured in alternating rounds (0, 60, 0, 60 …) so that both share the
machine's moments alike. Per page and mode it prints requests/s, p50 and p95, and how many
connections PostgreSQL opened meanwhile (pg_stat_database.sessions).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_city import BARE_URL, Session, percentile, start_server  # noqa: E402

DEMO_PASSWORD = "hoclieu2026"  # accounts.demo.DEMO_PASSWORD (no Django in this process)
PAGES = {"bare view (session, user)": BARE_URL, "my lectures (teacher)": "/lectures/", "/healthz": "/healthz"}


def sessions_opened(dbname: str) -> int:
    out = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-Atc",
            f"SELECT sessions FROM pg_stat_database WHERE datname='{dbname}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip() or 0)


def hammer(sessions: list[Session], url: str, seconds: float) -> list[float]:
    """Each signed-in session requests `url` back to back in its thread for `seconds`; the latencies."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run(session: Session) -> None:
        while time.monotonic() < stop:
            elapsed, status, _queries, _size = session.get(url)
            with lock:
                (latencies if status == 200 else errors).append(elapsed if status == 200 else status)

    threads = [threading.Thread(target=run, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"{url}: {len(errors)} errors, e.g. status {errors[0]}")
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per mode")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--modes", default="0,60", help="CONN_MAX_AGE values to compare")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--user", default="demo.gv")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    url = os.environ.get("DATABASE_URL", "")
    if "postgres" not in url:
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database with the demo loaded.")
    dbname = url.rsplit("/", 1)[1]
    modes = [int(m) for m in args.modes.split(",")]
    results: dict[tuple[int, str], dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-conn-") as static_root:
        for _round in range(args.rounds):
            for mode in modes:
                env = dict(os.environ)
                env.update(
                    DJANGO_SETTINGS_MODULE="bench.settings",
                    DEBUG="0",
                    SECRET_KEY=secrets.token_urlsafe(50),
                    ALLOWED_HOSTS="127.0.0.1,localhost",
                    STATIC_MANIFEST="1",
                    BENCH_STATIC_ROOT=static_root,
                    EMBEDDED_SCHEDULER="0",
                    REDIS_URL=args.redis_url,
                    CONN_MAX_AGE=str(mode),
                    CONN_HEALTH_CHECKS="1",
                )
                if not any(Path(static_root).iterdir()):
                    subprocess.run(
                        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                        cwd=ROOT,
                        env=env,
                        check=True,
                    )
                server, base = start_server(args, env)
                try:
                    sessions = []
                    for _ in range(args.clients):
                        sessions.append(Session(base))
                        sessions[-1].login(args.user, DEMO_PASSWORD)
                    for name, page in PAGES.items():
                        hammer(sessions, page, 1)  # warm-up
                        before = sessions_opened(dbname)
                        latencies = hammer(sessions, page, args.seconds)
                        opened = sessions_opened(dbname) - before
                        row = results.setdefault((mode, name), {"latencies": [], "seconds": 0.0, "opened": 0})
                        row["latencies"] += latencies
                        row["seconds"] += args.seconds
                        row["opened"] += opened
                        print(
                            f"  CONN_MAX_AGE={mode:<3} {name}: {len(latencies) / args.seconds:.0f} req/s",
                            file=sys.stderr,
                        )
                finally:
                    server.terminate()
                    server.wait(timeout=30)
    print(
        f"\n{args.clients} clients, {args.workers} gunicorn sync workers, {args.rounds} × {args.seconds:.0f} s per mode and page"
    )
    print(f"{'page':<28} {'CONN_MAX_AGE':>12} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'new PG conns':>13}")
    for name in PAGES:
        for mode in modes:
            row = results[(mode, name)]
            lat = row["latencies"]
            print(
                f"{name:<28} {mode:>12} {len(lat) / row['seconds']:7.0f} {percentile(lat, 0.5) * 1000:7.1f} "
                f"{percentile(lat, 0.95) * 1000:7.1f} {row['opened']:13d}"
            )


if __name__ == "__main__":
    main()
