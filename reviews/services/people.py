"""Who a case waits for (its reviewers, the school's leaders) and who wrote the lecture."""

from __future__ import annotations

from accounts.models import RoleAssignment, Unit

from ..models import ReviewCase, ReviewLevel


def case_reviewers(case: ReviewCase) -> list:
    """The people a case waits for: the department head(s), the school's leaders, or the chair."""
    from accounts.models import User

    if case.level == ReviewLevel.SCHOOL:
        roles = (
            [RoleAssignment.Role.DEPARTMENT_HEAD]
            if case.unit.kind == Unit.Kind.DEPARTMENT
            else [RoleAssignment.Role.PRINCIPAL, RoleAssignment.Role.VICE_PRINCIPAL]
        )
        users = User.objects.filter(roles__role__in=roles, roles__unit=case.unit)
    elif case.record_id:
        # A school plan reported to the district office (its officers) or the city (its leaders).
        role = (
            RoleAssignment.Role.DISTRICT_OFFICER
            if case.level == ReviewLevel.DISTRICT
            else RoleAssignment.Role.CITY_LEADER
        )
        users = User.objects.filter(roles__role=role, roles__unit=case.unit)
    else:
        users = User.objects.filter(
            panel_memberships__panel_id=case.panel_id, panel_memberships__is_chair=True
        )
    return list(users.filter(is_active=True).exclude(pk=case.owner_id).distinct().order_by("pk"))


def school_leaders(case: ReviewCase) -> list:
    from accounts.models import User

    return list(
        User.objects.filter(
            is_active=True,
            roles__role__in=[RoleAssignment.Role.PRINCIPAL, RoleAssignment.Role.VICE_PRINCIPAL],
            roles__unit_id=case.school_id,
        )
        .distinct()
        .order_by("pk")
    )


def _authors(case: ReviewCase) -> list:
    if case.record_id:
        return [case.record.owner]
    return [case.lecture.author, *case.lecture.co_authors.all()]
