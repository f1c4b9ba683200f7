"""What the LTI 1.3 tool keeps: registered platforms, their deployments, the tool's keys, the
identities of LMS users and the launches of a lecture."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _origin(url: str) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


class LtiPlatform(models.Model):
    """An LMS (a school's or a district's Moodle, Canvas, Open edX…) registered by hand: the values
    its administrator reads from the LMS's tool registration page."""

    name = models.CharField(_("tên hệ thống"), max_length=200)
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("đơn vị sở hữu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Trường hoặc phòng GD&ĐT dùng hệ thống này (để cán bộ đơn vị quản lí)."),
    )
    issuer = models.URLField(_("issuer (mã định danh nền tảng)"), max_length=300)
    client_id = models.CharField(_("client ID"), max_length=200)
    auth_login_url = models.URLField(_("địa chỉ xác thực OIDC (auth login URL)"), max_length=500)
    auth_token_url = models.URLField(_("địa chỉ cấp token (auth token URL)"), max_length=500)
    auth_audience = models.CharField(
        _("audience của token (nếu khác địa chỉ cấp token)"), max_length=500, blank=True
    )
    key_set_url = models.URLField(_("địa chỉ bộ khoá công khai (JWKS URL)"), max_length=500)
    frame_origins = models.TextField(
        _("nguồn được phép nhúng thêm"),
        blank=True,
        help_text=_("Mỗi dòng một địa chỉ gốc (https://lms.truong.edu.vn) được nhúng công cụ trong khung."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nền tảng LMS (LTI 1.3)")
        verbose_name_plural = _("nền tảng LMS (LTI 1.3)")
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_platform_unique")]
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.issuer})"

    def allowed_frame_origins(self) -> list[str]:
        """The origins that may frame the tool's pages for this platform (CSP frame-ancestors)."""
        origins = {_origin(self.issuer), _origin(self.auth_login_url)}
        for line in self.frame_origins.splitlines():
            origins.add(_origin(line.strip()))
        return sorted(o for o in origins if o)

    def clean(self):
        for line in self.frame_origins.splitlines():
            if line.strip() and not _origin(line.strip()):
                raise ValidationError(
                    {"frame_origins": _("Địa chỉ “%(line)s” không hợp lệ.") % {"line": line}}
                )


class LtiDeployment(models.Model):
    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(_("deployment ID"), max_length=200)

    class Meta:
        verbose_name = _("deployment LTI")
        verbose_name_plural = _("deployment LTI")
        constraints = [
            models.UniqueConstraint(fields=["platform", "deployment_id"], name="lti_deployment_unique")
        ]

    def __str__(self):
        return self.deployment_id


class LtiToolKey(models.Model):
    """The tool's RSA key pair. One is *active* (signs Deep Linking responses and service tokens);
    a rotated-out key stays *published* in the JWKS until retired, so the platforms that cached it
    still verify what it signed."""

    class State(models.TextChoices):
        ACTIVE = "active", _("đang dùng để kí")
        PUBLISHED = "published", _("chỉ còn công bố")
        RETIRED = "retired", _("đã thu hồi")

    kid = models.CharField(_("mã khoá (kid)"), max_length=100, unique=True)
    public_key = models.TextField(_("khoá công khai (PEM)"))
    private_key = models.TextField(_("khoá bí mật (PEM)"), editable=False)
    state = models.CharField(_("trạng thái"), max_length=20, choices=State.choices, default=State.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("khoá của công cụ LTI")
        verbose_name_plural = _("khoá của công cụ LTI")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["state"], condition=models.Q(state="active"), name="lti_one_active_key"
            )
        ]

    def __str__(self):
        return f"{self.kid} ({self.get_state_display()})"


class LtiIdentity(models.Model):
    """A person of an LMS, known by the platform's stable subject (`sub`). `user` is the local
    account it is linked to (set by an administrator), `guest` the guest learner account used to
    play launched lectures (never signed in, no role)."""

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="identities")
    sub = models.CharField(max_length=255)
    name = models.CharField(_("tên trên LMS"), max_length=200, blank=True)
    email = models.EmailField(_("email trên LMS"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản được liên kết"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lti_identities",
    )
    guest = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("người dùng LMS")
        verbose_name_plural = _("người dùng LMS")
        constraints = [models.UniqueConstraint(fields=["platform", "sub"], name="lti_identity_unique")]

    def __str__(self):
        return f"{self.name or self.sub} @ {self.platform.name}"


def _launch_token() -> str:
    return secrets.token_urlsafe(32)


class LtiLaunch(models.Model):
    """One student's launch of a lecture from an LMS link: the token in the player's URL is the
    only credential of that viewing (no session cookie in the LMS's iframe)."""

    class Grade(models.TextChoices):
        NONE = "", _("chưa gửi")
        QUEUED = "queued", _("đang gửi")
        SENT = "sent", _("đã gửi")
        FAILED = "failed", _("gửi lỗi")

    token = models.CharField(max_length=64, unique=True, default=_launch_token, editable=False)
    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="launches")
    deployment_id = models.CharField(max_length=200)
    identity = models.ForeignKey(LtiIdentity, on_delete=models.CASCADE, related_name="launches")
    publication = models.ForeignKey("repository.Publication", on_delete=models.CASCADE, related_name="+")
    resource_link_id = models.CharField(max_length=255, blank=True)
    # The AGS claim of the launch (endpoint, scope, lineitem) — empty when the LMS offers none.
    ags = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    grade_status = models.CharField(max_length=10, choices=Grade.choices, blank=True, default="")
    last_grade = models.JSONField(default=dict, blank=True)
    grade_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("lượt mở bài từ LMS")
        verbose_name_plural = _("lượt mở bài từ LMS")

    def __str__(self):
        return f"{self.identity} → {self.publication_id}"

    @property
    def is_live(self) -> bool:
        return self.expires_at > timezone.now() and self.platform.is_active
