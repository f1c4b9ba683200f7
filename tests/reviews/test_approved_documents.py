"""Signed approvals (issue 10, item 6): an approval's PDF is produced once, stamped, signed when
the school has a certificate, downloadable within the minutes' scope, and recognised by the
"Kiểm tra văn bản" page."""

import datetime
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import ApprovedDocument, CaseState, Minutes, ReviewCase
from tests.documents.pdfcheck import pages_text
from tests.signing_ca import make_ca
from tests.workflow import return_for_changes, submit

pytestmark = pytest.mark.django_db

APPROVER = "Trần Văn Hùng"  # demo.tt, head of the mathematics department


def _approve_in_the_page(client, demo):
    """demo.gv submits; the department head approves on the case page; what the decision queued on
    commit runs (the approved document's build: Celery is eager without Redis)."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    client.force_login(demo.user("demo.tt"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("reviews:case_decide", args=[case.pk]),
            {"decision": "approve", "conclusion": "Đạt yêu cầu."},
        )
    assert response.status_code == 302, response.content.decode()[:500]
    assert ReviewCase.objects.get(pk=case.pk).state == CaseState.APPROVED
    return Minutes.objects.get(case=case)


def _download(client, user, minutes):
    client.force_login(user)
    return client.get(reverse("reviews:minutes_approved_pdf", args=[minutes.pk]))


def _pdf_bytes(response) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def _verify(client, user, pdf: bytes, name="van-ban.pdf"):
    client.force_login(user)
    upload = SimpleUploadedFile(name, pdf, content_type="application/pdf")
    return client.post(reverse("reviews:document_verify"), {"file": upload})


def _flip_one_byte(pdf: bytes) -> bytes:
    """One byte changed inside the first content stream: covered by the signature."""
    at = pdf.index(b"stream", pdf.index(b"/Contents")) + 40
    changed = bytearray(pdf)
    changed[at] ^= 0x01
    return bytes(changed)


def _pyhanko_status(pdf: bytes, root):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    (signature,) = reader.embedded_signatures
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    # pyHanko's own validator, straight; in a thread of its own because an earlier browser test's
    # Playwright loop may still run in this one (pyHanko's sync call refuses a running loop).
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(validate_pdf_signature, signature, context).result()


@pytest.fixture
def school_certificate(settings, monkeypatch, tmp_path):
    """A throwaway CA and a certificate for THCS Lê Quý Đôn, configured as the environment would."""
    ca = make_ca(tmp_path, signer_name="Trường THCS Lê Quý Đôn")
    settings.SIGNING_CERTIFICATES = {
        "THCS-LQD": {"p12": str(ca.p12_path), "password_env": "SIGNING_PASSWORD_LQD"}
    }
    monkeypatch.setenv("SIGNING_PASSWORD_LQD", ca.password)
    return ca


def test_signed_approval_validates_and_one_changed_byte_fails(client, demo, school_certificate):
    """Approved at a school with a certificate: the downloaded PDF carries the stamp and a PAdES
    signature that pyHanko's validator accepts against the throwaway root; one changed byte and it
    does not. The verify page says the same both ways."""
    minutes = _approve_in_the_page(client, demo)
    pdf = _pdf_bytes(_download(client, demo.user("demo.gv"), minutes))

    status = _pyhanko_status(pdf, school_certificate.root)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert "Trường THCS Lê Quý Đôn" in status.signing_cert.subject.human_friendly
    text = pages_text(pdf)[-1]
    assert "ĐÃ PHÊ DUYỆT" in text and APPROVER in text

    changed = _flip_one_byte(pdf)
    broken = _pyhanko_status(changed, school_certificate.root)
    assert not broken.intact and not broken.bottom_line

    page = _verify(client, demo.user("demo.gv.th"), pdf).content.decode()
    assert 'data-kind="unchanged"' in page and "Văn bản nguyên vẹn từ khi phê duyệt" in page
    assert APPROVER in page and "Trường THCS Lê Quý Đôn" in page and minutes.number in page
    assert "Có, của Trường THCS Lê Quý Đôn" in page
    page = _verify(client, demo.user("demo.gv.th"), changed).content.decode()
    assert 'data-kind="broken"' in page and "Văn bản đã bị thay đổi" in page
    assert "Văn bản nguyên vẹn" not in page

    client.force_login(demo.user("demo.gv"))
    detail = client.get(reverse("reviews:minutes_detail", args=[minutes.pk])).content.decode()
    assert "chữ ký số của Trường THCS Lê Quý Đôn" in detail


def test_without_a_certificate_the_stamp_alone_and_the_pages_say_so(client, demo, settings):
    """No certificate for the school: the PDF has the stamp (approver, "ĐÃ PHÊ DUYỆT") and no
    signature; the minutes page and the verify page say it is not digitally signed."""
    settings.SIGNING_CERTIFICATES = {}
    minutes = _approve_in_the_page(client, demo)
    document = ApprovedDocument.objects.get(minutes=minutes)
    assert document.is_ready and not document.signed and len(document.sha256) == 64
    pdf = _pdf_bytes(_download(client, demo.user("demo.gv"), minutes))
    text = pages_text(pdf)[-1]
    assert "ĐÃ PHÊ DUYỆT" in text and APPROVER in text and "Trường THCS Lê Quý Đôn" in text
    assert b"/ByteRange" not in pdf

    detail = client.get(reverse("reviews:minutes_detail", args=[minutes.pk])).content.decode()
    assert "Văn bản không được ký số" in detail and 'data-testid="approved-pdf"' in detail
    page = _verify(client, demo.user("demo.gv"), pdf).content.decode()
    assert 'data-kind="unchanged"' in page and "Văn bản không được ký số (chỉ có dấu phê duyệt)." in page
    assert reverse("reviews:minutes_detail", args=[minutes.pk]) in page


@pytest.mark.parametrize("username", ["demo.gv", "demo.tt", "demo.ht"])
def test_download_is_allowed_within_the_minutes_scope(client, demo, settings, username):
    """The author, the head who approved and the principal download the approved PDF."""
    settings.SIGNING_CERTIFICATES = {}
    minutes = _approve_in_the_page(client, demo)
    response = _download(client, demo.user(username), minutes)
    assert _pdf_bytes(response).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("username", ["demo.gv.th", "demo.ht.thpt", "demo.gv.thpt"])
def test_download_outside_the_scope_is_404_and_changes_nothing(client, demo, settings, username):
    """Another school's teacher or principal gets a 404, like the minutes; nothing changes."""
    settings.SIGNING_CERTIFICATES = {}
    minutes = _approve_in_the_page(client, demo)
    before = list(ApprovedDocument.objects.values())
    assert _download(client, demo.user(username), minutes).status_code == 404
    assert client.get(reverse("reviews:minutes_detail", args=[minutes.pk])).status_code == 404
    assert list(ApprovedDocument.objects.values()) == before


def test_anonymous_is_sent_to_sign_in(client, demo, settings):
    settings.SIGNING_CERTIFICATES = {}
    minutes = _approve_in_the_page(client, demo)
    client.logout()
    response = client.get(reverse("reviews:minutes_approved_pdf", args=[minutes.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(reverse("reviews:document_verify")).status_code == 302


def test_a_return_has_no_approved_document(client, demo):
    """Minutes of a return are not an approval: no approved document, its download is a 404."""
    case = submit(demo.user("demo.gv"), demo.unit("THCS-LQD-TOAN"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        return_for_changes(case)
    minutes = Minutes.objects.get(case=case)
    assert not ApprovedDocument.objects.exists()
    assert _download(client, demo.user("demo.gv"), minutes).status_code == 404


def test_a_failed_signature_keeps_the_decision_and_is_tried_again(
    client, demo, settings, monkeypatch, tmp_path
):
    """A certificate that cannot be read: the approval stands, the document waits ("đang tạo"),
    and the sweeper makes it once the certificate is fixed."""
    ca = make_ca(tmp_path, signer_name="Trường THCS Lê Quý Đôn")
    settings.SIGNING_CERTIFICATES = {"THCS-LQD": {"p12": str(tmp_path / "missing.p12")}}
    minutes = _approve_in_the_page(client, demo)
    document = ApprovedDocument.objects.get(minutes=minutes)
    assert document.status == ApprovedDocument.Status.PENDING and document.attempts == 1
    assert "SigningError" in document.last_error
    assert ReviewCase.objects.get(pk=minutes.case_id).state == CaseState.APPROVED

    response = _download(client, demo.user("demo.gv"), minutes)
    assert response.status_code == 202 and "đang được tạo" in response.content.decode()
    detail = client.get(reverse("reviews:minutes_detail", args=[minutes.pk])).content.decode()
    assert "Đang tạo bản PDF có dấu phê duyệt" in detail

    settings.SIGNING_CERTIFICATES = {
        "THCS-LQD": {"p12": str(ca.p12_path), "password_env": "SIGNING_PASSWORD_LQD"}
    }
    monkeypatch.setenv("SIGNING_PASSWORD_LQD", ca.password)
    ApprovedDocument.objects.filter(pk=document.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert services.approved_documents_sweep() == 1
    document.refresh_from_db()
    assert document.is_ready and document.signed and document.last_error == ""
    assert _pyhanko_status(_pdf_bytes(_download(client, demo.user("demo.gv"), minutes)), ca.root).bottom_line


# --- The verify page's errors ------------------------------------------------------------------


def test_verify_page_refuses_what_is_not_a_pdf(client, demo, settings):
    """Clear Vietnamese errors for no file, a non-PDF, a broken PDF and a file over the limit."""
    user = demo.user("demo.gv")
    client.force_login(user)
    response = client.post(reverse("reviews:document_verify"), {})
    assert response.status_code == 400 and "Hãy chọn tệp PDF cần kiểm tra." in response.content.decode()
    response = _verify(client, user, "Biên bản".encode(), name="bien-ban.txt")
    assert response.status_code == 400 and "Tệp này không phải văn bản PDF." in response.content.decode()
    response = _verify(client, user, b"%PDF-1.7\n" + bytes(range(256)) * 4)
    assert response.status_code == 400 and "Tệp PDF bị hỏng hoặc không đọc được." in response.content.decode()
    settings.VERIFY_MAX_BYTES = 1024 * 1024
    response = _verify(client, user, b"%PDF-1.7\n" + b"0" * (1024 * 1024))
    assert response.status_code == 400 and "Tệp quá lớn (tối đa 1 MB)." in response.content.decode()


def test_an_unknown_unsigned_pdf_is_unknown(client, demo):
    from weasyprint import HTML

    pdf = HTML(string="<p>Một văn bản khác</p>").write_pdf()
    page = _verify(client, demo.user("demo.gv"), pdf).content.decode()
    assert 'data-kind="unknown"' in page and "Không xác định được văn bản" in page


def test_verify_needs_csrf_and_is_rate_limited(demo, settings):
    """The upload is refused without the CSRF token; beyond the hourly limit a 429 with a message."""
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(demo.user("demo.gv"))
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.7", content_type="application/pdf")
    assert strict.post(reverse("reviews:document_verify"), {"file": upload}).status_code == 403

    settings.VERIFY_MAX_PER_HOUR = 1
    client = Client()
    assert _verify(client, demo.user("demo.gv"), b"not a pdf").status_code == 400
    response = _verify(client, demo.user("demo.gv"), b"not a pdf")
    assert response.status_code == 429 and "quá nhiều văn bản" in response.content.decode()
    cache.clear()
