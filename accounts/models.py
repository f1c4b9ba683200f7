"""People and the organisation they work in (DESIGN.md section 3).

The `Unit` tree is city → (cluster) → district → (cluster) → school → department. A school's
parent is the unit it reports to, so its reporting line is simply its chain of ancestors:
a lower-secondary school sits under its district, an upper-secondary school directly under the
city, and a cluster, when there is one, sits between a school and the unit above it.
`path` ("/1/4/9/") is a materialised path kept by `save()` so that "everything under this
unit" is one indexed `startswith` filter.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SchoolLevel(models.TextChoices):
    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")

    @classmethod
    def for_grade(cls, grade: int) -> "SchoolLevel":
        if 1 <= grade <= 5:
            return cls.PRIMARY
        if 6 <= grade <= 9:
            return cls.LOWER_SECONDARY
        if 10 <= grade <= 12:
            return cls.UPPER_SECONDARY
        raise ValueError(f"grade {grade} is not between 1 and 12")


GRADES_BY_LEVEL = {
    SchoolLevel.PRIMARY: range(1, 6),
    SchoolLevel.LOWER_SECONDARY: range(6, 10),
    SchoolLevel.UPPER_SECONDARY: range(10, 13),
}
GRADE_CHOICES = [(g, _("Lớp %(grade)d") % {"grade": g}) for g in range(1, 13)]


class User(AbstractUser):
    """An account. The username is the staff code the department issues (mã cán bộ)."""

    username = models.CharField(
        _("mã cán bộ"),
        max_length=50,
        unique=True,
        help_text=_("Mã định danh do Sở/Phòng cấp; dùng để đăng nhập."),
        error_messages={"unique": _("Đã có tài khoản với mã cán bộ này.")},
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    must_change_password = models.BooleanField(
        _("phải đổi mật khẩu"), default=False, help_text=_("Mật khẩu ban đầu chỉ dùng một lần.")
    )
    # Empty until the person picks a language at the foot of a page; then it follows them from
    # device to device (accounts.middleware.LocaleMiddleware). The browser's language never counts.
    language = models.CharField(
        _("ngôn ngữ giao diện"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )
    first_name = None
    last_name = None

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        ordering = ["full_name", "username"]

    def __str__(self):
        return f"{self.full_name or self.username} ({self.username})"

    def get_full_name(self):
        return self.full_name or self.username

    def get_short_name(self):
        return (self.full_name or self.username).split()[-1]

    def get_absolute_url(self):
        return reverse("accounts:user_detail", args=[self.pk])


class Subject(models.Model):
    """A GDPT 2018 subject or educational activity, offered at one or more levels."""

    code = models.SlugField(_("mã môn"), max_length=40, unique=True)
    name = models.CharField(_("tên môn"), max_length=120)
    grades = models.JSONField(_("khối lớp"), default=list)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("môn học")
        verbose_name_plural = _("môn học")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @property
    def levels(self) -> list[str]:
        return sorted({SchoolLevel.for_grade(g) for g in self.grades}, key=list(SchoolLevel).index)


class TextbookSeries(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("bộ sách"), max_length=120)

    class Meta:
        verbose_name = _("bộ sách giáo khoa")
        verbose_name_plural = _("bộ sách giáo khoa")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Unit(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("Sở GDĐT")
        DISTRICT = "district", _("Phòng GDĐT")
        CLUSTER = "cluster", _("Cụm trường")
        SCHOOL = "school", _("Trường")
        DEPARTMENT = "department", _("Tổ chuyên môn")

    kind = models.CharField(_("loại đơn vị"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("mã đơn vị"), max_length=50, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # School levels taught (schools) or covered (departments); a multi-level school has several.
    levels = models.JSONField(_("cấp học"), default=list, blank=True)
    subjects = models.ManyToManyField(Subject, verbose_name=_("môn học"), blank=True, related_name="units")
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "path"])]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The path is structure, not business logic: it must follow the parent.
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if path != self.path:
            old = self.path
            self.path = path
            Unit.objects.filter(pk=self.pk).update(path=path)
            if old:
                for child in Unit.objects.filter(path__startswith=old).exclude(pk=self.pk):
                    Unit.objects.filter(pk=child.pk).update(path=path + child.path[len(old) :])

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to and including this unit."""
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def ancestors(self, include_self=True):
        ids = self.ancestor_ids if include_self else self.ancestor_ids[:-1]
        units = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
        return [units[i] for i in ids if i in units]

    def is_within(self, other: "Unit") -> bool:
        return self.path.startswith(other.path)

    @property
    def school(self) -> "Unit | None":
        if self.kind == Unit.Kind.SCHOOL:
            return self
        if self.kind == Unit.Kind.DEPARTMENT:
            return self.parent
        return None

    def reporting_line(self) -> list["Unit"]:
        """The units above a school, nearest first: (cluster), (district), city."""
        school = self.school
        if school is None:
            return []
        return list(reversed(school.ancestors(include_self=False)))


class RoleAssignment(models.Model):
    """One role a user holds in one unit, optionally for one subject and school level."""

    class Role(models.TextChoices):
        TEACHER = "teacher", _("Giáo viên")
        DEPARTMENT_HEAD = "department_head", _("Tổ trưởng chuyên môn")
        PRINCIPAL = "principal", _("Hiệu trưởng")
        VICE_PRINCIPAL = "vice_principal", _("Phó hiệu trưởng")
        SCHOOL_ADMIN = "school_admin", _("Quản trị tài khoản trường")
        CLUSTER_HEAD = "cluster_head", _("Cụm trưởng")
        DISTRICT_OFFICER = "district_officer", _("Chuyên viên Phòng GDĐT")
        CITY_SPECIALIST = "city_specialist", _("Chuyên viên Sở GDĐT (bộ môn)")
        CITY_LEADER = "city_leader", _("Lãnh đạo Sở GDĐT")

    # The unit kind each role is held in.
    UNIT_KIND = {
        Role.TEACHER: Unit.Kind.DEPARTMENT,
        Role.DEPARTMENT_HEAD: Unit.Kind.DEPARTMENT,
        Role.PRINCIPAL: Unit.Kind.SCHOOL,
        Role.VICE_PRINCIPAL: Unit.Kind.SCHOOL,
        Role.SCHOOL_ADMIN: Unit.Kind.SCHOOL,
        Role.CLUSTER_HEAD: Unit.Kind.CLUSTER,
        Role.DISTRICT_OFFICER: Unit.Kind.DISTRICT,
        Role.CITY_SPECIALIST: Unit.Kind.CITY,
        Role.CITY_LEADER: Unit.Kind.CITY,
    }

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("vai trò"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("môn học"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school_level = models.CharField(_("cấp học"), max_length=20, choices=SchoolLevel.choices, blank=True)

    class Meta:
        verbose_name = _("phân công vai trò")
        verbose_name_plural = _("phân công vai trò")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit", "subject", "school_level"], name="unique_role_assignment"
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} – {self.unit}"


class Panel(models.Model):
    """A subject panel of core teachers (Hội đồng bộ môn) at a cluster, district or city."""

    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="panels")
    subject = models.ForeignKey(
        Subject, verbose_name=_("môn học"), on_delete=models.PROTECT, related_name="panels"
    )
    school_level = models.CharField(_("cấp học"), max_length=20, choices=SchoolLevel.choices)
    name = models.CharField(_("tên hội đồng"), max_length=200)
    members = models.ManyToManyField(User, through="PanelMembership", related_name="panels")

    class Meta:
        verbose_name = _("hội đồng bộ môn")
        verbose_name_plural = _("hội đồng bộ môn")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "subject", "school_level"], name="one_panel_per_subject_level"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def chair(self) -> User | None:
        membership = self.memberships.filter(is_chair=True).select_related("user").first()
        return membership.user if membership else None


class PanelMembership(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="panel_memberships")
    is_chair = models.BooleanField(_("chủ tịch hội đồng"), default=False)

    class Meta:
        verbose_name = _("thành viên hội đồng")
        verbose_name_plural = _("thành viên hội đồng")
        constraints = [
            models.UniqueConstraint(fields=["panel", "user"], name="unique_panel_member"),
            models.UniqueConstraint(
                fields=["panel"], condition=models.Q(is_chair=True), name="one_chair_per_panel"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.panel}"


class ImportBatch(models.Model):
    """One uploaded units/accounts file: validated at upload, written only when confirmed.

    A large file is validated by a task (`validating`), its import always by a task (`running`);
    both report `progress` of `progress_total` and touch `updated_at` as they go. A task that
    fails marks the batch `failed` with a message in `errors`; one that died without a word
    (worker killed) shows as stalled once `updated_at` is older than STALL_AFTER. Either way the
    creator may retry (`services.import_batch_retry`).
    """

    STALL_AFTER = timedelta(minutes=30)

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Đang kiểm tra")
        INVALID = "invalid", _("Có lỗi")
        READY = "ready", _("Sẵn sàng nhập")
        RUNNING = "running", _("Đang nhập")
        DONE = "done", _("Đã nhập")
        FAILED = "failed", _("Thất bại")

    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="import_batches")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    kind = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INVALID)
    row_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    progress = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lượt nhập tệp")
        verbose_name_plural = _("lượt nhập tệp")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("accounts:import_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.progress / self.progress_total)) if self.progress_total else 0

    @property
    def is_working(self) -> bool:
        """A task is validating or importing the file and still reporting progress."""
        return self.status in (self.Status.VALIDATING, self.Status.RUNNING) and not self.is_stalled

    @property
    def is_stalled(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.RUNNING) and (
            self.updated_at < timezone.now() - self.STALL_AFTER
        )

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stalled


class AccountEvent(models.Model):
    """One change to an account: who did it, when, and the fields before and after.

    Append-only; written by the services in `accounts.services` in the same transaction as the
    change (Zulip's RealmAuditLog). `before` / `after` hold only the fields that changed, never
    a password or its hash. A role event also names the role, unit, subject and level.
    """

    class Action(models.TextChoices):
        ACTIVATED = "activated", _("Mở khoá tài khoản")
        DEACTIVATED = "deactivated", _("Khoá tài khoản")
        PASSWORD_RESET = "password_reset", _("Đặt lại mật khẩu")
        PASSWORD_CHANGED = "password_changed", _("Đổi mật khẩu")
        ROLE_GRANTED = "role_granted", _("Giao vai trò")
        ROLE_REVOKED = "role_revoked", _("Thu hồi vai trò")
        IMPORTED_CREATED = "imported_created", _("Tạo tài khoản từ tệp nhập")
        IMPORTED_UPDATED = "imported_updated", _("Cập nhật tài khoản từ tệp nhập")

    user = models.ForeignKey(
        User, verbose_name=_("tài khoản"), on_delete=models.CASCADE, related_name="account_events"
    )
    # Null: the system acted (no person); SET_NULL keeps the trail when an actor is deleted.
    actor = models.ForeignKey(
        User,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("thao tác"), max_length=30, choices=Action.choices)
    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    before = models.JSONField(_("trước"), default=dict, blank=True)
    after = models.JSONField(_("sau"), default=dict, blank=True)
    role = models.CharField(_("vai trò"), max_length=30, choices=RoleAssignment.Role.choices, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("môn học"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    school_level = models.CharField(_("cấp học"), max_length=20, choices=SchoolLevel.choices, blank=True)
    import_batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("lượt nhập tệp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account_events",
    )

    class Meta:
        verbose_name = _("nhật ký tài khoản")
        verbose_name_plural = _("nhật ký tài khoản")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self):
        return f"{self.get_action_display()} – {self.user_id} ({self.at:%Y-%m-%d %H:%M})"


class DocumentCounter(models.Model):
    """The register of one issuing unit for one calendar year: the last "Số" it handed out.

    Nghị định 30/2020/NĐ-CP numbers a unit's documents from 1 each year; every kind of document
    (minutes "BB", lists "DS", reports "BC") shares the register. Only
    `accounts.documents.document_number_issue` changes a row, under a row lock.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="document_counters")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("sổ đăng ký văn bản")
        verbose_name_plural = _("sổ đăng ký văn bản")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="one_document_counter_per_year")]

    def __str__(self):
        return f"{self.unit_id}/{self.year}: {self.last}"
