"""The phone's side of the library (issue 14, item 4): the list of files a lecture marked
"Dùng khi không có mạng" needs (`repository.pwa`) and the page of the lectures kept on this
device. Keeping and playing happen in the browser (static/js/pwa.js, static/js/sw.js)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import pwa, selectors


@login_required
@require_GET
def publication_offline_files(request, pk):
    """Every file the installed app keeps for a publication, with sizes. 404 unless the user may
    open the publication and it can be kept (active, file checked)."""
    # SECURITY: the same object-level check as the lecture page: out of scope looks like not found.
    publication = selectors.publication_for_user(request.user, pk)
    data = pwa.offline_manifest(publication, page_url=publication.get_absolute_url())
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def offline_saved(request):
    """Bài giảng đã lưu: what this device keeps is read from its caches by static/js/pwa.js."""
    return render(request, "repository/offline_saved.html")
