"""Content checks of uploaded lecture files: format by content, SCORM manifests, zip safety.

Pure Python (no database): real files from tests/fixtures/ (see ATTRIBUTION.md there) and
hostile archives built here.
"""

import hashlib
import io
import socket
import struct
import tempfile
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from submissions.checks import (
    CHUNK,
    PACKAGE_FORMATS,
    CheckResult,
    Format,
    Limits,
    UnsafeArchive,
    inspect_file,
    safe_extract,
    sha256_of,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VALID_SCORM = FIXTURES / "scorm" / "valid"
ARCHIVES = FIXTURES / "archives"
FILES = FIXTURES / "files"
BOMB = ARCHIVES / "kd2fw_zipbomb_1G.zip"
MiB = 1024 * 1024
UNKNOWN_PREFIX = "Không nhận ra định dạng tệp"


# --------------------------------------------------------------------------------------
# Helpers


def make_zip(path: Path, entries, *, compression=zipfile.ZIP_DEFLATED) -> Path:
    """Write a zip from (name or ZipInfo, bytes) pairs or a {name: bytes} dict."""
    items = entries.items() if isinstance(entries, dict) else entries
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in items:
            zf.writestr(name, data)
    return path


def scorm12_manifest(resource_files, launch="index.html", *, doctype="", title="Bài giảng thử") -> bytes:
    files = "\n".join(f'      <file href="{href}"/>' for href in resource_files)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{doctype}
<manifest identifier="test.pkg" version="1"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org1">
    <organization identifier="org1">
      <title>{title}</title>
      <item identifier="item1" identifierref="res1"><title>Bài 1</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res1" type="webcontent" adlcp:scormtype="sco" href="{launch}">
{files}
    </resource>
  </resources>
</manifest>
""".encode()


def html5_package(tmp_path: Path, extra=None, name="html5.zip") -> Path:
    entries = {
        "index.html": "<!doctype html><html><head><title>Phân số &amp; tỉ số</title></head><body>Hi</body></html>",
        "css/style.css": "body { color: black }",
        "js/app.js": "console.log('ok');",
        "img/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    }
    entries.update(extra or {})
    return make_zip(tmp_path / name, entries)


def assert_refused_cleanly(zip_path: Path, tmp_path: Path, expected: str, *, limits=None) -> UnsafeArchive:
    """safe_extract refuses with ``expected`` in the message and leaves nothing behind."""
    work = tmp_path / "work"
    work.mkdir()
    dest = work / "out"
    kwargs = {"limits": limits} if limits else {}
    with pytest.raises(UnsafeArchive) as excinfo:
        safe_extract(zip_path, dest, **kwargs)
    assert expected in str(excinfo.value)
    assert [p.name for p in work.iterdir()] in ([], ["out"])
    assert not dest.exists() or not any(dest.iterdir())
    return excinfo.value


def only_message(result: CheckResult, expected: str) -> str:
    assert not result.ok
    hits = [m for m in result.messages if expected in m]
    assert hits, result.messages
    return hits[0]


# --------------------------------------------------------------------------------------
# The real fixtures


@pytest.mark.parametrize(
    ("relative", "fmt", "version", "launch", "title"),
    [
        (
            "scorm/valid/moodle_singlescobasic_SCORM12.zip",
            Format.SCORM12,
            "1.2",
            "shared/launchpage.html",
            "Golf Explained - Run-time Basic Calls",
        ),
        (
            "scorm/valid/jcputney_scorm12_ContentPackagingOneFilePerSCO.zip",
            Format.SCORM12,
            "1.2",
            "Playing/Playing.html",
            "Golf Explained - CP One File Per SCO",
        ),
        (
            "scorm/valid/moodle_RuntimeBasicCalls_SCORM20043rdEdition.zip",
            Format.SCORM2004,
            "2004 3rd Edition",
            "shared/launchpage.html",
            "Golf Explained - Run-time Basic Calls",
        ),
        (
            "scorm/valid/jcputney_scorm2004_ContentPackagingMetadata_20043rd.zip",
            Format.SCORM2004,
            "2004 3rd Edition",
            "shared/launchpage.html",
            "Golf Explained - Metadata Example",
        ),
    ],
)
def test_valid_scorm_fixture(relative, fmt, version, launch, title):
    """A real SCORM package is recognised with its version, title and launch file."""
    path = FIXTURES / relative
    result = inspect_file(path)
    assert result.format is fmt
    assert result.ok, result.messages
    assert result.messages == []
    assert result.scorm_version == version
    assert result.launch == launch
    assert result.title == title
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.size == path.stat().st_size
    assert result.scan == "not_configured"
    assert result.format in PACKAGE_FORMATS


@pytest.mark.parametrize(
    ("relative", "fmt"),
    [
        ("files/python-pptx_test.pptx", Format.PPTX),
        ("files/python-docx_test.docx", Format.DOCX),
        ("files/py-pdf-sample-files_002-trivial-libre-office-writer.pdf", Format.PDF),
        ("files/python-pptx_just-two-mice.mp4", Format.MP4),
        ("files/file-type_fixture.webm", Format.WEBM),
    ],
)
def test_valid_media_and_document_fixture(relative, fmt):
    """A real PPTX/DOCX/PDF/MP4/WebM is recognised by content and passes."""
    result = inspect_file(FIXTURES / relative)
    assert result.format is fmt
    assert result.ok, result.messages
    assert result.messages == []
    assert result.launch == ""
    assert result.format not in PACKAGE_FORMATS


def test_text_named_mp4_is_unknown():
    """A 42-byte text file named .mp4 is refused as an unknown format."""
    result = inspect_file(FILES / "python-pptx_dummy_not-really-mp4.mp4")
    assert result.format is Format.UNKNOWN
    assert not result.ok
    assert result.messages[0].startswith(UNKNOWN_PREFIX)


def test_zip_without_manifest_is_refused():
    """A zip with neither imsmanifest.xml nor index.html at the root is refused and says so."""
    result = inspect_file(FIXTURES / "scorm/invalid/moodle_invalid_no_manifest.zip")
    assert result.format is Format.UNKNOWN
    only_message(result, "imsmanifest.xml")


def test_malformed_manifest_is_refused_with_line():
    """A manifest that is not well-formed XML gives the line of the error, no crash."""
    result = inspect_file(FIXTURES / "scorm/invalid/jcputney_MalformedXml_SCORM12.zip")
    assert result.format is Format.SCORM12
    assert result.messages == ["Tệp imsmanifest.xml không hợp lệ (lỗi cú pháp XML ở dòng 27)."]
    assert not result.ok


HOSTILE = [
    ("rubyzip_jwilk_absolute1.zip", "Tệp nén chứa đường dẫn tuyệt đối (/tmp/moo) — không được phép."),
    ("rubyzip_jwilk_relative0.zip", "Tệp nén chứa đường dẫn vượt ra ngoài thư mục (../moo)."),
    ("rubyzip_jwilk_symlink.zip", "Tệp nén chứa liên kết tượng trưng (symlink): moo"),
    ("kd2fw_zipbomb_1G.zip", "có thể là zip bomb"),
]


@pytest.mark.parametrize(("name", "expected"), HOSTILE)
def test_hostile_fixture_fails_inspection(name, expected):
    """A hostile archive fails inspection with a precise message."""
    result = inspect_file(ARCHIVES / name)
    assert result.format is Format.UNKNOWN
    assert expected in result.messages[0]
    assert not result.ok


@pytest.mark.parametrize(("name", "expected"), HOSTILE)
def test_hostile_fixture_refused_by_safe_extract(name, expected, tmp_path):
    """safe_extract refuses a hostile archive and writes nothing inside or outside dest."""
    moo_before = Path("/tmp/moo").exists()
    assert_refused_cleanly(ARCHIVES / name, tmp_path, expected)
    assert Path("/tmp/moo").exists() == moo_before


def test_refusal_empties_an_existing_dest(tmp_path):
    """A refusal into an existing empty folder leaves it empty (and in place)."""
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(UnsafeArchive):
        safe_extract(BOMB, dest, limits=Limits(max_total_bytes=4 * MiB))
    assert dest.is_dir()
    assert list(dest.iterdir()) == []


def test_tilde_name_is_legal(tmp_path):
    """The name ~tilde~ is not a traversal: only the missing manifest is reported, and it extracts."""
    path = ARCHIVES / "rubyzip_tilde.zip"
    result = inspect_file(path)
    assert result.format is Format.UNKNOWN
    assert len(result.messages) == 1
    assert "imsmanifest.xml" in result.messages[0]
    written = safe_extract(path, tmp_path / "out")
    assert "~tilde~" in written
    with zipfile.ZipFile(path) as zf:
        assert (tmp_path / "out" / "~tilde~").read_bytes() == zf.read("~tilde~")


def test_zip_bomb_stops_at_ratio_cap_with_bounded_memory(tmp_path):
    """The 1,000 MiB zip bomb stops at the ratio cap, streaming, with little memory."""
    with zipfile.ZipFile(BOMB) as zf:
        (info,) = zf.infolist()
    limits = Limits()
    tracemalloc.start()
    try:
        exc = assert_refused_cleanly(BOMB, tmp_path, "có thể là zip bomb", limits=limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * MiB
    assert 0 < exc.bytes_written <= limits.max_ratio * info.compress_size + CHUNK
    assert exc.bytes_written < info.file_size // 4


def test_zip_bomb_stops_at_total_cap(tmp_path):
    """With a small total cap the bomb stops at that cap, counted on the bytes written."""
    cap = 8 * MiB
    exc = assert_refused_cleanly(
        BOMB,
        tmp_path,
        "Tệp nén vượt giới hạn dung lượng giải nén (8 MiB) — có thể là zip bomb.",
        limits=Limits(max_total_bytes=cap),
    )
    assert cap - CHUNK <= exc.bytes_written <= cap + CHUNK


def test_many_small_bombs_hit_the_archive_ratio(tmp_path):
    """Many entries each just under the per-entry ratio floor are caught by the archive ratio."""
    zeros = bytes(900 * 1024)
    path = make_zip(
        tmp_path / "small-bombs.zip",
        {"index.html": "<html></html>"} | {f"d/{i}.txt": zeros for i in range(60)},
    )
    only_message(inspect_file(path), "Tệp nén có tỉ lệ nén bất thường (vượt 200:1) — có thể là zip bomb.")
    exc = assert_refused_cleanly(path, tmp_path, "có thể là zip bomb")
    assert exc.bytes_written <= 200 * path.stat().st_size + CHUNK


def test_zip_bomb_inspection_is_cheap():
    """Inspecting the zip bomb reads the central directory only: fast and little memory."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = inspect_file(BOMB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not result.ok
    assert peak < 64 * MiB
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("path", sorted(VALID_SCORM.glob("*.zip")), ids=lambda p: p.name)
def test_valid_scorm_fixture_extracts_fully(path, tmp_path):
    """A valid SCORM package extracts every file, byte for byte."""
    dest = tmp_path / "out"
    written = safe_extract(path, dest)
    with zipfile.ZipFile(path) as zf:
        files = [i.filename for i in zf.infolist() if not i.is_dir()]
        assert sorted(written) == sorted(files)
        for name in files:
            assert (dest / name).read_bytes() == zf.read(name)
    assert (dest / "imsmanifest.xml").is_file()
    assert {p.name for p in tmp_path.iterdir()} == {"out"}


# --------------------------------------------------------------------------------------
# Hostile and broken inputs built here


def test_billion_laughs_manifest_is_refused(tmp_path):
    """A billion-laughs manifest is refused quickly with the entity message, memory bounded."""
    lol = "\n".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' if i else '<!ENTITY lol0 "lol">'
        for i in range(10)
    )
    manifest = scorm12_manifest(["index.html"], doctype=f"<!DOCTYPE manifest [{lol}]>", title="&lol9;")
    path = make_zip(tmp_path / "laughs.zip", {"imsmanifest.xml": manifest, "index.html": "<html></html>"})
    tracemalloc.start()
    try:
        result = inspect_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.messages == ["imsmanifest.xml chứa khai báo thực thể/DTD — bị từ chối vì lý do an toàn."]
    assert result.format is Format.SCORM12
    assert not result.ok
    assert peak < 64 * MiB


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file://{secret}">]>',
        '<!DOCTYPE manifest [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>',
    ],
    ids=["general-entity", "parameter-entity"],
)
def test_xxe_manifest_is_refused_without_leaking(doctype, tmp_path):
    """An XXE manifest is refused and the referenced file never reaches the result."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7f3a9c")
    title = "&xxe;" if "xxe" in doctype else "Bài giảng"
    manifest = scorm12_manifest(["index.html"], doctype=doctype.format(secret=secret), title=title)
    path = make_zip(tmp_path / "xxe.zip", {"imsmanifest.xml": manifest, "index.html": "<html></html>"})
    result = inspect_file(path)
    assert not result.ok
    assert "imsmanifest.xml chứa khai báo thực thể/DTD — bị từ chối vì lý do an toàn." in result.messages
    assert "TOP-SECRET" not in repr(result)


def test_external_dtd_is_never_fetched(tmp_path):
    """A DOCTYPE naming an external DTD is not fetched: its content never reaches the result."""
    secret = tmp_path / "secret.dtd"
    secret.write_text('<!ENTITY leak "TOP-SECRET-7f3a9c">')
    manifest = scorm12_manifest(["index.html"], doctype=f'<!DOCTYPE manifest SYSTEM "file://{secret}">')
    path = make_zip(tmp_path / "dtd.zip", {"imsmanifest.xml": manifest, "index.html": "<html></html>"})
    result = inspect_file(path)
    assert "TOP-SECRET" not in repr(result)


def test_html_renamed_pdf_is_unknown(tmp_path):
    """An HTML file named .pdf is unknown: the extension is ignored."""
    path = tmp_path / "bai-giang.pdf"
    path.write_text("<!DOCTYPE html>\n<html><head><title>x</title></head><body>PDF?</body></html>\n")
    result = inspect_file(path)
    assert result.format is Format.UNKNOWN
    assert not result.ok
    assert result.messages[0].startswith(UNKNOWN_PREFIX)
    assert "HTML" in result.messages[0]


def test_pdf_named_txt_is_pdf(tmp_path):
    """A PDF named .txt is a PDF: the extension is ignored both ways."""
    path = tmp_path / "notes.txt"
    path.write_bytes((FILES / "py-pdf-sample-files_002-trivial-libre-office-writer.pdf").read_bytes())
    assert inspect_file(path).format is Format.PDF


@pytest.fixture(scope="module")
def hundred_thousand_entries(tmp_path_factory):
    path = tmp_path_factory.mktemp("many") / "many.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for i in range(100_000):
            zf.writestr(f"e{i}", b"")
    return path


def test_hundred_thousand_entries_fail_inspection_quickly(hundred_thousand_entries):
    """A zip with 100,000 empty entries fails inspection by the entry cap, quickly."""
    started = time.monotonic()
    result = inspect_file(hundred_thousand_entries, limits=Limits(max_entries=10_000))
    assert time.monotonic() - started < 5
    assert result.messages == ["Tệp nén có quá nhiều mục (hơn 10.000 mục) — có thể là zip bomb."]


def test_hundred_thousand_entries_refused_by_safe_extract(hundred_thousand_entries, tmp_path):
    """safe_extract refuses 100,000 entries by the entry cap before writing anything."""
    started = time.monotonic()
    assert_refused_cleanly(hundred_thousand_entries, tmp_path, "quá nhiều mục", limits=Limits())
    assert time.monotonic() - started < 5


def test_nested_archive_is_refused(tmp_path):
    """A .zip inside a package is refused at inspection and by safe_extract."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("a.txt", "a")
    path = html5_package(tmp_path, {"media/more.zip": inner.getvalue()})
    result = inspect_file(path)
    assert result.format is Format.HTML5
    only_message(result, "Tệp nén chứa tệp nén lồng bên trong: media/more.zip")
    assert_refused_cleanly(path, tmp_path, "tệp nén lồng bên trong")


def test_executable_is_refused(tmp_path):
    """An .exe inside a package is refused at inspection and by safe_extract."""
    path = html5_package(tmp_path, {"tools/setup.exe": b"MZ" + b"\x00" * 100})
    only_message(inspect_file(path), "Tệp nén chứa tệp thực thi: tools/setup.exe")
    assert_refused_cleanly(path, tmp_path, "tệp thực thi")


def test_renamed_executable_is_refused_by_content(tmp_path):
    """An ELF binary renamed .js is refused by its magic bytes."""
    elf = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
    path = html5_package(tmp_path, {"js/vendor.js": elf})
    only_message(inspect_file(path), "tệp thực thi: js/vendor.js")
    assert_refused_cleanly(path, tmp_path, "tệp thực thi")


def test_windows_pe_renamed_png_is_refused(tmp_path):
    """A Windows PE program renamed .png is refused by its PE header."""
    pe = bytearray(512)
    pe[0:2] = b"MZ"
    pe[0x3C:0x40] = struct.pack("<L", 0x80)
    pe[0x80:0x84] = b"PE\x00\x00"
    path = html5_package(tmp_path, {"img/photo.png": bytes(pe)})
    only_message(inspect_file(path), "tệp thực thi: img/photo.png")


def test_valid_html5_package_extracts(tmp_path):
    """An HTML5 package with index.html at the root passes and extracts correctly."""
    path = html5_package(tmp_path, {"Bài 1/trang đầu.html": "<p>Xin chào</p>", "~tmp~/a.txt": "x"})
    result = inspect_file(path)
    assert result.format is Format.HTML5
    assert result.ok, result.messages
    assert result.launch == "index.html"
    assert result.title == "Phân số & tỉ số"
    dest = tmp_path / "out"
    written = safe_extract(path, dest)
    with zipfile.ZipFile(path) as zf:
        assert sorted(written) == sorted(zf.namelist())
        for name in zf.namelist():
            assert (dest / name).read_bytes() == zf.read(name)


def test_scorm_missing_file_is_refused(tmp_path):
    """A manifest that lists a file absent from the zip is refused, naming the file."""
    manifest = scorm12_manifest(["index.html", "images/hinh%201.png"])
    path = make_zip(tmp_path / "missing.zip", {"imsmanifest.xml": manifest, "index.html": "<html></html>"})
    result = inspect_file(path)
    assert result.format is Format.SCORM12
    assert result.messages == ["Thiếu tệp được khai báo trong imsmanifest.xml: images/hinh 1.png."]
    assert not result.ok


def test_scorm_missing_launch_file_is_refused(tmp_path):
    """A manifest whose launch file is absent is refused, naming the item that cannot open."""
    manifest = scorm12_manifest([], launch="start.html")
    path = make_zip(tmp_path / "nolaunch.zip", {"imsmanifest.xml": manifest, "index.html": "<html></html>"})
    only_message(
        inspect_file(path),
        "Thiếu trang của các mục sau trong imsmanifest.xml, nên không mở được các mục này: «Bài 1» (start.html).",
    )


def test_scorm_case_mismatch_is_explained(tmp_path):
    """A file present only with different letter case is reported with a hint."""
    manifest = scorm12_manifest(["index.html", "Images/Logo.PNG"])
    path = make_zip(
        tmp_path / "case.zip",
        {"imsmanifest.xml": manifest, "index.html": "<html></html>", "images/logo.png": b"\x89PNG"},
    )
    only_message(inspect_file(path), "Images/Logo.PNG (trong gói có images/logo.png")


def test_scorm_broken_identifierref_is_refused(tmp_path):
    """An item pointing at a resource that does not exist is refused."""
    manifest = scorm12_manifest(["index.html"]).replace(b'identifierref="res1"', b'identifierref="nope"')
    path = make_zip(tmp_path / "ref.zip", {"imsmanifest.xml": manifest, "index.html": "<html></html>"})
    only_message(inspect_file(path), "tài nguyên không tồn tại: nope")


def test_scorm_reference_outside_package_is_refused(tmp_path):
    """A manifest file href climbing out of the package is refused."""
    manifest = scorm12_manifest(["index.html", "../../etc/passwd"])
    path = make_zip(tmp_path / "out.zip", {"imsmanifest.xml": manifest, "index.html": "<html></html>"})
    only_message(inspect_file(path), "đường dẫn nằm ngoài gói: ../../etc/passwd")


def test_scorm_hrefs_decoded_based_and_stripped(tmp_path):
    """Hrefs are URL-decoded, xml:base applied and query/fragment stripped; externals skipped."""
    manifest = """<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="o">
    <organization identifier="o"><title>Khoá học</title>
      <item identifier="folder"><title>Chương 1</title>
        <item identifier="i1" identifierref="r1"><title>Bài 1</title></item>
      </item>
    </organization>
  </organizations>
  <resources xml:base="content/">
    <resource identifier="r1" type="webcontent" adlcp:scormType="sco" xml:base="b%C3%A0i1"
        href="trang%20%C4%91%E1%BA%A7u.html?lesson=1#top">
      <file href="trang%20%C4%91%E1%BA%A7u.html"/>
      <file href="./img/../img/a.png"/>
      <file href="https://cdn.example.org/lib.js"/>
    </resource>
  </resources>
</manifest>""".encode()
    path = make_zip(
        tmp_path / "based.zip",
        {
            "imsmanifest.xml": manifest,
            "content/bài1/trang đầu.html": "<html></html>",
            "content/bài1/img/a.png": b"\x89PNG",
        },
    )
    result = inspect_file(path)
    assert result.ok, result.messages
    assert result.format is Format.SCORM2004
    assert result.scorm_version == "2004 4th Edition"
    assert result.launch == "content/bài1/trang đầu.html"
    assert result.title == "Khoá học"


def test_manifest_in_subfolder_is_explained(tmp_path):
    """A package zipped with its enclosing folder gets a message saying how to fix it."""
    manifest = scorm12_manifest(["index.html"])
    path = make_zip(
        tmp_path / "folder.zip",
        {"Khoa hoc/imsmanifest.xml": manifest, "Khoa hoc/index.html": "<html></html>"},
    )
    result = inspect_file(path)
    assert result.format is Format.UNKNOWN
    only_message(result, "nằm trong thư mục con «Khoa hoc/»")


def test_backslash_separators_are_normalised(tmp_path):
    """Backslash separators (old Windows tools) become folders inside dest."""
    path = make_zip(tmp_path / "win.zip", {"index.html": "<html></html>", "css\\style.css": "b{}"})
    assert inspect_file(path).ok
    written = safe_extract(path, tmp_path / "out")
    assert "css/style.css" in written
    assert (tmp_path / "out" / "css" / "style.css").read_text() == "b{}"


def test_backslash_traversal_is_refused(tmp_path):
    """A backslash path that climbs out of dest is refused."""
    path = make_zip(tmp_path / "win.zip", {"index.html": "<html></html>", "..\\..\\evil.html": "x"})
    only_message(inspect_file(path), "vượt ra ngoài thư mục (..\\..\\evil.html)")
    assert_refused_cleanly(path, tmp_path, "vượt ra ngoài thư mục")


def test_drive_letter_is_refused(tmp_path):
    """A Windows drive-letter path is refused as absolute."""
    path = make_zip(tmp_path / "drive.zip", {"index.html": "<html></html>", "C:/Windows/evil.html": "x"})
    assert_refused_cleanly(path, tmp_path, "đường dẫn tuyệt đối (C:/Windows/evil.html)")


def test_duplicate_entries_are_refused(tmp_path):
    """Two entries with the same name are refused (inspection and extraction could disagree)."""
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as zf, pytest.warns(UserWarning):
        zf.writestr("index.html", "<html>one</html>")
        zf.writestr("index.html", "<html>two</html>")
    only_message(inspect_file(path), "trùng tên: index.html")
    assert_refused_cleanly(path, tmp_path, "trùng tên")


def test_encrypted_entry_is_refused(tmp_path):
    """A password-protected entry is refused with a message."""
    data = bytearray(make_zip(tmp_path / "plain.zip", {"index.html": "<html></html>"}).read_bytes())
    central = data.index(b"PK\x01\x02")
    data[6] |= 0x1  # zipfile will not write the flag itself: set it in both headers
    data[central + 8] |= 0x1
    path = tmp_path / "enc.zip"
    path.write_bytes(bytes(data))
    only_message(inspect_file(path), "đặt mật khẩu: index.html")
    assert_refused_cleanly(path, tmp_path, "đặt mật khẩu")


def test_bzip2_entry_is_refused(tmp_path):
    """A BZIP2 entry (inflates a whole block per read) is refused."""
    path = make_zip(tmp_path / "bz.zip", {"index.html": "<html></html>"}, compression=zipfile.ZIP_BZIP2)
    only_message(inspect_file(path), "phương thức nén không được hỗ trợ")
    assert_refused_cleanly(path, tmp_path, "phương thức nén")


def test_file_and_folder_with_same_name_are_refused(tmp_path):
    """An entry that is both a file and a folder is refused."""
    path = make_zip(tmp_path / "clash.zip", {"index.html": "<html></html>", "a": "x", "a/b.txt": "y"})
    assert_refused_cleanly(path, tmp_path, "vừa là tệp vừa là thư mục: a")


def test_truncated_zip_is_refused(tmp_path):
    """A zip cut short during upload is reported as broken."""
    data = (VALID_SCORM / "moodle_singlescobasic_SCORM12.zip").read_bytes()
    path = tmp_path / "cut.zip"
    path.write_bytes(data[: len(data) // 2])
    result = inspect_file(path)
    assert result.format is Format.UNKNOWN
    only_message(result, "Tệp nén bị hỏng hoặc không đầy đủ")
    assert_refused_cleanly(path, tmp_path, "bị hỏng")


def test_safe_extract_requires_empty_dest(tmp_path):
    """safe_extract will not write into a non-empty folder."""
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "keep.txt").write_text("keep")
    with pytest.raises(FileExistsError, match="empty"):
        safe_extract(html5_package(tmp_path), dest)
    assert (dest / "keep.txt").read_text() == "keep"


def test_truncated_mp4_is_refused(tmp_path):
    """An MP4 cut short (upload not finished) is an MP4 that fails its check."""
    data = (FILES / "python-pptx_just-two-mice.mp4").read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[: len(data) // 2])
    result = inspect_file(path)
    assert result.format is Format.MP4
    only_message(result, "Tệp video MP4 bị hỏng hoặc không đầy đủ")


def test_heic_image_is_not_mp4(tmp_path):
    """An ISO-BMFF HEIC photo named .mp4 is not accepted as video."""
    ftyp = struct.pack(">L4s4sL", 24, b"ftyp", b"heic", 0) + b"mif1heic"
    path = tmp_path / "photo.mp4"
    path.write_bytes(ftyp + struct.pack(">L4s", 16, b"meta") + b"\x00" * 8)
    result = inspect_file(path)
    assert result.format is Format.UNKNOWN
    assert result.messages[0].startswith(UNKNOWN_PREFIX)
    assert "HEIC" in result.messages[0]


def test_matroska_is_not_webm(tmp_path):
    """An EBML file whose DocType is matroska is not WebM."""
    header = bytes.fromhex("4286810142f7810142f2810442f381084282") + b"\x88matroska"
    data = bytes.fromhex("1a45dfa3") + bytes([0x80 | len(header)]) + header + bytes.fromhex("18538067ff")
    path = tmp_path / "video.webm"
    path.write_bytes(data)
    result = inspect_file(path)
    assert result.format is Format.UNKNOWN
    assert "Matroska" in result.messages[0]


def test_macro_enabled_presentation_is_refused(tmp_path):
    """A macro-enabled presentation (PPTM renamed .pptx) is a PPTX that fails."""
    source = FILES / "python-pptx_test.pptx"
    path = tmp_path / "macro.pptx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
                    b"application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
                )
            dst.writestr(info.filename, data)
        dst.writestr("ppt/vbaProject.bin", b"\x00" * 64)
    result = inspect_file(path)
    assert result.format is Format.PPTX
    only_message(result, "macro")


def test_empty_file_is_unknown(tmp_path):
    """An empty file is unknown."""
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    result = inspect_file(path)
    assert result.format is Format.UNKNOWN
    assert result.size == 0
    assert result.messages[0].startswith(UNKNOWN_PREFIX)


def test_labels_are_vietnamese():
    """Every format has a Vietnamese label; packages are the three zip formats."""
    assert Format.SCORM12.label == "Gói SCORM 1.2"
    assert Format.MP4.label == "Video MP4"
    assert all(fmt.label for fmt in Format)
    assert PACKAGE_FORMATS == {Format.SCORM12, Format.SCORM2004, Format.HTML5}
    assert Format("pdf") is Format.PDF


def test_sha256_of_streams_the_file():
    """sha256_of matches hashlib on a real file."""
    path = FILES / "python-pptx_just-two-mice.mp4"
    with open(path, "rb") as fh:
        assert sha256_of(fh) == hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------
# ClamAV through a fake clamd speaking INSTREAM


class FakeClamd:
    """A one-connection clamd: reads an INSTREAM upload, then sends ``reply`` (or nothing)."""

    def __init__(self, reply: bytes | None, family=socket.AF_INET, address=("127.0.0.1", 0)):
        self.reply = reply
        self.received = b""
        self.server = socket.socket(family, socket.SOCK_STREAM)
        self.server.bind(address)
        self.server.listen(1)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self):
        host, port = self.server.getsockname()
        return f"tcp://{host}:{port}"

    def _serve(self):
        conn, _ = self.server.accept()
        with conn:
            stream = conn.makefile("rb")
            assert stream.readline() == b"nINSTREAM\n"
            while True:
                (length,) = struct.unpack("!L", stream.read(4))
                if not length:
                    break
                self.received += stream.read(length)
            if self.reply is not None:
                conn.sendall(self.reply)
            else:
                self.done.wait(10)

    def close(self):
        self.done.set()
        self.thread.join(5)
        self.server.close()


@pytest.fixture
def fake_clamd():
    servers = []

    def start(reply, **kwargs):
        server = FakeClamd(reply, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


PDF = FILES / "py-pdf-sample-files_002-trivial-libre-office-writer.pdf"


def test_clamd_clean(fake_clamd):
    """A clean verdict after the whole file was streamed gives scan="clean"."""
    server = fake_clamd(b"stream: OK\n")
    result = inspect_file(PDF, clamd_url=server.url, clamd_timeout=5)
    assert result.scan == "clean"
    assert result.ok
    assert result.messages == []
    assert server.received == PDF.read_bytes()


def test_clamd_infected(fake_clamd):
    """An infected verdict fails the file and names the signature."""
    server = fake_clamd(b"stream: Eicar-Test-Signature FOUND\n")
    result = inspect_file(PDF, clamd_url=server.url, clamd_timeout=5)
    assert result.scan == "infected"
    assert not result.ok
    only_message(result, "Eicar-Test-Signature")


@pytest.mark.parametrize(
    "reply",
    [
        b"stream: Can't allocate memory ERROR\n",
        b"INSTREAM size limit exceeded. ERROR\n",
        b"stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND\n",
        b"",
    ],
    ids=["error", "size-limit", "limits-exceeded", "empty-reply"],
)
def test_clamd_could_not_scan(reply, fake_clamd):
    """A scanner error is "not_scanned" with a message, never "clean"."""
    server = fake_clamd(reply)
    result = inspect_file(PDF, clamd_url=server.url, clamd_timeout=5)
    assert result.scan == "not_scanned"
    assert any("Chưa quét được virus" in m for m in result.messages)


def test_clamd_timeout_is_not_scanned(fake_clamd):
    """A scanner that never answers is "not_scanned" after the timeout."""
    server = fake_clamd(None)
    started = time.monotonic()
    result = inspect_file(PDF, clamd_url=server.url, clamd_timeout=0.5)
    assert result.scan == "not_scanned"
    assert time.monotonic() - started < 5


def test_clamd_unreachable_is_not_scanned():
    """No scanner listening gives "not_scanned", with the format checks still done."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    result = inspect_file(PDF, clamd_url=f"tcp://127.0.0.1:{port}", clamd_timeout=2)
    assert result.scan == "not_scanned"
    assert result.format is Format.PDF


def test_clamd_bad_url_is_not_scanned():
    """A malformed clamd URL gives "not_scanned", not a crash."""
    result = inspect_file(PDF, clamd_url="http://clamav:3310")
    assert result.scan == "not_scanned"


def test_clamd_unix_socket(fake_clamd):
    """A unix:// clamd URL is supported."""
    folder = Path(tempfile.mkdtemp(prefix="clamd", dir="/tmp"))
    sock = folder / "c.sock"
    try:
        fake_clamd(b"stream: OK\n", family=socket.AF_UNIX, address=str(sock))
        result = inspect_file(PDF, clamd_url=f"unix://{sock}", clamd_timeout=5)
        assert result.scan == "clean"
    finally:
        sock.unlink(missing_ok=True)
        folder.rmdir()
