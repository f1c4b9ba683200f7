"""Review pages. Each view fetches through a selector (out of scope → 404), calls one service
(not allowed → 403) and redirects; a case someone else already decided answers 409 with the
case page and a clear message. No GET changes anything."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import GRADE_CHOICES
from elearning.http import attachment_response

from . import selectors, services
from .forms import AssignForm, DecisionForm, EvaluationForm, NominateForm
from .models import CaseState, Decision, Minutes, Notification, Rubric
from .pdf import minutes_pdf_bytes
from .rules import is_case_reviewer

STATE_FILTER_CHOICES = [("", _("Tất cả")), *CaseState.choices, ("overdue", _("Quá hạn"))]


def _get_case(request, pk):
    case = selectors.case_for(request.user, pk)
    if case is None:
        raise Http404
    return case


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


# --- Lists ------------------------------------------------------------------------------------


def _list_context(request, qs, *, default_state):
    filters = selectors.CaseFilters.from_request(request.GET, default_state=default_state)
    filtered = filters.apply(qs)
    page = Paginator(filtered, 30).get_page(request.GET.get("page"))
    return {
        "page": page,
        "filters": filters,
        "subjects": selectors.queue_subjects(qs),
        "windows": selectors.queue_windows(qs),
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
    cases = selectors.assigned_cases(request.user)
    return render(
        request,
        "reviews/assigned.html",
        {"cases": cases, "evaluated": set(request.user.evaluations.values_list("case_id", flat=True))},
    )


# --- The case ---------------------------------------------------------------------------------


def _case_context(request, case, **forms):
    user = request.user
    actions = selectors.available_actions(case, user)
    rubric = Rubric.current()
    evaluation = selectors.evaluation_of(case, user)
    context = {
        "case": case,
        "lecture": case.lecture,
        "version": case.version,
        "actions": actions,
        "log": case.log.select_related("actor"),
        "minutes": getattr(case, "minutes", None),
        "history": selectors.cases_for_lecture(case.lecture, user),
        "assignments": case.assignments.select_related("member"),
        # Members evaluate independently: only the chair reads everyone's evaluations.
        "evaluations": case.evaluations.select_related("member") if is_case_reviewer(user, case) else [],
        "my_evaluation": evaluation,
        "rubric": rubric,
        "today": timezone.localdate(),
        "is_overdue": case.is_overdue(),
    }
    if actions.decide:
        context["decision_form"] = forms.get("decision_form") or DecisionForm(
            rubric=rubric, with_scores=not case.is_panel_level
        )
        if case.is_panel_level:
            assigned = {a.member_id for a in context["assignments"]}
            done = set(case.evaluations.values_list("member_id", flat=True))
            context["missing_evaluations"] = len(assigned - done) if assigned else None
    if actions.assign:
        eligible = services.eligible_members(case)
        current = list(case.assignments.values_list("member_id", flat=True))
        initial = current or [u.pk for u in services.default_members(case)]
        context["assign_form"] = forms.get("assign_form") or AssignForm(
            eligible=eligible, initial={"members": initial}
        )
    if actions.evaluate:
        initial = {}
        if evaluation:
            initial = {
                "recommendation": evaluation.recommendation,
                "strengths": evaluation.strengths,
                "limitations": evaluation.limitations,
                "required_changes": evaluation.required_changes,
                **{f"score_{k}": v for k, v in evaluation.scores.items()},
            }
        context["evaluation_form"] = forms.get("evaluation_form") or EvaluationForm(
            rubric=rubric, initial=initial
        )
    if actions.nominate:
        context["nominate_form"] = forms.get("nominate_form") or NominateForm()
    return context


@login_required
def case_detail(request, pk):
    case = _get_case(request, pk)
    return render(request, "reviews/case_detail.html", _case_context(request, case))


def _conflict(request, case, exc):
    messages.error(request, _error_text(exc))
    case = _get_case(request, case.pk)
    return render(request, "reviews/case_detail.html", _case_context(request, case), status=409)


@login_required
@require_POST
def case_decide(request, pk):
    case = _get_case(request, pk)
    form = DecisionForm(request.POST, rubric=Rubric.current(), with_scores=not case.is_panel_level)
    if not form.is_valid():
        if case.state != CaseState.IN_REVIEW:
            return _conflict(request, case, services.CaseConflict(services.ALREADY_DECIDED))
        if not selectors.available_actions(case, request.user).decide:
            raise PermissionDenied
        return render(
            request, "reviews/case_detail.html", _case_context(request, case, decision_form=form), status=400
        )
    minutes = services.MinutesInput(
        strengths=form.cleaned_data["strengths"],
        limitations=form.cleaned_data["limitations"],
        required_changes=form.cleaned_data["required_changes"],
        conclusion=form.cleaned_data["conclusion"],
        scores=form.scores(),
    )
    service = {
        Decision.APPROVE: services.review_approve,
        Decision.RETURN: services.review_return,
        Decision.REJECT: services.review_reject,
    }[form.cleaned_data["decision"]]
    try:
        case = service(case=case, actor=request.user, minutes=minutes)
    except services.CaseConflict as exc:
        return _conflict(request, case, exc)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return render(
            request, "reviews/case_detail.html", _case_context(request, case, decision_form=form), status=400
        )
    messages.success(
        request,
        {
            CaseState.APPROVED: _("Đã phê duyệt và lập biên bản."),
            CaseState.RETURNED: _("Đã yêu cầu tác giả chỉnh sửa; biên bản đã gửi cho tác giả."),
            CaseState.REJECTED: _("Đã ghi nhận không phê duyệt; biên bản đã gửi cho tác giả."),
        }[case.state],
    )
    return redirect(case)


def _invalid_form(request, case, action: str, **forms):
    """An invalid form from someone who may act re-renders the case page with its errors (400);
    from someone who may not, it is refused as the service would refuse it (409 or 403)."""
    if not getattr(selectors.available_actions(case, request.user), action):
        if case.state != CaseState.IN_REVIEW:
            raise services.CaseConflict(services.ALREADY_DECIDED)
        raise PermissionDenied
    return render(request, "reviews/case_detail.html", _case_context(request, case, **forms), status=400)


@login_required
@require_POST
def case_assign(request, pk):
    case = _get_case(request, pk)
    eligible = services.eligible_members(case)
    form = AssignForm(request.POST, eligible=eligible)
    try:
        if not form.is_valid():
            return _invalid_form(request, case, "assign", assign_form=form)
        services.review_assign_members(case=case, actor=request.user, members=form.cleaned_data["members"])
    except services.CaseConflict as exc:
        return _conflict(request, case, exc)
    except ValidationError as exc:
        form.add_error(None, exc)
        return render(
            request, "reviews/case_detail.html", _case_context(request, case, assign_form=form), status=400
        )
    messages.success(request, _("Đã phân công thành viên đánh giá."))
    return redirect(case)


@login_required
@require_POST
def case_evaluate(request, pk):
    case = _get_case(request, pk)
    form = EvaluationForm(request.POST, rubric=Rubric.current())
    try:
        if not form.is_valid():
            return _invalid_form(request, case, "evaluate", evaluation_form=form)
        services.evaluation_submit(
            case=case,
            actor=request.user,
            scores=form.scores(),
            strengths=form.cleaned_data["strengths"],
            limitations=form.cleaned_data["limitations"],
            required_changes=form.cleaned_data["required_changes"],
            recommendation=form.cleaned_data["recommendation"],
        )
    except services.CaseConflict as exc:
        return _conflict(request, case, exc)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return render(
            request,
            "reviews/case_detail.html",
            _case_context(request, case, evaluation_form=form),
            status=400,
        )
    messages.success(request, _("Đã nộp phiếu đánh giá."))
    return redirect(case)


@login_required
@require_POST
def case_nominate(request, pk):
    case = _get_case(request, pk)
    form = NominateForm(request.POST)
    form.is_valid()
    try:
        new_case = services.review_nominate(
            case=case, actor=request.user, comment=form.cleaned_data.get("comment", "")
        )
    except services.CaseConflict as exc:
        return _conflict(request, case, exc)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(case)
    messages.success(
        request,
        _("Đã đề cử bài giảng lên %(panel)s.") % {"panel": new_case.panel.name},
    )
    return redirect(case)


@login_required
@require_POST
def case_withdraw(request, pk):
    case = _get_case(request, pk)
    try:
        services.case_withdraw(case=case, actor=request.user)
    except services.CaseConflict as exc:
        return _conflict(request, case, exc)
    messages.success(request, _("Đã rút bài giảng khỏi thẩm định."))
    return redirect(case)


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


def _place(case) -> str:
    root = case.lecture.school.ancestors()[0] if case.lecture.school.path else None
    name = root.name if root else ""
    for prefix in ("Sở Giáo dục và Đào tạo ", "Sở GDĐT ", "Sở GD&ĐT "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return ""


def _minutes_context(minutes: Minutes) -> dict:
    case = minutes.case
    day = timezone.localtime(minutes.decided_at).date() if minutes.decided_at else datetime.date.today()
    return {
        "minutes": minutes,
        "case": case,
        "lecture": case.lecture,
        "version": case.version,
        "place": _place(case),
        "day": day,
        "passed": minutes.total is not None
        and minutes.pass_mark is not None
        and minutes.total >= minutes.pass_mark,
    }


@login_required
def minutes_detail(request, pk):
    minutes = _get_minutes(request, pk)
    return render(request, "reviews/minutes_detail.html", _minutes_context(minutes))


@login_required
def minutes_pdf(request, pk):
    minutes = _get_minutes(request, pk)
    pdf = minutes_pdf_bytes(_minutes_context(minutes))
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
    from repository.rules import can_retract_publication
    from repository.selectors import publication_for_user

    # SECURITY: out of sight is 404 (the selector); in sight but not an officer of the scope is 403.
    publication = publication_for_user(request.user, pk)
    if not can_retract_publication(request.user, publication):
        raise PermissionDenied
    try:
        services.publication_retract(
            publication=publication, actor=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã gỡ bài giảng khỏi kho. Tác giả đã được thông báo lý do."))
    return redirect(publication.get_absolute_url())
