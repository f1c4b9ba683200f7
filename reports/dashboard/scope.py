"""What one dashboard covers: a unit the user may inspect, and for a city specialist who does not
oversee it, only the subjects they follow (the same reach as reports.rules)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from accounts.models import Unit
from accounts.rules import scope_for

from ..rules import can_inspect_unit


@dataclass(frozen=True)
class Table:
    """One block of figures: what the page draws as a table (caption, column headers, rows whose
    first cell heads the row) and what the Excel export writes as a sheet."""

    key: str
    caption: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""

    @property
    def header(self) -> list[tuple[str, bool]]:
        """(column name, whether it holds figures): figures are right-aligned, text is not."""
        return [
            (name, i > 0 and all(isinstance(r[i], int | float | type(None)) for r in self.rows))
            for i, name in enumerate(self.columns)
        ]


@dataclass(frozen=True)
class DashboardScope:
    unit: Unit
    subject_ids: tuple[int, ...] = ()  # empty: every subject

    def lectures_q(self, prefix: str = "") -> Q:
        """Lectures (through `prefix`) of the unit's schools, in the scope's subjects."""
        q = Q(**{f"{prefix}school__path__startswith": self.unit.path})
        if self.subject_ids:
            q &= Q(**{f"{prefix}subject_id__in": self.subject_ids})
        return q

    def subjects_q(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}pk__in": self.subject_ids}) if self.subject_ids else Q()

    @property
    def cache_part(self) -> str:
        return f"{self.unit.pk}:{','.join(map(str, self.subject_ids)) or 'all'}"


def dashboard_scope(user, unit: Unit | None) -> DashboardScope | None:
    """The scope of `unit`'s dashboard for `user`, or None when the user may not see it (404)."""
    # SECURITY: the same predicate as the approved lists; a specialist who does not oversee the
    # unit is held to their subjects, so no figure of another subject reaches them.
    if unit is None or not can_inspect_unit(user, unit):
        return None
    scope = scope_for(user)
    if scope.everything or scope.oversees_path(unit.path):
        return DashboardScope(unit=unit)
    if not scope.subject_ids:
        return None
    return DashboardScope(unit=unit, subject_ids=tuple(scope.subject_ids))


def may_set_target(user, unit: Unit) -> bool:
    """Who sets a unit's online-share target: those who oversee it (not a subject specialist)."""
    scope = scope_for(user)
    return scope.user_id is not None and (scope.everything or scope.oversees_path(unit.path))


def schools_of(dscope: DashboardScope):
    return Unit.objects.filter(
        kind=Unit.Kind.SCHOOL, is_active=True, path__startswith=dscope.unit.path
    ).order_by("path")
