"""The owner's actions on the lecture page (submit, withdraw, start a new version), judged on the
lecture's draft and its latest case, each beside its queryset twin on Lecture (LECTURE_TWINS, walked
by the agreement test). The case predicates they build on are in `reviews.rules`."""

from __future__ import annotations

import rules
from django.db.models import Exists, OuterRef, Q

from submissions import selectors as submission_selectors
from submissions.models import LectureVersion
from submissions.rules import can_edit_lecture, lecture_editable_q

from .models import NEW_VERSION_AFTER, CaseState, ReviewCase, ReviewLevel
from .rules import can_withdraw_case

# --- The owner's actions on the lecture page (judged on its draft and its latest case) -------------


@rules.predicate
def can_submit_lecture(user, lecture) -> bool:
    """The owner submits a draft whose file passed its check (a first submission or, after a
    return, a resubmission)."""
    draft = submission_selectors.draft_version(lecture)
    return draft is not None and draft.check_status == draft.Check.PASSED and can_edit_lecture(user, lecture)


@rules.predicate
def can_withdraw_lecture(user, lecture) -> bool:
    return can_withdraw_case(user, ReviewCase.latest_of(lecture))


@rules.predicate
def can_start_new_version(user, lecture) -> bool:
    case = ReviewCase.latest_of(lecture)
    return (
        case is not None
        and case.state in NEW_VERSION_AFTER
        and submission_selectors.draft_version(lecture) is None
        and can_edit_lecture(user, lecture)
    )


# --- Their queryset twins (filters on Lecture), judged on the latest version and the latest case --


def _latest_case_q(**case_filter) -> Q:
    """Lectures whose latest case (as `ReviewCase.latest_of`: newest opened, then highest pk) matches."""
    newer = ReviewCase.objects.filter(lecture_id=OuterRef("lecture_id")).filter(
        Q(opened_at__gt=OuterRef("opened_at")) | Q(opened_at=OuterRef("opened_at"), pk__gt=OuterRef("pk"))
    )
    return Q(pk__in=ReviewCase.objects.filter(~Exists(newer), **case_filter).values("lecture_id"))


def _draft_q(**version_filter) -> Q:
    """Lectures whose latest version is a draft (as `submission_selectors.draft_version`) matching."""
    newer = LectureVersion.objects.filter(lecture_id=OuterRef("lecture_id"), number__gt=OuterRef("number"))
    drafts = LectureVersion.objects.filter(~Exists(newer), submitted_at__isnull=True, **version_filter)
    return Q(pk__in=drafts.values("lecture_id"))


def lectures_submittable_q(user) -> Q:
    """Twin of `can_submit_lecture`."""
    return lecture_editable_q(user) & _draft_q(check_status=LectureVersion.Check.PASSED)


def lectures_withdrawable_q(user) -> Q:
    """Twin of `can_withdraw_lecture`."""
    return lecture_editable_q(user) & _latest_case_q(
        state__in=[CaseState.IN_REVIEW, CaseState.DRAFT], level=ReviewLevel.SCHOOL
    )


def lectures_new_version_q(user) -> Q:
    """Twin of `can_start_new_version`."""
    return lecture_editable_q(user) & _latest_case_q(state__in=NEW_VERSION_AFTER) & ~_draft_q()


LECTURE_TWINS = {
    "can_submit_lecture": lectures_submittable_q,
    "can_withdraw_lecture": lectures_withdrawable_q,
    "can_start_new_version": lectures_new_version_q,
}
