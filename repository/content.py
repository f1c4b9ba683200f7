"""Serving lecture files to the preview frame and to downloads.

Files are reached through `/library/content/<token>/…` (repository.preview names the paths):
the token (a TimestampSigner over version, user and grant, on a key derived from SECRET_KEY for previews only,
PREVIEW_TOKEN_SECONDS long) authorises, never the session. Every package response carries a CSP `sandbox` so that, even opened directly, the
content runs in an opaque origin: it cannot read the app's cookies, call the app with the
user's session, navigate the top window or script the app page.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.crypto import salted_hmac

from elearning.http import content_disposition, presigned_url

TOKEN_SALT = "repository.content"
TOKEN_KEY_PURPOSE = "repository.content.preview-key"
# One range of a Range header: ASCII digits only, and no more of them than any file offset needs.
_RANGE = re.compile(r"([0-9]{0,19})-([0-9]{0,19})")
# More ranges than this in one header is an attack (RFC 9110 section 14.2), not a video player.
MAX_RANGES = 10
_CHUNK = 64 * 1024
_HEAD = re.compile(rb"<head(?:\s[^>]*)?>", re.IGNORECASE)
_HTML = re.compile(rb"<html(?:\s[^>]*)?>", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!doctype[^>]*>", re.IGNORECASE)


def _preview_key(secret: str) -> str:
    return salted_hmac(TOKEN_KEY_PURPOSE, "preview-token-key", secret=secret, algorithm="sha256").hexdigest()


def _signer() -> signing.TimestampSigner:
    """The preview tokens' signer, on a key derived from SECRET_KEY for this purpose only.

    SECURITY: a value signed elsewhere with SECRET_KEY (under any salt) is not a preview token.
    Keys in SECRET_KEY_FALLBACKS are derived the same way, so tokens survive a key rotation."""
    return signing.TimestampSigner(
        key=_preview_key(settings.SECRET_KEY),
        fallback_keys=[_preview_key(old) for old in settings.SECRET_KEY_FALLBACKS],
        salt=TOKEN_SALT,
    )


def make_token(*, version_id: int, user_id: int, grant: str) -> str:
    """The path token of one user's preview of one version under one grant (repository.preview)."""
    return _signer().sign_object({"v": version_id, "u": user_id, "g": grant})


def read_token(token: str) -> tuple[int, int, str]:
    """(version id, user id, grant); raises signing.BadSignature (SignatureExpired included)."""
    data = _signer().unsign_object(token, max_age=settings.PREVIEW_TOKEN_SECONDS)
    try:
        return int(data["v"]), int(data["u"]), str(data["g"])
    except (KeyError, TypeError, ValueError):
        # A token of the older shape (publication and user) or a forged-but-signed oddity.
        raise signing.BadSignature("not a preview token") from None


def content_origin() -> str:
    """The separate content host (scheme://host[:port]) or "" for the sandboxed same-host mode."""
    origin = (settings.CONTENT_ORIGIN or "").rstrip("/")
    return origin


def request_is_on_content_origin(request) -> bool:
    origin = content_origin()
    return bool(origin) and urlsplit(origin).netloc.lower() == request.get_host().lower()


def safe_relpath(relpath: str) -> str:
    """The relative path inside a package, or Http404 for anything that could leave it."""
    # SECURITY: refuse traversal before touching storage: no '..' segment, no absolute path,
    # no backslash or NUL, no empty segment tricks.
    if not relpath or "\x00" in relpath or "\\" in relpath or relpath.startswith("/"):
        raise Http404
    parts = relpath.split("/")
    if any(p in ("..", ".") for p in parts):
        raise Http404
    normal = posixpath.normpath(relpath)
    if normal.startswith("..") or normal.startswith("/"):
        raise Http404
    return normal


def package_key(version, relpath: str) -> str:
    prefix = version.package_prefix.rstrip("/")
    if not prefix:
        raise Http404
    return f"{prefix}/{safe_relpath(relpath)}"


def local_path(key: str, *, within: str | None = None) -> Path | None:
    """The file on local disk for a storage key, or None when storage is remote (S3)."""
    try:
        path = Path(default_storage.path(key)).resolve()
    except NotImplementedError:
        return None
    if within is not None:
        root = Path(default_storage.path(within)).resolve()
        # SECURITY: a symlink inside the package must not lead outside it.
        if root != path and root not in path.parents:
            raise Http404
    return path


def content_type_for(name: str) -> str:
    guessed, _ = mimetypes.guess_type(name)
    if guessed is None and name.lower().endswith(".js"):
        guessed = "text/javascript"
    return guessed or "application/octet-stream"


def _parse_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(start, end) of a single byte range; None to send the whole file (no header, a unit other
    than bytes, or several valid ranges: there are no multipart/byteranges answers); False for 416:
    unsatisfiable, malformed, absurdly large numbers or more than MAX_RANGES ranges."""
    if not header:
        return None
    unit, equals, spec = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    # SECURITY: the header is the client's: split before anything else, never int() more than 19
    # digits (Python refuses thousands of them with ValueError) and never loop over thousands.
    parts = spec.split(",", MAX_RANGES)
    if len(parts) > MAX_RANGES:
        return False
    wanted = []
    for part in parts:
        match = _RANGE.fullmatch(part.strip())
        if not match or match.groups() == ("", ""):
            return False
        first, last = match.groups()
        if first == "":
            length = int(last)
            if length == 0 or size == 0:
                return False
            start, end = max(size - length, 0), size - 1
        else:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
            if start > end or start >= size:
                return False
        wanted.append((start, end))
    return wanted[0] if len(wanted) == 1 else None


def _ranged_file_iter(path: Path, start: int, length: int):
    with path.open("rb") as fh:
        fh.seek(start)
        remaining = length
        while remaining > 0:
            chunk = fh.read(min(_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


def file_response(
    request,
    key: str,
    *,
    content_type: str,
    within: str | None = None,
    redirect_remote: bool,
    filename: str | None = None,
    disposition: str = "inline",
):
    """A local file with single HTTP Range support (206/416), or for remote storage either a
    redirect to a presigned URL (media, PDF) or the bytes streamed through (package files).

    With a `filename` the answer carries elearning.http's Content-Disposition, on the presigned
    URL too; package files have none."""
    path = local_path(key, within=within)
    if path is None:
        if not default_storage.exists(key):
            raise Http404
        if redirect_remote and filename is not None:
            return HttpResponseRedirect(
                presigned_url(key, filename=filename, disposition=disposition, content_type=content_type)
            )
        if redirect_remote:
            return HttpResponseRedirect(default_storage.url(key))
        response = FileResponse(default_storage.open(key, "rb"), content_type=content_type)
        if filename is not None:
            response["Content-Disposition"] = content_disposition(filename, disposition)
        return response
    if not path.is_file():
        raise Http404
    size = path.stat().st_size
    wanted = _parse_range(request.headers.get("Range", ""), size)
    if wanted is False:
        response = HttpResponse(status=416, content_type=content_type)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is None:
        response = FileResponse(path.open("rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = wanted
        response = StreamingHttpResponse(
            _ranged_file_iter(path, start, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    if filename is not None:
        response["Content-Disposition"] = content_disposition(filename, disposition)
    return response


def sandbox_csp(*, same_origin: bool, frame_origins: list[str] | None) -> str:
    """The policy of every package response: an opaque origin (unless on the separate content
    host), scripts and forms allowed for the lesson, resources only from the content path.

    The launch page may be framed by the app's origin only. A package's inner pages are framed
    by the launch page, whose origin is opaque, and Chromium matches no frame-ancestors source
    ('self', the app's origin, '*') against an opaque ancestor: they carry no frame-ancestors
    (`frame_origins=None`). Framed elsewhere they would still need the short-lived token and
    could reach nothing of the app."""
    flags = "allow-scripts allow-forms allow-popups" + (" allow-same-origin" if same_origin else "")
    policy = (
        f"sandbox {flags}; "
        "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'"
    )
    if frame_origins is not None:
        policy += "; frame-ancestors " + " ".join(["'self'", *dict.fromkeys(frame_origins)])
    return policy


def read_bytes(key: str, *, within: str) -> bytes:
    path = local_path(key, within=within)
    if path is not None:
        if not path.is_file():
            raise Http404
        return path.read_bytes()
    if not default_storage.exists(key):
        raise Http404
    with default_storage.open(key, "rb") as fh:
        return fh.read()


def inject_head(html: bytes, tags: bytes) -> bytes:
    """Puts `tags` first inside <head> (or after <html> / the doctype), so they run before the
    page's own scripts. Bytes in, bytes out: the page's own encoding is left alone."""
    for pattern in (_HEAD, _HTML, _DOCTYPE):
        match = pattern.search(html)
        if match:
            return html[: match.end()] + tags + html[match.end() :]
    return tags + html
