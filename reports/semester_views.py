"""The semester report pages (seed 002 §4): a principal or district officer opens the report of a
period, writes its three sections, generates the DOCX and PDF and downloads them again later.
The office above reads the reports of its schools. Out of scope is 404."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Unit
from accounts.rules import scope_for
from elearning.http import attachment_response

from . import services
from .forms import SemesterReportStartForm, SemesterReportTextForm
from .models import SemesterReport
from .rules import can_write_report, report_visible_q, reporting_units_q

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def _units(user):
    return Unit.objects.filter(reporting_units_q(user)).order_by("path")


def _visible(user):
    return SemesterReport.objects.filter(report_visible_q(user)).select_related(
        "unit", "year", "generated_by"
    )


@login_required
def semester_list(request):
    units = _units(request.user)
    # SECURITY: the page exists only for those who write or read some report.
    has_units = units.exists()
    if not (scope_for(request.user).everything or has_units or _visible(request.user).exists()):
        raise Http404
    form = SemesterReportStartForm(units=units) if has_units else None
    context = {"form": form, "reports": _visible(request.user)[:100]}
    return render(request, "reports/semester_list.html", context)


@login_required
@require_POST
def semester_start(request):
    units = _units(request.user)
    if not units.exists():
        raise Http404
    form = SemesterReportStartForm(request.POST, units=units)
    if not form.is_valid():
        context = {"form": form, "reports": _visible(request.user)[:100]}
        return render(request, "reports/semester_list.html", context, status=400)
    report = services.semester_report_open(
        unit=form.cleaned_data["unit"],
        year=form.cleaned_data["year"],
        period=form.cleaned_data["period"],
        actor=request.user,
    )
    return redirect(report)


def _report(request, pk) -> SemesterReport:
    # SECURITY: fetched through the visibility filter; anyone else's report is 404.
    return get_object_or_404(_visible(request.user), pk=pk)


@login_required
def semester_detail(request, pk):
    report = _report(request, pk)
    writable = can_write_report(request.user, report.unit)
    if request.method == "POST":
        if not writable:
            raise Http404
        form = SemesterReportTextForm(request.POST, instance=report)
        if form.is_valid():
            report = form.save()
            if "generate" in request.POST:
                try:
                    queued = services.semester_report_request(report=report, actor=request.user)
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        for error in errors:
                            form.add_error(field if field in form.fields else None, error)
                else:
                    if not queued:
                        messages.success(request, _("Đã lập báo cáo. Tải về bản Word hoặc PDF bên dưới."))
                    return redirect(report)
            else:
                messages.success(request, _("Đã lưu nội dung báo cáo."))
                return redirect(report)
        status = 400
    else:
        form = SemesterReportTextForm(instance=report) if writable else None
        status = 200
    figures = dict(report.figures) if report.figures else None
    if figures:
        figures["starts_on"] = datetime.date.fromisoformat(figures["starts_on"])
        figures["ends_on"] = datetime.date.fromisoformat(figures["ends_on"])
    context = {"report": report, "form": form, "writable": writable, "figures": figures}
    if request.htmx and request.method == "GET":
        return render(request, "reports/semester_detail.html#status", context)
    return render(request, "reports/semester_detail.html", context, status=status)


@login_required
def semester_download(request, pk, fmt):
    report = _report(request, pk)
    key = {"docx": report.docx_key, "pdf": report.pdf_key}.get(fmt)
    if not key:
        raise Http404
    name = f"Báo cáo {report.period_label} – {report.unit.name}.{fmt}"
    return attachment_response(key=key, filename=name, content_type=FORMATS[fmt])
