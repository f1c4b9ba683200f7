"""Reads of people and units, each filtered by its twin predicate in rules.py."""

from django.db.models import Prefetch, Q, QuerySet

from elearning.text import vi_collate

from .models import GRADE_CHOICES, GRADES_BY_LEVEL, AccountEvent, ImportBatch, RoleAssignment, Unit, User
from .rules import account_manageable_q, scope_for, unit_visible_q, user_visible_q


def users_visible_to(viewer, *, query: str = "", unit_id=None) -> QuerySet[User]:
    users = User.objects.filter(user_visible_q(viewer))
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(full_name__icontains=query) | Q(email__icontains=query)
        )
    if unit_id and str(unit_id).isdigit():
        unit = Unit.objects.filter(unit_visible_q(viewer), pk=unit_id).first()
        if unit is not None:
            users = users.filter(roles__unit__path__startswith=unit.path).distinct()
    # The list shows every person's roles and units: fetched in one more query, not one per row.
    roles = RoleAssignment.objects.select_related("unit", "subject").order_by("unit__path", "role")
    return users.order_by(vi_collate("full_name"), "username").prefetch_related(
        Prefetch("roles", queryset=roles)
    )


def units_visible_to(viewer) -> QuerySet[Unit]:
    return Unit.objects.filter(unit_visible_q(viewer)).order_by("path")


def import_batches_of(user) -> QuerySet[ImportBatch]:
    """The user's own import batches, without their files (up to 5 MB each, read only by tasks)."""
    return ImportBatch.objects.filter(created_by=user).defer("content")


def account_events_visible_to(viewer, *, user: User | None = None) -> QuerySet[AccountEvent]:
    """The audit trail of the accounts the viewer manages (`account_manageable_q`, the twin of
    `can_manage_account`), newest first; with `user`, that account's only."""
    events = AccountEvent.objects.filter(user__in=User.objects.filter(account_manageable_q(viewer)))
    if user is not None:
        events = events.filter(user=user)
    return events.select_related("actor", "unit", "subject").order_by("-at", "-pk")


def grade_choices_for(user) -> list[tuple[int, str]]:
    """The grades a person works with, for grade filters: those of the school levels of the
    units they hold roles in (a lower-secondary department: 6–9), of the role's own level when
    it names one, of the schools under a district or cluster, and of their panels. Everyone else
    (the city, a person without a role) gets 1–12. Read from the request's scope (its roles and
    panels); one query for an office above schools."""
    levels: set[str] = set()
    offices = []
    every_level = False
    scope = scope_for(user)
    for assignment in scope.assignments:
        if assignment.school_level:
            levels.add(assignment.school_level)
        elif assignment.unit_kind in (Unit.Kind.SCHOOL, Unit.Kind.DEPARTMENT) and assignment.unit_levels:
            levels.update(assignment.unit_levels)
        elif assignment.unit_kind in (Unit.Kind.DISTRICT, Unit.Kind.CLUSTER):
            offices.append(assignment.unit_path)
        else:
            every_level = True
    levels.update(m.school_level for m in scope.memberships)
    if offices and not every_level:
        under = Q()
        for path in offices:
            under |= Q(path__startswith=path)
        for school_levels in Unit.objects.filter(under, kind=Unit.Kind.SCHOOL).values_list(
            "levels", flat=True
        ):
            levels.update(school_levels)
    grades = sorted({g for level in levels if level in GRADES_BY_LEVEL for g in GRADES_BY_LEVEL[level]})
    if every_level or not grades:
        grades = list(range(1, 13))
    return [(g, label) for g, label in GRADE_CHOICES if g in grades]
