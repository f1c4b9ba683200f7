"""Curriculum coverage and the targets of seed 002.

Coverage = catalogue lessons with at least one approved lecture (an active publication) of the
scope's schools ÷ catalogue lessons, per subject × grade. Without a catalogue for the scope's
subjects, coverage falls back to distinct lesson titles: titles with an approved lecture ÷
titles of all the scope's lectures, and the page says so.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count
from django.utils.translation import gettext as _

from accounts.models import Subject
from repository.models import Publication
from submissions.models import CatalogueLesson, Lecture

from .scope import DashboardScope, Table

# Seed 002 (Nhà Bè, 5/2023): the digital library for grades 6, 7 and 8 by 12/2023, grade 9 by
# 12/2024; 35% of the curriculum online on average by 12/2025.
ROADMAP = [
    (6, datetime.date(2023, 12, 31)),
    (7, datetime.date(2023, 12, 31)),
    (8, datetime.date(2023, 12, 31)),
    (9, datetime.date(2024, 12, 31)),
]
ONLINE_SHARE_DEADLINE = datetime.date(2025, 12, 31)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def coverage_counts(dscope: DashboardScope) -> tuple[bool, dict[tuple[int, int], tuple[int, int]]]:
    """(whether a catalogue is used, {(subject_id, grade): (covered, total)})."""
    catalogue = CatalogueLesson.objects.filter(dscope.subjects_q("subject__"))
    if catalogue.exists():
        totals = dict(
            ((s, g), n)
            for s, g, n in catalogue.values_list("subject_id", "grade").annotate(n=Count("pk")).order_by()
        )
        covered = dict(
            ((s, g), n)
            for s, g, n in catalogue.filter(
                lectures__in=Publication.objects.filter(
                    dscope.lectures_q("lecture__"), state=Publication.State.ACTIVE
                ).values("lecture_id")
            )
            .values_list("subject_id", "grade")
            .annotate(n=Count("pk", distinct=True))
            .order_by()
        )
        return True, {key: (covered.get(key, 0), total) for key, total in totals.items()}
    titles: dict[tuple[int, int], set[str]] = defaultdict(set)
    approved: dict[tuple[int, int], set[str]] = defaultdict(set)
    published = set(
        Publication.objects.filter(
            dscope.lectures_q("lecture__"), state=Publication.State.ACTIVE
        ).values_list("lecture_id", flat=True)
    )
    for pk, subject_id, grade, title in Lecture.objects.filter(dscope.lectures_q()).values_list(
        "pk", "subject_id", "grade", "title"
    ):
        key, name = (subject_id, grade), " ".join(title.lower().split())
        titles[key].add(name)
        if pk in published:
            approved[key].add(name)
    return False, {key: (len(approved[key]), len(names)) for key, names in titles.items()}


def coverage(dscope: DashboardScope) -> tuple[Table, dict]:
    """The coverage table and the raw counts the targets read."""
    with_catalogue, counts = coverage_counts(dscope)
    names = dict(Subject.objects.filter(pk__in={s for s, _g in counts}).values_list("pk", "name"))
    order = dict(Subject.objects.filter(pk__in={s for s, _g in counts}).values_list("pk", "order"))
    rows = [
        [names[s], g, covered, total, _percent(covered, total)]
        for (s, g), (covered, total) in sorted(counts.items(), key=lambda kv: (order[kv[0][0]], kv[0][1]))
    ]
    if with_catalogue:
        columns = [
            _("Môn học"),
            _("Lớp"),
            _("Bài đã có bài giảng được duyệt"),
            _("Bài trong danh mục"),
            _("Tỉ lệ bao phủ (%)"),
        ]
        note = ""
    else:
        columns = [_("Môn học"), _("Lớp"), _("Tên bài đã được duyệt"), _("Tên bài đã soạn"), _("Tỉ lệ (%)")]
        note = _(
            "Chưa có danh mục bài học cho các môn này: tỉ lệ được tính trên số tên bài khác nhau đã soạn, "
            "không phải trên chương trình. Hãy nhập danh mục bài học để có tỉ lệ bao phủ chương trình."
        )
    table = Table("coverage", _("Mức độ bao phủ chương trình theo môn và lớp"), columns, rows, note=note)
    return table, {"with_catalogue": with_catalogue, "counts": counts}


def _status(percent: float | None, deadline: datetime.date, today: datetime.date, target: float = 100) -> str:
    if percent is None:
        return _("Chưa có bài nào để tính")
    if percent is not None and percent >= target:
        return _("Đạt")
    if today > deadline:
        return _("Chưa đạt, đã quá hạn")
    return _("Đang thực hiện")


def roadmap(raw: dict, today: datetime.date) -> Table:
    rows = []
    for grade, deadline in ROADMAP:
        covered = sum(c for (_s, g), (c, _t) in raw["counts"].items() if g == grade)
        total = sum(t for (_s, g), (_c, t) in raw["counts"].items() if g == grade)
        percent = _percent(covered, total)
        rows.append(
            [
                _("Khối %(g)d") % {"g": grade},
                deadline,
                covered,
                total,
                percent,
                _status(percent, deadline, today),
            ]
        )
    return Table(
        "roadmap",
        _("Lộ trình xây dựng kho học liệu số theo khối (văn bản hướng dẫn chuyển đổi số)"),
        [
            _("Khối lớp"),
            _("Hạn hoàn thành"),
            _("Bài đã có bài giảng được duyệt"),
            _("Tổng số bài"),
            _("Tỉ lệ (%)"),
            _("Tình trạng"),
        ],
        rows,
    )


def online_share(raw: dict, target: int, today: datetime.date) -> Table:
    covered = sum(c for c, _t in raw["counts"].values())
    total = sum(t for _c, t in raw["counts"].values())
    percent = _percent(covered, total)
    return Table(
        "online_share",
        _("Tỉ trọng nội dung chương trình triển khai trực tuyến"),
        [_("Chỉ tiêu"), _("Mục tiêu (%)"), _("Hiện đạt (%)"), _("Hạn"), _("Tình trạng")],
        [
            [
                _("Nội dung chương trình có bài giảng được duyệt"),
                target,
                percent,
                ONLINE_SHARE_DEADLINE,
                _status(percent, ONLINE_SHARE_DEADLINE, today, target),
            ]
        ],
    )
