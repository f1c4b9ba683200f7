"""What tells people about a case: in-app notifications (e-mailed too) and the ledger that keeps
reminders to one a day. Imported by `reviews.models`; a module of its own so the review case's
module stays one concern."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import ReviewLevel


class Notification(models.Model):
    """An in-app notification; the same row is e-mailed by a task queued on commit."""

    class Kind(models.TextChoices):
        WAITING = "waiting", _("Bài giảng chờ bạn thẩm định")
        ASSIGNED = "assigned", _("Được phân công thẩm định")
        DECIDED = "decided", _("Kết quả thẩm định")
        DUE_SOON = "due_soon", _("Sắp đến hạn thẩm định")
        OVERDUE = "overdue", _("Quá hạn thẩm định")
        RETRACTED = "retracted", _("Bài giảng bị gỡ khỏi kho")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    case = models.ForeignKey(
        "reviews.ReviewCase", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(max_length=500)
    # The untranslated message and its plain values, so that each reader sees it in their own
    # language (`render`); `text` is how it read when sent (the e-mail, and rows from before).
    message = models.CharField(max_length=500, blank=True)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.text

    def render(self) -> str:
        """The message in the active language; a `level` value is shown by its label."""
        if not self.message:
            return self.text
        params = dict(self.params)
        if params.get("level") in ReviewLevel.values:
            params["level"] = ReviewLevel(params["level"]).label
        return gettext(self.message) % params


class ReminderSent(models.Model):
    """One reminder of one kind about one case to one person on one day: makes reminders idempotent."""

    case = models.ForeignKey("reviews.ReviewCase", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "user", "kind", "day"], name="one_reminder_per_day")
        ]

    def __str__(self):
        return f"{self.kind} {self.case_id} {self.user_id} {self.day}"
