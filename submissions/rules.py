"""Who sees and who changes a lecture; each predicate beside its queryset twin.

Seeing: the work rule of `accounts.rules` (author, the units the viewer oversees, a city
specialist's subject) plus the lecture's co-authors. Changing (metadata, files, submit,
withdraw, new version): the author only — co-authors are credited and may read and download,
but one person answers for what is submitted.
"""

from __future__ import annotations

import rules
from django.db.models import Q

from accounts.rules import can_view_work, scope_for, work_visible_q


def lecture_visible_q(user, *, prefix: str = "") -> Q:
    """Filter twin of `can_view_lecture` (prefix e.g. "lecture__" for versions)."""
    q = work_visible_q(
        user, author=f"{prefix}author", unit_path=f"{prefix}department__path", subject=f"{prefix}subject"
    )
    scope = scope_for(user)
    if scope.user_id is not None and not scope.everything:
        from .models import Lecture

        co_authored = Lecture.co_authors.through.objects.filter(user_id=scope.user_id).values("lecture_id")
        q |= Q(**{f"{prefix}pk__in": co_authored})
    return q


@rules.predicate
def can_view_lecture(user, lecture) -> bool:
    if lecture is None:
        return False
    if can_view_work(
        user, author_id=lecture.author_id, unit_path=lecture.department.path, subject_id=lecture.subject_id
    ):
        return True
    scope = scope_for(user)
    return scope.user_id is not None and lecture.co_authors.filter(pk=scope.user_id).exists()


def can_preview_own_version(user, version) -> bool:
    """The lecture's authors (owner and co-authors) may play any of its versions, submitted or
    not. Overseers who may read the lecture page may not: an unpublished version is seen only by
    its authors and by the reviewers of its case (reviews registers that preview grant)."""
    scope = scope_for(user)
    if version is None or scope.user_id is None:
        return False
    lecture = version.lecture
    return lecture.author_id == scope.user_id or lecture.co_authors.filter(pk=scope.user_id).exists()


def lecture_editable_q(user) -> Q:
    """Filter twin of `can_edit_lecture`."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Q(pk__in=[])
    return Q(author_id=scope.user_id)


@rules.predicate
def can_edit_lecture(user, lecture) -> bool:
    scope = scope_for(user)
    return lecture is not None and scope.user_id is not None and lecture.author_id == scope.user_id


@rules.predicate
def is_teacher(user) -> bool:
    return "teacher" in scope_for(user).roles or "department_head" in scope_for(user).roles


# --- The calendar (DESIGN.md 3: district officers manage their district's windows; the city
# leader configures everything). Years are the city's calendar, one for every school (the
# Department sets the school-year plan); a district may set its own end of semester I and make-up
# weeks inside it (DistrictCalendar); windows have a scope.


def can_manage_calendar(user) -> bool:
    """Whether the calendar pages are the user's: city leaders and district officers."""
    scope = scope_for(user)
    return scope.everything or bool(scope.officer_of)


def can_edit_years(user) -> bool:
    """The city's academic years, semesters and make-up weeks: the city's leaders only."""
    return scope_for(user).everything


def can_edit_district_calendar(user, district) -> bool:
    """A district's own dates in a year (end of semester I, make-up weeks): its officers, and
    the city's leaders."""
    scope = scope_for(user)
    if district is None:
        return False
    return scope.everything or district.pk in scope.officer_of


def window_editable_q(user) -> Q:
    """Filter twin of `can_edit_window`: the city leader every window, a district officer the
    windows of their district."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    return Q(unit_id__in=scope.officer_of) if scope.officer_of else Q(pk__in=[])


@rules.predicate
def can_edit_window(user, window) -> bool:
    scope = scope_for(user)
    if window is None:
        return False
    return scope.everything or (window.unit_id is not None and window.unit_id in scope.officer_of)


def window_listed_q(user) -> Q:
    """What the calendar page lists: the windows one may edit and, read-only, the city's."""
    if not can_manage_calendar(user):
        return Q(pk__in=[])
    return window_editable_q(user) | Q(unit__isnull=True)


rules.add_perm("submissions.view_lecture", can_view_lecture)
rules.add_perm("submissions.edit_lecture", can_edit_lecture)
