"""Office documents (DOCX, PPTX) recognised inside a zip by ``[Content_Types].xml`` and their
main part; macro-enabled documents and spreadsheets are refused."""

from __future__ import annotations

import posixpath
import unicodedata
import zipfile

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError

from ..formats import Format
from .archives import _Entry, _read_bounded
from .base import _Findings, _show
from .messages import MSG_OFFICE_BROKEN, MSG_OFFICE_MACRO, MSG_UNKNOWN_HINT

MAX_SMALL_XML_BYTES = 1024 * 1024  # [Content_Types].xml

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
    return True
