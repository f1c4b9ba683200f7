"""Professional records compliance (seed 001, 2.2; DESIGN.md 7, 8): per school, department and
teacher, the plans submitted by their deadline, late or missing, and the lesson plans approved
before their teaching date, approved late, or missing (the teaching date passed unapproved).

Read from the summary the review services keep on each `Record` (never from the cases). Who
sees which schools: the school's leaders (their school), a district officer (the district's
schools), city leaders (every school); anyone else has no compliance page (404).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, Q
from django.utils import timezone

from accounts.models import RoleAssignment, Unit
from accounts.rules import _paths_q, scope_for
from submissions.models import AcademicYear, Record, RecordKind, RecordStatus
from submissions.record_rules import can_follow_compliance

Role = RoleAssignment.Role


def compliance_schools_q(user) -> Q:
    """The schools whose compliance the user follows (twin of `can_follow_compliance`)."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Q(pk__in=[])
    base = Q(kind=Unit.Kind.SCHOOL, is_active=True)
    if scope.everything:
        return base
    return base & (Q(pk__in=scope.leads) | _paths_q("path", scope.officer_paths))


@dataclass
class Counts:
    plans_on_time: int = 0
    plans_late: int = 0
    plans_missing: int = 0
    lessons_on_time: int = 0
    lessons_late: int = 0
    lessons_missing: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def plans_total(self) -> int:
        return self.plans_on_time + self.plans_late + self.plans_missing


@dataclass
class Row:
    level: str  # "school", "department", "teacher"
    name: str
    school: str
    counts: Counts = field(default_factory=Counts)


def _plan(counts: Counts, record: Record | None) -> None:
    if record is None or record.first_submitted_at is None:
        counts.plans_missing += 1
    elif record.submitted_late:
        counts.plans_late += 1
    else:
        counts.plans_on_time += 1


def _lesson(counts: Counts, record: Record, today: datetime.date) -> None:
    if record.status == RecordStatus.APPROVED:
        if record.approved_late:
            counts.lessons_late += 1
        else:
            counts.lessons_on_time += 1
    elif record.teaching_date is not None and record.teaching_date < today:
        counts.lessons_missing += 1


def compliance_rows(user, year: AcademicYear, *, today: datetime.date | None = None) -> list[Row]:
    """School rows, each followed by its departments and their teachers, in the user's scope."""
    today = today or timezone.localdate()
    schools = list(Unit.objects.filter(compliance_schools_q(user)).order_by("name"))
    if not schools:
        return []
    school_ids = [s.pk for s in schools]
    departments = list(
        Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, is_active=True, parent_id__in=school_ids).order_by(
            "name"
        )
    )
    teachers = defaultdict(list)  # department id → users
    for ra in (
        RoleAssignment.objects.filter(role=Role.TEACHER, unit__in=departments, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name")
    ):
        if ra.user not in teachers[ra.unit_id]:
            teachers[ra.unit_id].append(ra.user)
    kinds = {k.code: k for k in RecordKind.objects.filter(is_active=True)}
    records = list(
        Record.objects.filter(year=year, is_current=True, school_id__in=schools).select_related("kind")
    )
    by_key = {}
    lessons = defaultdict(list)  # (department id, owner id) → lesson plans
    for r in records:
        if r.kind.is_per_lesson:
            lessons[(r.department_id, r.owner_id)].append(r)
        else:
            by_key[(r.kind.code, r.unit_id, r.owner_id if r.kind.unit_level == "teacher" else None)] = r
    rows = []
    for school in schools:
        school_row = Row("school", school.name, school.name)
        rows.append(school_row)
        if "school_plan" in kinds:
            _plan(school_row.counts, by_key.get(("school_plan", school.pk, None)))
        for dept in [d for d in departments if d.parent_id == school.pk]:
            dept_row = Row("department", dept.name, school.name)
            if "department_plan" in kinds:
                _plan(dept_row.counts, by_key.get(("department_plan", dept.pk, None)))
            teacher_rows = []
            for teacher in teachers[dept.pk]:
                row = Row("teacher", teacher.get_full_name(), school.name)
                if "teacher_plan" in kinds:
                    _plan(row.counts, by_key.get(("teacher_plan", dept.pk, teacher.pk)))
                for lesson in lessons.get((dept.pk, teacher.pk), []):
                    _lesson(row.counts, lesson, today)
                dept_row.counts.add(row.counts)
                teacher_rows.append(row)
            school_row.counts.add(dept_row.counts)
            rows.append(dept_row)
            rows.extend(teacher_rows)
    return rows


def compliance_summary(user, year: AcademicYear | None) -> Counts | None:
    """The totals of the user's schools, for the home page card: the sum of `compliance_rows`'
    school rows, read in three queries (the schools with their departments, the departments'
    teachers, the records) rather than five."""
    if year is None or not can_follow_compliance(user):
        return None
    today = timezone.localdate()
    schools_q = compliance_schools_q(user)
    schools = Unit.objects.filter(schools_q).values("pk")
    kinds = RecordKind.objects.filter(is_active=True)
    units = list(
        Unit.objects.filter(
            schools_q | Q(kind=Unit.Kind.DEPARTMENT, is_active=True, parent_id__in=schools)
        ).values_list(
            "pk",
            "kind",
            # Which plans are asked for (the active kinds), on every row rather than in a query.
            Exists(kinds.filter(code="school_plan")),
            Exists(kinds.filter(code="department_plan")),
            Exists(kinds.filter(code="teacher_plan")),
        )
    )
    total = Counts()
    if not units:
        return total
    asks = {"school_plan": units[0][2], "department_plan": units[0][3], "teacher_plan": units[0][4]}
    school_ids = {pk for pk, kind, *_ in units if kind == Unit.Kind.SCHOOL}
    department_ids = {pk for pk, kind, *_ in units if kind == Unit.Kind.DEPARTMENT}
    departments = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, is_active=True, parent_id__in=schools)
    teachers = set(
        RoleAssignment.objects.filter(
            role=Role.TEACHER, unit_id__in=departments.values("pk"), user__is_active=True
        ).values_list("unit_id", "user_id")
    )
    plans, lessons = {}, []
    for r in Record.objects.filter(year=year, is_current=True, school_id__in=schools).select_related("kind"):
        if r.kind.is_per_lesson:
            if (r.department_id, r.owner_id) in teachers:
                lessons.append(r)
        else:
            plans[(r.kind.code, r.unit_id, r.owner_id if r.kind.unit_level == "teacher" else None)] = r
    if asks["school_plan"]:
        for pk in school_ids:
            _plan(total, plans.get(("school_plan", pk, None)))
    if asks["department_plan"]:
        for pk in department_ids:
            _plan(total, plans.get(("department_plan", pk, None)))
    if asks["teacher_plan"]:
        for department_id, teacher_id in teachers:
            _plan(total, plans.get(("teacher_plan", department_id, teacher_id)))
    for lesson in lessons:
        _lesson(total, lesson, today)
    return total
