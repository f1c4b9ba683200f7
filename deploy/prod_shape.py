"""The production shape on one machine (issue 13 item 4): `make prod-shape`.

Brings up PostgreSQL and Redis (started if they are not running, as .ci/run does), an S3 server
(moto in server mode, bucket created with its CORS rules), a Celery worker and Celery beat, two
gunicorn nodes behind nginx (Debian's package, installed when missing; deploy/nginx.conf), all
with docker-compose.yml's environment (DEBUG=0, HTTPS=1 behind a TLS proxy, STATIC_MANIFEST=1,
AWS_* at the S3 server), on a fresh database `prodshape` (migrate + load_demo). Then:

1. the upload-and-review journey in Chromium through nginx (deploy/journey.py), and the proof
   from nginx's access log that the parts went to S3 and not through Django;
2. the submission-week burst with locust (bench/locustfile.py, users made by
   deploy/burst_users.py), one gunicorn node killed midway (bench/burst.py prints the report).

Everything it started is stopped at the end, on Ctrl+C and on error. `--keep` leaves the shape up
until Ctrl+C (open https://127.0.0.1:8280/, a self-signed certificate).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PG = "postgres://postgres@127.0.0.1:5432"


def log(message: str) -> None:
    print(f"[prod-shape {time.strftime('%H:%M:%S')}] {message}", flush=True)


def sh(*command: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, **kwargs)


class Shape:
    """The running services; `stop()` ends every process it started, newest first."""

    def __init__(self, args):
        self.args = args
        self.run = Path(tempfile.mkdtemp(prefix="prodshape-"))
        os.chmod(self.run, 0o755)
        self.procs: dict[str, subprocess.Popen] = {}
        self.site = f"https://127.0.0.1:{args.site_port}"
        self.s3 = f"https://127.0.0.1:{args.s3_port}"
        self.nodes = {"node1": args.node_ports[0], "node2": args.node_ports[1]}
        self.env = self._environment()

    # --- environment (docker-compose.yml's x-app-env, pointed at this machine) -----------------
    def _environment(self) -> dict:
        a = self.args
        env = dict(os.environ)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.update(
            DEBUG="0",
            HTTPS="1",
            BEHIND_PROXY="1",
            STATIC_MANIFEST="1",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            CSRF_TRUSTED_ORIGINS=self.site,
            SITE_URL=self.site,
            DATABASE_URL=f"{PG}/{a.database}",
            REDIS_URL=f"redis://127.0.0.1:6379/{a.redis_db}",
            AWS_STORAGE_BUCKET_NAME="elearning",
            AWS_S3_ENDPOINT_URL=self.s3,
            AWS_ACCESS_KEY_ID="elearning",
            AWS_SECRET_ACCESS_KEY="elearning-secret",
            CSP_CONNECT_EXTRA=self.s3,
            # No mail server here: e-mails are printed by the worker (compose: smtp://mail:25).
            EMAIL_URL="consolemail://",
            CONTENT_ORIGIN="",
            # boto3 (the app, the worker) trusts the shape's self-signed certificate.
            AWS_CA_BUNDLE=str(self.run / "tls.crt"),
            REQUESTS_CA_BUNDLE=str(self.run / "tls.crt"),
            PYTHONUNBUFFERED="1",
        )
        return env

    # --- services --------------------------------------------------------------------------
    def ensure_system(self) -> None:
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"]).returncode:
            version = sorted(os.listdir("/etc/postgresql"))[0]
            sh("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start")
            self._wait(
                lambda: not subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode, "PostgreSQL"
            )
        if subprocess.run(["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True).returncode:
            os.makedirs("/var/lib/redis", exist_ok=True)
            sh("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379", "--save", "")
            self._wait(
                lambda: not subprocess.run(["redis-cli", "ping"], capture_output=True).returncode, "Redis"
            )
        if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
            log("nginx is missing: apt-get install nginx-light")
            sh("apt-get", "update", "-qq")
            sh(
                "apt-get",
                "install",
                "-y",
                "-qq",
                "nginx-light",
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            )

    def certificate(self) -> None:
        sh(
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(self.run / "tls.key"), "-out", str(self.run / "tls.crt"),
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def database(self) -> None:
        db = self.args.database
        if self.args.keep_db:
            log(f"--keep-db: {db} as it is (loaded by an earlier run)")
            return
        psql = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c"]
        sh(*psql, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        sh(*psql, f"CREATE DATABASE {db}")
        sh("redis-cli", "-n", str(self.args.redis_db), "flushdb", stdout=subprocess.DEVNULL)
        manage = [sys.executable, "manage.py"]
        log(f"migrate + load_demo on {db}, collectstatic")
        sh(*manage, "migrate", "--noinput", "-v0", cwd=ROOT, env=self.env)
        sh(*manage, "collectstatic", "--noinput", "-v0", cwd=ROOT, env=self.env)
        sh(*manage, "load_demo", cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL)

    def spawn(self, name: str, command: list[str], **kwargs) -> subprocess.Popen:
        out = open(self.run / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **kwargs,
        )
        self.procs[name] = proc
        return proc

    def s3_server(self) -> None:
        self.spawn("moto", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.args.moto_port)])
        self._wait(lambda: self._http(f"http://127.0.0.1:{self.args.moto_port}/", plain=True), "moto")

    def bucket(self) -> None:
        """The bucket, private, with the CORS rules the README asks for (PUT from the site, ETag exposed)."""
        import boto3

        s3 = boto3.client(
            "s3",
            endpoint_url=self.s3,
            region_name="us-east-1",
            aws_access_key_id="elearning",
            aws_secret_access_key="elearning-secret",
            verify=str(self.run / "tls.crt"),
        )
        s3.create_bucket(Bucket="elearning")
        s3.put_bucket_cors(
            Bucket="elearning",
            CORSConfiguration={
                "CORSRules": [
                    {
                        "AllowedOrigins": [self.site],
                        "AllowedMethods": ["GET", "PUT"],
                        "AllowedHeaders": ["*"],
                        "ExposeHeaders": ["ETag"],
                        "MaxAgeSeconds": 3000,
                    }
                ]
            },
        )

    def nginx(self) -> None:
        text = (ROOT / "deploy/nginx.conf").read_text()
        values = {
            "USER": "user root;" if os.geteuid() == 0 else "",
            "RUN": str(self.run),
            "SITE_PORT": self.args.site_port,
            "S3_PORT": self.args.s3_port,
            "NODE1": self.nodes["node1"],
            "NODE2": self.nodes["node2"],
            "MOTO": self.args.moto_port,
        }
        for name, value in values.items():
            text = text.replace(f"@{name}@", str(value))
        (self.run / "nginx.conf").write_text(text)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        sh(nginx, "-t", "-q", "-p", str(self.run), "-c", str(self.run / "nginx.conf"), "-g", "daemon off;")
        self.spawn(
            "nginx", [nginx, "-p", str(self.run), "-c", str(self.run / "nginx.conf"), "-g", "daemon off;"]
        )

    def node(self, name: str) -> subprocess.Popen:
        port = self.nodes[name]
        command = [str(BIN / "gunicorn"), "elearning.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        command += ["--workers", str(self.args.workers), "--timeout", "120", "--log-level", "warning"]
        command += ["--control-socket", str(self.run / f"{name}.ctl")]
        proc = self.spawn(name, command)
        self._wait(lambda: self._http(f"http://127.0.0.1:{port}/healthz", plain=True), name)
        return proc

    def celery(self) -> None:
        celery = str(BIN / "celery")
        self.spawn(
            "worker", [celery, "-A", "elearning", "worker", "--loglevel", "WARNING", "--concurrency", "2"]
        )
        schedule = str(self.run / "celerybeat-schedule")
        self.spawn(
            "beat", [celery, "-A", "elearning", "beat", "--loglevel", "WARNING", "--schedule", schedule]
        )

    def up(self) -> None:
        self.ensure_system()
        self.certificate()
        log(f"run folder {self.run}")
        self.s3_server()
        self.nginx()
        self.bucket()
        self.database()
        self.node("node1")
        self.node("node2")
        self.celery()
        self._wait(lambda: self._http(self.site + "/healthz"), "nginx → gunicorn")
        log(f"up: {self.site}/ (nodes {self.nodes['node1']}, {self.nodes['node2']}), S3 {self.s3}")

    def kill(self, name: str) -> None:
        """SIGKILL a process group (a gunicorn node: its master and workers), no goodbye."""
        proc = self.procs[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 20
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop: SIGKILL")
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log(f"stopped {', '.join(self.procs)}; logs kept in {self.run}")

    # --- helpers ---------------------------------------------------------------------------
    def _http(self, url: str, plain: bool = False) -> bool:
        import ssl

        context = None if plain else ssl.create_default_context(cafile=str(self.run / "tls.crt"))
        # A node is asked as nginx asks it (else HTTPS=1 redirects the probe to https://).
        request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
        try:
            with urllib.request.urlopen(request, timeout=5, context=context) as response:
                return response.status < 500
        except urllib.error.HTTPError as error:
            return error.code < 500
        except OSError:
            return False

    def _wait(self, ready, what: str, seconds: float = 240) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if ready():
                return
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise SystemExit(f"{name} exited ({proc.returncode}); see {self.run / (name + '.log')}")
            time.sleep(0.3)
        raise SystemExit(f"{what} did not come up within {seconds:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site-port", type=int, default=8280)
    parser.add_argument("--s3-port", type=int, default=8281)
    parser.add_argument("--moto-port", type=int, default=8250)
    parser.add_argument("--node-ports", type=int, nargs=2, default=[8201, 8202])
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per node (compose: 3)")
    parser.add_argument("--database", default="prodshape")
    parser.add_argument("--redis-db", type=int, default=5)
    parser.add_argument("--teachers", type=int, default=500)
    parser.add_argument("--reviewers", type=int, default=100)
    parser.add_argument("--file-mb", type=int, default=20, help="MiB uploaded by each teacher")
    parser.add_argument(
        "--spawn-rate", type=float, default=5, help="locust users started per second (2 min to start 600)"
    )
    parser.add_argument(
        "--run-time",
        default="20m",
        help="the burst's upper bound (locust --run-time); on 2 cores the 500 + 100 burst takes ~15 min",
    )
    parser.add_argument(
        "--kill-after", type=float, default=0.4, help="kill node2 after this share of the teachers' work"
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="reuse the database and static files of an earlier run"
    )
    parser.add_argument("--skip-journey", action="store_true")
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument("--keep", action="store_true", help="stay up until Ctrl+C")
    args = parser.parse_args()
    # SIGTERM stops everything as Ctrl+C does.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    shape = Shape(args)
    failures = []
    try:
        shape.up()
        if not args.skip_journey:
            from deploy.journey import run_journey

            failures += run_journey(shape)
        if not args.skip_burst:
            from bench.burst import run_burst

            failures += run_burst(shape)
        if args.keep:
            log("Ctrl+C to stop")
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        log("interrupted")
        failures.append("interrupted")
    finally:
        shape.stop()
    for failure in failures:
        print(f"FAILED: {failure}")
    print("prod-shape: " + ("FAILED" if failures else "OK"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
