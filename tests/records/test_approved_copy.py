"""A professional record's approval gives an approved copy (issue 10, item 6): the version's own
file as a PDF with the approval stamp, signed when the school has a certificate, downloadable
within the record's scope and recognised by "Kiểm tra văn bản"; the original stays as it was."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from reviews import services
from reviews.models import ApprovedDocument
from submissions.models import RecordVersion
from tests.documents.pdfcheck import pages_text
from tests.signing_ca import make_ca

from .builders import DOCX, PDF, submit_lesson_plan, submit_plan, upload

pytestmark = pytest.mark.django_db

HEAD = "Trần Văn Hùng"  # demo.tt, head of the mathematics department


def _approve(demo, case, username="demo.tt"):
    # What the decision queues on commit runs (the copy's build: Celery is eager without Redis).
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.record_decide(case=case, actor=demo.user(username), approve=True)
    return ApprovedDocument.objects.get(record_version=case.record_version)


def _download(client, user, case):
    client.force_login(user)
    return client.get(reverse("records:approved_pdf", args=[case.record_id, case.record_version.number]))


def _pdf(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def _verify(client, user, pdf: bytes):
    client.force_login(user)
    return client.post(
        reverse("reviews:document_verify"),
        {"file": SimpleUploadedFile("ke-hoach.pdf", pdf, content_type="application/pdf")},
    ).content.decode()


def test_an_approved_teacher_plan_has_a_stamped_copy_and_the_original_is_kept(client, demo, settings):
    """No certificate: the copy is the teacher's PDF with the stamp (who, role, unit) on its last
    page and no signature; the original file downloads unchanged; the verify page knows the copy
    and links to the record; a returned record has no copy."""
    settings.SIGNING_CERTIFICATES = {}
    case = submit_plan(demo, "teacher_plan", "demo.gv", "THCS-LQD-TOAN")
    assert not ApprovedDocument.objects.exists()
    document = _approve(demo, case)
    assert document.is_ready and not document.signed and len(document.sha256) == 64
    assert document.unit_name == "Trường THCS Lê Quý Đôn"

    pdf = _pdf(_download(client, demo.user("demo.gv"), case))
    text = pages_text(pdf)[-1]
    assert "ĐÃ PHÊ DUYỆT" in text and HEAD in text and "Tổ trưởng chuyên môn" in text
    assert b"/ByteRange" not in pdf
    original = client.get(reverse("records:file", args=[case.record_id, 1]))
    assert b"".join(original.streaming_content) == PDF.read_bytes()

    page = client.get(reverse("records:detail", args=[case.record_id])).content.decode()
    assert 'data-testid="record-approved-copy"' in page
    # The history speaks of a record, not of a lecture.
    assert "Nộp hồ sơ" in page and "Nộp bài" not in page
    result = _verify(client, demo.user("demo.gv"), pdf)
    assert 'data-kind="unchanged"' in result and HEAD in result
    assert reverse("records:detail", args=[case.record_id]) in result

    returned = submit_lesson_plan(demo)
    services.record_decide(case=returned, actor=demo.user("demo.tt"), approve=False, comment="Bổ sung.")
    assert not ApprovedDocument.objects.filter(record_version=returned.record_version).exists()


def test_a_docx_plan_is_converted_for_the_stamp_and_signed_with_the_schools_certificate(
    client, demo, settings, monkeypatch, tmp_path
):
    """A DOCX teacher plan: LibreOffice converts it, the stamp and a PAdES signature of the
    school's throwaway certificate are added; pyHanko's validator accepts it, and one changed byte
    breaks it. The version keeps its DOCX."""
    if not __import__("shutil").which(settings.LIBREOFFICE_BINARY):
        pytest.skip("LibreOffice is not installed here (CI installs it)")
    ca = make_ca(tmp_path, signer_name="Trường THCS Lê Quý Đôn")
    settings.SIGNING_CERTIFICATES = {"THCS-LQD": {"p12": str(ca.p12_path), "password_env": "SIGN_PW"}}
    monkeypatch.setenv("SIGN_PW", ca.password)
    case = submit_plan(demo, "teacher_plan", "demo.gv", "THCS-LQD-TOAN", upload=upload(DOCX))
    assert RecordVersion.objects.get(pk=case.record_version_id).format == "docx"
    document = _approve(demo, case)
    assert document.is_ready and document.signed, document.last_error

    pdf = _pdf(_download(client, demo.user("demo.ht"), case))
    assert pdf.startswith(b"%PDF") and "ĐÃ PHÊ DUYỆT" in pages_text(pdf)[-1]

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    def status(data):
        import io

        (signature,) = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
        context = ValidationContext(trust_roots=[ca.root], allow_fetching=False)
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(validate_pdf_signature, signature, context).result()

    good = status(pdf)
    assert good.intact and good.valid and good.trusted
    at = pdf.index(b"stream", pdf.index(b"/Contents")) + 40
    changed = bytearray(pdf)
    changed[at] ^= 0x01
    assert not status(bytes(changed)).intact
    assert 'data-kind="broken"' in _verify(client, demo.user("demo.gv"), bytes(changed))


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("demo.gv", 200),  # the owner
        ("demo.tt", 200),  # the department head (approver)
        ("demo.ht", 200),  # the school's leadership
        ("demo.phong", 200),  # the district office of the school
        ("demo.gv.van", 404),  # another teacher of the school
        ("demo.phong.lc", 404),  # another district
        ("demo.ht.thpt", 404),  # another school's principal
    ],
)
def test_the_copy_downloads_within_the_records_scope_only(client, demo, settings, username, status):
    settings.SIGNING_CERTIFICATES = {}
    case = submit_plan(demo, "teacher_plan", "demo.gv", "THCS-LQD-TOAN")
    before = _approve(demo, case).sha256
    response = _download(client, demo.user(username), case)
    assert response.status_code == status
    assert ApprovedDocument.objects.get(record_version=case.record_version).sha256 == before
