"""Upload benchmark of the embedded back end against its floors, in one run.

For each size (default 32 MiB, 256 MiB and 1 GiB) a fresh server (gunicorn, gthread workers,
`bench.settings`: DEBUG off, the production settings plus the bench-only bare upload view; or
`--server runserver`, DEBUG=1, as `make run`) is started with a temporary SQLite database and a
temporary MEDIA_ROOT, the demo city is loaded and the demo teacher signs in. Then, in
interleaved rounds, it measures:

- `cp` of a file of that size on the same disk (the disk's ceiling);
- the bare upload view (`/__bench__/upload-floor/`): the same 5 MiB PUTs, 4 at a time, streamed
  to a file by a view that does nothing else (Django's floor under this server);
- the embedded back end, through the browser's protocol (create, PUT each 5 MiB part at the
  `partUrl` the server named, or sign it first when there is none, 4 in parallel, complete): "parts" until the last part is stored, "total" including complete
  (assembly into storage and the file check, run in-process since Celery is eager here).

Every round checks that the stored file's sha256 (and the one the check recorded) is right and
that no part is left behind. It prints the median throughput of each, their ratios to cp and to
the bare view, and the server's peak memory (VmHWM of each worker, and of all its processes).
Generated part bytes are never written to the client's disk (only cp's file is).

    .venv/bin/python bench/bench_upload.py                          # 32, 256, 1024 MiB
    .venv/bin/python bench/bench_upload.py --sizes 64 --rounds 5
    .venv/bin/python bench/bench_upload.py --server runserver       # the embedded default
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import shutil
import socket
import statistics
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
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
MiB = 1024 * 1024
PART = 5 * MiB
PARALLEL = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


class Server:
    """gunicorn (or runserver) with its own temporary database and media folder."""

    def __init__(self, workdir: Path, args):
        self.workdir = workdir
        self.args = args
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "MEDIA_ROOT": str(workdir / "media"),
            "UPLOAD_TMP_ROOT": str(workdir / "media" / "_uploads"),
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "ERROR",
            "EMBEDDED_SCHEDULER": "0",
            "DJANGO_SETTINGS_MODULE": "bench.settings",
        }
        for name in ("REDIS_URL", "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "CELERY_BROKER_URL"):
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
        if self.args.server == "gunicorn":
            env = {**self.env, "DEBUG": "0"}
            command = [GUNICORN, "elearning.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
            command += ["--workers", str(self.args.workers), "--threads", str(self.args.threads)]
            command += ["--worker-class", "gthread", "--timeout", "600", "--log-level", "warning"]
        else:
            env = self.env
            command = [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        for _ in range(300):
            try:
                if requests.get(self.url + "/healthz", timeout=10).status_code < 500:
                    return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        raise RuntimeError("the server did not start; see " + str(self.workdir / "server.log"))

    def pids(self) -> list[int]:
        return [self.process.pid, *children(self.process.pid)]

    def memory(self) -> tuple[float, float, float]:
        """(idle RSS of all processes, peak RSS of the largest process, sum of peaks) in MiB."""
        pids = self.pids()
        rss = sum(proc_kib(p, "VmRSS") for p in pids) / 1024
        peaks = [proc_kib(p, "VmHWM") / 1024 for p in pids]
        return rss, max(peaks), sum(peaks)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
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


def recorded_sha256(server: Server, version: int) -> str:
    out = server.manage(
        "shell",
        "-c",
        f"from submissions.models import LectureVersion as V; v = V.objects.get(pk={version}); "
        "print(v.check_status, v.sha256)",
    )
    return out.strip().splitlines()[-1]


def part_bytes(base: bytes, number: int, size: int) -> bytes:
    """Deterministic, incompressible-looking content of one part (generated, never on disk)."""
    head = number.to_bytes(8, "big")
    return (head + base[8:])[:size]


class Client:
    """The browser's part uploads: one keep-alive connection per parallel sender."""

    def __init__(self, http: requests.Session):
        self.http = http
        self.local = threading.local()

    def session(self) -> requests.Session:
        if not hasattr(self.local, "http"):
            self.local.http = requests.Session()
            self.local.http.cookies.update(self.http.cookies)
            self.local.http.headers.update(self.http.headers)
        return self.local.http


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(4 * MiB), b""):
            digest.update(chunk)
    return digest.hexdigest()


def measure_cp(workdir: Path, source: Path) -> float:
    target = workdir / "cp-target.bin"
    subprocess.run(["sync"], check=True)
    started = time.perf_counter()
    subprocess.run(["cp", str(source), str(target)], check=True)
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def measure_floor(server: Server, client: Client, base: bytes, sizes: list[int]) -> float:
    def send(number: int) -> None:
        response = client.session().put(
            server.url + "/__bench__/upload-floor/", data=part_bytes(base, number, sizes[number - 1])
        )
        assert response.status_code == 200, response.text[:300]

    started = time.perf_counter()
    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(send, range(1, len(sizes) + 1)))
    elapsed = time.perf_counter() - started
    shutil.rmtree(server.workdir / "media" / "_bench_floor", ignore_errors=True)
    return elapsed


def measure_backend(server, client, base, sizes, version, name) -> tuple[float, float]:
    http = client.http
    size = sum(sizes)
    started = time.perf_counter()
    created = http.post(
        server.url + "/lectures/uploads/",
        json={"version": version, "filename": name, "type": "", "size": size},
    )
    assert created.status_code == 201, created.text
    upload_id = created.json()["uploadId"]
    part_url = created.json().get("partUrl")

    def send(number: int) -> tuple[int, str]:
        s = client.session()
        if part_url:  # as static/js/upload.js: the embedded back end names where parts go
            url = f"{part_url}{number}/"
        else:
            url = s.get(f"{server.url}/lectures/uploads/{upload_id}/parts/{number}/sign/").json()["url"]
        response = s.put(server.url + url, data=part_bytes(base, number, sizes[number - 1]))
        assert response.status_code == 200, response.text
        return number, response.headers["ETag"]

    with ThreadPoolExecutor(PARALLEL) as pool:
        etags = dict(pool.map(send, range(1, len(sizes) + 1)))
    uploaded = time.perf_counter()
    done = http.post(
        f"{server.url}/lectures/uploads/{upload_id}/complete/",
        json={"parts": [{"PartNumber": n, "ETag": etags[n]} for n in range(1, len(sizes) + 1)]},
        timeout=3600,
    )
    assert done.status_code == 200, done.text
    return uploaded - started, time.perf_counter() - started


def run_size(size_mib: int, args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="bench-upload-", dir=args.tmp))
    server = Server(workdir, args)
    try:
        server.start()
        http = login(server)
        client = Client(http)
        version = draft_version_id(server)
        idle_rss = server.memory()[0]
        size = size_mib * MiB
        base = os.urandom(PART)
        count = (size + PART - 1) // PART
        sizes = [min(PART, size - (n - 1) * PART) for n in range(1, count + 1)]
        expected = hashlib.sha256()
        source = workdir / "cp-source.bin"
        with open(source, "wb") as out:
            for number in range(1, count + 1):
                chunk = part_bytes(base, number, sizes[number - 1])
                expected.update(chunk)
                out.write(chunk)
        expected = expected.hexdigest()
        cp, floor, parts, total = [], [], [], []
        for round_ in range(args.rounds):
            cp.append(measure_cp(workdir, source))
            floor.append(measure_floor(server, client, base, sizes))
            name = f"bench-{size_mib}MiB-{round_}.bin"
            p, t = measure_backend(server, client, base, sizes, version, name)
            parts.append(p)
            total.append(t)
            stored = next((workdir / "media" / "uploads").rglob(name))
            assert stored.stat().st_size == size and file_sha256(stored) == expected, "sha256 mismatch"
            leftovers = list((workdir / "media" / "_uploads").glob("*/*"))
            assert not leftovers, f"parts left behind: {leftovers[:5]}"
        check = recorded_sha256(server, version)
        assert check.endswith(expected), f"the check recorded {check}, expected {expected}"
        _idle, peak_one, peak_all = server.memory()
        source.unlink()
        mb = size / 1e6
        return {
            "size_mib": size_mib,
            "parts": count,
            "cp": mb / statistics.median(cp),
            "floor": mb / statistics.median(floor),
            "parts_mb_s": mb / statistics.median(parts),
            "total_mb_s": mb / statistics.median(total),
            "total_s": statistics.median(total),
            "idle_rss": idle_rss,
            "peak_one": peak_one,
            "peak_all": peak_all,
            "check": check.split()[0],
        }
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[32, 256, 1024], help="file sizes in MiB")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per size (median)")
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--tmp", default=None, help="folder for the temporary data (same disk as cp)")
    args = parser.parse_args()
    shape = (
        f"gunicorn gthread {args.workers} workers x {args.threads} threads, DEBUG off (bench.settings)"
        if args.server == "gunicorn"
        else "runserver (1 process, threads), DEBUG=1"
    )
    print(f"Embedded back end on {shape}; {PART // MiB} MiB parts, {PARALLEL} parallel PUTs;")
    print(f"median of {args.rounds} interleaved rounds; MB/s = 10^6 bytes per second")
    print(
        f"{'size':>9} {'parts':>5} {'cp':>7} {'bare view':>10} {'back end: parts':>25} "
        f"{'parts+assembly+check':>28} {'server RSS: idle (all) / peak (largest, all)':>44}"
    )
    for size_mib in args.sizes:
        r = run_size(size_mib, args)
        print(
            f"{r['size_mib']:>5} MiB {r['parts']:>5} {r['cp']:>7.0f} {r['floor']:>10.0f} "
            f"{r['parts_mb_s']:>7.0f} ({r['parts_mb_s'] / r['floor']:.2f}x bare, {r['parts_mb_s'] / r['cp']:.2f}x cp) "
            f"{r['total_mb_s']:>7.0f} ({r['total_mb_s'] / r['floor']:.2f}x bare, {r['total_mb_s'] / r['cp']:.2f}x cp, "
            f"{r['total_s']:.1f} s) {r['idle_rss']:>6.0f} / {r['peak_one']:.0f}, {r['peak_all']:.0f} MiB"
            f"   sha256 ok, check {r['check']}, no part left",
            flush=True,
        )


if __name__ == "__main__":
    main()
