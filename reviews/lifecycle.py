"""A lecture's life as its author sees it: where it stands, who has it, what may happen next.

The reviews app owns this (the lecture's review cases decide it); the submissions app knows
nothing of cases. `lecture_status(...).actions` is the one list of what a user may do to a
lecture now: the lecture pages draw their buttons from it and the lifecycle views refuse any
POST for an action not in it (the services check again under lock).
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from submissions.formats import accepted_text
from submissions.models import Lecture, LectureVersion
from submissions.selectors import (
    check_progress_text,
    closed_window_message,
    latest_version,
    window_open_on,
)

from .actions import available
from .models import CaseState, ReviewCase, ReviewLevel

LIFE_PREFETCH = (
    Prefetch("versions", queryset=LectureVersion.objects.order_by("-number")),
    Prefetch("cases", queryset=ReviewCase.objects.select_related("unit", "panel").order_by("-opened_at")),
)


def lectures_of(user) -> QuerySet[Lecture]:
    """ "Bài giảng của tôi": lectures the user wrote or co-wrote, newest first, with their
    versions and review cases prefetched for `lecture_status`."""
    return (
        # Two small id sets (written, co-written), each read by its index: as a union, since
        # "IN one OR IN the other" made PostgreSQL test all 150k lectures of the city (0.3 s).
        Lecture.objects.filter(
            pk__in=Lecture.objects.filter(author=user)
            .order_by()
            .values("pk")
            .union(Lecture.co_authors.through.objects.filter(user=user).values("lecture_id"), all=True)
        )
        .select_related("subject", "department", "author", "school")
        .prefetch_related(*LIFE_PREFETCH)
        .order_by("-updated_at")
    )


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


def _date(day) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""


def _submit_hint(lecture: Lecture, today: datetime.date, windows: dict | None) -> tuple[str, bool]:
    """What to do with a draft ready to submit, and whether a window is open today: before when
    to submit (the window open today), or when the next window opens. `windows` remembers it per school and level across one list's lectures,
    so that a list of drafts reads the calendar once a school, not once a lecture."""
    key = (today, lecture.school_level, lecture.school_id)
    if windows is not None and key in windows:
        return windows[key]
    window = window_open_on(today, school_level=lecture.school_level, school=lecture.school)
    if window is not None:
        hint = (
            _("Bấm “Nộp bài” trước hết ngày %(date)s (%(window)s).")
            % {
                "date": _date(window.closes_on),
                "window": window.name,
            },
            True,
        )
    else:
        # No window today: say when the next opens instead of offering "Nộp bài"
        # (the action list guards the endpoint too; the service checks again).
        hint = closed_window_message(today, school_level=lecture.school_level, school=lecture.school), False
    if windows is not None:
        windows[key] = hint
    return hint


def lecture_status(
    lecture: Lecture, *, user=None, today: datetime.date | None = None, windows: dict | None = None
) -> LectureStatus:
    """Where the lecture stands, read from its latest version and latest review case.

    `actions` is the one list of what `user` may do now; the template draws buttons from it
    and the views refuse anything not in it (the services check again under lock). A list
    passes one `windows` dict for all its lectures (see `_submit_hint`).
    """
    today = today or timezone.localdate()
    if "versions" not in getattr(lecture, "_prefetched_objects_cache", {}):
        # One query each for the versions and the cases that every predicate below reads, on a
        # copy, so that the caller's lecture never holds a stale list after a later change.
        cache = dict(getattr(lecture, "_prefetched_objects_cache", {}))
        lecture = copy.copy(lecture)
        lecture._prefetched_objects_cache = cache
        prefetch_related_objects([lecture], *LIFE_PREFETCH)
    version = latest_version(lecture)
    draft = version if version is not None and not version.is_submitted else None
    case = ReviewCase.latest_of(lecture)
    me = _("Bạn (tác giả)")
    actions: set[str] = available(user, lecture, on="lecture")

    if draft is not None:
        resubmitting = case is not None and case.state == CaseState.RETURNED
        if draft.check_status == LectureVersion.Check.NONE:
            code, label, tone = "draft_empty", _("Bản nháp – chưa có tệp"), "secondary"
            nxt = _("Tải tệp bài giảng lên: %(formats)s.") % {"formats": accepted_text(_)}
        elif draft.check_status == LectureVersion.Check.PENDING:
            code, label, tone = "draft_checking", _("Đang kiểm tra tệp"), "info"
            nxt = check_progress_text(draft)
        elif draft.check_gave_up:
            code, label, tone = "draft_check_error", _("Chưa kiểm tra được tệp"), "warning"
            nxt = _("Bấm “Kiểm tra lại” để hệ thống kiểm tra tệp lần nữa; không cần tải tệp lên lại.")
        elif draft.check_status == LectureVersion.Check.FAILED:
            code, label, tone = "draft_failed", _("Tệp không hợp lệ"), "danger"
            nxt = _("Xem lý do bên dưới, sửa tệp rồi tải lên lại. Tệp không hợp lệ không nộp được.")
        else:
            code, label, tone = "draft_ready", _("Sẵn sàng nộp"), "primary"
            if resubmitting:
                nxt = _("Nộp lại bản đã chỉnh sửa bất cứ lúc nào; bài sẽ về lại người đã yêu cầu chỉnh sửa.")
            else:
                nxt, window_open = _submit_hint(lecture, today, windows)
                if not window_open:
                    actions.discard("submit")
        if resubmitting:
            label = _("Cần chỉnh sửa – %(what)s") % {"what": label[0].lower() + label[1:]}
            tone = "warning" if tone in ("primary", "secondary") else tone
        return LectureStatus(code, label, tone, nxt, me, actions, case, version, draft, resubmitting)

    if case is None:  # a submitted version without a case: only in data made by hand
        return LectureStatus("submitted", _("Đã nộp"), "info", "", "", actions, None, version, None)

    if case.state == CaseState.IN_REVIEW:
        nxt = _("Chờ thẩm định %(level)s") % {"level": case.get_level_display().lower()}
        if case.due_on:
            nxt += _(", hạn %(date)s") % {"date": _date(case.due_on)}
        nxt += _(". Bạn có thể rút bài trước khi có quyết định.") if "withdraw" in actions else "."
        return LectureStatus(
            "in_review",
            _("Đang thẩm định (%(level)s)") % {"level": case.get_level_display().lower()},
            "info",
            nxt,
            case.holder,
            actions,
            case,
            version,
        )
    if case.state == CaseState.RETURNED:
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
    if case.state == CaseState.APPROVED:
        return LectureStatus(
            "approved",
            _("Đã phê duyệt (%(level)s)") % {"level": case.get_level_display().lower()},
            "success",
            _(
                "Bài giảng được đưa vào kho học liệu cấp thành phố, cấp cao nhất. Khi cần cập nhật, hãy tạo phiên bản mới."
            )
            if case.level == ReviewLevel.CITY
            else _(
                "Bài giảng được đưa vào kho học liệu; có thể được đề cử lên cấp trên. Khi cần cập nhật, hãy tạo phiên bản mới."
            ),
            case.holder,
            actions,
            case,
            version,
        )
    if case.state == CaseState.REJECTED:
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
    if case.state == CaseState.WITHDRAWN:
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
        case.state, case.get_state_display(), "info", "", case.holder, actions, case, version
    )


def author_counts(user) -> dict[str, int]:
    """Drafts, lectures returned for changes and lectures in review of the user, for the home card:
    `lecture_status`'s codes counted in one query from each lecture's latest version and case.

    A lecture whose latest case was returned counts as returned (with a new draft or not); else a
    lecture whose latest version is not submitted is a draft; else one whose latest case is in
    review is in review, or a draft if that case is a draft."""
    versions = LectureVersion.objects.filter(lecture=OuterRef("pk")).order_by("-number")
    latest_case = ReviewCase.objects.filter(lecture=OuterRef("pk")).order_by("-opened_at", "-pk")
    lectures = Lecture.objects.filter(author=user).annotate(
        draft=Coalesce(
            Subquery(versions.values(unsubmitted=Q(submitted_at__isnull=True))[:1]),
            Value(False),
            output_field=BooleanField(),
        ),
        state=Coalesce(Subquery(latest_case.values("state")[:1]), Value("")),
    )
    returned = Q(state=CaseState.RETURNED)
    return lectures.aggregate(
        returned=Count("pk", filter=returned),
        # A case still in its own draft state reads "draft" too (lecture_status's last branch).
        drafts=Count("pk", filter=(Q(draft=True) & ~returned) | Q(draft=False, state=CaseState.DRAFT)),
        in_review=Count("pk", filter=Q(draft=False, state=CaseState.IN_REVIEW)),
    )
