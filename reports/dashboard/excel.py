"""The dashboard's tables as one .xlsx workbook: a sheet per table, its caption on top, a bold
frozen header row, numbers and dates as such.

# SECURITY: every text cell is written as a string (data_type "s"), so a school or lecture name
starting with "=" stays text and never becomes a formula.
"""

from __future__ import annotations

import datetime
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .scope import Table

HEADER_ROW = 3


def _put(ws, row: int, column: int, value):
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value
        if isinstance(value, datetime.date):
            cell.number_format = "DD/MM/YYYY"
    return cell


def build(title: str, tables: list[Table]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for n, table in enumerate(tables, start=1):
        ws = wb.create_sheet(f"{n:02d} {table.caption}"[:31].replace("/", "-"))
        _put(ws, 1, 1, title).font = bold
        _put(ws, 2, 1, table.caption + (f" — {table.note}" if table.note else ""))
        for column, name in enumerate(table.columns, start=1):
            _put(ws, HEADER_ROW, column, name).font = bold
            ws.column_dimensions[get_column_letter(column)].width = 40 if column == 1 else 16
        for r, row in enumerate(table.rows, start=HEADER_ROW + 1):
            for column, value in enumerate(row, start=1):
                _put(ws, r, column, value)
        ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
