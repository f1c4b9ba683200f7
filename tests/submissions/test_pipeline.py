"""Real files through the upload protocol (embedded back end) and the check task."""

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews import lifecycle
from submissions.models import UploadSession

from .conftest import fixture_file, sha256


def upload_via_protocol(client, version, path, part_size=64 * 1024):
    """Speaks the same five calls as static/js/upload.js, through Django's test client."""
    data = path.read_bytes()
    response = client.post(
        "/lectures/uploads/",
        {"version": version.pk, "filename": path.name, "type": "application/zip", "size": len(data)},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    upload_id = response.json()["uploadId"]
    parts = []
    for number, start in enumerate(range(0, len(data), part_size), start=1):
        sign = client.get(f"/lectures/uploads/{upload_id}/parts/{number}/sign/").json()
        put = client.put(
            sign["url"], data[start : start + part_size], content_type="application/octet-stream"
        )
        assert put.status_code == 200, put.content
        parts.append({"PartNumber": number, "ETag": put["ETag"]})
    return client.post(
        f"/lectures/uploads/{upload_id}/complete/", {"parts": parts}, content_type="application/json"
    )


CASES = [
    ("scorm/valid/moodle_singlescobasic_SCORM12.zip", "passed", "scorm12", "1.2"),
    ("scorm/valid/jcputney_scorm12_ContentPackagingOneFilePerSCO.zip", "passed", "scorm12", "1.2"),
    ("scorm/valid/moodle_RuntimeBasicCalls_SCORM20043rdEdition.zip", "passed", "scorm2004", "2004"),
    ("scorm/valid/jcputney_scorm2004_ContentPackagingMetadata_20043rd.zip", "passed", "scorm2004", "2004"),
    ("files/py-pdf-sample-files_002-trivial-libre-office-writer.pdf", "passed", "pdf", ""),
    ("files/python-pptx_just-two-mice.mp4", "passed", "mp4", ""),
    ("files/file-type_fixture.webm", "passed", "webm", ""),
    ("files/python-pptx_test.pptx", "passed", "pptx", ""),
    ("files/python-docx_test.docx", "passed", "docx", ""),
    ("files/python-pptx_dummy_not-really-mp4.mp4", "failed", "unknown", ""),
    ("archives/kd2fw_zipbomb_1G.zip", "failed", None, ""),
    ("archives/rubyzip_jwilk_relative0.zip", "failed", None, ""),
    ("scorm/invalid/moodle_invalid_no_manifest.zip", "failed", None, ""),
]


@pytest.mark.parametrize(
    ("relative", "status", "fmt", "scorm"), CASES, ids=[c[0].split("/")[-1] for c in CASES]
)
def test_upload_and_check_stores_the_result(
    client, lecture, teacher, relative, status, fmt, scorm, django_capture_on_commit_callbacks
):
    """Uploading a real file stores it under a server key and records format, sha256, status and messages."""
    path = fixture_file(relative)
    client.force_login(teacher)
    version = lecture.versions.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload_via_protocol(client, version, path)
    assert response.status_code == 200, response.content
    version.refresh_from_db()
    assert version.original_name == path.name
    assert (
        version.file_key.startswith(f"uploads/{teacher.pk}/")
        and path.name not in version.file_key.split("/")[:3]
    )
    with default_storage.open(version.file_key, "rb") as fh:
        assert sha256(fh.read()) == sha256(path.read_bytes())
    assert version.sha256 == sha256(path.read_bytes())
    assert version.size == path.stat().st_size
    assert version.check_status == status
    if fmt:
        assert version.detected_format == fmt
    if status == "failed":
        assert version.check_messages, "a refused file says why"
        assert all(isinstance(m, str) and m for m in version.check_messages)
        assert version.package_prefix == ""
    if scorm:
        assert version.scorm_version.startswith(scorm)
    if fmt in ("scorm12", "scorm2004"):
        assert version.package_prefix.startswith(f"packages/{version.pk}/")
        assert version.launch_path
        assert default_storage.exists(version.package_prefix + version.launch_path)
        assert default_storage.exists(version.package_prefix + "imsmanifest.xml")
    assert UploadSession.objects.get().status == "completed"


def test_zip_bomb_is_refused_with_a_clear_message(
    client, lecture, teacher, django_capture_on_commit_callbacks
):
    """The 1 MB zip bomb fails with a message naming the problem, and nothing is extracted."""
    client.force_login(teacher)
    version = lecture.versions.get()
    with django_capture_on_commit_callbacks(execute=True):
        upload_via_protocol(client, version, fixture_file("archives/kd2fw_zipbomb_1G.zip"))
    version.refresh_from_db()
    assert version.check_status == "failed"
    text = " ".join(version.check_messages).lower()
    assert "zip bomb" in text or "giới hạn" in text or "tỉ lệ" in text
    assert not default_storage.exists(f"packages/{version.pk}")


def test_failed_version_shows_why_and_no_submit_button(
    client, lecture, teacher, open_window, django_capture_on_commit_callbacks
):
    """The author sees the Vietnamese reason on the page and no submit button; a forced POST is refused."""
    client.force_login(teacher)
    version = lecture.versions.get()
    with django_capture_on_commit_callbacks(execute=True):
        upload_via_protocol(client, version, fixture_file("files/python-pptx_dummy_not-really-mp4.mp4"))
    page = client.get(lecture.get_absolute_url()).content.decode()
    assert "Không hợp lệ" in page and "Tệp không hợp lệ" in page
    version.refresh_from_db()
    assert version.check_messages[0] in page
    assert 'data-testid="submit-lecture"' not in page
    response = client.post(f"/lectures/{lecture.pk}/submit/")
    assert response.status_code == 403
    version.refresh_from_db()
    assert not version.is_submitted


def test_pending_check_is_polled_by_htmx(client, lecture, teacher):
    """While the check is pending the status panel polls itself; the htmx request gets only the panel."""
    from django.core.files.base import ContentFile

    client.force_login(teacher)
    version = lecture.versions.get()
    key = default_storage.save("uploads/x/y/a.pdf", ContentFile(b"%PDF-1.4"))
    # Attach without running the on-commit task: the version stays pending.
    from submissions import services

    services.version_attach_file(version=version, actor=teacher, key=key, original_name="a.pdf", size=8)
    page = client.get(lecture.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in page and "Đang kiểm tra" in page
    with CaptureQueriesContext(connection) as whole:
        client.get(lecture.get_absolute_url())
    with CaptureQueriesContext(connection) as poll:
        partial = client.get(lecture.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert partial.strip().startswith('<div id="status-panel"') and "<html" not in partial
    assert 'hx-trigger="every 2s"' in partial and "Đang kiểm tra" in partial
    assert lifecycle.lecture_status(lecture, user=teacher).code == "draft_checking"
    # The poll reads what the panel draws: not the versions, the preview, the libraries, the
    # menu or the bell, which the whole page reads.
    assert len(poll.captured_queries) < len(whole.captured_queries) - 3, (
        len(poll.captured_queries),
        len(whole.captured_queries),
    )
    assert not any("reviews_notification" in q["sql"] for q in poll.captured_queries)
