"""A real Celery worker on the machine's Redis sends the notification e-mail after the commit."""

import email
import os
import socket
import socketserver
import threading
import time
from email.header import decode_header, make_header

import pytest
from django.db import transaction

from reviews import services
from tests.workers import app_on_broker, free_redis_db, shared_database_url, worker_command, worker_process
from tests.workflow import good_minutes, submit


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


@pytest.fixture
def smtp_sink():
    server = SMTPSink()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def celery_worker(settings, smtp_sink, redis_url):
    database_url = shared_database_url()
    broker, redis_client = free_redis_db()
    name = f"reviews-test-{os.getpid()}@{socket.gethostname()}"
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": broker,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.server_address[1]}",
        "DJANGO_SETTINGS_MODULE": "elearning.settings",
    }
    try:
        with app_on_broker(settings, broker) as app, worker_process(app, worker_command(name), env, name):
            yield redis_client
    finally:
        redis_client.flushdb()


def _wait_for(sink, recipient, text, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in list(sink.messages):
            if recipient in message["To"] and text in _body(message):
                return message
        time.sleep(0.2)
    return None


@pytest.mark.postgres
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
