"""The list form: which unit (among those the user may inspect), which period, which filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import GRADE_CHOICES, SchoolLevel, Subject
from submissions.models import AcademicYear

from .models import SemesterReport
from .selectors import LEVELS, ListQuery, inspectable_unit, periods


class ApprovedListForm(forms.Form):
    period = forms.ChoiceField(label=_("Thời gian"), required=False)
    subject = forms.ModelChoiceField(
        label=_("Môn học"),
        queryset=Subject.objects.all(),
        required=False,
        empty_label=_("Tất cả các môn"),
        error_messages={"invalid_choice": _("Môn học không có trong danh mục.")},
    )
    grade = forms.TypedChoiceField(
        label=_("Lớp"),
        choices=[("", _("Tất cả")), *GRADE_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Lớp phải từ 1 đến 12.")},
    )
    school_level = forms.ChoiceField(
        label=_("Cấp học"),
        choices=[("", _("Tất cả các cấp học")), *SchoolLevel.choices],
        required=False,
        error_messages={"invalid_choice": _("Cấp học không hợp lệ.")},
    )
    level = forms.ChoiceField(
        label=_("Được phê duyệt từ"),
        choices=[
            ("", _("Mọi cấp")),
            *[(v, _("%(level)s trở lên") % {"level": label}) for v, label in LEVELS],
        ],
        required=False,
        error_messages={"invalid_choice": _("Cấp phê duyệt không hợp lệ.")},
    )

    def __init__(self, *args, unit, period_list=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.periods = {p.key: p for p in (period_list if period_list is not None else periods(unit))}
        self.fields["period"].choices = [
            ("", _("Toàn bộ thời gian")),
            *[(k, p.label) for k, p in self.periods.items()],
        ]
        # The subjects read once, as a list: the template's loop over a ModelChoiceField's own
        # choices counts them (len) and then reads them again through a cursor.
        subject = self.fields["subject"]
        subject.choices = [
            ("", subject.empty_label),
            *[(s.pk, subject.label_from_instance(s)) for s in subject.queryset],
        ]
        self.fields["period"].error_messages["invalid_choice"] = _(
            "Thời gian không hợp lệ: hãy chọn một năm học, học kì hoặc đợt nộp trong danh sách."
        )

    def query(self) -> ListQuery:
        data = self.cleaned_data
        return ListQuery(
            unit=self.unit,
            period=self.periods.get(data.get("period") or ""),
            subject=data.get("subject"),
            grade=data.get("grade"),
            school_level=data.get("school_level") or "",
            level=data.get("level") or "",
        )


def query_from_params(user, params: dict) -> ListQuery | None:
    """The query stored with a background export, rebuilt with the user's permissions of now;
    None when the unit is no longer theirs to inspect or a filter no longer exists."""
    unit = inspectable_unit(user, params.get("unit"))
    if unit is None:
        return None
    form = ApprovedListForm({k: v for k, v in params.items() if k != "unit"}, unit=unit)
    return form.query() if form.is_valid() else None


class SemesterReportStartForm(forms.Form):
    """Which report to open: the unit (among those the user reports for), the year, the period."""

    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None, empty_label=None)
    year = forms.ModelChoiceField(label=_("Năm học"), queryset=None, empty_label=None)
    period = forms.ChoiceField(label=_("Kì báo cáo"), choices=SemesterReport.Period.choices)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].error_messages["invalid_choice"] = _("Bạn không lập báo cáo cho đơn vị này.")
        self.fields["year"].queryset = AcademicYear.objects.order_by("-starts_on")
        self.fields["year"].error_messages["invalid_choice"] = _("Năm học không có trong lịch.")
        # Each list read once: a rendered ModelChoiceField reads its queryset through a new
        # cursor every time its options are walked (the field helper walks them twice).
        for name in ("unit", "year"):
            field = self.fields[name]
            field.choices = [(obj.pk, field.label_from_instance(obj)) for obj in field.queryset]


class SemesterReportTextForm(forms.ModelForm):
    class Meta:
        model = SemesterReport
        fields = ["difficulties", "causes", "recommendations"]
        widgets = {f: forms.Textarea(attrs={"rows": 5}) for f in fields}
        help_texts = {
            "difficulties": _(
                "Những khó khăn trong xây dựng, thẩm định và sử dụng bài giảng điện tử trong kì."
            ),
            "causes": _("Nguyên nhân của những khó khăn trên."),
            "recommendations": _("Kiến nghị, đề xuất gửi cấp trên. Mỗi ý một dòng."),
        }
