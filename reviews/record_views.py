"""Professional records pages (hồ sơ chuyên môn, seed 001): the owner's page and forms, a record,
its review case and the inspection list. Each view fetches through a selector (out of scope →
404), calls one service (not allowed → 403) and redirects; no GET changes anything."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elearning.errors import service_call
from elearning.http import attachment_response
from submissions import record_selectors
from submissions import services as submission_services
from submissions.models import RecordKind, RecordRoute, RecordStatus
from submissions.record_rules import can_edit_record, can_follow_compliance

from . import selectors, services
from .models import ApprovedDocument, CaseState, ReviewCase
from .record_forms import RecordDecisionForm, RecordResubmitForm, RecordSubmitForm
from .rules import can_decide_case, can_resubmit_case


def _get_record(request, pk):
    record = record_selectors.record_for(request.user, pk)
    if record is None:
        raise Http404
    return record


def _latest_case(record) -> ReviewCase | None:
    return (
        ReviewCase.objects.filter(record=record)
        .select_related("unit", "record_version", "decided_by")
        .order_by("-opened_at", "-pk")
        .first()
    )


@login_required
def my_records(request):
    """Hồ sơ chuyên môn của tôi: what is due (and late), what was returned, what waits."""
    user = request.user
    year = record_selectors.current_year()
    records = list(record_selectors.records_of(user).order_by("status", "due_on"))
    # The active kinds and the user's units for each, read once for the buttons and the plans due.
    active = list(RecordKind.objects.filter(is_active=True))
    units = submission_services.record_units_by_kind(user, active)
    kinds = [(kind, units[kind.pk]) for kind in active]
    return render(
        request,
        "records/my_records.html",
        {
            "year": year,
            "due": record_selectors.plans_due(user, year, lambda _user, kind: units[kind.pk], kinds=active),
            "returned": [r for r in records if r.status == RecordStatus.RETURNED],
            "records": records,
            "kinds": [(kind, units) for kind, units in kinds if units],
            "today": timezone.localdate(),
        },
    )


@login_required
def record_new(request, kind):
    """The submit form of one kind; GET shows it, POST submits (all or nothing)."""
    kind = get_object_or_404(RecordKind, code=kind, is_active=True)
    units = submission_services.record_units_for(request.user, kind)
    if not units:
        # SECURITY: a user who never submits this kind gets no form.
        raise PermissionDenied
    year = record_selectors.current_year()
    if year is None:
        messages.error(request, _("Chưa có năm học hiện tại: hãy báo quản trị hệ thống."))
        return redirect("records:mine")
    from accounts.models import Unit

    unit_qs = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("path")
    form = RecordSubmitForm(request.POST or None, request.FILES or None, kind=kind, units=unit_qs)

    def page(status):
        return render(
            request, "records/record_new.html", {"form": form, "kind": kind, "year": year}, status=status
        )

    if request.method != "POST":
        return page(200)
    if not form.is_valid():
        return page(400)

    def done(case):
        messages.success(
            request,
            _("Đã nộp %(kind)s. Người phê duyệt: %(holder)s.")
            % {"kind": kind.name.lower(), "holder": case.holder},
        )
        return redirect(case.record.get_absolute_url())

    return service_call(
        request,
        lambda: services.record_submit(
            kind=kind,
            actor=request.user,
            unit=form.cleaned_data["unit"],
            year=year,
            files=form.files_input(),
            details=form.details(),
        ),
        success=done,
        page=page,
        form=form,
    )


def _record_context(request, record, *, resubmit_form=None):
    cases = list(
        ReviewCase.objects.filter(record=record)
        .select_related("unit", "record_version", "decided_by")
        .prefetch_related("log__actor")
        .order_by("opened_at", "pk")
    )
    latest = cases[-1] if cases else None
    may_resubmit = latest is not None and can_resubmit_case(request.user, latest)
    return {
        "record": record,
        "versions": record.versions.select_related("submitted_by", "approved_document").order_by("-number"),
        "cases": cases,
        "latest": latest,
        "may_resubmit": may_resubmit,
        "resubmit_form": resubmit_form or (RecordResubmitForm(kind=record.kind) if may_resubmit else None),
        "is_owner": can_edit_record(request.user, record),
    }


@login_required
def record_detail(request, pk):
    record = _get_record(request, pk)
    return render(request, "records/record_detail.html", _record_context(request, record))


@login_required
@require_POST
def record_resubmit(request, pk):
    """The owner sends a corrected version after a return; it goes back to the same reviewer."""
    record = _get_record(request, pk)
    latest = _latest_case(record)
    if latest is None or not can_resubmit_case(request.user, latest):
        # SECURITY: in sight but not the owner of a returned record: 403, nothing changes.
        if (
            latest is not None
            and latest.state != CaseState.RETURNED
            and can_edit_record(request.user, record)
        ):
            messages.error(request, _("Hồ sơ này không ở trạng thái cần chỉnh sửa."))
            return redirect(record)
        raise PermissionDenied
    form = RecordResubmitForm(request.POST, request.FILES, kind=record.kind)

    def page(status):
        context = _record_context(request, record, resubmit_form=form)
        return render(request, "records/record_detail.html", context, status=status)

    if not form.is_valid():
        return page(400)

    def done(case):
        messages.success(
            request, _("Đã nộp lại hồ sơ. Người phê duyệt: %(holder)s.") % {"holder": case.holder}
        )
        return redirect(record)

    return service_call(
        request,
        lambda: services.record_resubmit(record=record, actor=request.user, files=form.files_input()),
        success=done,
        page=page,
        form=form,
    )


@login_required
def record_file(request, pk, number):
    """A version's file (`?part=activity`: the department plan's second part), as an attachment."""
    record = _get_record(request, pk)
    version = get_object_or_404(record.versions, number=number)
    if request.GET.get("part") == "activity":
        field, name = version.activity_file, version.activity_original_name
    else:
        field, name = version.file, version.original_name
    if not field:
        raise Http404
    return attachment_response(key=field.name, filename=name or f"ho-so-{record.pk}-v{number}")


@login_required
def record_approved_pdf(request, pk, number):
    """The approved copy of a version: its file as a PDF with the approval stamp (and the unit's
    digital signature when it has a certificate), for whoever may see the record; while it is
    being made, a page that says so and looks again in a little while."""
    # SECURITY: the record's own scope (seed 001, 2.3); outside it a 404.
    record = _get_record(request, pk)
    version = get_object_or_404(record.versions, number=number)
    document = ApprovedDocument.objects.filter(record_version=version).first()
    if document is None:
        raise Http404
    if not document.is_ready:
        context = {"record": record, "document": document}
        return render(request, "reviews/approved_pending.html", context, status=202)
    return attachment_response(
        key=document.file.name,
        filename=f"ho-so-{record.pk}-v{number}-da-phe-duyet.pdf",
        content_type="application/pdf",
    )


# --- The record's review case -------------------------------------------------------------------


def _get_record_case(request, pk) -> ReviewCase:
    case = selectors.case_for(request.user, pk)
    if case is None or not case.record_id:
        raise Http404
    return case


def _case_context(request, case, form=None):
    may_decide = can_decide_case(request.user, case)
    acknowledge = case.record.kind.route == RecordRoute.REPORTING_LINE
    return {
        "case": case,
        "record": case.record,
        "version": case.record_version,
        "log": case.log.select_related("actor"),
        "may_decide": may_decide,
        "acknowledge": acknowledge,
        "form": form or (RecordDecisionForm(acknowledge=acknowledge) if may_decide else None),
    }


@login_required
def record_case(request, pk):
    case = _get_record_case(request, pk)
    return render(request, "records/record_case.html", _case_context(request, case))


@login_required
@require_POST
def record_case_decide(request, pk):
    """Approve (acknowledge) or return with comments; the same rule draws the form and guards this."""
    case = _get_record_case(request, pk)
    if not can_decide_case(request.user, case):
        if case.state != CaseState.IN_REVIEW:
            messages.error(request, _("Hồ sơ này đã được quyết định."))
            return render(request, "records/record_case.html", _case_context(request, case), status=409)
        raise PermissionDenied
    acknowledge = case.record.kind.route == RecordRoute.REPORTING_LINE
    form = RecordDecisionForm(request.POST, acknowledge=acknowledge)

    def page(status):
        fresh = _get_record_case(request, pk)
        return render(request, "records/record_case.html", _case_context(request, fresh, form), status=status)

    if not form.is_valid():
        return page(400)

    def done(decided):
        text = {
            CaseState.APPROVED: _("Đã xác nhận đã nhận hồ sơ.") if acknowledge else _("Đã phê duyệt hồ sơ."),
            CaseState.RETURNED: _("Đã trả lại hồ sơ kèm góp ý cho người nộp."),
        }[decided.state]
        messages.success(request, text)
        return redirect(decided)

    return service_call(
        request,
        lambda: services.record_decide(
            case=case,
            actor=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            comment=form.cleaned_data.get("comment", ""),
        ),
        success=done,
        page=page,
        form=form,
    )


# --- Inspection -----------------------------------------------------------------------------------


@login_required
def school_records(request):
    """Every record the user may inspect (seed 001, 2.3), filterable by kind, state and unit name."""
    qs = record_selectors.records_visible_to(request.user).filter(is_current=True)
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    if kind:
        qs = qs.filter(kind__code=kind)
    if state in RecordStatus.values:
        qs = qs.filter(status=state)
    elif state == "late":
        qs = qs.filter(submitted_late=True)
    page = Paginator(qs.order_by("school__name", "kind__order", "-updated_at"), 30).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "kinds": RecordKind.objects.all(),
        "states": RecordStatus.choices,
        "kind": kind,
        "state": state,
        "follows_compliance": can_follow_compliance(request.user),
    }
    if request.htmx:
        return render(request, "records/school_records.html#record-table", context)
    return render(request, "records/school_records.html", context)
