"""Lists built in the background: kept with the person who asked, to download again."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit


class ListExport(models.Model):
    """One approved-lecture list too long to build during the request (above
    `REPORT_BACKGROUND_ROWS` rows): queued on commit, built by `reports.tasks.list_export_build`,
    which reports `progress` of `progress_total` rows, then stored under `file_key`."""

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel")
        PDF = "pdf", _("PDF")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang lập danh sách")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Thất bại")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_exports"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="+")
    params = models.JSONField(default=dict)
    format = models.CharField(_("định dạng"), max_length=10, choices=Format.choices)
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    filename = models.CharField(max_length=255, blank=True)
    file_key = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("danh sách xuất tệp")
        verbose_name_plural = _("danh sách xuất tệp")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self):
        return f"{self.unit_id} {self.format} ({self.status})"

    def get_absolute_url(self):
        return reverse("reports:export_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.progress / self.progress_total)) if self.progress_total else 0

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ScopeTarget(models.Model):
    """The online-share target of a unit (seed 002: 35% of the curriculum online by 12/2025),
    set by those who oversee it; a unit without a row uses `DEFAULT_ONLINE_SHARE`."""

    DEFAULT_ONLINE_SHARE = 35

    unit = models.OneToOneField(Unit, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="+")
    online_share = models.PositiveSmallIntegerField(_("tỉ lệ trực tuyến mục tiêu (%)"), default=35)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mục tiêu của đơn vị")
        verbose_name_plural = _("mục tiêu của đơn vị")

    def __str__(self):
        return f"{self.unit_id}: {self.online_share}%"


class CatalogueImport(models.Model):
    """An uploaded lesson catalogue, validated row by row before anything is written: kept with
    its rows and errors so that the preview and the confirmation read the same thing."""

    class Status(models.TextChoices):
        INVALID = "invalid", _("Có lỗi")
        READY = "ready", _("Sẵn sàng nhập")
        DONE = "done", _("Đã nhập")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="catalogue_imports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INVALID)
    rows = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("lượt nhập danh mục bài học")
        verbose_name_plural = _("lượt nhập danh mục bài học")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.filename

    def get_absolute_url(self):
        return reverse("reports:catalogue_detail", args=[self.pk])


class SemesterReport(models.Model):
    """The report of seed 002 §4 that a school's principal or a district officer sends at the end
    of semester I and of the year: the period's figures and approved lectures (gathered when it is
    generated) and three free-text sections the author writes in the app. One per unit and period;
    the generated DOCX and PDF are kept under `docx_key` / `pdf_key` to download again."""

    class Period(models.TextChoices):
        SEMESTER1 = "semester1", _("Cuối học kì I")
        YEAR = "year", _("Cuối năm học")

    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    year = models.ForeignKey(
        "submissions.AcademicYear", verbose_name=_("năm học"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("kì báo cáo"), max_length=20, choices=Period.choices)
    difficulties = models.TextField(_("Khó khăn"), blank=True)
    causes = models.TextField(_("Nguyên nhân"), blank=True)
    recommendations = models.TextField(_("Kiến nghị, đề xuất"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="semester_reports"
    )
    updated_at = models.DateTimeField(auto_now=True)
    generated_at = models.DateTimeField(_("lập lúc"), null=True, blank=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A report longer than REPORT_BACKGROUND_ROWS is built by a Celery task: set while it works.
    generating_since = models.DateTimeField(null=True, blank=True)
    generate_error = models.TextField(blank=True)
    figures = models.JSONField(default=dict, blank=True)  # the snapshot printed in the files
    docx_key = models.CharField(max_length=300, blank=True)
    pdf_key = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("báo cáo học kì")
        verbose_name_plural = _("báo cáo học kì")
        ordering = ["-year__starts_on", "-period", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "period"], name="one_semester_report_per_period"),
        ]

    def __str__(self):
        return f"{self.get_period_display()} {self.year} – {self.unit}"

    def get_absolute_url(self):
        return reverse("reports:semester_detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        if self.period == self.Period.SEMESTER1:
            return _("học kì I năm học %(y)s") % {"y": self.year.name}
        return _("năm học %(y)s") % {"y": self.year.name}
