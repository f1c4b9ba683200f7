"""Limits per person and per session, hostile requests, and completes that race (embedded back end over HTTP)."""

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from submissions import local_uploads, uploads
from submissions.models import UploadSession

from .http import complete, create, http_session, list_parts, put_part

MiB = 1024 * 1024
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def teacher_http(live_server, teacher):
    return http_session(teacher, live_server.url)


def _stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "uploads"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_person_may_have_only_a_few_uploads_open_at_once(teacher_http, make_lecture, settings):
    """The fourth simultaneous upload is refused with a message; a new upload of the same lecture replaces the old."""
    settings.UPLOAD_MAX_ACTIVE_SESSIONS = 3
    lectures = [make_lecture(title=f"Bài {n}") for n in range(4)]
    ids = [create(teacher_http, lec.versions.get(), "a.pdf", 10).json()["uploadId"] for lec in lectures[:3]]
    fourth = create(teacher_http, lectures[3].versions.get(), "a.pdf", 10)
    assert fourth.status_code == 429
    assert "tối đa" in fourth.json()["error"] and "huỷ bớt" in fourth.json()["error"]
    assert UploadSession.objects.filter(status="active").count() == 3
    # Reloading the page and starting again on the same lecture supersedes the earlier session.
    again = create(teacher_http, lectures[0].versions.get(), "b.pdf", 10)
    assert again.status_code == 201
    assert UploadSession.objects.get(pk=ids[0]).status == "aborted"
    assert UploadSession.objects.filter(status="active").count() == 3


def test_the_bytes_a_person_reserves_are_capped(teacher_http, make_lecture, settings):
    """Open uploads may not together declare more than UPLOAD_MAX_USER_BYTES."""
    settings.UPLOAD_MAX_USER_BYTES = 3 * MiB
    first, second = make_lecture(title="Bài A"), make_lecture(title="Bài B")
    assert create(teacher_http, first.versions.get(), "a.mp4", 2 * MiB).status_code == 201
    refused = create(teacher_http, second.versions.get(), "b.mp4", 2 * MiB)
    assert refused.status_code == 429 and "tổng" in refused.json()["error"]
    assert create(teacher_http, second.versions.get(), "b.mp4", MiB).status_code == 201


def test_racing_parts_cannot_store_more_than_the_session_size(live_server, teacher_http, lecture, settings):
    """Three simultaneous 1 MiB parts into a 1 MiB session: one is stored, the others get 413."""
    upload_id = create(teacher_http, lecture.versions.get(), "a.mp4", MiB).json()["uploadId"]
    urls = [
        teacher_http.get(f"{live_server.url}/lectures/uploads/{upload_id}/parts/{n}/sign/").json()["url"]
        for n in (1, 2, 3)
    ]
    barrier = threading.Barrier(3)

    def send(url):
        barrier.wait()
        return teacher_http.put(live_server.url + url, data=os.urandom(MiB)).status_code

    with ThreadPoolExecutor(3) as pool:
        codes = sorted(pool.map(send, urls))
    assert codes == [200, 413, 413]
    stored = sum(p["Size"] for p in list_parts(teacher_http, upload_id).json())
    assert stored == MiB


def test_empty_and_lengthless_parts_are_refused(live_server, teacher_http, lecture):
    """An empty part is a 400 and a chunked body without Content-Length a 411; nothing is stored."""
    upload_id = create(teacher_http, lecture.versions.get(), "a.pdf", 10).json()["uploadId"]
    url = f"{live_server.url}/lectures/uploads/{upload_id}/parts/1/"
    empty = teacher_http.put(url, data=b"")
    assert empty.status_code == 400 and "rỗng" in empty.json()["error"]
    chunked = teacher_http.put(url, data=iter([b"12345", b"67890"]))  # requests sends it chunked
    assert chunked.status_code == 411 and "Content-Length" in chunked.json()["error"]
    assert list_parts(teacher_http, upload_id).json() == []


def test_nul_in_a_file_name_or_a_request_is_refused(teacher_http, lecture):
    """A NUL in the file name is refused with a message; so is any JSON request carrying NUL."""
    bad = create(teacher_http, lecture.versions.get(), "bai\x1bgiang.pdf", 10)
    assert bad.status_code == 400 and "kí tự điều khiển" in bad.json()["error"]
    with pytest.raises(uploads.UploadError, match="kí tự điều khiển"):
        uploads.check_filename("bai\x00giang.pdf")
    nul_name = create(teacher_http, lecture.versions.get(), "bai\x00giang.pdf", 10)
    assert nul_name.status_code == 400 and "NUL" in nul_name.json()["error"]
    raw = teacher_http.post(
        teacher_http.base_url + "/lectures/uploads/",
        data=b'{"version": %d, "filename": "a.pdf", "size": 10, "type": "x\\u0000"}'
        % lecture.versions.get().pk,
        headers={"Content-Type": "application/json"},
    )
    assert raw.status_code == 400 and "NUL" in raw.json()["error"]
    assert not UploadSession.objects.exists()


def test_safe_name_keeps_vietnamese_d():
    """'Đường' becomes 'Duong' in a storage key, not 'uong'."""
    assert uploads.safe_name("Đường tròn.pdf") == "Duong-tron.pdf"


def test_concurrent_completes_give_one_success_and_409s_and_no_orphans(
    live_server, teacher_http, lecture, settings, monkeypatch
):
    """Four completes of one session at once: one 200, three 409; one whole file; a later repeat is a harmless 200."""
    data = os.urandom(2 * MiB + 77)
    upload_id = create(teacher_http, lecture.versions.get(), "Bài giảng.mp4", len(data)).json()["uploadId"]
    parts = []
    for number, start in enumerate(range(0, len(data), MiB), start=1):
        put = put_part(teacher_http, upload_id, number, data[start : start + MiB])
        parts.append({"PartNumber": number, "ETag": put.headers["ETag"]})
    # Hold the one assembly until the three other completes have had their answer.
    others_answered = threading.Event()
    original = uploads.LocalMultipart.complete

    def slow_complete(self, session, parts_):
        assert others_answered.wait(20)
        return original(self, session, parts_)

    monkeypatch.setattr(uploads.LocalMultipart, "complete", slow_complete)
    barrier = threading.Barrier(4)
    answers = []

    def send():
        barrier.wait()
        response = complete(http_session(lecture.author, live_server.url), upload_id, parts)
        answers.append(response)
        if sum(r.status_code == 409 for r in answers) == 3:
            others_answered.set()
        return response

    with ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(lambda _: send(), range(4)))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409, 409, 409], [r.text for r in responses]
    assert all("đang được hoàn tất" in r.json()["error"] for r in responses if r.status_code == 409)
    version = lecture.versions.get()
    with default_storage.open(version.file_key, "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == hashlib.sha256(data).hexdigest()
    assert _stored_files(settings) == [Path(default_storage.path(version.file_key))]
    assert not (Path(settings.UPLOAD_TMP_ROOT) / upload_id).exists()
    # The browser lost the answer and asks again: same version, nothing new written.
    monkeypatch.undo()
    repeat = complete(teacher_http, upload_id, parts)
    assert repeat.status_code == 200 and repeat.json()["version"] == version.pk
    assert _stored_files(settings) == [Path(default_storage.path(version.file_key))]


def test_a_failed_complete_leaves_the_session_resumable_with_its_parts(
    live_server, teacher_http, lecture, settings, monkeypatch
):
    """An assembly that fails midway stores nothing; the session stays active with its parts and completes later."""
    data = os.urandom(MiB + 5)
    upload_id = create(teacher_http, lecture.versions.get(), "a.mp4", len(data)).json()["uploadId"]
    parts = []
    for number, start in enumerate(range(0, len(data), MiB), start=1):
        put = put_part(teacher_http, upload_id, number, data[start : start + MiB])
        parts.append({"PartNumber": number, "ETag": put.headers["ETag"]})

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(local_uploads, "_append", disk_full)
    failed = complete(teacher_http, upload_id, parts)
    assert failed.status_code == 503 and "thử hoàn tất lại" in failed.json()["error"]
    assert UploadSession.objects.get(pk=upload_id).status == "active"
    assert _stored_files(settings) == []
    assert [p["PartNumber"] for p in list_parts(teacher_http, upload_id).json()] == [1, 2]
    monkeypatch.undo()
    assert complete(teacher_http, upload_id, parts).status_code == 200
    assert UploadSession.objects.get(pk=upload_id).status == "completed"
