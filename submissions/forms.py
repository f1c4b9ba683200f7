from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import GRADES_BY_LEVEL, Subject, TextbookSeries
from elearning.text import vi_collate

from . import services
from .models import CatalogueLesson, Lecture


def _lesson_label(lesson: CatalogueLesson) -> str:
    series = f" – {lesson.textbook_series.name}" if lesson.textbook_series_id else ""
    return f"{lesson.subject.name} – {_('Lớp')} {lesson.grade}{series}: {lesson.number}. {lesson.title}"


class LessonSelect(forms.Select):
    """The catalogue lessons, each option carrying its subject and grade so that the page shows only
    those of the subject and grade chosen (static/js/lesson-filter.js); without script, all."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        lesson = getattr(value, "instance", None)
        if lesson is not None:
            option["attrs"].update({"data-subject": lesson.subject_id, "data-grade": lesson.grade})
        return option


class LectureForm(forms.ModelForm):
    """Lecture metadata. The rules that tie the fields together live in `services.lecture_validate`."""

    class Meta:
        model = Lecture
        fields = [
            "department",
            "subject",
            "grade",
            "title",
            "textbook_series",
            "lesson",
            "description",
            "keywords",
            "co_authors",
        ]
        widgets = {
            "lesson": LessonSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
            "co_authors": forms.SelectMultiple(attrs={"size": 5}),
        }
        help_texts = {
            "title": _("Ví dụ: Bài 3. Luỹ thừa với số mũ tự nhiên"),
            "co_authors": _("Giữ phím Ctrl để chọn nhiều người. Chỉ chọn được giáo viên cùng trường."),
        }

    def __init__(self, *args, author, **kwargs):
        super().__init__(*args, **kwargs)
        self.author = author
        departments = list(services.departments_of(author).select_related("parent"))
        self.fields["department"].queryset = services.departments_of(author)
        self.fields["department"].empty_label = None
        self.fields["department"].label = _("Tổ chuyên môn")
        self.fields["subject"].queryset = Subject.objects.filter(
            units__in=[d.pk for d in departments]
        ).distinct()
        self.fields["subject"].label = _("Môn học")
        # Only the grades of the levels the teacher's departments teach (the service checks again).
        levels = {
            level for d in departments for level in (d.levels or (d.parent.levels if d.parent_id else []))
        }
        grades = sorted({g for level in levels for g in GRADES_BY_LEVEL[level]}) or list(range(1, 13))
        self.fields["grade"].choices = [("", "---------")] + [(g, _("Lớp %(g)d") % {"g": g}) for g in grades]
        self.fields["textbook_series"].queryset = TextbookSeries.objects.all()
        self.fields["textbook_series"].empty_label = _("(Không theo bộ sách cụ thể)")
        school_ids = {d.parent_id for d in departments}
        from django.db.models import Q

        from accounts.models import User

        self.fields["co_authors"].queryset = (
            User.objects.filter(
                Q(roles__unit__parent_id__in=school_ids) | Q(roles__unit_id__in=school_ids), is_active=True
            )
            .exclude(pk=author.pk)
            .distinct()
            .order_by(vi_collate("full_name"))
        )
        self.fields["co_authors"].required = False
        # The catalogue lessons of the teacher's subjects and grades; the service checks that the
        # lesson matches the subject and grade chosen.
        self.fields["lesson"].queryset = (
            CatalogueLesson.objects.filter(subject__in=self.fields["subject"].queryset, grade__in=grades)
            .select_related("subject", "textbook_series")
            .order_by("subject__order", "grade", "textbook_series_id", "number")
        )
        self.fields["lesson"].label_from_instance = _lesson_label
        self.fields["lesson"].required = False
        self.fields["lesson"].empty_label = _("(Không chọn – bài chưa có trong danh mục)")
        self.fields["lesson"].help_text = _(
            "Chọn bài tương ứng trong danh mục (nếu có) để bài giảng được tính vào mức độ bao phủ chương trình."
        )

    def clean(self):
        data = super().clean()
        if all(data.get(f) for f in ("department", "subject", "grade")):
            try:
                services.lecture_validate(
                    author=self.author,
                    department=data["department"],
                    subject=data["subject"],
                    grade=data["grade"],
                    co_authors=list(data.get("co_authors") or []),
                    lesson=data.get("lesson"),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        self.add_error(field if field in self.fields else None, error)
        return data


class VersionNewForm(forms.Form):
    change_note = forms.CharField(
        label=_("Nội dung thay đổi so với phiên bản trước"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
