"""Reads of the library. Every list goes through `publication_visible_q` (repository.rules)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, StrIndex
from django.db.models.lookups import GreaterThan
from django.shortcuts import get_object_or_404

from accounts.models import Subject, TextbookSeries, Unit
from accounts.rules import scope_for, unit_visible_q
from elearning.figures_cache import library_cached
from elearning.text import vi_collate, vi_sort_key, vi_sorted
from submissions.formats import LECTURE_FORMATS
from submissions.models import AcademicYear, Lecture

from .models import Publication
from .rules import _ancestor_ids, publication_visible_q
from .search import query_words

LIBRARY_KINDS = [Unit.Kind.SCHOOL, Unit.Kind.CLUSTER, Unit.Kind.DISTRICT, Unit.Kind.CITY]
# A lecture's card shows its highest scope: city > district > cluster > school.
SCOPE_RANK = {kind: rank for rank, kind in enumerate(LIBRARY_KINDS, start=1)}
SORTS = {
    "newest": ("-published_at", "-pk"),
    "most_used": ("-usage", "-published_at", "-pk"),
    "title": ("lecture__title", "-published_at", "-pk"),
}
FORMATS = [(fmt.value, fmt.label) for fmt in LECTURE_FORMATS]
# The filters whose options show a count, and the column each one filters on.
FACETS = {
    "scope": "scope_id",
    "subject": "lecture__subject_id",
    "grade": "lecture__grade",
    "school_level": "lecture__school_level",
    "textbook_series": "lecture__textbook_series_id",
    "format": "version__detected_format",
}


@dataclass
class LibraryFilters:
    q: str = ""
    scope: int | None = None
    subject: int | None = None
    grade: int | None = None
    school_level: str = ""
    textbook_series: int | None = None
    format: str = ""
    year: int | None = None
    sort: str = "newest"
    extra: dict = field(default_factory=dict)


def _detail_related(qs: QuerySet) -> QuerySet:
    return qs.select_related(
        "scope",
        "version",
        "lecture__subject",
        "lecture__school",
        "lecture__author",
        "lecture__textbook_series",
    )


def publications_visible_to(user) -> QuerySet:
    """Every publication the user may open, whatever its state."""
    return Publication.objects.filter(publication_visible_q(user))


def _active_visible(user) -> QuerySet:
    return publications_visible_to(user).filter(state=Publication.State.ACTIVE)


def _year_q(year: AcademicYear) -> Q:
    """Published for that academic year: through its window, or on a date within the year."""
    return Q(version__window__year=year) | Q(
        version__window__isnull=True, published_at__date__range=(year.starts_on, year.ends_on)
    )


def _contains(word: str):
    """The search text holds `word`. A word of three letters or more is a LIKE that PostgreSQL's
    trigram index serves; a shorter one ("so" in "phan so") has no trigram, and as a LIKE it
    would make the planner read the whole index: it is a plain position test instead, checked
    on the rows the longer words (or the other filters) found. Same rows either way."""
    if len(word) >= 3:
        return Q(search_text__contains=word)
    return GreaterThan(StrIndex("search_text", Value(word)), 0)


def _matching(user, filters: LibraryFilters, year: AcademicYear | None, skip: str = "") -> QuerySet:
    """The active publications the user reads that match the filters (all but `skip`)."""
    qs = _active_visible(user)
    for word in query_words(filters.q):
        qs = qs.filter(_contains(word))
    for name, column in FACETS.items():
        value = getattr(filters, name)
        if value and name != skip:
            qs = qs.filter(**{column: value})
    if year is not None and skip != "year":
        qs = qs.filter(_year_q(year))
    return qs


def _scope_rank() -> Case:
    return Case(
        *[When(scope__kind=kind, then=Value(rank)) for kind, rank in SCOPE_RANK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def _order(sort: str) -> list:
    order = SORTS.get(sort, SORTS["newest"])
    # Titles sort in Vietnamese collation (PostgreSQL's ICU "vi"; SQLite has only byte order).
    return [vi_collate(f) if f == "lecture__title" else f for f in order]


def library_publications(user, filters: LibraryFilters) -> QuerySet:
    """One publication a lecture: of the active publications the user's libraries hold that match
    the filters and the search, the one at the lecture's highest scope (city > district > cluster >
    school; the newest at equal rank). Each row brings, in `lecture.library_publications`, every
    active publication of its lecture the user reads (its badges and latest version).

    One query for the rows, one for their lectures' publications (plus one count when paginated),
    whatever the number of results."""
    year = None
    if filters.year:
        year = AcademicYear.objects.filter(pk=filters.year).first()
        if year is None:
            return Publication.objects.none()
    matching = _matching(user, filters, year).annotate(scope_rank=_scope_rank())
    higher = matching.filter(lecture=OuterRef("lecture")).filter(
        Q(scope_rank__gt=OuterRef("scope_rank"))
        | Q(scope_rank=OuterRef("scope_rank"), published_at__gt=OuterRef("published_at"))
        | Q(scope_rank=OuterRef("scope_rank"), published_at=OuterRef("published_at"), pk__gt=OuterRef("pk"))
    )
    siblings = (
        _active_visible(user)
        .annotate(scope_rank=_scope_rank())
        .select_related("scope", "version")
        .order_by("-scope_rank", "scope__name", "-pk")
    )
    qs = (
        _detail_related(matching.filter(~Exists(higher)))
        .prefetch_related(Prefetch("lecture__publications", siblings, to_attr="library_publications"))
        .annotate(usage=F("view_count") + F("download_count"))
    )
    return qs.order_by(*_order(filters.sort))


def library_card(publication: Publication) -> dict:
    """What a library card shows besides the publication: the lecture's other scopes (highest
    first) and its latest active version with the publication holding it."""
    others = [p for p in publication.lecture.library_publications if p.pk != publication.pk]
    latest = max(
        [publication, *others], key=lambda p: (p.version.number, p.pk == publication.pk, p.scope_rank)
    )
    return {"pub": publication, "others": others, "latest": latest}


def library_filter_options(user) -> dict:
    """The choices of the filter form: two queries, whatever the library holds (the units the
    user reads; the subjects, textbook series and academic years, three short lists, in one).
    Names in Vietnamese order."""
    no_day = Cast(Value(None), DateField())
    lists = (
        Subject.objects.order_by()
        .values_list(Value("subject"), "pk", "name", "order", no_day, no_day)
        .union(
            TextbookSeries.objects.order_by().values_list(
                Value("series"), "pk", "name", Value(0), no_day, no_day
            ),
            AcademicYear.objects.order_by().values_list(
                Value("year"), "pk", "name", Value(0), "starts_on", "ends_on"
            ),
            all=True,
        )
    )
    subjects, series, years = [], [], []
    for kind, pk, name, order, starts_on, ends_on in lists:
        if kind == "subject":
            subjects.append(Subject(pk=pk, name=name, order=order))
        elif kind == "series":
            series.append(TextbookSeries(pk=pk, name=name))
        else:
            years.append(AcademicYear(pk=pk, name=name, starts_on=starts_on, ends_on=ends_on))
    return {
        "scopes": list(
            Unit.objects.filter(unit_visible_q(user), kind__in=LIBRARY_KINDS)
            .order_by("path")
            .only("pk", "name", "kind", "path")
        ),
        "subjects": sorted(subjects, key=lambda s: (s.order, s.name)),
        "textbook_series": vi_sorted(series, key=lambda s: s.name),
        "years": sorted(years, key=lambda y: y.starts_on, reverse=True),
        "formats": FORMATS,
    }


def library_filter_counts(user, filters: LibraryFilters, years: list[AcademicYear]) -> dict[str, dict]:
    """For each filter, option value → the number of lectures selecting it would list (the other
    filters kept), and under "total" the number of lectures the filters list (the paginator's
    count). One query for every filter and option: a UNION ALL of one grouped count a filter
    (one a year for the academic year, which matches on two columns) — 2.5 s on a city of 193k
    publications, so kept in the cache under what the user reads (`_reach`), the filters and the
    library's generation, and read from there while nothing that could change them has happened."""
    year = next((y for y in years if y.pk == filters.year), None) if filters.year else None
    if filters.year and year is None:
        return {name: {} for name in [*FACETS, "year", "total"]}
    parts = [
        _reach(user),
        query_words(filters.q),
        [getattr(filters, name) for name in FACETS],
        filters.year,
        [y.pk for y in years],
    ]
    return library_cached("counts", parts, lambda: _filter_counts(user, filters, year, years))


def _filter_counts(user, filters: LibraryFilters, year, years: list[AcademicYear]) -> dict[str, dict]:
    parts = [
        _matching(user, filters, year, skip=name)
        .order_by()
        .values(facet=Value(name), value=Cast(column, CharField()))
        .annotate(n=Count("lecture", distinct=True))
        for name, column in FACETS.items()
    ]
    parts += [
        _matching(user, filters, year, skip="year")
        .filter(_year_q(y))
        .order_by()
        .values(facet=Value("year"), value=Value(str(y.pk)))
        .annotate(n=Count("lecture", distinct=True))
        for y in years
    ]
    parts.append(
        _matching(user, filters, year)
        .order_by()
        .values(facet=Value("total"), value=Value(""))
        .annotate(n=Count("lecture", distinct=True))
    )
    counts: dict[str, dict] = {name: {} for name in [*FACETS, "year", "total"]}
    for row in parts[0].union(*parts[1:], all=True):
        counts[row["facet"]][row["value"]] = row["n"]
    return counts


def _reach(user) -> tuple:
    """The active publications `publication_visible_q` gives the user, as what decides them: the
    libraries they read (their units and the units above), the subtrees they oversee, the
    subjects they follow, and their own lectures that are published outside all of those (one
    query; most authors have none: their lectures are in their school's libraries)."""
    scope = scope_for(user)
    if scope.user_id is None:
        return ("nobody",)
    if scope.everything:
        return ("everything",)
    ancestors = sorted(_ancestor_ids(scope))
    own = (
        Publication.objects.filter(
            state=Publication.State.ACTIVE,
            lecture_id__in=Lecture.objects.filter(author_id=scope.user_id).values("pk"),
        )
        .exclude(scope_id__in=ancestors)
        .order_by("lecture_id")
        .values_list("lecture_id", flat=True)
        .distinct()
    )
    return (ancestors, sorted(scope.unit_paths), sorted(scope.subject_ids), list(own))


def publication_for_user(user, pk: int) -> Publication:
    """404 unless the user may open this publication (out of scope looks like not found)."""
    return get_object_or_404(_detail_related(publications_visible_to(user)), pk=pk)


def publications_of_lecture(lecture: Lecture) -> QuerySet:
    """Every publication of a lecture, newest first, with the retraction reason: for the
    author's own lecture page (submissions) and the detail page's history."""
    return (
        Publication.objects.filter(lecture=lecture)
        .select_related("scope", "version", "retracted_by", "published_by")
        .order_by("-published_at", "-pk")
    )


def publication_history(user, publication: Publication) -> list[Publication]:
    """The publications of the same lecture the user may see: versions and scopes."""
    return list(publications_of_lecture(publication.lecture).filter(publication_visible_q(user)))


@dataclass
class CoverageRow:
    subject: Subject
    grade: int
    counts: dict  # unit kind → number of lessons


def coverage(unit: Unit) -> list[CoverageRow]:
    """Per subject × grade: how many lessons (distinct lesson titles) of the unit's schools have
    an active publication at each library level. A city's is a grouped count of all its
    publications (0.4 s at 193k), kept in the cache until the library changes."""
    return library_cached("coverage", unit.path, lambda: _coverage(unit))


def _coverage(unit: Unit) -> list[CoverageRow]:
    """One query for the counts and one for subjects."""
    rows = (
        Publication.objects.filter(
            state=Publication.State.ACTIVE, lecture__school__path__startswith=unit.path
        )
        .values("lecture__subject_id", "lecture__grade", "scope__kind")
        .annotate(lessons=Count("lecture__title", distinct=True))
    )
    grid = defaultdict(dict)
    for row in rows:
        grid[(row["lecture__subject_id"], row["lecture__grade"])][row["scope__kind"]] = row["lessons"]
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in={k[0] for k in grid})}
    result = [
        CoverageRow(subject=subjects[sid], grade=grade, counts={k: counts.get(k, 0) for k in LIBRARY_KINDS})
        for (sid, grade), counts in grid.items()
        if sid in subjects
    ]
    return sorted(result, key=lambda r: (r.subject.order, vi_sort_key(r.subject.name), r.grade))


def schools_of_principal(user) -> list[Unit]:
    """The schools a principal or vice principal leads."""
    return list(
        Unit.objects.filter(
            kind=Unit.Kind.SCHOOL,
            role_assignments__user=user,
            role_assignments__role__in=["principal", "vice_principal"],
        ).distinct()
    )
