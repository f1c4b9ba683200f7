"""Demo data of the submissions app (called by `manage.py load_demo`). Idempotent.

The academic year 2026–2027 with its three windows; the make-up week of semester I is placed
on the week that contains today, so that the demo teacher can submit right away.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Subject, TextbookSeries, Unit, User

from . import services
from .models import AcademicYear, Lecture

DEMO_LECTURES = [
    ("Bài 1. Tập hợp", 6, "Khái niệm tập hợp, cách viết và các kí hiệu; bài giảng kèm câu hỏi tương tác."),
    ("Bài 5. Phép nhân và phép chia số tự nhiên", 6, ""),
]


def _demo_makeup_weeks(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    this_monday = today - datetime.timedelta(days=today.weekday())
    return this_monday, this_monday + datetime.timedelta(weeks=16)


@transaction.atomic
def load_demo() -> None:
    year = services.academic_year_ensure(name="2026-2027")
    makeup1, makeup2 = _demo_makeup_weeks(timezone.localdate())
    if not (year.starts_on <= makeup1 <= year.ends_on):
        # Keep the demo usable whatever the date: stretch the year around today.
        AcademicYear.objects.filter(pk=year.pk).update(
            starts_on=min(year.starts_on, makeup1), ends_on=max(year.ends_on, makeup2)
        )
        year.refresh_from_db()
    services.windows_create_standard(year=year, makeup1=makeup1, makeup2=makeup2)

    teacher = User.objects.filter(username="demo.gv").first()
    department = Unit.objects.filter(code="THCS-LQD-TOAN").first()
    if teacher is None or department is None:
        return
    subject = Subject.objects.get(code="toan")
    series = TextbookSeries.objects.order_by("name").first()
    for title, grade, description in DEMO_LECTURES:
        if Lecture.objects.filter(author=teacher, title=title).exists():
            continue
        services.lecture_create(
            author=teacher,
            department=department,
            subject=subject,
            grade=grade,
            title=title,
            textbook_series=series,
            description=description,
            keywords="toán 6, số tự nhiên",
        )
