"""Who may inspect which unit's approved-lecture list, and which rows they see (DESIGN.md 3, 8).

A list is drawn up for a school, a cluster, a district or the city. It may be inspected by:
- the overseers of that unit or of a unit above it: principals and vice principals (their
  school), cluster heads (their cluster and its schools), district officers (their district
  and its schools); department heads oversee only a department, which has no list;
- the city leader: every unit;
- a city specialist: every unit, but only the rows of their subject.

Teachers, school account administrators and panel members inspect no list: out of scope is 404.

`can_inspect_unit` / `inspectable_units_q` and `can_see_row` / `approved_rows_q` are twins;
tests/reports/test_permissions.py asserts that they agree for every demo role.
"""

from __future__ import annotations

import rules
from django.db.models import Q

from accounts.models import Unit
from accounts.rules import _paths_q, scope_for

LIST_KINDS = (Unit.Kind.SCHOOL, Unit.Kind.CLUSTER, Unit.Kind.DISTRICT, Unit.Kind.CITY)


@rules.predicate
def can_inspect_unit(user, unit: Unit) -> bool:
    scope = scope_for(user)
    if scope.user_id is None or unit is None or unit.kind not in LIST_KINDS or not unit.is_active:
        return False
    return scope.everything or bool(scope.subject_ids) or scope.oversees_path(unit.path)


def inspectable_units_q(user) -> Q:
    """Filter twin of `can_inspect_unit`, on Unit."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Q(pk__in=[])
    base = Q(kind__in=LIST_KINDS, is_active=True)
    if scope.everything or scope.subject_ids:
        return base
    return base & _paths_q("path", scope.unit_paths)


def can_see_row(user, publication) -> bool:
    """Whether a row (an active publication) of an inspected list may show: the lecture's school
    lies in a subtree the user oversees, or its subject is one the specialist follows."""
    scope = scope_for(user)
    if scope.user_id is None:
        return False
    lecture = publication.lecture
    return (
        scope.everything
        or scope.oversees_path(lecture.school.path)
        or lecture.subject_id in scope.subject_ids
    )


def approved_rows_q(user, *, prefix: str = "") -> Q:
    """Filter twin of `can_see_row`, on Publication."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.everything:
        return Q()
    q = _paths_q(f"{prefix}lecture__school__path", scope.unit_paths)
    if scope.subject_ids:
        q |= Q(**{f"{prefix}lecture__subject_id__in": scope.subject_ids})
    return q


rules.add_perm("reports.inspect_unit", can_inspect_unit)


def can_import_catalogue(user) -> bool:
    """The lesson catalogue is kept by the city's leaders and specialists (their subjects) and by
    district officers, who prepare it for their schools."""
    scope = scope_for(user)
    return scope.user_id is not None and (
        scope.everything or bool(scope.subject_ids) or bool(scope.officer_of)
    )


def catalogue_subject_ids(user) -> tuple[int, ...] | None:
    """The subjects whose lessons the user may import: None for every subject, else a
    specialist's own (a specialist who is also an officer or a leader keeps every subject)."""
    scope = scope_for(user)
    if scope.everything or scope.officer_of:
        return None
    return tuple(scope.subject_ids)


# --- Semester reports (seed 002 §4) ------------------------------------------------------------
# A school's principal or vice principal reports for the school, a district officer for the
# district. The office above reads them: a district officer the reports of their schools, the
# city leader every report. Nobody else sees one (404).


def reporting_units_q(user) -> Q:
    """The units the user writes semester reports for (twin of `can_write_report`)."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Q(pk__in=[])
    return Q(kind=Unit.Kind.SCHOOL, pk__in=scope.leads, is_active=True) | Q(
        kind=Unit.Kind.DISTRICT, pk__in=scope.officer_of, is_active=True
    )


def can_write_report(user, unit: Unit) -> bool:
    scope = scope_for(user)
    if scope.user_id is None or unit is None or not unit.is_active:
        return False
    return (unit.kind == Unit.Kind.SCHOOL and unit.pk in scope.leads) or (
        unit.kind == Unit.Kind.DISTRICT and unit.pk in scope.officer_of
    )


def report_visible_q(user, *, prefix: str = "") -> Q:
    """Filter twin of `can_view_report`, on SemesterReport."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.everything:
        return Q()
    q = Q(**{f"{prefix}unit_id__in": list(scope.leads | scope.officer_of)})
    if scope.officer_of:
        districts = Unit.objects.filter(pk__in=scope.officer_of).values_list("path", flat=True)
        q |= _paths_q(f"{prefix}unit__path", list(districts))
    return q


def can_view_report(user, report) -> bool:
    scope = scope_for(user)
    if scope.user_id is None or report is None:
        return False
    if scope.everything or can_write_report(user, report.unit):
        return True
    return any(
        report.unit.path.startswith(path)
        for path in Unit.objects.filter(pk__in=scope.officer_of).values_list("path", flat=True)
    )
