"""Reads of people and units, each filtered by its twin predicate in rules.py."""

from django.db.models import Q, QuerySet

from .models import AccountEvent, ImportBatch, Unit, User
from .rules import account_manageable_q, unit_visible_q, user_visible_q


def users_visible_to(viewer, *, query: str = "", unit_id=None) -> QuerySet[User]:
    users = User.objects.filter(user_visible_q(viewer))
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(full_name__icontains=query) | Q(email__icontains=query)
        )
    if unit_id and str(unit_id).isdigit():
        unit = Unit.objects.filter(unit_visible_q(viewer), pk=unit_id).first()
        if unit is not None:
            users = users.filter(roles__unit__path__startswith=unit.path).distinct()
    return users.order_by("full_name", "username")


def units_visible_to(viewer) -> QuerySet[Unit]:
    return Unit.objects.filter(unit_visible_q(viewer)).order_by("path")


def import_batches_of(user) -> QuerySet[ImportBatch]:
    """The user's own import batches, without their files (up to 5 MB each, read only by tasks)."""
    return ImportBatch.objects.filter(created_by=user).defer("content")


def account_events_visible_to(viewer, *, user: User | None = None) -> QuerySet[AccountEvent]:
    """The audit trail of the accounts the viewer manages (`account_manageable_q`, the twin of
    `can_manage_account`), newest first; with `user`, that account's only."""
    events = AccountEvent.objects.filter(user__in=User.objects.filter(account_manageable_q(viewer)))
    if user is not None:
        events = events.filter(user=user)
    return events.select_related("actor", "unit", "subject").order_by("-at", "-pk")
