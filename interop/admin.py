from django.contrib import admin, messages

from .lti import keys
from .lti.models import LtiDeployment, LtiIdentity, LtiLaunch, LtiPlatform, LtiToolKey


class DeploymentInline(admin.TabularInline):
    model = LtiDeployment
    extra = 1


@admin.register(LtiPlatform)
class LtiPlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "issuer", "client_id", "unit", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "issuer", "client_id"]
    inlines = [DeploymentInline]
    readonly_fields = ["created_by", "created_at"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.get_internal_type() == "URLField" or db_field.__class__.__name__ == "URLField":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(LtiToolKey)
class LtiToolKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "state", "created_at", "retired_at"]
    readonly_fields = ["kid", "public_key", "state", "created_at", "retired_at"]
    actions = ["rotate_keys", "retire_keys"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Tạo khoá mới làm khoá kí (khoá cũ vẫn công bố trong JWKS)")
    def rotate_keys(self, request, queryset):
        key = keys.rotate()
        self.message_user(request, f"Khoá mới {key.kid} đang dùng để kí.", messages.SUCCESS)

    @admin.action(description="Thu hồi khoá đã chọn (bỏ khỏi JWKS; không áp dụng cho khoá đang kí)")
    def retire_keys(self, request, queryset):
        for key in queryset:
            keys.retire(key)
        self.message_user(request, "Đã thu hồi các khoá chỉ còn công bố.", messages.SUCCESS)


@admin.register(LtiIdentity)
class LtiIdentityAdmin(admin.ModelAdmin):
    list_display = ["sub", "name", "email", "platform", "user", "last_seen"]
    search_fields = ["sub", "name", "email"]
    list_filter = ["platform"]
    raw_id_fields = ["user"]
    readonly_fields = ["platform", "sub", "name", "email", "guest", "last_seen"]


@admin.register(LtiLaunch)
class LtiLaunchAdmin(admin.ModelAdmin):
    list_display = ["identity", "publication", "created_at", "grade_status"]
    list_filter = ["grade_status", "platform"]
    readonly_fields = [f.name for f in LtiLaunch._meta.fields if f.name != "token"]
    exclude = ["token"]
