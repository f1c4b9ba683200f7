"""The token-authorised content behind every preview (repository.preview names the paths).

No cookie authorises anything here: the path's signed token names the version, the user and
the grant, and the grant is checked again on every request. Package files are answered with a
CSP sandbox (an opaque origin that cannot reach the app); a SCO's launch page gets the SCORM
runtime put first in its <head>, with the state that SCO last committed for this user.
"""

from __future__ import annotations

import json
import math

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from elearning.text import json_strings
from submissions.formats import MEDIA_FORMATS, PACKAGE_FORMATS, SCORM_FORMATS
from submissions.models import LectureVersion

from . import content, preview, services
from .models import Publication

RUNTIME_BODY_MAX = 256 * 1024
# SCORM's CMI data is a few levels deep; deeper is not a lesson reporting its state.
RUNTIME_MAX_DEPTH = 32
NUL_REFUSED = gettext_lazy("Dữ liệu SCORM chứa ký tự NUL (\\u0000), không thể lưu.")


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
    frame_origins += getattr(request, "grant_frame_ancestors", [])
    if sandboxed:
        response["Content-Security-Policy"] = content.sandbox_csp(
            same_origin=same_origin, frame_origins=None if nested else frame_origins
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "no-referrer"
    if not response.has_header("Cache-Control"):  # a SCO's launch page is never cached (its state)
        response["Cache-Control"] = "private, max-age=300"
    # The shell in its opaque origin fetches the launch page; the token is the secret.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _authorised(token) -> tuple[LectureVersion, object, str]:
    try:
        version_id, user_id, grant = content.read_token(token)
    except signing.BadSignature:
        raise Http404 from None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    version = LectureVersion.objects.select_related("lecture__department").filter(pk=version_id).first()
    # SECURITY: the token is only as good as the user's right today: a retracted publication, a
    # reviewer taken off the case or a user moved out of scope stops playing at once. A version
    # whose file did not pass its check is never served.
    if (
        user is None
        or version is None
        or version.check_status != LectureVersion.Check.PASSED
        or not preview.grant_allows(user, version, grant)
    ):
        raise Http404
    return version, user, grant


def _index(text: str) -> int:
    if not text.isdigit() or len(text) > 6:
        raise Http404
    return int(text)


@csrf_exempt  # SECURITY: no cookie authorises this view; the path's signed token does.
@xframe_options_exempt  # framing is governed by the CSP frame-ancestors of the response
@require_http_methods(["GET", "HEAD", "POST", "OPTIONS"])
def content_view(request, token, relpath):
    request.session = _NoSession()
    version, user, grant = _authorised(token)
    request.grant_frame_ancestors = preview.grant_frame_ancestors(grant)
    area, _slash, rest = relpath.partition("/")
    if area == "_":
        kind, _slash, index = rest.partition("/")
        if kind != "runtime":
            raise Http404
        return _runtime(request, version, user, grant, _index(index or "0"))
    if request.method not in ("GET", "HEAD"):
        raise Http404
    fmt = version.detected_format
    if area == "s" and fmt in SCORM_FORMATS:
        index, _slash, inner = rest.partition("/")
        return _package_file(request, token, version, user, inner, item=_index(index))
    if area == "f" and fmt in PACKAGE_FORMATS:
        return _package_file(request, token, version, user, rest, item=None)
    if area == "f":
        return _single_file(request, version, rest)
    if area == "r" and rest == "preview.pdf":
        return _rendition(request, version)
    raise Http404


def _package_file(request, token, version, user, relpath, *, item):
    """A file of the extracted package. Under ``s/<n>/`` the n-th item's launch page is served
    with the runtime for that SCO; every other file is served as it is."""
    key = content.package_key(version, relpath)
    entry = preview.launchable(version, item) if item is not None else None
    if item is not None and entry is None:
        raise Http404
    if entry is not None and content.safe_relpath(entry.href) == content.safe_relpath(relpath):
        return _launch_with_runtime(request, token, version, user, key, item=item, entry=entry)
    response = content.file_response(
        request,
        key,
        content_type=content.content_type_for(relpath),
        within=version.package_prefix.rstrip("/"),
        redirect_remote=False,
    )
    # An HTML5 package's index page is framed by the app page; everything else by the package.
    framed_by_app = item is None and relpath == version.launch_path
    return _content_headers(request, response, nested=not framed_by_app)


def _single_file(request, version, relpath):
    if relpath != preview.file_name(version) or not version.file_key:
        raise Http404
    fmt = version.detected_format
    if fmt in MEDIA_FORMATS:
        ctype, remote = f"video/{fmt}", True
    elif fmt == "pdf":
        # Read by pdf.js in the app page (fetch, same origin): streamed, never redirected to a
        # storage host the page's connect-src does not name.
        ctype, remote = "application/pdf", False
    else:
        raise Http404
    response = content.file_response(
        request,
        version.file_key,
        content_type=ctype,
        redirect_remote=remote,
        filename=version.original_name or relpath,
        disposition="inline",
    )
    return _content_headers(request, response, nested=True)


def _rendition(request, version):
    """The PDF that LibreOffice made of a PPTX/DOCX, for pdf.js."""
    if version.preview_status != LectureVersion.Preview.READY or not version.preview_key:
        raise Http404
    response = content.file_response(
        request, version.preview_key, content_type="application/pdf", redirect_remote=False
    )
    return _content_headers(request, response, nested=True)


def _launch_with_runtime(request, token, version, user, key, *, item, entry):
    """A SCO's launch page with the runtime's script tags put first in its <head>
    (static/js/scorm-player.js explains why the API must live in the SCO's own window)."""
    raw = content.read_bytes(key, within=version.package_prefix.rstrip("/"))
    on_content_host = content.request_is_on_content_origin(request)
    scorm_version = {"scorm12": "1.2", "scorm2004": "2004"}[version.detected_format]
    state = preview.resume_state(
        scorm_version, services.runtime_state(version=version, user=user, sco=entry.identifier)
    )
    tags = render_to_string(
        "repository/scorm_runtime_tags.html",
        {
            "runtime_url": reverse("repository:content", args=[token, f"_/runtime/{item}"]),
            "scorm_version": scorm_version,
            "sco_index": item,
            # ASCII only (\\u escapes): the page's own encoding may not be UTF-8.
            "state": json.dumps(state),
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


# --- Runtime reports ---------------------------------------------------------------------------


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


def _stamp(data) -> int:
    """When the browser took the report's CMI data: its clock in ms (t) and the page's report
    number (seq). Anything else counts as the earliest, so it never overwrites a stamped report."""
    t, seq = data.get("t"), data.get("seq")
    if not (isinstance(t, int) and isinstance(seq, int)) or not (0 <= t < 10**14 and 0 <= seq < 1000):
        return 0
    return t * 1000 + seq


def _runtime(request, version, user, grant, index):
    """Records what the n-th SCO reported (event + CMI). A simple text/plain POST from the shell."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Methods"] = "POST"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        return _content_headers(request, response)
    if request.method != "POST" or version.detected_format not in SCORM_FORMATS:
        raise Http404
    entry = preview.launchable(version, index)
    if entry is None:
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
    publication = None
    if grant.startswith("p"):
        publication = Publication.objects.filter(pk=int(grant[1:])).first()
    services.runtime_record(
        version=version,
        user=user,
        sco=entry.identifier,
        publication=publication,
        event=data["event"],
        scorm_version=str(data.get("scorm_version") or ""),
        cmi=data.get("cmi") if isinstance(data.get("cmi"), dict) else None,
        stamp=_stamp(data),
    )
    return _content_headers(request, JsonResponse({"result": "true", "errorCode": 0}))
