"""Forms of the calendar pages: an academic year (semesters, make-up weeks) and a submission
window. The rules that tie the dates together live in `services.academic_year_validate` and
`services.submission_window_validate`; the forms only show their messages by field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import SchoolLevel, Unit

from . import services
from .models import AcademicYear, DistrictCalendar, SubmissionKind, SubmissionWindow


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


class AcademicYearForm(forms.ModelForm):
    class Meta:
        model = AcademicYear
        fields = [
            "name",
            "starts_on",
            "semester1_ends_on",
            "ends_on",
            "makeup1_starts_on",
            "makeup2_starts_on",
        ]
        widgets = {f: _date_input() for f in fields[1:]}
        help_texts = {
            "semester1_ends_on": _("Học kì II bắt đầu ngày hôm sau."),
            "makeup1_starts_on": _("Ngày thứ Hai của tuần dạy bù học kì I (thời điểm nộp 2)."),
            "makeup2_starts_on": _("Ngày thứ Hai của tuần dạy bù học kì II (thời điểm nộp 3)."),
        }
        error_messages = {"name": {"unique": _("Đã có năm học mang tên này.")}}

    def clean_name(self):
        name = self.cleaned_data["name"]
        match = services.YEAR_NAME.match(name)
        if not match or int(match[2]) != int(match[1]) + 1:
            raise ValidationError(_("Tên năm học phải có dạng 2026–2027."))
        return f"{match[1]}–{match[2]}"

    def clean(self):
        data = super().clean()
        if all(data.get(f) for f in ("starts_on", "semester1_ends_on", "ends_on")):
            candidate = AcademicYear(pk=self.instance.pk, **{f: data.get(f) for f in self.Meta.fields})
            try:
                services.academic_year_validate(year=candidate)
            except ValidationError as exc:
                _add_errors(self, exc)
        return data


class DistrictCalendarForm(forms.ModelForm):
    """A district's own end of semester I and make-up weeks in the city's year; each date left
    empty follows the city's. The instance carries its year and district."""

    class Meta:
        model = DistrictCalendar
        fields = list(DistrictCalendar.DATE_FIELDS)
        widgets = {f: _date_input() for f in fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        year = self.instance.year
        prefixes = {
            "semester1_ends_on": _("Học kì II bắt đầu ngày hôm sau."),
            "makeup1_starts_on": _("Ngày thứ Hai của tuần dạy bù học kì I (thời điểm nộp 2)."),
            "makeup2_starts_on": _("Ngày thứ Hai của tuần dạy bù học kì II (thời điểm nộp 3)."),
        }
        for name, prefix in prefixes.items():
            day = getattr(year, name)
            city = day.strftime("%d/%m/%Y") if day else _("chưa nhập")
            self.fields[name].help_text = "{} {}".format(
                prefix, _("Để trống: theo lịch của Sở (%(date)s).") % {"date": city}
            )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        candidate = DistrictCalendar(
            year=self.instance.year,
            district=self.instance.district,
            **{f: data.get(f) for f in DistrictCalendar.DATE_FIELDS},
        )
        if not candidate.is_empty:
            try:
                services.district_calendar_validate(calendar=candidate)
            except ValidationError as exc:
                _add_errors(self, exc)
        return data


class SubmissionWindowForm(forms.ModelForm):
    """A window for one scope: the city (no unit) or a district the user may manage."""

    kinds = forms.MultipleChoiceField(
        label=_("Loại hồ sơ nhận"),
        choices=SubmissionKind.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
        help_text=_("Không chọn: nhận mọi loại hồ sơ."),
    )
    school_levels = forms.MultipleChoiceField(
        label=_("Cấp học nhận"),
        choices=SchoolLevel.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
        help_text=_("Không chọn: nhận mọi cấp học."),
    )

    class Meta:
        model = SubmissionWindow
        fields = ["year", "unit", "name", "opens_on", "closes_on", "review_days", "kinds", "school_levels"]
        widgets = {"opens_on": _date_input(), "closes_on": _date_input()}
        help_texts = {
            "review_days": _("Hạn thẩm định cấp trường: số ngày sau khi đợt đóng (mặc định 7)."),
            "closes_on": _("Ngày cuối cùng còn nhận hồ sơ."),
        }

    def __init__(self, *args, units, city_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].empty_label = None
        self.fields["year"].queryset = AcademicYear.objects.order_by("-starts_on")
        unit_field = self.fields["unit"]
        unit_field.queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("path")
        unit_field.required = not city_wide
        unit_field.empty_label = _("Toàn thành phố (Sở GDĐT)") if city_wide else None
        unit_field.help_text = (
            _("Đợt của một quận/huyện chỉ áp dụng cho các trường thuộc quận/huyện đó.") if city_wide else ""
        )

    def clean(self):
        data = super().clean()
        needed = ("year", "opens_on", "closes_on", "review_days")
        if self.errors or not all(data.get(f) is not None for f in needed):
            return data
        if data["closes_on"] < data["opens_on"]:
            return data  # the model's constraint says so, once
        candidate = SubmissionWindow(
            pk=self.instance.pk,
            year=data["year"],
            unit=data.get("unit"),
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            review_days=data["review_days"],
            kinds=data.get("kinds") or [],
        )
        try:
            services.submission_window_validate(window=candidate)
        except ValidationError as exc:
            _add_errors(self, exc)
        return data
