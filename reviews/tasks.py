"""Celery tasks: each fetches by id and calls a service or sends one message, nothing more."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation


@shared_task(bind=True, max_retries=5, default_retry_delay=60, ignore_result=True)
def notification_email_task(self, notification_id: int) -> bool:
    """E-mails one in-app notification to its user (once: `emailed_at` marks it sent)."""
    from .models import Notification

    note = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if note is None or note.emailed_at is not None or not note.user.email:
        return False
    url = note.url if note.url.startswith("http") else f"{settings.SITE_URL.rstrip('/')}{note.url}"
    # The e-mail is in the platform's language, whatever language the sender's page was in.
    with translation.override(settings.LANGUAGE_CODE):
        body = f"{note.render()}\n\n{url}\n\n— Học liệu số – Bài giảng điện tử"
        subject = f"[Học liệu số] {note.get_kind_display()}"
    try:
        send_mail(
            subject=subject,
            message=body,
            from_email=None,
            recipient_list=[note.user.email],
        )
    except OSError as exc:
        raise self.retry(exc=exc) from exc
    Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
    return True


@shared_task(ignore_result=True)
def review_reminders_task() -> int:
    """Daily (Celery beat): due-soon and overdue reminders; idempotent per case, person, kind, day."""
    from .services import review_reminders_send

    return review_reminders_send()


@shared_task(ignore_result=True)
def approved_document_task(document_id: int) -> bool:
    """Renders, stamps, signs and stores one approved document (a failure stays pending for the sweeper)."""
    from .services.approved import approved_document_build

    return approved_document_build(document_id=document_id)


@shared_task(ignore_result=True)
def approved_documents_sweep_task() -> int:
    """Every five minutes (Celery beat): builds the approved documents still pending."""
    from .services.approved import approved_documents_sweep

    return approved_documents_sweep()
