"""Celery tasks of the submissions app: each fetches by id and calls a service."""

from celery import shared_task
from django.conf import settings

from . import services


# A killed worker hands the task back (acks_late + reject_on_worker_lost); the time limit stops a
# check that hangs, and the sweeper is the net under both.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.CHECK_TIME_LIMIT_SECONDS,
    soft_time_limit=max(settings.CHECK_TIME_LIMIT_SECONDS - 60, 30),
)
def version_check_task(version_id: int) -> None:
    """Checks the uploaded file of a lecture version (format, sha256, manifest, zip safety, scan)."""
    services.version_check(version_id=version_id)


# The time limit lies above the conversion's own timeout (which kills LibreOffice and records the
# failure); it only stops a run stuck elsewhere (storage), and the sweeper is the net under it.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=settings.PREVIEW_TIME_LIMIT_SECONDS,
    soft_time_limit=settings.PREVIEW_CONVERT_TIMEOUT_SECONDS + 30,
)
def version_preview_task(version_id: int) -> None:
    """Converts a checked PPTX/DOCX version to its PDF rendition for the preview."""
    services.version_preview_render(version_id=version_id)


@shared_task
def version_previews_sweep_task() -> int:
    """Queues again the conversions that were lost on the way (beat: every five minutes)."""
    return services.version_previews_sweep()


@shared_task
def version_checks_sweep_task() -> int:
    """Queues again the checks that were lost on the way (beat: every five minutes)."""
    return services.version_checks_sweep()


@shared_task
def upload_sessions_cleanup_task() -> int:
    """Aborts abandoned upload sessions and deletes their parts (beat: hourly)."""
    return services.upload_sessions_cleanup()
