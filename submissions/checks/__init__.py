"""Content checks for uploaded lecture files (DESIGN.md §9).

Pure Python, no Django: the Celery task calls :func:`inspect_file` on the uploaded file and,
for a valid package, :func:`safe_extract` to unpack it for the preview.

* The format is decided by content (magic bytes, zip structure), never by the file name.
* Zip archives are examined from the central directory first; nothing is extracted while
  inspecting. Hostile archives (absolute paths, ``..``, symlinks, nested archives,
  executables, bombs) fail with a precise Vietnamese message.
* :func:`safe_extract` counts the bytes it actually writes, 64 KiB at a time, so a zip bomb
  stops at the cap with bounded memory; on refusal everything written is removed.
* SCORM manifests are parsed with defusedxml (no entities, no external references).
* What a check learns besides its verdict (warnings that do not refuse, page, slide and SCO
  counts, external hosts, the SCORM outline) travels in :class:`CheckResult` too.
* ClamAV is optional; a file the scanner could not scan is ``not_scanned``, never ``clean``.

One module a concern, this package's names the only public ones:

``inspect``    the entry point, :func:`inspect_file`, sniffing a file and dispatching it
``zips``       what a zip upload is (Office document, SCORM or HTML5 package)
``archives``   zip pre-flight and entry rules, nothing extracted
``extract``    :func:`safe_extract`
``scorm``      the manifest
``externals``  hosts a package's pages, styles and scripts load from (warned)
``office``     DOCX and PPTX: slide count, empty files refused
``pdf``        PDF: encryption and structure refused, page count, scripts and attachments warned
``media``      MP4 and WebM
``antivirus``  ClamAV through clamd
``base``       limits, results, the refusal and the message helpers
``messages``   the Vietnamese texts
"""

from ..formats import PACKAGE_FORMATS, Format
from .base import CHUNK, DEFAULT_LIMITS, CheckResult, Limits, UnsafeArchive, sha256_of
from .extract import safe_extract
from .inspect import inspect_file

__all__ = [
    "CHUNK",
    "DEFAULT_LIMITS",
    "PACKAGE_FORMATS",
    "CheckResult",
    "Format",
    "Limits",
    "UnsafeArchive",
    "inspect_file",
    "safe_extract",
    "sha256_of",
]
