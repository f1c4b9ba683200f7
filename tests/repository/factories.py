"""Versions with real files in the default storage, and publications reached the way users
reach them: through the review workflow of tests/workflow.py."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import defusedxml.ElementTree as ET
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.models import Unit
from repository.models import Publication
from submissions.models import Lecture, LectureVersion
from tests.workflow import (
    approved_up_to,
    make_draft,
    make_lecture,  # noqa: F401 - re-exported for the library tests
)

FIXTURES = (
    Path(__file__).resolve().parents[1] / "fixtures"
)  # copies of ../shared/fixtures (see ATTRIBUTION.md)
SCORM12 = FIXTURES / "scorm/valid/moodle_singlescobasic_SCORM12.zip"
SCORM2004 = FIXTURES / "scorm/valid/moodle_RuntimeBasicCalls_SCORM20043rdEdition.zip"
MP4 = FIXTURES / "files/python-pptx_just-two-mice.mp4"
PDF = FIXTURES / "files/py-pdf-sample-files_002-trivial-libre-office-writer.pdf"

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def launch_href(zip_bytes: bytes) -> tuple[str, str]:
    """(launch href, SCORM version) read from imsmanifest.xml with defusedxml."""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        root = ET.fromstring(archive.read("imsmanifest.xml"))
    default_org = None
    for el in root.iter():
        if el.tag.endswith("organizations"):
            default_org = el.get("default")
    referenced = set()
    for el in root.iter():
        if el.tag.endswith("item") and el.get("identifierref") and (default_org or True):
            referenced.add(el.get("identifierref"))
    version = "2004" if "adlcp_v1p3" in ET.tostring(root, encoding="unicode") else "1.2"
    for el in root.iter():
        if el.tag.endswith("resource") and el.get("identifier") in referenced and el.get("href"):
            return el.get("href"), version
    raise ValueError("no launchable resource")


def store_package(zip_bytes: bytes, prefix: str) -> None:
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            default_storage.save(f"{prefix}/{info.filename}", ContentFile(archive.read(info)))


def make_version(lecture: Lecture, *, kind: str = "scorm12", zip_bytes: bytes | None = None):
    """The lecture's next draft (`tests.workflow.make_draft`) holding a checked file in storage:
    kind scorm12 / scorm2004 / html5 (zip_bytes given) / mp4 / pdf / none (metadata only)."""
    number = make_draft(lecture).number
    n = _next()
    fields = {}
    if kind in ("scorm12", "scorm2004", "html5"):
        data = (
            zip_bytes if zip_bytes is not None else (SCORM12 if kind == "scorm12" else SCORM2004).read_bytes()
        )
        prefix = f"lectures/{lecture.pk}/v{number}-{n}/package"
        store_package(data, prefix)
        if kind == "html5":
            href, scorm = "index.html", ""
        else:
            href, scorm = launch_href(data)
        fields["file_key"] = default_storage.save(
            f"lectures/{lecture.pk}/v{number}-{n}/main.zip", ContentFile(data)
        )
        fields["original_name"] = f"Bài giảng {lecture.title}.zip"
        fields.update(package_prefix=prefix, launch_path=href, scorm_version=scorm, detected_format=kind)
    elif kind in ("mp4", "pdf"):
        data = (MP4 if kind == "mp4" else PDF).read_bytes()
        fields["file_key"] = default_storage.save(
            f"lectures/{lecture.pk}/v{number}-{n}/main.{kind}", ContentFile(data)
        )
        fields["original_name"] = f"Bài giảng {lecture.title}.{kind}"
        fields["detected_format"] = kind
    else:
        data = b""
        fields.update(file_key="", original_name="", detected_format="pptx")
    fields.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
    return make_draft(lecture, **fields)


def publish(version: LectureVersion, unit: Unit) -> Publication:
    """Publishes `version` at `unit`'s library the way users do (`tests.workflow.approved_up_to`:
    submitted, approved at school, nominated and approved panel by panel up to `unit`)."""
    case = approved_up_to(version, unit)
    scope = case.unit.school if case.unit.kind == Unit.Kind.DEPARTMENT else case.unit
    return Publication.objects.get(version=version, scope=scope, state=Publication.State.ACTIVE)


def publish_new(author, department: Unit, unit: Unit | None = None, **lecture) -> Publication:
    """A new lecture of `author` in `department` (no file) published at `unit`'s library (the
    school's by default)."""
    return publish(make_version(make_lecture(author, department, **lecture), kind="none"), unit or department)


def preview_token(pub: Publication, user) -> str:
    """The token the library page gives `user` for the preview of `pub` (its grant "p<id>")."""
    from repository.content import make_token

    return make_token(version_id=pub.version_id, user_id=user.pk, grant=f"p{pub.pk}")


def content_url(pub: Publication, user, rel: str) -> str:
    """A content path under the library grant: `f/<file>`, `s/<n>/<file>`, `_/runtime/<n>`."""
    from django.urls import reverse

    return reverse("repository:content", args=[preview_token(pub, user), rel])
