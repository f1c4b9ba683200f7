"""Resources a package loads from outside itself: named in a warning and recorded, never a
refusal; links, namespaces and comments are not loads. Packages are built here, shaped like
the output of real authoring tools."""

import zipfile
from pathlib import Path

import pytest

from submissions.checks import Format, inspect_file
from submissions.checks import externals as externals_check

WARNING_START = "Gói bài giảng tải tài nguyên từ bên ngoài ("
WARNING_END = (
    "): khi xem thử trên hệ thống các tài nguyên này bị chặn, bài giảng có thể hiển thị thiếu. "
    "Hãy đóng gói kèm các tệp này."
)


def html5(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in {"index.html": "<!doctype html><title>Bài giảng</title>", **files}.items():
            zf.writestr(name, text)
    return path


def scorm12(path: Path, files: dict[str, str]) -> Path:
    manifest = """<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>T</title>
    <item identifier="i" identifierref="r"><title>Bài 1</title></item></organization></organizations>
  <resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="story.html">
    <file href="story.html"/></resource></resources>
</manifest>"""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", manifest)
        for name, text in {"story.html": "<html></html>", **files}.items():
            zf.writestr(name, text)
    return path


def hosts_of(tmp_path, files, maker=html5):
    result = inspect_file(maker(tmp_path / "p.zip", files))
    assert result.ok, result.messages
    return result.external_hosts


@pytest.mark.parametrize(
    ("markup", "host"),
    [
        ('<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>', "code.jquery.com"),
        (
            "<script src='//cdnjs.cloudflare.com/ajax/libs/gsap/3.12.2/gsap.min.js'></script>",
            "cdnjs.cloudflare.com",
        ),
        (
            '<link href="https://fonts.googleapis.com/css2?family=Be+Vietnam+Pro" rel="stylesheet">',
            "fonts.googleapis.com",
        ),
        ('<link rel="icon" href="http://school.edu.vn/favicon.ico">', "school.edu.vn"),
        (
            '<iframe width="560" src="https://www.youtube.com/embed/dQw4w9WgXcQ" allowfullscreen></iframe>',
            "www.youtube.com",
        ),
        ('<img alt="" src="https://i.imgur.com/abc.png">', "i.imgur.com"),
        ('<img srcset="a.png 1x, https://images.example.com/a@2x.png 2x">', "images.example.com"),
        ('<video poster="https://media.example.com/p.jpg"><source src="v.mp4"></video>', "media.example.com"),
        ('<audio src="HTTPS://Audio.Example.com/a.mp3"></audio>', "audio.example.com"),
        ('<object data="https://flash.example.com/x.swf"></object>', "flash.example.com"),
        ('<frame src="https://frames.example.com/">', "frames.example.com"),
        ('<div style="background-image:url(https://bg.example.com/x.jpg)"></div>', "bg.example.com"),
        (
            "<style>@import url('https://cdn.jsdelivr.net/npm/katex/dist/katex.min.css');</style>",
            "cdn.jsdelivr.net",
        ),
        ('<script type="module">import confetti from "https://esm.sh/canvas-confetti";</script>', "esm.sh"),
        ('<script>fetch("https://api.example.com/questions.json")</script>', "api.example.com"),
    ],
)
def test_html_loads_from_outside_are_named(tmp_path, markup, host):
    """Each way a page loads a resource from another host names that host."""
    assert hosts_of(tmp_path, {"index.html": f"<html><head></head><body>{markup}</body></html>"}) == [host]


@pytest.mark.parametrize(
    ("name", "text", "host"),
    [
        (
            "css/fonts.css",
            "@font-face{src:url('https://fonts.gstatic.com/s/roboto.woff2') format('woff2')}",
            "fonts.gstatic.com",
        ),
        ("css/a.css", '@import "https://unpkg.com/normalize.css";', "unpkg.com"),
        ("css/b.css", "body{background:url( //static.example.org/bg.png )}", "static.example.org"),
        ("js/app.js", 'import { h } from "https://unpkg.com/preact?module";', "unpkg.com"),
        ("js/app.js", "const m = await import('https://cdn.skypack.dev/lodash');", "cdn.skypack.dev"),
        ("js/worker.js", "importScripts('https://cdn.example.com/sw.js');", "cdn.example.com"),
        ("js/app.js", "$.getScript('https://connect.facebook.net/vi_VN/sdk.js');", "connect.facebook.net"),
        (
            "js/app.js",
            "var x=new XMLHttpRequest();x.open('GET','https://data.example.com/q.json');",
            "data.example.com",
        ),
        (
            "js/app.js",
            "var s=document.createElement('script');s.src='https://www.googletagmanager.com/gtag/js';",
            "www.googletagmanager.com",
        ),
        ("js/app.js", "el.setAttribute('src', \"https://player.vimeo.com/video/1\");", "player.vimeo.com"),
        (
            "js/app.js",
            'document.write("<script src=\\"https:\\/\\/ajax.googleapis.com\\/jquery.js\\"><\\/script>");',
            "ajax.googleapis.com",
        ),
    ],
)
def test_css_and_js_loads_from_outside_are_named(tmp_path, name, text, host):
    """Style sheets and scripts that load from other hosts name them."""
    assert hosts_of(tmp_path, {name: text}) == [host]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("index.html", '<a href="https://vi.wikipedia.org/wiki/Ph%C3%A2n_s%E1%BB%91">Wikipedia</a>'),
        (
            "index.html",
            '<html xmlns="http://www.w3.org/1999/xhtml"><svg xmlns="http://www.w3.org/2000/svg"></svg></html>',
        ),
        (
            "index.html",
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
        ),
        (
            "index.html",
            '<!--[if lt IE 9]><script src="https://oss.maxcdn.com/html5shiv/3.7.3/html5shiv.min.js"></script><![endif]-->',
        ),
        (
            "index.html",
            '<link rel="preconnect" href="https://fonts.gstatic.com"><link rel="canonical" href="https://a.example.com/">',
        ),
        (
            "index.html",
            '<p>Xem thêm tại https://moet.gov.vn/tin-tuc</p><img src="images/a.png"><img src="data:image/png;base64,AAAA">',
        ),
        (
            "js/app.js",
            'window.open("https://vi.wikipedia.org/wiki/A", "_blank"); location.href = "https://hoc.example.com";',
        ),
        (
            "js/app.js",
            'var NS = "http://www.w3.org/2000/svg"; document.createElementNS(NS, "svg"); // https://github.com/x',
        ),
        (
            "js/app.js",
            '/*! jQuery v3.7.1 | (c) OpenJS Foundation | jquery.org/license */ var u = "https://" + host + "/x";',
        ),
        ("js/app.js", "a.href = 'https://www.facebook.com/sharer.php?u=' + url;"),
        (
            "css/a.css",
            "/* Font: https://fonts.google.com/specimen/Roboto */ body{background:url(../img/bg.png)}",
        ),
    ],
)
def test_links_namespaces_and_comments_are_not_loads(tmp_path, name, text):
    """Links, namespace URIs, doctype URLs, comments and plain text are not flagged."""
    result = inspect_file(html5(tmp_path / "p.zip", {name: text}))
    assert result.ok, result.messages
    assert result.external_hosts == []
    assert result.warnings == []


def test_warning_names_the_hosts_sorted_and_deduplicated(tmp_path):
    """The warning lists each host once, sorted, in the teacher's sentence; the package passes."""
    page = (
        '<script src="https://code.jquery.com/jquery.js"></script>'
        '<script src="https://code.jquery.com/ui.js"></script>'
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
    )
    result = inspect_file(html5(tmp_path / "p.zip", {"index.html": page}))
    assert result.ok
    assert result.format is Format.HTML5
    assert result.external_hosts == ["code.jquery.com", "fonts.googleapis.com"]
    assert result.warnings == [WARNING_START + "code.jquery.com, fonts.googleapis.com" + WARNING_END]


def test_many_hosts_are_capped_in_the_record_and_the_message(tmp_path):
    """Past five hosts the message counts the rest; the record keeps at most MAX_HOSTS."""
    page = "".join(f'<img src="https://h{i:02}.example.com/a.png">' for i in range(30))
    result = inspect_file(html5(tmp_path / "p.zip", {"index.html": page}))
    assert len(result.external_hosts) == externals_check.MAX_HOSTS
    assert "(và 15 máy chủ khác)" in result.warnings[0]


def test_scorm_package_pages_are_scanned(tmp_path):
    """A Storyline-like SCORM package with a Google Fonts link and a YouTube frame is warned."""
    files = {
        "story.html": '<link href="https://fonts.googleapis.com/css?family=Open+Sans" rel="stylesheet">',
        "story_content/slides.js": 'var f = "<iframe src=\\"https:\\/\\/www.youtube.com\\/embed\\/x\\"><\\/iframe>";',
        "lms/scormdriver.js": 'var link = "http://www.adlnet.org/"; // http://example.com',
    }
    result = inspect_file(scorm12(tmp_path / "s.zip", files))
    assert result.ok, result.messages
    assert result.format is Format.SCORM12
    assert result.external_hosts == ["fonts.googleapis.com", "www.youtube.com"]
    assert result.warnings[0].startswith(WARNING_START + "fonts.googleapis.com, www.youtube.com)")


def test_manifest_namespaces_are_not_external(tmp_path):
    """The imsglobal/adlnet/w3 schema URLs of the manifest itself never count."""
    result = inspect_file(scorm12(tmp_path / "s.zip", {}))
    assert result.external_hosts == []
    assert result.warnings == []


def test_office_and_pdf_have_no_external_scan(tmp_path):
    """Only packages are scanned: a plain video or document has no hosts."""
    path = tmp_path / "a.pdf"
    path.write_bytes(
        Path(__file__)
        .resolve()
        .parents[1]
        .joinpath("fixtures/files/py-pdf-sample-files_002-trivial-libre-office-writer.pdf")
        .read_bytes()
    )
    assert inspect_file(path).external_hosts == []


def test_scan_is_bounded_per_file_and_in_total(tmp_path, monkeypatch):
    """A script beyond the per-file cap or the total budget is not read further."""
    monkeypatch.setattr(externals_check, "MAX_FILE_BYTES", 4096)
    late = "x" * 8192 + 'fetch("https://late.example.com/a")'
    early = 'fetch("https://early.example.com/a")' + "x" * 8192
    assert hosts_of(tmp_path, {"js/a.js": late, "js/b.js": early}) == ["early.example.com"]
    monkeypatch.setattr(externals_check, "MAX_SCANNED_FILES", 2)
    files = {f"js/{i}.js": f'fetch("https://h{i}.example.com/")' for i in range(5)}
    assert len(hosts_of(tmp_path, files)) == 1  # index.html and one script


def test_launch_page_is_scanned_first(tmp_path, monkeypatch):
    """With room for one file, the launch page is the one read."""
    monkeypatch.setattr(externals_check, "MAX_SCANNED_FILES", 1)
    files = {
        "a/aaa.html": '<script src="https://other.example.com/x.js"></script>',
        "story.html": '<script src="https://launch.example.com/x.js"></script>',
    }
    assert hosts_of(tmp_path, files, maker=scorm12) == ["launch.example.com"]
