"""A lecture's life as its owner acts on it: submit, resubmit, withdraw, a new version, its details."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elearning.figures_cache import figures_changed
from repository.services import publication_reindex
from submissions import selectors as submission_selectors
from submissions import services as submission_services
from submissions.models import Lecture, LectureVersion

from ..models import NEW_VERSION_AFTER, CaseState, ReviewCase
from .base import CaseConflict
from .cases import case_submit, case_withdraw


def lecture_submit(*, lecture: Lecture, actor, today: datetime.date | None = None) -> ReviewCase:
    """Submits the lecture's draft version for review and opens the school-level case.

    Locks the version (`submissions.services.version_lock_for_submit`). A first submission needs
    an open window (else the message says when the next one opens); a lecture returned for
    changes is resubmitted at any time (`lecture_resubmit`). Returns the new review case.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        version = submission_services.version_lock_for_submit(lecture=lecture, actor=actor)
        last = ReviewCase.latest_of(version.lecture)
        if last is not None and last.state == CaseState.RETURNED:
            return lecture_resubmit(lecture=version.lecture, actor=actor)
        level = version.lecture.school_level
        school = version.lecture.school
        window = submission_selectors.window_open_on(today, school_level=level, school=school)
        if window is None:
            raise ValidationError(
                submission_selectors.closed_window_message(today, school_level=level, school=school)
            )
        submission_services.version_mark_submitted(version=version, window=window)
        return case_submit(version=version, actor=actor, window=window)


def lecture_resubmit(*, lecture: Lecture, actor) -> ReviewCase:
    """Resubmits a lecture returned for changes, with no window check (DESIGN.md 4).

    Locks the version, then the returned case (in `case_submit`); the new case points at it.
    """
    with transaction.atomic():
        version = submission_services.version_lock_for_submit(lecture=lecture, actor=actor)
        returned = ReviewCase.latest_of(version.lecture)
        if returned is None or returned.state != CaseState.RETURNED:
            raise CaseConflict(_("Bài giảng này không ở trạng thái cần chỉnh sửa."))
        submission_services.version_mark_submitted(version=version, window=returned.window)
        return case_submit(version=version, actor=actor, window=None, previous=returned)


def lecture_withdraw(*, lecture: Lecture, actor) -> ReviewCase:
    """The owner takes back a version waiting for the school-level decision (`case_withdraw`)."""
    case = ReviewCase.latest_of(lecture)
    if case is None or case.state != CaseState.IN_REVIEW:
        raise CaseConflict(_("Không có bài nào đang chờ thẩm định để rút."))
    return case_withdraw(case=case, actor=actor)


def lecture_new_version(*, lecture: Lecture, actor, change_note: str = "") -> LectureVersion:
    """Starts the next draft once the lecture's last case has ended (approved, returned,
    rejected or withdrawn). Locks the lecture (`submissions.services.version_new`)."""
    with transaction.atomic():
        case = ReviewCase.latest_of(lecture)
        if case is None or case.state not in NEW_VERSION_AFTER:
            raise CaseConflict(
                _(
                    "Chỉ tạo phiên bản mới khi bài giảng đã được phê duyệt, bị trả lại, không được duyệt hoặc đã rút."
                )
            )
        return submission_services.version_new(lecture=lecture, actor=actor, change_note=change_note)


def lecture_update(*, lecture: Lecture, actor, **fields) -> Lecture:
    """Changes a draft lecture's details and keeps the library's copy of them in step.

    Locks the lecture (`submissions.services.lecture_update`), then its publications.
    """
    with transaction.atomic():
        lecture = submission_services.lecture_update(lecture=lecture, actor=actor, **fields)
        publication_reindex(lecture)
        # The catalogue lesson may have changed: coverage counts the lecture's publications.
        figures_changed(unit_id=lecture.school_id)
    return lecture
