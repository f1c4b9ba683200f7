"""Writes to the library. `publication_publish` and `publication_retract` are called by the review
services (the workflow, which notifies the authors); the rest by this app's views. Publishing,
superseding and retracting each write a `PublicationEvent`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit
from elearning.figures_cache import figures_changed, library_changed
from submissions.models import Lecture, LectureVersion

from .models import Publication, PublicationEvent, RuntimeRecord, UsageDay
from .rules import can_retract_publication
from .search import lecture_search_text

RUNTIME_EVENTS_KEPT = 50


def publication_publish(*, version: LectureVersion, scope: Unit, level: str, actor) -> Publication:
    """Publishes an approved version into the library of `scope` (a school, cluster, district or
    the city), recording the approval `level`, and writes the `published` event (and a
    `superseded` one for the version it replaces).

    An older active publication of the lecture at that scope is superseded and stays in history;
    publications at other scopes are left as they are (a rejection higher up never unpublishes a
    lower library). Call inside the approving transaction (reviews.services); locks the active
    publication of the lecture at that scope.
    """
    lecture = Lecture.objects.select_related("subject", "school", "author", "textbook_series").get(
        pk=version.lecture_id
    )
    with transaction.atomic():
        older = list(
            Publication.objects.select_for_update()
            .filter(lecture=lecture, scope=scope, state=Publication.State.ACTIVE)
            .values_list("pk", flat=True)
        )
        Publication.objects.filter(pk__in=older).update(state=Publication.State.SUPERSEDED)
        publication = Publication.objects.create(
            lecture=lecture,
            version=version,
            scope=scope,
            level=level,
            published_by=actor,
            search_text=lecture_search_text(lecture),
        )
        figures_changed(unit_id=lecture.school_id)
        library_changed()
        PublicationEvent.objects.bulk_create(
            [
                PublicationEvent(
                    publication_id=pk,
                    action=PublicationEvent.Action.SUPERSEDED,
                    actor=actor,
                    successor=publication,
                )
                for pk in older
            ]
            + [
                PublicationEvent(
                    publication=publication, action=PublicationEvent.Action.PUBLISHED, actor=actor
                )
            ]
        )
        return publication


def publication_reindex(lecture: Lecture) -> int:
    """Rewrites the search text of every publication of the lecture after its metadata (title,
    keywords, author's name, …) changed. Returns the number of rows written."""
    lecture = Lecture.objects.select_related("subject", "school", "author", "textbook_series").get(
        pk=lecture.pk
    )
    library_changed()  # its subject, grade, series… may have changed: the option counts too
    return Publication.objects.filter(lecture=lecture).update(search_text=lecture_search_text(lecture))


def publication_retract(*, publication: Publication, actor, reason: str) -> Publication:
    """An officer of the scope takes a publication out of the library, with a reason the author
    reads on their lecture. Locks the publication; refuses a missing reason and anyone who is
    not an officer of the scope (PermissionDenied); writes the `retracted` event. The older
    superseded version is not brought back: the lecture simply has no active publication at
    that scope until a new approval. Notifies nobody: `reviews.services.publication_retract`,
    which the page calls, tells the authors."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Vui lòng ghi lý do gỡ bài giảng khỏi kho."))
    with transaction.atomic():
        publication = (
            Publication.objects.select_for_update(of=("self",))
            .select_related("scope", "lecture")
            .get(pk=publication.pk)
        )
        if publication.state != Publication.State.ACTIVE:
            raise ValidationError(_("Bài giảng này không còn trong kho."))
        if not can_retract_publication(actor, publication):
            raise PermissionDenied
        publication.state = Publication.State.RETRACTED
        publication.retracted_at = timezone.now()
        publication.retracted_by = actor
        publication.retraction_reason = reason
        publication.save(update_fields=["state", "retracted_at", "retracted_by", "retraction_reason"])
        figures_changed(unit_id=publication.lecture.school_id)
        library_changed()
        PublicationEvent.objects.create(
            publication=publication,
            action=PublicationEvent.Action.RETRACTED,
            actor=actor,
            at=publication.retracted_at,
            reason=reason,
        )
    return publication


def usage_record(*, publication: Publication, user, kind: str) -> bool:
    """Counts a view or a download once per user and day. Returns True when this call counted.

    The unique (publication, user, day, kind) row decides; the counter on the publication is
    raised only when the row was new, in the same transaction."""
    day = timezone.localdate()
    try:
        with transaction.atomic():
            _, created = UsageDay.objects.get_or_create(
                publication=publication, user=user, day=day, kind=kind
            )
            if created:
                field = "view_count" if kind == UsageDay.Kind.VIEW else "download_count"
                Publication.objects.filter(pk=publication.pk).update(**{field: F(field) + 1})
    except IntegrityError:  # the same user's other request counted it a moment ago
        return False
    return created


def runtime_record(
    *,
    version: LectureVersion,
    user,
    sco: str = "",
    publication: Publication | None = None,
    event: str,
    scorm_version: str = "",
    cmi=None,
    stamp: int = 0,
) -> RuntimeRecord:
    """Stores what one SCO of a previewed package reported: the event in a short log and, with a
    commit, the CMI data. Called by the content view, authorised by the preview token.

    One viewing posts several reports at once (launch, initialize, the first values): each runs in
    its own short transaction and locks its record, so they queue instead of failing. The first
    two of a new record may both try to create it: the loser of that race reads the winner's row
    (get_or_create's IntegrityError path) and appends to it, so no report is dropped. The CMI data
    taken earlier by the browser (`stamp`) never replaces data taken later, whatever the order
    in which the reports arrive."""
    with transaction.atomic():
        record, _ = RuntimeRecord.objects.select_for_update().get_or_create(
            version=version, user=user, sco=sco[:200], defaults={"publication": publication}
        )
        record.events = (record.events + [{"event": event[:40], "at": timezone.now().isoformat()}])[
            -RUNTIME_EVENTS_KEPT:
        ]
        if scorm_version:
            record.scorm_version = scorm_version[:20]
        if isinstance(cmi, dict) and stamp >= record.cmi_stamp:
            record.cmi, record.cmi_stamp = cmi, stamp
        if publication is not None and record.publication_id is None:
            record.publication = publication
        record.save()
    return record


def runtime_state(*, version: LectureVersion, user, sco: str = "") -> dict:
    """The CMI data last committed by this user in this SCO ({} the first time)."""
    record = RuntimeRecord.objects.filter(version=version, user=user, sco=sco[:200]).only("cmi").first()
    return record.cmi if record is not None and isinstance(record.cmi, dict) else {}
