"""Lectures, their versions and files, the school calendar and upload sessions (DESIGN.md 4, 5, 9)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import GRADE_CHOICES, SchoolLevel, Subject, TextbookSeries, Unit

from .formats import Format, scorm_edition_label


class AcademicYear(models.Model):
    name = models.CharField(_("năm học"), max_length=20, unique=True, help_text=_("Ví dụ: 2025–2026"))
    starts_on = models.DateField(_("bắt đầu"))
    semester1_ends_on = models.DateField(_("kết thúc học kì I"))
    ends_on = models.DateField(_("kết thúc"))
    # The make-up weeks are dates the city enters (seed 000); the standard windows follow them.
    makeup1_starts_on = models.DateField(
        _("tuần dạy bù học kì I bắt đầu"), null=True, blank=True, help_text=_("Ngày thứ Hai của tuần.")
    )
    makeup2_starts_on = models.DateField(
        _("tuần dạy bù học kì II bắt đầu"), null=True, blank=True, help_text=_("Ngày thứ Hai của tuần.")
    )

    class Meta:
        verbose_name = _("năm học")
        verbose_name_plural = _("năm học")
        ordering = ["-starts_on"]

    def __str__(self):
        return self.name

    @property
    def semester2_starts_on(self) -> datetime.date:
        return self.semester1_ends_on + datetime.timedelta(days=1)


class SubmissionKind(models.TextChoices):
    LECTURE = "lecture", _("Bài giảng điện tử")
    SCHOOL_PLAN = "school_plan", _("Kế hoạch giáo dục nhà trường")
    DEPARTMENT_PLAN = "department_plan", _("Kế hoạch giáo dục của tổ")
    TEACHER_PLAN = "teacher_plan", _("Kế hoạch giáo dục của giáo viên")
    LESSON_PLAN = "lesson_plan", _("Kế hoạch bài dạy")


class SubmissionWindow(models.Model):
    """A period in which lectures may be submitted for the first time (seed 000, section 1)."""

    class Slot(models.TextChoices):
        AUGUST = "august", _("Thời điểm 1: tuần 3 tháng 8")
        MAKEUP_1 = "makeup_1", _("Thời điểm 2: tuần dạy bù học kì I")
        MAKEUP_2 = "makeup_2", _("Thời điểm 3: tuần dạy bù học kì II")
        OTHER = "other", _("Đợt khác")

    year = models.ForeignKey(
        AcademicYear, verbose_name=_("năm học"), on_delete=models.PROTECT, related_name="windows"
    )
    # The scope the window is for: None is the whole city (the Department's windows); a district
    # officer's windows hold their district and apply only to its schools.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("phạm vi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submission_windows",
        help_text=_("Để trống: toàn thành phố."),
    )
    slot = models.CharField(_("thời điểm"), max_length=20, choices=Slot.choices, default=Slot.OTHER)
    name = models.CharField(_("tên đợt"), max_length=200)
    opens_on = models.DateField(_("mở từ ngày"))
    closes_on = models.DateField(_("đóng sau ngày"))
    review_days = models.PositiveSmallIntegerField(_("số ngày thẩm định"), default=7)
    kinds = models.JSONField(_("loại hồ sơ nhận"), default=list, blank=True)
    school_levels = models.JSONField(_("cấp học nhận"), default=list, blank=True)

    class Meta:
        verbose_name = _("đợt nộp")
        verbose_name_plural = _("đợt nộp")
        ordering = ["opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="window_closes_after_opens",
                violation_error_message=_("Ngày đóng phải bằng hoặc sau ngày mở."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.opens_on:%d/%m/%Y}–{self.closes_on:%d/%m/%Y})"

    @property
    def review_due_on(self) -> datetime.date:
        """Reviews at school level are due this many days after the window closes."""
        return self.closes_on + datetime.timedelta(days=self.review_days)

    def is_open_on(self, day: datetime.date) -> bool:
        return self.opens_on <= day <= self.closes_on

    @property
    def kinds_display(self) -> str:
        labels = dict(SubmissionKind.choices)
        return (
            ", ".join(str(labels.get(k, k)) for k in self.kinds) if self.kinds else str(_("Mọi loại hồ sơ"))
        )

    @property
    def levels_display(self) -> str:
        labels = dict(SchoolLevel.choices)
        if not self.school_levels:
            return str(_("Mọi cấp học"))
        return ", ".join(str(labels.get(v, v)) for v in self.school_levels)

    def applies_to(self, school: Unit | None) -> bool:
        """A city-wide window applies to every school; a district's only to the schools under it."""
        return self.unit_id is None or (school is not None and school.path.startswith(self.unit.path))

    def accepts(self, *, kind: str, school_level: str) -> bool:
        return (not self.kinds or kind in self.kinds) and (
            not self.school_levels or school_level in self.school_levels
        )


class CatalogueLesson(models.Model):
    """One lesson or topic of the curriculum for a subject, a grade and a textbook series: the
    denominator of curriculum coverage (reports' dashboards). Imported from a spreadsheet by
    officers (reports.catalogue); a lecture may name the lesson it teaches."""

    subject = models.ForeignKey(
        Subject, verbose_name=_("môn học"), on_delete=models.PROTECT, related_name="catalogue_lessons"
    )
    grade = models.PositiveSmallIntegerField(_("khối lớp"), choices=GRADE_CHOICES)
    textbook_series = models.ForeignKey(
        TextbookSeries,
        verbose_name=_("bộ sách"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    title = models.CharField(_("tên bài học / chủ đề"), max_length=300)
    topic = models.CharField(_("chương / chủ đề lớn"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("bài học trong danh mục")
        verbose_name_plural = _("danh mục bài học")
        ordering = ["subject__order", "grade", "textbook_series_id", "number"]
        indexes = [models.Index(fields=["subject", "grade", "textbook_series", "number"])]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Lecture(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("tác giả"), on_delete=models.PROTECT, related_name="lectures"
    )
    co_authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("đồng tác giả"),
        blank=True,
        related_name="co_authored_lectures",
    )
    school = models.ForeignKey(Unit, verbose_name=_("trường"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Unit, verbose_name=_("tổ chuyên môn"), on_delete=models.PROTECT, related_name="lectures"
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("môn học"), on_delete=models.PROTECT, related_name="lectures"
    )
    grade = models.PositiveSmallIntegerField(_("khối lớp"), choices=GRADE_CHOICES)
    school_level = models.CharField(_("cấp học"), max_length=20, choices=SchoolLevel.choices)
    title = models.CharField(_("tên bài học / chủ đề"), max_length=300)
    textbook_series = models.ForeignKey(
        TextbookSeries,
        verbose_name=_("bộ sách"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("mô tả"), blank=True)
    keywords = models.CharField(
        _("từ khoá"), max_length=300, blank=True, help_text=_("Cách nhau bởi dấu phẩy.")
    )
    lesson = models.ForeignKey(
        CatalogueLesson,
        verbose_name=_("bài trong danh mục"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lectures",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bài giảng điện tử")
        verbose_name_plural = _("bài giảng điện tử")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["subject", "grade"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("lectures:detail", args=[self.pk])


class Licence(models.TextChoices):
    """The terms under which the author lets others reuse a version, chosen before submitting.
    Only an open licence lets the public catalogue (interop) offer the lecture to everyone."""

    ALL_RIGHTS_RESERVED = "all_rights_reserved", _("Bảo lưu mọi quyền (mặc định)")
    CC_BY = "cc_by", _("CC BY 4.0 – ghi công tác giả")
    CC_BY_SA = "cc_by_sa", _("CC BY-SA 4.0 – ghi công, chia sẻ tương tự")
    CC_BY_NC = "cc_by_nc", _("CC BY-NC 4.0 – ghi công, phi thương mại")
    CC_BY_NC_SA = "cc_by_nc_sa", _("CC BY-NC-SA 4.0 – ghi công, phi thương mại, chia sẻ tương tự")
    CC_BY_ND = "cc_by_nd", _("CC BY-ND 4.0 – ghi công, không phái sinh")
    CC_BY_NC_ND = "cc_by_nc_nd", _("CC BY-NC-ND 4.0 – ghi công, phi thương mại, không phái sinh")

    @classmethod
    def open_values(cls) -> list[str]:
        return [c.value for c in cls if c != cls.ALL_RIGHTS_RESERVED]


LICENCE_URLS = {
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC_BY_NC: "https://creativecommons.org/licenses/by-nc/4.0/",
    Licence.CC_BY_NC_SA: "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    Licence.CC_BY_ND: "https://creativecommons.org/licenses/by-nd/4.0/",
    Licence.CC_BY_NC_ND: "https://creativecommons.org/licenses/by-nc-nd/4.0/",
}


class LectureVersion(models.Model):
    """One version of a lecture with its main file. Immutable once submitted (services enforce it)."""

    class Check(models.TextChoices):
        NONE = "none", _("Chưa có tệp")
        PENDING = "pending", _("Đang kiểm tra")
        PASSED = "passed", _("Hợp lệ")
        FAILED = "failed", _("Không hợp lệ")

    class Preview(models.TextChoices):
        NONE = "none", _("Không cần chuyển đổi")
        PENDING = "pending", _("Đang tạo bản xem trước")
        READY = "ready", _("Sẵn sàng")
        FAILED = "failed", _("Không tạo được bản xem trước")
        UNAVAILABLE = "unavailable", _("Máy chủ này không tạo được bản xem trước")

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    change_note = models.TextField(_("nội dung thay đổi"), blank=True)
    licence = models.CharField(
        _("giấy phép"), max_length=20, choices=Licence.choices, default=Licence.ALL_RIGHTS_RESERVED
    )
    # The main file: the server chose `file_key`; `original_name` is metadata only.
    file_key = models.CharField(max_length=500, blank=True)
    original_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    size = models.BigIntegerField(_("dung lượng"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    detected_format = models.CharField(_("định dạng"), max_length=20, blank=True)
    check_status = models.CharField(
        _("kiểm tra tệp"), max_length=20, choices=Check.choices, default=Check.NONE
    )
    check_messages = models.JSONField(_("kết quả kiểm tra"), default=list, blank=True)
    # The check's own bookkeeping, so that no check is ever lost (services.version_checks_sweep):
    # when it was asked for (set in the transaction that attached the file), when a worker last
    # began it, and how many runs have begun. A run killed midway leaves `check_started_at` set.
    check_requested_at = models.DateTimeField(null=True, blank=True)
    check_started_at = models.DateTimeField(null=True, blank=True)
    check_attempts = models.PositiveSmallIntegerField(default=0)
    # Set when the check could not run to its end (a crash, not a verdict on the file); shown to
    # support staff, and it lets the author ask for the check again.
    check_error = models.CharField(max_length=500, blank=True)
    scan_status = models.CharField(max_length=20, blank=True)
    # Extracted packages (SCORM / HTML5): storage prefix of the files and the launch path inside it.
    package_prefix = models.CharField(max_length=500, blank=True)
    launch_path = models.CharField(max_length=500, blank=True)
    scorm_version = models.CharField(max_length=20, blank=True)
    # What the check learnt about the file, shown on every page that describes the version.
    # Warnings do not refuse the file (errors go to `check_messages` and fail the check).
    check_warnings = models.JSONField(_("cảnh báo khi kiểm tra"), default=list, blank=True)
    page_count = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    slide_count = models.PositiveIntegerField(_("số trang chiếu"), null=True, blank=True)
    sco_count = models.PositiveIntegerField(_("số SCO"), null=True, blank=True)
    # Hosts a package's pages load scripts, styles, fonts or frames from (blocked in the preview).
    external_hosts = models.JSONField(default=list, blank=True)
    # The manifest's organization tree for the player's table of contents
    # (submissions.checks.scorm.outline documents its shape).
    package_outline = models.JSONField(default=dict, blank=True)
    # PPTX/DOCX are converted to PDF once, after a passed check, for the pdf.js preview.
    preview_status = models.CharField(
        _("bản xem trước"), max_length=20, choices=Preview.choices, default=Preview.NONE
    )
    preview_key = models.CharField(max_length=500, blank=True)
    preview_error = models.CharField(max_length=500, blank=True)
    preview_requested_at = models.DateTimeField(null=True, blank=True)
    preview_attempts = models.PositiveSmallIntegerField(default=0)
    window = models.ForeignKey(
        SubmissionWindow,
        verbose_name=_("đợt nộp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="versions",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("phiên bản bài giảng")
        verbose_name_plural = _("phiên bản bài giảng")
        ordering = ["lecture", "-number"]
        constraints = [models.UniqueConstraint(fields=["lecture", "number"], name="unique_version_number")]
        indexes = [
            models.Index(
                fields=["check_requested_at"],
                condition=models.Q(check_status="pending"),
                name="version_check_pending",
            )
        ]

    def __str__(self):
        return f"{self.lecture} – v{self.number}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def check_gave_up(self) -> bool:
        """The check failed for a reason of the system's, not of the file's."""
        return self.check_status == self.Check.FAILED and bool(self.check_error)

    @property
    def format_label(self) -> str:
        """The detected format in Vietnamese ("Gói SCORM 1.2", "Video MP4", …)."""
        try:
            return Format(self.detected_format).label
        except ValueError:
            return ""

    @property
    def is_openly_licensed(self) -> bool:
        return self.licence in Licence.open_values()

    @property
    def licence_choices(self) -> list[tuple[str, str]]:
        return Licence.choices

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")

    @property
    def scorm_label(self) -> str:
        """The SCORM edition in Vietnamese ("SCORM 2004 (bản 3)"), "" for other formats."""
        return scorm_edition_label(self.scorm_version)


class UploadSession(models.Model):
    """One S3-multipart upload, whichever back end stores the parts (S3 or local disk)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang tải lên")
        # One complete request has claimed the session and is assembling the file; others get 409.
        COMPLETING = "completing", _("Đang hoàn tất")
        COMPLETED = "completed", _("Đã xong")
        ABORTED = "aborted", _("Đã huỷ")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="upload_sessions"
    )
    version = models.ForeignKey(LectureVersion, on_delete=models.CASCADE, related_name="upload_sessions")
    backend = models.CharField(max_length=10)
    key = models.CharField(max_length=500, unique=True)
    upload_id = models.CharField(max_length=200, unique=True)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=200, blank=True)
    size = models.BigIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("phiên tải lên")
        verbose_name_plural = _("phiên tải lên")
        indexes = [
            models.Index(fields=["status", "updated_at"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


# A district's own dates for a year (issue 11, item 4), in their own module.
from .calendar_models import DistrictCalendar  # noqa: E402

# Professional records live in their own module (seed 001); imported here so Django finds them.
from .record_models import (  # noqa: E402
    Record,
    RecordDeadline,
    RecordFrequency,
    RecordKind,
    RecordRoute,
    RecordStatus,
    RecordVersion,
)

__all__ = [
    "AcademicYear",
    "DistrictCalendar",
    "Lecture",
    "LectureVersion",
    "Record",
    "RecordDeadline",
    "RecordFrequency",
    "RecordKind",
    "RecordRoute",
    "RecordStatus",
    "RecordVersion",
    "SubmissionKind",
    "SubmissionWindow",
    "UploadSession",
]
