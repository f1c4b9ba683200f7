"""The preview component in headless Chromium, on files that went through the real check: the
author before submitting, the department head inside the case, a panel member moving between
the SCOs of a SCORM 2004 package, PDF and office files drawn by pdf.js, blocked external scripts."""

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from submissions import services as submission_services
from submissions import uploads
from tests.conftest import require_service
from tests.workflow import approve, assign, make_lecture, nominate, submit_lecture

from ..repository.factories import SCORM12
from ..repository.test_preview import two_sco_zip
from .conftest import login, screenshot

FILES = Path(__file__).resolve().parents[1] / "fixtures" / "files"


def _lecture_with_file(demo, title, name, data):
    """demo.gv's lecture whose draft holds `data`, attached and checked as an upload would be."""
    author = demo.user("demo.gv")
    lecture = make_lecture(author, demo.unit("THCS-LQD-TOAN"), title=title)
    version = lecture.versions.get()
    key = default_storage.save(uploads.new_key(user_id=author.pk, filename=name), ContentFile(data))
    # The check queued on commit runs when this block commits (eager tasks in the tests).
    with transaction.atomic():
        submission_services.version_attach_file(
            version=version, actor=author, key=key, original_name=name, size=len(data)
        )
    version.refresh_from_db()
    assert version.check_status == "passed", version.check_messages
    return lecture, version


def _frame(page):
    return page.frame_locator("[data-testid=preview-frame]")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_author_previews_before_submitting_and_the_head_previews_in_the_case(live_server, page, demo):
    """The author plays an unsubmitted SCORM 1.2 package; the head plays the same version in the case and approves."""
    lecture, version = _lecture_with_file(demo, "Chơi gôn", "golf.zip", SCORM12.read_bytes())
    login(page, live_server, "demo.gv")
    page.goto(f"{live_server.url}{lecture.get_absolute_url()}")
    page.get_by_test_id("author-preview").wait_for()
    page.locator("[data-testid=runtime-status][data-event=setvalue]").wait_for(state="attached")
    _frame(page).frame_locator("#contentFrame").locator("body").wait_for()
    screenshot(page, "preview-author-draft")
    assert "1 SCO" in page.get_by_test_id("version-facts").inner_text()

    case = submit_lecture(lecture)
    assert case.version_id == version.pk
    page.context.clear_cookies()
    login(page, live_server, "demo.tt")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.locator("[data-testid=runtime-status][data-event=setvalue]").wait_for(state="attached")
    _frame(page).frame_locator("#contentFrame").locator("body").wait_for()
    page.set_viewport_size({"width": 1366, "height": 900})
    preview_box = page.get_by_test_id("preview").bounding_box()
    form_box = page.get_by_test_id("decision-panel").bounding_box()
    assert form_box["x"] > preview_box["x"] + preview_box["width"] - 1  # side by side on a wide screen
    screenshot(page, "preview-case-head")
    page.check("input[name=decision][value=approve]")
    page.fill("textarea[name=conclusion]", "Đạt yêu cầu.")
    page.get_by_test_id("decide-submit").click()
    page.get_by_text("Đã phê duyệt và lập biên bản.").wait_for()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_panel_member_moves_between_the_scos_of_a_scorm_2004_package(live_server, page, demo):
    """The table of contents opens each SCO; each SCO initialises its own runtime and is highlighted."""
    from reviews.models import Criterion, Rubric
    from reviews.rubrics import rubric_ensure_default

    rubric_ensure_default(Rubric, Criterion)  # the city's rubric (a flushed database lost it)
    lecture, version = _lecture_with_file(demo, "Phân số – hai phần", "hai-phan.zip", two_sco_zip())
    assert version.sco_count == 2
    district = nominate(approve(submit_lecture(lecture)))
    member = demo.user("demo.hdq.tv1")
    assign(district, [member])
    login(page, live_server, "demo.hdq.tv1")
    page.goto(f"{live_server.url}{district.get_absolute_url()}")
    items = page.get_by_test_id("toc-item")
    assert items.count() == 2
    items.nth(0).and_(page.locator("[data-initialized=true]")).wait_for()
    assert items.nth(0).get_attribute("aria-current") == "true"
    assert _frame(page).locator("h1").inner_text() == "Phan 1"
    items.nth(1).click()
    items.nth(1).and_(page.locator("[data-initialized=true]")).wait_for()
    assert items.nth(1).get_attribute("aria-current") == "true"
    assert items.nth(0).get_attribute("aria-current") is None
    assert _frame(page).locator("h1").inner_text() == "Phan 2"
    assert page.get_by_test_id("rubric").is_visible()  # the rubric beside the preview
    screenshot(page, "preview-multi-sco-member")
    page.get_by_test_id("toc-prev").click()
    _frame(page).locator("h1", has_text="Phan 1").wait_for()
    # the first SCO resumes where it was left: its page reads back the location it set
    _frame(page).locator("body[data-location='Phan 1']").wait_for(state="attached")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_package_loading_an_external_script_shows_the_warning(live_server, page, demo):
    """An HTML5 package that loads a script from a CDN is named in a warning beside the preview."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "index.html",
            '<!doctype html><html><head><meta charset="utf-8"><title>Bài</title>'
            '<script src="https://cdn.example.net/lib/jquery.min.js"></script></head>'
            "<body><h1>Bài học</h1></body></html>",
        )
    lecture, _version = _lecture_with_file(demo, "Trang web", "trang.zip", buffer.getvalue())
    login(page, live_server, "demo.gv")
    page.goto(f"{live_server.url}{lecture.get_absolute_url()}")
    warning = page.get_by_test_id("preview-external")
    assert "cdn.example.net" in warning.inner_text()
    _frame(page).locator("h1").wait_for()
    screenshot(page, "preview-external-warning")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "name",
    [
        "py-pdf-sample-files_002-trivial-libre-office-writer.pdf",
        "python-pptx_test.pptx",
        "python-docx_test.docx",
    ],
)
def test_pdf_and_office_files_are_drawn_by_pdf_js(live_server, page, demo, name):
    """pdf.js draws one canvas per page of a PDF, and of the PDF LibreOffice made of a PPTX or DOCX."""
    from pypdf import PdfReader

    if not name.endswith(".pdf"):
        require_service(shutil.which("soffice") is not None, "LibreOffice (soffice) is not installed")
    lecture, version = _lecture_with_file(demo, f"Tệp {name[-4:]}", name, (FILES / name).read_bytes())
    version.refresh_from_db()
    if name.endswith(".pdf"):
        expected = len(PdfReader(io.BytesIO((FILES / name).read_bytes())).pages)
    else:
        assert version.preview_status == "ready", version.preview_error
        with default_storage.open(version.preview_key, "rb") as fh:
            expected = len(PdfReader(fh).pages)
    login(page, live_server, "demo.gv")
    page.goto(f"{live_server.url}{lecture.get_absolute_url()}")
    viewer = page.locator("[data-pdf-viewer][data-page-count]")
    viewer.wait_for(state="attached")
    assert int(viewer.get_attribute("data-page-count")) == expected
    page.locator("[data-pdf-viewer] canvas").first.wait_for()
    assert page.locator("[data-pdf-viewer] canvas").count() == expected
    screenshot(page, f"preview-pdfjs-{name[-4:]}")
