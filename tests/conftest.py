"""Fixtures every test may use. Data is built through the real services and the demo loader."""

import os
import socket
from dataclasses import dataclass

import pytest


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


def require_service(available: bool, why: str) -> None:
    """Skips a test whose service is missing on a newcomer's machine; on CI (REQUIRE_SERVICES=1)
    a missing service is a failure, never a silent skip."""
    if available:
        return
    if os.environ.get("REQUIRE_SERVICES"):
        pytest.fail(f"{why} (REQUIRE_SERVICES is set)")
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


@pytest.fixture
def on_postgres(db):
    """Runs the test only on PostgreSQL (the suite's second run in CI)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://…")


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
