"""Upload benchmark of the embedded back end: a big file through the multipart protocol over HTTP.

Starts a real server process (Django's runserver, single process, no autoreload) on a free
localhost port with DEBUG=1, a temporary SQLite database and a temporary MEDIA_ROOT; signs in
as the demo teacher; uploads a generated file (never written to the client's disk) in 5 MiB
parts with 4 parallel connections, as the browser client does; completes it (the server
assembles the parts by streaming into storage and runs the file check in-process); verifies
the stored file's sha256; prints the throughput and the server's peak RSS (VmHWM).

Each size runs against a fresh server, so the peak RSS of each run is its own.

    .venv/bin/python bench/bench_upload.py                 # 256 MiB and 1 GiB
    .venv/bin/python bench/bench_upload.py --sizes 64 1024 # sizes in MiB
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MiB = 1024 * 1024
PART = 5 * MiB
PARALLEL = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_hwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def vm_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Server:
    """A runserver process with its own temporary database and media folder."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "MEDIA_ROOT": str(workdir / "media"),
            "UPLOAD_TMP_ROOT": str(workdir / "media" / "_uploads"),
            "SECRET_KEY": "bench-" + os.urandom(16).hex(),
            "LOG_LEVEL": "ERROR",
        }
        for name in ("REDIS_URL", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL"):
            self.env.pop(name, None)
        self.process = None

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=True, text=True
        ).stdout

    def start(self) -> None:
        self.manage("migrate", "--noinput")
        self.manage("load_demo")
        self.log = open(self.workdir / "server.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(200):
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code < 500:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start; see " + str(self.workdir / "server.log"))

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if getattr(self, "log", None):
            self.log.close()


def login(server: Server) -> requests.Session:
    http = requests.Session()
    http.get(server.url + "/login/")
    token = http.cookies["csrftoken"]
    response = http.post(
        server.url + "/login/",
        data={"username": "demo.gv", "password": "hoclieu2026", "csrfmiddlewaretoken": token},
        headers={"Referer": server.url + "/login/"},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    http.headers.update({"X-CSRFToken": http.cookies["csrftoken"], "Referer": server.url + "/"})
    return http


def draft_version_id(server: Server) -> int:
    out = server.manage(
        "shell",
        "-c",
        "from submissions.models import LectureVersion as V; "
        "print(V.objects.filter(lecture__author__username='demo.gv', submitted_at=None).order_by('pk').first().pk)",
    )
    return int(out.strip().splitlines()[-1])


def part_bytes(base: bytes, number: int, size: int) -> bytes:
    """Deterministic, incompressible-looking content of one part (generated, never on disk)."""
    head = number.to_bytes(8, "big")
    return (head + base[8:])[:size]


def run_one(size_mib: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    server = Server(workdir)
    try:
        server.start()
        http = login(server)
        version = draft_version_id(server)
        pid = server.process.pid
        baseline_rss = vm_rss_kib(pid)
        size = size_mib * MiB
        base = os.urandom(PART)
        count = (size + PART - 1) // PART
        sizes = [min(PART, size - (n - 1) * PART) for n in range(1, count + 1)]

        started = time.perf_counter()
        created = http.post(
            server.url + "/lectures/uploads/",
            json={"version": version, "filename": f"bench-{size_mib}MiB.bin", "type": "", "size": size},
        )
        assert created.status_code == 201, created.text
        upload_id = created.json()["uploadId"]
        local = threading.local()

        def session() -> requests.Session:
            if not hasattr(local, "http"):
                local.http = requests.Session()
                local.http.cookies.update(http.cookies)
                local.http.headers.update(http.headers)
            return local.http

        def send(number: int) -> tuple[int, str]:
            s = session()
            url = s.get(f"{server.url}/lectures/uploads/{upload_id}/parts/{number}/sign/").json()["url"]
            response = s.put(server.url + url, data=part_bytes(base, number, sizes[number - 1]))
            assert response.status_code == 200, response.text
            return number, response.headers["ETag"]

        with ThreadPoolExecutor(PARALLEL) as pool:
            etags = dict(pool.map(send, range(1, count + 1)))
        uploaded = time.perf_counter()
        done = http.post(
            f"{server.url}/lectures/uploads/{upload_id}/complete/",
            json={"parts": [{"PartNumber": n, "ETag": etags[n]} for n in range(1, count + 1)]},
            timeout=3600,
        )
        assert done.status_code == 200, done.text
        finished = time.perf_counter()

        expected = hashlib.sha256()
        for number in range(1, count + 1):
            expected.update(part_bytes(base, number, sizes[number - 1]))
        stored = next((workdir / "media" / "uploads").rglob(f"bench-{size_mib}MiB.bin"))
        actual = hashlib.sha256()
        with open(stored, "rb") as fh:
            for chunk in iter(lambda: fh.read(MiB), b""):
                actual.update(chunk)
        assert stored.stat().st_size == size and actual.hexdigest() == expected.hexdigest(), "sha256 mismatch"
        leftovers = list((workdir / "media" / "_uploads").glob("*/*"))
        return {
            "size_mib": size_mib,
            "parts": count,
            "upload_s": uploaded - started,
            "total_s": finished - started,
            "upload_mb_s": size / 1e6 / (uploaded - started),
            "total_mb_s": size / 1e6 / (finished - started),
            "baseline_rss_mib": baseline_rss / 1024,
            "peak_rss_mib": vm_hwm_kib(pid) / 1024,
            "leftover_parts": len(leftovers),
            "check": done.json().get("status"),
        }
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[256, 1024], help="file sizes in MiB")
    args = parser.parse_args()
    print(f"Embedded back end, runserver (1 process), {PART // MiB} MiB parts, {PARALLEL} parallel PUTs")
    print(
        f"{'size':>9} {'parts':>6} {'upload':>12} {'incl. assemble+check':>22} {'RSS idle':>10} {'peak RSS':>10}"
    )
    for size_mib in args.sizes:
        r = run_one(size_mib)
        print(
            f"{r['size_mib']:>5} MiB {r['parts']:>6} {r['upload_mb_s']:>7.0f} MB/s {r['total_mb_s']:>12.0f} MB/s "
            f"({r['total_s']:.1f} s) {r['baseline_rss_mib']:>6.0f} MiB {r['peak_rss_mib']:>6.0f} MiB"
            f"   sha256 ok, parts left: {r['leftover_parts']}"
        )


if __name__ == "__main__":
    main()
