"""PDF documents: read with pypdf (``strict=False``, as viewers are lenient) to refuse what the
preview cannot show and to learn the page count.

Policy, decided here:

* **Encrypted PDFs are refused**, whatever the password, even an empty user password (the
  "permissions only" PDFs that open without asking): the preview renders the file with
  pdf.js and the library indexes its text, and neither is reliable on an encrypted file; a
  restriction the author set ("no printing", "no copying") is not ours to lift either. The
  message tells the teacher to save the file again without a password.
* **A PDF pypdf cannot parse is refused**: if the page tree cannot be read, pdf.js will not
  show it either. So is a PDF without a single page.
* **JavaScript and embedded files are warnings, not refusals**: the preview runs pdf.js with
  scripting disabled, so no script in a PDF ever runs on the platform, and attachments are
  not offered by the viewer; a teacher whose form relies on scripts (a self-grading quiz)
  or whose attachments carry content should know that readers will not get them, but the
  document itself is fine. Looked for: ``/JavaScript`` in the names tree, ``/OpenAction``
  and the ``/AA`` additional actions (document, page, annotation) with a JavaScript action
  (following ``/Next`` chains), ``/EmbeddedFiles`` in the names tree and file-attachment
  annotations.

The work is bounded, as a hostile PDF must neither hang the worker nor fill its memory: the
file is read from disk, never loaded whole (pypdf's recovery of a broken cross-reference
table reads the whole file into memory, so a stream wrapper refuses reads beyond
:data:`MAX_WHOLE_READ`); the page tree walk stops after :data:`MAX_PAGE_NODES` nodes; only
the first :data:`MAX_PAGES_SCANNED` pages and :data:`MAX_ANNOTATIONS` annotations are scanned
for actions and attachments; any exception pypdf raises on a malformed file is a refusal
(while reading the structure) or ignored (while looking for warnings).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from ..formats import Format
from .base import _Findings, _listing
from .messages import (
    MSG_PDF_ATTACHMENTS,
    MSG_PDF_ENCRYPTED,
    MSG_PDF_JAVASCRIPT,
    MSG_PDF_NO_PAGES,
    MSG_PDF_UNREADABLE,
)

MAX_WHOLE_READ = 64 * 1024 * 1024  # a single read pypdf may make (its xref recovery reads all)
MAX_PAGE_NODES = 100_000  # nodes of the page tree walked to count the pages
MAX_PAGES_SCANNED = 2_000  # pages whose actions and annotations are looked at
MAX_ANNOTATIONS = 20_000  # annotations looked at, over all scanned pages
MAX_ACTION_CHAIN = 50  # actions followed through /Next
MAX_NAME_NODES = 1_000  # nodes of a names tree walked to list attachments


class _TooCostly(Exception):
    """pypdf asked for more bytes at once than a check may hold in memory."""


class _CappedReader(io.BufferedReader):
    """The file as pypdf reads it, refusing any single read larger than ``MAX_WHOLE_READ``."""

    def read(self, size: int | None = -1) -> bytes:
        # SECURITY: pypdf reads the whole rest of the file to rebuild a broken xref table; a
        # crafted 2 GiB "PDF" would then sit in memory. Such a file is refused instead.
        if size is None or size < 0 or size > MAX_WHOLE_READ:
            here = self.tell()
            remaining = self.seek(0, io.SEEK_END) - here
            self.seek(here)
            if remaining > MAX_WHOLE_READ:
                raise _TooCostly
        return super().read(size)


def _resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _key(obj) -> tuple | None:
    return (obj.idnum, obj.generation) if isinstance(obj, IndirectObject) else None


def _pages(root: DictionaryObject) -> tuple[int, list[DictionaryObject]]:
    """(page count, the first MAX_PAGES_SCANNED page dictionaries), from a bounded walk of the
    page tree that survives cycles; the declared /Count is used when the walk is cut short."""
    pages_root = root.get("/Pages")
    stack = [pages_root]
    seen: set[tuple] = set()
    count = nodes = 0
    first: list[DictionaryObject] = []
    while stack:
        ref = stack.pop()
        key = _key(ref)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        node = _resolve(ref)
        nodes += 1
        if nodes > MAX_PAGE_NODES:
            declared = _resolve(_resolve(pages_root).get("/Count"))
            return (declared if isinstance(declared, int) and declared > count else count), first
        if not isinstance(node, DictionaryObject):
            continue
        kids = _resolve(node.get("/Kids"))
        if isinstance(kids, ArrayObject):
            stack.extend(reversed(kids))  # reversed: pages are met in document order
        elif node.get("/Type") == "/Page" or "/Contents" in node or "/MediaBox" in node:
            count += 1
            if len(first) < MAX_PAGES_SCANNED:
                first.append(node)
    return count, first


def _is_javascript(action) -> bool:
    """An action, or an action reached through its /Next chain, is a JavaScript action."""
    pending = [action]
    for _ in range(MAX_ACTION_CHAIN):
        if not pending:
            return False
        current = _resolve(pending.pop())
        if not isinstance(current, DictionaryObject):
            continue
        if current.get("/S") == "/JavaScript" or "/JS" in current:
            return True
        following = _resolve(current.get("/Next"))
        if isinstance(following, ArrayObject):
            pending.extend(following)
        elif following is not None:
            pending.append(following)
    return False


def _has_js_actions(holder) -> bool:
    """A dictionary's /A action or one of its /AA additional actions runs JavaScript."""
    holder = _resolve(holder)
    if not isinstance(holder, DictionaryObject):
        return False
    if _is_javascript(holder.get("/A")):
        return True
    additional = _resolve(holder.get("/AA"))
    return isinstance(additional, DictionaryObject) and any(
        _is_javascript(action) for action in additional.values()
    )


def _tree_names(tree) -> list[str]:
    """The names of a names tree (e.g. the embedded files), from a bounded walk."""
    names: list[str] = []
    stack = [tree]
    seen: set[tuple] = set()
    for _ in range(MAX_NAME_NODES):
        if not stack:
            break
        ref = stack.pop()
        key = _key(ref)
        if key is not None and key in seen:
            continue
        if key is not None:
            seen.add(key)
        node = _resolve(ref)
        if not isinstance(node, DictionaryObject):
            continue
        pairs = _resolve(node.get("/Names"))
        if isinstance(pairs, ArrayObject):
            names.extend(str(_resolve(name)) for name in pairs[::2])
        kids = _resolve(node.get("/Kids"))
        if isinstance(kids, ArrayObject):
            stack.extend(kids)
    return names


def _warnings(root: DictionaryObject, pages: list[DictionaryObject]) -> list[str]:
    """JavaScript and embedded files anywhere the viewer would meet them (bounded)."""
    javascript = False
    attachments: list[str] = []
    names = _resolve(root.get("/Names"))
    if isinstance(names, DictionaryObject):
        javascript = "/JavaScript" in names
        if "/EmbeddedFiles" in names:
            attachments = _tree_names(names["/EmbeddedFiles"]) or ["?"]
    javascript = javascript or _is_javascript(root.get("/OpenAction")) or _has_js_actions(root)
    annotations = 0
    for page in pages:
        if annotations >= MAX_ANNOTATIONS or (javascript and attachments):
            break
        javascript = javascript or _has_js_actions(page)
        annots = _resolve(page.get("/Annots"))
        for annot in annots if isinstance(annots, ArrayObject) else ():
            annotations += 1
            if annotations > MAX_ANNOTATIONS:
                break
            annot = _resolve(annot)
            if not isinstance(annot, DictionaryObject):
                continue
            javascript = javascript or _has_js_actions(annot)
            if annot.get("/Subtype") == "/FileAttachment":
                spec = _resolve(annot.get("/FS"))
                name = (
                    _resolve(spec.get("/UF") or spec.get("/F")) if isinstance(spec, DictionaryObject) else ""
                )
                attachments.append(str(name or "?"))
    found = []
    if javascript:
        found.append(MSG_PDF_JAVASCRIPT)
    if attachments:
        named = [name for name in dict.fromkeys(attachments) if name != "?"]
        found.append(MSG_PDF_ATTACHMENTS.format(names=_listing(named, "tệp") if named else "không rõ tên"))
    return found


def _pdf(path: Path, found: _Findings) -> None:
    """Refuse an encrypted or unreadable PDF, record its page count, warn of scripts and
    attachments (the module's docstring gives the policy)."""
    found.format = Format.PDF
    with _CappedReader(io.FileIO(path, "rb")) as stream:
        try:
            reader = PdfReader(stream, strict=False)
            if reader.is_encrypted:
                found.errors.append(MSG_PDF_ENCRYPTED)
                return
            root = _resolve(reader.trailer.get("/Root"))
            if not isinstance(root, DictionaryObject):
                found.errors.append(MSG_PDF_UNREADABLE)
                return
            count, pages = _pages(root)
        except (DependencyError, FileNotDecryptedError):  # an encryption pypdf cannot even open
            found.errors.append(MSG_PDF_ENCRYPTED)
            return
        except Exception:  # pypdf's errors, and whatever else a malformed file provokes
            found.errors.append(MSG_PDF_UNREADABLE)
            return
        found.page_count = count
        if not count:
            found.errors.append(MSG_PDF_NO_PAGES)
            return
        # A malformed corner of an otherwise readable PDF only costs the warnings.
        with contextlib.suppress(Exception):
            found.warnings.extend(_warnings(root, pages))
