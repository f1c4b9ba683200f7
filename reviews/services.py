"""The only way to change a review case. Each service locks, checks, transitions, logs, notifies."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from submissions.models import LectureVersion

from .models import OPEN_STATES, CaseLog, CaseState, ReviewCase, ReviewLevel
from .routing import school_review_unit


def _log(case: ReviewCase, *, actor, transition: str, source: str, comment: str = "") -> CaseLog:
    return CaseLog.objects.create(
        case=case, actor=actor, transition=transition, source=source, target=case.state, comment=comment
    )


def case_submit(
    *, version: LectureVersion, actor, window=None, previous: ReviewCase | None = None
) -> ReviewCase:
    """Opens the school-level case of a submitted version and puts it in review.

    Call inside `transaction.atomic` after locking the version (submissions.services does).
    The partial unique constraint refuses a second open case for the lecture.
    """
    lecture = version.lecture
    if ReviewCase.objects.filter(lecture=lecture, state__in=OPEN_STATES).exists():
        raise ValidationError(_("Bài giảng này đang có một hồ sơ thẩm định chưa kết thúc."))
    case = ReviewCase.objects.create(
        lecture=lecture,
        version=version,
        level=ReviewLevel.SCHOOL,
        unit=school_review_unit(lecture),
        window=window,
        due_on=window.review_due_on if window else None,
        previous=previous,
    )
    case.submit()
    case.save()
    _log(case, actor=actor, transition="submit", source=CaseState.DRAFT, comment=version.change_note)
    return case


def case_withdraw(*, case: ReviewCase, actor) -> ReviewCase:
    """The author takes back a version that is still waiting for a decision. Locks the case."""
    with transaction.atomic():
        case = ReviewCase.objects.select_for_update().get(pk=case.pk)
        if case.lecture.author_id != actor.pk:
            raise PermissionDenied
        if case.state != CaseState.IN_REVIEW or case.level != ReviewLevel.SCHOOL:
            raise ValidationError(
                _("Chỉ rút được bài đang chờ thẩm định cấp trường, trước khi có quyết định.")
            )
        source = case.state
        case.withdraw()
        case.decided_at = timezone.now()
        case.save()
        _log(case, actor=actor, transition="withdraw", source=source)
    return case
