"""Reads of the library. Every list goes through `publication_visible_q` (repository.rules)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Subject, TextbookSeries, Unit
from accounts.rules import unit_visible_q
from submissions.formats import LECTURE_FORMATS
from submissions.models import AcademicYear, Lecture

from .models import Publication
from .rules import publication_visible_q
from .search import query_words

LIBRARY_KINDS = [Unit.Kind.SCHOOL, Unit.Kind.CLUSTER, Unit.Kind.DISTRICT, Unit.Kind.CITY]
SORTS = {"newest": ("-published_at", "-pk"), "most_used": ("-usage", "-published_at", "-pk")}
FORMATS = [(fmt.value, fmt.label) for fmt in LECTURE_FORMATS]


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


def library_publications(user, filters: LibraryFilters) -> QuerySet:
    """The active publications the user's libraries hold, filtered, searched and sorted.

    One query for the rows (plus one count when paginated), whatever the number of results."""
    qs = _detail_related(publications_visible_to(user).filter(state=Publication.State.ACTIVE))
    for word in query_words(filters.q):
        qs = qs.filter(search_text__contains=word)
    if filters.scope:
        qs = qs.filter(scope_id=filters.scope)
    if filters.subject:
        qs = qs.filter(lecture__subject_id=filters.subject)
    if filters.grade:
        qs = qs.filter(lecture__grade=filters.grade)
    if filters.school_level:
        qs = qs.filter(lecture__school_level=filters.school_level)
    if filters.textbook_series:
        qs = qs.filter(lecture__textbook_series_id=filters.textbook_series)
    if filters.format:
        qs = qs.filter(version__detected_format=filters.format)
    if filters.year:
        year = AcademicYear.objects.filter(pk=filters.year).first()
        if year is None:
            return qs.none()
        qs = qs.filter(
            Q(version__window__year=year)
            | Q(version__window__isnull=True, published_at__date__range=(year.starts_on, year.ends_on))
        )
    qs = qs.annotate(usage=F("view_count") + F("download_count"))
    return qs.order_by(*SORTS.get(filters.sort, SORTS["newest"]))


def library_filter_options(user) -> dict:
    """The choices of the filter form: four queries, whatever the library holds."""
    return {
        "scopes": list(
            Unit.objects.filter(unit_visible_q(user), kind__in=LIBRARY_KINDS)
            .order_by("path")
            .only("pk", "name", "kind", "path")
        ),
        "subjects": list(Subject.objects.only("pk", "name")),
        "textbook_series": list(TextbookSeries.objects.only("pk", "name")),
        "years": list(AcademicYear.objects.only("pk", "name")),
        "formats": FORMATS,
    }


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
    an active publication at each library level. One query for the counts and one for subjects."""
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
    return sorted(result, key=lambda r: (r.subject.order, r.subject.name, r.grade))


def schools_of_principal(user) -> list[Unit]:
    """The schools a principal or vice principal leads."""
    return list(
        Unit.objects.filter(
            kind=Unit.Kind.SCHOOL,
            role_assignments__user=user,
            role_assignments__role__in=["principal", "vice_principal"],
        ).distinct()
    )
