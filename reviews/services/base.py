"""Shared by every service: the conflict error, the case lock, the append-only log, review days."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from elearning.errors import Conflict
from elearning.figures_cache import figures_changed

from .. import rules as review_rules
from ..models import CaseLog, CaseState, ReviewCase

DEFAULT_REVIEW_DAYS = 7


class CaseConflict(Conflict):
    """The case is no longer in the state the action needs (someone else acted first)."""


ALREADY_DECIDED = gettext_lazy("Bài giảng này đã được quyết định.")


def _log(case: ReviewCase, *, actor, transition: str, source: str, comment: str = "") -> CaseLog:
    """Every transition writes its log row here, so it is also where the dashboards of the
    lecture's school and the units above it are told their figures changed (after the commit).
    A record's case changes no lecture figure (the records compliance page is computed live)."""
    if case.lecture_id is not None:
        figures_changed(unit_id=case.lecture.school_id)
    return CaseLog.objects.create(
        case=case, actor=actor, transition=transition, source=source, target=case.state, comment=comment
    )


def _locked(case: ReviewCase) -> ReviewCase:
    # of=("self",): lock only the case row (PostgreSQL refuses FOR UPDATE on an outer join's nullable side).
    return (
        ReviewCase.objects.select_for_update(of=("self",))
        .select_related("lecture", "unit", "panel")
        .get(pk=case.pk)
    )


def _locked_in_review(case: ReviewCase, actor) -> ReviewCase:
    """Locks the case and checks it is visible to the actor (else PermissionDenied, which the
    views turn into 404 for an invisible case) and still waiting for a decision."""
    case = _locked(case)
    # SECURITY: an invisible case is "not found"; a visible one the user may not act on is 403.
    if not review_rules.can_view_case(actor, case):
        raise PermissionDenied
    if case.state != CaseState.IN_REVIEW:
        raise CaseConflict(ALREADY_DECIDED)
    return case


def _review_days(case_or_window) -> int:
    window = getattr(case_or_window, "window", case_or_window)
    return window.review_days if window is not None else DEFAULT_REVIEW_DAYS
