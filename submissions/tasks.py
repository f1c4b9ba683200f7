"""Celery tasks of the submissions app: each fetches by id and calls a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def version_check_task(version_id: int) -> None:
    """Checks the uploaded file of a lecture version (format, sha256, manifest, zip safety, scan)."""
    services.version_check(version_id=version_id)


@shared_task
def upload_sessions_cleanup_task() -> int:
    """Aborts abandoned upload sessions and deletes their parts (beat: hourly)."""
    return services.upload_sessions_cleanup()
