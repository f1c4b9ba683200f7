"""The figures of a semester report: simple counts from the review cases of the unit's schools in
the period, and the approved-lecture list of reports.selectors for the same unit and period.

A case counts in the period when it was opened in it (submitted, resubmitted or nominated at its
level); a decision counts when it was taken in it. Richer figures (turnaround, coverage) belong to
the dashboards; the report keeps to what the letter asks: what was submitted and approved.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit
from reviews.models import CaseState, ReviewCase, ReviewLevel
from submissions.calendar_selectors import effective_calendar
from submissions.models import AcademicYear

from ..selectors import ListQuery, Period, Row, approved_rows, rows_of


def report_period(year: AcademicYear, period: str, unit: Unit | None = None) -> Period:
    """Semester I, or the whole year: the same periods as the approved lists; semester I ends
    when `unit`'s district ends it (`effective_calendar`), else when the city does."""
    if period == "semester1":
        label = _("Học kì I năm học %(y)s") % {"y": year.name}
        first, last = effective_calendar(year, unit).semester(1)
        return Period("semester1", label, None, first, last, year.pk)
    label = _("Năm học %(y)s") % {"y": year.name}
    return Period("year", label, None, year.starts_on, year.ends_on, year.pk)


@dataclass
class LevelLine:
    level: str
    label: str
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    rejected: int = 0
    in_review: int = 0


@dataclass
class SchoolLine:
    school: str
    submitted: int = 0
    approved: int = 0


@dataclass
class Figures:
    starts_on: datetime.date
    ends_on: datetime.date
    levels: list[LevelLine] = field(default_factory=list)
    schools: list[SchoolLine] = field(default_factory=list)
    lectures_submitted: int = 0
    approved_total: int = 0

    def as_json(self) -> dict:
        data = asdict(self)
        data["starts_on"], data["ends_on"] = self.starts_on.isoformat(), self.ends_on.isoformat()
        return data


def _in(field_name: str, starts_on, ends_on) -> Q:
    return Q(**{f"{field_name}__date__gte": starts_on, f"{field_name}__date__lte": ends_on})


def semester_figures(*, unit: Unit, period: Period, rows: list[Row]) -> Figures:
    """Counts per review level (one grouped query) and, for a district, per school (one more)."""
    starts_on, ends_on = period.starts_on, min(period.ends_on, timezone.localdate())
    cases = ReviewCase.objects.filter(lecture__school__path__startswith=unit.path)
    opened = _in("opened_at", starts_on, ends_on)
    decided = _in("decided_at", starts_on, ends_on)
    per_level = {
        row["level"]: row
        for row in cases.values("level").annotate(
            submitted=Count("pk", filter=opened),
            approved=Count("pk", filter=decided & Q(state=CaseState.APPROVED)),
            returned=Count("pk", filter=decided & Q(state__in=[CaseState.RETURNED, CaseState.RESUBMITTED])),
            rejected=Count("pk", filter=decided & Q(state=CaseState.REJECTED)),
            in_review=Count("pk", filter=opened & Q(state=CaseState.IN_REVIEW)),
        )
    }
    levels = []
    for value, label in ReviewLevel.choices:
        counts = per_level.get(value, {})
        levels.append(
            LevelLine(
                value,
                str(label),
                **{
                    k: counts.get(k, 0)
                    for k in ("submitted", "approved", "returned", "rejected", "in_review")
                },
            )
        )
    lectures_submitted = (
        cases.filter(opened, level=ReviewLevel.SCHOOL, previous__isnull=True)
        .values("lecture_id")
        .distinct()
        .count()
    )
    figures = Figures(
        starts_on, ends_on, levels, lectures_submitted=lectures_submitted, approved_total=len(rows)
    )
    if unit.kind != Unit.Kind.SCHOOL:
        approved_by_school: dict[str, int] = {}
        for row in rows:
            approved_by_school[row.school] = approved_by_school.get(row.school, 0) + 1
        submitted = dict(
            cases.filter(opened, level=ReviewLevel.SCHOOL, previous__isnull=True)
            .values_list("lecture__school__name")
            .annotate(n=Count("lecture_id", distinct=True))
        )
        schools = Unit.objects.filter(kind=Unit.Kind.SCHOOL, is_active=True, path__startswith=unit.path)
        for school in schools.order_by("path"):
            short = school.name[len("Trường ") :] if school.name.startswith("Trường ") else school.name
            figures.schools.append(
                SchoolLine(short, submitted.get(school.name, 0), approved_by_school.get(short, 0))
            )
    return figures


def approved_list_rows(*, user, unit: Unit, period: Period) -> list[Row]:
    """The approved lectures of the unit in the period, as the report's author may see them."""
    return rows_of(approved_rows(user, ListQuery(unit=unit, period=period)).iterator(chunk_size=2000))
