from django.contrib import admin

from elearning.admin import ReadOnlyAdminMixin

from .models import Publication, PublicationEvent


class PublicationEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PublicationEvent
    fk_name = "publication"
    extra = 0
    max_num = 0
    fields = ["at", "action", "actor", "reason", "successor"]
    readonly_fields = fields
    ordering = ["-at", "-pk"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a publication changes only through the workflow (publish, retract)."""

    list_display = ["lecture", "scope", "state", "published_at", "published_by"]
    list_filter = ["state", "scope__kind"]
    search_fields = ["lecture__title", "scope__name", "scope__code"]
    list_select_related = ["lecture", "scope", "published_by"]
    exclude = ["search_text"]
    inlines = [PublicationEventInline]


@admin.register(PublicationEvent)
class PublicationEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The libraries' audit trail; `?publication=<id>` is one publication's."""

    list_display = ["at", "publication", "action", "actor", "reason"]
    list_filter = ["action"]
    search_fields = ["publication__lecture__title", "actor__username", "reason"]
    list_select_related = ["publication__lecture", "publication__scope", "actor"]
    date_hierarchy = "at"
    fields = ["at", "publication", "action", "actor", "reason", "successor"]
    readonly_fields = fields
