"""Publications: an approved lecture version placed in the library of one scope unit (DESIGN.md 6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from submissions.models import Lecture, LectureVersion


class Publication(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("Đang xuất bản")
        SUPERSEDED = "superseded", _("Đã có phiên bản mới")
        RETRACTED = "retracted", _("Đã gỡ")

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="publications")
    version = models.ForeignKey(LectureVersion, on_delete=models.CASCADE, related_name="publications")
    scope = models.ForeignKey(
        Unit, verbose_name=_("kho"), on_delete=models.PROTECT, related_name="publications"
    )
    case = models.ForeignKey(
        "reviews.ReviewCase", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(_("trạng thái"), max_length=20, choices=State.choices, default=State.ACTIVE)
    published_at = models.DateTimeField(_("xuất bản lúc"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    retracted_at = models.DateTimeField(null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retraction_reason = models.TextField(_("lý do gỡ"), blank=True)

    class Meta:
        verbose_name = _("bài giảng trong kho")
        verbose_name_plural = _("bài giảng trong kho")
        ordering = ["-published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["lecture", "scope"],
                condition=models.Q(state="active"),
                name="one_active_publication_per_scope",
            ),
        ]

    def __str__(self):
        return f"{self.lecture} @ {self.scope}"

    def get_absolute_url(self):
        return reverse("repository:publication_detail", args=[self.pk])
