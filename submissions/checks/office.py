"""Office documents (DOCX, PPTX) recognised inside a zip by ``[Content_Types].xml`` and their
main part; macro-enabled documents and spreadsheets are refused.

An empty file has nothing to review, so it is refused, each case with its own message:

* a presentation whose ``sldIdLst`` lists no slide (the slide count is recorded otherwise;
  slides present in the zip but not listed are not shown by PowerPoint either);
* a document with no content at all: no text (``w:t``, and the ``m:t``/``a:t`` text of
  equations and shapes) and no picture, drawing or embedded object. A document made only of
  pictures (scanned worksheets) is content, so it passes. A DOCX has no page count until it
  is rendered; the PDF conversion of the preview learns it, not this check.
"""

from __future__ import annotations

import posixpath
import unicodedata
import zipfile

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError

from ..formats import Format
from .archives import _Entry, _read_bounded
from .base import CHUNK, _Findings, _show
from .messages import (
    MSG_DOCX_EMPTY,
    MSG_OFFICE_BROKEN,
    MSG_OFFICE_MACRO,
    MSG_OFFICE_UNREADABLE,
    MSG_PPTX_NO_SLIDES,
    MSG_UNKNOWN_HINT,
)

MAX_SMALL_XML_BYTES = 1024 * 1024  # [Content_Types].xml
MAX_PRESENTATION_XML_BYTES = 4 * 1024 * 1024  # ppt/presentation.xml: slide list and settings
MAX_DOCUMENT_SCAN_BYTES = 64 * 1024 * 1024  # word/document.xml read looking for content
DOCUMENT_CONTENT = {"drawing", "pict", "object"}  # local names of pictures and embedded objects

OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (Format.DOCX, False),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": (Format.DOCX, False),
    "application/vnd.ms-word.document.macroenabled.main+xml": (Format.DOCX, True),
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml": (Format.DOCX, True),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        Format.PPTX,
        False,
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml": (Format.PPTX, False),
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml": (Format.PPTX, False),
    "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml": (Format.PPTX, True),
    "application/vnd.ms-powerpoint.slideshow.macroenabled.main+xml": (Format.PPTX, True),
    "application/vnd.ms-powerpoint.template.macroenabled.main+xml": (Format.PPTX, True),
}
OFFICE_FALLBACK_PARTS = {"word/document.xml": Format.DOCX, "ppt/presentation.xml": Format.PPTX}


def _office(zf: zipfile.ZipFile, by_name: dict[str, _Entry], found: _Findings) -> bool:
    """Recognise DOCX/PPTX by [Content_Types].xml and their main part; True if decided."""
    data = _read_bounded(zf, by_name["[Content_Types].xml"].info, MAX_SMALL_XML_BYTES)
    main: tuple[Format, bool] | None = None
    part = ""
    other_office = False
    if data is not None:
        try:
            root = SafeET.fromstring(data)
        except (DefusedXmlException, ParseError, ValueError, LookupError):
            root = None
        for element in root.iter() if root is not None else ():
            content_type = element.get("ContentType", "").lower()
            if content_type in OOXML_MAIN_TYPES:
                main = OOXML_MAIN_TYPES[content_type]
                part = element.get("PartName", "").lstrip("/")
                break
            if "spreadsheetml" in content_type or "ms-excel" in content_type:
                other_office = True
    if main is None:
        for part_name, fmt in OFFICE_FALLBACK_PARTS.items():
            if part_name in by_name:
                main, part = (fmt, False), part_name
                break
    if main is None:
        if other_office:
            found.errors.append(
                MSG_UNKNOWN_HINT.format(hint="đây là bảng tính Excel — hãy chuyển sang PDF hoặc PPTX")
            )
            return True
        return False
    found.format, macro = main
    ext = ".docx" if found.format is Format.DOCX else ".pptx"
    if part and unicodedata.normalize("NFC", part) not in by_name:
        found.errors.append(MSG_OFFICE_BROKEN.format(part=_show(part)))
    if macro or any(posixpath.basename(name).lower() == "vbaproject.bin" for name in by_name):
        found.errors.append(MSG_OFFICE_MACRO.format(ext=ext))
    entry = by_name.get(unicodedata.normalize("NFC", part))
    if entry is not None and not entry.is_dir and not found.errors:
        if found.format is Format.PPTX:
            _count_slides(zf, entry, found)
        else:
            _require_content(zf, entry, found)
    return True


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _count_slides(zf: zipfile.ZipFile, entry: _Entry, found: _Findings) -> None:
    """Record the slides listed in the presentation part; none is a refusal."""
    data = _read_bounded(zf, entry.info, MAX_PRESENTATION_XML_BYTES)
    try:
        root = SafeET.fromstring(data) if data is not None else None
    except (DefusedXmlException, ParseError, ValueError, LookupError):
        root = None
    if root is None:
        found.errors.append(MSG_OFFICE_UNREADABLE.format(part=_show(entry.name)))
        return
    lists = [el for el in root if _local(el.tag) == "sldIdLst"]
    found.slide_count = sum(1 for lst in lists for el in lst if _local(el.tag) == "sldId")
    if not found.slide_count:
        found.errors.append(MSG_PPTX_NO_SLIDES)


class _ContentSpotter:
    """An XML parser target that notes the first text or picture of a Word document."""

    def __init__(self) -> None:
        self.found = False
        self._in_text = 0

    def start(self, tag: str, attrib: dict) -> None:
        name = _local(tag)
        if name == "t":
            self._in_text += 1
        elif name in DOCUMENT_CONTENT:
            self.found = True

    def end(self, tag: str) -> None:
        if _local(tag) == "t":
            self._in_text -= 1

    def data(self, text: str) -> None:
        if self._in_text and text.strip():
            self.found = True

    def close(self) -> bool:
        return self.found


def _require_content(zf: zipfile.ZipFile, entry: _Entry, found: _Findings) -> None:
    """Refuse a document with no text and no picture, reading the main part as a stream that
    stops at the first content; a part too large to finish within the cap is given the
    benefit of the doubt."""
    spotter = _ContentSpotter()
    parser = SafeET.DefusedXMLParser(target=spotter)
    read = 0
    try:
        with zf.open(entry.info) as fh:
            while not spotter.found and (chunk := fh.read(CHUNK)):
                parser.feed(chunk)
                read += len(chunk)
                if read > MAX_DOCUMENT_SCAN_BYTES:
                    return
        if not spotter.found:
            parser.close()
    except (DefusedXmlException, ParseError, ValueError, LookupError):
        found.errors.append(MSG_OFFICE_UNREADABLE.format(part=_show(entry.name)))
        return
    if not spotter.found:
        found.errors.append(MSG_DOCX_EMPTY)
