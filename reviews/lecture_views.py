"""The author's lecture pages, composed here because they show the lecture's life: "Bài giảng
của tôi", a lecture's page with its status, review history and publications, and the owner's
lifecycle actions (edit the details, submit, withdraw, start a new version).

The submissions app keeps what knows nothing of review cases: creating a lecture, uploads and
file checks, downloads. Views fetch through selectors (out of scope → 404), refuse an action
that `lifecycle.lecture_status(...).actions` does not offer (403), call one service and show
its Vietnamese message; the service checks again under lock.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from repository.selectors import publications_of_lecture
from submissions import selectors as submission_selectors
from submissions.forms import LectureForm, VersionNewForm
from submissions.rules import can_edit_lecture, is_teacher

from . import lifecycle, services


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _lecture_offering(request, pk, action: str):
    """The lecture (404 out of scope) and its status, if `action` is offered to the user (else 403)."""
    lecture = submission_selectors.lecture_get(request.user, pk)
    status = lifecycle.lecture_status(lecture, user=request.user)
    if action not in status.actions:
        raise PermissionDenied
    return lecture, status


@login_required
@require_GET
def lecture_list(request):
    lectures = list(lifecycle.lectures_of(request.user))
    rows = [(lecture, lifecycle.lecture_status(lecture, user=request.user)) for lecture in lectures]
    return render(
        request,
        "submissions/lecture_list.html",
        {"rows": rows, "can_create": is_teacher(request.user)},
    )


def _detail_context(request, lecture):
    status = lifecycle.lecture_status(lecture, user=request.user)
    versions = list(lecture.versions.select_related("window").order_by("-number"))
    return {
        "lecture": lecture,
        "status": status,
        "versions": versions,
        "draft": status.draft,
        "can_edit": can_edit_lecture(request.user, lecture),
        "max_bytes": settings.LECTURE_MAX_FILE_BYTES,
        "version_form": VersionNewForm() if "new_version" in status.actions else None,
        # Where the lecture stands in the libraries, with any retraction reason for the author.
        "publications": publications_of_lecture(lecture),
    }


@login_required
@require_GET
def lecture_detail(request, pk):
    lecture = submission_selectors.lecture_get(request.user, pk)
    context = _detail_context(request, lecture)
    if request.htmx:
        return render(request, "submissions/lecture_detail.html#status-panel", context)
    return render(request, "submissions/lecture_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def lecture_edit(request, pk):
    lecture, _status = _lecture_offering(request, pk, "edit")
    form = LectureForm(request.POST or None, instance=lecture, author=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.lecture_update(
                lecture=lecture,
                actor=request.user,
                **{k: data[k] for k in form.Meta.fields if k != "co_authors"},
                co_authors=list(data["co_authors"]),
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Đã lưu thông tin bài giảng."))
            return redirect(lecture)
    return render(request, "submissions/lecture_form.html", {"form": form, "lecture": lecture})


@login_required
@require_POST
def lecture_submit(request, pk):
    lecture, _status = _lecture_offering(request, pk, "submit")
    try:
        case = services.lecture_submit(lecture=lecture, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("Đã nộp bài giảng. Người thẩm định: %(holder)s.") % {"holder": lifecycle.case_holder(case)},
        )
    return redirect(lecture)


@login_required
@require_POST
def lecture_withdraw(request, pk):
    lecture, _status = _lecture_offering(request, pk, "withdraw")
    try:
        services.lecture_withdraw(lecture=lecture, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Đã rút bài giảng. Bạn có thể tạo phiên bản mới để nộp lại."))
    return redirect(lecture)


@login_required
@require_POST
def lecture_new_version(request, pk):
    lecture, _status = _lecture_offering(request, pk, "new_version")
    form = VersionNewForm(request.POST)
    form.is_valid()
    try:
        version = services.lecture_new_version(
            lecture=lecture, actor=request.user, change_note=form.cleaned_data.get("change_note", "")
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request, _("Đã tạo phiên bản %(n)d. Hãy tải tệp đã chỉnh sửa lên.") % {"n": version.number}
        )
    return redirect(lecture)
