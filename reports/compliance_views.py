"""The records compliance page and its Excel export (principal, district officer, city leaders)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from elearning.http import attachment_response
from submissions.record_selectors import current_year

from .compliance import can_follow_compliance, compliance_rows
from .exports import compliance_excel


def _context(request):
    # SECURITY: no school to follow is "not found", as every out-of-scope page.
    if not can_follow_compliance(request.user):
        raise Http404
    year = current_year()
    rows = compliance_rows(request.user, year) if year else []
    title = _("Tình hình nộp và duyệt hồ sơ chuyên môn – năm học %(year)s") % {
        "year": year.name if year else "—"
    }
    return {"rows": rows, "year": year, "title": title}


@login_required
def compliance(request):
    return render(request, "reports/compliance.html", _context(request))


@login_required
def compliance_xlsx(request):
    context = _context(request)
    content = compliance_excel.build(context["rows"], title=context["title"])
    return attachment_response(
        content=content,
        filename="tinh-hinh-ho-so-chuyen-mon.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
