"""Professional records: opening a record, checking and storing a submitted version, and the
summary fields the review services keep in step (seed 001; DESIGN.md 7).

The review workflow (`reviews.services.records`) calls these; a version is created already
submitted and never changes again (every resubmission is a new version).
"""

from __future__ import annotations

import datetime
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import RoleAssignment, Unit

from ..checks import inspect_file
from ..formats import Format
from ..record_models import Record, RecordKind, RecordStatus, RecordVersion, lesson_key
from ..record_rules import can_edit_record
from .checks import check_limits


@dataclass
class CheckedFile:
    upload: object
    format: str
    size: int
    sha256: str


def _size_text(n: int) -> str:
    return f"{n / 1024**2:.0f} MB" if n >= 1024**2 else f"{n / 1024:.0f} KB"


def record_file_check(*, upload, kind: RecordKind, label: str = "") -> CheckedFile:
    """Checks an uploaded record file with the lecture file checks (by content, never by name):
    its size against RECORD_MAX_FILE_BYTES and its format against the kind's accepted formats.
    Raises a Vietnamese `ValidationError` naming the file; keeps nothing on refusal."""
    name = getattr(upload, "name", "") or _("tệp")
    what = label or _("Tệp “%(name)s”") % {"name": name}
    if upload is None:
        raise ValidationError(_("Hãy chọn tệp hồ sơ để tải lên."))
    limit = settings.RECORD_MAX_FILE_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("%(what)s quá lớn (%(size)s); tối đa %(max)s.")
            % {"what": what, "size": _size_text(upload.size), "max": _size_text(limit)}
        )
    with tempfile.TemporaryDirectory(dir=None) as tmp:
        local = Path(tmp) / "upload"
        with open(local, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        result = inspect_file(local, limits=check_limits(), clamd_url=settings.CLAMD_URL)
    upload.seek(0)
    if not result.ok:
        raise ValidationError(
            _("%(what)s không hợp lệ: %(why)s") % {"what": what, "why": " ".join(result.messages)}
        )
    accepted = [Format(f) for f in (kind.formats or []) if f in Format._value2member_map_]
    if accepted and result.format not in accepted:
        raise ValidationError(
            _("%(what)s là %(found)s; loại hồ sơ “%(kind)s” chỉ nhận: %(formats)s.")
            % {
                "what": what,
                "found": result.format.label,
                "kind": kind.name,
                "formats": ", ".join(f.label for f in accepted),
            }
        )
    return CheckedFile(upload=upload, format=str(result.format), size=result.size, sha256=result.sha256)


def record_units_for(user, kind: RecordKind) -> list[Unit]:
    """The units for which `user` submits records of `kind`: the units where they hold the kind's
    submitter role (a school for a school-level kind, a department for the others)."""
    unit_kind = Unit.Kind.SCHOOL if kind.unit_level == RecordKind.UnitLevel.SCHOOL else Unit.Kind.DEPARTMENT
    return list(
        Unit.objects.filter(
            kind=unit_kind,
            is_active=True,
            role_assignments__user=user,
            role_assignments__role=kind.submitter_role,
        )
        .distinct()
        .order_by("path")
    )


def record_units_by_kind(user, kinds) -> dict[int, list[Unit]]:
    """`record_units_for` of several kinds (by kind id) from one read of the user's roles."""
    assignments = list(
        RoleAssignment.objects.filter(
            user=user, unit__is_active=True, unit__kind__in=[Unit.Kind.SCHOOL, Unit.Kind.DEPARTMENT]
        )
        .select_related("unit")
        .order_by("unit__path", "pk")
    )
    units = {}
    for kind in kinds:
        unit_kind = (
            Unit.Kind.SCHOOL if kind.unit_level == RecordKind.UnitLevel.SCHOOL else Unit.Kind.DEPARTMENT
        )
        found = {}
        for ra in assignments:
            if ra.role == kind.submitter_role and ra.unit.kind == unit_kind:
                found.setdefault(ra.unit.pk, ra.unit)
        units[kind.pk] = list(found.values())
    return units


def _due_on(kind: RecordKind, year, teaching_date: datetime.date | None) -> datetime.date:
    if kind.is_per_lesson:
        if teaching_date is None:
            raise ValidationError({"teaching_date": _("Hãy nhập ngày dạy của bài học.")})
        return teaching_date
    return kind.deadline_for(year)


def record_open(
    *,
    kind: RecordKind,
    actor,
    unit: Unit,
    year,
    subject=None,
    lesson_name: str = "",
    grade: int | None = None,
    class_name: str = "",
    teaching_date: datetime.date | None = None,
) -> Record:
    """Opens the actor's record of `kind` for `unit` and `year` (a plan) or for one lesson and
    class (a lesson plan). Refuses a unit where the actor does not hold the kind's submitter role,
    a second plan of the same unit and year, and a second current lesson plan for the same lesson
    and class (also guaranteed by a partial unique constraint)."""
    # SECURITY: the submitter role is checked here, not only by the form's choices.
    if unit not in record_units_for(actor, kind):
        raise PermissionDenied
    school = unit if unit.kind == Unit.Kind.SCHOOL else unit.school
    department = unit if unit.kind == Unit.Kind.DEPARTMENT else None
    fields = {
        "kind": kind,
        "owner": actor,
        "unit": unit,
        "school": school,
        "department": department,
        "year": year,
    }
    if kind.is_per_lesson:
        lesson_name = " ".join((lesson_name or "").split())
        class_name = " ".join((class_name or "").split())
        missing = {
            name: message
            for name, value, message in [
                ("lesson_name", lesson_name, _("Hãy nhập tên bài học hoặc chủ đề.")),
                ("class_name", class_name, _("Hãy nhập lớp dạy (ví dụ 6A1).")),
                ("subject", subject, _("Hãy chọn môn học.")),
                ("grade", grade, _("Hãy chọn khối lớp.")),
            ]
            if not value
        }
        if missing:
            raise ValidationError(missing)
        duplicate = Record.objects.filter(
            school=school,
            year=year,
            subject=subject,
            grade=grade,
            class_name__iexact=class_name,
            lesson_key=lesson_key(lesson_name),
            is_current=True,
        ).first()
        if duplicate is not None:
            raise ValidationError(
                _(
                    "Đã có kế hoạch bài dạy cho bài “%(lesson)s”, lớp %(class)s (của %(owner)s). "
                    "Mỗi bài học chỉ có một kế hoạch bài dạy: hãy nộp lại bản chỉnh sửa trên hồ sơ đó."
                )
                % {
                    "lesson": duplicate.lesson_name,
                    "class": duplicate.class_name,
                    "owner": duplicate.owner.get_full_name(),
                }
            )
        fields.update(
            subject=subject,
            lesson_name=lesson_name,
            grade=grade,
            class_name=class_name,
            teaching_date=teaching_date,
        )
    else:
        existing = Record.objects.filter(kind=kind, unit=unit, year=year, is_current=True)
        if kind.unit_level == RecordKind.UnitLevel.TEACHER:
            existing = existing.filter(owner=actor)
        if existing.exists():
            raise ValidationError(
                _("Đã có %(kind)s năm học %(year)s của đơn vị này: hãy mở hồ sơ đó để nộp lại.")
                % {"kind": kind.name.lower(), "year": year.name}
            )
        fields["subject"] = subject
    fields["due_on"] = _due_on(kind, year, teaching_date)
    try:
        with transaction.atomic():
            return Record.objects.create(**fields)
    except IntegrityError as exc:  # a concurrent twin won the partial unique constraint
        raise ValidationError(_("Đã có kế hoạch bài dạy cho bài học và lớp này.")) from exc


def record_version_add(
    *,
    record: Record,
    actor,
    upload,
    activity_upload=None,
    council_adopted_on: datetime.date | None = None,
    council_decision_number: str = "",
    change_note: str = "",
    now: datetime.datetime | None = None,
) -> RecordVersion:
    """Checks the file(s) and stores the record's next version, submitted now and immutable.

    Call inside `transaction.atomic`; locks the record row. A department plan needs its second
    part, a school plan the council's adoption date and decision number. `submitted_late` says
    whether the version came after the record's due date."""
    now = now or timezone.now()
    if not can_edit_record(actor, record):
        raise PermissionDenied
    kind = record.kind
    errors = {}
    checked = activity = None
    try:
        checked = record_file_check(upload=upload, kind=kind)
    except ValidationError as exc:
        errors["file"] = exc.messages
    if kind.has_activity_part:
        if activity_upload is None:
            errors["activity_file"] = [_("Hãy tải lên cả phần Kế hoạch tổ chức các hoạt động giáo dục.")]
        else:
            try:
                activity = record_file_check(upload=activity_upload, kind=kind)
            except ValidationError as exc:
                errors["activity_file"] = exc.messages
    if kind.needs_council_adoption:
        if council_adopted_on is None:
            errors["council_adopted_on"] = [_("Hãy nhập ngày Hội đồng trường thông qua kế hoạch.")]
        elif council_adopted_on > timezone.localdate(now):
            errors["council_adopted_on"] = [_("Ngày Hội đồng trường thông qua không thể ở tương lai.")]
        if not council_decision_number.strip():
            errors["council_decision_number"] = [_("Hãy nhập số nghị quyết/quyết định của Hội đồng trường.")]
    if errors:
        raise ValidationError(errors)
    record = Record.objects.select_for_update().get(pk=record.pk)
    last = record.versions.order_by("-number").first()
    version = RecordVersion(
        record=record,
        number=(last.number + 1) if last else 1,
        original_name=(getattr(upload, "name", "") or "")[:255],
        format=checked.format,
        size=checked.size,
        sha256=checked.sha256,
        council_adopted_on=council_adopted_on if kind.needs_council_adoption else None,
        council_decision_number=council_decision_number.strip() if kind.needs_council_adoption else "",
        change_note=change_note.strip(),
        submitted_by=actor,
        submitted_at=now,
        submitted_late=timezone.localdate(now) > record.due_on,
    )
    version.file.save(version.original_name or "record", upload, save=False)
    if activity is not None:
        version.activity_original_name = (getattr(activity_upload, "name", "") or "")[:255]
        version.activity_file.save(version.activity_original_name or "activity", activity_upload, save=False)
    version.save()
    return version


def record_mark_submitted(*, record: Record, version: RecordVersion) -> Record:
    """The summary after a submission: in review, first submitted at, late or not (from the first)."""
    fields = {"status": RecordStatus.IN_REVIEW}
    if record.first_submitted_at is None:
        fields.update(first_submitted_at=version.submitted_at, submitted_late=version.submitted_late)
    Record.objects.filter(pk=record.pk).update(**fields, updated_at=timezone.now())
    record.refresh_from_db()
    return record


def record_mark_decided(*, record: Record, status: str, at: datetime.datetime) -> Record:
    """The summary after a decision. A lesson plan approved after its teaching date is late."""
    fields = {"status": status}
    if status == RecordStatus.APPROVED:
        late = record.teaching_date is not None and timezone.localdate(at) > record.teaching_date
        fields.update(approved_at=at, approved_late=late)
    Record.objects.filter(pk=record.pk).update(**fields, updated_at=timezone.now())
    record.refresh_from_db()
    return record
