"""The project's URLs plus, for the bench only, the framework's floor (a bare view) and an admin
site with a changelist of review cases, which the project's admin does not have (lectures and
publications are compared with the project's own admin changelists)."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import path

from elearning.urls import urlpatterns as project_urlpatterns
from reviews.models import ReviewCase


def bare(request):
    """A view that reads nothing: what every page pays for Django and the middlewares."""
    return HttpResponse("<!doctype html><title>bench</title><p>ok</p>")


class ReviewCaseAdmin(admin.ModelAdmin):
    list_display = ["lecture", "level", "state", "unit", "opened_at"]
    list_filter = ["state", "level"]
    list_select_related = ["lecture", "unit"]
    search_fields = ["lecture__title", "unit__name"]


site = admin.AdminSite(name="benchadmin")
site.register(ReviewCase, ReviewCaseAdmin)

urlpatterns = [
    path("__bench__/bare/", bare),
    path("__bench__/admin/", site.urls),
    *project_urlpatterns,
]
