"""Sending a file to the browser: one header builder and one response for every download.

A stored file (a storage key) goes out as a redirect to a presigned URL when storage is S3, so
Django never carries a 2 GiB lecture, and as a streaming `FileResponse` from local storage. A
generated file (bytes or an open file) goes out directly. Either way the name is given twice
(RFC 6266): an ASCII `filename="..."` for old clients and `filename*=UTF-8''...` (RFC 5987) for
the Vietnamese name.
"""

from __future__ import annotations

import unicodedata
from typing import BinaryIO
from urllib.parse import quote

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect

from .text import ascii_filename

DISPOSITIONS = ("attachment", "inline")
_UNSAFE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """`attachment; filename="Bai giang.pdf"; filename*=UTF-8''B%C3%A0i%20gi%E1%BA%A3ng.pdf`."""
    if disposition not in DISPOSITIONS:
        raise ValueError(disposition)
    # SECURITY: control and format characters (CR, LF, NUL, a right-to-left override) never
    # reach the header, not even encoded: the browser would put them in the saved file's name.
    name = "".join(ch for ch in str(filename) if unicodedata.category(ch) not in _UNSAFE)
    fallback = ascii_filename(name, default="file")
    # quote(safe="") leaves only RFC 5987 attr-chars: ';', '"', ' ' and '/' are all escaped.
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name or fallback, safe='')}"


def storage_is_s3() -> bool:
    """Whether the default storage is a bucket (django-storages' S3Storage has `bucket`)."""
    return getattr(default_storage, "bucket", None) is not None


def presigned_url(key: str, *, filename: str, disposition: str, content_type: str) -> str:
    """A presigned GET URL whose answer carries our Content-Disposition and Content-Type."""
    # SECURITY: the object's stored Content-Type is whatever the uploading browser declared;
    # the URL overrides it, and the disposition, on the bucket's answer.
    return default_storage.url(
        key,
        parameters={
            "ResponseContentDisposition": content_disposition(filename, disposition),
            "ResponseContentType": content_type,
        },
    )


def attachment_response(
    *,
    key: str | None = None,
    content: bytes | BinaryIO | None = None,
    filename: str,
    disposition: str = "attachment",
    content_type: str = "application/octet-stream",
) -> HttpResponse:
    """The file as a download (or `inline`): a stored file by `key`, or a generated one as
    `content`. A missing stored file is a 404 (on S3, the bucket's own 404 after the redirect)."""
    if (key is None) == (content is None):
        raise TypeError("attachment_response needs exactly one of key= and content=")
    if key is not None and storage_is_s3():
        return HttpResponseRedirect(
            presigned_url(key, filename=filename, disposition=disposition, content_type=content_type)
        )
    if key is not None:
        try:
            handle = default_storage.open(key, "rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    elif isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
    else:
        response = FileResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, disposition)
    # SECURITY: the browser takes the declared type, never guesses HTML from the bytes.
    response["X-Content-Type-Options"] = "nosniff"
    return response
