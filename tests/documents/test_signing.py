"""The signing component (elearning/signing.py) on its own: the stamp, a PAdES signature made with
a throwaway CA, and checking it back (issue 10, item 6)."""

import datetime
import io

import pytest
from weasyprint import HTML

from elearning import signing
from tests.documents.pdfcheck import pages_text
from tests.signing_ca import make_ca

DAY = datetime.date(2026, 9, 14)


def _pdf(paragraphs: int) -> bytes:
    """A4 with 10 mm margins and 15.5 pt lines: 50 paragraphs fill one page to the bottom."""
    style = "@page { size: A4; margin: 10mm } body { margin: 0 } p { margin: 0; font-size: 13pt; line-height: 15.5pt }"
    body = "".join(f"<p>Đoạn văn thứ {i}: nội dung kiểm tra chữ có dấu.</p>" for i in range(paragraphs))
    return HTML(string=f"<html><head><style>{style}</style></head><body>{body}</body></html>").write_pdf()


def _stamped(pdf: bytes) -> bytes:
    return signing.stamp_pdf(
        pdf,
        who="Nguyễn Thị Hương",
        role="Tổ trưởng",
        unit="Trường THCS Lê Quý Đôn",
        date=DAY,
        number="7/BB-THCSLQĐ",
    )


def _flip_inside_signed_range(pdf: bytes) -> bytes:
    """One byte changed inside the first page's content stream (covered by the signature)."""
    at = pdf.index(b"stream", pdf.index(b"/Contents")) + 40
    changed = bytearray(pdf)
    changed[at] ^= 0x01
    return bytes(changed)


def test_stamp_is_on_the_last_page_with_the_approver():
    """A short document keeps its one page; the stamp's text (with diacritics) is on it."""
    pages = pages_text(_stamped(_pdf(3)))
    assert len(pages) == 1
    text = pages[0]
    assert "ĐÃ PHÊ DUYỆT" in text and "Nguyễn Thị Hương – Tổ trưởng" in text
    assert "Trường THCS Lê Quý Đôn" in text and "Ngày 14/09/2026 · Số: 7/BB-THCSLQĐ" in text
    assert "Đoạn văn thứ 2" in text


def test_a_full_last_page_gets_the_stamp_on_a_page_of_its_own():
    """When the last page has no room, the stamp goes on an added last page; nothing is covered."""
    original = pages_text(_pdf(50))
    assert len(original) == 1 and "Đoạn văn thứ 49" in original[0]
    pages = pages_text(_stamped(_pdf(50)))
    assert len(pages) == 2
    assert "ĐÃ PHÊ DUYỆT" in pages[-1] and "ĐÃ PHÊ DUYỆT" not in pages[-2]


def test_signature_validates_against_the_root_and_fails_after_one_byte(tmp_path):
    """Signed with the unit's certificate: intact, valid, trusted by the throwaway root, whole file.
    One byte changed inside the signed range: no longer intact."""
    ca = make_ca(tmp_path, signer_name="Trường THCS Lê Quý Đôn")
    signed = signing.sign_pdf(_stamped(_pdf(3)), str(ca.p12_path), ca.password, location="Hải Phòng")
    result = signing.verify_pdf(signed, trust_roots=[ca.root])
    assert result.signed and result.intact and result.valid and result.trusted and result.whole_file
    assert result.unchanged_since_signing and result.signer == "Trường THCS Lê Quý Đôn"
    assert "ĐÃ PHÊ DUYỆT" in pages_text(signed)[-1]

    broken = signing.verify_pdf(_flip_inside_signed_range(signed), trust_roots=[ca.root])
    assert broken.signed and not broken.intact and not broken.valid and not broken.unchanged_since_signing

    untrusted = signing.verify_pdf(signed, trust_roots=[])
    assert untrusted.valid and not untrusted.trusted


def test_an_update_appended_after_signing_is_seen(tmp_path):
    """A page added by an incremental update after signing: the signature is still intact but no
    longer covers the whole file."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    ca = make_ca(tmp_path, signer_name="Phòng GDĐT")
    signed = signing.sign_pdf(_pdf(2), str(ca.p12_path), ca.password)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.set_info(generic.DictionaryObject({generic.NameObject("/Title"): generic.TextStringObject("Sửa")}))
    out = io.BytesIO()
    writer.write(out)
    result = signing.verify_pdf(out.getvalue(), trust_roots=[ca.root])
    assert result.signed and result.intact and not result.whole_file and not result.unchanged_since_signing


def test_wrong_password_is_a_signing_error(tmp_path):
    ca = make_ca(tmp_path, signer_name="Phòng GDĐT")
    with pytest.raises(signing.SigningError):
        signing.sign_pdf(_pdf(1), str(ca.p12_path), "sai")


def test_garbage_and_unsigned_pdf():
    """Bytes that are not a PDF are unreadable; an unsigned PDF reads as not signed."""
    assert signing.verify_pdf(b"not a pdf at all").readable is False
    result = signing.verify_pdf(_pdf(1))
    assert result.readable and not result.signed


def test_certificate_from_settings(settings, monkeypatch):
    """A unit's entry: a bare path, or a path and the name of the variable holding the password."""
    settings.SIGNING_CERTIFICATES = {
        "A": "/etc/a.p12",
        "B": {"p12": "/etc/b.p12", "password_env": "SIGNING_PASSWORD_B"},
    }
    monkeypatch.setenv("SIGNING_PASSWORD_B", "bí mật")
    assert signing.certificate_for("A") == signing.Certificate("A", "/etc/a.p12", None)
    assert signing.certificate_for("B").password == "bí mật".encode()
    assert signing.certificate_for("C") is None


def test_the_configured_certificates_roots_are_trusted(settings, monkeypatch, tmp_path):
    """By default the verification trusts the roots inside the configured PKCS#12 files."""
    ca = make_ca(tmp_path, signer_name="Trường THCS Lê Quý Đôn")
    signed = signing.sign_pdf(_pdf(1), str(ca.p12_path), ca.password)
    settings.SIGNING_CERTIFICATES = {}
    assert not signing.verify_pdf(signed).trusted
    settings.SIGNING_CERTIFICATES = {
        "THCS-LQD": {"p12": str(ca.p12_path), "password_env": "SIGNING_PASSWORD_LQD"}
    }
    monkeypatch.setenv("SIGNING_PASSWORD_LQD", ca.password)
    assert signing.verify_pdf(signed).trusted
