"""The multipart protocol end to end over HTTP on the embedded back end (live server + requests)."""

import datetime
import os
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from submissions import services
from submissions.models import UploadSession

from .conftest import fixture_file, sha256
from .http import complete, create, http_session, list_parts, put_part

MiB = 1024 * 1024
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def teacher_http(live_server, teacher):
    return http_session(teacher, live_server.url)


def test_interrupted_upload_resumes_and_assembles_the_same_bytes(
    live_server, teacher_http, lecture, settings
):
    """After an interruption, listParts returns the stored parts; the rest are sent and the file's sha256 matches."""
    data = os.urandom(3 * MiB + 12345)
    parts_data = [data[i : i + MiB] for i in range(0, len(data), MiB)]
    response = create(teacher_http, lecture.versions.get(), "Bài giảng Toán 6.mp4", len(data))
    assert response.status_code == 201, response.text
    upload_id = response.json()["uploadId"]
    assert response.json()["key"].startswith(f"uploads/{lecture.author_id}/")
    assert response.json()["key"].endswith("/Bai-giang-Toan-6.mp4")
    # Parts go to partUrl + "n/" with no signing request first.
    assert response.json()["partUrl"] == f"/lectures/uploads/{upload_id}/parts/"
    for number in (1, 2):
        put = put_part(teacher_http, upload_id, number, parts_data[number - 1])
        assert put.status_code == 200 and put.headers["ETag"]
    # The connection drops; a new client (same user) asks what the server already has.
    resumed = http_session(lecture.author, live_server.url)
    listed = list_parts(resumed, upload_id)
    assert listed.status_code == 200
    assert [(p["PartNumber"], p["Size"]) for p in listed.json()] == [(1, MiB), (2, MiB)]
    etags = {p["PartNumber"]: p["ETag"] for p in listed.json()}
    for number in range(3, len(parts_data) + 1):
        put = put_part(resumed, upload_id, number, parts_data[number - 1])
        assert put.status_code == 200
        etags[number] = put.headers["ETag"]
    done = complete(resumed, upload_id, [{"PartNumber": n, "ETag": e} for n, e in sorted(etags.items())])
    assert done.status_code == 200, done.text
    version = lecture.versions.get()
    with default_storage.open(version.file_key, "rb") as fh:
        assert sha256(fh.read()) == sha256(data)
    assert version.size == len(data) and version.original_name == "Bài giảng Toán 6.mp4"
    # The check ran after commit: random bytes are not a lecture format.
    assert version.check_status == "failed" and version.sha256 == sha256(data)
    assert not (Path(settings.UPLOAD_TMP_ROOT) / upload_id).exists()


def test_real_scorm_package_over_http_is_checked_and_extracted(live_server, teacher_http, lecture):
    """A SCORM 1.2 package sent in three parts is assembled, checked as SCORM 1.2 and extracted."""
    data = fixture_file("scorm/valid/moodle_singlescobasic_SCORM12.zip").read_bytes()
    upload_id = create(teacher_http, lecture.versions.get(), "golf.zip", len(data)).json()["uploadId"]
    step = 150_000
    parts = []
    for number, start in enumerate(range(0, len(data), step), start=1):
        put = put_part(teacher_http, upload_id, number, data[start : start + step])
        parts.append({"PartNumber": number, "ETag": put.headers["ETag"]})
    assert complete(teacher_http, upload_id, parts).status_code == 200
    version = lecture.versions.get()
    assert (version.check_status, version.detected_format) == ("passed", "scorm12")
    assert default_storage.exists(version.package_prefix + version.launch_path)


def test_size_limit_is_enforced_on_the_server(live_server, teacher_http, lecture, settings):
    """A declared size over the limit is refused, and so are received bytes beyond the declared size."""
    settings.LECTURE_MAX_FILE_BYTES = 2 * MiB
    too_big = create(teacher_http, lecture.versions.get(), "big.mp4", 2 * MiB + 1)
    assert too_big.status_code == 413 and "quá lớn" in too_big.json()["error"]
    upload_id = create(teacher_http, lecture.versions.get(), "small.mp4", MiB).json()["uploadId"]
    assert put_part(teacher_http, upload_id, 1, b"a" * (MiB // 2)).status_code == 200
    # The browser lies: the second part would bring the total over the declared 1 MiB.
    over = put_part(teacher_http, upload_id, 2, b"b" * (MiB // 2 + 1))
    assert over.status_code == 413
    assert [p["PartNumber"] for p in list_parts(teacher_http, upload_id).json()] == [1]
    # A part number beyond S3's 10,000 is refused.
    assert (
        teacher_http.get(f"{live_server.url}/lectures/uploads/{upload_id}/parts/10001/sign/").status_code
        == 400
    )
    assert (
        teacher_http.put(
            f"{live_server.url}/lectures/uploads/{upload_id}/parts/10001/", data=b"x"
        ).status_code
        == 400
    )
    # Completing with less than the declared size is refused.
    short = complete(teacher_http, upload_id, [{"PartNumber": 1, "ETag": ""}])
    assert short.status_code == 400
    assert lecture.versions.get().file_key == ""


def test_only_the_owner_touches_a_session(live_server, teacher_http, lecture, demo):
    """Another user — even the department head — gets 404 on every call; the parts stay as they were."""
    upload_id = create(teacher_http, lecture.versions.get(), "a.pdf", 10).json()["uploadId"]
    assert put_part(teacher_http, upload_id, 1, b"%PDF-1.4\n%").status_code == 200
    for username in ("demo.tt", "demo.gv.van", "demo.ht"):
        other = http_session(demo.user(username), live_server.url)
        base = f"{live_server.url}/lectures/uploads/{upload_id}/"
        assert other.get(base + "parts/").status_code == 404
        assert other.get(base + "parts/2/sign/").status_code == 404
        assert other.put(base + "parts/1/", data=b"evil").status_code == 404
        assert other.post(base + "complete/", json={"parts": [{"PartNumber": 1}]}).status_code == 404
        assert other.delete(base).status_code == 404
    listed = list_parts(teacher_http, upload_id).json()
    assert [(p["PartNumber"], p["Size"]) for p in listed] == [(1, 10)]
    assert UploadSession.objects.get().status == "active"


def test_another_teacher_cannot_upload_into_my_draft(live_server, lecture, demo):
    """Starting an upload for someone else's version is refused (404 out of scope, 403 in scope)."""
    stranger = http_session(demo.user("demo.gv.th"), live_server.url)
    assert create(stranger, lecture.versions.get(), "a.pdf", 10).status_code == 404
    head = http_session(demo.user("demo.tt"), live_server.url)
    assert create(head, lecture.versions.get(), "a.pdf", 10).status_code == 403
    assert not UploadSession.objects.exists()


def test_abort_deletes_the_parts(live_server, teacher_http, lecture, settings):
    """Aborting an upload deletes its parts and ends the session."""
    upload_id = create(teacher_http, lecture.versions.get(), "a.pdf", 10).json()["uploadId"]
    put_part(teacher_http, upload_id, 1, b"12345")
    assert (Path(settings.UPLOAD_TMP_ROOT) / upload_id).exists()
    assert teacher_http.delete(f"{live_server.url}/lectures/uploads/{upload_id}/").status_code == 204
    assert not (Path(settings.UPLOAD_TMP_ROOT) / upload_id).exists()
    assert UploadSession.objects.get().status == "aborted"
    assert (
        teacher_http.get(f"{live_server.url}/lectures/uploads/{upload_id}/parts/2/sign/").status_code == 409
    )
    assert (
        teacher_http.put(f"{live_server.url}/lectures/uploads/{upload_id}/parts/2/", data=b"67").status_code
        == 409
    )


def test_cleanup_task_aborts_abandoned_sessions(live_server, teacher_http, make_lecture, settings):
    """The periodic task aborts sessions idle longer than UPLOAD_SESSION_MAX_AGE_HOURS and deletes their parts."""
    from submissions.tasks import upload_sessions_cleanup_task

    lecture, other = make_lecture(), make_lecture(title="Bài 2. Số tự nhiên")
    old_id = create(teacher_http, lecture.versions.get(), "old.pdf", 10).json()["uploadId"]
    put_part(teacher_http, old_id, 1, b"12345")
    fresh_id = create(teacher_http, other.versions.get(), "new.pdf", 10).json()["uploadId"]
    put_part(teacher_http, fresh_id, 1, b"12345")
    UploadSession.objects.filter(pk=old_id).update(
        updated_at=timezone.now() - datetime.timedelta(hours=settings.UPLOAD_SESSION_MAX_AGE_HOURS + 1)
    )
    assert upload_sessions_cleanup_task.delay().get() == 1
    assert UploadSession.objects.get(pk=old_id).status == "aborted"
    assert not (Path(settings.UPLOAD_TMP_ROOT) / old_id).exists()
    assert UploadSession.objects.get(pk=fresh_id).status == "active"
    assert (Path(settings.UPLOAD_TMP_ROOT) / fresh_id / "1").exists()


def test_cleanup_command(db, capsys):
    """The management command runs the same cleanup."""
    from django.core.management import call_command

    call_command("upload_sessions_cleanup")
    assert "Đã huỷ 0 phiên" in capsys.readouterr().out
    assert services.upload_sessions_cleanup() == 0
