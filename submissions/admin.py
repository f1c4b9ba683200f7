from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import (
    AcademicYear,
    CatalogueLesson,
    Lecture,
    LectureVersion,
    Record,
    RecordDeadline,
    RecordKind,
    SubmissionWindow,
    UploadSession,
)


class SubmissionWindowInline(admin.TabularInline):
    model = SubmissionWindow
    extra = 0
    fields = ["slot", "name", "opens_on", "closes_on", "review_days", "kinds", "school_levels"]


@admin.register(AcademicYear)
class AcademicYearAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "starts_on",
        "semester1_ends_on",
        "ends_on",
        "makeup1_starts_on",
        "makeup2_starts_on",
    ]
    inlines = [SubmissionWindowInline]
    actions = ["create_standard_windows"]

    @admin.action(description=gettext_lazy("Tạo ba đợt nộp chuẩn (tuần 3 tháng 8, hai tuần dạy bù)"))
    def create_standard_windows(self, request, queryset):
        for year in queryset:
            try:
                services.windows_create_standard(year=year)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(
                    request, _("Đã tạo/cập nhật ba đợt nộp của năm học %(year)s.") % {"year": year.name}
                )


@admin.register(SubmissionWindow)
class SubmissionWindowAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "unit", "slot", "opens_on", "closes_on", "review_days"]
    list_filter = ["year", "slot"]
    raw_id_fields = ["unit"]


class LectureVersionInline(admin.TabularInline):
    model = LectureVersion
    extra = 0
    can_delete = False
    fields = ["number", "original_name", "size", "detected_format", "check_status", "submitted_at", "window"]
    readonly_fields = fields


@admin.register(Lecture)
class LectureAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "subject", "grade", "school", "updated_at"]
    list_filter = ["school_level", "subject"]
    search_fields = ["title", "author__full_name", "author__username"]
    raw_id_fields = ["author", "co_authors", "school", "department"]
    inlines = [LectureVersionInline]


@admin.register(UploadSession)
class UploadSessionAdmin(admin.ModelAdmin):
    list_display = ["filename", "user", "backend", "size", "status", "created_at", "updated_at"]
    list_filter = ["status", "backend"]
    readonly_fields = [f.name for f in UploadSession._meta.fields]


@admin.register(CatalogueLesson)
class CatalogueLessonAdmin(admin.ModelAdmin):
    """Corrections of single lessons; whole catalogues are imported from the dashboard's page."""

    list_display = ["subject", "grade", "textbook_series", "number", "title", "topic"]
    list_filter = ["subject", "grade", "textbook_series"]
    search_fields = ["title", "topic"]


class RecordDeadlineInline(admin.TabularInline):
    model = RecordDeadline
    extra = 0


@admin.register(RecordKind)
class RecordKindAdmin(admin.ModelAdmin):
    """The catalogue of professional records: administrators add kinds that reuse a known route."""

    list_display = ["name", "code", "submitter_role", "unit_level", "frequency", "route", "is_active"]
    list_filter = ["route", "unit_level", "is_active"]
    inlines = [RecordDeadlineInline]


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    list_display = ["__str__", "owner", "school", "year", "status", "submitted_late", "approved_late"]
    list_filter = ["kind", "status", "year"]
    search_fields = ["lesson_name", "owner__username", "owner__full_name", "school__name"]
    raw_id_fields = ["owner", "unit", "school", "department"]
    # SECURITY: records change only through the services; the admin reads them.
    readonly_fields = [f.name for f in Record._meta.fields]

    def has_add_permission(self, request):
        return False
