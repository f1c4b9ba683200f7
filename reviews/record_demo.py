"""Professional records of the demo city (called by `manage.py load_demo`). Idempotent.

Made the way people make them, through the real services: teachers, the department head and
principals submit; the head approves one plan, returns one lesson plan with comments; the school
plans wait for the district office and the city. So every role has something to see: the
teacher's page, the head's queue, the principal's department plan, the offices' school plans,
the inspection lists and the compliance table.
"""

from __future__ import annotations

import datetime
import logging

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Subject, Unit, User
from submissions.demo import DEMO_FILES
from submissions.models import Record, RecordKind
from submissions.record_selectors import current_year
from submissions.services import academic_year_ensure

from . import services

logger = logging.getLogger(__name__)

# owner, kind, unit, lesson (name, class, days from today to the teaching date) or None, goal, file
DEMO_RECORDS = [
    ("demo.gv", "teacher_plan", "THCS-LQD-TOAN", None, "approve", "pdf-luy-thua.pdf"),
    (
        "demo.gv",
        "lesson_plan",
        "THCS-LQD-TOAN",
        ("Bài 5. Phép nhân và phép chia số tự nhiên", "6A1", 3),
        "submit",
        "pdf-luy-thua.pdf",
    ),
    (
        "demo.gv",
        "lesson_plan",
        "THCS-LQD-TOAN",
        ("Bài 6. Lũy thừa với số mũ tự nhiên", "6A1", 6),
        "return",
        "pdf-luy-thua.pdf",
    ),
    (
        "demo.gv",
        "lesson_plan",
        "THCS-LQD-TOAN",
        ("Bài 1. Tập hợp", "6A2", 9),
        "approve",
        "pdf-so-nguyen-to.pdf",
    ),
    ("demo.tt", "department_plan", "THCS-LQD-TOAN", None, "submit", "pdf-dau-hieu-chia-het.pdf"),
    ("demo.ht", "school_plan", "THCS-LQD", None, "submit", "pdf-van-ban-tu-su.pdf"),
    ("demo.ht.thpt", "school_plan", "THPT-TRANPHU", None, "submit", "pdf-van-ban-tu-su.pdf"),
    ("demo.gv.thpt", "teacher_plan", "THPT-TRANPHU-DIA", None, "submit", "pdf-thu-tu-trong-tap-hop.pdf"),
    ("demo.gv.th", "teacher_plan", "TH-NGUYENTRAI-K4", None, "submit", "pdf-thu-tu-trong-tap-hop.pdf"),
]


def _year():
    year = current_year()
    if year is not None:
        return year
    today = timezone.localdate()
    start = today.year if today.month >= 8 else today.year - 1
    return academic_year_ensure(name=f"{start}-{start + 1}")


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DEMO_FILES / name).read_bytes())


def load_demo() -> None:
    year = _year()
    today = timezone.localdate()
    kinds = {k.code: k for k in RecordKind.objects.all()}
    head = User.objects.filter(username="demo.tt").first()
    for username, code, unit_code, lesson, goal, file in DEMO_RECORDS:
        owner = User.objects.filter(username=username).first()
        unit = Unit.objects.filter(code=unit_code).first()
        kind = kinds.get(code)
        if owner is None or unit is None or kind is None:
            continue
        existing = Record.objects.filter(owner=owner, kind=kind, unit=unit, year=year)
        if lesson:
            existing = existing.filter(lesson_name=lesson[0], class_name=lesson[1])
        if existing.exists():
            continue
        files = {"upload": _upload(file)}
        if kind.has_activity_part:
            files["activity_upload"] = _upload("pdf-so-nguyen-to.pdf")
        if kind.needs_council_adoption:
            files.update(
                council_adopted_on=today - datetime.timedelta(days=2), council_decision_number="01/NQ-HĐT"
            )
        details = None
        if kind.unit_level == RecordKind.UnitLevel.TEACHER:
            role = owner.roles.filter(unit=unit, subject__isnull=False).first()
            details = {"subject": role.subject if role else Subject.objects.filter(units=unit).first()}
            if lesson:
                details.update(
                    lesson_name=lesson[0],
                    grade=6,
                    class_name=lesson[1],
                    teaching_date=today + datetime.timedelta(days=lesson[2]),
                )
        try:
            case = services.record_submit(
                kind=kind, actor=owner, unit=unit, year=year, files=files, details=details
            )
            if goal == "approve" and head is not None:
                services.record_decide(case=case, actor=head, approve=True)
            elif goal == "return" and head is not None:
                services.record_decide(
                    case=case,
                    actor=head,
                    approve=False,
                    comment="Bổ sung mục tiêu về năng lực và phần luyện tập cuối bài.",
                )
        except Exception:  # the demo must load even if one record cannot be made
            logger.exception("Demo record %s/%s could not be made", username, code)
