"""Lectures and their versions: who may author where, the metadata rules, creating and editing a
lecture, starting its next version, and the lock every change of a draft version takes."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import RoleAssignment, SchoolLevel, Unit
from elearning.text import vi_collate

from .. import selectors
from ..models import Lecture, LectureVersion, Licence
from ..rules import can_edit_lecture


def departments_of(user):
    """The departments in which the user teaches (or heads), where their lectures belong."""
    return Unit.objects.filter(
        kind=Unit.Kind.DEPARTMENT,
        is_active=True,
        role_assignments__user=user,
        role_assignments__role__in=[RoleAssignment.Role.TEACHER, RoleAssignment.Role.DEPARTMENT_HEAD],
    ).distinct()


def colleagues_of(user, school: Unit):
    """People with a role in the same school: the only possible co-authors."""
    from accounts.models import User

    return (
        User.objects.filter(is_active=True, roles__unit__path__startswith=school.path)
        .exclude(pk=user.pk)
        .distinct()
        .order_by(vi_collate("full_name"))
    )


def lecture_validate(*, author, department: Unit, subject, grade: int, co_authors=(), lesson=None) -> str:
    """Checks that the metadata fit together; returns the school level of the grade.

    Raises a ValidationError keyed by field, in words a teacher understands.
    """
    errors = {}
    if not departments_of(author).filter(pk=department.pk).exists():
        errors["department"] = _("Bạn chỉ tạo được bài giảng cho tổ chuyên môn mình đang sinh hoạt.")
    elif not department.subjects.filter(pk=subject.pk).exists():
        names = ", ".join(department.subjects.values_list("name", flat=True)) or "—"
        errors["subject"] = _("Môn %(subject)s không thuộc %(dept)s (các môn của tổ: %(names)s).") % {
            "subject": subject.name,
            "dept": department.name,
            "names": names,
        }
    if lesson is not None and (lesson.subject_id != subject.pk or lesson.grade != grade):
        errors["lesson"] = _(
            "Bài “%(lesson)s” trong danh mục thuộc môn %(subject)s lớp %(grade)d, không khớp với môn và lớp đã chọn."
        ) % {
            "lesson": lesson.title,
            "subject": lesson.subject.name,
            "grade": lesson.grade,
        }
    level = ""
    if grade not in subject.grades:
        errors["grade"] = _("Môn %(subject)s không dạy ở lớp %(grade)d.") % {
            "subject": subject.name,
            "grade": grade,
        }
    else:
        level = SchoolLevel.for_grade(grade)
        levels = department.levels or (department.parent.levels if department.parent_id else [])
        if levels and level not in levels:
            errors["grade"] = _("Lớp %(grade)d thuộc cấp %(level)s, tổ %(dept)s không dạy cấp này.") % {
                "grade": grade,
                "level": SchoolLevel(level).label,
                "dept": department.name,
            }
    if "department" not in errors and co_authors:
        allowed = set(colleagues_of(author, department.parent).values_list("pk", flat=True))
        outsiders = [u for u in co_authors if u.pk not in allowed]
        if outsiders:
            errors["co_authors"] = _("Đồng tác giả phải cùng trường: %(names)s không thuộc trường.") % {
                "names": ", ".join(u.get_full_name() for u in outsiders)
            }
    if errors:
        raise ValidationError(errors)
    return level


def lecture_create(
    *,
    author,
    department: Unit,
    subject,
    grade: int,
    title: str,
    textbook_series=None,
    description: str = "",
    keywords: str = "",
    co_authors=(),
    lesson=None,
) -> Lecture:
    """Creates a lecture and its first (draft) version, optionally linked to the catalogue lesson
    it teaches (counted in curriculum coverage). No lock needed: nothing exists yet."""
    level = lecture_validate(
        author=author,
        department=department,
        subject=subject,
        grade=grade,
        co_authors=co_authors,
        lesson=lesson,
    )
    with transaction.atomic():
        lecture = Lecture.objects.create(
            author=author,
            school=department.parent,
            department=department,
            subject=subject,
            grade=grade,
            school_level=level,
            title=title.strip(),
            textbook_series=textbook_series,
            description=description,
            keywords=keywords,
            lesson=lesson,
        )
        lecture.co_authors.set(co_authors)
        LectureVersion.objects.create(lecture=lecture, number=1)
    return lecture


def lecture_update(*, lecture: Lecture, actor, **fields) -> Lecture:
    """Changes the metadata while a draft version is being prepared. Locks the lecture.

    Refused while a version is in review or after a decision (start a new version first). The
    library's copy of the metadata is kept in step by `reviews.services.lecture_update`, the
    service the lecture pages call.
    """
    with transaction.atomic():
        lecture = Lecture.objects.select_for_update().get(pk=lecture.pk)
        if not can_edit_lecture(actor, lecture):
            raise PermissionDenied
        if selectors.draft_version(lecture) is None:
            raise ValidationError(_("Chỉ sửa được thông tin khi bài giảng đang là bản nháp."))
        co_authors = fields.pop("co_authors", None)
        merged = {f: fields.get(f, getattr(lecture, f)) for f in ("department", "subject", "grade", "lesson")}
        level = lecture_validate(
            author=actor,
            co_authors=co_authors if co_authors is not None else lecture.co_authors.all(),
            **merged,
        )
        for name, value in fields.items():
            setattr(lecture, name, value)
        lecture.school = lecture.department.parent
        lecture.school_level = level
        lecture.save()
        if co_authors is not None:
            lecture.co_authors.set(co_authors)
    return lecture


def version_new(*, lecture: Lecture, actor, change_note: str = "") -> LectureVersion:
    """Starts the next (draft) version of a lecture whose versions are all submitted.

    Whether the lecture's life allows a new version now (after approval, return, rejection or
    withdrawal) is the review app's decision: call `reviews.services.lecture_new_version`.
    Locks the lecture so two clicks make one version. The submitted versions stay unchanged.
    """
    with transaction.atomic():
        lecture = Lecture.objects.select_for_update().get(pk=lecture.pk)
        if not can_edit_lecture(actor, lecture):
            raise PermissionDenied
        last = selectors.latest_version(lecture)
        if last is not None and not last.is_submitted:
            raise ValidationError(_("Bài giảng đang có một phiên bản nháp; hãy tiếp tục với phiên bản đó."))
        version = LectureVersion.objects.create(
            lecture=lecture, number=(last.number if last else 0) + 1, change_note=change_note
        )
        Lecture.objects.filter(pk=lecture.pk).update(updated_at=timezone.now())
    return version


def _lock_draft(version: LectureVersion, actor) -> LectureVersion:
    version = LectureVersion.objects.select_for_update().select_related("lecture").get(pk=version.pk)
    if not can_edit_lecture(actor, version.lecture):
        raise PermissionDenied
    # SECURITY: a submitted version is immutable; its file and checks never change again.
    if version.is_submitted:
        raise ValidationError(_("Phiên bản này đã nộp nên không thay đổi được. Hãy tạo phiên bản mới."))
    return version


def version_set_licence(*, version: LectureVersion, actor, licence: str) -> LectureVersion:
    """The owner chooses the licence of a draft; it is fixed with the version when submitted.
    Locks the version."""
    if licence not in Licence.values:
        raise ValidationError(_("Hãy chọn một giấy phép trong danh sách."))
    with transaction.atomic():
        version = _lock_draft(version, actor)
        version.licence = licence
        version.save(update_fields=["licence"])
    return version
