"""The list as a PDF in administrative form, on the shared frame (elearning/pdf.py)."""

from __future__ import annotations

from elearning.pdf import render_pdf

from .document import COLUMNS, ApprovedList

# The last rows printed together with the total line and the signatures (never a signature
# alone on a page).
KEEP_LAST_ROWS = 3


def build(document: ApprovedList) -> bytes:
    rows = document.rows
    split = max(0, len(rows) - KEEP_LAST_ROWS)
    return render_pdf(
        "reports/approved_list_pdf.html",
        {
            "doc": document,
            "frame": document.frame,
            "symbol": document.symbol,
            "date_line": document.date_line,
            "columns": COLUMNS,
            "rows": rows[:split],
            "last_rows": rows[split:],
        },
    )
