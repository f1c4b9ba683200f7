"""The calendar pages: academic years (semesters, make-up weeks) and submission windows.

City leaders edit everything; a district officer edits the windows of their district and reads
the city's calendar. Every other user gets 404 on every page (the pages do not exist for them).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Unit
from accounts.rules import scope_for

from . import services
from .calendar_forms import AcademicYearForm, SubmissionWindowForm
from .models import AcademicYear, SubmissionWindow
from .rules import can_edit_years, can_manage_calendar, window_editable_q, window_listed_q


def _require_calendar(user) -> None:
    # SECURITY: the calendar pages are 404 for anyone who manages no calendar.
    if not can_manage_calendar(user):
        raise Http404


def _require_years(user) -> None:
    _require_calendar(user)
    if not can_edit_years(user):
        raise Http404


def _window_units(user) -> tuple[list[Unit], bool]:
    """The scopes the user may give a window: (districts, whether "the whole city" is one)."""
    scope = scope_for(user)
    if scope.everything:
        return list(Unit.objects.filter(kind=Unit.Kind.DISTRICT, is_active=True).order_by("path")), True
    return list(Unit.objects.filter(pk__in=scope.officer_of, is_active=True).order_by("path")), False


@login_required
def calendar(request):
    _require_calendar(request.user)
    editable = set(
        SubmissionWindow.objects.filter(window_editable_q(request.user)).values_list("pk", flat=True)
    )
    windows = (
        SubmissionWindow.objects.filter(window_listed_q(request.user))
        .select_related("unit")
        .order_by("opens_on", "unit__path")
    )
    by_year: dict[int, list] = {}
    for window in windows:
        by_year.setdefault(window.year_id, []).append((window, window.pk in editable))
    years = [(year, by_year.get(year.pk, [])) for year in AcademicYear.objects.order_by("-starts_on")]
    context = {"years": years, "can_edit_years": can_edit_years(request.user)}
    return render(request, "submissions/calendar.html", context)


@login_required
def year_edit(request, pk=None):
    _require_years(request.user)
    year = get_object_or_404(AcademicYear, pk=pk) if pk else None
    form = AcademicYearForm(request.POST or None, instance=year)
    if request.method == "POST" and form.is_valid():
        try:
            year = services.academic_year_save(year=form.instance)
        except ValidationError as exc:  # a window moved in between
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu năm học %(name)s.") % {"name": year.name})
            return redirect("calendar:index")
    return render(
        request,
        "submissions/academic_year_form.html",
        {"form": form, "year": year},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def year_standard_windows(request, pk):
    """The three windows of seed 000 for the year, in one click. Idempotent: a second click
    updates the same three windows to the year's make-up weeks."""
    _require_years(request.user)
    year = get_object_or_404(AcademicYear, pk=pk)
    try:
        services.windows_create_standard(year=year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã tạo ba đợt nộp chuẩn cho năm học %(name)s.") % {"name": year.name})
    return redirect("calendar:index")


@login_required
def window_edit(request, pk=None):
    _require_calendar(request.user)
    window = None
    if pk:
        # SECURITY: fetched through the editable filter; a window of another district is 404.
        window = get_object_or_404(SubmissionWindow.objects.filter(window_editable_q(request.user)), pk=pk)
    units, city_wide = _window_units(request.user)
    if not units and not city_wide:
        raise Http404
    initial = {}
    if window is None:
        initial = {"unit": units[0].pk if units and not city_wide else None, "review_days": 7}
    form = SubmissionWindowForm(
        request.POST or None, instance=window, initial=initial, units=units, city_wide=city_wide
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.submission_window_save(window=form.instance)
        except ValidationError as exc:  # another window saved in between
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu đợt nộp “%(name)s”.") % {"name": saved.name})
            return redirect("calendar:index")
    return render(
        request,
        "submissions/window_form.html",
        {"form": form, "window": window},
        status=400 if form.errors else 200,
    )
