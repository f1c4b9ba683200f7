"""The dashboards of DESIGN.md 8: figures of a unit (school, cluster, district, city) for the
people who oversee it, as charts and as the same figures in tables and an Excel workbook.

The figures of a scope are computed by a few grouped queries and kept in the cache under the
unit's generation (elearning.figures_cache): the services that submit, decide, nominate,
withdraw, publish and retract raise the generation of the lecture's school and every unit above
it after their commit, so a page view at city scale reads the cache instead of scanning every
publication. Usage counts and overdue cases also move with time: an entry lives at most
`TIMEOUT` seconds and is keyed by the day.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from elearning.figures_cache import generation

from . import cases, coverage, usage
from .scope import DashboardScope, Table, dashboard_scope, may_set_target

__all__ = [
    "DashboardScope",
    "Figures",
    "Table",
    "cache_key",
    "dashboard_scope",
    "figures_of",
    "may_set_target",
]

TIMEOUT = 15 * 60
VERSION = 1  # raise when the shape of the cached figures changes


@dataclass(frozen=True)
class Figures:
    tables: dict[str, Table]
    coverage_raw: dict
    computed_at: object


def compute(dscope: DashboardScope) -> Figures:
    today = timezone.localdate()
    coverage_table, raw = coverage.coverage(dscope)
    tables = [
        cases.cases_by_level(dscope),
        cases.cases_by_window(dscope),
        cases.overdue_by_unit(dscope),
        cases.turnaround(dscope),
        cases.by_school(dscope),
        cases.by_subject(dscope),
        cases.silent_schools(dscope),
        coverage_table,
        coverage.roadmap(raw, today),
        usage.usage_by_month(dscope, today),
        *usage.usage_by_unit(dscope),
        usage.top_lectures(dscope),
    ]
    return Figures({t.key: t for t in tables}, raw, timezone.now())


def cache_key(dscope: DashboardScope) -> str:
    return (
        f"dashboard:v{VERSION}:{dscope.cache_part}:g{generation(dscope.unit.path)}:"
        f"{timezone.localdate().isoformat()}:{get_language()}"
    )


def figures_of(dscope: DashboardScope, key: str | None = None) -> Figures:
    """The scope's figures, from the cache when its generation has not moved (`key`: its
    `cache_key`, when the caller has read it already)."""
    key = key or cache_key(dscope)
    figures = cache.get(key)
    if figures is None:
        figures = compute(dscope)
        cache.set(key, figures, TIMEOUT)
    return figures


def with_target(figures: Figures, target: int) -> list[Table]:
    """Every table in page order, with the online-share table for the unit's current target
    (read per view: changing the target needs no cache clearing)."""
    today = timezone.localdate()
    tables = list(figures.tables.values())
    index = [t.key for t in tables].index("roadmap") + 1
    tables.insert(index, coverage.online_share(figures.coverage_raw, target, today))
    return tables


def charts(tables: dict[str, Table]) -> list[dict]:
    """What static/js/dashboard.js draws, built from the same tables the page shows."""
    result = []
    levels = tables["cases_by_level"]
    state_names = levels.columns[1:-1]
    result.append(
        {
            "id": "chart-cases",
            "type": "bar",
            "stacked": True,
            "labels": [r[0] for r in levels.rows],
            "datasets": [
                {"label": name, "data": [r[i + 1] for r in levels.rows]} for i, name in enumerate(state_names)
            ],
        }
    )
    subjects = tables["by_subject"]
    result.append(
        {
            "id": "chart-subjects",
            "type": "bar",
            "labels": [r[0] for r in subjects.rows],
            "datasets": [
                {"label": subjects.columns[1], "data": [r[1] for r in subjects.rows]},
                {"label": subjects.columns[2], "data": [r[2] for r in subjects.rows]},
            ],
        }
    )
    cov = tables["coverage"]
    result.append(
        {
            "id": "chart-coverage",
            "type": "bar",
            "horizontal": True,
            "max": 100,
            "labels": [f"{r[0]} – {r[1]}" for r in cov.rows],
            "datasets": [{"label": cov.columns[4], "data": [r[4] or 0 for r in cov.rows]}],
        }
    )
    months = tables["usage_by_month"]
    result.append(
        {
            "id": "chart-usage",
            "type": "line",
            "labels": [r[0] for r in months.rows],
            "datasets": [
                {"label": months.columns[1], "data": [r[1] for r in months.rows]},
                {"label": months.columns[2], "data": [r[2] for r in months.rows]},
            ],
        }
    )
    return result
