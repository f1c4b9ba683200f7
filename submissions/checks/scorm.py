"""SCORM packages: the manifest read (bounded) from the archive and parsed with defusedxml (no
entities, no external references): version, title, launch page, and every declared file and
reference checked against the package."""

from __future__ import annotations

import posixpath
import unicodedata
import zipfile
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError

from ..formats import Format
from .archives import _Entry, _read_bounded
from .base import _Findings, _listing, _mib, _show
from .messages import (
    MSG_BAD_IDREF,
    MSG_EXTERNAL_LAUNCH,
    MSG_MANIFEST_NAME,
    MSG_MANIFEST_TOO_BIG,
    MSG_MISSING_FILES,
    MSG_NO_LAUNCH,
    MSG_NO_RESOURCES,
    MSG_NOT_MANIFEST,
    MSG_OUTSIDE_REFS,
    MSG_XML_ENTITIES,
    MSG_XML_INVALID,
    MSG_XML_SYNTAX,
)

MAX_MANIFEST_BYTES = 4 * 1024 * 1024


NS_XML = "{http://www.w3.org/XML/1998/namespace}"
SCORM2004_MARKERS = (b"adlcp_v1p3", b"imsss", b"adlseq_v1p3", b"adlnav_v1p3", b"2004")
SCORM2004_NAMESPACES = {
    "http://www.adlnet.org/xsd/adlcp_v1p3",
    "http://www.imsglobal.org/xsd/imsss",
    "http://www.adlnet.org/xsd/adlseq_v1p3",
    "http://www.adlnet.org/xsd/adlnav_v1p3",
}


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(tag: object) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _children(element, local: str) -> list:
    return [child for child in element if _local(child.tag) == local]


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


@dataclass
class _Manifest:
    format: Format
    scorm_version: str = ""
    title: str = ""
    launch: str = ""
    errors: list[str] = field(default_factory=list)


def _resolve_href(href: str, bases: list[str]) -> tuple[str, str]:
    """("local", path) | ("external", url) | ("outside", href) | ("empty", "")."""
    pieces = [b for b in bases if b and b.strip()] + [href]
    segments: list[str] = []
    for index, piece in enumerate(pieces):
        piece = piece.strip().replace("\\", "/")
        try:
            parts = urlsplit(piece)
        except ValueError:
            return "outside", href
        if parts.netloc or len(parts.scheme) > 1:
            return "external", piece
        if parts.scheme:  # a drive letter
            return "outside", href
        path = unquote(parts.path)
        if path.startswith("/"):
            return "outside", href
        if index < len(pieces) - 1 and path and not path.endswith("/"):
            path += "/"  # xml:base names a folder
        segments.append(path)
    joined = "".join(segments)
    if not joined:
        return "empty", ""
    norm = posixpath.normpath(joined)
    if norm == ".":
        return "empty", ""
    if norm == ".." or norm.startswith("../"):
        return "outside", href
    return "local", unicodedata.normalize("NFC", norm)


def _scorm_version(root, raw: bytes) -> tuple[Format, str]:
    schemaversion = ""
    for element in root.iter():
        if _local(element.tag) == "schemaversion":
            schemaversion = _text(element)
            break
    version = schemaversion.lower()
    if "2004" in version or "cam 1.3" in version or version == "cam1.3":
        for edition in ("4th", "3rd", "2nd"):
            if edition in version:
                return Format.SCORM2004, f"2004 {edition} Edition"
        if "cam" in version:
            return Format.SCORM2004, "2004 2nd Edition"
        return Format.SCORM2004, "2004"
    if version.startswith("1.2"):
        return Format.SCORM12, "1.2"
    namespaces = {_namespace(element.tag) for element in root.iter()}
    for element in root.iter():
        namespaces.update(_namespace(key) for key in element.attrib)
    if namespaces & SCORM2004_NAMESPACES or any(m in raw for m in SCORM2004_MARKERS[:4]):
        return Format.SCORM2004, "2004"
    return Format.SCORM12, "1.2"  # as LMSes do: a plain IMS content package is run as 1.2


def _attr(element, local: str) -> str:
    value = element.get(local)
    if value is None:
        for key, candidate in element.attrib.items():
            if _local(key).lower() == local.lower():
                return candidate
        return ""
    return value


def _missing_with_hint(path: str, files_lower: dict[str, str]) -> str:
    other = files_lower.get(path.lower())
    return f"{path} (trong gói có {other} — khác chữ hoa/thường)" if other else path


def _parse_manifest(raw: bytes, files: set[str]) -> _Manifest:
    guess = Format.SCORM2004 if any(m in raw for m in SCORM2004_MARKERS) else Format.SCORM12
    try:
        root = SafeET.fromstring(raw, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        return _Manifest(guess, errors=[MSG_XML_ENTITIES])
    except ParseError as exc:
        line = getattr(exc, "position", (0, 0))[0]
        return _Manifest(guess, errors=[MSG_XML_SYNTAX.format(line=line) if line else MSG_XML_INVALID])
    except (ValueError, LookupError):
        return _Manifest(guess, errors=[MSG_XML_INVALID])
    if _local(root.tag) != "manifest":
        return _Manifest(guess, errors=[MSG_NOT_MANIFEST])

    fmt, version = _scorm_version(root, raw)
    result = _Manifest(fmt, scorm_version=version)
    files_lower = {name.lower(): name for name in files}

    manifest_ids = {el.get("identifier") for el in root.iter() if _local(el.tag) == "manifest"}
    resources: dict[str, tuple[str, list[str], object]] = {}  # id -> (href, bases, element)
    missing: list[str] = []
    outside: list[str] = []
    bad_refs: list[str] = []

    def check(href: str, bases: list[str]) -> None:
        kind, value = _resolve_href(href, bases)
        if kind == "local" and value not in files:
            hinted = _missing_with_hint(value, files_lower)
            if hinted not in missing:
                missing.append(hinted)
        elif kind == "outside" and href not in outside:
            outside.append(href)

    all_resources = []
    for container in root.iter():
        if _local(container.tag) != "resources":
            continue
        container_base = container.get(NS_XML + "base", "")
        for resource in _children(container, "resource"):
            bases = [container_base, resource.get(NS_XML + "base", "")]
            href = resource.get("href", "")
            identifier = resource.get("identifier", "")
            resources.setdefault(identifier, (href, bases, resource))
            all_resources.append((href, bases, resource))
            if href.strip():
                check(href, bases)
            for file_el in _children(resource, "file"):
                if file_el.get("href", "").strip():
                    check(file_el.get("href", ""), bases)
            for dependency in _children(resource, "dependency"):
                ref = dependency.get("identifierref", "")
                if ref not in resources and ref not in bad_refs:
                    bad_refs.append(ref)  # resolved against the full list below
    if not all_resources:
        result.errors.append(MSG_NO_RESOURCES)
    bad_refs = [ref for ref in bad_refs if ref not in resources]

    organizations = next((el for el in root if _local(el.tag) == "organizations"), None)
    orgs = _children(organizations, "organization") if organizations is not None else []
    default_id = organizations.get("default", "") if organizations is not None else ""
    org = next((o for o in orgs if o.get("identifier") == default_id), orgs[0] if orgs else None)

    launch_href: tuple[str, list[str]] | None = None
    for item in root.iter():
        if _local(item.tag) != "item" or not item.get("identifierref"):
            continue
        ref = item.get("identifierref", "")
        if ref not in resources and ref not in manifest_ids and ref not in bad_refs:
            bad_refs.append(ref)
    if org is not None:
        result.title = _text(next(iter(_children(org, "title")), None))
        for item in org.iter():
            if _local(item.tag) != "item":
                continue
            ref = item.get("identifierref", "")
            if ref in resources and resources[ref][0].strip():
                launch_href = resources[ref][0], resources[ref][1]
                if not result.title:
                    result.title = _text(next(iter(_children(item, "title")), None))
                break
    if launch_href is None:  # a resource package: the first SCO, else the first page
        candidates = sorted(
            (r for r in all_resources if r[0].strip()),
            key=lambda r: _attr(r[2], "scormtype").lower() != "sco",
        )
        if candidates:
            launch_href = candidates[0][0], candidates[0][1]
    if launch_href is None:
        if all_resources:
            result.errors.append(MSG_NO_LAUNCH)
    else:
        kind, value = _resolve_href(*launch_href)
        if kind == "local":
            result.launch = value
        elif kind == "external":
            result.errors.append(MSG_EXTERNAL_LAUNCH.format(href=_show(value)))
        elif kind == "empty":
            result.errors.append(MSG_NO_LAUNCH)
    result.title = result.title[:255]

    if missing:
        result.errors.append(MSG_MISSING_FILES.format(names=_listing(missing, "tệp")))
    if outside:
        result.errors.append(MSG_OUTSIDE_REFS.format(names=_listing(outside, "tham chiếu")))
    if bad_refs:
        result.errors.append(MSG_BAD_IDREF.format(names=_listing(bad_refs, "tham chiếu")))
    return result


def _scorm(zf: zipfile.ZipFile, by_name: dict[str, _Entry], manifest_name: str, found: _Findings) -> None:
    if manifest_name != "imsmanifest.xml":
        found.errors.append(MSG_MANIFEST_NAME.format(name=_show(manifest_name)))
    raw = _read_bounded(zf, by_name[manifest_name].info, MAX_MANIFEST_BYTES)
    if raw is None:
        found.format = Format.SCORM12
        found.errors.append(MSG_MANIFEST_TOO_BIG.format(cap=_mib(MAX_MANIFEST_BYTES)))
        return
    manifest = _parse_manifest(raw, {name for name, e in by_name.items() if not e.is_dir})
    found.format, found.scorm_version = manifest.format, manifest.scorm_version
    found.title, found.launch = manifest.title, manifest.launch
    found.errors.extend(manifest.errors)
