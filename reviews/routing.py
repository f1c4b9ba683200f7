"""Where a lecture goes for review: the school's reporting line (DESIGN.md sections 3 and 5)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import Panel, RoleAssignment, Unit

from .models import ReviewLevel

LEVEL_OF_UNIT_KIND = {
    Unit.Kind.SCHOOL: ReviewLevel.SCHOOL,
    Unit.Kind.DEPARTMENT: ReviewLevel.SCHOOL,
    Unit.Kind.CLUSTER: ReviewLevel.CLUSTER,
    Unit.Kind.DISTRICT: ReviewLevel.DISTRICT,
    Unit.Kind.CITY: ReviewLevel.CITY,
}


class RoutingError(ValueError):
    """No unit or panel can receive the lecture; the message says why, in Vietnamese."""


def school_review_unit(lecture) -> Unit:
    """The department reviews (its head), unless the author heads it: then the school (its leaders)."""
    author_heads_department = RoleAssignment.objects.filter(
        user_id=lecture.author_id, role=RoleAssignment.Role.DEPARTMENT_HEAD, unit_id=lecture.department_id
    ).exists()
    return lecture.school if author_heads_department else lecture.department


def next_panel(lecture, current_unit: Unit) -> Panel:
    """The panel of the next unit above `current_unit` on the school's reporting line that has a
    panel for the lecture's subject and school level."""
    line = lecture.school.reporting_line()  # nearest first
    ids = [unit.pk for unit in line]
    start = ids.index(current_unit.pk) + 1 if current_unit.pk in ids else 0
    for unit in line[start:]:
        panel = Panel.objects.filter(
            unit=unit, subject_id=lecture.subject_id, school_level=lecture.school_level
        ).first()
        if panel is not None:
            return panel
    raise RoutingError(
        _("Chưa có hội đồng bộ môn %(subject)s (%(level)s) ở cấp trên để nhận bài giảng này.")
        % {"subject": lecture.subject.name, "level": lecture.get_school_level_display()}
    )


def record_review_target(record) -> tuple[str, Unit]:
    """Where a record goes, by its kind's route (seed 001, 2.2): the department head (or the
    school's leaders when the owner heads the department), the school's leaders, or, for a plan
    reported upward, the district office (lower-secondary schools) or the city (schools with an
    upper-secondary level, which report to the city directly)."""
    from submissions.models import RecordRoute

    route = record.kind.route
    if route == RecordRoute.DEPARTMENT_HEAD:
        owner_heads = RoleAssignment.objects.filter(
            user_id=record.owner_id, role=RoleAssignment.Role.DEPARTMENT_HEAD, unit_id=record.unit_id
        ).exists()
        if record.department_id and not owner_heads:
            return ReviewLevel.SCHOOL, record.department
        return ReviewLevel.SCHOOL, record.school
    if route == RecordRoute.SCHOOL_LEADERS:
        return ReviewLevel.SCHOOL, record.school
    school = record.school
    ancestors = list(school.ancestors(include_self=False))
    if "upper_secondary" not in (school.levels or []):
        district = next((u for u in ancestors if u.kind == Unit.Kind.DISTRICT), None)
        if district is not None:
            return ReviewLevel.DISTRICT, district
    city = next((u for u in ancestors if u.kind == Unit.Kind.CITY), None)
    if city is None:
        raise RoutingError(_("Trường chưa thuộc Sở GDĐT nào để nhận kế hoạch giáo dục."))
    return ReviewLevel.CITY, city
