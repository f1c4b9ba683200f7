"""Forms of the review pages. They collect input; the services decide what is allowed."""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from elearning.text import vi_sorted

from .models import Decision, Recommendation, Rubric

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class ScoresMixin:
    """Adds one number field per criterion of the current rubric (`score_<id>`)."""

    def add_score_fields(self, rubric: Rubric | None, *, required: bool) -> None:
        self.rubric = rubric
        self.criteria = list(rubric.criteria.all()) if rubric else []
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.name} (tối đa {format(criterion.max_points.normalize(), 'f')})",
                help_text=criterion.description,
                min_value=0,
                max_value=criterion.max_points,
                decimal_places=2,
                required=required,
                widget=forms.NumberInput(attrs={"step": "0.5", "class": "score-input"}),
            )

    def scores(self) -> dict:
        return {
            str(c.pk): self.cleaned_data.get(f"score_{c.pk}")
            for c in self.criteria
            if self.cleaned_data.get(f"score_{c.pk}") is not None
        }

    def score_fields(self):
        return [self[f"score_{c.pk}"] for c in self.criteria]


class DecisionForm(ScoresMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Quyết định"),
        choices=Decision.choices,
        # No decision is chosen for the reviewer: approving must be a deliberate click.
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    strengths = forms.CharField(label=_("Ưu điểm"), required=False, widget=TEXTAREA)
    limitations = forms.CharField(label=_("Hạn chế"), required=False, widget=TEXTAREA)
    required_changes = forms.CharField(
        label=_("Yêu cầu điều chỉnh"),
        required=False,
        widget=TEXTAREA,
        help_text=_("Bắt buộc khi yêu cầu chỉnh sửa: ghi rõ từng nội dung tác giả cần sửa."),
    )
    conclusion = forms.CharField(
        label=_("Kết luận"),
        required=False,
        widget=TEXTAREA,
        help_text=_("Bắt buộc khi không phê duyệt: ghi rõ lý do."),
    )

    def __init__(self, *args, rubric: Rubric | None = None, with_scores: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_score_fields(rubric if with_scores else None, required=False)

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == Decision.RETURN and not (data.get("required_changes") or "").strip():
            self.add_error("required_changes", _("Hãy ghi rõ những yêu cầu điều chỉnh để tác giả sửa bài."))
        if decision == Decision.REJECT and not (data.get("conclusion") or "").strip():
            self.add_error("conclusion", _("Hãy ghi rõ lý do không phê duyệt trong phần kết luận."))
        given = [f for f in self.criteria if data.get(f"score_{f.pk}") is not None]
        if given and len(given) != len(self.criteria):
            raise forms.ValidationError(_("Hãy chấm đủ điểm các tiêu chí, hoặc để trống tất cả."))
        return data


class EvaluationForm(ScoresMixin, forms.Form):
    recommendation = forms.ChoiceField(
        label=_("Đề xuất"),
        choices=Recommendation.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    strengths = forms.CharField(label=_("Ưu điểm"), required=False, widget=TEXTAREA)
    limitations = forms.CharField(label=_("Hạn chế"), required=False, widget=TEXTAREA)
    required_changes = forms.CharField(label=_("Yêu cầu điều chỉnh"), required=False, widget=TEXTAREA)

    def __init__(self, *args, rubric: Rubric | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_score_fields(rubric, required=True)

    def clean(self):
        data = super().clean()
        if (
            data.get("recommendation") == Recommendation.RETURN
            and not (data.get("required_changes") or "").strip()
        ):
            self.add_error("required_changes", _("Hãy ghi rõ yêu cầu điều chỉnh."))
        return data


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        schools = vi_sorted({ra.unit.school.name for ra in obj.roles.all() if ra.unit.school})
        return f"{obj.get_full_name()} – {', '.join(schools)}" if schools else obj.get_full_name()


class AssignForm(forms.Form):
    members = MemberChoiceField(
        label=_("Thành viên đánh giá"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Mặc định hai thành viên. Không hiện thành viên cùng trường với tác giả."),
    )

    def __init__(self, *args, eligible=None, **kwargs):
        super().__init__(*args, **kwargs)
        # SECURITY: only eligible members are offered; the service checks again.
        self.fields["members"].queryset = eligible.prefetch_related("roles__unit__parent")


class NominateForm(forms.Form):
    comment = forms.CharField(
        label=_("Ý kiến đề cử"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class VerifyUploadForm(forms.Form):
    """A PDF to check on "Kiểm tra văn bản"; `cleaned_data["pdf"]` is its bytes."""

    file = forms.FileField(
        label=_("Văn bản cần kiểm tra (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        error_messages={"required": _("Hãy chọn tệp PDF cần kiểm tra."), "empty": _("Tệp rỗng.")},
    )

    def clean_file(self):
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        upload = self.cleaned_data["file"]
        limit = settings.VERIFY_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa %(mb)s MB).") % {"mb": limit // (1024 * 1024)})
        data = upload.read(limit + 1)
        # A PDF may start with a few bytes of junk; readers look in the first kilobyte.
        if b"%PDF-" not in data[:1024]:
            raise forms.ValidationError(_("Tệp này không phải văn bản PDF."))
        try:
            PdfReader(io.BytesIO(data)).pages[0]
        except (PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise forms.ValidationError(_("Tệp PDF bị hỏng hoặc không đọc được.")) from None
        self.cleaned_data["pdf"] = data
        return upload
