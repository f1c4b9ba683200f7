"""How the embedded back end assembles a file: parts cut as the browser cuts them land at their
offset in one file, which completing links at its key without copying a byte; other cuts are
concatenated; a part cannot change a file once completing has sealed it."""

import errno
import hashlib
import io
import os
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from submissions import local_uploads, services, uploads

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_TMP_ROOT = tmp_path / "media" / "_uploads"
    return tmp_path


def _start(lecture, teacher, size):
    return services.upload_start(
        version=lecture.versions.get(), actor=teacher, filename="Bài 1.mp4", content_type="", size=size
    )


def _put(session, number, body):
    return uploads.LocalMultipart().receive_part(session, number, io.BytesIO(body), len(body))


def _complete(session, teacher, parts, capture):
    with capture(execute=True):
        return services.upload_complete(
            session=session,
            actor=teacher,
            parts=[{"PartNumber": p.number, "ETag": p.etag} for p in parts],
        )


def _no_copy(*args, **kwargs):
    raise AssertionError("the parts were copied")


def test_browser_cut_parts_are_linked_into_place_without_a_copy(
    lecture, teacher, media, monkeypatch, django_capture_on_commit_callbacks
):
    """5 MiB parts (sent out of order, one sent twice) become the file with no copy; nothing is left."""
    data = os.urandom(11 * MiB + 3)
    session = _start(lecture, teacher, len(data))
    monkeypatch.setattr(local_uploads, "_append", _no_copy)
    cuts = {1: data[: 5 * MiB], 2: data[5 * MiB : 10 * MiB], 3: data[10 * MiB :]}
    parts = {n: _put(session, n, cuts[n]) for n in (3, 1, 2)}
    parts[2] = _put(session, 2, cuts[2])  # a retry replaces the part in place
    listed = uploads.LocalMultipart().list_parts(session)
    assert [(p.number, p.size) for p in listed] == [(1, 5 * MiB), (2, 5 * MiB), (3, MiB + 3)]
    version = _complete(session, teacher, [parts[n] for n in (1, 2, 3)], django_capture_on_commit_callbacks)
    stored = Path(default_storage.path(version.file_key))
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()
    version.refresh_from_db()  # the check ran on commit
    assert version.sha256 == hashlib.sha256(data).hexdigest() and version.size == len(data)
    assert stored.stat().st_nlink == 1  # the parts' folder and its link are gone
    assert not (Path(media) / "media" / "_uploads" / str(session.pk)).exists()


def test_other_cuts_are_concatenated(lecture, teacher, media, django_capture_on_commit_callbacks):
    """A 5 MiB first part (at its offset) and a 7 MiB last part (its own file) make the same bytes."""
    data = os.urandom(12 * MiB)
    session = _start(lecture, teacher, len(data))
    parts = [_put(session, 1, data[: 5 * MiB]), _put(session, 2, data[5 * MiB :])]
    version = _complete(session, teacher, parts, django_capture_on_commit_callbacks)
    with default_storage.open(version.file_key, "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == hashlib.sha256(data).hexdigest()
    assert not (Path(media) / "media" / "_uploads" / str(session.pk)).exists()


def test_without_hard_links_the_file_is_copied(
    lecture, teacher, media, monkeypatch, django_capture_on_commit_callbacks
):
    """Parts on another file system than the storage (no hard link) are copied; same bytes."""
    data = os.urandom(5 * MiB + 10)
    session = _start(lecture, teacher, len(data))
    parts = [_put(session, 1, data[: 5 * MiB]), _put(session, 2, data[5 * MiB :])]

    def cross_device(*args, **kwargs):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(local_uploads.os, "link", cross_device)
    version = _complete(session, teacher, parts, django_capture_on_commit_callbacks)
    with default_storage.open(version.file_key, "rb") as fh:
        assert fh.read() == data


def test_a_sealed_file_takes_no_part_and_a_part_in_flight_delays_completing(lecture, teacher, media):
    """SECURITY: while a part is being written completing answers 409; once sealed, a part is refused."""
    data = os.urandom(5 * MiB + 10)
    session = _start(lecture, teacher, len(data))
    backend = uploads.LocalMultipart()
    parts = [_put(session, 1, data[: 5 * MiB]), _put(session, 2, data[5 * MiB :])]
    names = [{"PartNumber": p.number, "ETag": p.etag} for p in parts]
    writer = os.open(backend._dir(session) / "data", os.O_WRONLY)
    local_uploads.fcntl.flock(writer, local_uploads.fcntl.LOCK_SH)  # a part still being written
    with pytest.raises(uploads.UploadError, match="vẫn đang được gửi lên") as busy:
        backend.complete(session, names)
    assert busy.value.status == 409
    os.close(writer)
    key, size = backend.complete(session, names)
    with pytest.raises(uploads.UploadError, match="đang được hoàn tất"):
        _put(session, 1, b"x" * 5 * MiB)
    with default_storage.open(key, "rb") as fh:
        assert fh.read() == data and size == len(data)
    # The attach failed: the file at the key is deleted and the session is open again.
    default_storage.delete(key)
    backend.reopen(session)
    assert _put(session, 2, data[5 * MiB :]).size == 10
