from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from elearning.admin import ReadOnlyAdminMixin

from . import services
from .models import AccountEvent, Panel, PanelMembership, RoleAssignment, Subject, TextbookSeries, Unit, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["unit"]


class AccountEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AccountEvent
    fk_name = "user"
    extra = 0
    max_num = 0
    fields = ["at", "action", "actor", "role", "unit", "before", "after", "import_batch"]
    readonly_fields = fields
    ordering = ["-at", "-pk"]
    show_change_link = True


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    ordering = ["username"]
    inlines = [RoleAssignmentInline, AccountEventInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Thông tin cá nhân"), {"fields": ("full_name", "email", "phone", "must_change_password")}),
        (_("Quyền"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Mốc thời gian"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "full_name", "email", "password1", "password2")},
        ),
    )

    def save_model(self, request, obj, form, change):
        # Locking and unlocking go through the service, which audits and tells the owner.
        if change and "is_active" in form.changed_data:
            active, obj.is_active = obj.is_active, not obj.is_active
            super().save_model(request, obj, form, change)
            services.account_set_active(target=obj, actor=request.user, active=active)
        else:
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        """Roles are granted and revoked through the services (audited, the owner is told); an
        edited role is the old one revoked and the new one granted."""
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for assignment in formset.deleted_objects:
            services.role_revoke(assignment=assignment, actor=request.user)
        for assignment, _fields in formset.changed_objects:
            services.role_revoke(assignment=assignment, actor=request.user)
        for assignment in [*formset.new_objects, *(a for a, _f in formset.changed_objects)]:
            services.role_grant(
                target=form.instance,
                actor=request.user,
                role=assignment.role,
                unit=assignment.unit,
                subject=assignment.subject,
                school_level=assignment.school_level,
            )


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]


class PanelMembershipInline(admin.TabularInline):
    model = PanelMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "subject", "school_level"]
    list_filter = ["school_level", "unit__kind"]
    inlines = [PanelMembershipInline]


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "grades"]
    search_fields = ["name", "code"]


admin.site.register(TextbookSeries)
admin.site.site_header = _("Quản trị Học liệu số")


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The accounts' audit trail; `?user__id__exact=<id>` is one account's."""

    list_display = ["at", "user", "action", "actor", "role", "unit", "import_batch"]
    list_filter = ["action", "role"]
    search_fields = ["user__username", "user__full_name", "actor__username"]
    list_select_related = ["user", "actor", "unit", "import_batch"]
    date_hierarchy = "at"
    fields = [
        "at",
        "user",
        "actor",
        "action",
        "before",
        "after",
        "role",
        "unit",
        "subject",
        "school_level",
        "import_batch",
    ]
    readonly_fields = fields
