"""Demo data of the submissions app (called by `manage.py load_demo`). Idempotent.

The academic year 2026–2027 with its three windows; the make-up week of semester I is placed
on the week that contains today, so that the demo teacher can submit right away.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import Subject, TextbookSeries, Unit, User

from . import services, uploads
from .models import AcademicYear, Lecture, LectureVersion

# Small real lecture files the demo attaches (SCORM 1.2 packages that call the SCORM API, PDFs);
# each passes the project's own file check.
DEMO_FILES = Path(__file__).resolve().parent / "demo_files"

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


def demo_file_attach(*, version: LectureVersion, actor, name: str) -> LectureVersion:
    """Stores one of DEMO_FILES as the draft version's file, the way an upload ends
    (`version_attach_file`), and makes sure its check has run before returning: eagerly in the
    embedded default, else here and now rather than waiting for a worker."""
    path = DEMO_FILES / name
    with open(path, "rb") as handle:
        key = default_storage.save(uploads.new_key(user_id=actor.pk, filename=name), File(handle, name=name))
    with transaction.atomic():
        services.version_attach_file(
            version=version, actor=actor, key=key, original_name=name, size=path.stat().st_size
        )
    version = LectureVersion.objects.get(pk=version.pk)
    if version.check_status == LectureVersion.Check.PENDING:
        services.version_check(version_id=version.pk)
        version = LectureVersion.objects.get(pk=version.pk)
    return version
