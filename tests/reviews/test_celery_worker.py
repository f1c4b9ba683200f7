"""A real Celery worker on the machine's Redis sends the notification e-mail after the commit."""

import email
import os
import socketserver
import subprocess
import sys
import threading
import time
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.db import connection, transaction

from reviews import services

from .factories import good_minutes, submit

ROOT = Path(__file__).resolve().parents[2]
REDIS_HOST = os.environ.get("TEST_REDIS_HOST", "127.0.0.1")


class SMTPSink(socketserver.ThreadingTCPServer):
    """The smallest SMTP server that accepts every message and keeps it in memory."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SMTPHandler)
        self.messages = []


class SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 sink")
            elif command.startswith("DATA"):
                self.reply("354 go ahead")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = self.rfile.readline()
                    if not chunk:
                        return
                    data += chunk
                self.server.messages.append(email.message_from_bytes(data[:-5]))
                self.reply("250 queued")
            elif command.startswith("QUIT"):
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


def _body(message) -> str:
    part = (
        message.get_payload(decode=True)
        if not message.is_multipart()
        else message.get_payload(0).get_payload(decode=True)
    )
    return part.decode("utf-8", errors="replace")


def _free_redis_db():
    import redis

    for db in range(7, 16):
        client = redis.Redis(host=REDIS_HOST, port=6379, db=db)
        if client.dbsize() == 0:
            return db, client
    pytest.skip("no empty Redis database between 7 and 15")


@pytest.fixture
def smtp_sink():
    server = SMTPSink()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def celery_worker(settings, smtp_sink):
    from elearning.celery import app

    if connection.vendor != "postgresql":
        pytest.skip("the worker process must share the test database: PostgreSQL only")
    try:
        db, redis_client = _free_redis_db()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"Redis is not reachable: {exc}")
    broker = f"redis://{REDIS_HOST}:6379/{db}"
    db_settings = connection.settings_dict
    database_url = (
        f"postgres://{db_settings['USER']}:{db_settings['PASSWORD'] or ''}@{db_settings['HOST'] or '127.0.0.1'}:"
        f"{db_settings['PORT'] or 5432}/{db_settings['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": broker,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.server_address[1]}",
        "DJANGO_SETTINGS_MODULE": "elearning.settings",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "elearning",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"reviews-test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    previous = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.broker_url = broker
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app._pool = None
    app.amqp._producer_pool = None
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=1.0):
            if worker.poll() is not None or time.monotonic() > deadline:
                output = worker.stdout.read().decode(errors="replace") if worker.poll() is not None else ""
                pytest.fail(f"the Celery worker did not start: {output[-2000:]}")
        yield redis_client
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        app.conf.update(previous)
        app._pool = None
        app.amqp._producer_pool = None
        redis_client.flushdb()


def _wait_for(sink, recipient, text, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in list(sink.messages):
            if recipient in message["To"] and text in _body(message):
                return message
        time.sleep(0.2)
    return None


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_sends_decision_mail_after_commit_and_not_after_rollback(demo, celery_worker, smtp_sink):
    """The decision e-mail is queued only on commit and the worker sends it; a rolled-back decision sends nothing."""
    head = demo.user("demo.tt")
    rolled_back = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Bài bị huỷ quyết định")
    committed = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Bài được phê duyệt")

    with transaction.atomic():
        services.review_approve(case=rolled_back, actor=head, minutes=good_minutes())
        transaction.set_rollback(True)

    with transaction.atomic():
        services.review_approve(case=committed, actor=head, minutes=good_minutes())
        # Inside the transaction nothing has been handed to the broker yet.
        assert celery_worker.llen("celery") == 0
        assert not any("“Bài được phê duyệt” đã được phê duyệt" in _body(m) for m in smtp_sink.messages)

    message = _wait_for(smtp_sink, "demo.gv@example.edu.vn", "“Bài được phê duyệt” đã được phê duyệt")
    assert message is not None, [(_body(m)[:80]) for m in smtp_sink.messages]
    assert "Học liệu số" in str(make_header(decode_header(message["Subject"])))
    # The worker handles tasks in order, so the rolled-back decision would have arrived by now.
    assert not any("Bài bị huỷ quyết định” đã được phê duyệt" in _body(m) for m in smtp_sink.messages)
