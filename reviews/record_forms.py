"""Forms of the professional records pages. They collect input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import GRADE_CHOICES, Subject
from submissions.models import RecordKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})


class _FilesMixin:
    """The file field(s) and the kind's extra facts (two parts, the council's adoption)."""

    def add_file_fields(self, kind: RecordKind) -> None:
        accept = ",".join(f".{f}" for f in (kind.formats or []))
        first = _("Kế hoạch dạy học các môn học") if kind.has_activity_part else _("Tệp hồ sơ")
        self.fields["file"] = forms.FileField(
            label=first,
            help_text=_("Một tệp %(formats)s.")
            % {"formats": ", ".join(f.upper() for f in kind.formats or [])},
            widget=forms.ClearableFileInput(attrs={"accept": accept}),
            error_messages={"required": _("Hãy chọn tệp hồ sơ để tải lên.")},
        )
        if kind.has_activity_part:
            self.fields["activity_file"] = forms.FileField(
                label=_("Kế hoạch tổ chức các hoạt động giáo dục"),
                widget=forms.ClearableFileInput(attrs={"accept": accept}),
                error_messages={
                    "required": _("Hãy tải lên cả phần Kế hoạch tổ chức các hoạt động giáo dục.")
                },
            )
        if kind.needs_council_adoption:
            self.fields["council_adopted_on"] = forms.DateField(
                label=_("Ngày Hội đồng trường thông qua"),
                widget=DATE,
                error_messages={"required": _("Hãy nhập ngày Hội đồng trường thông qua kế hoạch.")},
            )
            self.fields["council_decision_number"] = forms.CharField(
                label=_("Số nghị quyết/quyết định của Hội đồng trường"),
                max_length=60,
                error_messages={"required": _("Hãy nhập số nghị quyết/quyết định của Hội đồng trường.")},
            )
        self.fields["change_note"] = forms.CharField(label=_("Ghi chú"), required=False, widget=TEXTAREA)

    def files_input(self) -> dict:
        data = self.cleaned_data
        return {
            "upload": data.get("file"),
            "activity_upload": data.get("activity_file"),
            "council_adopted_on": data.get("council_adopted_on"),
            "council_decision_number": data.get("council_decision_number", ""),
            "change_note": data.get("change_note", ""),
        }


class RecordSubmitForm(_FilesMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=None, empty_label=None)

    def __init__(self, *args, kind: RecordKind, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        # SECURITY: only units where the user holds the submitter role; the service checks again.
        self.fields["unit"].queryset = units
        if kind.unit_level == RecordKind.UnitLevel.TEACHER:
            self.fields["subject"] = forms.ModelChoiceField(
                label=_("Môn học"),
                queryset=Subject.objects.filter(units__in=units).distinct().order_by("order", "name"),
                error_messages={"required": _("Hãy chọn môn học.")},
            )
        if kind.is_per_lesson:
            self.fields["lesson_name"] = forms.CharField(
                label=_("Tên bài học / chủ đề"),
                max_length=300,
                help_text=_("Mỗi kế hoạch bài dạy cho đúng một bài học hoặc một chủ đề."),
                error_messages={"required": _("Hãy nhập tên bài học hoặc chủ đề.")},
            )
            self.fields["grade"] = forms.TypedChoiceField(
                label=_("Khối lớp"),
                choices=[("", "—"), *GRADE_CHOICES],
                coerce=int,
                error_messages={"required": _("Hãy chọn khối lớp.")},
            )
            self.fields["class_name"] = forms.CharField(
                label=_("Lớp dạy"),
                max_length=40,
                help_text=_("Ví dụ: 6A1."),
                error_messages={"required": _("Hãy nhập lớp dạy (ví dụ 6A1).")},
            )
            self.fields["teaching_date"] = forms.DateField(
                label=_("Ngày dạy"),
                widget=DATE,
                help_text=_("Kế hoạch bài dạy phải được duyệt trước ngày này."),
                error_messages={"required": _("Hãy nhập ngày dạy của bài học.")},
            )
        self.add_file_fields(kind)

    def details(self) -> dict:
        data = self.cleaned_data
        if self.kind.unit_level != RecordKind.UnitLevel.TEACHER:
            return {}
        details = {"subject": data.get("subject")}
        if self.kind.is_per_lesson:
            details.update(
                lesson_name=data.get("lesson_name", ""),
                grade=data.get("grade"),
                class_name=data.get("class_name", ""),
                teaching_date=data.get("teaching_date"),
            )
        return details


class RecordResubmitForm(_FilesMixin, forms.Form):
    def __init__(self, *args, kind: RecordKind, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_file_fields(kind)
        self.fields["change_note"].label = _("Nội dung đã chỉnh sửa")


class RecordDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Quyết định"),
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Hãy chọn phê duyệt hoặc trả lại.")},
    )
    comment = forms.CharField(
        label=_("Góp ý"),
        required=False,
        widget=TEXTAREA,
        help_text=_("Bắt buộc khi trả lại: ghi rõ nội dung cần chỉnh sửa."),
    )

    def __init__(self, *args, acknowledge: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        approve = _("Xác nhận đã nhận") if acknowledge else _("Phê duyệt")
        self.fields["decision"].choices = [("approve", approve), ("return", _("Trả lại, yêu cầu chỉnh sửa"))]

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Hãy ghi rõ nội dung cần chỉnh sửa để người nộp sửa hồ sơ."))
        return data
