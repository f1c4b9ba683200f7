"""The approved-lecture list page and its exports. A unit the user may not inspect is 404
(reports.selectors); exports are POSTs because a long one records a background job."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from elearning.http import attachment_response

from . import selectors, services
from .forms import ApprovedListForm
from .models import ListExport

PREVIEW_ROWS = 20


def _form(request, data, units):
    # SECURITY: only a unit of inspectable_units_q is ever looked at; any other id is 404.
    unit = selectors.unit_among(request.user, units, data.get("unit"))
    if unit is None:
        raise Http404
    filters = {k: v for k, v in data.items() if k != "unit"}
    return ApprovedListForm(filters, unit=unit)


@login_required
def approved_list(request):
    # The units the page offers, read once: the one shown is picked among them.
    units = list(selectors.inspectable_units(request.user))
    form = _form(request, request.GET, units)
    context = {
        "form": form,
        "unit": form.unit,
        "units": units,
        "exports": ListExport.objects.filter(requested_by=request.user).select_related("unit")[:5],
        "threshold": settings.REPORT_BACKGROUND_ROWS,
    }
    if not form.is_valid():
        return render(request, "reports/approved_list.html", context, status=400)
    query = form.query()
    rows = selectors.approved_rows(request.user, query)
    context.update(
        count=selectors.approved_count(request.user, query, rows),
        preview=selectors.rows_of(rows[:PREVIEW_ROWS]),
        query=query,
    )
    return render(request, "reports/approved_list.html", context)


@login_required
@require_POST
def approved_list_export(request, fmt):
    if fmt not in services.CONTENT_TYPES:
        raise Http404
    units = list(selectors.inspectable_units(request.user))
    form = _form(request, request.POST, units)
    if not form.is_valid():
        context = {"form": form, "unit": form.unit, "units": units}
        return render(request, "reports/approved_list.html", context, status=400)
    query = form.query()
    count = selectors.approved_count(request.user, query, selectors.approved_rows(request.user, query))
    if count > services.background_threshold():
        export = services.list_export_start(user=request.user, query=query, fmt=fmt, row_count=count)
        return redirect(export)
    document = services.list_document(user=request.user, query=query)
    return attachment_response(
        content=services.list_file(document, fmt),
        filename=document.filename(fmt),
        content_type=services.CONTENT_TYPES[fmt],
    )


def _own_export(request, pk) -> ListExport:
    # SECURITY: a kept list is its requester's only.
    return get_object_or_404(ListExport.objects.select_related("unit"), pk=pk, requested_by=request.user)


@login_required
def export_detail(request, pk):
    export = _own_export(request, pk)
    template = "reports/export_detail.html#status" if request.htmx else "reports/export_detail.html"
    return render(request, template, {"export": export})


@login_required
def export_download(request, pk):
    export = _own_export(request, pk)
    if export.status != ListExport.Status.DONE:
        raise Http404
    return attachment_response(
        key=export.file_key, filename=export.filename, content_type=services.CONTENT_TYPES[export.format]
    )
