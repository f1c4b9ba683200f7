"""Office checks: the slide count of a presentation, and empty presentations and documents
refused. Every file is built here, minimal, with zipfile."""

import zipfile
from pathlib import Path

import pytest

from submissions.checks import Format, inspect_file
from submissions.checks.messages import MSG_DOCX_EMPTY, MSG_PPTX_NO_SLIDES

PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def content_types(part: str, main_type: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main_type}"/></Types>'
    )


def make_pptx(path: Path, slides: int, *, presentation: str | None = None) -> Path:
    ids = "".join(f'<p:sldId id="{256 + i}" r:id="rId{i + 2}"/>' for i in range(slides))
    slide_list = f"<p:sldIdLst>{ids}</p:sldIdLst>" if slides else ""
    xml = presentation or (
        f'<?xml version="1.0" encoding="UTF-8"?><p:presentation xmlns:p="{P_NS}" xmlns:r="{R_NS}">'
        f'<p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/></p:sldMasterIdLst>'
        f'{slide_list}<p:sldSz cx="9144000" cy="6858000"/></p:presentation>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types("ppt/presentation.xml", PPTX_MAIN))
        zf.writestr("ppt/presentation.xml", xml)
        for i in range(slides):
            zf.writestr(f"ppt/slides/slide{i + 1}.xml", f'<p:sld xmlns:p="{P_NS}"/>')
    return path


def make_docx(path: Path, body: str, compression=zipfile.ZIP_DEFLATED) -> Path:
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}" '
        'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math">'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )
    with zipfile.ZipFile(path, "w", compression) as zf:
        zf.writestr("[Content_Types].xml", content_types("word/document.xml", DOCX_MAIN))
        zf.writestr("word/document.xml", xml)
    return path


@pytest.mark.parametrize("slides", [1, 3, 40])
def test_presentation_slide_count_is_recorded(tmp_path, slides):
    """The slides listed in ppt/presentation.xml are counted and the file passes."""
    result = inspect_file(make_pptx(tmp_path / "a.pptx", slides))
    assert result.format is Format.PPTX
    assert result.ok, result.messages
    assert result.slide_count == slides
    assert result.page_count is None


def test_real_presentation_fixture_has_one_slide():
    """The python-pptx fixture has one slide."""
    result = inspect_file(Path(__file__).resolve().parents[1] / "fixtures/files/python-pptx_test.pptx")
    assert result.ok
    assert result.slide_count == 1


def test_presentation_without_slides_is_refused(tmp_path):
    """A presentation that lists no slide is refused: there is nothing to review."""
    result = inspect_file(make_pptx(tmp_path / "empty.pptx", 0))
    assert result.format is Format.PPTX
    assert not result.ok
    assert result.messages == [MSG_PPTX_NO_SLIDES]
    assert "không có trang chiếu nào" in result.messages[0]
    assert result.slide_count == 0


def test_unreadable_presentation_part_is_refused(tmp_path):
    """A presentation.xml that is not XML is refused as a broken Office file."""
    result = inspect_file(make_pptx(tmp_path / "broken.pptx", 0, presentation="<p:presentation"))
    assert not result.ok
    assert result.messages == [
        "Tệp Office bị hỏng: không đọc được phần nội dung chính (ppt/presentation.xml) — "
        "hãy lưu lại tệp và tải lên lại."
    ]
    assert result.slide_count is None


def test_presentation_with_entities_is_refused(tmp_path):
    """An entity declaration in presentation.xml is never expanded; the file is refused."""
    xml = (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">]>'
        f'<p:presentation xmlns:p="{P_NS}"><p:sldIdLst><p:sldId id="256"/></p:sldIdLst>&a;</p:presentation>'
    )
    result = inspect_file(make_pptx(tmp_path / "entities.pptx", 0, presentation=xml))
    assert not result.ok
    assert "không đọc được phần nội dung chính" in result.messages[0]


@pytest.mark.parametrize(
    "body",
    [
        "<w:p><w:r><w:t>Bài 1: Phân số</w:t></w:r></w:p>",
        "<w:p/>" * 50 + "<w:p><w:r><w:t xml:space='preserve'> x </w:t></w:r></w:p>",
        "<w:p><w:r><w:drawing/></w:r></w:p>",  # a scanned worksheet: pictures only
        "<w:p><w:r><w:pict/></w:r></w:p>",
        "<w:p><m:oMath><m:r><m:t>x²</m:t></m:r></m:oMath></w:p>",
    ],
)
def test_document_with_content_passes(tmp_path, body):
    """A document with any text, equation or picture passes; a DOCX has no page count yet."""
    result = inspect_file(make_docx(tmp_path / "a.docx", body))
    assert result.format is Format.DOCX
    assert result.ok, result.messages
    assert result.page_count is None
    assert result.slide_count is None


@pytest.mark.parametrize(
    "body",
    [
        "",
        "<w:p/><w:p/>",
        "<w:p><w:r><w:t>   </w:t></w:r></w:p>",
        "<w:p><w:pPr><w:jc w:val='center'/></w:pPr></w:p>",
    ],
)
def test_document_without_content_is_refused(tmp_path, body):
    """A document with no text and no picture is refused with its own message."""
    result = inspect_file(make_docx(tmp_path / "empty.docx", body))
    assert result.format is Format.DOCX
    assert not result.ok
    assert result.messages == [MSG_DOCX_EMPTY]
    assert result.messages[0].startswith("Tài liệu Word không có nội dung")


def test_real_document_fixture_passes():
    """The python-docx fixture has text and passes."""
    result = inspect_file(Path(__file__).resolve().parents[1] / "fixtures/files/python-docx_test.docx")
    assert result.ok


def test_broken_document_part_is_refused(tmp_path):
    """A word/document.xml cut in the middle is refused as broken, not as empty."""
    path = tmp_path / "cut.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", content_types("word/document.xml", DOCX_MAIN))
        zf.writestr("word/document.xml", f'<w:document xmlns:w="{W_NS}"><w:body><w:p>')
    result = inspect_file(path)
    assert not result.ok
    assert "không đọc được phần nội dung chính (word/document.xml)" in result.messages[0]


def test_long_document_stops_reading_at_the_first_text(tmp_path, monkeypatch):
    """The scan of a long document stops at its first text (it never parses the rest)."""
    from submissions.checks import office

    body = "<w:p><w:r><w:t>Mở đầu</w:t></w:r></w:p>" + "<w:p/>" * 200_000 + "<w:p><broken"
    result = inspect_file(make_docx(tmp_path / "long.docx", body, zipfile.ZIP_STORED))
    assert result.ok, result.messages  # the broken tail was never reached
    blank = make_docx(tmp_path / "blank.docx", "<w:p/>" * 200_000, zipfile.ZIP_STORED)
    assert inspect_file(blank).messages == [MSG_DOCX_EMPTY]
    monkeypatch.setattr(office, "MAX_DOCUMENT_SCAN_BYTES", 64 * 1024)
    assert inspect_file(blank).ok  # past the cap, the document is given the benefit of the doubt
