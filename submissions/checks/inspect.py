"""The entry point: :func:`inspect_file` sniffs the uploaded file's first bytes and hands it to
the check of its kind (zip, video, PDF), then to the virus scanner when one is configured."""

from __future__ import annotations

from pathlib import Path

from ..formats import Format
from .antivirus import _scan
from .archives import _looks_executable
from .base import DEFAULT_LIMITS, HASH_CHUNK, CheckResult, Limits, _Findings, sha256_of
from .media import _mp4, _webm
from .messages import MSG_UNKNOWN, MSG_UNKNOWN_HINT
from .pdf import _pdf
from .zips import _inspect_zip


def _unknown_hint(head: bytes) -> str:
    if not head:
        return "tệp rỗng"
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF") or _looks_executable(head):
        return "đây là chương trình thực thi — không được phép"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "đây là tệp Office định dạng cũ (.doc/.ppt) — hãy lưu lại thành DOCX/PPTX"
    if head.startswith((b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"\xfd7zXZ\x00", b"BZh")):
        return "tệp nén RAR/7z/gzip không được hỗ trợ — hãy nén thành .zip"
    text = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")) or b"<html" in text[:1024]:
        return "nội dung là một trang HTML đơn lẻ — hãy nén thành gói HTML5 có index.html ở thư mục gốc"
    return ""


def inspect_file(
    path: Path,
    *,
    limits: Limits = DEFAULT_LIMITS,
    clamd_url: str = "",
    clamd_timeout: float = 120.0,
) -> CheckResult:
    """Decide the format of an uploaded file by content and check it (nothing extracted).

    ``clamd_url`` ("tcp://host:port" or "unix:///path") turns on ClamAV; an infected file
    fails, a scan that could not complete leaves ``scan="not_scanned"`` with a message.
    """
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as fh:
        digest = sha256_of(fh)
        fh.seek(0)
        head = fh.read(HASH_CHUNK)
        found = _Findings()
        if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
            found = _inspect_zip(path, size, limits)
        elif (media := _mp4(fh, head, size) or _webm(head)) is not None:
            found.format, found.errors = media
        elif b"%PDF-" in head[:1024]:
            _pdf(path, found)
        else:
            hint = _unknown_hint(head)
            found.errors.append(MSG_UNKNOWN_HINT.format(hint=hint) if hint else MSG_UNKNOWN)

    if found.format is Format.UNKNOWN and not found.errors:
        found.errors.append(MSG_UNKNOWN)
    ok = found.format is not Format.UNKNOWN and not found.errors
    messages = list(found.errors)

    scan = "not_configured"
    if clamd_url:
        scan, note = _scan(path, clamd_url, clamd_timeout)
        if note:
            messages.append(note)
        if scan == "infected":
            ok = False

    return CheckResult(
        format=found.format,
        sha256=digest,
        size=size,
        ok=ok,
        messages=messages,
        title=found.title,
        launch=found.launch,
        scorm_version=found.scorm_version,
        scan=scan,
        warnings=list(found.warnings),
        page_count=found.page_count,
        slide_count=found.slide_count,
        sco_count=found.sco_count,
        external_hosts=list(found.external_hosts),
        outline=found.outline,
    )
