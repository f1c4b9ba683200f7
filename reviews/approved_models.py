"""The approved document of a decision: its PDF produced once, stamped and (when the issuing unit
has a certificate) signed, kept with its SHA-256 so that "Kiểm tra văn bản" can recognise it.

Imported by `reviews.models`; a separate module so the review case's module stays one concern.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApprovedDocument(models.Model):
    """One approved PDF. Written by `reviews.services.approved`: the row is made with the decision
    (status "pending"), the file by a task after the commit; a failed build stays pending and is
    tried again (`attempts`, `last_error`), the decision is never undone by it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang tạo")
        READY = "ready", _("Đã tạo")

    # What was approved: the minutes of a lecture's approval, or a professional record's version
    # (its own file, stamped); exactly one is set.
    minutes = models.OneToOneField(
        "reviews.Minutes", null=True, blank=True, on_delete=models.CASCADE, related_name="approved_document"
    )
    record_version = models.OneToOneField(
        "submissions.RecordVersion",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="approved_document",
    )
    title = models.CharField(_("văn bản"), max_length=500)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="approved/%Y/%m/", blank=True, max_length=300)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    signer_name = models.CharField(_("người phê duyệt"), max_length=200)
    signer_role = models.CharField(_("chức vụ"), max_length=300, blank=True)
    unit_name = models.CharField(_("đơn vị"), max_length=300)
    # The issuing unit's code: the key of its certificate in SIGNING_CERTIFICATES.
    unit_code = models.CharField(max_length=50, blank=True)
    number = models.CharField(_("số văn bản"), max_length=60, blank=True)
    approved_at = models.DateTimeField(_("ngày phê duyệt"))
    signed = models.BooleanField(_("đã ký số"), default=False)
    certificate_subject = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "reviews"
        verbose_name = _("văn bản đã phê duyệt")
        verbose_name_plural = _("văn bản đã phê duyệt")
        ordering = ["-approved_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__isnull=False, record_version__isnull=True)
                | models.Q(minutes__isnull=True, record_version__isnull=False),
                name="approved_document_of_minutes_or_record",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.file)
