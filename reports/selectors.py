"""Reads of the approved-lecture lists. Every unit goes through `inspectable_units_q`, every row
through `approved_rows_q` (reports.rules).

A list has one row per lecture of the unit's schools that has an active publication: the
publication of the highest level that approved it (school < cluster < district < city) and the
date of that approval. The level filter keeps lectures approved *at least* at that level; a
period keeps the rows approved in it (a semester or a year, by the date of that approval) or
submitted in it (a window, by the version's window).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Subject, Unit
from accounts.rules import scope_for
from elearning.figures_cache import library_cached
from repository.models import Publication
from submissions.calendar_selectors import combine, years_with_own_dates
from submissions.models import SubmissionWindow

from .rules import approved_rows_q, inspectable_units_q

LEVELS = [
    ("school", gettext_lazy("Cấp trường")),
    ("cluster", gettext_lazy("Cấp cụm")),
    ("district", gettext_lazy("Cấp quận/huyện")),
    ("city", gettext_lazy("Cấp thành phố")),
]
LEVEL_RANK = {value: rank for rank, (value, _label) in enumerate(LEVELS, start=1)}
LEVEL_LABELS = dict(LEVELS)


@dataclass(frozen=True)
class Period:
    """What a list covers: a window, a semester or a year of the school calendar; None is all time."""

    kind: str  # "window", "semester1", "semester2", "year"
    label: str
    window: SubmissionWindow | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    year_id: int = 0

    @property
    def key(self) -> str:
        """ "year:3", "semester1:3", "window:12": the value of the form's period field."""
        return f"{self.kind}:{self.window.pk if self.window else self.year_id}"


def periods(unit: Unit | None = None) -> list[Period]:
    """Every year, its two semesters and its windows, newest year first. The semesters are the
    ones `unit` lives by: the city's, or its district's own end of semester I
    (`effective_calendar`). Two queries: the windows, the years with the district's own dates."""
    windows: dict[int, list[SubmissionWindow]] = {}
    for window in SubmissionWindow.objects.order_by("opens_on"):
        windows.setdefault(window.year_id, []).append(window)
    result = []
    for year, own in years_with_own_dates(unit):
        dates = combine(year, None, own)
        result.append(
            Period("year", _("Năm học %(y)s") % {"y": year.name}, None, year.starts_on, year.ends_on, year.pk)
        )
        for number, kind, label in (
            (1, "semester1", _("Học kì I năm học %(y)s")),
            (2, "semester2", _("Học kì II năm học %(y)s")),
        ):
            first, last = dates.semester(number)
            result.append(Period(kind, label % {"y": year.name}, None, first, last, year.pk))
        for window in windows.get(year.pk, []):
            result.append(Period("window", str(window), window, window.opens_on, window.closes_on, year.pk))
    return result


@dataclass(frozen=True)
class ListQuery:
    """One approved-lecture list: the unit, the period and the filters."""

    unit: Unit
    period: Period | None = None
    subject: Subject | None = None
    grade: int | None = None
    school_level: str = ""
    level: str = ""

    def as_params(self) -> dict:
        """Plain values to store with a background export and rebuild the query from."""
        return {
            "unit": self.unit.pk,
            "period": self.period.key if self.period else "",
            "subject": self.subject.pk if self.subject else "",
            "grade": self.grade or "",
            "school_level": self.school_level,
            "level": self.level,
        }


def inspectable_units(user) -> QuerySet[Unit]:
    # With is_active, which `can_inspect_unit` reads (deferred, it cost a query).
    return (
        Unit.objects.filter(inspectable_units_q(user))
        .order_by("path")
        .only("pk", "name", "kind", "path", "is_active")
    )


def inspectable_unit(user, pk) -> Unit | None:
    """The unit if the user may inspect it, else None (the view answers 404)."""
    if not str(pk).isdigit():
        return None
    return Unit.objects.filter(inspectable_units_q(user), pk=pk).first()


def unit_among(user, units: list[Unit], pk=None) -> Unit | None:
    """The unit `pk` names, or else the user's own (as `default_unit`), picked from `units`, the
    user's inspectable units already read for the page's unit choice (no query). None when `pk`
    is not among them: the view answers 404."""
    if pk not in (None, ""):
        return next((unit for unit in units if str(unit.pk) == str(pk)), None)
    own = {assignment.unit_path for assignment in scope_for(user).assignments}
    return next((unit for unit in units if unit.path in own), units[0] if units else None)


def default_unit(user) -> Unit | None:
    """The user's own list: the unit nearest the top of the tree among those they may inspect
    through a role (the city for the city's staff, the district for its officer, …)."""
    units = inspectable_units(user)
    return units.filter(role_assignments__user=user).order_by("path").first() or units.first()


def _rank():
    return Case(
        *[When(level=value, then=Value(rank)) for value, rank in LEVEL_RANK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def approved_rows(user, query: ListQuery) -> QuerySet[Publication]:
    """The rows of the list, in order (school, subject, grade, title), one per lecture.

    One query for the rows (plus one for a count), whatever their number."""
    # The lecture's highest publication (rank, then newest, then last made): the one no other
    # active publication of the lecture outranks. An anti-join the planner hashes on lecture_id,
    # where "pk = (its best, ordered and cut to one)" ran a sorted subquery per publication.
    rank = OuterRef("rank")
    better = (
        Publication.objects.filter(state=Publication.State.ACTIVE, lecture_id=OuterRef("lecture_id"))
        .annotate(rank=_rank())
        .filter(
            Q(rank__gt=rank)
            | Q(rank=rank, published_at__gt=OuterRef("published_at"))
            | Q(rank=rank, published_at=OuterRef("published_at"), pk__gt=OuterRef("pk"))
        )
    )
    qs = (
        Publication.objects.filter(
            approved_rows_q(user),
            state=Publication.State.ACTIVE,
            lecture__school__path__startswith=query.unit.path,
        )
        .annotate(rank=_rank())
        .filter(~Exists(better))
    )
    if query.subject:
        qs = qs.filter(lecture__subject=query.subject)
    if query.grade:
        qs = qs.filter(lecture__grade=query.grade)
    if query.school_level:
        qs = qs.filter(lecture__school_level=query.school_level)
    if query.level:
        qs = qs.filter(rank__gte=LEVEL_RANK[query.level])
    period = query.period
    if period and period.window:
        qs = qs.filter(version__window=period.window)
    elif period:
        qs = qs.filter(published_at__date__range=(period.starts_on, period.ends_on))
    return qs.select_related("lecture__subject", "lecture__school", "lecture__author").order_by(
        "lecture__school__path", "lecture__subject__order", "lecture__grade", "lecture__title", "pk"
    )


def approved_count(user, query: ListQuery, rows: QuerySet[Publication]) -> int:
    """The number of `rows` (`approved_rows(user, query)`): for a city, a count over every
    publication (0.3 s at 193k), kept in the cache until the library changes, under what decides
    the rows (`approved_rows_q`: the user's units and subjects) and the query."""
    scope = scope_for(user)
    parts = [scope.everything, sorted(scope.unit_paths), sorted(scope.subject_ids), query.unit.path]
    period = query.period
    parts += [sorted(query.as_params().items()), period and (period.starts_on, period.ends_on)]
    return library_cached("approved-count", parts, rows.count)


@dataclass(frozen=True)
class Row:
    """One printed row: what the Excel sheet and the PDF show."""

    number: int
    title: str
    subject: str
    grade: int
    author: str
    school: str
    level: str
    approved_on: datetime.date


def _short_school(name: str) -> str:
    """ "Trường THCS Lê Quý Đôn" → "THCS Lê Quý Đôn": the column is headed "Trường" already."""
    return name[len("Trường ") :] if name.startswith("Trường ") else name


def rows_of(publications) -> list[Row]:
    return [
        Row(
            number=n,
            title=p.lecture.title,
            subject=p.lecture.subject.name,
            grade=p.lecture.grade,
            author=p.lecture.author.get_full_name(),
            school=_short_school(p.lecture.school.name),
            level=str(LEVEL_LABELS.get(p.level, p.level)),
            approved_on=timezone.localtime(p.published_at).date(),
        )
        for n, p in enumerate(publications, start=1)
    ]
