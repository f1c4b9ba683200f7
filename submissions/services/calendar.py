"""The calendar: academic years and their three standard submission windows."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Unit

from ..calendar_selectors import combine, effective_calendar
from ..models import AcademicYear, DistrictCalendar, SubmissionKind, SubmissionWindow

YEAR_NAME = re.compile(r"^\s*(\d{4})\s*[-–/]\s*(\d{4})\s*$")


def august_week3_monday(year: int) -> datetime.date:
    """The Monday of the third week of August: the third Monday of the month."""
    first = datetime.date(year, 8, 1)
    first_monday = first + datetime.timedelta(days=(7 - first.weekday()) % 7)
    return first_monday + datetime.timedelta(weeks=2)


def academic_year_ensure(*, name: str) -> AcademicYear:
    """The academic year named "2026-2027" or "2026–2027", created with the usual dates if new."""
    match = YEAR_NAME.match(name)
    if not match or int(match[2]) != int(match[1]) + 1:
        raise ValidationError(_("Tên năm học phải có dạng 2026–2027."))
    start, end = int(match[1]), int(match[2])
    year, _created = AcademicYear.objects.get_or_create(
        name=f"{start}–{end}",
        defaults={
            "starts_on": datetime.date(start, 8, 1),
            "semester1_ends_on": datetime.date(end, 1, 17),
            "ends_on": datetime.date(end, 5, 31),
        },
    )
    return year


def windows_create_standard(
    *,
    year: AcademicYear,
    district: Unit | None = None,
    makeup1: datetime.date | None = None,
    makeup2: datetime.date | None = None,
) -> list[SubmissionWindow]:
    """Creates or updates the three standard windows of seed 000 for `year`. Idempotent.

    Week 3 of August (Monday–Sunday) and the make-up weeks of semesters I and II, which start on
    the Mondays the city enters (given here or already stored on the year). For a `district`, the
    windows are the district's (`unit`), on its make-up weeks (`effective_calendar`); for its
    schools they stand in for the city's windows of the same slot. `makeup1`/`makeup2` are stored
    on the city's year only (a district's own dates are saved by `district_calendar_save`).
    """
    dates = effective_calendar(year, district)
    makeup1 = makeup1 or dates.makeup1_starts_on
    makeup2 = makeup2 or dates.makeup2_starts_on
    if makeup1 is None or makeup2 is None:
        raise ValidationError(
            _("Năm học %(year)s chưa có ngày bắt đầu tuần dạy bù học kì I và II.") % {"year": year.name}
        )
    for day in (makeup1, makeup2):
        if day.weekday() != 0:
            raise ValidationError(
                _("Tuần dạy bù phải bắt đầu vào thứ Hai (%(date)s không phải thứ Hai).")
                % {"date": day.strftime("%d/%m/%Y")}
            )
    with transaction.atomic():
        year = AcademicYear.objects.select_for_update().get(pk=year.pk)
        if district is None:
            year.makeup1_starts_on, year.makeup2_starts_on = makeup1, makeup2
            year.save(update_fields=["makeup1_starts_on", "makeup2_starts_on"])
        august = august_week3_monday(year.starts_on.year)
        specs = [
            (
                SubmissionWindow.Slot.AUGUST,
                _("Thời điểm 1: tuần 3 tháng 8/%(y)d") % {"y": august.year},
                august,
            ),
            (SubmissionWindow.Slot.MAKEUP_1, _("Thời điểm 2: tuần dạy bù học kì I"), makeup1),
            (SubmissionWindow.Slot.MAKEUP_2, _("Thời điểm 3: tuần dạy bù học kì II"), makeup2),
        ]
        windows = []
        for slot, name, monday in specs:
            if district is not None:
                name = f"{name} ({district.name})"
            closes_on = monday + datetime.timedelta(days=6)
            _standard_fits(year=year, district=district, name=name, opens_on=monday, closes_on=closes_on)
            window, _created = SubmissionWindow.objects.update_or_create(
                year=year,
                slot=slot,
                unit=district,
                defaults={"name": name, "opens_on": monday, "closes_on": closes_on},
                create_defaults={
                    "name": name,
                    "opens_on": monday,
                    "closes_on": closes_on,
                    "kinds": [SubmissionKind.LECTURE],
                },
            )
            windows.append(window)
    return windows


def _standard_fits(
    *,
    year: AcademicYear,
    district: Unit | None,
    name: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
) -> None:
    """A standard window may not land on another lecture window of its scope (the city's or the
    district's) someone added by hand (the standard ones are moved, never duplicated). Raises a
    ValidationError that names it."""
    clash = (
        SubmissionWindow.objects.filter(
            year=year,
            unit=district,
            slot=SubmissionWindow.Slot.OTHER,
            opens_on__lte=closes_on,
            closes_on__gte=opens_on,
        )
        .order_by("opens_on")
        .first()
    )
    if clash is not None and _kinds_overlap([SubmissionKind.LECTURE], clash.kinds):
        raise ValidationError(
            _("“%(standard)s” trùng thời gian với đợt “%(name)s” (%(first)s–%(last)s); hãy sửa đợt đó trước.")
            % {"standard": name, "name": clash.name, "first": _d(clash.opens_on), "last": _d(clash.closes_on)}
        )


def _d(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _dates_errors(dates) -> dict[str, str]:
    """The rules tying a year's dates together, on anything with `starts_on`, `ends_on`,
    `semester1_ends_on`, `makeup1_starts_on`, `makeup2_starts_on` (a year or an
    `EffectiveCalendar`): errors by field, in Vietnamese."""
    errors: dict[str, str] = {}
    if dates.starts_on and dates.ends_on and dates.ends_on <= dates.starts_on:
        errors["ends_on"] = _("Ngày kết thúc năm học phải sau ngày bắt đầu.")
    elif dates.starts_on and dates.ends_on and (dates.ends_on - dates.starts_on).days > 366:
        errors["ends_on"] = _("Một năm học không dài quá 12 tháng.")
    if dates.starts_on and dates.ends_on and dates.semester1_ends_on and not errors:
        if not (dates.starts_on < dates.semester1_ends_on < dates.ends_on):
            errors["semester1_ends_on"] = _(
                "Học kì I phải kết thúc sau ngày bắt đầu và trước ngày kết thúc năm học (%(first)s–%(last)s)."
            ) % {"first": _d(dates.starts_on), "last": _d(dates.ends_on)}
    if errors:
        return errors
    semesters = {
        "makeup1_starts_on": (dates.starts_on, dates.semester1_ends_on, _("học kì I")),
        "makeup2_starts_on": (
            dates.semester1_ends_on + datetime.timedelta(days=1),
            dates.ends_on,
            _("học kì II"),
        ),
    }
    for field, (first, last, semester) in semesters.items():
        day = getattr(dates, field)
        if day is None:
            continue
        if day.weekday() != 0:
            errors[field] = _("Tuần dạy bù phải bắt đầu vào thứ Hai (%(date)s không phải thứ Hai).") % {
                "date": _d(day)
            }
        elif not (first <= day <= last):
            errors[field] = _(
                "Tuần dạy bù %(semester)s phải nằm trong %(semester)s (%(first)s–%(last)s)."
            ) % {
                "semester": semester,
                "first": _d(first),
                "last": _d(last),
            }
    return errors


def academic_year_validate(*, year: AcademicYear) -> None:
    """The dates of a year hold together; raises a ValidationError by field, in Vietnamese.

    Semester I ends inside the year; each make-up week starts on a Monday inside its semester;
    the year's windows stay inside it (a year may not shrink under its own windows), and so do
    the districts' own dates.
    """
    errors = _dates_errors(year)
    if errors:
        raise ValidationError(errors)
    if year.pk:
        outside = (
            SubmissionWindow.objects.filter(year_id=year.pk)
            .exclude(opens_on__gte=year.starts_on, closes_on__lte=year.ends_on)
            .order_by("opens_on")
            .first()
        )
        if outside is not None:
            errors["__all__"] = _("Đợt nộp “%(window)s” sẽ nằm ngoài năm học; hãy sửa đợt nộp trước.") % {
                "window": outside.name
            }
        for own in DistrictCalendar.objects.filter(year_id=year.pk).select_related("district"):
            if _dates_errors(combine(year, own.district, own)):
                errors.setdefault(
                    "__all__",
                    _(
                        "Lịch riêng của %(district)s sẽ không còn hợp lệ với các ngày này; hãy sửa lịch đó trước."
                    )
                    % {"district": own.district.name},
                )
    if errors:
        raise ValidationError(errors)


def district_calendar_validate(*, calendar: DistrictCalendar) -> None:
    """A district's own dates, with the city's for what it leaves empty, hold together inside
    the city's year (same rules as the year's). Raises a ValidationError by field, in Vietnamese."""
    errors = _dates_errors(combine(calendar.year, calendar.district, calendar))
    if errors:
        raise ValidationError(
            {f: e for f, e in errors.items() if f in DistrictCalendar.DATE_FIELDS} or errors
        )


def district_calendar_save(*, calendar: DistrictCalendar) -> DistrictCalendar | None:
    """Validates and saves a district's own dates for a year; with every date empty, the
    district follows the city again (the row is deleted; returns None). Locks the year, so the
    city cannot move it in between. The caller checks `submissions.rules.can_edit_district_calendar`."""
    with transaction.atomic():
        year = AcademicYear.objects.select_for_update().get(pk=calendar.year_id)
        calendar.year = year
        if calendar.is_empty:
            DistrictCalendar.objects.filter(year=year, district=calendar.district).delete()
            return None
        district_calendar_validate(calendar=calendar)
        calendar.save()
    return calendar


def academic_year_save(*, year: AcademicYear) -> AcademicYear:
    """Validates and saves a year (new or edited). The caller checks the permission
    (`submissions.rules.can_edit_years`)."""
    with transaction.atomic():
        if year.pk:
            AcademicYear.objects.select_for_update().filter(pk=year.pk).first()
        academic_year_validate(year=year)
        year.save()
    return year


def _kinds_overlap(a: list[str], b: list[str]) -> bool:
    """An empty list accepts every kind."""
    return not a or not b or bool(set(a) & set(b))


def submission_window_validate(*, window: SubmissionWindow) -> None:
    """Closes after it opens, lies inside its year, and overlaps no other window of the same
    scope that accepts one of its kinds. Raises a ValidationError by field, in Vietnamese."""
    errors: dict[str, str] = {}
    if window.closes_on < window.opens_on:
        errors["closes_on"] = _("Ngày đóng phải bằng hoặc sau ngày mở.")
    year = window.year
    if not errors and not (year.starts_on <= window.opens_on and window.closes_on <= year.ends_on):
        errors["__all__"] = _("Đợt nộp phải nằm trong năm học %(year)s (%(first)s–%(last)s).") % {
            "year": year.name,
            "first": _d(year.starts_on),
            "last": _d(year.ends_on),
        }
    if not 1 <= window.review_days <= 60:
        errors["review_days"] = _("Số ngày thẩm định từ 1 đến 60.")
    if errors:
        raise ValidationError(errors)
    others = (
        SubmissionWindow.objects.filter(
            unit_id=window.unit_id, opens_on__lte=window.closes_on, closes_on__gte=window.opens_on
        )
        .exclude(pk=window.pk)
        .order_by("opens_on")
    )
    for other in others:
        if _kinds_overlap(window.kinds, other.kinds):
            raise ValidationError(
                _("Trùng thời gian với đợt “%(name)s” (%(first)s–%(last)s) cùng phạm vi và cùng loại hồ sơ.")
                % {"name": other.name, "first": _d(other.opens_on), "last": _d(other.closes_on)}
            )


def submission_window_save(*, window: SubmissionWindow) -> SubmissionWindow:
    """Validates and saves a window (new or edited). Locks the year so two people saving
    overlapping windows at once cannot both pass the overlap check. The caller checks the
    permission (`submissions.rules.can_edit_window`)."""
    with transaction.atomic():
        AcademicYear.objects.select_for_update().filter(pk=window.year_id).first()
        submission_window_validate(window=window)
        window.save()
    return window
