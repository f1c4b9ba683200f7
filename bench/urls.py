"""The project's URLs plus, for the bench only, the framework's floor (a bare view, and a bare
upload view that only streams a request body to a file) and an admin site with a changelist of
review cases, which the project's admin does not have (lectures and publications are compared
with the project's own admin changelists)."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse, HttpResponseNotAllowed
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from elearning.urls import urlpatterns as project_urlpatterns
from reviews.models import ReviewCase


def bare(request):
    """A view that reads nothing: what every page pays for Django and the middlewares."""
    return HttpResponse("<!doctype html><title>bench</title><p>ok</p>")


@csrf_exempt
def upload_floor(request):
    """What receiving an upload part costs in Django under the same server and middlewares:
    streams the PUT body to a new file under MEDIA_ROOT/_bench_floor, 4 MiB at a time (as the
    embedded back end reads a part), and nothing else — no session row, lock, hash or check."""
    if request.method != "PUT":
        return HttpResponseNotAllowed(["PUT"])
    left = int(request.META.get("CONTENT_LENGTH") or 0)
    folder = Path(settings.MEDIA_ROOT) / "_bench_floor"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / uuid.uuid4().hex, "wb") as out:
        while left > 0:
            chunk = request.read(min(4 * 1024 * 1024, left))
            if not chunk:
                break
            out.write(chunk)
            left -= len(chunk)
    return HttpResponse(status=200)


class ReviewCaseAdmin(admin.ModelAdmin):
    list_display = ["lecture", "level", "state", "unit", "opened_at"]
    list_filter = ["state", "level"]
    list_select_related = ["lecture", "unit"]
    search_fields = ["lecture__title", "unit__name"]


site = admin.AdminSite(name="benchadmin")
site.register(ReviewCase, ReviewCaseAdmin)

urlpatterns = [
    path("__bench__/bare/", bare),
    path("__bench__/upload-floor/", upload_floor),
    path("__bench__/admin/", site.urls),
    *project_urlpatterns,
]
