"""The dates of an academic year as a unit lives them: the city's, with its district's own end
of semester I and make-up weeks where the district set them (`DistrictCalendar`).

Everything that computes dates from a year for a school, a district or the city (the standard
windows, the semester periods of lists and reports) goes through `effective_calendar`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from accounts.models import Unit

from .calendar_models import DistrictCalendar
from .models import AcademicYear


@dataclass(frozen=True)
class EffectiveCalendar:
    year: AcademicYear
    district: Unit | None
    starts_on: datetime.date
    semester1_ends_on: datetime.date
    ends_on: datetime.date
    makeup1_starts_on: datetime.date | None
    makeup2_starts_on: datetime.date | None
    # The fields the district set itself (the others are the city's).
    own: frozenset[str] = frozenset()

    @property
    def semester2_starts_on(self) -> datetime.date:
        return self.semester1_ends_on + datetime.timedelta(days=1)

    def semester(self, number: int) -> tuple[datetime.date, datetime.date]:
        """(first day, last day) of semester I or II."""
        if number == 1:
            return self.starts_on, self.semester1_ends_on
        return self.semester2_starts_on, self.ends_on


def district_of(unit: Unit | None) -> Unit | None:
    """The district `unit` is in (itself for a district); None for the city and for the schools
    that report to the city directly (one query at most)."""
    if unit is None or unit.kind == Unit.Kind.CITY:
        return None
    if unit.kind == Unit.Kind.DISTRICT:
        return unit
    return Unit.objects.filter(pk__in=unit.ancestor_ids, kind=Unit.Kind.DISTRICT).first()


def combine(year: AcademicYear, district: Unit | None, own: DistrictCalendar | None) -> EffectiveCalendar:
    """The city's dates of `year` with the dates `own` sets (no query)."""
    values = {f: getattr(year, f) for f in DistrictCalendar.DATE_FIELDS}
    set_here = frozenset(f for f in DistrictCalendar.DATE_FIELDS if own is not None and getattr(own, f))
    for field in set_here:
        values[field] = getattr(own, field)
    return EffectiveCalendar(
        year=year, district=district, starts_on=year.starts_on, ends_on=year.ends_on, own=set_here, **values
    )


def effective_calendar(year: AcademicYear, unit: Unit | None = None) -> EffectiveCalendar:
    """The dates of `year` for `unit` (a school, a department, a cluster, a district, the city or
    None for the city): the city's, overridden by the unit's district where it set its own."""
    district = district_of(unit)
    own = None
    if district is not None:
        own = DistrictCalendar.objects.filter(year=year, district=district).first()
    return combine(year, district, own)


def district_calendars(districts: list[Unit]) -> dict[tuple[int, int], DistrictCalendar]:
    """The districts' own dates for every year, by (year id, district id), in one query."""
    rows = DistrictCalendar.objects.filter(district__in=districts)
    return {(row.year_id, row.district_id): row for row in rows}


def years_with_own_dates(unit: Unit | None) -> list[tuple[AcademicYear, DistrictCalendar | None]]:
    """Every year, newest first, each with the own dates of `unit`'s district (None where it set
    none), in one query: the dates are subqueries of the year's row."""
    years = AcademicYear.objects.order_by("-starts_on")
    if unit is None or unit.kind == Unit.Kind.CITY:
        return [(year, None) for year in years]
    own = DistrictCalendar.objects.filter(district_id__in=unit.ancestor_ids, year=OuterRef("pk"))
    fields = DistrictCalendar.DATE_FIELDS
    years = years.annotate(**{f"own_{f}": Subquery(own.values(f)[:1]) for f in fields})
    result = []
    for year in years:
        dates = {f: getattr(year, f"own_{f}") for f in fields}
        result.append((year, DistrictCalendar(year=year, **dates) if any(dates.values()) else None))
    return result
