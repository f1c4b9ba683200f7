"""A district's own dates inside the city's academic year (issue 11, item 4).

The Department sets the school year (its first and last day: one for every school of the city);
a district's Education Office may move, for its own schools, the end of semester I and its two
make-up weeks — the weeks when the second and third standard windows of seed 000 fall. Each date
left empty falls back to the city's. Read the dates of a year for a unit only through
`submissions.calendar_selectors.effective_calendar`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit


class DistrictCalendar(models.Model):
    year = models.ForeignKey(
        "submissions.AcademicYear",
        verbose_name=_("năm học"),
        on_delete=models.CASCADE,
        related_name="district_calendars",
    )
    district = models.ForeignKey(
        Unit,
        verbose_name=_("quận/huyện"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Unit.Kind.DISTRICT},
    )
    semester1_ends_on = models.DateField(
        _("kết thúc học kì I"), null=True, blank=True, help_text=_("Để trống: theo lịch của Sở.")
    )
    makeup1_starts_on = models.DateField(
        _("tuần dạy bù học kì I bắt đầu"),
        null=True,
        blank=True,
        help_text=_("Ngày thứ Hai của tuần. Để trống: theo lịch của Sở."),
    )
    makeup2_starts_on = models.DateField(
        _("tuần dạy bù học kì II bắt đầu"),
        null=True,
        blank=True,
        help_text=_("Ngày thứ Hai của tuần. Để trống: theo lịch của Sở."),
    )

    DATE_FIELDS = ("semester1_ends_on", "makeup1_starts_on", "makeup2_starts_on")

    class Meta:
        verbose_name = _("lịch riêng của quận/huyện")
        verbose_name_plural = _("lịch riêng của quận/huyện")
        constraints = [
            models.UniqueConstraint(fields=["year", "district"], name="one_district_calendar_per_year"),
        ]

    def __str__(self):
        return f"{self.district} – {self.year}"

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, f) is None for f in self.DATE_FIELDS)
