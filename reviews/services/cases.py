"""Opening a case (a first submission or a resubmission) and withdrawing it."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm

from submissions.models import LectureVersion

from .. import rules as review_rules
from ..models import OPEN_STATES, CaseState, PanelAssignment, ReviewCase, ReviewLevel
from ..routing import school_review_unit
from .base import CaseConflict, _locked, _log, _review_days
from .notifications import _notify_waiting


def case_submit(
    *, version: LectureVersion, actor, window=None, previous: ReviewCase | None = None
) -> ReviewCase:
    """Opens the case of a submitted version and puts it in review.

    A first submission opens at school level (the department head, or the school's leaders
    when the author heads the department), due at the end of the window + review days.
    With `previous` (a returned case of the same lecture) it is a resubmission: `previous`
    goes returned → resubmitted and the new version opens at the SAME level, unit and panel,
    with or without a window, due `review days` from today.

    Call inside `transaction.atomic` after locking the version (submissions.services does);
    locks `previous`. The partial unique constraint refuses a second open case for the lecture.
    Queues "waiting for you" notifications on commit.
    """
    lecture = version.lecture
    with transaction.atomic():
        if previous is not None:
            previous = _locked(previous)
            if previous.lecture_id != lecture.pk:
                raise ValidationError(_("Hồ sơ trước không thuộc bài giảng này."))
            if previous.state != CaseState.RETURNED:
                raise CaseConflict(_("Chỉ nộp lại được bài giảng đang được yêu cầu chỉnh sửa."))
            if previous.version_id == version.pk:
                raise ValidationError(_("Hãy tải lên một phiên bản mới trước khi nộp lại."))
            if not has_transition_perm(previous.resubmit, actor):
                raise PermissionDenied
            source = previous.state
            previous.resubmit()
            previous.save()
            _log(previous, actor=actor, transition="resubmit", source=source, comment=version.change_note)
        if ReviewCase.objects.filter(lecture=lecture, state__in=OPEN_STATES).exists():
            raise ValidationError(_("Bài giảng này đang có một hồ sơ thẩm định chưa kết thúc."))
        if previous is not None:
            case = ReviewCase(
                lecture=lecture,
                version=version,
                level=previous.level,
                unit=previous.unit,
                panel=previous.panel,
                window=window or previous.window,
                due_on=timezone.localdate()
                + datetime.timedelta(days=_review_days(window or previous.window)),
                previous=previous,
            )
        else:
            case = ReviewCase(
                lecture=lecture,
                version=version,
                level=ReviewLevel.SCHOOL,
                unit=school_review_unit(lecture),
                window=window,
                due_on=window.review_due_on if window else None,
            )
        case.save()
        if not has_transition_perm(case.submit, actor):
            raise PermissionDenied
        case.submit()
        case.save()
        _log(case, actor=actor, transition="submit", source=CaseState.DRAFT, comment=version.change_note)
        if previous is not None:
            # The same reviewers, who already know the lecture, get the new version.
            PanelAssignment.objects.bulk_create(
                [
                    PanelAssignment(case=case, member_id=a.member_id, assigned_by_id=a.assigned_by_id)
                    for a in previous.assignments.all()
                ]
            )
        _notify_waiting(case)
    return case


def case_withdraw(*, case: ReviewCase, actor) -> ReviewCase:
    """The author takes back a version still waiting at school level. Locks the case."""
    with transaction.atomic():
        case = _locked(case)
        if not review_rules.can_view_case(actor, case):
            raise PermissionDenied
        if case.state not in (CaseState.IN_REVIEW, CaseState.DRAFT) or case.level != ReviewLevel.SCHOOL:
            raise CaseConflict(_("Chỉ rút được bài đang chờ thẩm định cấp trường, trước khi có quyết định."))
        if not has_transition_perm(case.withdraw, actor):
            raise PermissionDenied
        source = case.state
        case.withdraw()
        case.save()
        _log(case, actor=actor, transition="withdraw", source=source)
    return case
