"""The lecture file formats, defined once: what the checker decides, what the upload widget
offers, what the library filters by and every sentence that lists them.

Pure Python like `checks`, which decides a file's format by content, never by its name: the
extensions here only guide the teacher's file picker.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


def gettext_noop(message: str) -> str:
    """Marks a message for makemessages without importing Django; Django code translates it."""
    return message


class Format(StrEnum):
    SCORM12 = "scorm12"
    SCORM2004 = "scorm2004"
    HTML5 = "html5"
    MP4 = "mp4"
    WEBM = "webm"
    PDF = "pdf"
    PPTX = "pptx"
    DOCX = "docx"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """Vietnamese label shown to authors and reviewers."""
        return _LABELS[self]

    @property
    def mime_type(self) -> str:
        """The file's media type as other systems name it (OAI-PMH records, offline copies)."""
        return _MIME_TYPES[self]


_MIME_TYPES = {
    Format.SCORM12: "application/zip",
    Format.SCORM2004: "application/zip",
    Format.HTML5: "application/zip",
    Format.MP4: "video/mp4",
    Format.WEBM: "video/webm",
    Format.PDF: "application/pdf",
    Format.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.UNKNOWN: "application/octet-stream",
}

_LABELS = {
    Format.SCORM12: "Gói SCORM 1.2",
    Format.SCORM2004: "Gói SCORM 2004",
    Format.HTML5: "Gói HTML5",
    Format.MP4: "Video MP4",
    Format.WEBM: "Video WebM",
    Format.PDF: "Tài liệu PDF",
    Format.PPTX: "Bài trình chiếu PowerPoint (PPTX)",
    Format.DOCX: "Tài liệu Word (DOCX)",
    Format.UNKNOWN: "Không xác định",
}


@dataclass(frozen=True)
class UploadKind:
    """One kind of file a teacher may upload, as the upload notes name it."""

    label: str  # Vietnamese, marked for translation
    formats: tuple[Format, ...]
    extensions: tuple[str, ...]


ACCEPTED_UPLOADS = (
    UploadKind(
        gettext_noop("gói SCORM 1.2/2004 hoặc HTML5 (.zip)"),
        (Format.SCORM12, Format.SCORM2004, Format.HTML5),
        (".zip",),
    ),
    UploadKind(gettext_noop("video MP4/WebM"), (Format.MP4, Format.WEBM), (".mp4", ".m4v", ".webm")),
    UploadKind("PDF", (Format.PDF,), (".pdf",)),
    # Slide shows and templates are PowerPoint files the check accepts too (checks.OOXML_MAIN_TYPES).
    UploadKind("PPTX", (Format.PPTX,), (".pptx", ".ppsx", ".potx")),
    UploadKind("DOCX", (Format.DOCX,), (".docx", ".dotx")),
)
LECTURE_FORMATS = tuple(fmt for kind in ACCEPTED_UPLOADS for fmt in kind.formats)
UPLOAD_EXTENSIONS = tuple(ext for kind in ACCEPTED_UPLOADS for ext in kind.extensions)
PACKAGE_FORMATS = frozenset({Format.SCORM12, Format.SCORM2004, Format.HTML5})
SCORM_FORMATS = frozenset({Format.SCORM12, Format.SCORM2004})
MEDIA_FORMATS = frozenset({Format.MP4, Format.WEBM})
# Shown in the preview through their PDF rendition (LibreOffice, after the check).
OFFICE_FORMATS = frozenset({Format.PPTX, Format.DOCX})


_EDITIONS = {"2nd": "2", "3rd": "3", "4th": "4"}


def scorm_edition_label(version: str) -> str:
    """The SCORM edition as a teacher reads it: "1.2" → "SCORM 1.2", "2004 3rd Edition" →
    "SCORM 2004 (bản 3)", "2004" → "SCORM 2004", "" → "" (the check's `scorm_version`)."""
    words = version.split()
    if not words:
        return ""
    label = f"SCORM {words[0]}"
    edition = _EDITIONS.get(words[1].lower()) if len(words) > 1 else None
    return f"{label} (bản {edition})" if edition else label


def accepted_text(translate=lambda message: message) -> str:
    """'gói SCORM 1.2/2004 hoặc HTML5 (.zip), video MP4/WebM, PDF, PPTX, DOCX'; Django code
    passes `gettext` so the labels follow the user's language."""
    return ", ".join(translate(kind.label) for kind in ACCEPTED_UPLOADS)
