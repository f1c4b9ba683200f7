"""Reads of professional records, each filtered by the inspection rule of `record_rules`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from .models import AcademicYear
from .record_models import Record, RecordKind, RecordStatus
from .record_rules import record_visible_q

RECORD_RELATED = ("kind", "owner", "unit", "school", "department", "year", "subject")


def current_year(today: datetime.date | None = None) -> AcademicYear | None:
    """The school year that contains today, else the latest one that started."""
    today = today or timezone.localdate()
    year = (
        AcademicYear.objects.filter(starts_on__lte=today, ends_on__gte=today).order_by("-starts_on").first()
    )
    return year or AcademicYear.objects.filter(starts_on__lte=today).order_by("-starts_on").first()


def records_visible_to(user) -> QuerySet[Record]:
    return Record.objects.select_related(*RECORD_RELATED).filter(record_visible_q(user))


def record_for(user, pk) -> Record | None:
    """The record if the user may inspect it (None: out of scope, a 404)."""
    return records_visible_to(user).filter(pk=pk).first()


def records_of(user) -> QuerySet[Record]:
    return Record.objects.select_related(*RECORD_RELATED).filter(owner=user, is_current=True)


@dataclass
class DueItem:
    """A yearly plan the user owes and has not yet opened, for the "Hồ sơ chuyên môn" page."""

    kind: RecordKind
    unit: object
    due_on: datetime.date
    late: bool


def plans_due(
    user, year: AcademicYear | None, units_for, today: datetime.date | None = None, kinds=None
) -> list[DueItem]:
    """Yearly kinds the user submits (`units_for(user, kind)`: their units) with no record yet.
    `kinds`: the active kinds if the caller has read them already."""
    if year is None:
        return []
    today = today or timezone.localdate()
    if kinds is None:
        kinds = list(RecordKind.objects.filter(is_active=True))
    yearly = [kind for kind in kinds if not kind.is_per_lesson]
    prefetch_related_objects(yearly, "deadlines")
    units = {kind.pk: units_for(user, kind) for kind in yearly}
    # The user's own records and their units' (a school's or a department's plan is anyone's
    # there), in one read limited to those units.
    unit_ids = {unit.pk for listed in units.values() for unit in listed}
    have, have_units = set(), set()
    for kind_id, unit_id, owner_id in (
        Record.objects.filter(year=year, is_current=True)
        .filter(Q(owner=user) | Q(unit_id__in=unit_ids))
        .values_list("kind_id", "unit_id", "owner_id")
    ):
        have_units.add((kind_id, unit_id))
        if owner_id == user.pk:
            have.add((kind_id, unit_id))
    items = []
    for kind in yearly:
        for unit in units[kind.pk]:
            owned = (kind.pk, unit.pk) in (
                have if kind.unit_level == RecordKind.UnitLevel.TEACHER else have_units
            )
            if not owned:
                due = kind.deadline_for(year)
                items.append(DueItem(kind=kind, unit=unit, due_on=due, late=today > due))
    return items


def record_counts(user) -> dict[str, int]:
    """The user's current records returned for changes and in review (one query)."""
    return Record.objects.filter(owner=user, is_current=True).aggregate(
        returned=Count("pk", filter=Q(status=RecordStatus.RETURNED)),
        in_review=Count("pk", filter=Q(status=RecordStatus.IN_REVIEW)),
    )
