"""Retracting a publication from its library, and telling the authors why (issue 15)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_noop

from repository.services import publication_retract as library_retract

from ..models import Notification
from .notifications import notification_send


def publication_retract(*, publication, actor, reason: str):
    """Takes a publication out of its library and tells the lecture's authors why.

    `repository.services.publication_retract` locks the publication, refuses a missing reason
    (ValidationError) and anyone who is not an officer of the scope (PermissionDenied), and
    records who, when and why with its `retracted` event. Then the author and co-authors get a
    bell notification each, e-mailed after the commit; a refusal writes and sends nothing. The
    officer who retracts is not told of their own act, even when they co-wrote the lecture.
    """
    with transaction.atomic():
        publication = library_retract(publication=publication, actor=actor, reason=reason)
        lecture = publication.lecture
        notification_send(
            users=[u for u in [lecture.author, *lecture.co_authors.all()] if u.pk != actor.pk],
            kind=Notification.Kind.RETRACTED,
            case=None,
            message=gettext_noop("Bài giảng “%(title)s” đã bị gỡ khỏi kho của %(scope)s. Lý do: %(reason)s"),
            params={
                "title": lecture.title,
                "scope": publication.scope.name,
                "reason": publication.retraction_reason,
            },
            url=lecture.get_absolute_url(),
        )
    return publication
