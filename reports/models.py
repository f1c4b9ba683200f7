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
