"""The approved document of a decision (issue 10, item 6): produced once, stamped, signed when the
issuing unit has a certificate, stored with its SHA-256.

`approved_document_request` is the one call a decision makes (inside its transaction): it writes
the pending row and queues the build on commit. The build (`approved_document_build`, by
`reviews.tasks.approved_document_task`) renders, stamps, signs and stores outside any lock, then
marks the row ready under one; a failure is logged and kept on the row, the decision stands, and
the sweeper (`approved_documents_sweep`, every five minutes) tries again.

A professional record's approval (`approved_record_request`, from
`reviews.services.records.record_version_approved`) makes its row the same way; its source is the
version's own file: a PDF as it is, a DOCX converted by LibreOffice (the original is kept on the
version). Stamping, signing, storing, the download and "Kiểm tra văn bản" are shared.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import RoleAssignment, Unit
from elearning import signing
from submissions import conversion

from ..models import ApprovedDocument, Minutes, ReviewLevel
from ..pdf import minutes_context, minutes_pdf_bytes

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
SWEEP_AFTER = datetime.timedelta(minutes=2)


def _issuer(minutes: Minutes):
    case = minutes.case
    return case.lecture.school if case.level == ReviewLevel.SCHOOL else case.unit


def approved_document_request(*, minutes: Minutes) -> ApprovedDocument:
    """The pending approved document of an approval's minutes; its build is queued on commit.
    Call inside the decision's transaction."""
    from ..tasks import approved_document_task

    case = minutes.case
    reviewers = minutes.reviewers or []
    # The title is part of the document: in the platform's language, whoever decided.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Biên bản thẩm định bài giảng “%(title)s” (phiên bản %(version)s, %(level)s)") % {
            "title": case.lecture.title,
            "version": case.version.number,
            "level": minutes.get_level_display().lower(),
        }
    document = ApprovedDocument.objects.create(
        minutes=minutes,
        title=title,
        signer_name=minutes.decided_by.get_full_name(),
        signer_role=reviewers[0].get("role", "") if reviewers else "",
        unit_name=minutes.unit_name,
        unit_code=_issuer(minutes).code,
        number=minutes.number,
        approved_at=minutes.decided_at,
    )
    approved_document_task.delay_on_commit(document.pk)
    return document


def _record_issuer(case):
    """The unit whose header and certificate a record's approval carries: the school for what the
    head or the school's leaders approve, the office for a school plan it acknowledges."""
    if case.unit.kind in (Unit.Kind.DEPARTMENT, Unit.Kind.SCHOOL):
        return case.record.school
    return case.unit


def _signer_role(actor, case) -> str:
    """The approver's role at the deciding unit, as the stamp prints it ("Tổ trưởng chuyên môn")."""
    Role = RoleAssignment.Role
    deciding = [Role.DEPARTMENT_HEAD, Role.PRINCIPAL, Role.VICE_PRINCIPAL, Role.DISTRICT_OFFICER]
    deciding += [Role.CITY_LEADER, Role.CITY_SPECIALIST]
    mine = RoleAssignment.objects.filter(user=actor, role__in=deciding).select_related("unit")
    assignment = next(
        (a for unit in (case.unit, case.record.school) for a in mine if a.unit_id == unit.pk),
        next(iter(mine), None),
    )
    if assignment is None:
        return ""
    return f"{assignment.get_role_display()} – {assignment.unit.name}"


def approved_record_request(*, case, actor) -> ApprovedDocument:
    """The pending approved document of a record version's approval (or a school plan's
    acknowledgement); its build is queued on commit. Call inside the decision's transaction."""
    from ..tasks import approved_document_task

    version = case.record_version
    issuer = _record_issuer(case)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(record)s (phiên bản %(version)s)") % {"record": case.record, "version": version.number}
        role = _signer_role(actor, case)
    document = ApprovedDocument.objects.create(
        record_version=version,
        title=title[:500],
        signer_name=actor.get_full_name() or actor.username,
        signer_role=role[:300],
        unit_name=issuer.name,
        unit_code=issuer.code,
        approved_at=case.decided_at or timezone.now(),
    )
    approved_document_task.delay_on_commit(document.pk)
    return document


def _record_pdf(version) -> bytes:
    """The record version's file as a PDF: as it is, or converted from DOCX by LibreOffice."""
    with version.file.open("rb") as fh:
        data = fh.read()
    if version.format == "pdf":
        return data
    with tempfile.TemporaryDirectory(prefix="approved-") as tmp:
        work = Path(tmp)
        source = work / f"source.{version.format}"
        source.write_bytes(data)
        out = work / "convert"
        out.mkdir()
        pdf = conversion.convert_to_pdf(
            source, out, binary=settings.LIBREOFFICE_BINARY, timeout=settings.PREVIEW_CONVERT_TIMEOUT_SECONDS
        )
        return pdf.read_bytes()


def _source_pdf(document: ApprovedDocument) -> bytes:
    """The document as approved, before the stamp: chosen by the key that is set."""
    if document.minutes_id:
        return minutes_pdf_bytes(minutes_context(document.minutes))
    if document.record_version_id:
        return _record_pdf(document.record_version)
    raise ValueError(f"approved document {document.pk} has no source")


def _render(document: ApprovedDocument) -> tuple[bytes, str]:
    """The approved PDF's bytes and the signing certificate's subject ("" when not signed)."""
    pdf = _source_pdf(document)
    day = timezone.localtime(document.approved_at).date()
    pdf = signing.stamp_pdf(
        pdf,
        who=document.signer_name,
        role=document.signer_role,
        unit=document.unit_name,
        date=day,
        number=document.number,
    )
    certificate = signing.certificate_for(document.unit_code)
    if certificate is None:
        return pdf, ""
    pdf = signing.sign_pdf(
        pdf,
        certificate.p12_path,
        certificate.password,
        reason=_("Phê duyệt %(number)s") % {"number": document.number or document.title},
        location=document.unit_name,
        name=document.signer_name,
    )
    return pdf, signing.certificate_subject(certificate.p12_path, certificate.password)


def approved_document_build(*, document_id: int) -> bool:
    """Builds and stores the document if it is still pending; True when it is ready. Never raises
    for a failed render or signature: the error is logged and kept on the row."""
    document = (
        ApprovedDocument.objects.select_related("minutes__case__lecture", "record_version")
        .filter(pk=document_id)
        .first()
    )
    if document is None or document.status == ApprovedDocument.Status.READY:
        return document is not None
    try:
        with translation.override(settings.LANGUAGE_CODE):
            pdf, subject = _render(document)
    except Exception as exc:  # a broken certificate, WeasyPrint, the storage: try again later
        logger.exception("approved document %s could not be built", document_id)
        ApprovedDocument.objects.filter(pk=document_id).update(
            attempts=document.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return False
    digest = hashlib.sha256(pdf).hexdigest()
    name = f"{digest[:16]}.pdf"
    with transaction.atomic():
        document = ApprovedDocument.objects.select_for_update().get(pk=document_id)
        if document.status == ApprovedDocument.Status.READY:
            return True  # another worker finished first
        document.file.save(name, ContentFile(pdf), save=False)
        document.sha256 = digest
        document.signed = bool(subject)
        document.certificate_subject = subject
        document.status = ApprovedDocument.Status.READY
        document.generated_at = timezone.now()
        document.attempts += 1
        document.last_error = ""
        document.save()
    return True


def approved_documents_sweep() -> int:
    """Builds the pending documents whose first build failed or was lost; returns how many are now
    ready."""
    stale = ApprovedDocument.objects.filter(
        status=ApprovedDocument.Status.PENDING,
        attempts__lt=MAX_ATTEMPTS,
        created_at__lt=timezone.now() - SWEEP_AFTER,
    ).values_list("pk", flat=True)
    return sum(approved_document_build(document_id=pk) for pk in list(stale))


def approved_document_matching(pdf: bytes) -> ApprovedDocument | None:
    """The ready approved document whose bytes are exactly these."""
    digest = hashlib.sha256(pdf).hexdigest()
    return (
        ApprovedDocument.objects.filter(status=ApprovedDocument.Status.READY, sha256=digest)
        .select_related("minutes", "record_version")
        .first()
    )
