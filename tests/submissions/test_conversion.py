"""PPTX/DOCX become a PDF rendition once their check passes: by the real LibreOffice (required on CI,
skipped on a newcomer's SQLite run without it), killed whole when it hangs, unavailable where it is
not installed, discarded when the file changed meanwhile, swept when lost."""

import datetime
import os
import shutil
import stat
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from elearning import scheduler
from elearning.models import PeriodicRun
from submissions import conversion, services
from submissions.models import LectureVersion
from submissions.services import previews
from tests.conftest import require_service

from .conftest import attach_fixture

Preview = LectureVersion.Preview

_P = (
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
)
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"


def build_pptx(path: Path, slides: list[str]) -> Path:
    """A minimal presentation (no master, no theme) with one text box a slide; LibreOffice opens it."""
    types = "".join(
        f'<Override PartName="/ppt/slides/slide{i}.xml" ContentType="{_CT}.presentationml.slide+xml"/>'
        for i in range(1, len(slides) + 1)
    )
    ids = "".join(f'<p:sldId id="{255 + i}" r:id="rId{i}"/>' for i in range(1, len(slides) + 1))
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_DOC_REL}/slide" Target="slides/slide{i}.xml"/>'
        for i in range(1, len(slides) + 1)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/ppt/presentation.xml" ContentType="{_CT}.presentationml.presentation.main+xml"/>'
            f"{types}</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'{_XML}<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC_REL}/officeDocument" Target="ppt/presentation.xml"/></Relationships>',
        )
        z.writestr(
            "ppt/presentation.xml",
            f'{_XML}<p:presentation {_P}><p:sldIdLst>{ids}</p:sldIdLst><p:sldSz cx="9144000" cy="6858000"/>'
            '<p:notesSz cx="6858000" cy="9144000"/></p:presentation>',
        )
        z.writestr(
            "ppt/_rels/presentation.xml.rels", f'{_XML}<Relationships xmlns="{_RELS}">{rels}</Relationships>'
        )
        for i, text in enumerate(slides, 1):
            z.writestr(
                f"ppt/slides/slide{i}.xml",
                f"{_XML}<p:sld {_P}><p:cSld><p:spTree>"
                '<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>'
                '<p:sp><p:nvSpPr><p:cNvPr id="2" name="Tiêu đề"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr>'
                '<p:spPr><a:xfrm><a:off x="457200" y="457200"/><a:ext cx="8229600" cy="1143000"/></a:xfrm>'
                '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr>'
                '<p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:rPr lang="vi-VN" sz="3200"/>'
                f"<a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>",
            )
    return path


def build_docx(path: Path, pages: list[str]) -> Path:
    """A minimal Word document: one paragraph a page, separated by hard page breaks."""
    page_break = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
    body = page_break.join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in pages)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{_CT}.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'{_XML}<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
            f'Type="{_DOC_REL}/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        z.writestr(
            "word/document.xml",
            f'{_XML}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        )
    return path


def blank_pdf(path: Path, pages: int) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def running(pid: int) -> bool:
    """Whether the process runs; a zombie (killed, waiting for its new parent to reap it) does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


@pytest.fixture
def soffice(settings):
    """The real LibreOffice: required on CI (.ci/run installs it), skipped on a newcomer's SQLite run."""
    path = shutil.which("soffice")
    require_service(
        path is not None,
        "LibreOffice is not installed (apt-get install libreoffice-impress libreoffice-writer)",
    )
    settings.LIBREOFFICE_BINARY = "soffice"
    settings.PREVIEW_CONVERT_TIMEOUT_SECONDS = 120
    return path


@pytest.fixture
def hanging_soffice(tmp_path, settings):
    """A fake `soffice` that ignores SIGTERM, forks a child and a grandchild that sleep, and writes
    every pid to a file; LIBREOFFICE_BINARY points at it and the timeout is one second."""
    pids = tmp_path / "pids"
    script = tmp_path / "bin" / "soffice"
    script.parent.mkdir()
    script.write_text(
        "#!/bin/sh\n"
        "trap '' TERM HUP INT\n"
        f"echo $$ >> {pids}\n"
        f"sh -c 'trap \"\" TERM; echo $$ >> {pids}; sleep 300 & echo $! >> {pids}; wait' &\n"
        f"sleep 300 &\necho $! >> {pids}\n"
        "wait\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    settings.LIBREOFFICE_BINARY = str(script)
    settings.PREVIEW_CONVERT_TIMEOUT_SECONDS = 1
    return pids


@pytest.fixture
def fake_convert(monkeypatch):
    """Conversion without LibreOffice: a blank PDF of `pages` pages; `during` runs inside the run."""
    state = {"pages": 2, "during": None, "calls": 0}

    def convert(source, workdir, *, binary, timeout):
        state["calls"] += 1
        if state["during"]:
            state["during"]()
        return blank_pdf(Path(workdir) / "out.pdf", state["pages"])

    monkeypatch.setattr(conversion, "convert_to_pdf", convert)
    return state


def _passed_version(lecture, fmt="docx", data=b"PK\x03\x04 not opened by the fake"):
    """A draft version whose check passed on a stored file of format `fmt` (the check itself is not run)."""
    version = lecture.versions.get()
    key = default_storage.save(f"uploads/1/{os.urandom(8).hex()}/a.{fmt}", ContentFile(data))
    LectureVersion.objects.filter(pk=version.pk).update(
        file_key=key, detected_format=fmt, check_status=LectureVersion.Check.PASSED
    )
    version.refresh_from_db()
    return version


def _request(version, capture, *, execute=True):
    """Asks for the rendition as the check does, inside a transaction; the conversion runs on commit."""
    with capture(execute=execute), transaction.atomic():
        locked = LectureVersion.objects.select_for_update().get(pk=version.pk)
        services.version_preview_request(locked)
    version.refresh_from_db()
    return version


# --- the real LibreOffice ------------------------------------------------------------------------


def test_a_checked_pptx_is_converted_once_to_a_pdf_of_one_page_a_slide(
    soffice, lecture, teacher, tmp_path, django_capture_on_commit_callbacks
):
    """Upload → check passes → LibreOffice converts the 3-slide PPTX: ready, 3 pages, stored beside the file."""
    path = build_pptx(tmp_path / "bai-giang.pptx", ["Bài 1. Tập hợp", "Phần tử của tập hợp", "Luyện tập"])
    version = attach_fixture(lecture.versions.get(), teacher, path, django_capture_on_commit_callbacks)
    assert version.check_status == "passed" and version.detected_format == "pptx", version.check_messages
    assert version.preview_status == Preview.READY, version.preview_error
    assert version.page_count == 3 and version.preview_attempts == 1
    key = version.preview_key
    assert key.endswith(".pdf") and key.rsplit("/", 1)[0] == version.file_key.rsplit("/", 1)[0]
    assert default_storage.exists(key)
    with default_storage.open(key, "rb") as fh:
        reader = PdfReader(fh)
        assert len(reader.pages) == 3
        assert "Tập hợp" in reader.pages[0].extract_text()
    assert services.preview_pdf_key(version) == key


def test_a_docx_is_converted_through_the_service(
    soffice, lecture, tmp_path, django_capture_on_commit_callbacks
):
    """A passed DOCX with two hard page breaks becomes a ready 3-page PDF, its Vietnamese text kept."""
    data = build_docx(tmp_path / "giao-an.docx", ["Giáo án Toán 6", "Trang hai: đường thẳng", "Trang ba"])
    version = _passed_version(lecture, "docx", data.read_bytes())
    version = _request(version, django_capture_on_commit_callbacks)
    assert version.preview_status == Preview.READY, version.preview_error
    assert version.page_count == 3 and default_storage.exists(version.preview_key)
    with default_storage.open(version.preview_key, "rb") as fh:
        assert "đường thẳng" in PdfReader(fh).pages[1].extract_text()


# --- a conversion that hangs, a server without LibreOffice, a document that cannot be converted ------


def test_a_conversion_that_hangs_is_killed_whole_and_reported(
    hanging_soffice, lecture, django_capture_on_commit_callbacks
):
    """After the timeout every process of the fake soffice (it ignores SIGTERM and forks) is gone; failed, timeout."""
    version = _passed_version(lecture)
    started = time.monotonic()
    version = _request(version, django_capture_on_commit_callbacks)
    assert time.monotonic() - started < 15
    assert version.preview_status == Preview.FAILED
    assert "ConversionTimeout" in version.preview_error and "1 s" in version.preview_error
    assert version.preview_key == "" and services.preview_pdf_key(version) is None
    pids = [int(line) for line in hanging_soffice.read_text().split()]
    assert len(pids) == 4, pids  # the script, its subshell, and two sleeping children
    assert [pid for pid in pids if running(pid)] == []


def test_convert_to_pdf_raises_a_timeout_and_leaves_no_process(hanging_soffice, tmp_path, settings):
    """The pure function: ConversionTimeout soon after the timeout, and none of the group's processes runs."""
    source = build_docx(tmp_path / "a.docx", ["x"])
    workdir = tmp_path / "work"
    workdir.mkdir()
    started = time.monotonic()
    with pytest.raises(conversion.ConversionTimeout):
        conversion.convert_to_pdf(source, workdir, binary=settings.LIBREOFFICE_BINARY, timeout=0.5)
    assert time.monotonic() - started < 10
    pids = [int(line) for line in hanging_soffice.read_text().split()]
    assert pids and not any(running(pid) for pid in pids)


def test_without_libreoffice_the_preview_is_unavailable(
    settings, lecture, django_capture_on_commit_callbacks
):
    """A server without LibreOffice marks the rendition unavailable (the page then offers the download)."""
    settings.LIBREOFFICE_BINARY = "/nonexistent/soffice"
    version = _request(_passed_version(lecture, "pptx"), django_capture_on_commit_callbacks)
    assert version.preview_status == Preview.UNAVAILABLE
    assert "/nonexistent/soffice" in version.preview_error
    assert services.preview_pdf_key(version) is None


def test_a_document_libreoffice_cannot_convert_fails_with_its_output(
    settings, tmp_path, lecture, django_capture_on_commit_callbacks
):
    """LibreOffice exiting without a PDF: failed, and the tail of what it printed is kept for support."""
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    script.chmod(0o755)
    settings.LIBREOFFICE_BINARY = str(script)
    version = _request(_passed_version(lecture), django_capture_on_commit_callbacks)
    assert version.preview_status == Preview.FAILED
    assert "ConversionFailed" in version.preview_error
    assert "source file could not be loaded" in version.preview_error


# --- which versions are converted, and what a new file does --------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "mp4", "scorm12"])
def test_other_formats_are_not_converted(fmt, lecture, fake_convert, django_capture_on_commit_callbacks):
    """Only PPTX and DOCX get a rendition; a PDF is shown as it is, from its own key."""
    version = _request(_passed_version(lecture, fmt), django_capture_on_commit_callbacks)
    assert version.preview_status == Preview.NONE and fake_convert["calls"] == 0
    assert services.preview_pdf_key(version) == (version.file_key if fmt == "pdf" else None)


def test_a_failed_check_asks_for_no_rendition(lecture, fake_convert, django_capture_on_commit_callbacks):
    version = _passed_version(lecture, "pptx")
    LectureVersion.objects.filter(pk=version.pk).update(check_status=LectureVersion.Check.FAILED)
    version.refresh_from_db()
    version = _request(version, django_capture_on_commit_callbacks)
    assert version.preview_status == Preview.NONE and fake_convert["calls"] == 0


def test_a_stale_rendition_is_discarded(lecture, fake_convert, django_capture_on_commit_callbacks):
    """The file is replaced while LibreOffice runs: the PDF made from the old file is deleted, nothing recorded."""
    version = _passed_version(lecture, "pptx")
    new_key = default_storage.save("uploads/1/new/b.pptx", ContentFile(b"PK new"))
    fake_convert["during"] = lambda: LectureVersion.objects.filter(pk=version.pk).update(
        file_key=new_key, check_status=LectureVersion.Check.PENDING, preview_status=Preview.NONE
    )
    folder = version.file_key.rsplit("/", 1)[0]
    version = _request(version, django_capture_on_commit_callbacks)
    assert version.preview_status == Preview.NONE and version.preview_key == "" and version.page_count is None
    assert fake_convert["calls"] == 1
    assert [name for name in default_storage.listdir(folder)[1] if name.endswith(".pdf")] == []


def test_attaching_a_new_file_forgets_the_old_rendition(
    lecture, teacher, fake_convert, django_capture_on_commit_callbacks
):
    """A new file resets the preview (none, no key, no page count) and deletes the old PDF on commit."""
    version = _request(_passed_version(lecture, "pptx"), django_capture_on_commit_callbacks)
    old = version.preview_key
    assert version.preview_status == Preview.READY and version.page_count == 2 and default_storage.exists(old)
    key = default_storage.save("uploads/x/r/a.pdf", ContentFile(b"%PDF-1.4"))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.version_attach_file(version=version, actor=teacher, key=key, original_name="a.pdf", size=8)
    version.refresh_from_db()
    assert (version.preview_status, version.preview_key, version.page_count) == (Preview.NONE, "", None)
    assert not default_storage.exists(old)


# --- lost conversions ------------------------------------------------------------------------------


def test_a_lost_conversion_is_queued_again_by_the_sweeper(
    lecture, fake_convert, django_capture_on_commit_callbacks
):
    """Pending and asked for long ago (the broker lost it): the sweeper queues it and it completes."""
    version = _request(_passed_version(lecture, "docx"), django_capture_on_commit_callbacks, execute=False)
    assert version.preview_status == Preview.PENDING and fake_convert["calls"] == 0
    assert services.version_previews_sweep() == 0  # asked for just now: not lost yet
    LectureVersion.objects.filter(pk=version.pk).update(
        preview_requested_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.version_previews_sweep() == 1
    version.refresh_from_db()
    assert version.preview_status == Preview.READY and version.page_count == 2 and fake_convert["calls"] == 1
    assert services.version_previews_sweep() == 0


def test_a_crashing_conversion_is_retried_then_given_up(
    settings, lecture, monkeypatch, django_capture_on_commit_callbacks
):
    """A run that crashes (storage down) leaves it pending for the sweeper; after PREVIEW_MAX_ATTEMPTS, failed."""

    def crash(*args, **kwargs):
        raise OSError("storage is down")

    monkeypatch.setattr(previews, "_download_to", crash)
    version = _request(_passed_version(lecture, "pptx"), django_capture_on_commit_callbacks)
    assert version.preview_status == Preview.PENDING and version.preview_attempts == 1
    assert "storage is down" in version.preview_error
    for _ in range(settings.PREVIEW_MAX_ATTEMPTS):
        LectureVersion.objects.filter(pk=version.pk).update(
            preview_requested_at=timezone.now() - datetime.timedelta(hours=1)
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.version_previews_sweep()
    version.refresh_from_db()
    assert (
        version.preview_status == Preview.FAILED and version.preview_attempts == settings.PREVIEW_MAX_ATTEMPTS
    )
    assert "gave up" in version.preview_error


def test_the_embedded_scheduler_runs_the_preview_sweeper(
    lecture, fake_convert, django_capture_on_commit_callbacks
):
    """The preview sweeper is in the beat schedule, so the web process's scheduler runs it too."""
    version = _request(_passed_version(lecture, "pptx"), django_capture_on_commit_callbacks, execute=False)
    LectureVersion.objects.filter(pk=version.pk).update(
        preview_requested_at=timezone.now() - datetime.timedelta(hours=1)
    )
    PeriodicRun.objects.create(
        name="lost-preview-sweeper", last_run_at=timezone.now() - datetime.timedelta(hours=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert "lost-preview-sweeper" in scheduler.run_due()
    version.refresh_from_db()
    assert version.preview_status == Preview.READY
