"""What a check learns is stored on the version by the service (and reset by a new file), and
shown by the facts partial on the lecture page."""

import zipfile

import pytest
from django.template.loader import render_to_string

from submissions.formats import scorm_edition_label
from submissions.models import LectureVersion

from .conftest import attach_fixture
from .test_checks_manifest import SEQUENCED_ITEMS, TWO_SCOS, manifest, orgs, package
from .test_checks_office import make_pptx
from .test_checks_pdf import write_pdf

pytestmark = pytest.mark.django_db


def scorm_with_external_script(tmp_path, files=("sco1/index.html", "sco2/index.html")):
    path = package(
        tmp_path, manifest(orgs(SEQUENCED_ITEMS), TWO_SCOS, edition="2004 3rd Edition"), files=files
    )
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("shared/lib.html", '<script src="https://code.jquery.com/jquery.js"></script>')
    return path


def test_version_check_stores_what_the_check_learnt(
    lecture, teacher, django_capture_on_commit_callbacks, tmp_path
):
    """A multi-SCO package: SCO count, edition, hosts, warning and outline land on the version."""
    version = attach_fixture(
        lecture.versions.get(),
        teacher,
        scorm_with_external_script(tmp_path),
        django_capture_on_commit_callbacks,
    )
    assert version.check_status == LectureVersion.Check.PASSED, version.check_messages
    assert version.detected_format == "scorm2004"
    assert version.scorm_version == "2004 3rd Edition"
    assert version.scorm_label == "SCORM 2004 (bản 3)"
    assert version.sco_count == 2
    assert version.page_count is None and version.slide_count is None
    assert version.external_hosts == ["code.jquery.com"]
    assert version.check_warnings == [
        "Gói bài giảng tải tài nguyên từ bên ngoài (code.jquery.com): khi xem thử trên hệ thống các tài "
        "nguyên này bị chặn, bài giảng có thể hiển thị thiếu. Hãy đóng gói kèm các tệp này."
    ]
    outline = version.package_outline
    assert outline["default"] == "o1"
    assert [i["href"] for i in outline["organizations"][0]["items"]] == ["sco1/index.html", "sco2/index.html"]
    assert "conditionRules" in outline["ignored"]

    # A new file resets every fact before its own check records its own.
    pdf = write_pdf(tmp_path / "bai-giang.pdf", pages=4)
    version = attach_fixture(version, teacher, pdf, django_capture_on_commit_callbacks)
    assert version.check_status == LectureVersion.Check.PASSED
    assert version.page_count == 4
    assert version.sco_count is None and version.slide_count is None
    assert version.check_warnings == [] and version.external_hosts == [] and version.package_outline == {}
    assert version.scorm_version == ""


def test_new_file_resets_the_facts_while_its_check_is_pending(
    lecture, teacher, django_capture_on_commit_callbacks, tmp_path
):
    """Attaching a file clears the old file's facts in the same transaction, before any check."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from submissions import services

    version = attach_fixture(
        lecture.versions.get(),
        teacher,
        scorm_with_external_script(tmp_path),
        django_capture_on_commit_callbacks,
    )
    key = default_storage.save("uploads/x/b.pdf", ContentFile(b"%PDF-1.4"))
    with django_capture_on_commit_callbacks(execute=False):
        services.version_attach_file(version=version, actor=teacher, key=key, original_name="b.pdf", size=8)
    version.refresh_from_db()
    assert version.check_status == LectureVersion.Check.PENDING
    assert (version.sco_count, version.page_count, version.slide_count) == (None, None, None)
    assert version.check_warnings == [] and version.external_hosts == [] and version.package_outline == {}


def test_failed_check_keeps_its_counts_but_no_outline(
    lecture, teacher, django_capture_on_commit_callbacks, tmp_path
):
    """A package refused for a missing SCO page keeps its SCO count (the page explains), not its outline."""
    path = scorm_with_external_script(tmp_path, files=("sco1/index.html",))
    version = attach_fixture(lecture.versions.get(), teacher, path, django_capture_on_commit_callbacks)
    assert version.check_status == LectureVersion.Check.FAILED
    assert "«Bài 2» (sco2/index.html)" in version.check_messages[0]
    assert version.sco_count == 2
    assert version.external_hosts == ["code.jquery.com"]
    assert version.package_outline == {}
    assert version.package_prefix == ""


def test_empty_presentation_fails_with_its_slide_count(
    lecture, teacher, django_capture_on_commit_callbacks, tmp_path
):
    """A presentation without slides fails through the service, with its message and zero slides."""
    version = attach_fixture(
        lecture.versions.get(),
        teacher,
        make_pptx(tmp_path / "trong.pptx", 0),
        django_capture_on_commit_callbacks,
    )
    assert version.check_status == LectureVersion.Check.FAILED
    assert version.check_messages == [
        "Bài trình chiếu không có trang chiếu nào — không có nội dung để thẩm định."
    ]
    assert version.slide_count == 0


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("1.2", "SCORM 1.2"),
        ("2004", "SCORM 2004"),
        ("2004 2nd Edition", "SCORM 2004 (bản 2)"),
        ("2004 3rd Edition", "SCORM 2004 (bản 3)"),
        ("2004 4th Edition", "SCORM 2004 (bản 4)"),
        ("", ""),
    ],
)
def test_scorm_edition_label(value, label):
    """The recorded edition reads as a teacher would say it."""
    assert scorm_edition_label(value) == label


def test_facts_partial_shows_counts_edition_and_warnings():
    """The partial lists format, edition, size and counts, and the warnings in a labelled alert."""
    version = LectureVersion(
        detected_format="scorm2004",
        scorm_version="2004 4th Edition",
        size=3 * 1024 * 1024,
        sco_count=3,
        check_warnings=["Cảnh báo <một>"],
    )
    html = render_to_string("submissions/_version_facts.html", {"version": version})
    assert "Gói SCORM 2004" in html
    assert "SCORM 2004 (bản 4)" in html
    assert "3,0 MB" in html
    assert "3 SCO" in html
    assert 'data-testid="check-warnings"' in html and "alert-warning" in html
    assert "Cảnh báo &lt;một&gt;" in html  # escaped
    assert "trang" not in html.split('data-testid="fact-counts"')[1].split("</dd>")[0]


def test_facts_partial_for_a_pdf_and_a_presentation():
    """Page and slide counts are shown; nothing is said of SCORM or warnings when there are none."""
    pdf = render_to_string(
        "submissions/_version_facts.html", {"version": LectureVersion(detected_format="pdf", page_count=12)}
    )
    assert "12 trang" in pdf and "SCORM" not in pdf and "check-warnings" not in pdf
    pptx = render_to_string(
        "submissions/_version_facts.html", {"version": LectureVersion(detected_format="pptx", slide_count=0)}
    )
    assert "0 trang chiếu" in pptx


def test_lecture_page_shows_the_facts(client, lecture, teacher, django_capture_on_commit_callbacks, tmp_path):
    """The author's lecture page shows the draft's facts and warnings where its check is shown."""
    attach_fixture(
        lecture.versions.get(),
        teacher,
        scorm_with_external_script(tmp_path),
        django_capture_on_commit_callbacks,
    )
    client.force_login(teacher)
    html = client.get(lecture.get_absolute_url()).content.decode()
    box = html.split('data-testid="check-result"')[1]
    assert "SCORM 2004 (bản 3)" in box
    assert "2 SCO" in box
    assert 'data-testid="check-warnings"' in box and "code.jquery.com" in box
