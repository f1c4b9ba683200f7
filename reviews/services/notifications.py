"""In-app notifications, each e-mailed after the commit; marking them read."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_noop

from ..models import Notification, ReviewCase
from .people import case_reviewers


def notification_send(
    *, users, kind: str, case: ReviewCase | None, message: str, params: dict, url: str = ""
) -> list[Notification]:
    """Creates in-app notifications and queues one e-mail each after the surrounding commit.

    `message` is the untranslated text (marked with `gettext_noop`) and `params` its plain values
    (a `level` is a ReviewLevel code): each reader sees it in their own language
    (`Notification.render`); `text` keeps it as written now, for the e-mail.
    """
    from ..tasks import notification_email_task

    created = []
    for user in {u.pk: u for u in users}.values():
        note = Notification(user=user, kind=kind, case=case, message=message, params=params, url=url)
        note.text = note.render()[:500]
        note.save()
        notification_email_task.delay_on_commit(note.pk)
        created.append(note)
    return created


def _notify_waiting(case: ReviewCase) -> None:
    message = (
        gettext_noop("Hồ sơ “%(title)s” đang chờ bạn phê duyệt (%(level)s).")
        if case.record_id
        else gettext_noop("Bài giảng “%(title)s” đang chờ bạn thẩm định (%(level)s).")
    )
    notification_send(
        users=case_reviewers(case),
        kind=Notification.Kind.WAITING,
        case=case,
        message=message,
        params={"title": case.title, "level": case.level},
        url=case.get_absolute_url(),
    )


def notifications_mark_read(*, user, ids=None) -> int:
    """Marks the user's notifications (all, or the given ids) as read."""
    user.__dict__.pop("_unread_count", None)  # the request's memo (selectors.unread_count)
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
