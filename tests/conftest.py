"""Fixtures every test may use. Data is built through the real services and the demo loader.

Services and skips (the suite runs twice: on SQLite, then on PostgreSQL):
- A test that needs PostgreSQL is marked `@pytest.mark.postgres`. On SQLite it is skipped by
  design before any of its fixtures runs (`pytest_runtest_setup` below), so it never touches
  Redis there. No test calls `pytest.skip` for a database on its own.
- A test that needs another service (Redis, a free Redis database) asks `require_service`. A
  missing service skips only on a newcomer's SQLite run; it FAILS when `REQUIRE_SERVICES` is set
  (CI) and on every PostgreSQL run, where the services are part of the run. Nothing else skips.
"""

import os
import socket
from dataclasses import dataclass

import pytest


def _restore_data_migration_rows(sender, **kwargs):
    """A transactional test (live_server, transactional_db) ends with a flush, which empties the
    tables the data migrations filled: the curriculum, the default rubric, the record kinds. The
    flush sends post_migrate; this puts them back, so a test that runs after it on the same
    worker (pytest-xdist interleaves them; alone pytest-django ran them last) finds them."""
    if sender.label != "reviews":  # sent once per app: once is enough
        return
    import importlib

    from django.apps import apps

    from accounts.curriculum import load_curriculum
    from reviews.rubrics import rubric_ensure_default

    load_curriculum(apps.get_model("accounts", "Subject"), apps.get_model("accounts", "TextbookSeries"))
    rubric_ensure_default(apps.get_model("reviews", "Rubric"), apps.get_model("reviews", "Criterion"))
    importlib.import_module("submissions.migrations.0009_record_kinds").add_kinds(apps, None)


def pytest_configure(config):
    from django.db.models.signals import post_migrate

    post_migrate.connect(_restore_data_migration_rows, dispatch_uid="tests-restore-data-migration-rows")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Argon2 takes 0.1 s a hash on purpose; tests that check the hasher set it back themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_TMP_ROOT = tmp_path / "media" / "_uploads"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    """Each test starts with an empty in-process cache. Its data rolls back, but what the pages
    kept in the cache (the library's option counts, the dashboards' figures) would not, and the
    services' invalidation runs on commit, which a test's transaction never reaches. A Redis
    cache (PostgreSQL runs) is left alone: it is shared, and its tests clear it themselves."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@dataclass
class DemoCity:
    """The demo city's users and units, by username and unit code."""

    users: dict
    units: dict

    def user(self, username):
        return self.users[username]

    def unit(self, code):
        return self.units[code]


@pytest.fixture
def demo(db):
    from accounts.demo import load_demo_city
    from accounts.models import Unit, User

    load_demo_city()
    return DemoCity(
        users={u.username: u for u in User.objects.all()},
        units={u.code: u for u in Unit.objects.all()},
    )


def on_postgresql() -> bool:
    """The test database is PostgreSQL (the suite's second run)."""
    from django.db import connection

    return connection.vendor == "postgresql"


def pytest_runtest_setup(item):
    # Before the test's fixtures: a PostgreSQL-only test skips on SQLite whatever services exist.
    if item.get_closest_marker("postgres") and not on_postgresql():
        pytest.skip(
            "PostgreSQL only (skipped on the SQLite run by design): run with DATABASE_URL=postgres://…"
        )


def require_service(available: bool, why: str) -> None:
    """Skips a test whose service is missing on a newcomer's SQLite run; with REQUIRE_SERVICES set
    (CI) or on PostgreSQL a missing service is a failure, never a silent skip."""
    if available:
        return
    if os.environ.get("REQUIRE_SERVICES"):
        pytest.fail(f"{why} (REQUIRE_SERVICES is set)")
    if on_postgresql():
        pytest.fail(f"{why} (the PostgreSQL run needs every service)")
    pytest.skip(why)


@pytest.fixture
def redis_url():
    """The machine's Redis, on a database number of the tests' own."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        ok = True
    except redis.exceptions.RedisError:
        ok = False
    require_service(ok, f"Redis is not reachable at {url}")
    return url


# --- S3 (moto in server mode), for the tests marked `s3` ---------------------------------------

S3_BUCKET = "hoclieu-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(moto_endpoint, settings, monkeypatch):
    """Settings of a production run: a bucket, its endpoint, S3Storage as default storage."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3", endpoint_url=moto_endpoint, region_name="us-east-1", config=Config(signature_version="s3v4")
    )
    bucket = f"{S3_BUCKET}-{os.urandom(4).hex()}"
    client.create_bucket(Bucket=bucket)
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.AWS_S3_ENDPOINT_URL = moto_endpoint
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage"}}
    client.bucket = bucket
    return client
