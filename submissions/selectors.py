"""Reads of lectures, their review progress and the calendar; filtered by the twins in rules.py."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .formats import accepted_text
from .models import Lecture, LectureVersion, SubmissionKind, SubmissionWindow, UploadSession
from .rules import can_edit_lecture, lecture_visible_q

# Review case states, spelled here so that reading them does not import the reviews app's code paths.
IN_REVIEW, RETURNED, APPROVED, REJECTED, WITHDRAWN, RESUBMITTED = (
    "in_review",
    "returned",
    "approved",
    "rejected",
    "withdrawn",
    "resubmitted",
)
# A new version may be started once the last case of the lecture ended in one of these.
NEW_VERSION_AFTER = {APPROVED, RETURNED, REJECTED, WITHDRAWN}


# --- Lectures -------------------------------------------------------------------------------


def lectures_visible_to(user) -> QuerySet[Lecture]:
    return Lecture.objects.filter(lecture_visible_q(user))


def lectures_of(user) -> QuerySet[Lecture]:
    """ "Bài giảng của tôi": lectures the user wrote or co-wrote, newest first, with their last
    version and last review case prefetched."""
    from reviews.models import ReviewCase

    return (
        Lecture.objects.filter(
            Q(author=user)
            | Q(pk__in=Lecture.co_authors.through.objects.filter(user=user).values("lecture_id"))
        )
        .select_related("subject", "department", "author")
        .prefetch_related(
            Prefetch("versions", queryset=LectureVersion.objects.order_by("-number")),
            Prefetch(
                "cases", queryset=ReviewCase.objects.select_related("unit", "panel").order_by("-opened_at")
            ),
        )
        .order_by("-updated_at")
    )


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


def latest_case(lecture: Lecture):
    """The lecture's most recent review case (whatever its level and state), or None."""
    cases = getattr(lecture, "_prefetched_objects_cache", {}).get("cases")
    if cases is not None:
        return max(cases, key=lambda c: (c.opened_at, c.pk), default=None)
    return lecture.cases.select_related("unit", "panel").order_by("-opened_at", "-pk").first()


def draft_version(lecture: Lecture) -> LectureVersion | None:
    """The version still being prepared (not yet submitted), if any."""
    version = latest_version(lecture)
    return version if version is not None and not version.is_submitted else None


# --- Calendar -------------------------------------------------------------------------------


def window_open_on(
    day: datetime.date, *, school_level: str, kind: str = SubmissionKind.LECTURE
) -> SubmissionWindow | None:
    for window in SubmissionWindow.objects.filter(opens_on__lte=day, closes_on__gte=day).order_by("opens_on"):
        if window.accepts(kind=kind, school_level=school_level):
            return window
    return None


def window_next_after(
    day: datetime.date, *, school_level: str, kind: str = SubmissionKind.LECTURE
) -> SubmissionWindow | None:
    for window in SubmissionWindow.objects.filter(opens_on__gt=day).order_by("opens_on"):
        if window.accepts(kind=kind, school_level=school_level):
            return window
    return None


def closed_window_message(day: datetime.date, *, school_level: str) -> str:
    """What a teacher reads when a first submission is refused outside a window."""
    nxt = window_next_after(day, school_level=school_level)
    if nxt is None:
        return _(
            "Hiện không trong đợt nộp. Chưa có lịch đợt nộp tiếp theo; vui lòng theo dõi thông báo của nhà trường."
        )
    return _("Hiện không trong đợt nộp. Đợt nộp tiếp theo mở từ %(date)s.") % {
        "date": nxt.opens_on.strftime("%d/%m/%Y")
    }


# --- What is happening to a lecture ---------------------------------------------------------


@dataclass
class LectureStatus:
    """One line of status, what happens next and who has the lecture now (all Vietnamese)."""

    code: str
    label: str
    tone: str  # bootstrap colour
    next_step: str
    holder: str
    actions: set[str] = field(default_factory=set)
    case: object | None = None
    version: LectureVersion | None = None
    draft: LectureVersion | None = None
    needs_changes: bool = False  # returned for changes (possibly with a new draft under way)


def case_holder(case) -> str:
    unit = case.unit
    if case.panel_id:
        return _("Hội đồng bộ môn: %(name)s") % {"name": case.panel.name}
    if unit.kind == "department":
        return _("Tổ trưởng chuyên môn – %(unit)s") % {"unit": unit.name}
    if unit.kind == "school":
        return _("Ban giám hiệu – %(unit)s") % {"unit": unit.name}
    return _("Hội đồng bộ môn – %(unit)s") % {"unit": unit.name}


def _date(day) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""


def lecture_status(lecture: Lecture, *, user=None, today: datetime.date | None = None) -> LectureStatus:
    """Where the lecture stands, read from its latest version and latest review case.

    `actions` is the one list of what `user` may do now; the template draws buttons from it
    and the views refuse anything not in it (the services check again under lock).
    """
    today = today or timezone.localdate()
    version = latest_version(lecture)
    draft = version if version is not None and not version.is_submitted else None
    case = latest_case(lecture)
    me = _("Bạn (tác giả)")
    editable = user is not None and can_edit_lecture(user, lecture)
    actions: set[str] = set()

    if draft is not None:
        if editable:
            actions |= {"edit", "upload"}
            if draft.check_status == LectureVersion.Check.PASSED:
                actions.add("submit")
        resubmitting = case is not None and case.state == RETURNED
        if draft.check_status == LectureVersion.Check.NONE:
            code, label, tone = "draft_empty", _("Bản nháp – chưa có tệp"), "secondary"
            nxt = _("Tải tệp bài giảng lên: %(formats)s.") % {"formats": accepted_text(_)}
        elif draft.check_status == LectureVersion.Check.PENDING:
            code, label, tone = "draft_checking", _("Đang kiểm tra tệp"), "info"
            nxt = check_progress_text(draft)
        elif draft.check_gave_up:
            code, label, tone = "draft_check_error", _("Chưa kiểm tra được tệp"), "warning"
            nxt = _("Bấm “Kiểm tra lại” để hệ thống kiểm tra tệp lần nữa; không cần tải tệp lên lại.")
            if editable:
                actions.add("retry_check")
        elif draft.check_status == LectureVersion.Check.FAILED:
            code, label, tone = "draft_failed", _("Tệp không hợp lệ"), "danger"
            nxt = _("Xem lý do bên dưới, sửa tệp rồi tải lên lại. Tệp không hợp lệ không nộp được.")
        else:
            code, label, tone = "draft_ready", _("Sẵn sàng nộp"), "primary"
            if resubmitting:
                nxt = _("Nộp lại bản đã chỉnh sửa bất cứ lúc nào; bài sẽ về lại người đã yêu cầu chỉnh sửa.")
            else:
                window = window_open_on(today, school_level=lecture.school_level)
                if window is not None:
                    nxt = _("Bấm “Nộp bài” trước hết ngày %(date)s (%(window)s).") % {
                        "date": _date(window.closes_on),
                        "window": window.name,
                    }
                else:
                    nxt = closed_window_message(today, school_level=lecture.school_level)
        if resubmitting:
            label = _("Cần chỉnh sửa – %(what)s") % {"what": label[0].lower() + label[1:]}
            tone = "warning" if tone in ("primary", "secondary") else tone
        return LectureStatus(code, label, tone, nxt, me, actions, case, version, draft, resubmitting)

    if case is None:  # a submitted version without a case: only in data made by hand
        return LectureStatus("submitted", _("Đã nộp"), "info", "", "", actions, None, version, None)

    if case.state == IN_REVIEW:
        if editable and case.level == "school":
            actions.add("withdraw")
        nxt = _("Chờ thẩm định %(level)s") % {"level": case.get_level_display().lower()}
        if case.due_on:
            nxt += _(", hạn %(date)s") % {"date": _date(case.due_on)}
        nxt += _(". Bạn có thể rút bài trước khi có quyết định.") if "withdraw" in actions else "."
        return LectureStatus(
            "in_review",
            _("Đang thẩm định (%(level)s)") % {"level": case.get_level_display().lower()},
            "info",
            nxt,
            case_holder(case),
            actions,
            case,
            version,
        )
    if editable and case.state in NEW_VERSION_AFTER:
        actions.add("new_version")
    if case.state == RETURNED:
        return LectureStatus(
            "returned",
            _("Cần chỉnh sửa"),
            "warning",
            _("Đọc yêu cầu chỉnh sửa trong biên bản, tạo phiên bản mới và nộp lại (không cần chờ đợt nộp)."),
            me,
            actions,
            case,
            version,
            needs_changes=True,
        )
    if case.state == APPROVED:
        return LectureStatus(
            "approved",
            _("Đã phê duyệt (%(level)s)") % {"level": case.get_level_display().lower()},
            "success",
            _(
                "Bài giảng được đưa vào kho học liệu; có thể được đề cử lên cấp trên. Khi cần cập nhật, hãy tạo phiên bản mới."
            ),
            case_holder(case),
            actions,
            case,
            version,
        )
    if case.state == REJECTED:
        return LectureStatus(
            "rejected",
            _("Không được phê duyệt (%(level)s)") % {"level": case.get_level_display().lower()},
            "danger",
            _("Xem lý do trong biên bản. Bạn có thể tạo phiên bản mới và nộp ở đợt nộp sau."),
            me,
            actions,
            case,
            version,
        )
    if case.state == WITHDRAWN:
        return LectureStatus(
            "withdrawn",
            _("Đã rút"),
            "secondary",
            _("Bạn đã rút bài. Tạo phiên bản mới để nộp lại trong đợt nộp."),
            me,
            actions,
            case,
            version,
        )
    return LectureStatus(
        case.state, case.get_state_display(), "info", "", case_holder(case), actions, case, version
    )


def home_counts(user) -> dict[str, int]:
    """Drafts, lectures returned for changes and lectures in review of the user, for the home card."""
    counts = {"drafts": 0, "returned": 0, "in_review": 0}
    for lecture in lectures_of(user).filter(author=user):
        status = lecture_status(lecture)
        if status.needs_changes:
            counts["returned"] += 1
        elif status.code.startswith("draft"):
            counts["drafts"] += 1
        elif status.code == "in_review":
            counts["in_review"] += 1
    return counts
