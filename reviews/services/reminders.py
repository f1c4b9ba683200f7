"""The daily reminders of reviews due soon or overdue."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from ..models import CaseState, Notification, ReminderSent, ReviewCase, ReviewLevel
from .notifications import notification_send
from .people import case_reviewers, school_leaders


def review_reminders_send(*, today: datetime.date | None = None) -> int:
    """Daily reminders: a review due in REVIEW_REMINDER_DAYS days (to the reviewers) and an
    overdue review (to the reviewers and, at school level, the school's leaders).

    Idempotent: a `ReminderSent` row per case × person × kind × day (unique) means a second run
    the same day sends nothing. Each reminder commits on its own; e-mails go on commit.
    Returns the number of reminders sent.
    """
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=settings.REVIEW_REMINDER_DAYS)
    sent = 0
    open_cases = ReviewCase.objects.filter(state=CaseState.IN_REVIEW, due_on__isnull=False).select_related(
        "lecture", "record__kind", "record__unit", "unit", "panel"
    )
    for case in open_cases.filter(due_on__lte=soon):
        if case.due_on == soon:
            kind, recipients = Notification.Kind.DUE_SOON, case_reviewers(case)
            text = gettext_noop("Bài giảng “%(title)s” cần thẩm định trước ngày %(due)s.")
        elif case.due_on < today:
            kind = Notification.Kind.OVERDUE
            recipients = case_reviewers(case)
            if case.level == ReviewLevel.SCHOOL:
                recipients += school_leaders(case)
            text = gettext_noop("Bài giảng “%(title)s” đã quá hạn thẩm định (hạn %(due)s).")
        else:
            continue
        if case.is_panel_level:
            evaluated = set(case.evaluations.values_list("member_id", flat=True))
            recipients += [
                a.member for a in case.assignments.select_related("member") if a.member_id not in evaluated
            ]
        if case.record_id:
            text = {
                Notification.Kind.DUE_SOON: gettext_noop(
                    "Hồ sơ “%(title)s” cần phê duyệt trước ngày %(due)s."
                ),
                Notification.Kind.OVERDUE: gettext_noop(
                    "Hồ sơ “%(title)s” đã quá hạn phê duyệt (hạn %(due)s)."
                ),
            }[kind]
        params = {"title": case.title, "due": case.due_on.strftime("%d/%m/%Y")}
        for user in {u.pk: u for u in recipients}.values():
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(case=case, user=user, kind=kind, day=today)
                    notification_send(
                        users=[user],
                        kind=kind,
                        case=case,
                        message=text,
                        params=params,
                        url=case.get_absolute_url(),
                    )
            except IntegrityError:
                continue  # already reminded today
            sent += 1
    return sent
