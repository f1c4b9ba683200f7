"""Minutes as a PDF on the shared administrative-document frame (elearning/pdf.py,
templates/components/document_header.html): the issuing unit's header and the "Số" given by the
decision (Minutes.frame, Minutes.number), the motto, place and date of the decision."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.documents import DocumentFrame, date_line, document_frame, document_symbol
from elearning.pdf import render_pdf

from .models import Minutes, ReviewLevel


def _frame(minutes: Minutes) -> DocumentFrame:
    if minutes.frame:
        return DocumentFrame(**minutes.frame)
    # Not reached after migration 0007; kept so that a hand-made row still renders.
    case = minutes.case
    return document_frame(case.lecture.school if case.level == ReviewLevel.SCHOOL else case.unit)


def minutes_pdf_bytes(context: dict) -> bytes:
    """`context`: the minutes page's (minutes, lecture, version, passed)."""
    minutes: Minutes = context["minutes"]
    frame = _frame(minutes)
    day = timezone.localtime(minutes.decided_at).date() if minutes.decided_at else datetime.date.today()
    return render_pdf(
        "reviews/minutes_pdf.html",
        {
            **context,
            "frame": frame,
            "symbol": minutes.number or document_symbol(None, "BB", frame.abbreviation),
            "date_line": date_line(frame.place, day),
        },
    )


def _place(case) -> str:
    root = case.lecture.school.ancestors()[0] if case.lecture.school.path else None
    name = root.name if root else ""
    for prefix in ("Sở Giáo dục và Đào tạo ", "Sở GDĐT ", "Sở GD&ĐT "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return ""


def minutes_context(minutes: Minutes) -> dict:
    """The minutes page's context, which the PDF renders too."""
    case = minutes.case
    day = timezone.localtime(minutes.decided_at).date() if minutes.decided_at else datetime.date.today()
    return {
        "minutes": minutes,
        "case": case,
        "lecture": case.lecture,
        "version": case.version,
        "place": _place(case),
        "day": day,
        "passed": minutes.total is not None
        and minutes.pass_mark is not None
        and minutes.total >= minutes.pass_mark,
    }
