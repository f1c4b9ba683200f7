"""Professional records (hồ sơ chuyên môn, seed 001; DESIGN.md 7): the catalogue of kinds, their
deadlines, a record and its versions. The review of a record version is a `reviews.ReviewCase`
like a lecture's; this app knows nothing of cases (the services in `reviews` keep the summary
fields of `Record` — submitted, late, approved — in step, so compliance never scans the cases).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import GRADE_CHOICES, RoleAssignment, Subject, Unit

from .models import AcademicYear

Role = RoleAssignment.Role

DEFAULT_DEADLINE = (9, 15)  # 15 September of the school year's first calendar year (seed 001, 2.2)


class RecordRoute(models.TextChoices):
    """Who approves a kind's records. A kind added in the admin reuses one of these known chains."""

    DEPARTMENT_HEAD = "department_head", _("Tổ trưởng/nhóm trưởng chuyên môn phê duyệt")
    SCHOOL_LEADERS = "school_leaders", _("Ban giám hiệu phê duyệt")
    REPORTING_LINE = (
        "reporting_line",
        _("Báo cáo Phòng GDĐT (THCS) hoặc Phòng GDTrH của Sở (THPT, PT nhiều cấp) xác nhận"),
    )


class RecordFrequency(models.TextChoices):
    YEARLY = "yearly", _("Mỗi năm học một lần")
    PER_LESSON = "per_lesson", _("Mỗi bài học/chủ đề một hồ sơ")


class RecordKind(models.Model):
    """One row of the catalogue (the school's "sổ"): who submits, for which unit, how often, in
    which formats, who approves and who may inspect. The four kinds of seed 001 ship as data."""

    # The menu's "which roles submit records" (submissions.navigation), cleared by save/delete.
    SUBMITTER_ROLES_CACHE_KEY = "records:submitter-roles"

    class UnitLevel(models.TextChoices):
        SCHOOL = Unit.Kind.SCHOOL, _("Nhà trường")
        DEPARTMENT = Unit.Kind.DEPARTMENT, _("Tổ/nhóm chuyên môn")
        TEACHER = "teacher", _("Giáo viên")

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên loại hồ sơ"), max_length=200)
    submitter_role = models.CharField(_("người nộp (vai trò)"), max_length=30, choices=Role.choices)
    unit_level = models.CharField(_("hồ sơ của"), max_length=20, choices=UnitLevel.choices)
    frequency = models.CharField(
        _("tần suất"), max_length=20, choices=RecordFrequency.choices, default=RecordFrequency.YEARLY
    )
    # Format values of submissions.formats.Format ("pdf", "docx").
    formats = models.JSONField(_("định dạng tệp nhận"), default=list)
    approver_role = models.CharField(_("người phê duyệt (vai trò)"), max_length=30, choices=Role.choices)
    route = models.CharField(_("luồng phê duyệt"), max_length=30, choices=RecordRoute.choices)
    # Unit kinds whose people may inspect: department, school, district, city (seed 001, 2.3).
    inspect_levels = models.JSONField(_("cấp được kiểm tra"), default=list)
    has_activity_part = models.BooleanField(
        _("gồm hai phần"),
        default=False,
        help_text=_("Kế hoạch dạy học các môn học và Kế hoạch tổ chức các hoạt động giáo dục."),
    )
    needs_council_adoption = models.BooleanField(
        _("cần Hội đồng trường thông qua"),
        default=False,
        help_text=_("Ghi ngày thông qua và số nghị quyết/quyết định khi nộp."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("loại hồ sơ chuyên môn")
        verbose_name_plural = _("loại hồ sơ chuyên môn")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(self.SUBMITTER_ROLES_CACHE_KEY)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        cache.delete(self.SUBMITTER_ROLES_CACHE_KEY)
        return result

    @property
    def is_per_lesson(self) -> bool:
        return self.frequency == RecordFrequency.PER_LESSON

    def deadline_for(self, year: AcademicYear) -> datetime.date:
        """The year's deadline for this kind: its `RecordDeadline`, else 15 September."""
        row = next((d for d in self.deadlines.all() if d.year_id == year.pk), None)
        if row is not None:
            return row.due_on
        return datetime.date(year.starts_on.year, *DEFAULT_DEADLINE)


class RecordDeadline(models.Model):
    kind = models.ForeignKey(RecordKind, on_delete=models.CASCADE, related_name="deadlines")
    year = models.ForeignKey(
        AcademicYear, verbose_name=_("năm học"), on_delete=models.CASCADE, related_name="record_deadlines"
    )
    due_on = models.DateField(_("hạn nộp"))

    class Meta:
        verbose_name = _("hạn nộp hồ sơ")
        verbose_name_plural = _("hạn nộp hồ sơ")
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="one_deadline_per_kind_year")]

    def __str__(self):
        return f"{self.kind} – {self.year}: {self.due_on:%d/%m/%Y}"


_SPACES = re.compile(r"\s+")


def lesson_key(name: str) -> str:
    """How two lesson names are compared: NFC, case folded, spaces collapsed (diacritics kept:
    "Ca" and "Cá" are different lessons)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", name or "").casefold()).strip()


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("Chưa nộp")
    IN_REVIEW = "in_review", _("Chờ phê duyệt")
    RETURNED = "returned", _("Cần chỉnh sửa")
    APPROVED = "approved", _("Đã phê duyệt")


class Record(models.Model):
    """One professional record of one owner for one year (a plan) or one lesson and class."""

    kind = models.ForeignKey(
        RecordKind, verbose_name=_("loại hồ sơ"), on_delete=models.PROTECT, related_name="records"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nộp"),
        on_delete=models.PROTECT,
        related_name="records",
    )
    # The unit the record belongs to: the school (school plan) or the department (the others).
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="records")
    school = models.ForeignKey(Unit, verbose_name=_("trường"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Unit,
        verbose_name=_("tổ chuyên môn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.ForeignKey(
        AcademicYear, verbose_name=_("năm học"), on_delete=models.PROTECT, related_name="records"
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("môn học"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Lesson plans: the lesson by name for now (a lesson catalogue comes with issue 11).
    lesson_name = models.CharField(_("tên bài học / chủ đề"), max_length=300, blank=True)
    lesson_key = models.CharField(max_length=300, blank=True, editable=False)
    grade = models.PositiveSmallIntegerField(_("khối lớp"), choices=GRADE_CHOICES, null=True, blank=True)
    class_name = models.CharField(_("lớp"), max_length=40, blank=True)
    teaching_date = models.DateField(_("ngày dạy"), null=True, blank=True)
    is_current = models.BooleanField(default=True)
    # Summary kept by the review services (compliance reads these, never the cases).
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    due_on = models.DateField(_("hạn nộp"))
    first_submitted_at = models.DateTimeField(_("nộp lần đầu"), null=True, blank=True)
    submitted_late = models.BooleanField(_("nộp muộn"), default=False)
    approved_at = models.DateTimeField(_("phê duyệt lúc"), null=True, blank=True)
    approved_late = models.BooleanField(_("phê duyệt muộn"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ chuyên môn")
        verbose_name_plural = _("hồ sơ chuyên môn")
        ordering = ["-updated_at", "-pk"]
        constraints = [
            # Seed 001, 2.2: one lesson plan per lesson or topic (and class), never two current.
            models.UniqueConstraint(
                fields=["school", "year", "subject", "grade", "class_name", "lesson_key"],
                condition=models.Q(is_current=True) & ~models.Q(lesson_key=""),
                name="one_current_lesson_plan",
            ),
        ]
        indexes = [models.Index(fields=["school", "year", "kind"])]

    def __str__(self):
        if self.lesson_name:
            return f"{self.kind.name}: {self.lesson_name} – {self.class_name}"
        return f"{self.kind.name} – {self.unit.name} – {self.year.name}"

    def save(self, *args, **kwargs):
        self.lesson_key = lesson_key(self.lesson_name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("records:detail", args=[self.pk])

    @property
    def unit_path(self) -> str:
        return self.unit.path


def record_file_key(instance, filename: str) -> str:
    # SECURITY: the server picks the storage key; the user's file name is metadata only.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    ext = ext if ext.isalnum() and len(ext) <= 5 else "bin"
    return f"records/{instance.record_id}/{uuid.uuid4().hex}.{ext}"


class RecordVersion(models.Model):
    """One submitted version of a record: immutable once saved (every submission makes a new one)."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    file = models.FileField(_("tệp"), upload_to=record_file_key, max_length=500)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    format = models.CharField(_("định dạng"), max_length=20)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    # Department plan, second part: the plan of educational activities.
    activity_file = models.FileField(
        _("tệp kế hoạch hoạt động"), upload_to=record_file_key, max_length=500, blank=True
    )
    activity_original_name = models.CharField(max_length=255, blank=True)
    # School plan: adopted by the school council.
    council_adopted_on = models.DateField(_("ngày Hội đồng trường thông qua"), null=True, blank=True)
    council_decision_number = models.CharField(_("số nghị quyết/quyết định"), max_length=60, blank=True)
    change_note = models.TextField(_("ghi chú"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("nộp lúc"))
    submitted_late = models.BooleanField(_("nộp muộn"), default=False)

    class Meta:
        verbose_name = _("phiên bản hồ sơ")
        verbose_name_plural = _("phiên bản hồ sơ")
        ordering = ["record", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="unique_record_version_number")
        ]

    def __str__(self):
        return f"{self.record} – v{self.number}"

    def save(self, *args, **kwargs):
        # SECURITY: a submitted version is immutable; a correction is a new version.
        if self.pk is not None:
            raise ValueError("RecordVersion rows are immutable once submitted")
        super().save(*args, **kwargs)
