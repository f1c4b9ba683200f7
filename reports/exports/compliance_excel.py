"""The records compliance table as an .xlsx workbook (openpyxl).

# SECURITY: every text cell is written as a string (data_type "s"): a teacher named "=1+1" or a
# unit named "+SUM(A1)" stays text and never becomes a formula.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

HEADERS = [
    "Cấp",
    "Đơn vị / giáo viên",
    "Trường",
    "Kế hoạch nộp đúng hạn",
    "Kế hoạch nộp muộn",
    "Kế hoạch chưa nộp",
    "KHBD duyệt trước ngày dạy",
    "KHBD duyệt muộn",
    "KHBD chưa được duyệt (đã qua ngày dạy)",
]
LEVELS = {"school": "Trường", "department": "Tổ chuyên môn", "teacher": "Giáo viên"}
WIDTHS = [14, 40, 34, 14, 14, 14, 16, 14, 20]


def _text(ws, row: int, column: int, value: str):
    cell = ws.cell(row=row, column=column)
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value or "")
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def build(rows, *, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Hồ sơ chuyên môn"
    bold = Font(bold=True)
    _text(ws, 1, 1, title).font = Font(bold=True, size=13)
    for column, (name, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        _text(ws, 3, column, name).font = bold
        ws.column_dimensions[get_column_letter(column)].width = width
    for i, row in enumerate(rows, start=4):
        c = row.counts
        _text(ws, i, 1, LEVELS.get(row.level, row.level))
        cell = _text(ws, i, 2, row.name)
        if row.level != "teacher":
            cell.font = bold
        _text(ws, i, 3, row.school)
        values = [
            c.plans_on_time,
            c.plans_late,
            c.plans_missing,
            c.lessons_on_time,
            c.lessons_late,
            c.lessons_missing,
        ]
        for column, value in enumerate(values, start=4):
            ws.cell(row=i, column=column, value=value)
    ws.freeze_panes = "A4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
