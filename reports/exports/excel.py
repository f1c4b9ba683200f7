"""The list as an .xlsx workbook (openpyxl): title lines, then a worksheet table with a frozen
header row and filters, numbers as numbers, dates as dates, then the total line.

# SECURITY: every text cell is written as a string (data_type "s"), so a title such as
"=HYPERLINK(…)" or "+1" stays text and never becomes a formula; characters XML cannot hold are
dropped rather than breaking the file.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from .document import COLUMNS, ApprovedList

WIDTHS = [6, 50, 18, 6, 26, 34, 18, 14]
HEADER_ROW = 6


def _text(ws, row: int, column: int, value: str):
    cell = ws.cell(row=row, column=column)
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value or "")
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def build(document: ApprovedList, *, progress=None) -> bytes:
    """`progress(done)` is called every 500 rows (the background export reports it)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    bold = Font(bold=True)
    _text(ws, 1, 1, document.frame.upper)
    _text(ws, 2, 1, document.frame.issuer).font = bold
    _text(ws, 3, 1, document.title).font = Font(bold=True, size=13)
    for offset, line in enumerate(document.lines[:2]):
        _text(ws, 4 + offset, 1, line)
    for column, (name, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True), start=1):
        _text(ws, HEADER_ROW, column, name).font = bold
        ws.column_dimensions[get_column_letter(column)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(document.rows):
        r = HEADER_ROW + 1 + i
        ws.cell(row=r, column=1, value=row.number)
        _text(ws, r, 2, row.title).alignment = wrap
        _text(ws, r, 3, row.subject)
        ws.cell(row=r, column=4, value=row.grade)
        _text(ws, r, 5, row.author)
        _text(ws, r, 6, row.school)
        _text(ws, r, 7, row.level)
        ws.cell(row=r, column=8, value=row.approved_on).number_format = "DD/MM/YYYY"
        if progress and i % 500 == 499:
            progress(i + 1)
    last = HEADER_ROW + len(document.rows)
    ref = f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}{last}"
    if document.rows:
        table = Table(displayName="DanhSach", ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        ws.add_table(table)
    else:
        ws.auto_filter.ref = ref
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    _text(ws, last + 2, 1, document.total_line).font = bold
    _text(ws, last + 4, 6, "THỦ TRƯỞNG ĐƠN VỊ").font = bold
    _text(ws, last + 5, 6, "(kí tên và đóng dấu)").font = Font(italic=True)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
