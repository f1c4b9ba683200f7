"""The lesson catalogue pages: upload, preview with row errors, confirm (as accounts' import).
Only people of `reports.rules.can_import_catalogue` reach them (404 for everyone else); an
import is its uploader's only."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import ImportUploadForm
from accounts.spreadsheets import ImportFileError
from elearning.http import attachment_response
from submissions.models import CatalogueLesson

from . import catalogue, services
from .models import CatalogueImport
from .rules import can_import_catalogue

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _guard(request):
    # SECURITY: teachers, principals and panels neither see nor change the catalogue.
    if not can_import_catalogue(request.user):
        raise Http404


@login_required
def catalogue_start(request):
    _guard(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = services.catalogue_import_create(
                    actor=request.user, filename=upload.name, content=upload.read()
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                return redirect(batch)
        status = 400
    context = {
        "form": form,
        "imports": CatalogueImport.objects.filter(created_by=request.user)[:5],
        "counts": CatalogueLesson.objects.values("subject__name", "subject__order", "grade")
        .annotate(n=Count("pk"))
        .order_by("subject__order", "grade"),
    }
    return render(request, "reports/catalogue_start.html", context, status=status)


@login_required
def catalogue_template(request, fmt):
    _guard(request)
    if fmt not in ("xlsx", "csv"):
        raise Http404
    return attachment_response(
        content=catalogue.template_file(fmt),
        filename=f"mau-danh-muc-bai-hoc.{fmt}",
        content_type=XLSX if fmt == "xlsx" else "text/csv; charset=utf-8",
    )


def _own(request, pk) -> CatalogueImport:
    _guard(request)
    return get_object_or_404(CatalogueImport, pk=pk, created_by=request.user)


@login_required
def catalogue_detail(request, pk):
    batch = _own(request, pk)
    return render(request, "reports/catalogue_detail.html", {"batch": batch})


@login_required
@require_POST
def catalogue_confirm(request, pk):
    batch = _own(request, pk)
    try:
        services.catalogue_import_apply(batch=batch, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã nhập danh mục bài học."))
    return redirect(batch)
