"""No check is lost: pending from the upload's own transaction, swept when lost, given up after three runs."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from elearning import scheduler
from elearning.celery import app
from elearning.models import PeriodicRun
from submissions import checks, services
from submissions.models import LectureVersion

from .conftest import fixture_file

PDF = "files/py-pdf-sample-files_002-trivial-libre-office-writer.pdf"


def _attach(version, teacher, *, run_on_commit, capture):
    """Stores the real PDF and attaches it like a completed upload; optionally runs the on-commit queueing."""
    key = default_storage.save(f"uploads/{teacher.pk}/r/a.pdf", ContentFile(fixture_file(PDF).read_bytes()))
    with capture(execute=run_on_commit):
        services.version_attach_file(version=version, actor=teacher, key=key, original_name="a.pdf", size=1)
    version.refresh_from_db()
    return version


def _attach_stub(version, teacher):
    """Attaches a tiny PDF inside the caller's transaction, leaving the queueing to its commit."""
    key = default_storage.save("uploads/x/a.pdf", ContentFile(b"%PDF-1.4"))
    services.version_attach_file(version=version, actor=teacher, key=key, original_name="a.pdf", size=8)


def _later(minutes):
    return timezone.now() + datetime.timedelta(minutes=minutes)


@pytest.fixture
def crashing_check(monkeypatch):
    """Makes every run of the file check crash, as a worker that runs out of memory would."""
    calls = []

    def crash(*args, **kwargs):
        calls.append(1)
        raise MemoryError("worker ran out of memory")

    monkeypatch.setattr(checks, "inspect_file", crash)
    return calls


@pytest.fixture
def broker_down(settings):
    """The broker is unreachable: tasks are really published, to a closed port."""
    previous = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.update(previous)
    app._pool = None
    app.amqp._producer_pool = None


def test_check_is_recorded_pending_in_the_uploads_own_transaction(
    lecture, teacher, django_capture_on_commit_callbacks
):
    """Attaching a file records the pending check (and its request time) before anything is queued."""
    version = lecture.versions.get()
    with transaction.atomic(), django_capture_on_commit_callbacks(execute=False) as callbacks:
        _attach_stub(version, teacher)
        row = LectureVersion.objects.get(pk=version.pk)
        assert row.check_status == "pending" and row.check_requested_at is not None
        assert row.check_started_at is None and row.check_attempts == 0
    assert len(callbacks) == 1  # the queueing waits for the commit


def test_broker_down_at_completion_leaves_a_pending_check_that_the_sweeper_runs(
    lecture, teacher, broker_down, django_capture_on_commit_callbacks, settings
):
    """With the broker unreachable the upload still succeeds; once it is back the sweeper runs the check."""
    version = _attach(
        lecture.versions.get(), teacher, run_on_commit=True, capture=django_capture_on_commit_callbacks
    )
    assert version.check_status == "pending" and version.check_started_at is None
    # The broker comes back (eager here); the sweeper ignores a check asked for moments ago...
    app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        assert services.version_checks_sweep() == 0
    # ...and queues it once it has waited CHECK_REQUEUE_MINUTES.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.version_checks_sweep(now=_later(settings.CHECK_REQUEUE_MINUTES + 1)) == 1
    version.refresh_from_db()
    assert version.check_status == "passed" and version.detected_format == "pdf"
    assert version.check_attempts == 1


def test_upload_complete_page_says_the_check_will_start_when_the_broker_is_down(
    client, lecture, teacher, broker_down
):
    """The lecture page after an upload whose check could not be queued says it will start shortly, not an error."""
    from submissions import selectors

    client.force_login(teacher)
    version = lecture.versions.get()
    with transaction.atomic():
        _attach_stub(version, teacher)
    version.refresh_from_db()
    assert services.version_check_queue(version_id=version.pk) is False
    page = client.get(lecture.get_absolute_url())
    assert page.status_code == 200
    assert "Việc kiểm tra sẽ bắt đầu trong ít phút" in page.content.decode()
    assert selectors.check_progress_text(version).startswith("Đã nhận đủ tệp")


def test_a_crashed_check_is_retried_by_the_sweeper_and_given_up_after_three_runs(
    client, lecture, teacher, crashing_check, django_capture_on_commit_callbacks, settings, monkeypatch
):
    """Each crash leaves the check pending for the sweeper; the third marks it failed with a message and a retry button."""
    version = _attach(
        lecture.versions.get(), teacher, run_on_commit=True, capture=django_capture_on_commit_callbacks
    )
    assert len(crashing_check) == 1
    assert version.check_status == "pending" and version.check_attempts == 1
    assert "MemoryError" in version.check_error
    for minutes in (10, 20):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.version_checks_sweep(now=_later(minutes)) == 1
    version.refresh_from_db()
    assert len(crashing_check) == 3
    assert version.check_status == "failed" and version.check_gave_up
    assert (
        "sau 3 lần thử" in version.check_messages[0] and "không phải lỗi của tệp" in version.check_messages[0]
    )
    # Nothing more is swept; the author sees why and can ask again.
    assert services.version_checks_sweep(now=_later(60)) == 0
    client.force_login(teacher)
    page = client.get(lecture.get_absolute_url()).content.decode()
    assert "Chưa kiểm tra được tệp" in page and 'data-testid="retry-check"' in page
    monkeypatch.undo()  # the system is healthy again
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/lectures/{lecture.pk}/check/retry/")
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.check_status == "passed" and version.check_attempts == 1 and not version.check_error


def test_retry_is_refused_for_a_file_judged_invalid_and_for_others(
    client, lecture, teacher, demo, django_capture_on_commit_callbacks
):
    """ "Kiểm tra lại" is only for a check the system gave up on, and only for the lecture's editors."""
    version = lecture.versions.get()
    key = default_storage.save("uploads/x/bad.pdf", ContentFile(b"not a lecture at all"))
    with django_capture_on_commit_callbacks(execute=True):
        services.version_attach_file(
            version=version, actor=teacher, key=key, original_name="bad.pdf", size=20
        )
    version.refresh_from_db()
    assert version.check_status == "failed" and not version.check_gave_up
    client.force_login(teacher)
    assert client.post(f"/lectures/{lecture.pk}/check/retry/").status_code == 403
    LectureVersion.objects.filter(pk=version.pk).update(check_error="MemoryError: x")
    for other in ("demo.tt", "demo.ht", "demo.gv.th"):
        client.force_login(demo.user(other))
        assert client.post(f"/lectures/{lecture.pk}/check/retry/").status_code in (403, 404)
        version.refresh_from_db()
        assert version.check_status == "failed"
    client.force_login(teacher)
    assert client.get(f"/lectures/{lecture.pk}/check/retry/").status_code == 405


def test_sweeper_requeues_a_check_whose_worker_died_and_never_twice_at_once(
    lecture, teacher, django_capture_on_commit_callbacks, settings
):
    """A check begun longer ago than its time limit is queued again, once however often the sweeper runs."""
    version = _attach(
        lecture.versions.get(), teacher, run_on_commit=False, capture=django_capture_on_commit_callbacks
    )
    # A worker claimed it and died: started, never finished.
    LectureVersion.objects.filter(pk=version.pk).update(check_started_at=timezone.now(), check_attempts=1)
    assert services.version_checks_sweep(now=_later(settings.CHECK_REQUEUE_MINUTES + 1)) == 0  # may still run
    later = timezone.now() + datetime.timedelta(seconds=settings.CHECK_TIME_LIMIT_SECONDS + 120)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert services.version_checks_sweep(now=later) == 1
        assert services.version_checks_sweep(now=later) == 0
    assert len(queued) == 1
    for callback in queued:
        callback()
    version.refresh_from_db()
    assert version.check_status == "passed" and version.check_attempts == 2


def test_a_result_for_a_replaced_file_is_not_recorded(lecture, teacher, django_capture_on_commit_callbacks):
    """A check that finishes after the teacher replaced the file leaves the new file's check pending."""
    version = _attach(
        lecture.versions.get(), teacher, run_on_commit=False, capture=django_capture_on_commit_callbacks
    )
    first_key = version.file_key
    claimed = services._check_begin(version.pk)
    assert claimed == first_key
    _attach(version, teacher, run_on_commit=False, capture=django_capture_on_commit_callbacks)
    assert services.version_check(version_id=version.pk).check_status == "passed"  # the new file, checked now
    assert services._check_begin(version.pk) is None  # nothing left to claim


def test_embedded_scheduler_runs_the_sweeper_when_it_is_due(
    lecture, teacher, django_capture_on_commit_callbacks
):
    """Without beat, the web process's scheduler runs the beat schedule's sweeper every five minutes."""
    version = _attach(
        lecture.versions.get(), teacher, run_on_commit=False, capture=django_capture_on_commit_callbacks
    )
    LectureVersion.objects.filter(pk=version.pk).update(
        check_requested_at=timezone.now() - datetime.timedelta(hours=1)
    )
    now = timezone.now()
    for name in app.conf.beat_schedule:  # every job has just run: nothing is due yet
        PeriodicRun.objects.create(name=name, last_run_at=now)
    assert scheduler.run_due(now) == []
    PeriodicRun.objects.update(last_run_at=now - datetime.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        ran = scheduler.run_due(now)
    assert "lost-check-sweeper" in ran and "abandoned-upload-cleanup" in ran
    version.refresh_from_db()
    assert version.check_status == "passed"
