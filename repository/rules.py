"""Who sees which publication and who may retract it (DESIGN.md 3 and 6).

A publication is visible to:
- readers of the library: everyone who works in the scope unit or below it, i.e. the scope is
  their school (department, panel unit) or one of its ancestors (district or cluster, city);
- overseers: principals/vice principals, cluster heads and district officers see every scope
  inside the subtree they oversee (their own unit included); the city leader sees everything;
- a city specialist sees publications of their subject at every scope, city-wide (besides
  the city library that every user reads);
- the author of the lecture sees every publication of it, retracted ones included, so that
  they can read the reason.

Retracted publications are hidden from readers: only overseers, the specialist of the subject
and the author still see them. Superseded ones stay visible to readers as history (the detail
page says that a newer version exists). Library *lists* show active publications only.

`can_view_publication` and `publication_visible_q` are twins; tests/repository/test_rules.py
asserts that they agree for every demo role and every scope and state.
"""

from __future__ import annotations

import rules
from django.db.models import Q

from accounts.models import Unit
from accounts.rules import Scope, _paths_q, scope_for
from submissions.models import Lecture

from .models import Publication


def _ancestor_ids(scope: Scope) -> set[int]:
    return {int(i) for path in scope.home_paths for i in path.strip("/").split("/") if i}


def _oversight_q(scope: Scope, prefix: str) -> Q:
    """The scopes inside the subtrees the user oversees and, for a specialist, the lectures of
    their subjects: `scope_id IN (…) OR lecture_id IN (…)`, never a join of every publication to
    its lecture and unit (a city-wide library count read 160 ms that way, 21 ms this way)."""
    q = Q(pk__in=[])
    if scope.unit_paths:
        overseen = Unit.objects.filter(_paths_q("path", scope.unit_paths)).values("pk")
        q |= Q(**{f"{prefix}scope_id__in": overseen})
    if scope.subject_ids:
        followed = Lecture.objects.filter(subject_id__in=scope.subject_ids).values("pk")
        q |= Q(**{f"{prefix}lecture_id__in": followed})
    return q


def publication_visible_q(user, *, prefix: str = "") -> Q:
    """Filter twin of `can_view_publication` (any state)."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Q(pk__in=[])
    if scope.everything:
        return Q()
    reader = Q(**{f"{prefix}scope_id__in": sorted(_ancestor_ids(scope))}) & ~Q(
        **{f"{prefix}state": Publication.State.RETRACTED}
    )
    own = Q(**{f"{prefix}lecture_id__in": Lecture.objects.filter(author_id=scope.user_id).values("pk")})
    return reader | _oversight_q(scope, prefix) | own


@rules.predicate
def can_view_publication(user, publication: Publication) -> bool:
    scope = scope_for(user)
    if scope.user_id is None or publication is None:
        return False
    if scope.everything:
        return True
    if publication.state != Publication.State.RETRACTED and publication.scope_id in _ancestor_ids(scope):
        return True
    lecture = publication.lecture
    return (
        scope.oversees_path(publication.scope.path)
        or lecture.subject_id in scope.subject_ids
        or lecture.author_id == scope.user_id
    )


def publication_retractable_q(user) -> Q:
    """Filter twin of `can_retract_publication`."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Q(pk__in=[])
    base = Q(state=Publication.State.ACTIVE)
    if scope.everything:
        return base
    q = Q(scope__path__in=scope.unit_paths)
    if scope.subject_ids:
        q |= Q(scope__kind=Unit.Kind.CITY, lecture__subject_id__in=scope.subject_ids)
    return base & q


@rules.predicate
def can_retract_publication(user, publication: Publication) -> bool:
    """An officer *of the scope unit*: principal or vice principal for a school library, the
    cluster head for a cluster, a district officer for a district, the city leader (or the
    city specialist of the subject) for the city. Officers above do not retract a lower
    library's publication; they ask its officer. Only an active publication is retracted."""
    scope = scope_for(user)
    if scope.user_id is None or publication is None or publication.state != Publication.State.ACTIVE:
        return False
    if scope.everything:
        return True
    if publication.scope.path in scope.unit_paths:
        return True
    return publication.scope.kind == Unit.Kind.CITY and publication.lecture.subject_id in scope.subject_ids


rules.add_perm("repository.view_publication", can_view_publication)
rules.add_perm("repository.retract_publication", can_retract_publication)
