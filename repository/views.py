"""Library pages: browse and search, detail with preview, download, school library, coverage.
The token-authorised content behind every preview is `content_views`. Retracting is a workflow
action that notifies the authors: `reviews.services.publication_retract`, at /library/."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import SchoolLevel, Unit
from accounts.rules import can_view_unit, scope_for
from elearning.http import attachment_response

from . import offline, preview, pwa, selectors, services
from .models import UsageDay
from .rules import can_retract_publication

PAGE_SIZE = 20


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _filters(request) -> selectors.LibraryFilters:
    get = request.GET
    return selectors.LibraryFilters(
        q=get.get("q", "")[:200],
        scope=_int(get.get("scope")),
        subject=_int(get.get("subject")),
        grade=_int(get.get("grade")),
        school_level=get.get("school_level", "") if get.get("school_level") in SchoolLevel.values else "",
        textbook_series=_int(get.get("textbook_series")),
        format=get.get("format", "")[:20],
        year=_int(get.get("year")),
        sort=get.get("sort") if get.get("sort") in selectors.SORTS else "newest",
    )


def _facet(name, choices, filters, counts) -> dict:
    """One filter's options: (value, label, number of lectures selecting it would list, selected)."""
    chosen = getattr(filters, name)
    return {
        "name": name,
        "options": [
            (value, label, counts[name].get(str(value), 0), str(value) == str(chosen))
            for value, label in choices
        ],
    }


@login_required
def library(request):
    """Kho học liệu số: every library the user reads, one card a lecture, filtered (each option
    with its number of lectures), searched, sorted, paginated."""
    filters = _filters(request)
    publications = selectors.library_publications(request.user, filters)
    options = selectors.library_filter_options(request.user)
    counts = selectors.library_filter_counts(request.user, filters, options["years"])
    paginator = Paginator(publications, PAGE_SIZE)
    # The number of lectures listed is one of the counts (kept in the cache with them): no
    # COUNT query of its own.
    paginator.count = counts["total"].get("", 0)
    page = paginator.get_page(request.GET.get("page"))
    facets = {
        "scope": _facet("scope", [(u.pk, u.name) for u in options["scopes"]], filters, counts),
        "subject": _facet("subject", [(s.pk, s.name) for s in options["subjects"]], filters, counts),
        "grade": _facet("grade", [(g, g) for g in range(1, 13)], filters, counts),
        "school_level": _facet("school_level", SchoolLevel.choices, filters, counts),
        "textbook_series": _facet(
            "textbook_series", [(s.pk, s.name) for s in options["textbook_series"]], filters, counts
        ),
        "format": _facet("format", options["formats"], filters, counts),
        "year": _facet("year", [(y.pk, y.name) for y in options["years"]], filters, counts),
    }
    context = {
        "page": page,
        "cards": [selectors.library_card(pub) for pub in page],
        "filters": filters,
        "facets": facets,
        "sorts": [
            ("newest", _("Mới nhất")),
            ("most_used", _("Dùng nhiều nhất")),
            ("title", _("Tên bài (A–Z)")),
        ],
    }
    if request.htmx:
        return render(request, "repository/library.html#results", context)
    return render(request, "repository/library.html", context)


@login_required
def publication_detail(request, pk):
    """Metadata, history, approval trail, usage, download and preview of one publication."""
    publication = selectors.publication_for_user(request.user, pk)
    if publication.is_active:
        # Usage counting is a log, not a change of the publication: counted once a user a day.
        services.usage_record(publication=publication, user=request.user, kind=UsageDay.Kind.VIEW)
        publication.refresh_from_db(fields=["view_count", "download_count"])
    context = {
        "publication": publication,
        "lecture": publication.lecture,
        "history": selectors.publication_history(request.user, publication),
        "preview": preview.preview_for(
            request, publication.version, grant=preview.publication_grant(publication)
        )
        if publication.is_active
        else {"kind": "none"},
        "can_retract": can_retract_publication(request.user, publication),
        "offline_size": offline.offline_size(publication) if offline.offline_kind(publication) else None,
        # What keeping it on this phone takes ("Dùng khi không có mạng", repository.pwa).
        "pwa_size": pwa.offline_bytes(publication) if pwa.offline_available(publication) else None,
    }
    return render(request, "repository/publication_detail.html", context)


@login_required
@require_GET
def preview_part(request, token):
    """The preview component alone, polled by itself while a check or a rendition is under way."""
    return render(request, "components/preview.html", {"preview": preview.preview_again(request, token)})


@login_required
def publication_download(request, pk):
    """The main file as an attachment; counted once a user a day."""
    publication = selectors.publication_for_user(request.user, pk)
    version = publication.version
    if not publication.is_active or not version.file_key:
        raise Http404
    services.usage_record(publication=publication, user=request.user, kind=UsageDay.Kind.DOWNLOAD)
    name = (version.original_name or "bai-giang").rsplit("/", 1)[-1]
    return attachment_response(key=version.file_key, filename=name)


@login_required
@require_GET
def publication_offline(request, pk):
    """The offline copy (a zip to open from the file system, `repository.offline`) of an active
    publication the user may read; the download is counted, its use on a classroom PC is not."""
    publication = selectors.publication_for_user(request.user, pk)
    if offline.offline_kind(publication) is None:
        raise Http404
    # A temporary file, not memory: a video lecture may be large.
    archive = tempfile.TemporaryFile()  # closed by the FileResponse
    offline.offline_zip(publication, archive)
    archive.seek(0)
    services.usage_record(publication=publication, user=request.user, kind=UsageDay.Kind.DOWNLOAD)
    return attachment_response(
        content=archive, filename=offline.offline_filename(publication), content_type="application/zip"
    )


@login_required
def school_library(request, pk=None):
    """The principal's page: the school's library and its coverage per subject × grade."""
    if pk is None:
        schools = selectors.schools_of_principal(request.user)
        if not schools:
            raise Http404
        school = schools[0]
    else:
        school = get_object_or_404(Unit, pk=pk, kind=Unit.Kind.SCHOOL)
    scope = scope_for(request.user)
    # SECURITY: only those who oversee the school (or read it as its own staff) see this page.
    if not (scope.oversees_path(school.path) or any(h.startswith(school.path) for h in scope.home_paths)):
        raise Http404
    filters = selectors.LibraryFilters(scope=school.pk)
    page = Paginator(selectors.library_publications(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "repository/school_library.html",
        {
            "school": school,
            "page": page,
            "coverage": selectors.coverage(school),
            "kinds": selectors.LIBRARY_KINDS,
        },
    )


@login_required
def coverage_view(request, pk):
    """Coverage per subject × grade for a unit the user may see (school, cluster, district, city)."""
    unit = get_object_or_404(Unit, pk=pk, kind__in=selectors.LIBRARY_KINDS)
    scope = scope_for(request.user)
    if not (scope.everything or scope.oversees_path(unit.path) or can_view_unit(request.user, unit)):
        raise Http404
    return render(
        request,
        "repository/coverage.html",
        {"unit": unit, "coverage": selectors.coverage(unit), "kinds": selectors.LIBRARY_KINDS},
    )


# --- Content of the preview frame -------------------------------------------------------------
