"""Review pages. Each view fetches through a selector (out of scope → 404), calls one service
(not allowed → 403) and redirects; a case someone else already decided answers 409 with the
case page and a clear message. No GET changes anything."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import GRADE_CHOICES
from elearning.errors import service_call
from elearning.http import attachment_response
from repository import preview
from repository.rules import can_retract_publication
from repository.selectors import publication_for_user
from submissions.rules import can_preview_own_version

from . import actions, selectors, services
from .models import ApprovedDocument, CaseState, Minutes, Notification, Rubric
from .pdf import minutes_context, minutes_pdf_bytes
from .rules import can_preview_case, is_case_reviewer

STATE_FILTER_CHOICES = [("", _("Tất cả")), *CaseState.choices, ("overdue", _("Quá hạn"))]


def _get_case(request, pk):
    case = selectors.case_for(request.user, pk)
    if case is None:
        raise Http404
    return case


# --- Lists ------------------------------------------------------------------------------------


def _list_context(request, qs, *, default_state):
    filters = selectors.CaseFilters.from_request(request.GET, default_state=default_state)
    facets = selectors.list_facets(qs, filters)
    paginator = Paginator(selectors.IdsFirst(filters.apply(qs)), 30)
    paginator.count = facets.count  # counted with the facets, in the same query
    return {
        "page": paginator.get_page(request.GET.get("page")),
        "filters": filters,
        "subjects": facets.subjects,
        "windows": facets.windows,
        "kinds": facets.kinds,
        "grades": GRADE_CHOICES,
        "states": STATE_FILTER_CHOICES,
        "today": timezone.localdate(),
    }


def _render_list(request, template, context):
    if request.htmx:
        return render(request, f"{template}#case-table", context)
    return render(request, template, context)


@login_required
def review_queue(request):
    """Bài giảng chờ thẩm định: the department head's, school leaders' or panel chair's queue."""
    base = selectors.review_queue(request.user, selectors.CaseFilters(state=""))
    context = _list_context(request, base, default_state=CaseState.IN_REVIEW)
    context["title"] = _("Bài giảng chờ thẩm định")
    return _render_list(request, "reviews/queue.html", context)


@login_required
def school_cases(request):
    """The principal's (or an officer's) view of every case in scope, escalations, nominations."""
    base = selectors.school_cases(request.user, selectors.CaseFilters(state=""))
    context = _list_context(request, base, default_state="")
    context.update(
        title=_("Thẩm định bài giảng trong đơn vị"),
        escalations=selectors.escalations(request.user),
        nominatable=selectors.nominatable_cases(request.user),
    )
    return _render_list(request, "reviews/school_cases.html", context)


@login_required
def assigned_cases(request):
    """Bài giảng được phân công đánh giá: the panel member's cases, those still awaiting votes
    first (the default filter), 30 a page with the queue's filters: a busy member has ~1,500."""
    base = selectors.assigned_cases(request.user)
    context = _list_context(request, base, default_state=CaseState.IN_REVIEW)
    context["evaluated"] = selectors.evaluated_among(request.user, context["page"].object_list)
    return _render_list(request, "reviews/assigned.html", context)


# --- The case ---------------------------------------------------------------------------------


class _Offered(dict):
    """The actions offered on a case, readable in templates as `actions.decide`, `actions.any`."""

    def __getattr__(self, name):
        return self.get(name, False)

    @property
    def any(self) -> bool:
        return any(self.values())


def _case_preview(request, case) -> dict:
    """The case's version in the preview component: for its reviewers (under the case's grant)
    and its authors; anyone else who may read the case page is told why there is no preview."""
    user = request.user
    if can_preview_case(user, case):
        return preview.preview_for(request, case.version, grant=f"c{case.pk}")
    if can_preview_own_version(user, case.version):
        return preview.preview_for(request, case.version, grant=preview.AUTHOR_GRANT)
    return {"kind": "restricted", "version": case.version}


def _case_context(request, case, **forms):
    """The case page. `forms` carries the bound form of a failed POST, keyed by its action."""
    user = request.user
    offered = _Offered.fromkeys(actions.available(user, case, on="case"), True)
    rubric = Rubric.current()
    evaluation = selectors.evaluation_of(case, user)
    context = {
        "case": case,
        "lecture": case.lecture,
        "version": case.version,
        "actions": offered,
        "log": case.log.select_related("actor"),
        "minutes": getattr(case, "minutes", None),
        "history": selectors.cases_for_lecture(case.lecture, user),
        "assignments": case.assignments.select_related("member"),
        # Members evaluate independently: only the chair reads everyone's evaluations.
        "evaluations": case.evaluations.select_related("member") if is_case_reviewer(user, case) else [],
        "my_evaluation": evaluation,
        "rubric": rubric,
        "preview": _case_preview(request, case),
        "today": timezone.localdate(),
        "is_overdue": case.is_overdue(),
    }
    for name in offered:
        action = actions.get(name, on="case")
        if action is not None and action.form is not None:
            context[f"{name}_form"] = forms.get(name) or _unbound_form(action, case, evaluation)
    if offered.decide and case.is_panel_level:
        assigned = {a.member_id for a in context["assignments"]}
        done = set(case.evaluations.values_list("member_id", flat=True))
        context["missing_evaluations"] = len(assigned - done) if assigned else None
    return context


def _unbound_form(action, case, evaluation):
    """The form of an action as first shown: the chair's current members (or two by default);
    a member's own evaluation to amend."""
    form = action.form(case)
    if action.name == "assign":
        current = list(case.assignments.values_list("member_id", flat=True))
        form.initial = {"members": current or [u.pk for u in services.default_members(case)]}
    elif action.name == "evaluate" and evaluation:
        form.initial = {
            "recommendation": evaluation.recommendation,
            "strengths": evaluation.strengths,
            "limitations": evaluation.limitations,
            "required_changes": evaluation.required_changes,
            **{f"score_{k}": v for k, v in evaluation.scores.items()},
        }
    return form


@login_required
def case_detail(request, pk):
    case = _get_case(request, pk)
    if case.record_id:
        return redirect(case)  # a professional record's case has its own page
    return render(request, "reviews/case_detail.html", _case_context(request, case))


@login_required
@require_POST
def case_action(request, pk, action):
    """Decide, assign, evaluate, nominate or withdraw: the action table (actions.py) guards the
    POST, builds its form and calls its service; errors are answered as everywhere
    (elearning.errors.service_call): a form's errors 400, a case decided meanwhile 409, 403."""
    entry = actions.get(action, on="case")
    if entry is None:
        raise Http404
    case = _get_case(request, pk)

    def page(status, form=None):
        fresh = _get_case(request, pk)
        forms = {action: form} if form is not None and status == 400 else {}
        return render(
            request, "reviews/case_detail.html", _case_context(request, fresh, **forms), status=status
        )

    form = entry.form(case, request.POST) if entry.form else None
    if not entry.allowed(request.user, case):
        # SECURITY: refused as the service would refuse it, before any form is read.
        if case.state != CaseState.IN_REVIEW and action != "nominate":
            messages.error(request, services.ALREADY_DECIDED)
            return page(409)
        raise PermissionDenied
    if form is not None and not form.is_valid():
        return page(400, form)
    return run_action(request, entry, case, form, page=lambda status: page(status, form))


def run_action(request, entry, subject, form, *, page, errors_on_form=True):
    """Calls the action's service through the one error mapping; on success its message is shown
    on the page of the object it returns. A service's errors go on the form when the page shows
    it bound (`errors_on_form`), else into a message."""

    def done(outcome):
        shown, message = outcome
        messages.success(request, message)
        return redirect(shown)

    return service_call(
        request,
        lambda: entry.perform(subject, request.user, form),
        success=done,
        page=page,
        form=form if errors_on_form else None,
        back=lambda: redirect(subject),
    )


@login_required
def case_file(request, pk):
    """The version's main file, as an attachment (RFC 6266 file name)."""
    case = _get_case(request, pk)
    version = case.version
    if not version.file_key:
        raise Http404
    return attachment_response(
        key=version.file_key, filename=version.original_name or f"bai-giang-v{version.number}"
    )


# --- Minutes ----------------------------------------------------------------------------------


def _get_minutes(request, pk) -> Minutes:
    return get_object_or_404(selectors.minutes_visible_to(request.user), pk=pk)


@login_required
def minutes_detail(request, pk):
    minutes = _get_minutes(request, pk)
    context = {
        **minutes_context(minutes),
        "approved": ApprovedDocument.objects.filter(minutes=minutes).first(),
    }
    return render(request, "reviews/minutes_detail.html", context)


@login_required
def minutes_pdf(request, pk):
    minutes = _get_minutes(request, pk)
    pdf = minutes_pdf_bytes(minutes_context(minutes))
    filename = (
        f"bien-ban-tham-dinh-{minutes.case.lecture_id}-v{minutes.case.version.number}-{minutes.level}.pdf"
    )
    return attachment_response(content=pdf, filename=filename, content_type="application/pdf")


# --- Notifications ------------------------------------------------------------------------------


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "reviews/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_open(request, pk):
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    services.notifications_mark_read(user=request.user, ids=[note.pk])
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("reviews:notification_list")


@login_required
@require_POST
def notifications_read_all(request):
    services.notifications_mark_read(user=request.user)
    return redirect(reverse("reviews:notification_list"))


# --- Retraction from a library (issue 15) -------------------------------------------------------


@login_required
@require_POST
def publication_retract(request, pk):
    """An officer of the scope takes the publication out of the library, with a reason; the
    authors are notified. Served at the library's address (/library/<pk>/retract/)."""
    # SECURITY: out of sight is 404 (the selector); in sight but not an officer of the scope is 403.
    publication = publication_for_user(request.user, pk)
    if not can_retract_publication(request.user, publication):
        raise PermissionDenied

    def retracted(_publication):
        messages.success(request, _("Đã gỡ bài giảng khỏi kho. Tác giả đã được thông báo lý do."))
        return redirect(publication.get_absolute_url())

    return service_call(
        request,
        lambda: services.publication_retract(
            publication=publication, actor=request.user, reason=request.POST.get("reason", "")
        ),
        success=retracted,
        page=lambda status: redirect(publication.get_absolute_url()),
        back=lambda: redirect(publication.get_absolute_url()),
    )
