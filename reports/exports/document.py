"""What a printed approved-lecture list holds, built once for both formats."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.text import slugify

from accounts.documents import DocumentFrame, date_line, document_frame, document_symbol

from ..selectors import LEVEL_LABELS, ListQuery, Row

TITLE = "DANH SÁCH BÀI GIẢNG ĐIỆN TỬ ĐƯỢC PHÊ DUYỆT"
COLUMNS = ["STT", "Tên bài giảng", "Môn học", "Lớp", "Tác giả", "Trường", "Cấp phê duyệt", "Ngày phê duyệt"]


@dataclass
class ApprovedList:
    frame: DocumentFrame
    symbol: str
    date_line: str
    title: str
    lines: list[str]  # what the list covers: unit, period, filters
    rows: list[Row] = field(default_factory=list)

    @property
    def total_line(self) -> str:
        return f"Tổng cộng danh sách có {len(self.rows)} bài giảng./."

    def filename(self, extension: str) -> str:
        return f"danh-sach-bai-giang-duoc-phe-duyet-{slugify(self.lines[0])[:60]}.{extension}"


def approved_list(query: ListQuery, rows: list[Row], *, today: datetime.date | None = None) -> ApprovedList:
    """The list's frame and title lines. The "Số" is left for the clerk: the app cannot know which
    of the downloads the unit head signs and registers (minutes, by contrast, are numbered by the
    decision that makes them)."""
    frame = document_frame(query.unit)
    lines = [f"Đơn vị: {query.unit.name}"]
    covered = []
    if query.period:
        covered.append(query.period.label)
    if query.subject:
        covered.append(f"môn {query.subject.name}")
    if query.grade:
        covered.append(f"lớp {query.grade}")
    if query.school_level:
        from accounts.models import SchoolLevel

        covered.append(str(SchoolLevel(query.school_level).label).lower())
    if query.level:
        covered.append(f"được phê duyệt từ {str(LEVEL_LABELS[query.level]).lower()} trở lên")
    if covered:
        lines.append("(" + "; ".join(covered) + ")")
    return ApprovedList(
        frame=frame,
        symbol=document_symbol(None, "DS", frame.abbreviation),
        date_line=date_line(frame.place, today or timezone.localdate()),
        title=TITLE,
        lines=lines,
        rows=rows,
    )
