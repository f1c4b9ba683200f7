"""What a harvester sees: the selectors of the OAI-PMH endpoint.

# SECURITY: only publications in a harvested library count (the city's, and an opted-in
# district's); a lecture that was only ever published in a school, cluster or other district
# library is not an item at all, and a lecture none of whose harvested publications is active
# any more is a deleted record (header only, no metadata).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from accounts.models import GRADE_CHOICES, Subject, Unit
from repository.models import Publication
from submissions.models import Lecture

ITEM_PREFIX = "lecture/"


def harvested_scope_q(prefix: str = "") -> Q:
    """The libraries the endpoint exposes: the city's, and those of opted-in districts."""
    q = Q(**{f"{prefix}scope__kind": Unit.Kind.CITY})
    if settings.OAI_DISTRICTS:
        q |= Q(
            **{f"{prefix}scope__kind": Unit.Kind.DISTRICT, f"{prefix}scope__code__in": settings.OAI_DISTRICTS}
        )
    return q


def _harvested_publications() -> QuerySet:
    return Publication.objects.filter(harvested_scope_q(), lecture=OuterRef("pk"))


def harvest_items() -> QuerySet:
    """Lectures with a harvested publication in any state, annotated with `published` (latest
    harvested publication), `retracted` (latest retraction of one), `datestamp` (the later of
    the two) and `live` (one is active)."""
    pubs = _harvested_publications()
    published = Subquery(pubs.order_by("-published_at").values("published_at")[:1])
    retracted = Subquery(
        pubs.filter(retracted_at__isnull=False).order_by("-retracted_at").values("retracted_at")[:1]
    )
    return (
        Lecture.objects.annotate(
            published=published,
            retracted=retracted,
            live=Exists(pubs.filter(state=Publication.State.ACTIVE)),
        )
        .filter(published__isnull=False)
        .annotate(datestamp=Greatest("published", Coalesce("retracted", "published")))
        .select_related("subject", "author", "school", "textbook_series")
        .prefetch_related("co_authors")
    )


def set_q(spec: str) -> Q | None:
    """The filter of a setSpec ("subject", "subject:toan", "grade", "grade:6"); None if unknown."""
    kind, _, value = spec.partition(":")
    if kind == "subject":
        return Q(subject__code=value) if value else Q()
    if kind == "grade":
        if not value:
            return Q()
        if value.isdigit() and int(value) in dict(GRADE_CHOICES):
            return Q(grade=int(value))
    return None


def known_set(spec: str) -> bool:
    q = set_q(spec)
    if q is None:
        return False
    kind, _, value = spec.partition(":")
    return kind != "subject" or not value or Subject.objects.filter(code=value).exists()


@dataclass
class SetInfo:
    spec: str
    name: str


def all_sets() -> list[SetInfo]:
    sets = [SetInfo("subject", "Môn học"), SetInfo("grade", "Khối lớp")]
    sets += [SetInfo(f"subject:{s.code}", s.name) for s in Subject.objects.all()]
    sets += [SetInfo(f"grade:{g}", str(label)) for g, label in GRADE_CHOICES]
    return sets


def item_sets(lecture: Lecture) -> list[str]:
    return ["subject", f"subject:{lecture.subject.code}", "grade", f"grade:{lecture.grade}"]


def page(
    *,
    after: tuple[datetime.datetime, int] | None,
    start: datetime.datetime | None,
    until: datetime.datetime,
    set_filter: Q,
    size: int,
) -> tuple[list[Lecture], int]:
    """One page of items in (datestamp, pk) order strictly after `after`, datestamp within
    [start, until), and the number of items the whole list holds."""
    qs = harvest_items().filter(set_filter, datestamp__lt=until)
    if start is not None:
        qs = qs.filter(datestamp__gte=start)
    total = qs.count()
    if after is not None:
        stamp, pk = after
        qs = qs.filter(Q(datestamp__gt=stamp) | Q(datestamp=stamp, pk__gt=pk))
    return list(qs.order_by("datestamp", "pk")[: size + 1]), total


def item(identifier_pk: int) -> Lecture | None:
    return harvest_items().filter(pk=identifier_pk).first()


def live_publications(lectures: list[Lecture]) -> dict[int, Publication]:
    """Lecture id → the publication its metadata describes: the newest version in a harvested
    library (the city's first). One query for the page."""
    chosen: dict[int, Publication] = {}
    rows = (
        Publication.objects.filter(
            harvested_scope_q(), lecture__in=[lc.pk for lc in lectures], state=Publication.State.ACTIVE
        )
        .select_related("version", "scope")
        .order_by("-version__number", "scope__kind", "-published_at", "-pk")
    )
    for pub in rows:
        chosen.setdefault(pub.lecture_id, pub)
    return chosen


def earliest_datestamp() -> datetime.datetime | None:
    first = Publication.objects.filter(harvested_scope_q()).order_by("published_at").first()
    return first.published_at if first else None
