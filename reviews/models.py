"""Review cases: one row per lecture version and level, its state a protected FSM (DESIGN.md 5).

Transitions only set fields; the services in `services.py` lock the row, check the permission,
call the transition, write the log and the minutes and queue notifications.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import Panel, Unit
from submissions.models import Lecture, LectureVersion, SubmissionWindow


class ReviewLevel(models.TextChoices):
    SCHOOL = "school", _("Cấp trường")
    CLUSTER = "cluster", _("Cấp cụm")
    DISTRICT = "district", _("Cấp quận/huyện")
    CITY = "city", _("Cấp thành phố")


class CaseState(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    IN_REVIEW = "in_review", _("Đang thẩm định")
    RETURNED = "returned", _("Yêu cầu chỉnh sửa")
    RESUBMITTED = "resubmitted", _("Đã nộp lại bản mới")
    APPROVED = "approved", _("Đã phê duyệt")
    REJECTED = "rejected", _("Không phê duyệt")
    WITHDRAWN = "withdrawn", _("Đã rút")


OPEN_STATES = [CaseState.DRAFT, CaseState.IN_REVIEW, CaseState.RETURNED]


class ReviewCase(models.Model):
    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="cases")
    version = models.ForeignKey(LectureVersion, on_delete=models.CASCADE, related_name="cases")
    level = models.CharField(_("cấp thẩm định"), max_length=20, choices=ReviewLevel.choices)
    # The reviewing unit: the department (head reviews), the school (principal reviews), or the
    # cluster / district / city whose panel reviews.
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị thẩm định"), on_delete=models.PROTECT, related_name="cases"
    )
    panel = models.ForeignKey(Panel, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    state = FSMField(_("trạng thái"), default=CaseState.DRAFT, choices=CaseState.choices, protected=True)
    window = models.ForeignKey(
        SubmissionWindow, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("hạn thẩm định"), null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The returned case this one resubmits, or the approved lower-level case that nominated it.",
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("hồ sơ thẩm định")
        verbose_name_plural = _("hồ sơ thẩm định")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["lecture"],
                condition=models.Q(state__in=OPEN_STATES),
                name="one_open_case_per_lecture",
            ),
        ]
        indexes = [models.Index(fields=["state", "level", "unit"])]

    def __str__(self):
        return f"{self.lecture} – v{self.version.number} – {self.get_level_display()}"

    def get_absolute_url(self):
        return reverse("reviews:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @transition(field=state, source=CaseState.DRAFT, target=CaseState.IN_REVIEW)
    def submit(self):
        pass

    @transition(field=state, source=[CaseState.IN_REVIEW, CaseState.DRAFT], target=CaseState.WITHDRAWN)
    def withdraw(self):
        pass


class CaseLog(models.Model):
    """Append-only record of every transition: who, when, from, to, comment."""

    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="log")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    transition = models.CharField(max_length=40)
    source = models.CharField(max_length=20)
    target = models.CharField(max_length=20)
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("nhật ký thẩm định")
        verbose_name_plural = _("nhật ký thẩm định")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.case_id}: {self.source} → {self.target}"

    def save(self, *args, **kwargs):
        # SECURITY: the log is append-only; an existing row is never rewritten.
        if self.pk is not None:
            raise ValueError("CaseLog rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("CaseLog rows are append-only")
