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


@shared_task(bind=True, max_retries=5, default_retry_delay=60, ignore_result=True)
def account_event_email_task(self, event_id: int) -> bool:
    """E-mails the owner of an account what was done to it (queued on commit by the services).

    Never carries a password: after a reset, the owner learns who reset it and gets the new
    one from that person."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.utils import translation
    from django.utils.formats import date_format
    from django.utils.timezone import localtime
    from django.utils.translation import gettext as _

    from .models import AccountEvent, RoleAssignment

    event = AccountEvent.objects.select_related("user", "actor", "unit").filter(pk=event_id).first()
    if event is None or not event.user.email:
        return False
    Action = AccountEvent.Action
    with translation.override(settings.LANGUAGE_CODE):
        lines = {
            Action.ACTIVATED: _("Tài khoản %(username)s của bạn đã được mở khoá; bạn đăng nhập lại được."),
            Action.DEACTIVATED: _("Tài khoản %(username)s của bạn đã bị khoá; bạn không đăng nhập được nữa."),
            Action.PASSWORD_RESET: _(
                "Mật khẩu của tài khoản %(username)s đã được đặt lại. Người đặt lại sẽ trao cho bạn "
                "mật khẩu mới; bạn sẽ phải đổi nó ở lần đăng nhập tới."
            ),
            Action.PASSWORD_CHANGED: _("Mật khẩu của tài khoản %(username)s vừa được đổi."),
            Action.ROLE_GRANTED: _("Tài khoản %(username)s của bạn được giao vai trò %(role)s – %(unit)s."),
            Action.ROLE_REVOKED: _("Tài khoản %(username)s của bạn không còn vai trò %(role)s – %(unit)s."),
        }
        if event.action not in lines:
            return False
        text = lines[event.action] % {
            "username": event.user.username,
            "role": RoleAssignment.Role(event.role).label if event.role else "",
            "unit": event.unit.name
            if event.unit
            else event.before.get("unit") or event.after.get("unit", ""),
        }
        by = event.actor.get_full_name() if event.actor else _("hệ thống")
        when = date_format(localtime(event.at), "SHORT_DATETIME_FORMAT")
        body = "\n\n".join(
            [
                text,
                _("Người thực hiện: %(by)s, lúc %(when)s.") % {"by": by, "when": when},
                _(
                    "Nếu bạn không biết về thay đổi này, hãy báo ngay cho người quản trị tài khoản của trường."
                ),
                "— Học liệu số – Bài giảng điện tử",
            ]
        )
        subject = f"[Học liệu số] {event.get_action_display()}"
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[event.user.email])
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
