"""The offline copy of a published lecture: a zip a teacher unpacks on a classroom PC and opens
by double-clicking `index.html`, with no Internet (issue 14, item 4).

The zip holds the lecture (the package's files, or the PDF / video), a page that plays it, and,
for SCORM, the same runtime as the online player (static/js/scorm-player.js and scorm-again) put
first in each SCO's launch page, as the content view does online. Pages opened from the file
system cannot read each other (every file:// document is its own origin in Chromium and Firefox)
and cannot fetch files next to them, so nothing is read at run time: the table of contents is
written into `bai-giang.js` as a script, and each SCO finds its API in its own window. Results
stay in the browser's localStorage of that PC; nothing is sent anywhere and nothing is counted.
"""

from __future__ import annotations

import functools
import json
import posixpath
import zipfile
import zlib
from pathlib import PurePosixPath
from typing import BinaryIO

from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.http import Http404
from django.template.loader import render_to_string

from submissions.formats import MEDIA_FORMATS, PACKAGE_FORMATS, SCORM_FORMATS, Format

from . import content
from .models import Publication
from .preview import file_name, toc_entries, with_parameters

PACKAGE_DIR = "bai-giang"
PLAYER_DIR = "trinh-phat"
# The player's files: (static path, name in the zip).
PLAYER_FILES = [
    ("vendor/scorm-again/scorm-again.min.js", "scorm-again.min.js"),
    ("vendor/scorm-again/LICENSE", "scorm-again-LICENSE.txt"),
    ("js/scorm-player.js", "scorm-player.js"),
    ("js/offline-player.js", "offline-player.js"),
]
_SCORM_EDITIONS = {Format.SCORM12: "1.2", Format.SCORM2004: "2004"}


def offline_kind(publication: Publication) -> str | None:
    """ "scorm", "html5", "pdf" or "video" when the publication has an offline copy, else None:
    an active publication of a version whose file passed its check."""
    version = publication.version
    if not publication.is_active or not version.file_key or version.check_status != "passed":
        return None
    fmt = version.detected_format
    if fmt in SCORM_FORMATS:
        return "scorm"
    if fmt in PACKAGE_FORMATS:
        return "html5"
    if fmt in MEDIA_FORMATS:
        return "video"
    return "pdf" if fmt == Format.PDF else None


def _static(path: str) -> bytes:
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(path)
    with open(found, "rb") as handle:
        return handle.read()


@functools.cache
def _player_bytes() -> int:
    """The player's files as they weigh in the zip (compressed), measured once a process."""
    return sum(len(zlib.compress(_static(path))) for path, _name in PLAYER_FILES)


def offline_size(publication: Publication) -> int:
    """The size of the zip in bytes, near enough to show before the download: the lecture's file
    (a package's files compress about as much as in the upload), the player and the page."""
    return publication.version.size + _player_bytes() + 4 * 1024


def storage_key(publication: Publication) -> str:
    """The localStorage prefix of this copy's results: one per lecture version."""
    version = publication.version
    return f"hoclieu:{publication.lecture_id}:v{version.number}:{(version.sha256 or '')[:12]}"


def _runtime_tags(depth: int, *, scorm_version: str, sco: int, key: str) -> bytes:
    up = "../" * depth
    return (
        f'<script src="{up}{PLAYER_DIR}/scorm-again.min.js"></script>'
        f'<script src="{up}{PLAYER_DIR}/scorm-player.js" data-scorm-version="{scorm_version}" '
        f'data-sco="{sco}" data-offline-key="{key}" data-app-origin="*"></script>'
    ).encode()


def _package_entries(publication: Publication):
    """(path inside the package, bytes) of the uploaded zip, safe paths only."""
    try:
        handle = default_storage.open(publication.version.file_key, "rb")
    except FileNotFoundError:
        raise Http404 from None
    with handle, zipfile.ZipFile(handle) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            try:
                # SECURITY: the check refused unsafe names already; never write one into a zip
                # a teacher unpacks on a school PC.
                relpath = content.safe_relpath(info.filename)
            except Http404:
                continue
            yield relpath, archive.read(info)


def _toc(publication: Publication) -> list[dict]:
    version = publication.version
    return [
        {
            "title": e.title,
            "depth": e.indent,
            "index": e.index,
            "src": f"{PACKAGE_DIR}/{with_parameters(e.href, e.parameters)}" if e.index is not None else "",
        }
        for e in toc_entries(version)
    ]


def offline_zip(publication: Publication, out: BinaryIO) -> None:
    """Writes the offline copy of an active publication (`offline_kind` not None) to `out`."""
    kind = offline_kind(publication)
    if kind is None:
        raise Http404
    version = publication.version
    lecture = publication.lecture
    key = storage_key(publication)
    data = {"title": lecture.title, "kind": kind, "key": key, "toc": [], "src": ""}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if kind in ("scorm", "html5"):
            launches: dict[str, int] = {}
            if kind == "scorm":
                data["toc"] = _toc(publication)
                for entry in toc_entries(version):
                    if entry.index is not None:
                        launches.setdefault(content.safe_relpath(entry.href.split("?")[0]), entry.index)
            for relpath, raw in _package_entries(publication):
                if relpath in launches:
                    depth = len(PurePosixPath(relpath).parts)  # bai-giang/… and its folders
                    tags = _runtime_tags(
                        depth,
                        scorm_version=_SCORM_EDITIONS[version.detected_format],
                        sco=launches[relpath],
                        key=key,
                    )
                    raw = content.inject_head(raw, tags)
                archive.writestr(posixpath.join(PACKAGE_DIR, relpath), raw)
            first = next((t["src"] for t in data["toc"] if t["src"]), "")
            data["src"] = first or f"{PACKAGE_DIR}/{with_parameters(version.launch_path, '')}"
        else:
            name = file_name(version)
            with default_storage.open(version.file_key, "rb") as handle:
                # Video and PDF are compressed already: stored as they are.
                with archive.open(zipfile.ZipInfo(f"{PACKAGE_DIR}/{name}"), "w", force_zip64=True) as target:
                    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                        target.write(chunk)
            data["src"] = f"{PACKAGE_DIR}/{name}"
            data["type"] = Format(version.detected_format).mime_type
        for path, name in PLAYER_FILES:
            archive.writestr(f"{PLAYER_DIR}/{name}", _static(path))
        # A script, not a JSON file: a page opened from the file system may not fetch its neighbours.
        archive.writestr(
            "bai-giang.js", "window.HOCLIEU_OFFLINE = " + json.dumps(data, ensure_ascii=True) + ";\n"
        )
        context = {"publication": publication, "lecture": lecture, "version": version, "data": data}
        archive.writestr("index.html", render_to_string("repository/offline/index.html", context))
        archive.writestr("HUONG-DAN.txt", render_to_string("repository/offline/huong-dan.txt", context))


def offline_filename(publication: Publication) -> str:
    return f"{publication.lecture.title} (ngoại tuyến).zip"
