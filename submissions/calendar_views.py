"""The calendar pages: academic years (semesters, make-up weeks), a district's own dates and
submission windows.

City leaders edit everything; a district officer edits their district's own end of semester I and
make-up weeks, creates its standard windows, edits the windows of their district and reads the
city's calendar. Every other user gets 404 on every page (the pages do not exist for them).
"""

from __future__ import annotations

from collections.abc import Callable

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
from .calendar_forms import AcademicYearForm, DistrictCalendarForm, SubmissionWindowForm
from .calendar_selectors import combine, district_calendars
from .models import AcademicYear, DistrictCalendar, SubmissionWindow
from .rules import (
    can_edit_district_calendar,
    can_edit_years,
    can_manage_calendar,
    window_editable_q,
    window_listed_q,
)


def _require_calendar(user) -> None:
    # SECURITY: the calendar pages are 404 for anyone who manages no calendar.
    if not can_manage_calendar(user):
        raise Http404


def _require_years(user) -> None:
    _require_calendar(user)
    if not can_edit_years(user):
        raise Http404


def _district_or_404(user, pk: int) -> Unit:
    # SECURITY: another district's calendar is 404, as is any unit that is not a district.
    _require_calendar(user)
    district = get_object_or_404(Unit, pk=pk, kind=Unit.Kind.DISTRICT, is_active=True)
    if not can_edit_district_calendar(user, district):
        raise Http404
    return district


def _window_units(user) -> tuple[list[Unit], bool]:
    """The scopes the user may give a window: (districts, whether "the whole city" is one)."""
    scope = scope_for(user)
    if scope.everything:
        return list(Unit.objects.filter(kind=Unit.Kind.DISTRICT, is_active=True).order_by("path")), True
    return list(Unit.objects.filter(pk__in=scope.officer_of, is_active=True).order_by("path")), False


def _form_page(
    request, form, *, save: Callable, saved: Callable[[object], str], template: str, context: dict
):
    """The edit pages' one flow: a valid POST goes to the service (whose ValidationError, e.g.
    a window saved in between, shows on the form), a success message and back to the calendar;
    otherwise the form again, 400 when it has errors (everything typed is kept)."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.instance)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, saved(result))
            return redirect("calendar:index")
    return render(request, template, {"form": form, **context}, status=400 if form.errors else 200)


def _standard_windows(request, year: AcademicYear, district: Unit | None):
    """The three windows of seed 000 for the year (the district's on its own dates), in one
    click. Idempotent: a second click moves the same three windows to the current make-up weeks."""
    try:
        services.windows_create_standard(year=year, district=district)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if district is None:
            text = _("Đã tạo ba đợt nộp chuẩn cho năm học %(name)s.") % {"name": year.name}
        else:
            text = _("Đã tạo ba đợt nộp chuẩn của %(district)s cho năm học %(name)s.") % {
                "district": district.name,
                "name": year.name,
            }
        messages.success(request, text)
    return redirect("calendar:index")


@login_required
def calendar(request):
    _require_calendar(request.user)
    user = request.user
    editable = set(SubmissionWindow.objects.filter(window_editable_q(user)).values_list("pk", flat=True))
    windows = (
        SubmissionWindow.objects.filter(window_listed_q(user))
        .select_related("unit")
        .order_by("opens_on", "unit__path")
    )
    leader = can_edit_years(user)
    windows = list(windows)
    # For an officer, the city's standard windows their district's own stand in for.
    replaced = (
        set()
        if leader
        else {(w.year_id, w.slot) for w in windows if w.unit_id and w.slot != SubmissionWindow.Slot.OTHER}
    )
    by_year: dict[int, list] = {}
    for window in windows:
        stood_in = window.unit_id is None and (window.year_id, window.slot) in replaced
        by_year.setdefault(window.year_id, []).append((window, window.pk in editable, stood_in))
    # An officer sees the dates of each of their districts; a leader the districts with their own.
    districts = [] if leader else _window_units(user)[0]
    own = (
        {(r.year_id, r.district_id): r for r in DistrictCalendar.objects.select_related("district")}
        if leader
        else district_calendars(districts)
    )
    years = []
    for year in AcademicYear.objects.order_by("-starts_on"):
        if leader:
            shown = sorted((r.district for (y, _d), r in own.items() if y == year.pk), key=lambda u: u.path)
        else:
            shown = districts
        dates = [combine(year, d, own.get((year.pk, d.pk))) for d in shown]
        years.append((year, by_year.get(year.pk, []), dates))
    return render(request, "submissions/calendar.html", {"years": years, "can_edit_years": leader})


@login_required
def year_edit(request, pk=None):
    _require_years(request.user)
    year = get_object_or_404(AcademicYear, pk=pk) if pk else None
    return _form_page(
        request,
        AcademicYearForm(request.POST or None, instance=year),
        save=lambda instance: services.academic_year_save(year=instance),
        saved=lambda saved: _("Đã lưu năm học %(name)s.") % {"name": saved.name},
        template="submissions/academic_year_form.html",
        context={"year": year},
    )


@login_required
@require_POST
def year_standard_windows(request, pk):
    _require_years(request.user)
    return _standard_windows(request, get_object_or_404(AcademicYear, pk=pk), None)


@login_required
def district_edit(request, pk, district_pk):
    """A district's own end of semester I and make-up weeks in the city's year."""
    district = _district_or_404(request.user, district_pk)
    year = get_object_or_404(AcademicYear, pk=pk)
    own = DistrictCalendar.objects.filter(year=year, district=district).first()
    own = own or DistrictCalendar(year=year, district=district)
    return _form_page(
        request,
        DistrictCalendarForm(request.POST or None, instance=own),
        save=lambda instance: services.district_calendar_save(calendar=instance),
        saved=lambda saved: (
            (
                _("Đã lưu lịch riêng của %(district)s năm học %(name)s.")
                if saved is not None
                else _("%(district)s theo lịch của Sở năm học %(name)s.")
            )
            % {"district": district.name, "name": year.name}
        ),
        template="submissions/calendar_district_form.html",
        context={"year": year, "district": district},
    )


@login_required
@require_POST
def district_standard_windows(request, pk, district_pk):
    district = _district_or_404(request.user, district_pk)
    return _standard_windows(request, get_object_or_404(AcademicYear, pk=pk), district)


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
    return _form_page(
        request,
        form,
        save=lambda instance: services.submission_window_save(window=instance),
        saved=lambda saved: _("Đã lưu đợt nộp “%(name)s”.") % {"name": saved.name},
        template="submissions/window_form.html",
        context={"window": window},
    )
