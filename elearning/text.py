"""Vietnamese text folded to ASCII, and the checks every app makes on text it stores, once for
the whole project.

Search ("toan lop 6" finds "Toán lớp 6"), the column keys of an import ("Mã cán bộ" →
"ma_can_bo"), the tail of a storage key and the ASCII fallback of a download's file name all
call `fold`, so "Đường" is "duong" everywhere.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

import icu
from django.db import connection
from django.db.models import Expression, F
from django.db.models.functions import Collate

T = TypeVar("T")

_NOT_KEY = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")
# C0 controls (NUL, tab, line breaks, ESC…), DEL and the C1 controls: never part of a name or a
# code, and PostgreSQL refuses NUL in text.
CONTROL_CHARACTER_RE = re.compile("[\x00-\x1f\x7f-\x9f]")


def fold(text: object, *, lower: bool = True) -> str:
    """NFD, combining marks stripped, đ/Đ → d/D, lower case: "Đường Tròn" → "duong tron".

    With `lower=False` the case stays ("Duong Tron"). Characters that are not Latin letters
    with marks are left as they are; callers decide what else an ASCII text may hold."""
    decomposed = unicodedata.normalize("NFD", str(text or ""))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return stripped.lower() if lower else stripped


def slug_key(text: object) -> str:
    """'Mã cán bộ' → 'ma_can_bo': folded, every run of other characters one '_'."""
    return _NOT_KEY.sub("_", fold(text).strip()).strip("_")


def ascii_filename(name: str, *, default: str = "file") -> str:
    """'Bài "giảng"; Đường.pdf' → 'Bai giang; Duong.pdf': the name folded (case kept), with no
    quote, backslash or control character, other non-ASCII characters as '_', white space one
    space. For a quoted-string such as the `filename="..."` of a Content-Disposition."""
    kept = []
    for ch in _SPACES.sub(" ", fold(name, lower=False)):
        # SECURITY: a quote or backslash would end or escape the quoted-string; a control
        # character (CR, LF, NUL...) would split or truncate the header.
        if ch in '"\\' or unicodedata.category(ch).startswith("C"):
            continue
        kept.append(ch if ch.isascii() else "_")
    return " ".join("".join(kept).split()) or default


def json_strings(value, *, max_depth: int = 32):
    """Every key and string of decoded JSON, depth first (to check what will be stored).
    Raises ValueError when the nesting is deeper than `max_depth`."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise ValueError("JSON nested too deeply")
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for key, child in item.items():
                stack.append((key, depth + 1))
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


# --- Vietnamese collation -----------------------------------------------------------------------
# ICU's "vi" rules: base letters first, then the letter's marks and tones, đ a letter of its own
# after d ("Dương" < "Đỗ" < "Em", "Kết nối" < "Khác"). A collator is built once a thread: ICU
# collators are cheap to use but not meant to be shared between threads.
_collators = threading.local()
VI_ICU_COLLATION = "vi-x-icu"  # PostgreSQL's ICU collation for Vietnamese (pg_collation)


def vi_sort_key(text: object) -> bytes:
    """The ICU sort key of `text` under Vietnamese collation: `sorted(names, key=vi_sort_key)`."""
    collator = getattr(_collators, "vi", None)
    if collator is None:
        collator = _collators.vi = icu.Collator.createInstance(icu.Locale("vi"))
    return collator.getSortKey(str(text or ""))


def vi_sorted(items: Iterable[T], key: Callable[[T], object] = str) -> list[T]:
    """`items` sorted by Vietnamese collation of `key(item)` (the item's text by default)."""
    return sorted(items, key=lambda item: vi_sort_key(key(item)))


def vi_collate(field: str | Expression) -> Expression:
    """A text column for `order_by` in Vietnamese collation: PostgreSQL's ICU "vi" collation; on
    SQLite, which has no ICU, the column as it is (byte order)."""
    expression = F(field) if isinstance(field, str) else field
    if connection.vendor == "postgresql":
        return Collate(expression, VI_ICU_COLLATION)
    return expression
