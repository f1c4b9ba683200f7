"""The offline copy of a library lecture: a zip that plays from the file system, for those who
may read the publication only."""

import io
import zipfile

import pytest
from django.urls import reverse

from repository.models import Publication
from repository.offline import offline_size
from repository.services import publication_retract
from submissions.models import LectureVersion

from .factories import make_lecture, make_version, publish
from .test_preview import OUTLINE, two_sco_zip


def _pub(demo, kind="scorm12", title="Chơi gôn", zip_bytes=None):
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title=title)
    version = make_version(lecture, kind=kind, zip_bytes=zip_bytes)
    if zip_bytes is not None:
        LectureVersion.objects.filter(pk=version.pk).update(package_outline=OUTLINE, sco_count=2)
    return publish(version, demo.unit("THCS-LQD-TOAN"))


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _offline_url(pub):
    return reverse("repository:publication_offline", args=[pub.pk])


def test_a_reader_downloads_a_zip_that_plays_offline(demo, client, settings):
    """A teacher of the school gets the package, the player and a page to double-click; the SCO's
    launch page loads the runtime from the zip; nothing in it points back to the server."""
    pub = _pub(demo, kind="scorm2004", title="Phân số – hai phần", zip_bytes=two_sco_zip())
    client.force_login(demo.user("demo.gv.van"))
    response = client.get(_offline_url(pub))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="Phan so')
    archive = _zip(response)
    names = set(archive.namelist())
    assert {
        "index.html",
        "HUONG-DAN.txt",
        "bai-giang.js",
        "trinh-phat/scorm-again.min.js",
        "trinh-phat/scorm-again-LICENSE.txt",
        "trinh-phat/scorm-player.js",
        "trinh-phat/offline-player.js",
        "bai-giang/imsmanifest.xml",
        "bai-giang/p1/index.html",
        "bai-giang/p2/index.html",
    } <= names
    sco = archive.read("bai-giang/p2/index.html").decode()
    assert sco.index('src="../../trinh-phat/scorm-player.js"') < sco.index("<h1>")
    assert 'data-sco="1"' in sco and 'data-offline-key="hoclieu:' in sco and "data-runtime-url" not in sco
    outline = archive.read("bai-giang.js").decode()
    assert outline.startswith("window.HOCLIEU_OFFLINE = ")
    assert "bai-giang/p2/index.html" in outline
    index = archive.read("index.html").decode()
    assert "Phân số – hai phần" in index and "không được tính" in index
    for name in ("index.html", "bai-giang.js", "trinh-phat/offline-player.js", "bai-giang/p1/index.html"):
        text = archive.read(name).decode()
        assert "testserver" not in text and settings.SITE_URL not in text and "/library/" not in text
    pub.refresh_from_db()
    assert pub.download_count == 1
    # The size the page announced is near the real one.
    actual = len(response_bytes := b"".join(client.get(_offline_url(pub)).streaming_content))
    assert zipfile.is_zipfile(io.BytesIO(response_bytes))
    assert abs(offline_size(pub) - actual) < 0.2 * actual


def test_the_detail_page_offers_the_copy_with_its_size(demo, client):
    """The library page shows the button with the size, and says offline use is not counted."""
    pub = _pub(demo)
    client.force_login(demo.user("demo.gv.van"))
    html = client.get(pub.get_absolute_url()).content.decode()
    assert "Tải về để dùng ngoại tuyến" in html
    assert 'data-testid="offline-size">(khoảng ' in html
    assert "không được tính vào thống kê" in html
    assert _offline_url(pub) in html


@pytest.mark.parametrize("kind", ["pdf", "mp4"])
def test_a_pdf_or_video_lecture_is_stored_as_it_is(demo, client, kind):
    """A PDF or a video goes into the zip unchanged, next to the page that shows it."""
    pub = _pub(demo, kind=kind)
    client.force_login(demo.user("demo.ht"))
    archive = _zip(client.get(_offline_url(pub)))
    files = [n for n in archive.namelist() if n.startswith("bai-giang/")]
    assert len(files) == 1 and files[0].endswith(f".{kind}")
    assert archive.getinfo(files[0]).compress_type == zipfile.ZIP_STORED
    assert len(archive.read(files[0])) == pub.version.size


@pytest.mark.parametrize(
    "username", ["demo.gv.th", "demo.gv.thpt", "demo.phong.lc", "demo.ht.thpt", "demo.cumtruong"]
)
def test_nobody_outside_the_library_gets_the_copy(demo, client, username):
    """Users who cannot read a school library's lecture get a 404 and nothing is counted."""
    pub = _pub(demo)
    client.force_login(demo.user(username))
    assert client.get(_offline_url(pub)).status_code == 404
    pub.refresh_from_db()
    assert pub.download_count == 0


def test_no_copy_of_a_retracted_or_fileless_publication(demo, client):
    """A retracted publication has no offline copy, even for its author; nor has a lecture whose
    format does not play in a browser; a signed-out visitor is sent to sign in; POST is refused."""
    pub = _pub(demo)
    client.force_login(demo.user("demo.gv"))
    assert client.post(_offline_url(pub)).status_code == 405
    assert client.get(_offline_url(pub)).status_code == 200
    publication_retract(publication=pub, actor=demo.user("demo.ht"), reason="Sai nội dung")
    assert client.get(_offline_url(pub)).status_code == 404
    assert "Tải về để dùng ngoại tuyến" not in client.get(pub.get_absolute_url()).content.decode()
    office = _pub(demo, kind="none", title="Trình chiếu")
    assert client.get(_offline_url(office)).status_code == 404
    client.logout()
    assert client.get(_offline_url(office)).status_code == 302
    assert Publication.objects.get(pk=pub.pk).download_count == 1
