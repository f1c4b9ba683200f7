"""Writes to the library. Called by the review services inside their transaction."""

from __future__ import annotations

from django.db import transaction

from .models import Publication


def publication_publish(*, case, actor) -> Publication:
    """Publishes the case's version into the library of the case's scope unit.

    The scope is the school for a school-level approval (the case's unit may be a department),
    else the case's unit. An older active publication of the lecture at that scope is
    superseded and stays in history. Call inside the approving transaction.
    """
    scope = case.unit.school if case.unit.kind == "department" else case.unit
    with transaction.atomic():
        Publication.objects.select_for_update().filter(
            lecture=case.lecture, scope=scope, state=Publication.State.ACTIVE
        ).update(state=Publication.State.SUPERSEDED)
        return Publication.objects.create(
            lecture=case.lecture, version=case.version, scope=scope, case=case, published_by=actor
        )
