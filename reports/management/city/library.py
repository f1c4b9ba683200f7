"""The libraries of `load_city`: a publication for every approval (in the scope of the level that
approved it), their events, and the usage rows with the counters they add up to."""

from __future__ import annotations

import datetime

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import User
from repository.models import Publication, PublicationEvent, UsageDay
from repository.search import lecture_search_text
from reviews.models import CaseState, ReviewLevel

from .lectures import BATCH, DAY, Made, explicit_timestamps
from .units import City


def scope_of(city: City, made: Made, level: str):
    school = made.department.school
    if level == ReviewLevel.SCHOOL:
        return school.unit
    if level == ReviewLevel.CITY:
        return city.root
    return school.above


def make_publications(city: City, made: list[Made]) -> int:
    pubs = []
    for m in made:
        text = lecture_search_text(m.lecture)
        for step, case in zip(m.steps, m.cases, strict=True):
            if case.state != CaseState.APPROVED:
                continue
            publication = Publication(
                lecture=m.lecture,
                version=case.version,
                scope=scope_of(city, m, case.level),
                level=case.level,
                published_at=case.decided_at,
                published_by=case.decided_by,
                search_text=text,
            )
            if "s" in step.flags:
                publication.state = Publication.State.SUPERSEDED
            elif "x" in step.flags:
                publication.state = Publication.State.RETRACTED
                publication.retracted_at = case.decided_at + 30 * DAY
                publication.retracted_by = m.department.school.principal
                publication.retraction_reason = "Phát hiện nội dung chưa chính xác, gỡ để tác giả chỉnh sửa."
            pubs.append(publication)
    with explicit_timestamps(Publication):
        Publication.objects.bulk_create(pubs, batch_size=BATCH)
    by_place: dict[tuple[int, int], list[Publication]] = {}
    for publication in pubs:
        by_place.setdefault((publication.lecture_id, publication.scope_id), []).append(publication)
    events = []
    for publication in pubs:
        events.append(
            PublicationEvent(
                publication=publication,
                action=PublicationEvent.Action.PUBLISHED,
                actor=publication.published_by,
                at=publication.published_at,
            )
        )
        if publication.state == Publication.State.SUPERSEDED:
            successor = min(
                (
                    p
                    for p in by_place[(publication.lecture_id, publication.scope_id)]
                    if p.published_at > publication.published_at
                ),
                key=lambda p: p.published_at,
            )
            events.append(
                PublicationEvent(
                    publication=publication,
                    action=PublicationEvent.Action.SUPERSEDED,
                    actor=successor.published_by,
                    at=successor.published_at,
                    successor=successor,
                )
            )
        elif publication.state == Publication.State.RETRACTED:
            events.append(
                PublicationEvent(
                    publication=publication,
                    action=PublicationEvent.Action.RETRACTED,
                    actor=publication.retracted_by,
                    at=publication.retracted_at,
                    reason=publication.retraction_reason,
                )
            )
    PublicationEvent.objects.bulk_create(events, batch_size=BATCH)
    return len(pubs)


def make_usage(rows: int, today: datetime.date, progress=None) -> int:
    """`rows` usage rows spread over every publication and user: row i is the (i // P)-th use of
    publication i % P, by a user and on a day that differ for each use of a publication."""
    pub_ids = list(Publication.objects.order_by("pk").values_list("pk", flat=True))
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    if not pub_ids or not user_ids or not rows:
        return 0
    p, u = len(pub_ids), len(user_ids)
    done, batch = 0, []
    for i in range(rows):
        index, k = i % p, i // p
        batch.append(
            UsageDay(
                publication_id=pub_ids[index],
                user_id=user_ids[(index * 31 + k * 1009) % u],
                day=today - datetime.timedelta(days=(index + k * 7) % 365),
                kind=UsageDay.Kind.DOWNLOAD if (index + k) % 4 == 0 else UsageDay.Kind.VIEW,
            )
        )
        if len(batch) == 20_000:
            UsageDay.objects.bulk_create(batch, batch_size=BATCH)
            done += len(batch)
            batch = []
            if progress:
                progress(done)
    UsageDay.objects.bulk_create(batch, batch_size=BATCH)
    done += len(batch)
    _counters()
    return done


def _counters() -> None:
    """view_count / download_count = the publication's usage rows of each kind."""

    def count(kind):
        rows = (
            UsageDay.objects.filter(publication=OuterRef("pk"), kind=kind)
            .order_by()
            .values("publication")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    Publication.objects.update(
        view_count=count(UsageDay.Kind.VIEW), download_count=count(UsageDay.Kind.DOWNLOAD)
    )
