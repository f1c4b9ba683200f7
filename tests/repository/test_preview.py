"""The one preview component: the author's page before submitting, the review case for its
reviewers, the library; SCORM packages played SCO by SCO with their own state."""

import io
import json
import re
import threading
import zipfile

import pytest
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse

from repository import preview
from repository.content import make_token
from repository.models import RuntimeRecord
from submissions.models import LectureVersion
from tests.workflow import assign, make_lecture, submit_lecture

from .factories import make_version

ALL_DEMO_USERS = [
    "demo.gv",
    "demo.tt",
    "demo.ht",
    "demo.pht",
    "demo.qtt",
    "demo.gv.th",
    "demo.gv.thpt",
    "demo.cumtruong",
    "demo.phong",
    "demo.phong.lc",
    "demo.cvso",
    "demo.ldso",
    "demo.hdq.ct",
    "demo.hdq.tv1",
    "demo.hdq.tv2",
    "demo.hds.ct",
    "demo.hds.tv1",
    "demo.hds.tv2",
]

TWO_SCO_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="hai-sco" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 3rd Edition</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Phân số</title>
    <item identifier="phan-1" identifierref="r1"><title>Phần 1. Khái niệm</title></item>
    <item identifier="phan-2" identifierref="r2"><title>Phần 2. Luyện tập</title></item>
  </organization></organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="p1/index.html"><file href="p1/index.html"/></resource>
    <resource identifier="r2" type="webcontent" adlcp:scormType="sco" href="p2/index.html"><file href="p2/index.html"/></resource>
  </resources>
</manifest>"""

SCO_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head><body>
<h1>{title}</h1><script>
var api = window.parent.API_1484_11;
api.Initialize("");
document.body.dataset.location = api.GetValue("cmi.location");
api.SetValue("cmi.location", "{title}");
api.Commit("");
</script></body></html>"""

OUTLINE = {
    "default": "org",
    "organizations": [
        {
            "identifier": "org",
            "title": "Phân số",
            "items": [
                {"identifier": "phan-1", "title": "Phần 1. Khái niệm", "href": "p1/index.html", "parameters": "",
                 "sco": True, "visible": True, "children": []},
                {"identifier": "phan-2", "title": "Phần 2. Luyện tập", "href": "p2/index.html", "parameters": "",
                 "sco": True, "visible": True, "children": []},
            ],
        }
    ],
    "ignored": ["rollupRules"],
}  # fmt: skip


def two_sco_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", TWO_SCO_MANIFEST)
        archive.writestr("p1/index.html", SCO_PAGE.format(title="Phan 1"))
        archive.writestr("p2/index.html", SCO_PAGE.format(title="Phan 2"))
    return buffer.getvalue()


def _two_sco_draft(demo, **extra):
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Phân số – hai phần")
    version = make_version(lecture, kind="scorm2004", zip_bytes=two_sco_zip())
    LectureVersion.objects.filter(pk=version.pk).update(package_outline=OUTLINE, sco_count=2, **extra)
    version.refresh_from_db()
    return version


def _url(version, user, grant, rel):
    return reverse(
        "repository:content", args=[make_token(version_id=version.pk, user_id=user.pk, grant=grant), rel]
    )


def test_author_previews_an_unsubmitted_package_with_its_table_of_contents(demo, client):
    """The author's lecture page plays the draft: a table of contents of both SCOs, the first one shown."""
    version = _two_sco_draft(demo)
    client.force_login(demo.user("demo.gv"))
    page = client.get(version.lecture.get_absolute_url())
    shown = page.context["preview"]
    assert shown["kind"] == "package" and version.submitted_at is None
    titles = [item["entry"].title for item in shown["toc"]]
    assert titles == ["Phần 1. Khái niệm", "Phần 2. Luyện tập"]
    assert shown["src"] == shown["toc"][0]["src"] and "/s/0/p1/index.html" in shown["src"]
    html = page.content.decode()
    assert 'data-testid="preview-toc"' in html and 'aria-current="true"' in html
    assert "quy tắc tổng hợp kết quả" in html  # the sequencing the player ignores is named
    launch = client.get(shown["toc"][1]["src"])
    assert launch.status_code == 200
    body = launch.content.decode()
    assert 'data-sco="1"' in body and body.index("scorm-player.js") < body.index("<h1>")


def test_each_sco_keeps_its_own_state(demo, client):
    """Reports of two SCOs are stored apart, and a SCO launched again gets back its own location."""
    version = _two_sco_draft(demo)
    author = demo.user("demo.gv")
    for index, location in ((0, "trang 3"), (1, "câu 5")):
        response = client.post(
            _url(version, author, "a", f"_/runtime/{index}"),
            json.dumps({"event": "commit", "scorm_version": "2004", "cmi": {"location": location}}),
            content_type="text/plain",
        )
        assert response.json()["result"] == "true"
    records = {r.sco: r for r in RuntimeRecord.objects.filter(version=version, user=author)}
    assert set(records) == {"phan-1", "phan-2"} and records["phan-2"].cmi["location"] == "câu 5"
    assert all(r.publication_id is None for r in records.values())  # a preview before publication
    response = client.get(_url(version, author, "a", "s/1/p2/index.html"))
    assert response["Cache-Control"] == "no-store"  # a cached launch page would bring back an old state
    launch = response.content.decode()
    state = json.loads(re.search(r'data-state="([^"]*)"', launch).group(1).replace("&quot;", '"'))
    assert state == {"location": "câu 5"}
    assert client.get(_url(version, author, "a", "s/2/p2/index.html")).status_code == 404  # no third SCO
    assert (
        client.post(_url(version, author, "a", "_/runtime/7"), '{"event": "x"}', "text/plain").status_code
        == 404
    )


def test_files_of_a_sco_stay_inside_its_path(demo, client):
    """Relative links of a SCO resolve under s/<n>/ and are served without the runtime."""
    version = _two_sco_draft(demo)
    author = demo.user("demo.gv")
    other_page = client.get(_url(version, author, "a", "s/0/p2/index.html"))
    assert other_page.status_code == 200 and b"scorm-player.js" not in b"".join(other_page.streaming_content)
    assert client.get(_url(version, author, "a", "s/0/../imsmanifest.xml")).status_code == 404


@pytest.mark.parametrize("username", ALL_DEMO_USERS)
def test_only_authors_and_the_cases_reviewers_preview_an_unpublished_version(demo, client, username):
    """A school case's version plays for its author, the department head and the school's leaders;
    everyone else gets 404 on its content under either grant, and no preview on the case page."""
    version = _two_sco_draft(demo)
    case = submit_lecture(version.lecture)
    user = demo.user(username)
    allowed = username in {"demo.gv", "demo.tt", "demo.ht", "demo.pht"}
    as_reviewer = client.get(_url(version, user, f"c{case.pk}", "s/0/p1/index.html")).status_code
    as_author = client.get(_url(version, user, "a", "s/0/p1/index.html")).status_code
    if username == "demo.gv":
        assert as_author == 200 and as_reviewer == 404
    elif allowed:
        assert as_reviewer == 200 and as_author == 404
    else:
        assert as_reviewer == 404 and as_author == 404
    client.force_login(user)
    page = client.get(case.get_absolute_url())
    if page.status_code == 200:
        kind = page.context["preview"]["kind"]
        assert (kind == "package") == allowed, kind
    else:
        assert page.status_code == 404 and not allowed
    assert not RuntimeRecord.objects.exists()


def test_assigned_panel_member_previews_and_loses_it_when_unassigned(demo, client):
    """A panel member assigned to a case plays its version; after the chair takes them off, 404."""
    from tests.workflow import approve, nominate

    version = _two_sco_draft(demo)
    case = submit_lecture(version.lecture)
    approve(case)
    district = nominate(case)
    member = demo.user("demo.hdq.tv1")
    url = _url(version, member, f"c{district.pk}", "s/0/p1/index.html")
    assert client.get(url).status_code == 404  # not assigned yet
    assign(district, [member])
    assert client.get(url).status_code == 200
    assign(district, [demo.user("demo.hdq.tv2")])
    assert client.get(url).status_code == 404


def test_a_failed_check_shows_why_instead_of_a_preview(demo, client):
    """A version whose file failed its check shows the check's messages, and its content is 404."""
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Hỏng")
    version = make_version(lecture, kind="pdf")
    LectureVersion.objects.filter(pk=version.pk).update(
        check_status="failed", check_messages=["Tệp PDF được đặt mật khẩu."]
    )
    client.force_login(demo.user("demo.gv"))
    page = client.get(lecture.get_absolute_url())
    assert page.context["preview"]["kind"] == "failed"
    assert "Tệp PDF được đặt mật khẩu." in page.content.decode()
    name = preview.file_name(version)
    assert client.get(_url(version, demo.user("demo.gv"), "a", f"f/{name}")).status_code == 404


@pytest.mark.parametrize(
    "status,kind", [("pending", "converting"), ("unavailable", "unavailable"), ("failed", "convert_failed")]
)
def test_office_file_without_rendition_says_why(demo, client, status, kind):
    """A PPTX whose PDF rendition is not there yet, not possible here or failed says so."""
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Trình chiếu")
    version = make_version(lecture, kind="pdf")
    LectureVersion.objects.filter(pk=version.pk).update(detected_format="pptx", preview_status=status)
    client.force_login(demo.user("demo.gv"))
    shown = client.get(lecture.get_absolute_url()).context["preview"]
    assert shown["kind"] == kind
    if kind == "converting":
        again = client.get(shown["poll_url"])
        assert again.status_code == 200 and b'data-kind="converting"' in again.content
        client.force_login(demo.user("demo.tt"))  # the poll token belongs to the author
        assert client.get(shown["poll_url"]).status_code == 404


def test_office_rendition_is_served_to_pdf_js(demo, client):
    """A DOCX with its rendition ready is shown by pdf.js from r/preview.pdf."""
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Giáo án")
    version = make_version(lecture, kind="pdf")
    LectureVersion.objects.filter(pk=version.pk).update(
        detected_format="docx", preview_status="ready", preview_key=version.file_key
    )
    client.force_login(demo.user("demo.gv"))
    page = client.get(lecture.get_absolute_url())
    shown = page.context["preview"]
    assert shown["kind"] == "pdf" and shown["src"].endswith("/r/preview.pdf")
    assert b"data-pdf-viewer" in page.content and b"pdf-viewer.js" in page.content
    response = client.get(shown["src"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_external_resources_are_explained(demo, client):
    """A package that loads from other hosts says that those are blocked in the preview."""
    version = _two_sco_draft(demo, external_hosts=["fonts.googleapis.com", "code.jquery.com"])
    client.force_login(demo.user("demo.gv"))
    html = client.get(version.lecture.get_absolute_url()).content.decode()
    assert 'data-testid="preview-external"' in html and "fonts.googleapis.com, code.jquery.com" in html


def test_old_package_without_outline_plays_its_launch_page(demo, client):
    """A package checked before outlines were kept has one entry, its launch page, and no TOC."""
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Cũ")
    version = make_version(lecture, kind="scorm12")
    client.force_login(demo.user("demo.gv"))
    shown = client.get(lecture.get_absolute_url()).context["preview"]
    assert shown["kind"] == "package" and shown["toc"] == []
    assert shown["src"].endswith("/s/0/" + version.launch_path)
    assert b"scorm-player.js" in client.get(shown["src"]).content


@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_of_one_viewing_are_all_recorded(demo):
    """Launch, initialize and values posted at once by one viewing never fail and none is lost."""
    version = _two_sco_draft(demo)
    url = _url(version, demo.user("demo.gv"), "a", "_/runtime/0")
    bodies = [
        {"event": "launch"},
        {"event": "initialize", "scorm_version": "2004", "cmi": {"location": ""}},
        *(
            {"event": "setvalue", "scorm_version": "2004", "cmi": {"location": f"trang {i}"}}
            for i in range(10)
        ),
    ]
    statuses, barrier = [], threading.Barrier(len(bodies))

    def post(body):
        try:
            barrier.wait()
            response = Client().post(url, json.dumps(body), content_type="text/plain")
            statuses.append(response.status_code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(bodies)
    record = RuntimeRecord.objects.get(version=version, sco="phan-1")
    assert sorted(e["event"] for e in record.events) == sorted(b["event"] for b in bodies)
