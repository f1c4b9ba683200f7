"""The calendar: academic years and their three standard submission windows."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import AcademicYear, SubmissionKind, SubmissionWindow

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
    *, year: AcademicYear, makeup1: datetime.date | None = None, makeup2: datetime.date | None = None
) -> list[SubmissionWindow]:
    """Creates or updates the three standard windows of seed 000 for `year`. Idempotent.

    Week 3 of August (Monday–Sunday) and the make-up weeks of semesters I and II, which start on
    the Mondays the city enters (given here or already stored on the year).
    """
    makeup1 = makeup1 or year.makeup1_starts_on
    makeup2 = makeup2 or year.makeup2_starts_on
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
            window, _created = SubmissionWindow.objects.update_or_create(
                year=year,
                slot=slot,
                defaults={
                    "name": name,
                    "opens_on": monday,
                    "closes_on": monday + datetime.timedelta(days=6),
                },
                create_defaults={
                    "name": name,
                    "opens_on": monday,
                    "closes_on": monday + datetime.timedelta(days=6),
                    "kinds": [SubmissionKind.LECTURE],
                },
            )
            windows.append(window)
    return windows
