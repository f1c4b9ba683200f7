"""What every check shares: the limits, the result types, the archive refusal and the message
helpers (numbers, sizes and user-controlled names shown safely in Vietnamese)."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from typing import BinaryIO

from ..formats import Format
from .messages import ENTRY_MESSAGES

HASH_CHUNK = 1024 * 1024  # sha256_of and sniffing read 1 MiB at a time
CHUNK = 64 * 1024  # safe_extract streams and counts 64 KiB at a time
PEEK = 4096  # bytes read from the start of an archive entry to spot executables
RATIO_FLOOR = 1024 * 1024  # compression ratio is judged only once this many bytes are out
MAX_LISTED = 5  # names quoted in one message


# --------------------------------------------------------------------------------------
# Limits and results


@dataclass(frozen=True)
class Limits:
    """Caps applied to zip archives (the Django side passes its settings)."""

    max_entries: int = 10_000
    max_total_bytes: int = 4 * 1024**3
    max_ratio: int = 200
    max_entry_bytes: int = 2 * 1024**3


DEFAULT_LIMITS = Limits()


@dataclass
class CheckResult:
    format: Format
    sha256: str
    size: int
    ok: bool
    messages: list[str]  # Vietnamese, for the author
    title: str = ""
    launch: str = ""  # package-relative path of the SCO launch file / index.html
    scorm_version: str = ""  # "1.2", "2004 3rd Edition", "2004 4th Edition", "2004"...
    scan: str = "not_configured"  # "not_configured" | "clean" | "infected" | "not_scanned"
    # What the check learnt, kept even when it fails (the page shows why): warnings never fail
    # the check; counts are None when the format has none or they could not be learnt.
    warnings: list[str] = field(default_factory=list)  # Vietnamese, for the author
    page_count: int | None = None  # PDF
    slide_count: int | None = None  # PPTX
    sco_count: int | None = None  # SCORM
    external_hosts: list[str] = field(default_factory=list)  # HTML5 / SCORM, sorted
    outline: dict = field(default_factory=dict)  # SCORM: scorm.outline documents the shape


class UnsafeArchive(ValueError):
    """An archive refused by :func:`safe_extract`; ``str(exc)`` is the Vietnamese message."""

    def __init__(self, message: str, *, bytes_written: int = 0):
        super().__init__(message)
        self.message = message
        self.bytes_written = bytes_written  # bytes on disk when the refusal happened


@dataclass
class _Findings:
    format: Format = Format.UNKNOWN
    errors: list[str] = field(default_factory=list)
    title: str = ""
    launch: str = ""
    scorm_version: str = ""
    warnings: list[str] = field(default_factory=list)
    page_count: int | None = None
    slide_count: int | None = None
    sco_count: int | None = None
    external_hosts: list[str] = field(default_factory=list)
    outline: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# Small helpers


def sha256_of(fileobj: BinaryIO) -> str:
    """Hex sha256 of a binary file object, read from its current position in 1 MiB chunks."""
    digest = hashlib.sha256()
    while chunk := fileobj.read(HASH_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _vi_int(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _mib(number: int) -> str:
    value = number / 1024**2
    return _vi_int(int(value)) if value == int(value) else f"{value:.1f}".replace(".", ",")


def _show(name: str, limit: int = 120) -> str:
    """A user-controlled name made safe to display: no control/format characters, bounded."""
    cleaned = "".join("?" if unicodedata.category(ch).startswith("C") else ch for ch in name)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _listing(names: list[str], noun: str = "mục") -> str:
    shown = ", ".join(_show(n) for n in names[:MAX_LISTED])
    if len(names) > MAX_LISTED:
        shown += f" (và {_vi_int(len(names) - MAX_LISTED)} {noun} khác)"
    return shown


class _Problems:
    """Entry problems grouped by kind, in order of first appearance."""

    def __init__(self) -> None:
        self._by_kind: dict[str, list[str]] = {}
        self._single: list[str] = []

    def add(self, kind: str, name: str) -> None:
        names = self._by_kind.setdefault(kind, [])
        if name not in names:
            names.append(name)

    def add_message(self, message: str) -> None:
        if message not in self._single:
            self._single.append(message)

    def __bool__(self) -> bool:
        return bool(self._by_kind or self._single)

    def messages(self, limits: Limits) -> list[str]:
        rendered = [
            ENTRY_MESSAGES[kind].format(
                names=_listing(names),
                cap=_mib(limits.max_entry_bytes),
                ratio=_vi_int(limits.max_ratio),
            )
            for kind, names in self._by_kind.items()
        ]
        return rendered + self._single
