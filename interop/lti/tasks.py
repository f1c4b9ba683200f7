"""The Celery task that sends a launch's grade to the LMS gradebook (interop.lti.grades)."""

from celery import shared_task


@shared_task(ignore_result=True)
def send_grade(launch_id: int) -> None:
    from .grades import send

    send(launch_id)
