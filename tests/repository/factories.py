"""Lectures, versions with real files in the default storage, and publications made through
`publication_publish` from an approved review case."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import defusedxml.ElementTree as ET
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import Unit
from repository.services import publication_publish
from reviews.models import CaseState, ReviewCase, ReviewLevel
from submissions.models import Lecture, LectureVersion
from tests.factories import make_lecture  # noqa: F401 - re-exported for the library tests

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


def make_version(
    lecture: Lecture, *, kind: str = "scorm12", zip_bytes: bytes | None = None, number: int | None = None
):
    """A submitted version with its file in storage: kind scorm12 / scorm2004 / html5 (zip_bytes
    given) / mp4 / pdf / none (metadata only)."""
    number = number or (lecture.versions.count() + 1)
    n = _next()
    version = LectureVersion(
        lecture=lecture, number=number, submitted_at=timezone.now(), check_status=LectureVersion.Check.PASSED
    )
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
        version.file_key = default_storage.save(
            f"lectures/{lecture.pk}/v{number}-{n}/main.zip", ContentFile(data)
        )
        version.original_name = f"Bài giảng {lecture.title}.zip"
        version.package_prefix, version.launch_path, version.scorm_version = prefix, href, scorm
        version.detected_format = kind
    elif kind in ("mp4", "pdf"):
        data = (MP4 if kind == "mp4" else PDF).read_bytes()
        version.file_key = default_storage.save(
            f"lectures/{lecture.pk}/v{number}-{n}/main.{kind}", ContentFile(data)
        )
        version.original_name = f"Bài giảng {lecture.title}.{kind}"
        version.detected_format = kind
    else:
        data = b""
        version.detected_format = "pptx"
    version.size = len(data)
    version.sha256 = hashlib.sha256(data).hexdigest()
    version.save()
    return version


LEVEL_FOR_KIND = {
    Unit.Kind.DEPARTMENT: ReviewLevel.SCHOOL,
    Unit.Kind.SCHOOL: ReviewLevel.SCHOOL,
    Unit.Kind.CLUSTER: ReviewLevel.CLUSTER,
    Unit.Kind.DISTRICT: ReviewLevel.DISTRICT,
    Unit.Kind.CITY: ReviewLevel.CITY,
}


def approved_case(version: LectureVersion, unit: Unit, actor) -> ReviewCase:
    """An approved case at `unit` (created in its final state: the review engine is another app's)."""
    return ReviewCase.objects.create(
        lecture=version.lecture,
        version=version,
        level=LEVEL_FOR_KIND[unit.kind],
        unit=unit,
        state=CaseState.APPROVED,
        decided_at=timezone.now(),
        decided_by=actor,
    )


def publish(version: LectureVersion, unit: Unit, actor):
    """Publishes through the real service, as the reviews engine does when it approves."""
    case = approved_case(version, unit, actor)
    scope = unit.school if unit.kind == Unit.Kind.DEPARTMENT else unit
    return publication_publish(version=version, scope=scope, level=case.level, actor=actor)
