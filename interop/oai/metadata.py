"""The two metadata formats: Dublin Core (oai_dc, required by OAI-PMH) and IEEE LOM 1484.12.3.

Each builder takes a live item (a lecture with the publication that describes it) and returns an
ElementTree element to put inside <metadata>.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.conf import settings

from repository.models import Publication
from submissions.formats import PACKAGE_FORMATS, Format
from submissions.models import Lecture

XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
LOM = "http://ltsc.ieee.org/xsd/LOM"

for _prefix, _uri in {"xsi": XSI, "oai_dc": OAI_DC, "dc": DC, "lom": LOM}.items():
    ET.register_namespace(_prefix, _uri)


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str


FORMATS = {
    "oai_dc": MetadataFormat("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC),
    "lom": MetadataFormat("lom", "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd", LOM),
}

# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text) -> str:
    return _NOT_XML.sub("", str(text or ""))


def sub(parent: ET.Element, tag: str, text=None, **attrib) -> ET.Element:
    el = ET.SubElement(parent, tag, attrib)
    if text is not None:
        el.text = clean(text)
    return el


def _mime_type(fmt: str) -> str | None:
    try:
        return Format(fmt).mime_type if fmt != Format.UNKNOWN else None
    except ValueError:
        return None


def _rights(publication: Publication) -> str:
    version = publication.version
    label = str(version.get_licence_display())
    return f"{label} {version.licence_url}".strip()


def _keywords(lecture: Lecture) -> list[str]:
    return [k.strip() for k in lecture.keywords.split(",") if k.strip()]


def _creators(lecture: Lecture) -> list[str]:
    people = [lecture.author, *lecture.co_authors.all()]
    return [p.full_name or p.username for p in people]


def item_url(lecture: Lecture, publication: Publication) -> str:
    return settings.SITE_URL.rstrip("/") + publication.get_absolute_url()


def oai_dc(lecture: Lecture, publication: Publication) -> ET.Element:
    root = ET.Element(
        f"{{{OAI_DC}}}dc",
        {f"{{{XSI}}}schemaLocation": f"{OAI_DC} {FORMATS['oai_dc'].schema}"},
    )
    version = publication.version
    sub(root, f"{{{DC}}}title", lecture.title)
    for name in _creators(lecture):
        sub(root, f"{{{DC}}}creator", name)
    sub(root, f"{{{DC}}}subject", lecture.subject.name)
    for word in _keywords(lecture):
        sub(root, f"{{{DC}}}subject", word)
    if lecture.description:
        sub(root, f"{{{DC}}}description", lecture.description)
    sub(root, f"{{{DC}}}description", f"{lecture.get_grade_display()} – {lecture.get_school_level_display()}")
    sub(root, f"{{{DC}}}publisher", publication.scope.name)
    sub(root, f"{{{DC}}}contributor", lecture.school.name)
    sub(root, f"{{{DC}}}date", publication.published_at.date().isoformat())
    interactive = version.detected_format in PACKAGE_FORMATS
    sub(root, f"{{{DC}}}type", "InteractiveResource" if interactive else "Text")
    if mime := _mime_type(version.detected_format):
        sub(root, f"{{{DC}}}format", mime)
    sub(root, f"{{{DC}}}identifier", item_url(lecture, publication))
    sub(root, f"{{{DC}}}language", "vi")
    sub(root, f"{{{DC}}}rights", _rights(publication))
    return root


def _langstring(parent: ET.Element, tag: str, text: str) -> ET.Element:
    el = sub(parent, f"{{{LOM}}}{tag}")
    sub(el, f"{{{LOM}}}string", text, language="vi")
    return el


def _vocab(parent: ET.Element, tag: str, value: str) -> ET.Element:
    el = sub(parent, f"{{{LOM}}}{tag}")
    sub(el, f"{{{LOM}}}source", "LOMv1.0")
    sub(el, f"{{{LOM}}}value", value)
    return el


def _vcard(name: str) -> str:
    name = clean(name).replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return f"BEGIN:VCARD\nVERSION:3.0\nFN:{name}\nN:{name}\nEND:VCARD"


def lom(lecture: Lecture, publication: Publication) -> ET.Element:
    version = publication.version
    root = ET.Element(f"{{{LOM}}}lom", {f"{{{XSI}}}schemaLocation": f"{LOM} {FORMATS['lom'].schema}"})

    general = sub(root, f"{{{LOM}}}general")
    ident = sub(general, f"{{{LOM}}}identifier")
    sub(ident, f"{{{LOM}}}catalog", "URI")
    sub(ident, f"{{{LOM}}}entry", item_url(lecture, publication))
    _langstring(general, "title", lecture.title)
    sub(general, f"{{{LOM}}}language", "vi")
    _langstring(general, "description", lecture.description or lecture.title)
    for word in _keywords(lecture):
        _langstring(general, "keyword", word)
    _vocab(general, "structure", "hierarchical")
    _vocab(general, "aggregationLevel", "2")

    life = sub(root, f"{{{LOM}}}lifeCycle")
    _langstring(life, "version", str(version.number))
    _vocab(life, "status", "final")
    for name in _creators(lecture):
        contribute = sub(life, f"{{{LOM}}}contribute")
        _vocab(contribute, "role", "author")
        sub(contribute, f"{{{LOM}}}entity", _vcard(name))
    contribute = sub(life, f"{{{LOM}}}contribute")
    _vocab(contribute, "role", "publisher")
    sub(contribute, f"{{{LOM}}}entity", _vcard(publication.scope.name))
    date = sub(contribute, f"{{{LOM}}}date")
    sub(date, f"{{{LOM}}}dateTime", publication.published_at.date().isoformat())

    technical = sub(root, f"{{{LOM}}}technical")
    if mime := _mime_type(version.detected_format):
        sub(technical, f"{{{LOM}}}format", mime)
    if version.size:
        sub(technical, f"{{{LOM}}}size", str(version.size))
    sub(technical, f"{{{LOM}}}location", item_url(lecture, publication))

    educational = sub(root, f"{{{LOM}}}educational")
    _vocab(educational, "intendedEndUserRole", "teacher")
    _vocab(educational, "context", "school")
    age = lecture.grade + 5
    _langstring(educational, "typicalAgeRange", f"{age}-{age + 1}")
    sub(educational, f"{{{LOM}}}language", "vi")

    rights = sub(root, f"{{{LOM}}}rights")
    _vocab(rights, "cost", "no")
    _vocab(rights, "copyrightAndOtherRestrictions", "yes")
    _langstring(rights, "description", _rights(publication))

    classification = sub(root, f"{{{LOM}}}classification")
    _vocab(classification, "purpose", "discipline")
    path = sub(classification, f"{{{LOM}}}taxonPath")
    _langstring(path, "source", "Chương trình GDPT 2018")
    taxon = sub(path, f"{{{LOM}}}taxon")
    sub(taxon, f"{{{LOM}}}id", lecture.subject.code)
    _langstring(taxon, "entry", lecture.subject.name)
    taxon = sub(path, f"{{{LOM}}}taxon")
    sub(taxon, f"{{{LOM}}}id", f"grade-{lecture.grade}")
    _langstring(taxon, "entry", str(lecture.get_grade_display()))
    return root


BUILDERS = {"oai_dc": oai_dc, "lom": lom}
