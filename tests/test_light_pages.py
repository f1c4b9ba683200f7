"""Light pages on weak school connections (issue 16, item 5): HTML is compressed, files are not;
Uppy comes only with an upload, every script is deferred; static URLs carry their hash in every
mode once collected."""

import gzip
import re

import pytest
from django.test import override_settings

from elearning.compression import HashedStaticFilesStorage, TextGZipMiddleware
from tests.workflow import make_lecture


@pytest.mark.django_db
def test_html_is_gzipped_for_a_browser_that_accepts_it(client, demo):
    """The login page arrives gzipped and inflates to the same page; without Accept-Encoding it is plain."""
    plain = client.get("/login/")
    assert "Content-Encoding" not in plain
    packed = client.get("/login/", headers={"accept-encoding": "gzip, deflate, br"})
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert "<title>Đăng nhập" in html
    assert len(packed.content) < len(plain.content) / 2


def test_files_and_ranged_answers_pass_uncompressed(rf):
    """A ZIP package, a PDF and a 206 answer are sent as they are (no CPU spent, ranges kept)."""
    from django.http import HttpResponse

    middleware = TextGZipMiddleware(lambda request: None)
    request = rf.get("/", headers={"accept-encoding": "gzip"})
    for content_type, status in (("application/zip", 200), ("application/pdf", 200), ("text/html", 206)):
        response = HttpResponse(b"x" * 5000, content_type=content_type, status=status)
        assert "Content-Encoding" not in middleware.process_response(request, response)
    css = HttpResponse(b"body{}" * 1000, content_type="text/css; charset=utf-8")
    assert middleware.process_response(request, css)["Content-Encoding"] == "gzip"


@pytest.mark.django_db
def test_uppy_comes_only_with_the_upload_and_every_script_is_deferred(client, demo):
    """The draft's page (upload offered) loads Uppy, deferred; the library page loads none of it."""
    teacher = demo.user("demo.gv")
    lecture = make_lecture(teacher, demo.unit("THCS-LQD-TOAN"), title="Bài 1. Tập hợp")
    client.force_login(teacher)
    with_upload = client.get(lecture.get_absolute_url()).content.decode()
    assert "uppy.min.js" in with_upload and "uppy.min.css" in with_upload
    without = client.get("/library/").content.decode()
    assert "uppy" not in without and "scorm-again" not in without and "pdf.min" not in without
    for html in (with_upload, without):
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert scripts
        assert all(" defer" in tag or 'type="module"' in tag for tag in scripts), scripts


def test_collected_static_urls_carry_their_hash_even_with_debug(tmp_path):
    """With STATIC_MANIFEST=1 the URL of a collected file names its hash in DEBUG too (`make run`),
    so WhiteNoise serves it as immutable."""
    storage = HashedStaticFilesStorage(location=tmp_path, base_url="/static/")
    storage.hashed_files = {"css/app.css": "css/app.0123456789ab.css"}
    with override_settings(DEBUG=True):
        assert storage.url("css/app.css") == "/static/css/app.0123456789ab.css"


def test_every_page_template_links_only_the_one_built_stylesheet():
    """The outage page, the offline page, the public catalogue and the LTI pages draw with the same
    site.css as every other page: no template links Bootstrap's full 230 KiB file or the palette on
    its own (a page without palette.css would lose its contrast)."""
    from pathlib import Path

    from django.conf import settings

    stylesheet = re.compile(r"""<link rel="stylesheet" href="\{% static '([^']+)' %\}">""")
    linked = {}
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for href in stylesheet.findall(template.read_text(encoding="utf-8")):
            linked.setdefault(href, []).append(template.name)
    # Page-specific additions (Uppy's CSS with an upload, the dashboard's charts) come on top of it.
    assert not {"vendor/bootstrap/bootstrap.min.css", "css/palette.css", "css/app.css"} & set(linked), linked
    assert {"503.html", "offline.html", "catalogue_base.html", "base.html"} <= set(linked["css/site.css"])


def test_the_outage_page_draws_with_the_built_stylesheet(rf):
    from django.template.loader import render_to_string

    html = render_to_string("503.html", request=rf.get("/"))
    assert "css/site.css" in html and "bootstrap.min.css" not in html
