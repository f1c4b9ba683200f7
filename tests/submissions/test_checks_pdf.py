"""PDF checks: encrypted and unreadable PDFs refused, the page count recorded, JavaScript and
embedded files warned about. Every PDF is built here with pypdf."""

import re
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from submissions.checks import Format, inspect_file
from submissions.checks import pdf as pdf_check
from submissions.checks.messages import (
    MSG_PDF_ENCRYPTED,
    MSG_PDF_JAVASCRIPT,
    MSG_PDF_NO_PAGES,
    MSG_PDF_UNREADABLE,
)

ENCRYPTED_TEXT = "Tệp PDF được đặt mật khẩu hoặc mã hoá"
UNREADABLE_TEXT = "Tệp PDF bị hỏng hoặc không đọc được cấu trúc"


def write_pdf(path: Path, pages: int = 1, build=None) -> Path:
    """A PDF of ``pages`` blank pages, after ``build(writer)`` has had its say."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if build:
        build(writer)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def js_action(code: str = "app.alert('xin chào');") -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Action"),
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject(code),
        }
    )


def test_plain_pdf_passes_with_its_page_count(tmp_path):
    """A plain three-page PDF passes, with three pages recorded and no warning."""
    result = inspect_file(write_pdf(tmp_path / "a.pdf", pages=3))
    assert result.format is Format.PDF
    assert result.ok, result.messages
    assert result.page_count == 3
    assert result.warnings == []


def test_real_pdf_fixture_counts_its_page():
    """The LibreOffice fixture (one page) is read by pypdf as one page."""
    path = (
        Path(__file__).resolve().parents[1]
        / "fixtures/files/py-pdf-sample-files_002-trivial-libre-office-writer.pdf"
    )
    result = inspect_file(path)
    assert result.ok
    assert result.page_count == 1


@pytest.mark.parametrize(
    ("user", "owner", "algorithm"),
    [
        ("mat-khau", None, "RC4-128"),  # asks for a password to open
        ("", "chu-so-huu", "RC4-128"),  # opens without one: "permissions only"
        ("", "chu-so-huu", "AES-256"),
    ],
)
def test_encrypted_pdf_is_refused(tmp_path, user, owner, algorithm):
    """An encrypted PDF is refused, even one that opens with an empty password."""
    path = write_pdf(
        tmp_path / "locked.pdf",
        pages=2,
        build=lambda w: w.encrypt(user, owner, algorithm=algorithm),
    )
    result = inspect_file(path)
    assert result.format is Format.PDF
    assert not result.ok
    assert result.messages == [MSG_PDF_ENCRYPTED]
    assert ENCRYPTED_TEXT in result.messages[0]
    assert "lưu lại tệp PDF mà không đặt mật khẩu" in result.messages[0]


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\nthis is not a PDF at all\n",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        b"%PDF-",
    ],
)
def test_unparseable_pdf_is_refused(tmp_path, content):
    """A file that starts like a PDF but cannot be parsed is refused with a clear message."""
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)
    result = inspect_file(path)
    assert result.format is Format.PDF
    assert not result.ok
    assert result.messages == [MSG_PDF_UNREADABLE]
    assert UNREADABLE_TEXT in result.messages[0]


def test_truncated_pdf_is_refused(tmp_path):
    """The first half of a real PDF (an interrupted export) is refused, not accepted."""
    whole = write_pdf(tmp_path / "whole.pdf", pages=4).read_bytes()
    path = tmp_path / "half.pdf"
    path.write_bytes(whole[: len(whole) // 3])
    result = inspect_file(path)
    assert not result.ok
    assert result.messages in ([MSG_PDF_UNREADABLE], [MSG_PDF_NO_PAGES])


def test_pdf_without_pages_is_refused(tmp_path):
    """A PDF with an empty page tree is refused: there is nothing to show."""
    result = inspect_file(write_pdf(tmp_path / "empty.pdf", pages=0))
    assert not result.ok
    assert result.messages == [MSG_PDF_NO_PAGES]
    assert result.page_count == 0


def test_page_tree_cycle_does_not_hang(tmp_path):
    """A page tree whose /Kids point back at the root is walked once, not forever."""

    def loop(writer):
        pages = writer.root_object["/Pages"]
        pages.get_object()["/Kids"].append(writer.root_object.raw_get("/Pages"))

    result = inspect_file(write_pdf(tmp_path / "loop.pdf", pages=2, build=loop))
    assert result.ok, result.messages
    assert result.page_count == 2


def test_whole_file_reads_are_capped(tmp_path, monkeypatch):
    """A PDF pypdf could only read by loading it whole is refused once it is over the cap."""
    padded = write_pdf(
        tmp_path / "padded.pdf", pages=2, build=lambda w: w.add_metadata({"/Subject": "x" * 60_000})
    ).read_bytes()
    path = tmp_path / "bad-startxref.pdf"
    # A wrong startxref pointer makes pypdf rebuild the xref table from a read of the whole file.
    path.write_bytes(re.sub(rb"startxref\s+\d+", b"startxref\n9", padded))
    assert inspect_file(path).page_count == 2  # under the cap, the repair succeeds
    monkeypatch.setattr(pdf_check, "MAX_WHOLE_READ", 16 * 1024)
    assert inspect_file(tmp_path / "padded.pdf").ok  # a sound PDF never needs the big read
    result = inspect_file(path)
    assert not result.ok
    assert result.messages == [MSG_PDF_UNREADABLE]


@pytest.mark.parametrize(
    "where",
    ["names_tree", "open_action", "document_aa", "page_aa", "link_annotation", "next_chain"],
)
def test_javascript_is_a_warning(tmp_path, where):
    """JavaScript, wherever a viewer would run it, is a warning; the PDF still passes."""

    def add(writer):
        root = writer.root_object
        page = writer.pages[0]
        if where == "names_tree":
            names = DictionaryObject(
                {
                    NameObject("/Names"): ArrayObject(
                        [TextStringObject("init"), writer._add_object(js_action())]
                    )
                }
            )
            root[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): names})
        elif where == "open_action":
            root[NameObject("/OpenAction")] = writer._add_object(js_action())
        elif where == "document_aa":
            root[NameObject("/AA")] = DictionaryObject({NameObject("/WC"): js_action()})
        elif where == "page_aa":
            page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): js_action()})
        elif where in ("link_annotation", "next_chain"):
            action = js_action()
            if where == "next_chain":
                action = DictionaryObject(
                    {
                        NameObject("/S"): NameObject("/URI"),
                        NameObject("/URI"): TextStringObject("https://example.org"),
                        NameObject("/Next"): ArrayObject([js_action()]),
                    }
                )
            annotation = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Link"),
                    NameObject("/Rect"): ArrayObject([]),
                    NameObject("/A"): action,
                }
            )
            page[NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])

    result = inspect_file(write_pdf(tmp_path / "js.pdf", pages=2, build=add))
    assert result.ok, result.messages
    assert result.page_count == 2
    assert result.warnings == [MSG_PDF_JAVASCRIPT]
    assert "không được chạy" in result.warnings[0]


def test_javascript_added_by_pypdf_open_action_is_a_warning(tmp_path):
    """The open action pypdf itself writes is recognised too."""
    from pypdf.actions import JavaScript

    result = inspect_file(
        write_pdf(tmp_path / "js.pdf", build=lambda w: w.add_open_action(JavaScript("this.print();")))
    )
    assert result.ok
    assert result.warnings == [MSG_PDF_JAVASCRIPT]


def test_link_to_a_web_page_is_not_javascript(tmp_path):
    """A plain URI link annotation gives no warning."""

    def add(writer):
        writer.add_annotation(
            0,
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Link"),
                    NameObject("/Rect"): ArrayObject([]),
                    NameObject("/A"): DictionaryObject(
                        {
                            NameObject("/S"): NameObject("/URI"),
                            NameObject("/URI"): TextStringObject("https://moet.gov.vn"),
                        }
                    ),
                }
            ),
        )

    result = inspect_file(write_pdf(tmp_path / "link.pdf", build=add))
    assert result.ok
    assert result.warnings == []


def test_embedded_files_are_a_warning_naming_them(tmp_path):
    """Attached files are named in a warning; the PDF still passes."""

    def add(writer):
        writer.add_attachment("đáp-án.docx", b"PK\x03\x04 not really")
        writer.add_attachment("bai-tap.xlsx", b"data")

    result = inspect_file(write_pdf(tmp_path / "att.pdf", build=add))
    assert result.ok, result.messages
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert warning.startswith("Tệp PDF có đính kèm tệp khác bên trong (")
    assert "đáp-án.docx" in warning and "bai-tap.xlsx" in warning
    assert "không mở được các tệp đính kèm" in warning


def test_javascript_and_attachment_both_warned(tmp_path):
    """A PDF with both gets both warnings, scripts first."""

    def add(writer):
        writer.add_attachment("a.txt", b"x")
        writer.root_object[NameObject("/OpenAction")] = js_action()

    result = inspect_file(write_pdf(tmp_path / "both.pdf", build=add))
    assert result.ok
    assert result.warnings[0] == MSG_PDF_JAVASCRIPT
    assert "a.txt" in result.warnings[1]
