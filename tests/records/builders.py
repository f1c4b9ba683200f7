"""Records built the way users build them: the demo city's people calling the real services."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reviews import services
from submissions.models import AcademicYear, RecordDeadline, RecordKind

FILES = Path(__file__).resolve().parent.parent / "fixtures" / "files"
PDF = FILES / "py-pdf-sample-files_002-trivial-libre-office-writer.pdf"
DOCX = FILES / "python-docx_test.docx"
MP4 = FILES / "python-pptx_just-two-mice.mp4"


def upload(path: Path = PDF, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def school_year(*, deadline: datetime.date | None = None) -> AcademicYear:
    """The current school year; `deadline` sets the plans' due date (else 15 September)."""
    today = timezone.localdate()
    start = today.year if today.month >= 8 else today.year - 1
    year, _ = AcademicYear.objects.get_or_create(
        name=f"{start}–{start + 1}",
        defaults={
            "starts_on": datetime.date(start, 8, 1),
            "semester1_ends_on": datetime.date(start + 1, 1, 17),
            "ends_on": datetime.date(start + 1, 5, 31),
        },
    )
    if deadline is not None:
        for kind in RecordKind.objects.exclude(frequency="per_lesson"):
            RecordDeadline.objects.update_or_create(kind=kind, year=year, defaults={"due_on": deadline})
    return year


def kind(code: str) -> RecordKind:
    return RecordKind.objects.get(code=code)


def plan_files(code: str, **extra) -> dict:
    files = {"upload": upload()}
    if code == "department_plan":
        files["activity_upload"] = upload(DOCX)
    if code == "school_plan":
        files["council_adopted_on"] = timezone.localdate() - datetime.timedelta(days=3)
        files["council_decision_number"] = "05/NQ-HĐT"
    files.update(extra)
    return files


def _teaching_subject(demo, username, unit_code):
    role = demo.user(username).roles.filter(unit=demo.unit(unit_code), subject__isnull=False).first()
    return role.subject if role else demo.unit(unit_code).subjects.first()


def submit_plan(demo, code: str, username: str, unit_code: str, year=None, **extra):
    """`username` submits the plan of `code` for the unit; returns the open review case."""
    year = year or school_year()
    return services.record_submit(
        kind=kind(code),
        actor=demo.user(username),
        unit=demo.unit(unit_code),
        year=year,
        files=plan_files(code, **extra),
        details={"subject": _teaching_subject(demo, username, unit_code)} if code == "teacher_plan" else None,
    )


def submit_lesson_plan(
    demo,
    username="demo.gv",
    unit_code="THCS-LQD-TOAN",
    *,
    lesson="Bài 1. Tập hợp",
    class_name="6A1",
    teaching_date=None,
    year=None,
):
    from accounts.models import Subject

    return services.record_submit(
        kind=kind("lesson_plan"),
        actor=demo.user(username),
        unit=demo.unit(unit_code),
        year=year or school_year(),
        files={"upload": upload()},
        details={
            "subject": Subject.objects.get(code="toan"),
            "lesson_name": lesson,
            "grade": 6,
            "class_name": class_name,
            "teaching_date": teaching_date or timezone.localdate() + datetime.timedelta(days=5),
        },
    )
