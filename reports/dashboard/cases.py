"""Figures of the review workflow: cases per state and level, per window, overdue reviews,
turnaround, submissions and approvals per school and subject, schools silent in an open window.

Each function runs a few grouped queries over the scope's lectures (never one per row)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Subject
from repository.models import Publication
from reviews.models import CaseState, ReviewCase, ReviewLevel
from submissions.models import LectureVersion, SubmissionWindow

from .scope import DashboardScope, Table, schools_of

STATES = [
    CaseState.IN_REVIEW,
    CaseState.RETURNED,
    CaseState.RESUBMITTED,
    CaseState.APPROVED,
    CaseState.REJECTED,
    CaseState.WITHDRAWN,
]


def _state_columns() -> list[str]:
    return [str(s.label) for s in STATES] + [_("Tổng")]


def _state_row(label: str, counts: Counter) -> list:
    values = [counts.get(s.value, 0) for s in STATES]
    return [label, *values, sum(values)]


def cases_by_level(dscope: DashboardScope) -> Table:
    counts: dict[str, Counter] = defaultdict(Counter)
    for level, state, n in (
        ReviewCase.objects.filter(dscope.lectures_q("lecture__"))
        .exclude(state=CaseState.DRAFT)
        .values_list("level", "state")
        .annotate(n=Count("pk"))
    ):
        counts[level][state] += n
    rows = [_state_row(str(level.label), counts[level.value]) for level in ReviewLevel]
    return Table(
        "cases_by_level",
        _("Hồ sơ thẩm định theo trạng thái và cấp (hiện tại)"),
        [_("Cấp thẩm định"), *_state_columns()],
        rows,
    )


def cases_by_window(dscope: DashboardScope) -> Table:
    counts: dict[int | None, Counter] = defaultdict(Counter)
    for window_id, state, n in (
        ReviewCase.objects.filter(dscope.lectures_q("lecture__"))
        .exclude(state=CaseState.DRAFT)
        .values_list("window_id", "state")
        .annotate(n=Count("pk"))
    ):
        counts[window_id][state] += n
    windows = SubmissionWindow.objects.filter(pk__in=[k for k in counts if k]).order_by("opens_on")
    rows = [_state_row(str(w), counts[w.pk]) for w in windows]
    if None in counts:
        rows.append(_state_row(_("Ngoài đợt nộp"), counts[None]))
    return Table(
        "cases_by_window",
        _("Hồ sơ thẩm định theo đợt nộp và trạng thái"),
        [_("Đợt nộp"), *_state_columns()],
        rows,
    )


def overdue_by_unit(dscope: DashboardScope) -> Table:
    """Cases still in review past their due date, per reviewing unit (a department at school
    level, the cluster, district or city above)."""
    today = timezone.localdate()
    rows = [
        [f"{name} – {parent}" if parent else name, n, (today - oldest).days]
        for name, parent, n, oldest in (
            ReviewCase.objects.filter(
                dscope.lectures_q("lecture__"), state=CaseState.IN_REVIEW, due_on__lt=today
            )
            .values_list("unit__path", "unit__name", "unit__parent__name")
            .annotate(n=Count("pk"), oldest=Min("due_on"))
            .order_by("unit__path")
            .values_list("unit__name", "unit__parent__name", "n", "oldest")
        )
    ]
    return Table(
        "overdue_by_unit",
        _("Hồ sơ quá hạn thẩm định theo đơn vị thẩm định"),
        [_("Đơn vị thẩm định"), _("Số hồ sơ quá hạn"), _("Quá hạn lâu nhất (ngày)")],
        rows,
    )


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of the values; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def turnaround(dscope: DashboardScope) -> Table:
    """Days from the case's opening (the submission, or the nomination at a higher level) to its
    decision, per level."""
    days: dict[str, list[float]] = defaultdict(list)
    for level, opened, decided in ReviewCase.objects.filter(
        dscope.lectures_q("lecture__"), decided_at__isnull=False
    ).values_list("level", "opened_at", "decided_at"):
        days[level].append((decided - opened).total_seconds() / 86400)
    rows = []
    for level in ReviewLevel:
        values = days[level.value]
        med, p90 = median(values), percentile(values, 90)
        rows.append(
            [
                str(level.label),
                len(values),
                round(med, 1) if med is not None else None,
                round(p90, 1) if p90 is not None else None,
            ]
        )
    return Table(
        "turnaround",
        _("Thời gian thẩm định, từ khi nộp đến khi có quyết định (ngày)"),
        [_("Cấp thẩm định"), _("Số hồ sơ đã quyết định"), _("Trung vị (ngày)"), _("Phân vị 90 (ngày)")],
        rows,
    )


def _submitted_and_approved(dscope: DashboardScope, field: str) -> tuple[dict, dict]:
    submitted = dict(
        ReviewCase.objects.filter(dscope.lectures_q("lecture__"))
        .exclude(state=CaseState.DRAFT)
        .values_list(f"lecture__{field}")
        .annotate(n=Count("lecture_id", distinct=True))
        .order_by()
    )
    approved = dict(
        Publication.objects.filter(dscope.lectures_q("lecture__"), state=Publication.State.ACTIVE)
        .values_list(f"lecture__{field}")
        .annotate(n=Count("lecture_id", distinct=True))
        .order_by()
    )
    return submitted, approved


def by_school(dscope: DashboardScope) -> Table:
    submitted, approved = _submitted_and_approved(dscope, "school_id")
    rows = [
        [school.name, submitted.get(school.pk, 0), approved.get(school.pk, 0)]
        for school in schools_of(dscope).only("pk", "name")
    ]
    return Table(
        "by_school",
        _("Bài giảng đã nộp và được phê duyệt theo trường"),
        [_("Trường"), _("Bài giảng đã nộp"), _("Bài giảng được phê duyệt")],
        rows,
    )


def by_subject(dscope: DashboardScope) -> Table:
    submitted, approved = _submitted_and_approved(dscope, "subject_id")
    ids = set(submitted) | set(approved)
    rows = [
        [subject.name, submitted.get(subject.pk, 0), approved.get(subject.pk, 0)]
        for subject in Subject.objects.filter(pk__in=ids).order_by("order")
    ]
    return Table(
        "by_subject",
        _("Bài giảng đã nộp và được phê duyệt theo môn"),
        [_("Môn học"), _("Bài giảng đã nộp"), _("Bài giảng được phê duyệt")],
        rows,
    )


def silent_schools(dscope: DashboardScope) -> Table:
    """Schools of the scope that have submitted nothing (in the scope's subjects) in a window
    open today that takes lectures of their level."""
    today = timezone.localdate()
    windows = list(
        SubmissionWindow.objects.filter(opens_on__lte=today, closes_on__gte=today).order_by("opens_on")
    )
    schools = list(schools_of(dscope).only("pk", "name", "levels", "path"))
    # A district's window applies to its schools only, and its standard windows stand in for
    # the city's of the same year and slot there (as submissions' _windows_for decides).
    replaced = {
        (w.unit_id, w.year_id, w.slot)
        for w in windows
        if w.unit_id is not None and w.slot != SubmissionWindow.Slot.OTHER
    }
    rows = []
    for window in windows:
        if window.kinds and "lecture" not in window.kinds:
            continue
        active = set(
            LectureVersion.objects.filter(
                dscope.lectures_q("lecture__"), window=window, submitted_at__isnull=False
            )
            .values_list("lecture__school_id", flat=True)
            .distinct()
        )
        for school in schools:
            ancestors = school.ancestor_ids
            if window.unit_id is not None and window.unit_id not in ancestors:
                continue
            if window.unit_id is None and any(
                (a, window.year_id, window.slot) in replaced for a in ancestors
            ):
                continue
            levels = set(school.levels or [])
            if window.school_levels and levels and not levels & set(window.school_levels):
                continue
            if school.pk not in active:
                rows.append([school.name, str(window), window.closes_on])
    return Table(
        "silent_schools",
        _("Trường chưa nộp bài giảng nào trong đợt đang mở"),
        [_("Trường"), _("Đợt nộp"), _("Hạn nộp")],
        rows,
        note="" if windows else _("Hiện không có đợt nộp nào đang mở."),
    )
