"""The public catalogue's pages (interop.catalogue) and the officers' embed snippet page."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from accounts.models import GRADE_CHOICES, Subject
from elearning.http import attachment_response
from repository import offline

from . import catalogue

PAGE_SIZE = 20


def _framable(request, response):
    """Public catalogue pages may be framed by the portal (PUBLIC_CATALOGUE_FRAME_ANCESTORS)."""
    response._csp_replace = {"frame-ancestors": settings.PUBLIC_CATALOGUE_FRAME_ANCESTORS}
    return response


def _grade(value) -> int | None:
    return int(value) if value and value.isdigit() and int(value) in dict(GRADE_CHOICES) else None


@require_GET
@xframe_options_exempt  # framing is governed by the CSP frame-ancestors set in _framable
def catalogue_list(request):
    if not catalogue.catalogue_enabled():
        raise Http404
    subject = request.GET.get("subject", "")[:40]
    grade = _grade(request.GET.get("grade", ""))
    q = request.GET.get("q", "")[:200]
    page = Paginator(catalogue.catalogue_publications(subject=subject, grade=grade, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "subjects": Subject.objects.only("code", "name"),
        "grades": GRADE_CHOICES,
        "filters": {"subject": subject, "grade": grade, "q": q},
        "embed": request.GET.get("embed") == "1",
    }
    return _framable(request, render(request, "interop/catalogue_list.html", context))


@require_GET
@xframe_options_exempt
def catalogue_detail(request, pk):
    publication = catalogue.catalogue_publication(pk)
    context = {
        "publication": publication,
        "lecture": publication.lecture,
        "version": publication.version,
        "open": catalogue.is_open(publication),
        "offline_size": offline.offline_size(publication)
        if catalogue.is_open(publication) and offline.offline_kind(publication)
        else None,
        "embed": request.GET.get("embed") == "1",
    }
    return _framable(request, render(request, "interop/catalogue_detail.html", context))


def _open_publication(pk):
    publication = catalogue.catalogue_publication(pk)
    # SECURITY: the file leaves the platform only under an open licence the author chose.
    if not catalogue.is_open(publication):
        raise Http404
    return publication


@require_GET
def catalogue_download(request, pk):
    """The lecture's file, for an openly licensed lecture (not counted: the visitor is anonymous)."""
    publication = _open_publication(pk)
    version = publication.version
    name = (version.original_name or "bai-giang").rsplit("/", 1)[-1]
    return attachment_response(key=version.file_key, filename=name)


@require_GET
def catalogue_offline(request, pk):
    """The offline copy (repository.offline) of an openly licensed lecture."""
    publication = _open_publication(pk)
    if offline.offline_kind(publication) is None:
        raise Http404
    archive = tempfile.TemporaryFile()  # closed by the FileResponse
    offline.offline_zip(publication, archive)
    archive.seek(0)
    return attachment_response(
        content=archive, filename=offline.offline_filename(publication), content_type="application/zip"
    )


@login_required
@require_GET
def catalogue_embed(request):
    """The snippet an officer pastes into the department's portal."""
    if not catalogue.can_embed(request.user):
        raise Http404
    url = settings.SITE_URL.rstrip("/") + reverse("interop:catalogue") + "?embed=1"
    return render(
        request,
        "interop/catalogue_embed.html",
        {
            "enabled": catalogue.catalogue_enabled(),
            "url": url,
            "oai_url": settings.SITE_URL.rstrip("/") + reverse("interop:oai"),
        },
    )
