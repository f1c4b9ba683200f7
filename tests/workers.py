"""A real Celery worker for the tests: a separate process on the machine's Redis and the test database."""

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[1]
REDIS_HOST = os.environ.get("TEST_REDIS_HOST", "127.0.0.1")


def free_redis_db():
    """An empty Redis database between 8 and 15, and a client on it (a missing one is a missing
    service: `require_service`)."""
    import redis

    # Database 7 is the `redis_url` fixture's (sessions under a prefix), never flushed. Tests run
    # in parallel (pytest-xdist): a database is claimed by a key set only if absent, atomically,
    # so two workers never take the same one; the test flushes it (claim included) at its end.
    claim = f"tests:claimed-by:{os.environ.get('PYTEST_XDIST_WORKER', 'main')}:{os.getpid()}"
    for db in range(8, 16):
        client = redis.Redis(host=REDIS_HOST, port=6379, db=db, socket_connect_timeout=1)
        try:
            if client.dbsize() == 0 and client.set("tests:claim", claim, nx=True):
                return f"redis://{REDIS_HOST}:6379/{db}", client
        except redis.exceptions.RedisError:
            require_service(False, f"Redis is not reachable at {REDIS_HOST}:6379")
    require_service(False, "no empty Redis database between 8 and 15")


def shared_database_url() -> str:
    """The test database as a DATABASE_URL, so that the worker process shares it: only in a test
    marked `postgres` (a worker cannot share SQLite's in-memory transaction)."""
    if connection.vendor != "postgresql":
        pytest.fail("a worker test shares the test database: mark it @pytest.mark.postgres")
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextlib.contextmanager
def app_on_broker(settings, broker_url: str):
    """Points the test process's Celery app at a real broker (tasks are published, not run eagerly)."""
    from elearning.celery import app

    previous = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.broker_url = broker_url
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield app
    finally:
        app.conf.update(previous)
        app._pool = None
        app.amqp._producer_pool = None


@contextlib.contextmanager
def worker_process(app, command: list[str], env: dict, name: str):
    """Starts `command` (a Celery worker) and waits until it answers a ping; stops it afterwards."""
    worker = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[name], timeout=1.0):
            if worker.poll() is not None or time.monotonic() > deadline:
                output = worker.stdout.read().decode(errors="replace") if worker.poll() is not None else ""
                pytest.fail(f"the Celery worker did not start: {output[-2000:]}")
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def worker_command(name: str, *, pool: str = "solo", module: str | None = None) -> list[str]:
    """The command line of a worker named `name` (optionally started by a test module of its own)."""
    start = [sys.executable, "-m", module] if module else [sys.executable, "-m", "celery", "-A", "elearning"]
    return [
        *start,
        "worker",
        f"--pool={pool}",
        "--concurrency=1",
        "--loglevel=INFO",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-n",
        name,
    ]
