"""Finding the unfinished upload of the same file after a reload, a closed tab or a restart."""

import io

import pytest

from submissions import services, uploads
from submissions.models import UploadSession

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
URL = "/lectures/uploads/resume/"


@pytest.fixture
def started(lecture, teacher, settings, tmp_path):
    """demo.gv's upload of 'Bài 1.mp4' (12 MiB) with its first part stored."""
    settings.UPLOAD_TMP_ROOT = tmp_path
    session = services.upload_start(
        version=lecture.versions.get(),
        actor=teacher,
        filename="Bài 1.mp4",
        content_type="video/mp4",
        size=12 * MiB,
    )
    uploads.backend_for(session.backend).receive_part(session, 1, io.BytesIO(b"x" * 5 * MiB), 5 * MiB)
    return session


def _ask(client, session, **overrides):
    query = {"version": session.version_id, "filename": session.filename, "size": session.size}
    return client.get(URL, {**query, **overrides})


def test_the_same_file_finds_its_session_and_what_is_kept(client, teacher, started):
    """The same version, name and size find the active session and the bytes already stored."""
    client.force_login(teacher)
    response = _ask(client, started)
    assert response.status_code == 200
    assert response.json() == {
        "uploadId": str(started.pk),
        "key": started.key,
        "uploaded": 5 * MiB,
        "size": 12 * MiB,
        "partUrl": f"/lectures/uploads/{started.pk}/parts/",
    }


def test_the_remembered_session_is_preferred(client, teacher, started, lecture):
    """The session the browser remembered (localStorage) wins over a newer one of the same file."""
    client.force_login(teacher)
    newer = UploadSession.objects.create(
        user=teacher,
        version=started.version,
        backend="local",
        key="uploads/x/newer",
        upload_id="newer",
        filename=started.filename,
        size=started.size,
    )
    assert _ask(client, started).json()["uploadId"] == str(newer.pk)
    assert _ask(client, started, upload=str(started.pk)).json()["uploadId"] == str(started.pk)


@pytest.mark.parametrize("change", [{"size": 12 * MiB + 1}, {"filename": "Bài 2.mp4"}])
def test_another_file_finds_nothing(client, teacher, started, change):
    """Another name or size is another file: nothing to resume (204)."""
    client.force_login(teacher)
    assert _ask(client, started, **change).status_code == 204


def test_someone_elses_session_is_never_offered(client, demo, started):
    """SECURITY: another person asking with the same name and size gets nothing."""
    client.force_login(demo.user("demo.tt"))
    assert _ask(client, started).status_code == 204


def test_an_ended_or_submitted_upload_is_not_resumed(client, teacher, started):
    """An aborted session is not offered again; the cleanup still aborts abandoned ones."""
    client.force_login(teacher)
    services.upload_abort(session=started, actor=teacher)
    assert _ask(client, started).status_code == 204
