"""Library pages: browse and search, detail with preview, download, school library, coverage;
and the token-authorised content view that feeds the sandboxed preview frame. Retracting is a
workflow action that notifies the authors: `reviews.views.publication_retract`, at /library/."""

from __future__ import annotations

import json
import math
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import SchoolLevel, Unit
from accounts.rules import can_view_unit, scope_for
from elearning.http import attachment_response
from elearning.text import json_strings
from submissions.formats import MEDIA_FORMATS, PACKAGE_FORMATS, SCORM_FORMATS

from . import content, selectors, services
from .models import Publication, UsageDay
from .rules import can_retract_publication, can_view_publication

PAGE_SIZE = 20
RUNTIME_BODY_MAX = 256 * 1024
# SCORM's CMI data is a few levels deep; deeper is not a lesson reporting its state.
RUNTIME_MAX_DEPTH = 32
NUL_REFUSED = gettext_lazy("Dữ liệu SCORM chứa ký tự NUL (\\u0000), không thể lưu.")


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


@login_required
def library(request):
    """Kho học liệu số: every library the user reads, filtered, searched, sorted, paginated."""
    filters = _filters(request)
    publications = selectors.library_publications(request.user, filters)
    page = Paginator(publications, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "options": selectors.library_filter_options(request.user),
        "grades": range(1, 13),
        "school_levels": SchoolLevel.choices,
        "sorts": [("newest", _("Mới nhất")), ("most_used", _("Dùng nhiều nhất"))],
    }
    if request.htmx:
        return render(request, "repository/library.html#results", context)
    return render(request, "repository/library.html", context)


def _preview(request, publication: Publication) -> dict:
    """What the detail page needs to show the preview: kind, frame URL, sandbox flags."""
    version = publication.version
    token = content.make_token(publication_id=publication.pk, user_id=request.user.pk)
    base = reverse("repository:content", args=[token, "_/runtime"]).rsplit("_/runtime", 1)[0]
    fmt = version.detected_format
    origin = content.content_origin()
    if fmt in PACKAGE_FORMATS and version.package_prefix and version.launch_path:
        return {
            "kind": "package",
            "src": f"{origin}{base}f/{quote(content.safe_relpath(version.launch_path))}",
            # SECURITY: no allow-same-origin on the app's own host: the package runs in an
            # opaque origin. On a separate content host it may keep that host's origin.
            "sandbox": "allow-scripts allow-forms allow-popups" + (" allow-same-origin" if origin else ""),
            "app_origin": request.build_absolute_uri("/").rstrip("/"),
        }
    if fmt in MEDIA_FORMATS and version.file_key:
        # Media cannot run script: the <video> element loads it from the app's own host.
        return {"kind": "video", "src": f"{base}f/{quote(_file_name(version))}", "type": f"video/{fmt}"}
    if fmt == "pdf" and version.file_key:
        return {"kind": "pdf", "src": f"{base}f/{quote(_file_name(version))}"}
    return {"kind": "none"}


def _file_name(version) -> str:
    return (version.original_name or "").rsplit("/", 1)[-1] or f"bai-giang.{version.detected_format or 'bin'}"


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
        "preview": _preview(request, publication) if publication.is_active else {"kind": "none"},
        "can_retract": can_retract_publication(request.user, publication),
    }
    return render(request, "repository/publication_detail.html", context)


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


class _NoSession:
    """Stands in for request.session in the content view.

    SECURITY: the token authorises package content, never the session. SessionMiddleware leaves
    a response alone when `request.session` has no `accessed` attribute, so no Set-Cookie (with
    SESSION_SAVE_EVERY_REQUEST the session would otherwise be re-sent to the sandboxed frame)
    and no Vary: Cookie."""


def _content_headers(request, response, *, sandboxed: bool = True, nested: bool = False):
    same_origin = content.request_is_on_content_origin(request)
    here = request.build_absolute_uri("/").rstrip("/")
    frame_origins = [here, settings.SITE_URL.rstrip("/")] if same_origin else [here]
    if sandboxed:
        response["Content-Security-Policy"] = content.sandbox_csp(
            same_origin=same_origin, frame_origins=None if nested else frame_origins
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, max-age=300"
    # The shell in its opaque origin fetches the launch page; the token is the secret.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _authorised(token):
    try:
        publication_id, user_id = content.read_token(token)
    except signing.BadSignature:
        raise Http404 from None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    publication = (
        Publication.objects.select_related("version", "lecture", "scope").filter(pk=publication_id).first()
    )
    # SECURITY: the token is only as good as the user's right today: a retracted publication or
    # a user moved out of scope stops playing at once.
    if (
        user is None
        or publication is None
        or not publication.is_active
        or not can_view_publication(user, publication)
    ):
        raise Http404
    return publication, user


@csrf_exempt  # SECURITY: no cookie authorises this view; the path's signed token does.
@xframe_options_exempt  # framing is governed by the CSP frame-ancestors of the response
@require_http_methods(["GET", "HEAD", "POST", "OPTIONS"])
def content_view(request, token, relpath):
    request.session = _NoSession()
    publication, user = _authorised(token)
    version = publication.version
    if relpath == "_/runtime":
        return _runtime(request, publication, user)
    if request.method not in ("GET", "HEAD") or not relpath.startswith("f/"):
        raise Http404
    relpath = relpath[2:]
    if version.detected_format in PACKAGE_FORMATS:
        key = content.package_key(version, relpath)
        if relpath == version.launch_path and version.detected_format in SCORM_FORMATS:
            return _launch_with_runtime(request, token, publication, key)
        response = content.file_response(
            request,
            key,
            content_type=content.content_type_for(relpath),
            within=version.package_prefix.rstrip("/"),
            redirect_remote=False,
        )
        return _content_headers(request, response, nested=relpath != version.launch_path)
    if relpath != _file_name(version) or not version.file_key:
        raise Http404
    fmt = version.detected_format
    ctype = "application/pdf" if fmt == "pdf" else content.content_type_for(version.original_name or relpath)
    if fmt in MEDIA_FORMATS:
        ctype = f"video/{fmt}"
    response = content.file_response(
        request,
        version.file_key,
        content_type=ctype,
        redirect_remote=True,
        filename=version.original_name or relpath,
        disposition="inline",
    )
    # A PDF is shown by the browser's own viewer, which a CSP sandbox would block; it runs no
    # script of ours in the app's origin. Media are not documents at all.
    return _content_headers(request, response, sandboxed=False)


def _launch_with_runtime(request, token, publication, key):
    """The SCORM launch page with the runtime's two script tags put first in its <head>
    (static/js/scorm-player.js explains why the API must live in the SCO's own window)."""
    version = publication.version
    raw = content.read_bytes(key, within=version.package_prefix.rstrip("/"))
    base = reverse("repository:content", args=[token, "_/runtime"])
    on_content_host = content.request_is_on_content_origin(request)
    tags = render_to_string(
        "repository/scorm_runtime_tags.html",
        {
            "runtime_url": base,
            "scorm_version": {"scorm12": "1.2", "scorm2004": "2004"}[version.detected_format],
            "app_origin": (
                settings.SITE_URL.rstrip("/")
                if on_content_host
                else request.build_absolute_uri("/").rstrip("/")
            ),
        },
    )
    html = content.inject_head(raw, tags.encode("utf-8"))
    response = HttpResponse(html, content_type="text/html")
    response["Cache-Control"] = "no-store"
    return _content_headers(request, response)


class _BadReport(ValueError):
    """A runtime report the view refuses, with the HTTP status and the message to answer."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message, self.status = message, status


def _refuse_constant(name):
    raise ValueError(name)


def _finite_float(text):
    number = float(text)
    if math.isinf(number):
        raise ValueError(text)
    return number


def _check_strings(data):
    """Every key and string of a decoded report is storable text: no NUL, no lone surrogate."""
    try:
        texts = list(json_strings(data, max_depth=RUNTIME_MAX_DEPTH))
    except ValueError:
        raise _BadReport(_("Dữ liệu SCORM lồng nhau quá sâu.")) from None
    for text in texts:
        # SECURITY: PostgreSQL cannot store NUL in jsonb or text, and a lone surrogate cannot be
        # encoded: both would otherwise fail on the database, after the request was accepted.
        if "\x00" in text:
            raise _BadReport(NUL_REFUSED)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise _BadReport(_("Dữ liệu SCORM chứa ký tự Unicode không hợp lệ.")) from None


def _runtime_report(request) -> dict:
    """The decoded report of a runtime POST, or _BadReport: too large (413), not UTF-8 JSON, not
    an object with a string "event", NaN/Infinity, NUL anywhere, nested deeper than RUNTIME_MAX_DEPTH."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    # SECURITY: refuse by the declared length before reading the body into memory.
    if declared > RUNTIME_BODY_MAX or len(request.body) > RUNTIME_BODY_MAX:
        raise _BadReport(_("Dữ liệu SCORM quá lớn."), status=413)
    if b"\x00" in request.body:
        raise _BadReport(NUL_REFUSED)
    try:
        data = json.loads(
            request.body.decode("utf-8") or "{}",
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        # ValueError covers malformed JSON, NaN/Infinity and integers of thousands of digits.
        raise _BadReport(_("Dữ liệu SCORM không phải JSON hợp lệ.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("event"), str):
        raise _BadReport(_("Dữ liệu SCORM phải là một đối tượng JSON có trường “event”."))
    _check_strings(data)
    return data


def _runtime(request, publication, user):
    """Records what the package reported (event + CMI). A simple text/plain POST from the shell."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = "POST"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        return _content_headers(request, response)
    if request.method != "POST":
        raise Http404
    try:
        data = _runtime_report(request)
    except _BadReport as refused:
        return _content_headers(
            request,
            JsonResponse(
                {"result": "false", "errorCode": 101, "message": refused.message}, status=refused.status
            ),
        )
    services.runtime_record(
        publication=publication,
        user=user,
        event=data["event"],
        scorm_version=str(data.get("scorm_version") or ""),
        cmi=data.get("cmi") if isinstance(data.get("cmi"), dict) else None,
    )
    return _content_headers(request, JsonResponse({"result": "true", "errorCode": 0}))
