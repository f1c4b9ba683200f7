"""Reads of lectures, versions, uploads and the calendar; filtered by the twins in rules.py."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .models import Lecture, LectureVersion, SubmissionKind, SubmissionWindow, UploadSession
from .rules import can_edit_lecture, lecture_visible_q

# --- Lectures -------------------------------------------------------------------------------


def lectures_visible_to(user) -> QuerySet[Lecture]:
    return Lecture.objects.filter(lecture_visible_q(user))


def lecture_get(user, pk) -> Lecture:
    """The lecture if the user may see it; 404 otherwise (out of scope looks like absent)."""
    return get_object_or_404(
        Lecture.objects.filter(lecture_visible_q(user)).select_related(
            "author", "school", "department", "subject", "textbook_series"
        ),
        pk=pk,
    )


def version_get(user, pk) -> LectureVersion:
    return get_object_or_404(
        LectureVersion.objects.filter(lecture_visible_q(user, prefix="lecture__")).select_related(
            "lecture", "lecture__author", "lecture__department"
        ),
        pk=pk,
    )


def upload_session_get(user, pk) -> UploadSession:
    """SECURITY: only the session's owner may touch it; anyone else gets a 404."""
    return get_object_or_404(UploadSession.objects.select_related("version__lecture"), pk=pk, user=user)


def upload_session_resumable(user, *, version_id: int, filename: str, size: int, upload_id: str = ""):
    """The person's unfinished upload of this file into this draft version, if there is one:
    the one the browser remembered (`upload_id`, the session's id kept in localStorage under
    the file's name, size and modification time) when it still matches, else the latest active
    session of the same version with the same file name and size. The parts it holds are then
    skipped (Uppy's listParts), so a reload or a closed tab does not start the upload again."""
    # SECURITY: only the person's own sessions, and only of a draft they may still change.
    sessions = UploadSession.objects.filter(
        user=user,
        version_id=version_id,
        version__submitted_at__isnull=True,
        filename=filename,
        size=size,
        status=UploadSession.Status.ACTIVE,
    ).order_by("-updated_at")
    if upload_id.isdigit():
        remembered = sessions.filter(pk=int(upload_id)).first()
        if remembered is not None:
            return remembered
    return sessions.first()


def check_progress_text(version: LectureVersion) -> str:
    """What the author reads while the check of their file is pending (or how it ended)."""
    if version.check_status != LectureVersion.Check.PENDING:
        return version.get_check_status_display()
    if version.check_started_at is None:
        return _("Đã nhận đủ tệp. Việc kiểm tra sẽ bắt đầu trong ít phút; kết quả hiện trên trang này.")
    return _("Hệ thống đang kiểm tra định dạng và độ an toàn của tệp; kết quả hiện trên trang này.")


def latest_version(lecture: Lecture) -> LectureVersion | None:
    versions = getattr(lecture, "_prefetched_objects_cache", {}).get("versions")
    if versions is not None:
        return max(versions, key=lambda v: v.number, default=None)
    return lecture.versions.order_by("-number").first()


def draft_actions(lecture: Lecture, user, draft: LectureVersion | None) -> set[str]:
    """What the lecture's owner may do to its draft: edit the details, upload a file, and ask
    again for a check the system gave up on. The review app adds the lifecycle's actions."""
    if draft is None or user is None or not can_edit_lecture(user, lecture):
        return set()
    actions = {"edit", "upload"}
    if draft.check_gave_up:
        actions.add("retry_check")
    return actions


def draft_version(lecture: Lecture) -> LectureVersion | None:
    """The version still being prepared (not yet submitted), if any."""
    version = latest_version(lecture)
    return version if version is not None and not version.is_submitted else None


# --- Calendar -------------------------------------------------------------------------------


def _windows_for(school) -> QuerySet[SubmissionWindow]:
    """The windows that apply to `school`: the city's and those of the units above it (its
    district). A district's standard window (its own make-up week) stands in for the city's of
    the same year and slot. Without a school, only the city's."""
    if school is None:
        return SubmissionWindow.objects.filter(unit__isnull=True)
    ancestors = school.ancestor_ids
    replaced = SubmissionWindow.objects.filter(
        unit_id__in=ancestors, year_id=OuterRef("year_id"), slot=OuterRef("slot")
    ).exclude(slot=SubmissionWindow.Slot.OTHER)
    city = Q(unit__isnull=True) & ~Exists(replaced)
    return SubmissionWindow.objects.filter(city | Q(unit_id__in=ancestors))


def window_open_on(
    day: datetime.date, *, school_level: str, kind: str = SubmissionKind.LECTURE, school=None
) -> SubmissionWindow | None:
    for window in _windows_for(school).filter(opens_on__lte=day, closes_on__gte=day).order_by("opens_on"):
        if window.accepts(kind=kind, school_level=school_level):
            return window
    return None


def window_next_after(
    day: datetime.date, *, school_level: str, kind: str = SubmissionKind.LECTURE, school=None
) -> SubmissionWindow | None:
    for window in _windows_for(school).filter(opens_on__gt=day).order_by("opens_on"):
        if window.accepts(kind=kind, school_level=school_level):
            return window
    return None


def closed_window_message(day: datetime.date, *, school_level: str, school=None) -> str:
    """What a teacher reads when a first submission is refused outside a window."""
    nxt = window_next_after(day, school_level=school_level, school=school)
    if nxt is None:
        return _(
            "Hiện không trong đợt nộp. Chưa có lịch đợt nộp tiếp theo; vui lòng theo dõi thông báo của nhà trường."
        )
    return _("Hiện không trong đợt nộp. Đợt nộp tiếp theo mở từ %(date)s.") % {
        "date": nxt.opens_on.strftime("%d/%m/%Y")
    }
