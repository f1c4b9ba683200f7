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
