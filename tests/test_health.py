"""/healthz reports each dependency, and while Redis is down users get a Vietnamese 503 page
instead of a silent sign-out or a 500."""

import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.core.cache.backends.locmem import LocMemCache
from django.db import OperationalError

from elearning import health
from elearning.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
OUTAGE_MESSAGE = "Dịch vụ tạm thời gián đoạn, vui lòng thử lại sau ít phút"
PASSWORD = "hoclieu2026"


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _silent_server():
    """A port that accepts connections and never answers: a hung Redis."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def _redis_cache(url, prefix=""):
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }


@pytest.fixture
def redis_sessions(settings, redis_url):
    """Sessions in the machine's Redis under a prefix of this test's own, removed afterwards."""
    prefix = f"test-health-{uuid.uuid4().hex}"
    settings.CACHES = _redis_cache(redis_url, prefix)
    settings.SESSION_ENGINE = "elearning.sessions"
    yield
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def redis_down(settings):
    """The cache and the session store point at a port where no Redis listens."""
    settings.CACHES = _redis_cache(f"redis://127.0.0.1:{_closed_port()}/9")
    settings.SESSION_ENGINE = "elearning.sessions"


@contextmanager
def _broker(url):
    previous = {k: celery_app.conf[k] for k in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=url, task_always_eager=False)
    try:
        yield
    finally:
        celery_app.conf.update(previous)


@pytest.mark.django_db
def test_healthz_reports_every_part_ok(client):
    """With everything up (the embedded default) healthz is 200 and names each part."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "eager"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_with_redis_up_says_ok_for_cache_and_broker(client, redis_sessions, redis_url):
    """With Redis as cache and broker, both parts answer "ok"."""
    with _broker(redis_url):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_naming_the_cache_when_redis_is_down(client, redis_down):
    """The cache (the session store) unreachable: 503, "cache": "error", and quickly."""
    started = time.monotonic()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "error", "broker": "eager"}
    assert time.monotonic() - started < 5


@pytest.mark.django_db
def test_healthz_reports_a_dead_broker_without_failing(client):
    """A broker that cannot be reached is named, but pages still work: 200."""
    with _broker(f"redis://127.0.0.1:{_closed_port()}/9"):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "error"


@pytest.mark.django_db
def test_healthz_is_503_naming_the_database(client, monkeypatch):
    """The database unreachable: 503 with "database": "error"."""

    class DeadConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", DeadConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_a_hung_redis_cannot_hang_the_checks():
    """With the production settings, a Redis that never answers fails each check within seconds."""
    with _silent_server() as port:
        environment = {**os.environ, "REDIS_URL": f"redis://127.0.0.1:{port}/9", "DEBUG": "1"}
        code = (
            "import time; from elearning import health; t = time.monotonic(); "
            "print(health.cache_status(), health.broker_status(), round(time.monotonic() - t, 1))"
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=60,
        )
    cache, broker, seconds = result.stdout.strip().splitlines()[-1].split()
    assert (cache, broker) == ("error", "error"), result.stderr
    assert float(seconds) < 8


def _assert_outage_page(response):
    assert response.status_code == 503
    assert OUTAGE_MESSAGE in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_signed_in_user_sees_the_outage_page_not_the_login(demo, client, redis_sessions, settings):
    """Redis going down under a signed-in user gives the Vietnamese 503 page, not a redirect to sign in."""
    client.force_login(demo.user("demo.gv"))
    assert client.get("/").status_code == 200
    settings.CACHES = _redis_cache(f"redis://127.0.0.1:{_closed_port()}/9")
    response = client.get("/")
    _assert_outage_page(response)
    assert "Location" not in response


def test_signing_in_while_redis_is_down_is_503_not_500(demo, client, redis_down):
    """The login page still opens, and signing in answers the 503 page instead of a 500."""
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": "demo.gv", "password": PASSWORD})
    _assert_outage_page(response)


class WritesFailCache(LocMemCache):
    """A cache that reads but, once `failing` is set, cannot write: Redis dying mid-request."""

    failing = False

    def _fail(self):
        if WritesFailCache.failing:
            raise redis.exceptions.ConnectionError("Redis went away")

    def set(self, *args, **kwargs):
        self._fail()
        return super().set(*args, **kwargs)

    def add(self, *args, **kwargs):
        self._fail()
        return super().add(*args, **kwargs)


def test_session_that_cannot_be_saved_is_503(demo, client, settings):
    """Redis lost between reading and saving the session still gives the 503 page."""
    settings.CACHES = {"default": {"BACKEND": "tests.test_health.WritesFailCache", "LOCATION": "writes-fail"}}
    settings.SESSION_ENGINE = "elearning.sessions"
    client.force_login(demo.user("demo.gv"))
    WritesFailCache.failing = True
    try:
        _assert_outage_page(client.get("/"))
    finally:
        WritesFailCache.failing = False


def test_password_reset_while_redis_is_down_is_503(demo, client, redis_down):
    """The reset throttle cannot count without Redis: the 503 page, not a 500 and not an unthrottled mail."""
    response = client.post("/password/reset/", {"email": "demo.gv@example.edu.vn"})
    _assert_outage_page(response)
