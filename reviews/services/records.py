"""Professional records on the same engine as lectures (seed 001; DESIGN.md 7): submit, return
with comments, resubmit, approve (a school plan: acknowledge receipt), through the same review
case, transitions, log, notifications and reminders; routing chosen by the record's kind.

`record_version_approved` is the one place where "a record version was approved" happens: the
approval stamp and signature (issue 10, item 6) hook in there.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import has_transition_perm

from submissions import services as submission_services
from submissions.models import Record, RecordKind, RecordRoute, RecordStatus, RecordVersion

from ..models import OPEN_STATES, CaseState, Notification, ReviewCase
from ..routing import record_review_target
from .approved import approved_record_request
from .base import DEFAULT_REVIEW_DAYS, CaseConflict, _locked, _locked_in_review, _log
from .notifications import _notify_waiting, notification_send


def _review_due(record: Record, today: datetime.date) -> datetime.date:
    due = today + datetime.timedelta(days=DEFAULT_REVIEW_DAYS)
    if record.teaching_date is not None:
        # A lesson plan must be approved before the lesson is taught.
        due = min(due, max(record.teaching_date - datetime.timedelta(days=1), today))
    return due


def _open_case(*, record: Record, version: RecordVersion, actor, previous: ReviewCase | None) -> ReviewCase:
    if ReviewCase.objects.filter(record=record, state__in=OPEN_STATES).exists():
        raise CaseConflict(_("Hồ sơ này đang chờ phê duyệt; chưa thể nộp thêm."))
    if previous is not None:
        level, unit = previous.level, previous.unit
    else:
        level, unit = record_review_target(record)
    case = ReviewCase(
        record=record,
        record_version=version,
        level=level,
        unit=unit,
        due_on=_review_due(record, timezone.localdate()),
        previous=previous,
    )
    case.save()
    if not has_transition_perm(case.submit, actor):
        raise PermissionDenied
    case.submit()
    case.save()
    _log(case, actor=actor, transition="submit", source=CaseState.DRAFT, comment=version.change_note)
    submission_services.record_mark_submitted(record=record, version=version)
    _notify_waiting(case)
    return case


def record_submit(
    *, kind: RecordKind, actor, unit, year, files: dict, details: dict | None = None
) -> ReviewCase:
    """Opens the actor's record of `kind` (`details`: subject, lesson_name, grade, class_name,
    teaching_date for a lesson plan), stores its first version from `files` (upload,
    activity_upload, council_adopted_on, council_decision_number, change_note) and puts it in
    review at the unit the kind's route names.

    All or nothing in one transaction: a refused file, a duplicate lesson plan or a missing
    submitter role leaves nothing behind. Queues the reviewers' notifications on commit.
    """
    with transaction.atomic():
        record = submission_services.record_open(
            kind=kind, actor=actor, unit=unit, year=year, **(details or {})
        )
        version = submission_services.record_version_add(record=record, actor=actor, **files)
        return _open_case(record=record, version=version, actor=actor, previous=None)


def record_resubmit(*, record: Record, actor, files: dict) -> ReviewCase:
    """Stores a corrected version of a record returned with comments and sends it back to the same
    reviewer (the returned case goes returned → resubmitted). Locks the returned case."""
    with transaction.atomic():
        previous = ReviewCase.objects.filter(record=record).order_by("-opened_at", "-pk").first()
        if previous is None or previous.state != CaseState.RETURNED:
            raise CaseConflict(_("Hồ sơ này không ở trạng thái cần chỉnh sửa."))
        previous = _locked(previous)
        if not has_transition_perm(previous.resubmit, actor):
            raise PermissionDenied
        version = submission_services.record_version_add(record=record, actor=actor, **files)
        source = previous.state
        previous.resubmit()
        previous.save()
        _log(previous, actor=actor, transition="resubmit", source=source, comment=version.change_note)
        return _open_case(record=record, version=version, actor=actor, previous=previous)


def record_version_approved(*, case: ReviewCase, actor) -> None:
    """A record version was approved (or, for a school plan, acknowledged). Runs inside the
    decision's transaction after the case is approved and logged.

    Keeps the record's summary (approved, late) in step and asks for the approved copy: the
    version's file as a PDF with the approval stamp, signed when the unit has a certificate
    (`reviews.services.approved`, built after the commit).
    """
    submission_services.record_mark_decided(
        record=case.record, status=RecordStatus.APPROVED, at=case.decided_at
    )
    approved_record_request(case=case, actor=actor)


def record_decide(*, case: ReviewCase, actor, approve: bool, comment: str = "") -> ReviewCase:
    """Approves (a school plan: acknowledges receipt) or returns a record case with comments.

    Locks the case; an invisible case is PermissionDenied (404 in views), a visible one the actor
    may not decide is PermissionDenied after the visibility check (403), a case already decided
    is `CaseConflict`. A return needs comments. Notifies the owner on commit.
    """
    comment = (comment or "").strip()
    with transaction.atomic():
        case = _locked_in_review(case, actor)
        if not case.record_id:
            raise ValidationError(_("Đây không phải hồ sơ chuyên môn."))
        transition = case.approve if approve else case.return_for_changes
        if not has_transition_perm(transition, actor):
            raise PermissionDenied
        if not approve and not comment:
            raise ValidationError({"comment": _("Hãy ghi rõ nội dung cần chỉnh sửa để người nộp sửa hồ sơ.")})
        source = case.state
        transition(by=actor)
        case.save()
        _log(case, actor=actor, transition=transition.__name__, source=source, comment=comment)
        record = case.record
        if approve:
            record_version_approved(case=case, actor=actor)
            acknowledged = record.kind.route == RecordRoute.REPORTING_LINE
            message = (
                gettext_noop("Hồ sơ “%(title)s” đã được xác nhận đã nhận (%(level)s).")
                if acknowledged
                else gettext_noop("Hồ sơ “%(title)s” đã được phê duyệt (%(level)s).")
            )
        else:
            submission_services.record_mark_decided(
                record=record, status=RecordStatus.RETURNED, at=case.decided_at
            )
            message = gettext_noop("Hồ sơ “%(title)s” cần chỉnh sửa (%(level)s): xem góp ý và nộp lại.")
        notification_send(
            users=[record.owner],
            kind=Notification.Kind.DECIDED,
            case=case,
            message=message,
            params={"title": case.title, "level": case.level},
            url=record.get_absolute_url(),
        )
    return case
