"""What a semester report holds, built once for the DOCX and the PDF (seed 002 §4): the unit's
administrative frame (accounts.documents), the recipient above it, the period's figures, the
approved lectures, and the author's three sections."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.text import slugify

from accounts.documents import DocumentFrame, date_line, document_frame, document_symbol
from accounts.models import Unit

from ..selectors import Row
from .figures import Figures

TITLE = "BÁO CÁO"
COLUMNS = ["STT", "Tên bài giảng", "Môn học", "Lớp", "Tác giả", "Trường", "Cấp phê duyệt", "Ngày phê duyệt"]
LEVEL_COLUMNS = [
    "Cấp thẩm định",
    "Hồ sơ đưa lên",
    "Phê duyệt",
    "Yêu cầu chỉnh sửa",
    "Không phê duyệt",
    "Đang thẩm định",
]
SCHOOL_COLUMNS = ["STT", "Trường", "Bài giảng nộp", "Bài giảng được phê duyệt"]


@dataclass
class Section:
    heading: str
    text: str

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.text.splitlines() if p.strip()]


@dataclass
class SemesterDocument:
    frame: DocumentFrame
    symbol: str
    date_line: str
    subtitle: str  # "Kết quả … học kì I năm học 2026–2027"
    recipient: str  # "Kính gửi: Phòng Giáo dục và Đào tạo quận Hồng Bàng"
    unit_name: str
    period_line: str  # "(từ 01/08/2026 đến 17/01/2027)"
    figures: Figures
    rows: list[Row]
    sections: list[Section]
    signer: str  # "HIỆU TRƯỞNG", "TRƯỞNG PHÒNG"

    title: str = TITLE

    @property
    def total_line(self) -> str:
        return f"Tổng cộng danh sách có {len(self.rows)} bài giảng./."

    def filename(self, extension: str) -> str:
        return f"bao-cao-{slugify(self.subtitle.split(' ', 1)[-1])[:40]}-{slugify(self.unit_name)[:40]}.{extension}"

    @property
    def level_rows(self) -> list[list]:
        return [
            [line.label, line.submitted, line.approved, line.returned, line.rejected, line.in_review]
            for line in self.figures.levels
        ]

    @property
    def school_rows(self) -> list[list]:
        return [[n, s.school, s.submitted, s.approved] for n, s in enumerate(self.figures.schools, start=1)]


def _recipient(unit: Unit) -> str:
    """The office above: a district's schools report to the district office, everything else to
    the Department."""
    above = [u for u in unit.ancestors(include_self=False) if u.kind in (Unit.Kind.DISTRICT, Unit.Kind.CITY)]
    if unit.kind == Unit.Kind.SCHOOL and above and above[-1].kind == Unit.Kind.DISTRICT:
        return above[-1].name
    city = next((u for u in above if u.kind == Unit.Kind.CITY), None)
    return city.name if city else "Sở Giáo dục và Đào tạo"


def semester_document(
    *,
    unit: Unit,
    period_label: str,
    figures: Figures,
    rows: list[Row],
    texts: dict[str, str],
    today: datetime.date,
) -> SemesterDocument:
    frame = document_frame(unit)
    d = "%d/%m/%Y"
    return SemesterDocument(
        frame=frame,
        symbol=document_symbol(None, "BC", frame.abbreviation),
        date_line=date_line(frame.place, today),
        subtitle=f"Kết quả xây dựng, thẩm định bài giảng điện tử {period_label}",
        recipient=f"Kính gửi: {_recipient(unit)}",
        unit_name=unit.name,
        period_line=f"(số liệu từ {figures.starts_on.strftime(d)} đến {figures.ends_on.strftime(d)})",
        figures=figures,
        rows=rows,
        sections=[
            Section("1. Khó khăn", texts["difficulties"]),
            Section("2. Nguyên nhân", texts["causes"]),
            Section("III. KIẾN NGHỊ, ĐỀ XUẤT", texts["recommendations"]),
        ],
        signer="HIỆU TRƯỞNG" if unit.kind == Unit.Kind.SCHOOL else "TRƯỞNG PHÒNG",
    )
