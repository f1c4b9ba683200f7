from celery import shared_task


@shared_task(bind=True, max_retries=5, default_retry_delay=60, ignore_result=True)
def password_reset_email_task(
    self,
    user_id: int,
    *,
    domain: str,
    site_name: str,
    protocol: str,
    subject_template_name: str,
    email_template_name: str,
    html_email_template_name: str | None = None,
    from_email: str | None = None,
    language: str | None = None,
) -> bool:
    """Sends one password reset e-mail (queued by PasswordResetForm after the commit).

    The link's token is made here, so no reset token waits in the broker. Not Django's
    PasswordResetForm.send_mail, which logs a failed send and swallows it: here it is retried."""
    from django.conf import settings
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import EmailMultiAlternatives
    from django.template import loader
    from django.utils import translation
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    email = getattr(user, User.get_email_field_name())
    if not email:
        return False
    context = {
        "email": email,
        "domain": domain,
        "site_name": site_name,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": protocol,
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        message = EmailMultiAlternatives(
            subject, loader.render_to_string(email_template_name, context), from_email, [email]
        )
        if html_email_template_name:
            html = loader.render_to_string(html_email_template_name, context)
            message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError as exc:
        raise self.retry(exc=exc) from exc
    return True


@shared_task(soft_time_limit=2 * 60 * 60, time_limit=2 * 60 * 60 + 5 * 60)
def import_batch_apply_task(batch_id: int) -> None:
    from .services import import_batch_apply

    import_batch_apply(batch_id=batch_id)


# A killed worker runs no handler: the batch then shows as stalled (ImportBatch.STALL_AFTER).
@shared_task(soft_time_limit=10 * 60, time_limit=11 * 60)
def import_batch_validate_task(batch_id: int) -> None:
    """Validates a large uploaded import file, reporting progress on the batch."""
    from .services import import_batch_validate

    import_batch_validate(batch_id=batch_id)
