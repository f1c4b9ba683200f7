"""The file list behind "Dùng khi không có mạng" (repository.pwa): every file of the lecture for
those who may read the publication, a 404 for everyone else; the manifest and the worker."""

import json

import pytest
from django.urls import reverse

from repository.services import publication_retract
from submissions.models import LectureVersion

from .factories import make_lecture, make_version, publish
from .test_preview import OUTLINE, two_sco_zip


def _pub(demo, kind="scorm2004"):
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Phân số – hai phần")
    version = make_version(lecture, kind=kind, zip_bytes=two_sco_zip() if kind == "scorm2004" else None)
    if kind == "scorm2004":
        LectureVersion.objects.filter(pk=version.pk).update(package_outline=OUTLINE, sco_count=2)
    return publish(version, demo.unit("THCS-LQD-TOAN"))


def _files_url(pub):
    return reverse("repository:publication_offline_files", args=[pub.pk])


def test_a_reader_gets_every_file_of_the_package(demo, client):
    """Each SCO's launch page, every file of the package and the player, with sizes; the
    publication's counters do not move."""
    pub = _pub(demo)
    client.force_login(demo.user("demo.gv.van"))
    response = client.get(_files_url(pub))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    data = json.loads(response.content)
    paths = [f["path"] for f in data["files"]]
    assert "s/0/p1/index.html" in paths and "s/1/p2/index.html" in paths
    assert {"f/imsmanifest.xml", "f/p1/index.html", "f/p2/index.html"} <= set(paths)
    assert data["bytes"] == sum(f["bytes"] for f in data["files"]) > 0
    assert data["page"] == pub.get_absolute_url()
    assert data["content_prefix"] == "/library/content/"
    assert any(url.endswith("vendor/scorm-again/scorm-again.min.js") for url in data["static"])
    pub.refresh_from_db()
    assert (pub.view_count, pub.download_count) == (0, 0)


def test_a_pdf_is_one_file(demo, client):
    pub = _pub(demo, kind="pdf")
    client.force_login(demo.user("demo.ht"))
    data = client.get(_files_url(pub)).json()
    assert len(data["files"]) == 1 and data["files"][0]["path"].startswith("f/")
    assert data["files"][0]["bytes"] == pub.version.size


@pytest.mark.parametrize(
    "username", ["demo.gv.th", "demo.gv.thpt", "demo.phong.lc", "demo.ht.thpt", "demo.cumtruong"]
)
def test_nobody_outside_the_library_gets_the_list(demo, client, username):
    """Users who cannot read the school library's lecture get a 404 (as for the page itself)."""
    pub = _pub(demo)
    client.force_login(demo.user(username))
    assert client.get(pub.get_absolute_url()).status_code == 404
    assert client.get(_files_url(pub)).status_code == 404


def test_no_list_of_a_retracted_publication_nor_for_a_visitor(demo, client):
    pub = _pub(demo)
    client.force_login(demo.user("demo.gv"))
    assert client.post(_files_url(pub)).status_code == 405
    assert client.get(_files_url(pub)).status_code == 200
    assert 'data-testid="pwa-save"' in client.get(pub.get_absolute_url()).content.decode()
    publication_retract(publication=pub, actor=demo.user("demo.ht"), reason="Sai nội dung")
    assert client.get(_files_url(pub)).status_code == 404
    assert 'data-testid="pwa-save"' not in client.get(pub.get_absolute_url()).content.decode()
    client.logout()
    assert client.get(_files_url(pub)).status_code == 302


def test_packages_on_a_separate_content_host_are_not_offered(demo, client, settings):
    """The app's worker cannot reach a separate content host: a package is not offered there."""
    settings.CONTENT_ORIGIN = "https://noidung.example.edu.vn"
    pub = _pub(demo)
    client.force_login(demo.user("demo.gv.van"))
    assert client.get(_files_url(pub)).status_code == 404


def test_manifest_worker_and_offline_page(client):
    """The manifest names the app in Vietnamese; the worker is served from the root, never
    cached, with its settings first; the offline page needs no sign-in and names nobody."""
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert data["name"] == "Thư viện bài giảng" and data["start_url"] == "/library/"
    assert {i["purpose"] for i in data["icons"]} == {"any", "maskable"}
    worker = client.get("/sw.js")
    assert worker["Content-Type"].startswith("text/javascript")
    assert "no-cache" in worker["Cache-Control"] and worker["Service-Worker-Allowed"] == "/"
    body = worker.content.decode()
    assert body.startswith("self.HOCLIEU = ") and '"/offline/"' in body and 'addEventListener("fetch"' in body
    offline = client.get("/offline/")
    assert offline.status_code == 200 and "Không có kết nối mạng" in offline.content.decode()
