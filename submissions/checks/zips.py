"""What a zip upload is: an Office document, an OpenDocument (refused), a SCORM package or an
HTML5 package; hostile or broken archives fail before any entry is read."""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from ..formats import PACKAGE_FORMATS, Format
from .archives import ZIP_ERRORS, _audit_entries, _Entry, _peek_executables, _preflight_zip, _read_bounded
from .base import Limits, UnsafeArchive, _Findings, _listing, _show
from .externals import external_hosts
from .messages import (
    MSG_CORRUPT,
    MSG_EMPTY_ZIP,
    MSG_EXTERNAL_RESOURCES,
    MSG_IN_SUBFOLDER,
    MSG_NO_PACKAGE,
    MSG_UNKNOWN_HINT,
)
from .office import _office
from .scorm import _scorm


def _html_title(data: bytes) -> str:
    match = re.search(rb"<title[^>]*>(.*?)</title\s*>", data, re.I | re.S)
    if not match:
        return ""
    text = html.unescape(match.group(1).decode("utf-8", errors="replace"))
    return " ".join(text.split())[:255]


def _root_name(by_name: dict[str, _Entry], wanted: Iterable[str]) -> str:
    wanted = {w.lower() for w in wanted}
    for name, entry in by_name.items():
        if not entry.is_dir and "/" not in name and name.lower() in wanted:
            return name
    return ""


def _nested_hint(by_name: dict[str, _Entry]) -> str:
    """A message when the package was zipped together with its enclosing folder."""
    for target in ("imsmanifest.xml", "index.html", "index.htm"):
        for name, entry in by_name.items():
            parts = name.split("/")
            if not entry.is_dir and len(parts) == 2 and parts[1].lower() == target:
                return MSG_IN_SUBFOLDER.format(file=_show(parts[1]), folder=_show(parts[0] + "/"))
    return ""


def _warn_externals(zf: zipfile.ZipFile, by_name: dict[str, _Entry], found: _Findings) -> None:
    """Record the hosts a package loads resources from and warn the author about them."""
    found.external_hosts = external_hosts(zf, by_name, found.launch)
    if found.external_hosts:
        found.warnings.append(MSG_EXTERNAL_RESOURCES.format(hosts=_listing(found.external_hosts, "máy chủ")))


def _inspect_zip(path: Path, size: int, limits: Limits) -> _Findings:
    found = _Findings()
    try:
        if _preflight_zip(path, size, limits) == 0:
            found.errors.append(MSG_EMPTY_ZIP)
            return found
        with zipfile.ZipFile(path) as zf:
            entries, problems = _audit_entries(zf, limits, size, package_rules=False, declared_sizes=True)
            if problems:  # hostile or broken structure: say so and read nothing more
                found.errors.extend(problems.messages(limits))
                return found
            by_name = {e.name: e for e in entries}

            if "[Content_Types].xml" in by_name and _office(zf, by_name, found):
                return found
            mimetype = by_name.get("mimetype")
            if mimetype is not None and not mimetype.is_dir:
                kind = (_read_bounded(zf, mimetype.info, 256) or b"").decode("ascii", "replace")
                if kind.startswith("application/vnd.oasis.opendocument"):
                    hint = "đây là tài liệu OpenDocument (.odt/.odp) — hãy lưu lại thành DOCX/PPTX hoặc PDF"
                    found.errors.append(MSG_UNKNOWN_HINT.format(hint=hint))
                    return found

            # Packages are extracted and served: they get the extraction rules as well.
            _, problems = _audit_entries(zf, limits, size, package_rules=True, declared_sizes=False)
            if not problems:
                _peek_executables(zf, entries, problems)
            found.errors.extend(problems.messages(limits))

            manifest_name = _root_name(by_name, ["imsmanifest.xml"])
            index_name = _root_name(by_name, ["index.html", "index.htm"])
            if manifest_name:
                _scorm(zf, by_name, manifest_name, found)
            elif index_name:
                found.format, found.launch = Format.HTML5, index_name
                with zf.open(by_name[index_name].info) as fh:
                    found.title = _html_title(fh.read(64 * 1024))
            else:
                found.errors.append(_nested_hint(by_name) or MSG_NO_PACKAGE)
            if found.format in PACKAGE_FORMATS:
                _warn_externals(zf, by_name, found)
    except UnsafeArchive as exc:
        found.errors.append(exc.message)
    except ZIP_ERRORS:
        found.errors.append(MSG_CORRUPT)
    return found
