"""The libraries of `load_city`: a publication for every approval (in the scope of the level that
approved it), their events, and the usage rows with the counters they add up to."""

from __future__ import annotations

import datetime

from accounts.models import User
from repository.models import Publication, PublicationEvent, UsageDay
from repository.search import lecture_search_text
from reviews.models import CaseState, ReviewLevel

from .bulk import insert, insert_rows, new
from .lectures import DAY, Made, explicit_timestamps
from .units import USERNAME_PREFIX, City


def scope_of(city: City, made: Made, level: str):
    school = made.department.school
    if level == ReviewLevel.SCHOOL:
        return school.unit
    if level == ReviewLevel.CITY:
        return city.root
    return school.above


def usage_of(index: int, publications: int, rows: int) -> tuple[int, int]:
    """(views, downloads) that `make_usage` gives the publication made `index`-th of
    `publications`: its uses are rows index, index + P, index + 2P, … below `rows`."""
    uses = rows // publications + (1 if index < rows % publications else 0)
    downloads = sum(1 for k in range(uses) if (index + k) % 4 == 0)
    return uses - downloads, downloads


def make_publications(city: City, made: list[Made], *, first: int, total: int, usage_rows: int) -> list[int]:
    """Publishes every approval of the chunk; `first` is the number of publications made before,
    `total` how many the whole city gets, so each one's counters are set now to the usage rows
    `make_usage` will write (no update of 200,000 rows afterwards). Returns their ids in order."""
    pubs = []
    for m in made:
        text = lecture_search_text(m.lecture)
        for step, case in zip(m.steps, m.cases, strict=True):
            if case.state != CaseState.APPROVED:
                continue
            publication = new(
                Publication,
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
            publication.view_count, publication.download_count = usage_of(
                first + len(pubs), total, usage_rows
            )
            pubs.append(publication)
    with explicit_timestamps(Publication):
        insert(Publication, pubs)
    by_place: dict[tuple[int, int], list[Publication]] = {}
    for publication in pubs:
        by_place.setdefault((publication.lecture_id, publication.scope_id), []).append(publication)
    published, superseded, retracted = (
        str(PublicationEvent.Action.PUBLISHED.value),
        str(PublicationEvent.Action.SUPERSEDED.value),
        str(PublicationEvent.Action.RETRACTED.value),
    )
    events = []  # (publication, action, actor, at, successor, reason)
    for publication in pubs:
        events.append(
            (publication.pk, published, publication.published_by_id, publication.published_at, None, "")
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
                (
                    publication.pk,
                    superseded,
                    successor.published_by_id,
                    successor.published_at,
                    successor.pk,
                    "",
                )
            )
        elif publication.state == Publication.State.RETRACTED:
            events.append(
                (
                    publication.pk,
                    retracted,
                    publication.retracted_by_id,
                    publication.retracted_at,
                    None,
                    publication.retraction_reason,
                )
            )
    insert_rows(
        PublicationEvent, ["publication_id", "action", "actor_id", "at", "successor_id", "reason"], events
    )
    return [p.pk for p in pubs]


def make_usage(rows: int, pub_ids: list[int], today: datetime.date, progress=None) -> int:
    """`rows` usage rows spread over the city's publications (in the order they were made) and
    users: row i is the (i // P)-th use of publication i % P, by a user and on a day that differ
    for each use of a publication (see `usage_of`)."""
    user_ids = list(
        User.objects.filter(username__startswith=USERNAME_PREFIX).order_by("pk").values_list("pk", flat=True)
    )
    if not pub_ids or not user_ids or not rows:
        return 0
    p, u = len(pub_ids), len(user_ids)
    days = [today - datetime.timedelta(days=d) for d in range(365)]
    view, download = str(UsageDay.Kind.VIEW.value), str(UsageDay.Kind.DOWNLOAD.value)
    step = 200_000

    def tuples():
        for i in range(rows):
            index, k = i % p, i // p
            yield (
                pub_ids[index],
                user_ids[(index * 31 + k * 1009) % u],
                days[(index + k * 7) % 365],
                download if (index + k) % 4 == 0 else view,
            )
            if progress and (i + 1) % step == 0:
                progress(i + 1)

    return insert_rows(UsageDay, ["publication_id", "user_id", "day", "kind"], tuples())
