"""Submitting a draft version: the review app decides (see `reviews.services.lecture_submit`);
these services lock the version that may be submitted and seal it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Lecture, LectureVersion, SubmissionWindow
from ..rules import can_edit_lecture

Check = LectureVersion.Check


def version_lock_for_submit(*, lecture: Lecture, actor) -> LectureVersion:
    """The lecture's draft version, locked, if its owner may submit it: its file passed the check.

    Call inside `transaction.atomic`; locks the version.
    """
    version = (
        LectureVersion.objects.select_for_update()
        .select_related("lecture")
        .filter(lecture_id=lecture.pk)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise ValidationError(_("Bài giảng chưa có phiên bản nào."))
    if not can_edit_lecture(actor, version.lecture):
        raise PermissionDenied
    if version.is_submitted:
        raise ValidationError(_("Phiên bản này đã được nộp."))
    if version.check_status != Check.PASSED:
        raise ValidationError(
            {
                Check.NONE: _("Chưa có tệp bài giảng. Hãy tải tệp lên trước khi nộp."),
                Check.PENDING: _("Tệp đang được kiểm tra. Hãy chờ kết quả rồi nộp."),
                Check.FAILED: _("Tệp không vượt qua kiểm tra nên không nộp được. Hãy sửa và tải lên lại."),
            }.get(version.check_status, _("Tệp chưa được kiểm tra."))
        )
    return version


def version_mark_submitted(*, version: LectureVersion, window: SubmissionWindow | None) -> LectureVersion:
    """Seals a locked draft version: from now on its file and checks never change.

    Call inside `transaction.atomic` after `version_lock_for_submit`.
    """
    version.submitted_at = timezone.now()
    version.window = window
    version.save(update_fields=["submitted_at", "window"])
    Lecture.objects.filter(pk=version.lecture_id).update(updated_at=timezone.now())
    return version
