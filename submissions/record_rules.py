"""Who may inspect a professional record: seed 001, 2.3, exactly, as a predicate beside its twin.

- the owner sees their own records;
- a department (group) head: the records of their department (its plan, its teachers' plans);
- the school's leadership (principal, vice principals): every record of the school;
- a district office account: every record of the district's schools;
- a city specialist: the records of departments and teachers of their subject, city-wide
  (a department plan counts when the department teaches the subject);
- city leaders: everything.
Each level applies only to kinds whose catalogue row lists it in `inspect_levels`. A cluster
head has no inspection right on records (seed 001 gives none). The `tests/records` matrix walks
every demo role × kind × scope and asserts the predicate and the filter agree.
"""

from __future__ import annotations

import rules
from django.db.models import Q

from accounts.models import Unit
from accounts.rules import scope_for

NONE_Q = Q(pk__in=[])


def _kind_ids(level: str) -> set[int]:
    from .record_models import RecordKind

    return {
        pk for pk, levels in RecordKind.objects.values_list("pk", "inspect_levels") if level in (levels or [])
    }


def _district_paths(ids) -> list[str]:
    return list(Unit.objects.filter(pk__in=ids).values_list("path", flat=True)) if ids else []


def record_visible_q(user, *, prefix: str = "") -> Q:
    """Filter twin of `can_view_record` (prefix e.g. "record__" on review cases)."""
    scope = scope_for(user)
    if scope.user_id is None:
        return NONE_Q
    if scope.everything:
        return Q()
    p = prefix
    q = Q(**{f"{p}owner_id": scope.user_id})
    if scope.head_of:
        q |= Q(**{f"{p}department_id__in": scope.head_of, f"{p}kind_id__in": _kind_ids("department")})
    if scope.leads:
        q |= Q(**{f"{p}school_id__in": scope.leads, f"{p}kind_id__in": _kind_ids("school")})
    paths = _district_paths(scope.officer_of)
    if paths:
        in_district = NONE_Q
        for path in paths:
            in_district |= Q(**{f"{p}school__path__startswith": path})
        q |= in_district & Q(**{f"{p}kind_id__in": _kind_ids("district")})
    if scope.subject_ids:
        teaching = Unit.objects.filter(subjects__id__in=scope.subject_ids).values("pk")
        q |= Q(
            **{f"{p}kind_id__in": _kind_ids("city"), f"{p}kind__unit_level__in": ["department", "teacher"]}
        ) & (
            Q(**{f"{p}subject_id__in": scope.subject_ids})
            | Q(**{f"{p}subject__isnull": True, f"{p}department_id__in": teaching})
        )
    return q


@rules.predicate
def can_view_record(user, record) -> bool:
    scope = scope_for(user)
    if scope.user_id is None or record is None:
        return False
    if scope.everything or record.owner_id == scope.user_id:
        return True
    kind = record.kind
    levels = kind.inspect_levels or []
    if "department" in levels and record.department_id is not None and record.department_id in scope.head_of:
        return True
    if "school" in levels and record.school_id in scope.leads:
        return True
    if "district" in levels and any(
        record.school.path.startswith(p) for p in _district_paths(scope.officer_of)
    ):
        return True
    if "city" in levels and scope.subject_ids and kind.unit_level in ("department", "teacher"):
        if record.subject_id is not None:
            return record.subject_id in scope.subject_ids
        return (
            record.department is not None
            and record.department.subjects.filter(pk__in=scope.subject_ids).exists()
        )
    return False


def record_editable_q(user) -> Q:
    """Filter twin of `can_edit_record`: the owner's records."""
    scope = scope_for(user)
    return NONE_Q if scope.user_id is None else Q(owner_id=scope.user_id)


@rules.predicate
def can_edit_record(user, record) -> bool:
    """SECURITY: only the owner submits and resubmits a record, as only the author acts on a lecture."""
    scope = scope_for(user)
    return record is not None and scope.user_id is not None and record.owner_id == scope.user_id


@rules.predicate
def can_follow_compliance(user) -> bool:
    """Whether the user follows records compliance of some schools: the school's leaders, a
    district office, city leaders (reports.compliance.compliance_schools_q is the twin)."""
    scope = scope_for(user)
    return scope.user_id is not None and (scope.everything or bool(scope.leads) or bool(scope.officer_of))


rules.add_perm("submissions.view_record", can_view_record)
rules.add_perm("submissions.edit_record", can_edit_record)
