"""Cached dashboard figures per unit, cleared by the services that change them (DESIGN.md 8).

The dashboards (reports.dashboard) keep the figures of a unit in the cache under a key that
carries the unit's *generation*. The services that change a figure — submitting, withdrawing,
deciding and nominating a case (reviews.services), publishing and retracting (repository.services)
— call `figures_changed(unit_id=...)` with the lecture's school; after the commit that raises the
generation of the school and of every unit above it (district, cluster, city), so the next view
of any of those dashboards recomputes, and no other unit's cache is touched.

It lives in `elearning` because services of lower apps call it and the dashboards (the top app)
read it; it knows nothing of what the figures are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction

PREFIX = "figures:gen:"
# A generation lives as long as any figure keyed by it could.
TIMEOUT = 7 * 24 * 3600


def _prefixes(path: str) -> list[str]:
    """ "/1/5/23/" → ["/1/", "/1/5/", "/1/5/23/"]."""
    parts = [p for p in (path or "").strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


EVERYWHERE = PREFIX + "*"


def generation(path: str) -> str:
    """The unit's current generation: what changed under it, and what changed everywhere
    (`figures_changed_everywhere`)."""
    values = cache.get_many([EVERYWHERE, PREFIX + path])
    return f"{values.get(EVERYWHERE, 0)}.{values.get(PREFIX + path, 0)}"


def _incr(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not there yet (or evicted): start it past any value read before
        cache.set(key, (cache.get(key) or 0) + 1, TIMEOUT)


def _bump(path: str) -> None:
    for prefix in _prefixes(path):
        _incr(PREFIX + prefix)


# The library's own generation: raised only by what changes what the library counts (a
# publication made, superseded or retracted, a published lecture's details edited), wherever it
# is. The library's option counts gather units from anywhere (a specialist's subject city-wide,
# an author's lectures of another school), so one generation for all; a case moving through
# review, which raises the dashboards' generations many times a minute in August, leaves it.
LIBRARY = PREFIX + "library"


def library_generation() -> int:
    return cache.get(LIBRARY) or 0


# Every value kept under the library's generation is never read stale (the generation is in its
# key); the hour only bounds what an unused key holds, and what the key cannot see (a school
# moved to another district, a subject renamed: at most an hour).
LIBRARY_TIMEOUT = 3600


def library_cached(name: str, parts: Any, compute: Callable[[], Any]) -> Any:
    """`compute()`, kept in the cache under the library's generation and `parts` (what the value
    depends on besides the library's publications: what the user reads, the filters…); users
    whose `parts` are the same share it."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    key = f"library:{name}:{library_generation()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, LIBRARY_TIMEOUT)
    return value


def library_changed() -> None:
    """The library's cached counts are stale once the current transaction commits."""
    transaction.on_commit(lambda: _incr(LIBRARY))


def figures_changed(*, unit_id: int) -> None:
    """Clears the cached figures of the unit and of every unit above it, once the current
    transaction commits (at once outside a transaction). The unit's path is read then, so the
    caller's transaction runs no extra query."""

    def bump():
        from accounts.models import Unit

        path = Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
        if path:
            _bump(path)

    transaction.on_commit(bump)


def figures_changed_everywhere() -> None:
    """Clears every unit's cached figures after the commit (a new lesson catalogue changes every
    unit's coverage)."""
    transaction.on_commit(lambda: _incr(EVERYWHERE))
