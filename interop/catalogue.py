"""The public catalogue (issue 14, item 3): city-scope lectures anyone may browse, off unless the
department turns it on (settings.PUBLIC_CATALOGUE), embeddable in the department's portal.

# SECURITY: the catalogue lists only *active* publications in the *city* library; a lecture's
# file (download, offline copy) is offered only when its published version carries an open
# licence chosen by the author. Nothing else of the platform is reachable without signing in.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import Unit
from accounts.rules import scope_for
from repository.models import Publication
from repository.search import query_words
from submissions.models import Licence


def catalogue_enabled() -> bool:
    return bool(settings.PUBLIC_CATALOGUE)


def catalogue_q() -> Q:
    return Q(state=Publication.State.ACTIVE, scope__kind=Unit.Kind.CITY)


def _related(qs: QuerySet) -> QuerySet:
    return qs.select_related("version", "scope", "lecture__subject", "lecture__school", "lecture__author")


def catalogue_publications(*, subject: str = "", grade: int | None = None, q: str = "") -> QuerySet:
    """The catalogue's lectures, newest first: one row a lecture (a lecture has at most one
    active publication in the city library)."""
    qs = Publication.objects.filter(catalogue_q())
    if subject:
        qs = qs.filter(lecture__subject__code=subject)
    if grade:
        qs = qs.filter(lecture__grade=grade)
    for word in query_words(q):
        qs = qs.filter(search_text__contains=word)
    return _related(qs).order_by("-published_at", "-pk")


def catalogue_publication(pk: int) -> Publication:
    """404 unless the catalogue is on and the publication is listed in it."""
    if not catalogue_enabled():
        raise Http404
    return get_object_or_404(_related(Publication.objects.filter(catalogue_q())), pk=pk)


def is_open(publication: Publication) -> bool:
    return publication.version.licence in Licence.open_values() and bool(publication.version.file_key)


def can_embed(user) -> bool:
    """The department's officers who run its portal: the city leader and the city specialists."""
    scope = scope_for(user)
    return scope.user_id is not None and (scope.everything or bool(scope.subject_ids))
