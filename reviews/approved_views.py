"""The approved document's download and the "Kiểm tra văn bản" page (issue 10, item 6)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from elearning import signing
from elearning.http import attachment_response
from elearning.ratelimit import rate_limit_hit
from submissions.record_rules import can_view_record

from . import selectors, services
from .forms import VerifyUploadForm
from .models import ApprovedDocument

HOUR = 60 * 60


@login_required
def minutes_approved_pdf(request, pk):
    """The stamped (and signed) PDF of an approval, for whoever may read the minutes; while it is
    being made, a page that says so and looks again in a little while."""
    # SECURITY: the same scope as the minutes page; outside it a 404.
    minutes = get_object_or_404(selectors.minutes_visible_to(request.user), pk=pk)
    document = ApprovedDocument.objects.filter(minutes=minutes).first()
    if document is None:
        raise Http404
    if not document.is_ready:
        return render(
            request, "reviews/approved_pending.html", {"minutes": minutes, "document": document}, status=202
        )
    filename = (
        f"bien-ban-phe-duyet-{minutes.case.lecture_id}-v{minutes.case.version.number}-{minutes.level}.pdf"
    )
    return attachment_response(key=document.file.name, filename=filename, content_type="application/pdf")


def _outcome(user, pdf: bytes) -> dict:
    """What the page says about the PDF: `kind` is one of unchanged, modified, broken,
    signed_unknown, unknown."""
    document = services.approved_document_matching(pdf)
    if document is not None:
        readable = (
            document.minutes_id and selectors.minutes_visible_to(user).filter(pk=document.minutes_id).exists()
        )
        record_link = document.record_version_id and can_view_record(user, document.record_version.record)
        return {
            "kind": "unchanged",
            "document": document,
            "minutes_link": readable,
            "record_link": record_link,
        }
    check = signing.verify_pdf(pdf)
    if not check.signed:
        return {"kind": "unknown", "check": check}
    if not check.valid:
        return {"kind": "broken", "check": check}
    if not check.whole_file:
        return {"kind": "modified", "check": check}
    return {"kind": "signed_unknown", "check": check}


@login_required
def document_verify(request):
    """Anyone signed in uploads a PDF and learns whether it is an approved document unchanged since
    its approval. Changes nothing (a POST only because it carries a file)."""
    outcome = None
    refused = ""
    status = 200
    if request.method == "POST":
        form = VerifyUploadForm(request.POST, request.FILES)
        if not rate_limit_hit(
            key=f"verify:user:{request.user.pk}", limit=settings.VERIFY_MAX_PER_HOUR, window_seconds=HOUR
        ):
            form = VerifyUploadForm()
            refused = _("Bạn đã kiểm tra quá nhiều văn bản trong một giờ. Vui lòng thử lại sau.")
            status = 429
        elif form.is_valid():
            outcome = _outcome(request.user, form.cleaned_data["pdf"])
            form = VerifyUploadForm()
        else:
            status = 400
    else:
        form = VerifyUploadForm()
    return render(
        request,
        "reviews/document_verify.html",
        {
            "form": form,
            "outcome": outcome,
            "refused": refused,
            "max_mb": settings.VERIFY_MAX_BYTES // (1024 * 1024),
        },
        status=status,
    )
