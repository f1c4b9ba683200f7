"""SCORM packages: the manifest read (bounded) from the archive and parsed with defusedxml (no
entities, no external references): version, title, launch page, every declared file and
reference checked against the package, the organizations checked against what the launch
needs, and the outline the player shows as its table of contents (:func:`outline`), with
the number of SCOs and the SCORM 2004 sequencing the player ignores."""

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
    MSG_BAD_DEFAULT_ORG,
    MSG_BAD_IDREF,
    MSG_EXTERNAL_LAUNCH,
    MSG_MANIFEST_NAME,
    MSG_MANIFEST_TOO_BIG,
    MSG_MISSING_FILES,
    MSG_MISSING_ITEM_PAGES,
    MSG_NO_LAUNCH,
    MSG_NO_RESOURCES,
    MSG_NOT_MANIFEST,
    MSG_ORG_NO_IDENTIFIER,
    MSG_ORG_NO_LAUNCH,
    MSG_OUTSIDE_REFS,
    MSG_XML_ENTITIES,
    MSG_XML_INVALID,
    MSG_XML_SYNTAX,
    SEQUENCING_LABELS,
)

MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_OUTLINE_ITEMS = 2_000  # items kept in the player's table of contents
MAX_OUTLINE_DEPTH = 20  # levels of nested items kept
MAX_TITLE = 255


NS_XML = "{http://www.w3.org/XML/1998/namespace}"
SCORM2004_MARKERS = (b"adlcp_v1p3", b"imsss", b"adlseq_v1p3", b"adlnav_v1p3", b"2004")
SCORM2004_NAMESPACES = {
    "http://www.adlnet.org/xsd/adlcp_v1p3",
    "http://www.imsglobal.org/xsd/imsss",
    "http://www.adlnet.org/xsd/adlseq_v1p3",
    "http://www.adlnet.org/xsd/adlnav_v1p3",
}


SEQUENCING_NAMESPACES = {
    "http://www.imsglobal.org/xsd/imsss",
    "http://www.adlnet.org/xsd/adlseq_v1p3",
    "http://www.adlnet.org/xsd/adlnav_v1p3",
}
# Sequencing elements that, wherever they appear, are rules the player does not carry out.
SEQUENCING_FEATURES = {
    "preConditionRule": "conditionRules",
    "postConditionRule": "conditionRules",
    "exitConditionRule": "conditionRules",
    "rollupRules": "rollupRules",
    "rollupConsiderations": "rollupRules",
    "limitConditions": "limitConditions",
    "randomizationControls": "randomization",
    "constrainedChoiceConsiderations": "controlMode",
    "sequencingCollection": "sequencingCollection",
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
    sco_count: int | None = None
    outline: dict = field(default_factory=dict)


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


@dataclass
class _Resource:
    href: str  # as written, query and fragment included
    bases: list[str]  # the xml:base of <resources> and of the resource
    element: object

    @property
    def launchable(self) -> bool:
        return bool(self.href.strip())

    @property
    def is_sco(self) -> bool:
        return _attr(self.element, "scormtype").strip().lower() == "sco"


def _items(element) -> list:
    return _children(element, "item")


def _title(element) -> str:
    return _text(next(iter(_children(element, "title")), None))[:MAX_TITLE]


def _launch_parameters(href: str, parameters: str) -> str:
    """The query (and fragment) an item's page is opened with: the href's own query, then the
    item's ``parameters``, joined as SCORM 2004 CAM (3.4.1.9) says: "?" is added when the
    parameters start with neither "?" nor "#", and a second "?" becomes "&"."""
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return ""
    extra = parameters.strip()
    if extra and extra[0] not in "?#":
        extra = "?" + extra
    query = f"?{parts.query}" if parts.query else ""
    if query and extra.startswith("?"):
        return query + "&" + extra[1:]
    fragment = f"#{parts.fragment}" if parts.fragment and not extra.startswith("#") else ""
    return query + (extra or fragment)


class _Budget:
    """Items left to put in the outline (MAX_OUTLINE_ITEMS over the whole outline)."""

    def __init__(self, items: int) -> None:
        self.items = items


def _outline_item(item, resources: dict[str, _Resource], budget: _Budget, depth: int) -> dict:
    resource = resources.get(item.get("identifierref", ""))
    href = parameters = ""
    if resource is not None and resource.launchable:
        kind, value = _resolve_href(resource.href, resource.bases)
        if kind == "local":
            href = value
            parameters = _launch_parameters(resource.href, item.get("parameters", ""))
    children = []
    if depth < MAX_OUTLINE_DEPTH:
        for child in _items(item):
            if budget.items <= 0:
                break
            budget.items -= 1
            children.append(_outline_item(child, resources, budget, depth + 1))
    return {
        "identifier": item.get("identifier", "")[:MAX_TITLE],
        "title": _title(item),
        "href": href,
        "parameters": parameters[:MAX_TITLE],
        "sco": resource is not None and resource.is_sco,
        "visible": item.get("isvisible", "true").strip().lower() != "false",
        "children": children,
    }


def outline(orgs: list, default_id: str, resources: dict[str, _Resource], ignored: list[str]) -> dict:
    """The organization tree the player shows as its table of contents.

    Shape (the player reads exactly this)::

        {"default": "<identifier of the organization opened first>",
         "organizations": [{"identifier": str, "title": str, "items": [ITEM, ...]}],
         "ignored": ["<sequencing features the choice/flow player ignores>", ...]}
        ITEM = {"identifier": str, "title": str,
                "href": "<package path of the item's page, xml:base applied, NFC, no query>" or "",
                "parameters": "<the href's query and the item's parameters, e.g. '?page=2'>" or "",
                "sco": bool, "visible": bool, "children": [ITEM, ...]}

    ``href`` is "" for a folder (an item without a page of its own in the package); the
    outline is only stored for a package that passed, so every other ``href`` exists.
    ``ignored`` holds keys of ``messages.SEQUENCING_LABELS``. At most MAX_OUTLINE_ITEMS
    items are kept, MAX_OUTLINE_DEPTH levels deep: a manifest cannot make the page heavy.
    """
    budget = _Budget(MAX_OUTLINE_ITEMS)
    organizations = []
    for org in orgs:
        items = []
        for item in _items(org):
            if budget.items <= 0:
                break
            budget.items -= 1
            items.append(_outline_item(item, resources, budget, 1))
        organizations.append(
            {"identifier": org.get("identifier", "")[:MAX_TITLE], "title": _title(org), "items": items}
        )
    return {"default": default_id[:MAX_TITLE], "organizations": organizations, "ignored": ignored}


def _ignored_sequencing(root) -> list[str]:
    """The SCORM 2004 sequencing a choice/flow player does not carry out, as stable keys.

    Only what changes what a learner meets is listed: condition, rollup and limit rules,
    randomisation, shared objectives (``mapInfo``) or objectives satisfied by a score,
    restricted navigation (``forwardOnly``, ``choice``/``choiceExit`` turned off, constrained
    choice), untracked activities, a hidden LMS navigation interface, shared sequencing
    collections. The defaults every authoring tool writes (a primary objective without a map,
    ``completionSetByContent``) are not listed, so the notice appears only when it matters.
    """
    found: set[str] = set()
    for element in root.iter():
        if _namespace(element.tag) not in SEQUENCING_NAMESPACES:
            continue
        name = _local(element.tag)
        if name in SEQUENCING_FEATURES:
            found.add(SEQUENCING_FEATURES[name])
        elif name in ("objectives", "objective", "primaryObjective"):
            if any(_local(el.tag) == "mapInfo" for el in element.iter()) or (
                element.get("satisfiedByMeasure", "").strip().lower() == "true"
            ):
                found.add("objectives")
        elif name == "controlMode":
            if (
                element.get("forwardOnly", "").strip().lower() == "true"
                or element.get("choice", "").strip().lower() == "false"
                or element.get("choiceExit", "").strip().lower() == "false"
            ):
                found.add("controlMode")
        elif name == "deliveryControls" and element.get("tracked", "").strip().lower() == "false":
            found.add("deliveryControls")
        elif name == "presentation" and any(_local(el.tag) == "hideLMSUI" for el in element.iter()):
            found.add("navigationInterface")
    return [key for key in SEQUENCING_LABELS if key in found]


def _parse_manifest(raw: bytes, files: set[str]) -> _Manifest:
    """Parse a manifest and check it against what the launch needs.

    Organizations: each needs an identifier; ``default`` must name one of them; without
    ``default`` the first organization is opened (as SCORM 2004 CAM 3.4.1.5 leaves it to the
    LMS, and as Moodle and SCORM Cloud do). Every organization needs at least one item that
    can be launched (an item pointing at a resource with an ``href``); every ``identifierref``
    must name a resource (or a sub-manifest); every file and resource ``href`` must be in the
    package, and the pages of items get their own message naming the item. A package with
    resources but no organization is launched from its first SCO (else first page).
    """
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
    resources: dict[str, _Resource] = {}
    missing: list[str] = []
    outside: list[str] = []
    bad_refs: list[str] = []

    def check(href: str, bases: list[str]) -> str:
        """Note a missing or outside reference; return the missing path ("" if present)."""
        kind, value = _resolve_href(href, bases)
        if kind == "local" and value not in files:
            hinted = _missing_with_hint(value, files_lower)
            if hinted not in missing:
                missing.append(hinted)
            return hinted
        if kind == "outside" and href not in outside:
            outside.append(href)
        return ""

    all_resources: list[_Resource] = []
    missing_pages: dict[str, str] = {}  # resource identifier -> its missing page
    for container in root.iter():
        if _local(container.tag) != "resources":
            continue
        container_base = container.get(NS_XML + "base", "")
        for element in _children(container, "resource"):
            resource = _Resource(
                element.get("href", ""), [container_base, element.get(NS_XML + "base", "")], element
            )
            identifier = element.get("identifier", "")
            resources.setdefault(identifier, resource)
            all_resources.append(resource)
            if resource.launchable and (page := check(resource.href, resource.bases)):
                missing_pages.setdefault(identifier, page)
            for file_el in _children(element, "file"):
                if file_el.get("href", "").strip():
                    check(file_el.get("href", ""), resource.bases)
            for dependency in _children(element, "dependency"):
                ref = dependency.get("identifierref", "")
                if ref not in resources and ref not in bad_refs:
                    bad_refs.append(ref)  # resolved against the full list below
    if not all_resources:
        result.errors.append(MSG_NO_RESOURCES)
    bad_refs = [ref for ref in bad_refs if ref not in resources]

    organizations = next((el for el in root if _local(el.tag) == "organizations"), None)
    orgs = _children(organizations, "organization") if organizations is not None else []
    default_id = (organizations.get("default") or "").strip() if organizations is not None else ""
    org = next((o for o in orgs if o.get("identifier") == default_id), None) if default_id else None
    if default_id and org is None:
        result.errors.append(MSG_BAD_DEFAULT_ORG.format(name=_show(default_id)))
    org = org if org is not None else (orgs[0] if orgs else None)
    if any(not (o.get("identifier") or "").strip() for o in orgs):
        result.errors.append(MSG_ORG_NO_IDENTIFIER)

    for item in root.iter():
        if _local(item.tag) != "item" or not item.get("identifierref"):
            continue
        ref = item.get("identifierref", "")
        if ref not in resources and ref not in manifest_ids and ref not in bad_refs:
            bad_refs.append(ref)

    # Items whose page is missing are named by their title: the teacher knows them by it.
    item_pages: list[str] = []
    external_pages: list[str] = []
    no_launch: list[str] = []
    reported: set[str] = set()  # missing pages named with their item, not again as files
    for each in orgs:
        launchable = False
        for item in each.iter():
            if (
                _local(item.tag) != "item"
                or (resource := resources.get(item.get("identifierref", ""))) is None
            ):
                continue
            if not resource.launchable:
                continue
            launchable = True
            ref = item.get("identifierref", "")
            label = _title(item) or item.get("identifier", "")
            if ref in missing_pages:
                reported.add(missing_pages[ref])
                entry = f"«{label}» ({missing_pages[ref]})"
                if entry not in item_pages:
                    item_pages.append(entry)
            elif _resolve_href(resource.href, resource.bases)[0] == "external":
                external_pages.append(resource.href.strip())
        if not launchable and all_resources:
            no_launch.append(each.get("identifier") or _title(each) or "?")
    missing = [path for path in missing if path not in reported]

    launch_href: tuple[str, list[str]] | None = None
    if org is not None:
        result.title = _title(org)
        for item in org.iter():
            if _local(item.tag) != "item":
                continue
            resource = resources.get(item.get("identifierref", ""))
            if resource is not None and resource.launchable:
                launch_href = resource.href, resource.bases
                result.title = result.title or _title(item)
                break
    if launch_href is None and org is None:  # a resource package: the first SCO, else the first page
        candidates = sorted((r for r in all_resources if r.launchable), key=lambda r: not r.is_sco)
        if candidates:
            launch_href = candidates[0].href, candidates[0].bases
    if launch_href is None:
        if all_resources and not no_launch:
            result.errors.append(MSG_NO_LAUNCH)
    else:
        kind, value = _resolve_href(*launch_href)
        if kind == "local":
            result.launch = value
        elif kind == "external" and launch_href[0].strip() not in external_pages:
            external_pages.insert(0, launch_href[0].strip())
        elif kind == "empty":
            result.errors.append(MSG_NO_LAUNCH)
    result.title = result.title[:255]

    if no_launch:
        result.errors.append(MSG_ORG_NO_LAUNCH.format(names=_listing(no_launch, "tổ chức")))
    if external_pages:
        result.errors.append(
            MSG_EXTERNAL_LAUNCH.format(href=_listing(list(dict.fromkeys(external_pages)), "địa chỉ"))
        )
    if item_pages:
        result.errors.append(MSG_MISSING_ITEM_PAGES.format(names=_listing(item_pages, "mục")))
    if missing:
        result.errors.append(MSG_MISSING_FILES.format(names=_listing(missing, "tệp")))
    if outside:
        result.errors.append(MSG_OUTSIDE_REFS.format(names=_listing(outside, "tham chiếu")))
    if bad_refs:
        result.errors.append(MSG_BAD_IDREF.format(names=_listing(bad_refs, "tham chiếu")))

    if org is not None:
        result.sco_count = sum(
            1
            for item in org.iter()
            if _local(item.tag) == "item"
            and (resource := resources.get(item.get("identifierref", ""))) is not None
            and resource.is_sco
        )
        ignored = _ignored_sequencing(root) if fmt is Format.SCORM2004 else []
        result.outline = outline(orgs, org.get("identifier", ""), resources, ignored)
    elif result.launch:
        result.sco_count = 1
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
    found.sco_count, found.outline = manifest.sco_count, manifest.outline
    found.errors.extend(manifest.errors)
