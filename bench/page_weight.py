"""Page weight on a weak school connection (issue 16, item 5): bytes, requests and first paint of
the most used pages, in the embedded default and in the production shape.

    .venv/bin/python bench/page_weight.py                   # both shapes
    .venv/bin/python bench/page_weight.py --shape embedded  # only `make run`'s

Each shape runs a fresh server on a free localhost port with a temporary SQLite database, the
demo city and a temporary MEDIA_ROOT:

- embedded: `make run`'s environment (DEBUG=1, SHOW_DEMO_LOGINS=1, STATIC_MANIFEST=1 after
  collectstatic) and `manage.py runserver --noreload`;
- production: DEBUG=0, STATIC_MANIFEST=1 after collectstatic, gunicorn with 2 workers.

Debian's Chromium (never a download) signs in as the demo teacher (or head of department), then
loads each page under Chromium's emulated network (CDP Network.emulateNetworkConditions:
1.6 Mbps down, 750 kbps up, 150 ms latency): once with an empty cache (a first visit) and once
more with the cache of that visit (the next page of a working day). Bytes are those on the wire
(compressed), first paint is Chromium's first-contentful-paint (of a first visit, the median of
--repeat visits, 3 by default: the figure moves with the machine's load). "blocking" is what the
first paint waited for: the render-blocking stylesheets' bytes and requests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
WEAK = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
# (who, path): the pages a teacher and a head of department open most; {pub} is a library entry.
PAGES = [
    (None, "/login/"),
    ("demo.gv", "/"),
    ("demo.gv", "/lectures/"),
    ("demo.gv", "/library/"),
    ("demo.gv", "/library/{pub}/"),
    ("demo.tt", "/reviews/queue/"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, shape: str, workdir: Path):
        self.shape = shape
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "MEDIA_ROOT": str(workdir / "media"),
            "STATIC_MANIFEST": "1",
            "LOG_LEVEL": "ERROR",
        }
        for name in (
            "REDIS_URL",
            "AWS_STORAGE_BUCKET_NAME",
            "AWS_S3_ENDPOINT_URL",
            "HTTPS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        ):
            self.env.pop(name, None)
        if shape == "embedded":
            self.env.update(DEBUG="1", SHOW_DEMO_LOGINS="1")
            self.command = [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"]
        else:
            self.env.update(DEBUG="0", SECRET_KEY="bench-" + os.urandom(24).hex(), ALLOWED_HOSTS="127.0.0.1")
            gunicorn = str(Path(PYTHON).with_name("gunicorn"))
            self.command = [
                gunicorn,
                "elearning.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
            ]
        self.log = open(workdir / "server.log", "wb")  # noqa: SIM115
        self.workdir = workdir
        self.process = None

    def manage(self, *args: str) -> str:
        env = {**self.env, "DEBUG": "1"}  # setup commands run on the development key
        return subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout

    def start(self) -> None:
        self.manage("collectstatic", "--noinput")
        self.manage("migrate", "--noinput")
        self.manage("load_demo")
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        for _ in range(300):
            try:
                if requests.get(self.url + "/login/", timeout=10).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not start; see {self.workdir / 'server.log'}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


def measure(page, cdp, url: str) -> dict:
    """Loads url under the weak network; bytes on the wire, requests and first paint."""
    sizes: dict[str, int] = {}
    cached: set[str] = set()
    html = {}

    def finished(event):
        sizes[event["requestId"]] = event.get("encodedDataLength", 0)

    def received(event):
        if event.get("type") == "Document" and event["response"]["url"] == url:
            html["id"] = event["requestId"]
        if event["response"].get("fromDiskCache") or event["response"].get("fromPrefetchCache"):
            cached.add(event["requestId"])

    def from_cache(event):
        cached.add(event["requestId"])

    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.responseReceived", received)
    cdp.on("Network.requestServedFromCache", from_cache)
    cdp.send("Network.emulateNetworkConditions", WEAK)
    page.goto(url, wait_until="load")
    # The paint entry is recorded a frame after the paint; wait for it (at most a few seconds).
    paint = page.evaluate(
        """() => new Promise(resolve => {
          const find = () => performance.getEntriesByName('first-contentful-paint')[0]
            || performance.getEntriesByName('first-paint')[0];
          const found = find();
          if (found) return resolve(found.startTime);
          new PerformanceObserver(() => { const e = find(); if (e) resolve(e.startTime); })
            .observe({type: 'paint', buffered: true});
          setTimeout(() => resolve(null), 5000);
        })"""
    )
    # What held the first paint back: the stylesheets (and synchronous scripts) of <head>.
    blocking = page.evaluate(
        """() => performance.getEntriesByType('resource')
          .filter(e => e.renderBlockingStatus === 'blocking')
          .map(e => e.encodedBodySize)"""
    )
    page.wait_for_timeout(300)
    cdp.send(
        "Network.emulateNetworkConditions",
        {**WEAK, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    cdp.remove_listener("Network.loadingFinished", finished)
    cdp.remove_listener("Network.responseReceived", received)
    cdp.remove_listener("Network.requestServedFromCache", from_cache)
    return {
        "bytes": sum(sizes.values()),
        "html": sizes.get(html.get("id"), 0),
        "requests": len(sizes),
        "network": len([r for r in sizes if r not in cached]),
        "paint": paint,
        "blocking": sum(blocking),
        "blocking_requests": len(blocking),
    }


def sign_in(page, server: Server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(server.url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "hoclieu2026")
    page.click("main button[type=submit]")
    page.wait_for_url(server.url + "/")


def run_shape(shape: str, browser, repeat: int = 1) -> list[tuple]:
    workdir = Path(tempfile.mkdtemp(prefix=f"page-weight-{shape}-"))
    server = Server(shape, workdir)
    rows = []
    try:
        server.start()
        pub = (
            server.manage(
                "shell",
                "-c",
                "from repository.models import Publication as P; print(P.objects.order_by('pk').first().pk)",
            )
            .strip()
            .splitlines()[-1]
        )
        # Every worker answers once before the clock runs (imports, templates, first connection).
        for _ in range(6):
            requests.get(server.url + "/login/", timeout=30)
        # Service workers blocked: once /sw.js controls the page, its fetches go out from the worker's
        # own target, which the page's CDP network emulation does not throttle (nor count).
        context = browser.new_context(
            locale="vi-VN", viewport={"width": 1366, "height": 800}, service_workers="block"
        )
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        # The lecture's own content (SCORM frames, PDF pages) is the lecture's weight, not the page's.
        # Blocked through CDP: Playwright's page.route would turn the browser cache off.
        cdp.send(
            "Network.setBlockedURLs",
            {"urls": ["*/library/content/*", "*/library/preview/*", "*/vendor/pdfjs/*"]},
        )
        who = "?"
        for username, path in PAGES:
            if username != who:
                if username:
                    sign_in(page, server, username)
                else:
                    page.context.clear_cookies()
                who = username
            url = server.url + path.format(pub=pub)
            colds = []
            for _ in range(repeat):
                cdp.send("Network.clearBrowserCache")
                colds.append(measure(page, cdp, url))
            cold = {**colds[-1], "paint": median([c["paint"] or 0 for c in colds])}
            warm = measure(page, cdp, url)
            rows.append((shape, username or "anonymous", path.format(pub=pub), cold, warm))
        context.close()
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return rows


def kib(n: int) -> str:
    return f"{n / 1024:6.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=["embedded", "production", "both"], default="both")
    parser.add_argument(
        "--repeat", type=int, default=3, help="first visits per page; the median first paint is printed"
    )
    args = parser.parse_args()
    shapes = ["embedded", "production"] if args.shape == "both" else [args.shape]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        rows = [row for shape in shapes for row in run_shape(shape, browser, args.repeat)]
        browser.close()
    print("Weak connection: 1.6 Mbps down, 750 kbps up, 150 ms latency (Chromium CDP emulation).")
    print("first visit = empty cache; next visit = same page again with that cache. KiB on the wire.")
    print("req = requests (in brackets those over the network, the rest came from the browser's cache).")
    print("blocking = render-blocking KiB / requests (stylesheets of <head>) of a first visit.")
    print(f"first paint of a first visit: the median of {args.repeat} (Chromium's first-contentful-paint).")
    print(
        f"{'shape':<11}{'who':<10}{'page':<18}{'HTML':>7}{'KiB':>8}{'req':>9}{'blocking':>11}{'paint':>8}"
        f"  |{'KiB':>7}{'req':>9}{'paint':>8}"
    )
    for shape, who, path, cold, warm in rows:
        print(
            f"{shape:<11}{who:<10}{path:<18}{kib(cold['html']):>7}{kib(cold['bytes']):>8}"
            f"{cold['requests']:>5} ({cold['network']:>2})"
            f"{kib(cold['blocking']):>8} /{cold['blocking_requests']}"
            f"{(cold['paint'] or 0) / 1000:>7.2f}s  |{kib(warm['bytes']):>7}{warm['requests']:>5} ({warm['network']:>2})"
            f"{(warm['paint'] or 0) / 1000:>7.2f}s"
        )


if __name__ == "__main__":
    main()
