"""Publications: an approved lecture version placed in the library of one scope unit (DESIGN.md 6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
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
    # The level whose approval published it (school, cluster, district, city), recorded by the
    # review app when it publishes; the library reads no review case.
    level = models.CharField(_("cấp phê duyệt"), max_length=20, blank=True)
    state = models.CharField(_("trạng thái"), max_length=20, choices=State.choices, default=State.ACTIVE)
    published_at = models.DateTimeField(_("xuất bản lúc"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    retracted_at = models.DateTimeField(null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retraction_reason = models.TextField(_("lý do gỡ"), blank=True)
    # Normalised text (repository.search.normalise) of the lecture's searchable fields, written by
    # publication_publish / publication_reindex. Trigram-indexed on PostgreSQL (migration 0003).
    search_text = models.TextField(blank=True, default="", editable=False)
    # Totals of UsageDay rows, kept by usage_record so that "most used" sorts without a join.
    view_count = models.PositiveIntegerField(_("lượt xem"), default=0)
    download_count = models.PositiveIntegerField(_("lượt tải"), default=0)

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
        indexes = [models.Index(fields=["state", "scope"]), models.Index(fields=["state", "-published_at"])]

    def __str__(self):
        return f"{self.lecture} @ {self.scope}"

    def get_absolute_url(self):
        return reverse("repository:publication_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE


class PublicationEvent(models.Model):
    """One step of a publication's life: published, superseded by a newer version, retracted.

    Append-only, written by `repository.services` in the transaction that makes the step. The
    publication row keeps only its current state (and the last retraction); these rows are the
    readable trail of who did what, when and why, in order.
    """

    class Action(models.TextChoices):
        PUBLISHED = "published", _("Xuất bản")
        SUPERSEDED = "superseded", _("Thay bằng phiên bản mới")
        RETRACTED = "retracted", _("Gỡ khỏi kho")

    publication = models.ForeignKey(
        Publication, verbose_name=_("bài giảng trong kho"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("thao tác"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    reason = models.TextField(_("lý do"), blank=True)
    # For `superseded`: the publication of the newer version that took its place.
    successor = models.ForeignKey(
        Publication,
        verbose_name=_("thay bằng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("nhật ký kho")
        verbose_name_plural = _("nhật ký kho")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["publication", "-at"])]

    def __str__(self):
        return f"{self.get_action_display()} – {self.publication_id} ({self.at:%Y-%m-%d %H:%M})"


class UsageDay(models.Model):
    """One user viewing or downloading one publication on one day: counted once a day."""

    class Kind(models.TextChoices):
        VIEW = "view", _("Xem")
        DOWNLOAD = "download", _("Tải về")

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="usage_days")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = _("lượt sử dụng")
        verbose_name_plural = _("lượt sử dụng")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "user", "day", "kind"], name="one_usage_per_user_day"
            )
        ]
        indexes = [models.Index(fields=["day", "kind"])]

    def __str__(self):
        return f"{self.publication_id} {self.kind} {self.day}"


class RuntimeRecord(models.Model):
    """What one SCO of a previewed SCORM package reported for one user: the last CMI data
    committed and a short log of runtime calls (initialize, commit, terminate). Kept per SCO, so
    that moving through a multi-SCO package and back resumes each SCO where it was left; kept per
    version, so that an author's or a reviewer's preview before publication is recorded too."""

    version = models.ForeignKey(LectureVersion, on_delete=models.CASCADE, related_name="runtime_records")
    # The manifest item's identifier ("" for a package known by its launch page only).
    sco = models.CharField(max_length=200, blank=True, default="")
    # The library entry the viewing started from, if any (a preview before publication has none).
    publication = models.ForeignKey(
        Publication, null=True, blank=True, on_delete=models.SET_NULL, related_name="runtime_records"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scorm_version = models.CharField(max_length=20, blank=True)
    cmi = models.JSONField(default=dict, blank=True)
    # When the browser took the CMI data kept (ms since the epoch × 1000 + the report's sequence
    # number): reports of one viewing arrive in any order, and an older one never overwrites.
    cmi_stamp = models.BigIntegerField(default=0)
    events = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dữ liệu SCORM khi xem thử")
        verbose_name_plural = _("dữ liệu SCORM khi xem thử")
        constraints = [
            models.UniqueConstraint(fields=["version", "user", "sco"], name="one_runtime_record_per_sco")
        ]

    def __str__(self):
        return f"{self.version_id} / {self.sco or '-'} / {self.user_id}"
