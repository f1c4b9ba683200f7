"""A real Celery worker on Redis: a check survives a killed worker and a broker that was down."""

import datetime
import os
import signal
import socket
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from submissions import services
from submissions.models import LectureVersion
from tests.workers import app_on_broker, free_redis_db, shared_database_url, worker_command, worker_process

from .conftest import fixture_file

PDF = "files/py-pdf-sample-files_002-trivial-libre-office-writer.pdf"
pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def _attach_pdf(version, teacher):
    key = default_storage.save(f"uploads/{teacher.pk}/w/a.pdf", ContentFile(fixture_file(PDF).read_bytes()))
    with transaction.atomic():  # the check is queued when this commits
        services.version_attach_file(version=version, actor=teacher, key=key, original_name="a.pdf", size=1)


def _wait(predicate, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _env(settings, broker, **extra):
    return {
        "DATABASE_URL": shared_database_url(),
        "REDIS_URL": broker,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": "elearning.settings",
        **extra,
    }


def test_a_check_whose_worker_process_is_killed_runs_again(lecture, teacher, settings, tmp_path, redis_url):
    """kill -9 of the worker process running a check: the task goes back to the queue and the check completes."""
    broker, client = free_redis_db()
    marker = tmp_path / "check.pid"
    name = f"checks-kill-{os.getpid()}@{socket.gethostname()}"
    command = worker_command(name, pool="prefork", module="tests.submissions.slow_check_worker")
    env = _env(settings, broker, SLOW_CHECK_MARKER=str(marker))
    try:
        with app_on_broker(settings, broker) as app, worker_process(app, command, env, name):
            version = lecture.versions.get()
            _attach_pdf(version, teacher)
            assert _wait(marker.exists), "the check never started"
            assert _wait(lambda: LectureVersion.objects.get(pk=version.pk).check_started_at is not None)
            os.kill(int(marker.read_text()), signal.SIGKILL)
            assert _wait(lambda: LectureVersion.objects.get(pk=version.pk).check_status != "pending")
    finally:
        client.flushdb()
    version.refresh_from_db()
    assert version.check_status == "passed" and version.detected_format == "pdf"
    assert version.check_attempts == 2  # the killed run, then the one that finished


def test_a_check_queued_while_the_broker_was_down_is_run_by_the_sweeper(
    lecture, teacher, settings, redis_url
):
    """Broker unreachable at completion: the upload succeeds, and once it is back the sweeper hands the check to a worker."""
    broker, client = free_redis_db()
    name = f"checks-sweep-{os.getpid()}@{socket.gethostname()}"
    version = lecture.versions.get()
    try:
        with app_on_broker(settings, "redis://127.0.0.1:1/0"):
            _attach_pdf(version, teacher)
        version.refresh_from_db()
        assert version.check_status == "pending" and version.check_started_at is None
        with (
            app_on_broker(settings, broker) as app,
            worker_process(app, worker_command(name), _env(settings, broker), name),
        ):
            later = timezone.now() + datetime.timedelta(minutes=settings.CHECK_REQUEUE_MINUTES + 1)
            assert services.version_checks_sweep(now=later) == 1
            assert _wait(lambda: LectureVersion.objects.get(pk=version.pk).check_status != "pending")
    finally:
        client.flushdb()
    version.refresh_from_db()
    assert version.check_status == "passed" and version.check_attempts == 1


def test_a_check_whose_whole_worker_died_is_finished_by_a_new_worker(
    lecture, teacher, settings, tmp_path, redis_url
):
    """kill -9 of a whole worker mid-check: the sweeper finds the check begun too long ago and a new worker finishes it."""
    broker, client = free_redis_db()
    marker = tmp_path / "check.pid"
    version = lecture.versions.get()
    first = f"checks-dead-{os.getpid()}@{socket.gethostname()}"
    second = f"checks-new-{os.getpid()}@{socket.gethostname()}"
    slow = worker_command(first, module="tests.submissions.slow_check_worker")  # solo pool: one process
    try:
        with app_on_broker(settings, broker) as app:
            with worker_process(
                app, slow, _env(settings, broker, SLOW_CHECK_MARKER=str(marker)), first
            ) as worker:
                _attach_pdf(version, teacher)
                assert _wait(marker.exists), "the check never started"
                worker.kill()
                worker.wait(timeout=20)
            assert LectureVersion.objects.get(pk=version.pk).check_status == "pending"
            with worker_process(app, worker_command(second), _env(settings, broker), second):
                later = timezone.now() + datetime.timedelta(seconds=settings.CHECK_TIME_LIMIT_SECONDS + 120)
                assert services.version_checks_sweep(now=later) == 1
                assert _wait(lambda: LectureVersion.objects.get(pk=version.pk).check_status != "pending")
    finally:
        client.flushdb()
    version.refresh_from_db()
    assert version.check_status == "passed" and version.check_attempts == 2
