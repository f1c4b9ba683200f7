"""Review cases: one row per lecture version and level, its state a protected FSM (DESIGN.md 5).

Transitions only set fields; the services in `reviews.services` lock the row, check the permission,
call the transition, write the log and the minutes and queue notifications.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from accounts.models import Panel, Unit
from submissions.models import Lecture, LectureVersion, Record, RecordVersion, SubmissionWindow


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
# A new version of a lecture may be started once its last case ended in one of these.
NEW_VERSION_AFTER = [CaseState.APPROVED, CaseState.RETURNED, CaseState.REJECTED, CaseState.WITHDRAWN]
DECIDED_STATES = [CaseState.APPROVED, CaseState.RETURNED, CaseState.REJECTED]
PANEL_LEVELS = [ReviewLevel.CLUSTER, ReviewLevel.DISTRICT, ReviewLevel.CITY]


def _rule(name: str):
    """A django-fsm `permission=` callable (instance, user) backed by the rules.py predicate of
    the same name, so the transition, the service and the button share one rule."""

    def check(instance, user) -> bool:
        from . import rules as review_rules

        return bool(getattr(review_rules, name)(user, instance))

    check.__name__ = name
    return check


class ReviewCase(models.Model):
    # What is reviewed: a lecture version, or a professional record version (seed 001). One
    # nullable pair per kind of work and a check constraint that exactly one pair is set: real
    # foreign keys (joins, cascades, PROTECT) without a generic relation.
    lecture = models.ForeignKey(
        Lecture, null=True, blank=True, on_delete=models.CASCADE, related_name="cases"
    )
    version = models.ForeignKey(
        LectureVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="cases"
    )
    record = models.ForeignKey(Record, null=True, blank=True, on_delete=models.CASCADE, related_name="cases")
    record_version = models.ForeignKey(
        RecordVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="cases"
    )
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
    nominated_at = models.DateTimeField(_("đề cử lúc"), null=True, blank=True)
    nominated_by = models.ForeignKey(
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
            models.UniqueConstraint(
                fields=["record"],
                condition=models.Q(state__in=OPEN_STATES),
                name="one_open_case_per_record",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        lecture__isnull=False,
                        version__isnull=False,
                        record__isnull=True,
                        record_version__isnull=True,
                    )
                    | models.Q(
                        lecture__isnull=True,
                        version__isnull=True,
                        record__isnull=False,
                        record_version__isnull=False,
                    )
                ),
                name="case_reviews_a_lecture_or_a_record",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "level", "unit"]),
            # The unit case lists show the 30 newest visible cases: read in this order, not sorted.
            models.Index(fields=["-opened_at"], name="reviewcase_opened_at_idx"),
        ]

    def __str__(self):
        if self.record_id:
            return f"{self.record} – v{self.record_version.number} – {self.get_level_display()}"
        return f"{self.lecture} – v{self.version.number} – {self.get_level_display()}"

    def get_absolute_url(self):
        if self.record_id:
            return reverse("records:case", args=[self.pk])
        return reverse("reviews:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_panel_level(self) -> bool:
        # A record reported to a district or the city is acknowledged by the office, not a panel.
        return self.level in PANEL_LEVELS and self.record_id is None

    @property
    def is_record(self) -> bool:
        return self.record_id is not None

    @property
    def owner_id(self) -> int:
        """The person who answers for what is reviewed: the lecture's author or the record's owner."""
        return self.record.owner_id if self.record_id else self.lecture.author_id

    @property
    def school_id(self) -> int:
        return self.record.school_id if self.record_id else self.lecture.school_id

    @property
    def title(self) -> str:
        """What is reviewed, in words: the lecture's title or the record's description."""
        if self.record_id:
            return str(self.record)
        return self.lecture.title

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.state == CaseState.IN_REVIEW and self.due_on is not None and self.due_on < today

    @property
    def holder(self) -> str:
        """Who has the case now, in words: the department head, the school's leaders or a panel."""
        if self.panel_id:
            return _("Hội đồng bộ môn: %(name)s") % {"name": self.panel.name}
        if self.record_id and self.unit.kind in ("district", "city"):
            return self.unit.name
        if self.unit.kind == "department":
            return _("Tổ trưởng chuyên môn – %(unit)s") % {"unit": self.unit.name}
        if self.unit.kind == "school":
            return _("Ban giám hiệu – %(unit)s") % {"unit": self.unit.name}
        return _("Hội đồng bộ môn – %(unit)s") % {"unit": self.unit.name}

    @classmethod
    def latest_of(cls, lecture) -> ReviewCase | None:
        """The lecture's most recent case (whatever its level and state), from a prefetch if any."""
        cases = getattr(lecture, "_prefetched_objects_cache", {}).get("cases")
        if cases is not None:
            return max(cases, key=lambda c: (c.opened_at, c.pk), default=None)
        return lecture.cases.select_related("unit", "panel").order_by("-opened_at", "-pk").first()

    # --- Transitions (DESIGN.md 5). Bodies only set fields; services do everything else. ----

    @transition(
        field=state, source=CaseState.DRAFT, target=CaseState.IN_REVIEW, permission=_rule("can_submit_case")
    )
    def submit(self):
        pass

    @transition(
        field=state,
        source=CaseState.IN_REVIEW,
        target=CaseState.APPROVED,
        permission=_rule("can_decide_case"),
    )
    def approve(self, *, by):
        self.decided_at, self.decided_by = timezone.now(), by

    @transition(
        field=state,
        source=CaseState.IN_REVIEW,
        target=CaseState.RETURNED,
        permission=_rule("can_decide_case"),
    )
    def return_for_changes(self, *, by):
        self.decided_at, self.decided_by = timezone.now(), by

    @transition(
        field=state,
        source=CaseState.IN_REVIEW,
        target=CaseState.REJECTED,
        permission=_rule("can_decide_case"),
    )
    def reject(self, *, by):
        self.decided_at, self.decided_by = timezone.now(), by

    @transition(
        field=state,
        source=CaseState.RETURNED,
        target=CaseState.RESUBMITTED,
        permission=_rule("can_resubmit_case"),
    )
    def resubmit(self):
        pass

    @transition(
        field=state,
        source=[CaseState.IN_REVIEW, CaseState.DRAFT],
        target=CaseState.WITHDRAWN,
        permission=_rule("can_withdraw_case"),
    )
    def withdraw(self):
        self.decided_at = timezone.now()

    # The approved case stays approved; the nomination opens a new case at the next level.
    @transition(
        field=state,
        source=CaseState.APPROVED,
        target=CaseState.APPROVED,
        permission=_rule("can_nominate_case"),
    )
    def nominate(self, *, by):
        self.nominated_at, self.nominated_by = timezone.now(), by


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


class Rubric(models.Model):
    """Criteria a lecture is scored on. Administrators edit it in the admin; one is the default."""

    name = models.CharField(_("tên bộ tiêu chí"), max_length=200)
    pass_mark = models.DecimalField(_("điểm đạt"), max_digits=6, decimal_places=2, default=Decimal("50"))
    is_default = models.BooleanField(_("mặc định"), default=False)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("bộ tiêu chí thẩm định")
        verbose_name_plural = _("bộ tiêu chí thẩm định")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_rubric"
            )
        ]

    def __str__(self):
        return self.name

    @classmethod
    def current(cls) -> Rubric | None:
        return cls.objects.filter(is_active=True).order_by("-is_default", "pk").first()

    @property
    def max_total(self) -> Decimal:
        return sum((c.max_points for c in self.criteria.all()), Decimal("0"))


class Criterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tiêu chí"), max_length=300)
    description = models.TextField(_("mô tả"), blank=True)
    max_points = models.DecimalField(
        _("điểm tối đa"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.5"))]
    )

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["rubric", "order", "pk"]

    def __str__(self):
        return self.name


class PanelAssignment(models.Model):
    """A panel member the chair asked to evaluate one case."""

    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phân công thẩm định")
        verbose_name_plural = _("phân công thẩm định")
        ordering = ["assigned_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "member"], name="unique_case_member")]

    def __str__(self):
        return f"{self.member} – {self.case_id}"


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("Đề nghị phê duyệt")
    RETURN = "return", _("Đề nghị chỉnh sửa")
    REJECT = "reject", _("Đề nghị không phê duyệt")


class Evaluation(models.Model):
    """One panel member's evaluation of one case: scores per criterion, comments, recommendation."""

    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="evaluations")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+")
    # {criterion id (str): points}
    scores = models.JSONField(_("điểm"), default=dict)
    total = models.DecimalField(_("tổng điểm"), max_digits=7, decimal_places=2, default=Decimal("0"))
    strengths = models.TextField(_("ưu điểm"), blank=True)
    limitations = models.TextField(_("hạn chế"), blank=True)
    required_changes = models.TextField(_("yêu cầu điều chỉnh"), blank=True)
    recommendation = models.CharField(_("đề xuất"), max_length=20, choices=Recommendation.choices)
    submitted_at = models.DateTimeField(_("nộp lúc"), auto_now=True)

    class Meta:
        verbose_name = _("phiếu đánh giá")
        verbose_name_plural = _("phiếu đánh giá")
        ordering = ["submitted_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "member"], name="one_evaluation_per_member")]

    def __str__(self):
        return f"{self.member} – {self.case_id}"


class Decision(models.TextChoices):
    APPROVE = "approve", _("Phê duyệt")
    RETURN = "return", _("Yêu cầu chỉnh sửa")
    REJECT = "reject", _("Không phê duyệt")


class Minutes(models.Model):
    """Biên bản thẩm định: written once by the decision, a snapshot that never changes."""

    case = models.OneToOneField(ReviewCase, on_delete=models.CASCADE, related_name="minutes")
    decision = models.CharField(_("quyết định"), max_length=20, choices=Decision.choices)
    level = models.CharField(_("cấp thẩm định"), max_length=20, choices=ReviewLevel.choices)
    unit_name = models.CharField(_("đơn vị thẩm định"), max_length=300)
    parent_unit_name = models.CharField(max_length=300, blank=True)
    # [{"name": ..., "role": ...}]
    reviewers = models.JSONField(_("người thẩm định"), default=list)
    # [{"criterion": ..., "max_points": "30", "points": "25.5"}]
    scores = models.JSONField(_("điểm"), default=list, blank=True)
    total = models.DecimalField(_("tổng điểm"), max_digits=7, decimal_places=2, null=True, blank=True)
    max_total = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    pass_mark = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    strengths = models.TextField(_("ưu điểm"), blank=True)
    limitations = models.TextField(_("hạn chế"), blank=True)
    required_changes = models.TextField(_("yêu cầu điều chỉnh"), blank=True)
    conclusion = models.TextField(_("kết luận"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("ngày thẩm định"), default=timezone.now)
    # The document's "Số" ("12/BB-PGDĐT") from the issuing unit's register for the year, and the
    # header it was issued under (accounts.documents.DocumentFrame as a dict): both given once,
    # by the decision, so every download of the PDF reads the same.
    number = models.CharField(_("số biên bản"), max_length=60, blank=True)
    frame = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("biên bản thẩm định")
        verbose_name_plural = _("biên bản thẩm định")
        ordering = ["-decided_at"]

    def __str__(self):
        return f"{self.get_decision_display()} – {self.case}"

    def get_absolute_url(self):
        return reverse("reviews:minutes_detail", args=[self.pk])


# One model module a concern: the approved documents, and what tells people (notifications,
# the reminders' once-a-day ledger).
from .approved_models import ApprovedDocument  # noqa: E402, F401
from .notification_models import Notification, ReminderSent  # noqa: E402, F401
