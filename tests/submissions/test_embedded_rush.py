"""The embedded default holds a school's rush: `runserver` on a SQLite file, 50 uploads by 10 teachers at once.

This runs the app as `make run` does (a separate process, SQLite in WAL on disk, tasks in-process),
so it measures the real locking of the embedded default, not the test database's.
"""

import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
TEACHERS, PER_TEACHER = 10, 5

SETUP = """
import json, django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from accounts.demo import load_demo_city
from accounts.models import RoleAssignment, Subject, Unit, User
from submissions import services

load_demo_city()
department, toan = Unit.objects.get(code="THCS-LQD-TOAN"), Subject.objects.get(code="toan")
teachers = []
for n in range({teachers}):
    user = User.objects.create(username=f"rush.{{n}}", full_name=f"Giáo viên {{n}}")
    RoleAssignment.objects.create(user=user, role="teacher", unit=department, subject=toan, school_level="lower_secondary")
    versions = [
        services.lecture_create(author=user, department=department, subject=toan, grade=6, title=f"Bài {{n}}.{{k}}")
        .versions.get().pk
        for k in range({per_teacher})
    ]
    store = SessionStore()
    store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    teachers.append({{"session": store.session_key, "versions": versions}})
print(json.dumps(teachers))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def embedded_server(tmp_path):
    """`manage.py runserver` on a fresh SQLite file with the demo city and 10 teachers with 5 drafts each."""
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "AWS_STORAGE_BUCKET_NAME")
        },
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DEBUG": "1",
        "EMBEDDED_SCHEDULER": "0",
        "UPLOAD_MAX_ACTIVE_SESSIONS": str(PER_TEACHER),
        "DJANGO_SETTINGS_MODULE": "elearning.settings",
    }
    python = [sys.executable, "manage.py"]
    subprocess.run([*python, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True)
    setup = subprocess.run(
        [sys.executable, "-c", SETUP.format(teachers=TEACHERS, per_teacher=PER_TEACHER)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    teachers = json.loads(setup.stdout.strip().splitlines()[-1])
    port = _free_port()
    server = subprocess.Popen(
        [*python, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "server.log", "wb"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(base + "/healthz", timeout=1).status_code < 500:
                break
        except requests.ConnectionError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"runserver did not start: {(tmp_path / 'server.log').read_text()[-2000:]}")
        time.sleep(0.2)
    yield base, teachers, tmp_path
    server.terminate()
    server.wait(timeout=20)


class _BrowserLikeSession(requests.Session):
    """Retries a request whose connection was refused or reset, as Uppy does (retryDelays).

    runserver accepts 10 pending connections; 50 arriving in the same millisecond overflow that
    queue, which a browser rides out by retrying. Answers from the app are never retried.
    """

    resets = 0

    def request(self, *args, **kwargs):
        for attempt in range(4):
            try:
                return super().request(*args, **kwargs)
            except requests.ConnectionError:
                if attempt == 3:
                    raise
                type(self).resets += 1
                time.sleep(0.5 * (attempt + 1))


def _client(base, session_key) -> requests.Session:
    http = _BrowserLikeSession()
    http.cookies.set("sessionid", session_key)
    http.cookies.set("csrftoken", "x" * 32)
    http.headers.update({"X-CSRFToken": "x" * 32, "Referer": base + "/"})
    return http


def _upload(base, session_key, version_id, data, start_together):
    """What upload.js does for one file: create, sign and put two parts, complete."""
    http = _client(base, session_key)
    start_together.wait()
    created = http.post(
        base + "/lectures/uploads/",
        json={
            "version": version_id,
            "filename": f"bai-{version_id}.mp4",
            "type": "video/mp4",
            "size": len(data),
        },
    )
    assert created.status_code == 201, created.text
    upload_id = created.json()["uploadId"]
    half = len(data) // 2
    parts = []
    for number, body in ((1, data[:half]), (2, data[half:])):
        url = http.get(f"{base}/lectures/uploads/{upload_id}/parts/{number}/sign/").json()["url"]
        put = http.put(base + url, data=body)
        assert put.status_code == 200, put.text
        parts.append({"PartNumber": number, "ETag": put.headers["ETag"]})
    done = http.post(f"{base}/lectures/uploads/{upload_id}/complete/", json={"parts": parts})
    return version_id, done.status_code, done.text


def test_fifty_concurrent_uploads_by_ten_teachers_all_complete_whole(embedded_server):
    """50 uploads at once on the embedded default: every one answers 200 and stores exactly the bytes sent."""
    base, teachers, tmp_path = embedded_server
    jobs = []
    for teacher in teachers:
        for version_id in teacher["versions"]:
            jobs.append((teacher["session"], version_id, os.urandom(256 * 1024 + version_id)))
    start_together = threading.Barrier(len(jobs))
    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(lambda job: _upload(base, job[0], job[1], job[2], start_together), jobs))
    print(f"connections reset by runserver's accept queue and retried: {_BrowserLikeSession.resets}")
    failures = [(v, code, text[:200]) for v, code, text in results if code != 200]
    assert not failures, failures
    expected = {version_id: hashlib.sha256(data).hexdigest() for _, version_id, data in jobs}
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        rows = db.execute(
            f"SELECT id, file_key, check_status FROM submissions_lectureversion WHERE id IN ({','.join('?' * len(expected))})",
            list(expected),
        ).fetchall()
        sessions = db.execute(
            "SELECT status, count(*) FROM submissions_uploadsession GROUP BY status"
        ).fetchall()
    assert len(rows) == len(jobs)
    for version_id, key, check_status in rows:
        stored = (tmp_path / "media" / key).read_bytes()
        assert hashlib.sha256(stored).hexdigest() == expected[version_id]
        assert check_status == "failed"  # random bytes are checked, and are not a lecture format
    assert sessions == [("completed", len(jobs))]
    files = [p for p in (tmp_path / "media" / "uploads").rglob("*") if p.is_file()]
    assert len(files) == len(jobs)  # no orphan, no .partial left behind
