"""One of each: one Content-Disposition builder and one download response for every download,
one Vietnamese fold, one list of lecture formats, and upload limits the page gives upload.js."""

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.http import parse_header_parameters

from accounts.imports import normalise_key
from elearning.http import content_disposition
from elearning.text import ascii_filename, fold, slug_key
from repository.search import normalise
from submissions import uploads
from submissions.formats import ACCEPTED_UPLOADS, UPLOAD_EXTENSIONS, Format
from submissions.models import LectureVersion
from tests.workflow import good_minutes, submit

from .repository.factories import make_lecture, make_version, publish

NAME = 'Bài "giảng"; Đường.pdf'
FALLBACK = "Bai giang; Duong.pdf"
ENCODED = "B%C3%A0i%20%22gi%E1%BA%A3ng%22%3B%20%C4%90%C6%B0%E1%BB%9Dng.pdf"
PDF = b"%PDF-1.4 one of each"
ROOT = Path(__file__).resolve().parents[1]
APPS = ("accounts", "elearning", "repository", "reviews", "submissions", "interop")


def assert_disposition(header: str, disposition: str, name: str, fallback: str) -> None:
    """The header parses to the UTF-8 name, and without filename* to the ASCII fallback."""
    assert header.isascii()
    kind, params = parse_header_parameters(header)
    assert (kind, params["filename"]) == (disposition, name)
    ascii_only = re.sub(r";\s*filename\*=[^;]*$", "", header)
    assert parse_header_parameters(ascii_only)[1]["filename"] == fallback


def _named(version, name=NAME):
    LectureVersion.objects.filter(pk=version.pk).update(original_name=name)


def _case_with_file(demo):
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    default_storage.save(case.version.file_key, ContentFile(PDF))
    _named(case.version)
    return case


def _publication(demo):
    lecture = make_lecture(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"), title="Đường tròn")
    publication = publish(make_version(lecture, kind="pdf"), demo.unit("THCS-LQD-TOAN"))
    _named(publication.version)
    return publication


def _downloads(demo, client):
    """(label, user, URL) of every download of a stored lecture file, the file named NAME."""
    case = _case_with_file(demo)
    publication = _publication(demo)
    return [
        ("version", "demo.gv", reverse("submissions:version_download", args=[case.version.pk])),
        ("case", "demo.tt", reverse("reviews:case_file", args=[case.pk])),
        ("publication", "demo.ht", reverse("repository:publication_download", args=[publication.pk])),
    ]


# --- Content-Disposition -------------------------------------------------------------------------


def test_the_header_carries_an_ascii_fallback_and_the_utf8_name():
    """A quote and a semicolon neither end the quoted fallback nor the UTF-8 form."""
    header = content_disposition(NAME)
    assert header == f"attachment; filename=\"{FALLBACK}\"; filename*=UTF-8''{ENCODED}"
    assert_disposition(header, "attachment", NAME, FALLBACK)
    assert_disposition(content_disposition(NAME, "inline"), "inline", NAME, FALLBACK)


def test_control_characters_never_reach_the_header():
    """CR, LF, NUL and a right-to-left override are dropped from both forms."""
    header = content_disposition("a\r\nSet-Cookie: x\x00\u202egpj.exe")
    assert "\r" not in header and "\n" not in header and "\x00" not in header
    assert_disposition(header, "attachment", "aSet-Cookie: xgpj.exe", "aSet-Cookie: xgpj.exe")


def test_an_unknown_disposition_is_refused():
    """Only attachment and inline can be asked for."""
    with pytest.raises(ValueError):
        content_disposition("a.pdf", "form-data")


@pytest.mark.django_db
def test_every_local_download_names_the_file_twice(demo, client):
    """Each download of a stored file streams it as an attachment with both names and nosniff."""
    for label, username, url in _downloads(demo, client):
        client.force_login(demo.user(username))
        response = client.get(url)
        assert response.status_code == 200, label
        assert_disposition(response["Content-Disposition"], "attachment", NAME, FALLBACK)
        assert response["Content-Type"] == "application/octet-stream", label
        assert response["X-Content-Type-Options"] == "nosniff", label
        assert b"".join(response.streaming_content).startswith(b"%PDF"), label


@pytest.mark.django_db
def test_a_missing_stored_file_is_not_found(demo, client):
    """A version whose file is gone from storage answers 404, not a server error."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    client.force_login(demo.user("demo.tt"))
    assert client.get(reverse("reviews:case_file", args=[case.pk])).status_code == 404


@pytest.mark.django_db
def test_the_pdf_preview_stays_inline_with_its_headers(demo, client):
    """The preview's PDF is inline, named twice, with the content view's headers and ranges."""
    publication = _publication(demo)
    client.force_login(demo.user("demo.gv"))
    src = client.get(publication.get_absolute_url()).context["preview"]["src"]
    response = client.get(src)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_disposition(response["Content-Disposition"], "inline", NAME, FALLBACK)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Accept-Ranges"] == "bytes"
    part = client.get(src, headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and b"".join(part.streaming_content) == b"%PDF"
    assert_disposition(part["Content-Disposition"], "inline", NAME, FALLBACK)


@pytest.mark.django_db
def test_generated_files_go_through_the_same_header(demo, client, admin_client):
    """The minutes PDF and the import templates carry the same two-name header and nosniff."""
    from reviews import services
    from reviews.models import Minutes

    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    services.review_return(
        case=case, actor=demo.user("demo.tt"), minutes=good_minutes(required_changes="Sửa.")
    )
    minutes = Minutes.objects.get(case=case)
    client.force_login(demo.user("demo.gv"))
    pdf = client.get(reverse("reviews:minutes_pdf", args=[minutes.pk]))
    name = f"bien-ban-tham-dinh-{case.lecture_id}-v{case.version.number}-{minutes.level}.pdf"
    assert_disposition(pdf["Content-Disposition"], "attachment", name, name)
    assert pdf["Content-Type"] == "application/pdf" and pdf["X-Content-Type-Options"] == "nosniff"
    for kind, name in (("units", "mau-don-vi.xlsx"), ("accounts", "mau-tai-khoan.xlsx")):
        sheet = admin_client.get(reverse("accounts:import_template", args=[kind]))
        assert_disposition(sheet["Content-Disposition"], "attachment", name, name)
        assert sheet["X-Content-Type-Options"] == "nosniff"


@pytest.mark.s3
@pytest.mark.django_db
def test_on_s3_every_download_is_a_presigned_redirect(demo, client, s3):
    """On S3 each download redirects to a presigned URL whose answer carries our disposition."""
    for label, username, url in _downloads(demo, client):
        client.force_login(demo.user(username))
        response = client.get(url)
        assert response.status_code == 302, label
        location = response["Location"]
        assert location.startswith(s3.meta.endpoint_url) and "X-Amz-Signature" in location, label
        query = parse_qs(urlsplit(location).query)
        assert_disposition(query["response-content-disposition"][0], "attachment", NAME, FALLBACK)
        assert query["response-content-type"] == ["application/octet-stream"], label
        fetched = requests.get(location, timeout=10)
        assert fetched.status_code == 200 and fetched.content.startswith(b"%PDF"), label
        assert_disposition(fetched.headers["Content-Disposition"], "attachment", NAME, FALLBACK)
        assert fetched.headers["Content-Type"] == "application/octet-stream", label


@pytest.mark.s3
@pytest.mark.django_db
def test_on_s3_the_pdf_preview_is_streamed_inline_from_the_app(demo, client, s3):
    """On S3 the preview's PDF comes through the app (pdf.js reads it with fetch, and the page's
    connect-src names no storage host): 200, application/pdf, inline with the RFC 6266 name."""
    publication = _publication(demo)
    client.force_login(demo.user("demo.gv"))
    src = client.get(publication.get_absolute_url()).context["preview"]["src"]
    response = client.get(src)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_disposition(response["Content-Disposition"], "inline", NAME, FALLBACK)
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


# --- The Vietnamese fold -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đường", "duong"),
        ("ĐƯỜNG", "duong"),
        ("đường", "duong"),
        ("Toán lớp 6", "toan lop 6"),
        ("Tiếng Việt", "tieng viet"),
        ("Ngữ văn", "ngu van"),
        ("Địa lí", "dia li"),
        ("Lịch sử và Địa lí", "lich su va dia li"),
        ("Khoa học tự nhiên", "khoa hoc tu nhien"),
        ("Giáo dục công dân", "giao duc cong dan"),
        ("Mỹ thuật", "my thuat"),
        ("Ơn", "on"),
        ("Ưu tiên", "uu tien"),
        ("Hồng Bàng", "hong bang"),
        ("Tổ trưởng", "to truong"),
        ("Phân số", "phan so"),
        ("\u0110u\u031bo\u031b\u0300ng", "duong"),  # decomposed input folds the same
        ("SCORM 1.2", "scorm 1.2"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_table(text, folded):
    """Marks are stripped, đ/Đ become d and the case is lowered."""
    assert fold(text) == folded


def test_fold_keeps_case_when_asked():
    """With lower=False "Đường Tròn" is "Duong Tron"."""
    assert fold("Đường Tròn", lower=False) == "Duong Tron"


def test_every_user_of_the_fold_turns_duong_into_duong():
    """Search, import keys, storage key names and the download fallback all say "duong"."""
    assert normalise("  Đường   tròn ") == "duong tron"
    assert normalise_key("Đường phố") == "duong_pho"
    assert slug_key("Mã cán bộ") == "ma_can_bo"
    assert uploads.safe_name("Đường tròn.pdf") == "Duong-tron.pdf"
    assert ascii_filename("Đường tròn.pdf") == "Duong tron.pdf"
    assert 'filename="Duong tron.pdf"' in content_disposition("Đường tròn.pdf")


def _app_sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


BUILDERS = {
    "a Content-Disposition builder": (
        re.compile(
            r"""\[["']Content-Disposition["']\]\s*=(?!\s*content_disposition\()|content_disposition_header|"""
            r"""as_attachment|"""
            r"""ResponseContentDisposition|filename\*="""
        ),
        {"elearning/http.py"},
    ),
    "a diacritic fold": (
        re.compile(
            r"""combining\(|normalize\(\s*["']NFK?D["']|\.replace\(\s*["'][đĐ]["']|encode\(\s*["']ascii"""
        ),
        {"elearning/text.py"},
    ),
}
FORMAT_LITERAL = re.compile(r"""["']\.?(scorm12|scorm2004|html5|mp4|webm|pdf|pptx|docx)["']""")
FORMAT_PROSE = re.compile(r"PPTX(,| hoặc) DOCX")


@pytest.mark.parametrize("what", sorted(BUILDERS))
def test_the_app_code_has_one_of_each(what):
    """Only one module of the app code builds a Content-Disposition, and one folds Vietnamese."""
    pattern, allowed = BUILDERS[what]
    found = {path for path, source in _app_sources() if pattern.search(source)}
    assert found == allowed, f"{what} outside {allowed}: {sorted(found - allowed)}"


def test_the_app_code_lists_the_formats_once():
    """Only submissions/formats.py names four or more formats or spells out the accepted list."""
    found = {
        path
        for path, source in _app_sources()
        if len(set(FORMAT_LITERAL.findall(source))) >= 4 or FORMAT_PROSE.search(source)
    }
    templates = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "templates").rglob("*.html")
        if FORMAT_PROSE.search(path.read_text(encoding="utf-8"))
    }
    assert found | templates == {"submissions/formats.py"}


# --- Formats and the upload widget ---------------------------------------------------------------


def test_the_accepted_uploads_cover_every_format_once():
    """Every known format but 'unknown' is accepted by exactly one kind of upload."""
    formats = [fmt for kind in ACCEPTED_UPLOADS for fmt in kind.formats]
    assert sorted(formats) == sorted(set(Format) - {Format.UNKNOWN})
    assert {".zip", ".mp4", ".webm", ".pdf", ".pptx", ".docx"} <= set(UPLOAD_EXTENSIONS)


@pytest.mark.django_db
def test_the_upload_widget_reads_its_limits_from_settings(demo, client, settings):
    """The uploader's data attributes and the note follow the settings, and list the extensions."""
    from accounts.models import Subject
    from submissions import services

    lecture = services.lecture_create(
        author=demo.user("demo.gv"),
        department=demo.unit("THCS-LQD-TOAN"),
        subject=Subject.objects.get(code="toan"),
        grade=6,
        title="Bài 1. Tập hợp",
    )
    client.force_login(demo.user("demo.gv"))
    settings.LECTURE_MAX_FILE_BYTES = 500 * 1024 * 1024
    settings.UPLOAD_PARALLEL_PARTS = 2
    page = client.get(lecture.get_absolute_url()).content.decode()
    assert 'data-max-bytes="524288000"' in page and 'data-max-size="500 MB"' in page
    assert 'data-parallel-parts="2"' in page
    assert f'data-min-part-bytes="{uploads.MIN_PART_BYTES}"' in page
    assert f'data-max-parts="{uploads.MAX_PARTS}"' in page
    assert f'data-accept="{",".join(UPLOAD_EXTENSIONS)}"' in page
    assert "video MP4/WebM" in page
    settings.LECTURE_MAX_FILE_BYTES = 3 * 1024**3
    page = client.get(lecture.get_absolute_url()).content.decode()
    assert f'data-max-bytes="{3 * 1024**3}"' in page and 'data-max-size="3,0 GB"' in page


def test_upload_js_hard_codes_no_limit():
    """upload.js takes sizes, part rules, parallelism and extensions from the page only."""
    source = (ROOT / "static/js/upload.js").read_text(encoding="utf-8")
    for attribute in ("maxBytes", "maxSize", "minPartBytes", "maxParts", "parallelParts", "accept"):
        assert f"el.dataset.{attribute}" in source
    assert not re.search(r"1024|/\s*10000\b|\blimit:\s*\d|allowedFileTypes:\s*\[", source)
