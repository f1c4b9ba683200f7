"""Who may see and act on a review case: `rules` predicates, each beside its queryset twin.

The same predicate guards the FSM transition (`permission=` on the model), the service (which
calls `has_transition_perm` or the predicate) and the button (`actions.available`, the one action table).
`tests/reviews/test_permissions.py` asserts that every predicate and its `*_q` twin agree
(TWINS on cases here, LECTURE_TWINS on lectures in `lecture_rules`).

Who reviews (DESIGN.md 3 and 5):
- school level, case unit = a department: that department's head(s);
- school level, case unit = the school (the author heads the department): the principal and
  vice principals; they may also decide any overdue school-level case of their school
  (escalation);
- cluster / district / city level: the chair of the case's panel decides, the members the
  chair assigned evaluate.
Nobody acts on their own lecture (author or co-author).
"""

from __future__ import annotations

from dataclasses import dataclass

import rules
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import RoleAssignment
from accounts.rules import can_view_work, scope_for, work_visible_q
from submissions.models import Lecture
from submissions.record_models import Record
from submissions.record_rules import can_edit_record, can_view_record, record_visible_q
from submissions.rules import can_edit_lecture

from .models import (
    OPEN_STATES,
    PANEL_LEVELS,
    CaseState,
    PanelAssignment,
    ReviewCase,
    ReviewLevel,
)

Role = RoleAssignment.Role


@dataclass(frozen=True)
class ReviewRoles:
    user_id: int | None
    head_of: frozenset[int] = frozenset()  # department ids
    leads: frozenset[int] = frozenset()  # school ids (principal / vice principal)
    cluster_head_of: frozenset[int] = frozenset()
    officer_of: frozenset[int] = frozenset()  # district ids
    chairs: frozenset[int] = frozenset()  # panel ids
    member_of: frozenset[int] = frozenset()  # panel ids (chair included)


def review_roles(user) -> ReviewRoles:
    """The units and panels a user reviews for: a view of the request's one `Scope` (no query)."""
    scope = scope_for(user)
    if scope.user_id is None:
        return ReviewRoles(user_id=None)
    return ReviewRoles(
        user_id=scope.user_id,
        head_of=scope.head_of,
        leads=scope.leads,
        cluster_head_of=scope.cluster_head_of,
        officer_of=scope.officer_of,
        chairs=scope.chairs,
        member_of=scope.member_of,
    )


NONE_Q = Q(pk__in=[])


def _lectures_of_schools(school_ids):
    """The lectures of the schools, as a subquery read by the school index: a join on the lecture
    (`lecture__school_id__in`) made PostgreSQL hash every lecture of the city (280 ms on a loaded
    city for a principal's count)."""
    return Lecture.objects.filter(school_id__in=school_ids).values("pk")


def _author_q(r: ReviewRoles) -> Q:
    return Q(lecture__author_id=r.user_id) | Q(lecture__co_authors__id=r.user_id)


def _not_author_q(r: ReviewRoles) -> Q:
    """Not a case of the user's own work: two small id sets (the lectures they wrote or co-wrote,
    their records), never a scan of every case of the city. The subqueries keep co-author joins
    from duplicating or dropping rows; Django keeps the cases whose lecture (or record) is NULL."""
    own = Lecture.objects.filter(author_id=r.user_id).values("pk")
    co_written = Lecture.co_authors.through.objects.filter(user_id=r.user_id).values("lecture_id")
    records = Record.objects.filter(owner_id=r.user_id).values("pk")
    return ~Q(lecture_id__in=own) & ~Q(lecture_id__in=co_written) & ~Q(record_id__in=records)


def _is_author(r: ReviewRoles, case: ReviewCase) -> bool:
    if case.record_id:
        return case.record.owner_id == r.user_id
    if case.lecture.author_id == r.user_id:
        return True
    return case.lecture.co_authors.filter(pk=r.user_id).exists()


def _assigned_q(r: ReviewRoles) -> Q:
    return Q(pk__in=PanelAssignment.objects.filter(member_id=r.user_id).values("case_id"))


# --- In charge: the people a case waits for (any state) ----------------------------------------
# A record reported above the school (a school plan) is acknowledged by the office itself: the
# district's officers, or at the city its leaders (seed 001, 2.2), never by a panel.


def record_office_q(user) -> Q:
    """Twin of `is_record_office`: record cases at the user's district office or, for a city
    leader, at the city."""
    scope = scope_for(user)
    if scope.user_id is None:
        return NONE_Q
    q = Q(record__isnull=False, level=ReviewLevel.DISTRICT, unit_id__in=scope.officer_of)
    if Role.CITY_LEADER in scope.roles:
        q |= Q(record__isnull=False, level=ReviewLevel.CITY)
    return q


def is_record_office(user, case: ReviewCase) -> bool:
    scope = scope_for(user)
    if scope.user_id is None or case is None or not case.record_id:
        return False
    if case.level == ReviewLevel.DISTRICT:
        return case.unit_id in scope.officer_of
    return case.level == ReviewLevel.CITY and Role.CITY_LEADER in scope.roles


def cases_in_charge_q(user) -> Q:
    """Twin of `is_case_reviewer`: the cases whose decision belongs to the user."""
    r = review_roles(user)
    if r.user_id is None:
        return NONE_Q
    return (
        Q(level=ReviewLevel.SCHOOL, unit_id__in=r.head_of, unit__kind="department")
        | Q(level=ReviewLevel.SCHOOL, unit_id__in=r.leads, unit__kind="school")
        | Q(level__in=PANEL_LEVELS, panel_id__in=r.chairs)
        | record_office_q(user)
    )


@rules.predicate
def is_case_reviewer(user, case: ReviewCase) -> bool:
    r = review_roles(user)
    if r.user_id is None or case is None:
        return False
    if case.level == ReviewLevel.SCHOOL:
        if case.unit.kind == "department":
            return case.unit_id in r.head_of
        return case.unit_id in r.leads
    if case.record_id:
        return is_record_office(user, case)
    return case.panel_id is not None and case.panel_id in r.chairs


# --- View -------------------------------------------------------------------------------------


def cases_visible_q(user) -> Q:
    """Twin of `can_view_case`: the lecture's work is visible to the user (author, overseers,
    subject specialists, leaders), or the user reviews it, chairs its panel or was assigned it."""
    r = review_roles(user)
    if r.user_id is None:
        return NONE_Q
    if scope_for(user).everything:
        # An empty Q() would vanish when OR-ed below, so "everything" is returned as is.
        return Q()
    work = work_visible_q(
        user, author="lecture__author", unit_path="lecture__department__path", subject="lecture__subject"
    )
    co_author = Q(pk__in=ReviewCase.objects.filter(lecture__co_authors__id=r.user_id).values("pk"))
    records = Q(record__isnull=False) & record_visible_q(user, prefix="record__")
    return work | co_author | records | cases_in_charge_q(user) | _assigned_q(r)


@rules.predicate
def can_view_case(user, case: ReviewCase) -> bool:
    r = review_roles(user)
    if r.user_id is None or case is None:
        return False
    if case.record_id:
        return can_view_record(user, case.record) or is_case_reviewer(user, case)
    lecture = case.lecture
    if can_view_work(
        user, author_id=lecture.author_id, unit_path=lecture.department.path, subject_id=lecture.subject_id
    ):
        return True
    if _is_author(r, case) or is_case_reviewer(user, case):
        return True
    return PanelAssignment.objects.filter(case=case, member_id=r.user_id).exists()


# --- Preview the case's version ---------------------------------------------------------------


@rules.predicate
def can_preview_case(user, case: ReviewCase) -> bool:
    """The case's reviewers may play its version before it is published: whoever decides it
    (the department head, the school's leaders, the panel chair), the school's leaders for a
    school case (they decide it when overdue and nominate it), and the panel members assigned to
    it. Overseers who may read the case page may not; the authors preview under their own grant."""
    r = review_roles(user)
    if r.user_id is None or case is None:
        return False
    if is_case_reviewer(user, case):
        return True
    if case.record_id:
        return False
    if case.level == ReviewLevel.SCHOOL and case.lecture.school_id in r.leads:
        return True
    return PanelAssignment.objects.filter(case=case, member_id=r.user_id).exists()


def case_preview_allows(user, version, case_id) -> bool:
    """The "c<case id>" preview grant (repository.preview): still a reviewer of a case of this version."""
    case = ReviewCase.objects.select_related("lecture", "unit").filter(pk=case_id, version=version).first()
    return case is not None and can_preview_case(user, case)


# --- Decide (approve / return / reject) ----------------------------------------------------------


def cases_reviewable_q(user) -> Q:
    """Twin of `can_decide_case`: open cases the user may approve, return or reject now."""
    r = review_roles(user)
    if r.user_id is None:
        return NONE_Q
    in_charge = Q(state=CaseState.IN_REVIEW) & cases_in_charge_q(user)
    if not r.leads:
        return in_charge & _not_author_q(r)
    # A school leader also decides the school's overdue cases. "In charge OR escalated" in one
    # condition made PostgreSQL test every open case of the city against both (46k rows, 80 ms
    # on each home page view); as a union of the two id sets each is read by its own index.
    escalated = ReviewCase.objects.filter(
        state=CaseState.IN_REVIEW,
        level=ReviewLevel.SCHOOL,
        lecture_id__in=_lectures_of_schools(r.leads),
        due_on__lt=timezone.localdate(),
    )
    ids = ReviewCase.objects.filter(in_charge).order_by().values("pk")
    return Q(pk__in=ids.union(escalated.order_by().values("pk"), all=True)) & _not_author_q(r)


@rules.predicate
def can_decide_case(user, case: ReviewCase) -> bool:
    r = review_roles(user)
    if r.user_id is None or case is None or case.state != CaseState.IN_REVIEW:
        return False
    in_charge = is_case_reviewer(user, case)
    escalated = (
        case.level == ReviewLevel.SCHOOL
        and case.record_id is None
        and case.lecture.school_id in r.leads
        and case.due_on is not None
        and case.due_on < timezone.localdate()
    )
    # SECURITY: nobody decides on their own lecture, whatever roles they hold.
    return (in_charge or escalated) and not _is_author(r, case)


# --- Panel work ---------------------------------------------------------------------------------


def cases_assignable_q(user) -> Q:
    """Twin of `can_assign_members`: open panel cases of the panels the user chairs."""
    r = review_roles(user)
    if r.user_id is None:
        return NONE_Q
    return Q(state=CaseState.IN_REVIEW, level__in=PANEL_LEVELS, panel_id__in=r.chairs) & _not_author_q(r)


@rules.predicate
def can_assign_members(user, case: ReviewCase) -> bool:
    r = review_roles(user)
    if r.user_id is None or case is None:
        return False
    return (
        case.state == CaseState.IN_REVIEW
        and case.level in PANEL_LEVELS
        and case.panel_id in r.chairs
        and not _is_author(r, case)
    )


def cases_evaluable_q(user) -> Q:
    """Twin of `can_evaluate_case`: open cases the user was assigned to evaluate."""
    r = review_roles(user)
    if r.user_id is None:
        return NONE_Q
    return Q(state=CaseState.IN_REVIEW) & _assigned_q(r) & _not_author_q(r)


@rules.predicate
def can_evaluate_case(user, case: ReviewCase) -> bool:
    r = review_roles(user)
    if r.user_id is None or case is None or case.state != CaseState.IN_REVIEW:
        return False
    return PanelAssignment.objects.filter(case=case, member_id=r.user_id).exists() and not _is_author(r, case)


# --- Nominate -------------------------------------------------------------------------------------


def _later_case_exists():
    return Exists(ReviewCase.objects.filter(lecture_id=OuterRef("lecture_id"), pk__gt=OuterRef("pk")))


def _open_case_exists():
    return Exists(ReviewCase.objects.filter(lecture_id=OuterRef("lecture_id"), state__in=OPEN_STATES))


def cases_nominatable_q(user) -> Q:
    """Twin of `can_nominate_case`: the newest approved case of a lecture, not yet nominated,
    below the city: the school's leaders nominate from the school, the cluster head from the
    cluster, the district officer from the district."""
    r = review_roles(user)
    if r.user_id is None:
        return NONE_Q
    who = (
        Q(level=ReviewLevel.SCHOOL, lecture_id__in=_lectures_of_schools(r.leads))
        | Q(level=ReviewLevel.CLUSTER, unit_id__in=r.cluster_head_of)
        | Q(level=ReviewLevel.DISTRICT, unit_id__in=r.officer_of)
    )
    return (
        Q(state=CaseState.APPROVED, nominated_at__isnull=True, record__isnull=True)
        & who
        & ~Q(_later_case_exists())
        & ~Q(_open_case_exists())
        & _not_author_q(r)
    )


@rules.predicate
def can_nominate_case(user, case: ReviewCase) -> bool:
    r = review_roles(user)
    if r.user_id is None or case is None:
        return False
    if case.state != CaseState.APPROVED or case.nominated_at is not None or case.record_id:
        return False
    if case.level == ReviewLevel.SCHOOL:
        allowed = case.lecture.school_id in r.leads
    elif case.level == ReviewLevel.CLUSTER:
        allowed = case.unit_id in r.cluster_head_of
    elif case.level == ReviewLevel.DISTRICT:
        allowed = case.unit_id in r.officer_of
    else:
        allowed = False
    if not allowed or _is_author(r, case):
        return False
    later = ReviewCase.objects.filter(lecture_id=case.lecture_id, pk__gt=case.pk).exists()
    open_ = ReviewCase.objects.filter(lecture_id=case.lecture_id, state__in=OPEN_STATES).exists()
    return not later and not open_


# --- The owner's actions --------------------------------------------------------------------------
# SECURITY: only the lecture's owner (its author) submits, withdraws and resubmits, exactly as
# only they edit it and upload its files (submissions.rules.can_edit_lecture). Co-authors are
# credited and may follow the lecture, but never act on its cases (nor review them: _not_author_q).


def _owner_q(r: ReviewRoles) -> Q:
    return Q(lecture__author_id=r.user_id) | Q(record__owner_id=r.user_id)


def _is_owner(user, case: ReviewCase) -> bool:
    if case is not None and case.record_id:
        return can_edit_record(user, case.record)
    return case is not None and can_edit_lecture(user, case.lecture)


def cases_submittable_q(user) -> Q:
    r = review_roles(user)
    if r.user_id is None:
        return NONE_Q
    return Q(state=CaseState.DRAFT) & _owner_q(r)


@rules.predicate
def can_submit_case(user, case: ReviewCase) -> bool:
    return case is not None and case.state == CaseState.DRAFT and _is_owner(user, case)


def cases_withdrawable_q(user) -> Q:
    """Twin of `can_withdraw_case`: the owner's school-level cases still waiting for a decision."""
    r = review_roles(user)
    if r.user_id is None:
        return NONE_Q
    return Q(state__in=[CaseState.IN_REVIEW, CaseState.DRAFT], level=ReviewLevel.SCHOOL) & _owner_q(r)


@rules.predicate
def can_withdraw_case(user, case: ReviewCase) -> bool:
    return (
        case is not None
        and case.state in (CaseState.IN_REVIEW, CaseState.DRAFT)
        and case.level == ReviewLevel.SCHOOL
        and _is_owner(user, case)
    )


def cases_resubmittable_q(user) -> Q:
    """Twin of `can_resubmit_case`: the owner's returned cases."""
    r = review_roles(user)
    if r.user_id is None:
        return NONE_Q
    return Q(state=CaseState.RETURNED) & _owner_q(r)


@rules.predicate
def can_resubmit_case(user, case: ReviewCase) -> bool:
    return case is not None and case.state == CaseState.RETURNED and _is_owner(user, case)


# Predicate name → queryset twin; the agreement test walks this table.
TWINS = {
    "is_case_reviewer": cases_in_charge_q,
    "can_view_case": cases_visible_q,
    "can_decide_case": cases_reviewable_q,
    "can_assign_members": cases_assignable_q,
    "can_evaluate_case": cases_evaluable_q,
    "can_nominate_case": cases_nominatable_q,
    "can_submit_case": cases_submittable_q,
    "can_withdraw_case": cases_withdrawable_q,
    "can_resubmit_case": cases_resubmittable_q,
}

rules.add_perm("reviews.view_case", can_view_case)
rules.add_perm("reviews.preview_case", can_preview_case)
rules.add_perm("reviews.decide_case", can_decide_case)
rules.add_perm("reviews.assign_members", can_assign_members)
rules.add_perm("reviews.evaluate_case", can_evaluate_case)
rules.add_perm("reviews.nominate_case", can_nominate_case)
rules.add_perm("reviews.withdraw_case", can_withdraw_case)
rules.add_perm("reviews.resubmit_case", can_resubmit_case)
