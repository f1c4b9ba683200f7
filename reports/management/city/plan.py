"""How big each part of the city is at a scale, and what happens to each lecture (its story).

At scale 1: 15 districts, 14 clusters of upper-secondary schools, 700 schools with 8 departments
each, 30,000 users, 150,000 lectures, about 300,000 versions and as many review cases, about
200,000 publications and a million usage rows. The story mix below gives per lecture about 2
versions, 2 cases and 1.3 publications; the exact totals are those of `Plan.totals`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

A, R, RS, IR, RJ, W, D = "approved", "returned", "resubmitted", "in_review", "rejected", "withdrawn", "draft"


@dataclass(frozen=True)
class Step:
    """One review case of a story: level index (0 school, 1 cluster/district, 2 city), state,
    version number, and flags: n = nominated upwards, s = its publication was superseded by a
    newer version's, x = its publication was retracted."""

    level: int
    state: str
    version: int
    flags: str = ""


def _s(*steps) -> tuple[Step, ...]:
    return tuple(Step(*step) for step in steps)


# name: (weight, versions, cases)
STORIES: dict[str, tuple[int, int, tuple[Step, ...]]] = {
    "draft": (3, 1, ()),
    "draft_case": (1, 1, _s((0, D, 1))),
    "school_review": (6, 1, _s((0, IR, 1))),
    "school_returned": (4, 2, _s((0, R, 1))),
    "school_resubmitted": (8, 2, _s((0, RS, 1), (0, IR, 2))),
    "school_rejected": (3, 1, _s((0, RJ, 1))),
    "school_withdrawn": (3, 2, _s((0, W, 1))),
    "school_approved": (3, 1, _s((0, A, 1))),
    "approved_twice": (16, 2, _s((0, A, 1, "s"), (0, A, 2))),
    "approved_thrice": (12, 3, _s((0, A, 1, "s"), (0, A, 2, "s"), (0, A, 3))),
    "approved_retracted": (2, 1, _s((0, A, 1, "x"))),
    "resubmitted_approved": (10, 2, _s((0, RS, 1), (0, A, 2))),
    "returned_twice": (8, 3, _s((0, RS, 1), (0, RS, 2), (0, IR, 3))),
    "approved_new_draft": (12, 2, _s((0, A, 1))),
    "approved_v3_draft": (8, 3, _s((0, A, 1, "s"), (0, A, 2))),
    "panel_review": (6, 1, _s((0, A, 1, "n"), (1, IR, 1))),
    "panel_returned": (4, 2, _s((0, A, 1, "n"), (1, RS, 1), (1, IR, 2))),
    "panel_rejected": (2, 1, _s((0, A, 1, "n"), (1, RJ, 1))),
    "panel_approved": (6, 1, _s((0, A, 1, "n"), (1, A, 1))),
    "panel_resubmitted_city": (4, 2, _s((0, A, 1, "n"), (1, RS, 1), (1, A, 2, "n"), (2, A, 2))),
    "city_review": (2, 1, _s((0, A, 1, "n"), (1, A, 1, "n"), (2, IR, 1))),
    "city_approved": (4, 1, _s((0, A, 1, "n"), (1, A, 1, "n"), (2, A, 1))),
    "city_rejected": (1, 1, _s((0, A, 1, "n"), (1, A, 1, "n"), (2, RJ, 1))),
}
# The stories in a fixed cycle, each repeated by its weight, spread by a stride so that any run
# of lectures mixes them.
CYCLE: list[str] = [name for name, (weight, _v, _c) in STORIES.items() for _ in range(weight)]


def story_of(index: int) -> str:
    return CYCLE[(index * 37) % len(CYCLE)]


@dataclass(frozen=True)
class Plan:
    scale: float
    districts: int
    clusters: int
    primary_schools: int
    lower_schools: int
    upper_schools: int
    users: int
    lectures: int
    usage_rows: int

    DEPARTMENTS_PER_SCHOOL = 8
    DISTRICT_OFFICERS = 3
    CITY_LEADERS = 3
    SCHOOL_STAFF = 3  # principal, vice-principal, account administrator

    @classmethod
    def for_scale(cls, scale: float, subject_count: int = 25) -> Plan:
        schools = max(3, round(700 * scale))
        upper = max(1, round(schools * 0.2))
        lower = max(1, round(schools * 0.35))
        districts, clusters = max(2, math.ceil(15 * scale)), max(1, round(14 * scale))
        staff = (
            schools * cls.SCHOOL_STAFF
            + districts * cls.DISTRICT_OFFICERS
            + clusters
            + cls.CITY_LEADERS
            + subject_count
        )
        minimum = staff + schools * cls.DEPARTMENTS_PER_SCHOOL
        return cls(
            scale=scale,
            districts=districts,
            clusters=clusters,
            primary_schools=schools - upper - lower,
            lower_schools=lower,
            upper_schools=upper,
            users=max(round(30000 * scale), minimum),
            lectures=max(1, round(150000 * scale)),
            usage_rows=round(1_000_000 * scale),
        )

    @property
    def schools(self) -> int:
        return self.primary_schools + self.lower_schools + self.upper_schools

    @property
    def departments(self) -> int:
        return self.schools * self.DEPARTMENTS_PER_SCHOOL

    def totals(self) -> dict[str, int]:
        """Rows of each kind the plan makes (publications count every state)."""
        versions = cases = publications = 0
        for i in range(self.lectures):
            _weight, v, steps = STORIES[story_of(i)]
            versions += v
            cases += len(steps)
            publications += sum(1 for step in steps if step.state == A)
        return {
            "lectures": self.lectures,
            "versions": versions,
            "cases": cases,
            "publications": publications,
            "usage_rows": self.usage_rows,
        }
