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
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from elearning.errors import service_call
from repository import preview
from repository.selectors import publications_of_lecture
from submissions import selectors as submission_selectors
from submissions.forms import LectureForm
from submissions.rules import can_edit_lecture, can_preview_own_version, is_teacher

from . import actions, lifecycle, services
from .views import run_action


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
    windows: dict = {}
    rows = [
        (lecture, lifecycle.lecture_status(lecture, user=request.user, windows=windows))
        for lecture in lectures
    ]
    return render(
        request,
        "submissions/lecture_list.html",
        {"rows": rows, "can_create": is_teacher(request.user)},
    )


def _previewed(request, versions):
    """The version the authors play on their page: the one asked for (`?v=<number>`), else the
    newest that has a file. Nobody else previews here: reviewers do on the case page."""
    with_file = [v for v in versions if v.file_key]
    if not with_file or not can_preview_own_version(request.user, with_file[0]):
        return None
    wanted = request.GET.get("v", "")
    chosen = next((v for v in with_file if wanted.isdigit() and v.number == int(wanted)), with_file[0])
    return chosen


def _status_context(request, lecture) -> dict:
    """What the status panel draws: on the page, and alone when the panel polls every 2 s while
    the file is checked (500 teachers waiting for their checks poll 250 times a second)."""
    status = lifecycle.lecture_status(lecture, user=request.user)
    return {
        "lecture": lecture,
        "status": status,
        "draft": status.draft,
        "version_form": actions.get("new_version", on="lecture").form(lecture)
        if "new_version" in status.actions
        else None,
    }


def _detail_context(request, lecture):
    context = _status_context(request, lecture)
    versions = list(lecture.versions.select_related("window").order_by("-number"))
    previewed = _previewed(request, versions)
    context.update(
        previewed=previewed,
        preview=preview.preview_for(request, previewed, grant=preview.AUTHOR_GRANT) if previewed else None,
        versions=versions,
        can_edit=can_edit_lecture(request.user, lecture),
        max_bytes=settings.LECTURE_MAX_FILE_BYTES,
        # Where the lecture stands in the libraries, with any retraction reason for the author.
        publications=publications_of_lecture(lecture),
    )
    return context


def _detail_page(request, lecture, *, status=200):
    if request.htmx:
        context = _status_context(request, lecture)
        return render(request, "submissions/lecture_detail.html#status-panel", context, status=status)
    return render(
        request, "submissions/lecture_detail.html", _detail_context(request, lecture), status=status
    )


@login_required
@require_GET
def lecture_detail(request, pk):
    return _detail_page(request, submission_selectors.lecture_get(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def lecture_edit(request, pk):
    lecture, _status = _lecture_offering(request, pk, "edit")
    form = LectureForm(request.POST or None, instance=lecture, author=request.user)

    def page(status=200):
        return render(
            request, "submissions/lecture_form.html", {"form": form, "lecture": lecture}, status=status
        )

    if request.method != "POST" or not form.is_valid():
        return page()

    def saved(_lecture):
        messages.success(request, _("Đã lưu thông tin bài giảng."))
        return redirect(lecture)

    data = form.cleaned_data
    return service_call(
        request,
        lambda: services.lecture_update(
            lecture=lecture,
            actor=request.user,
            **{k: data[k] for k in form.Meta.fields if k != "co_authors"},
            co_authors=list(data["co_authors"]),
        ),
        success=saved,
        page=page,
        form=form,
    )


@login_required
@require_POST
def lecture_action(request, pk, action):
    """Submit, withdraw or start a new version: the action table (actions.py) guards the POST and
    calls the service; errors are answered as everywhere (elearning.errors.service_call)."""
    entry = actions.get(action, on="lecture")
    if entry is None:
        raise Http404
    lecture, _status = _lecture_offering(request, pk, action)
    form = entry.form(lecture, request.POST) if entry.form else None
    if form is not None and not form.is_valid():
        return _detail_page(request, lecture, status=400)
    return run_action(
        request, entry, lecture, form, page=lambda status: _detail_page(request, lecture, status=status)
    )
