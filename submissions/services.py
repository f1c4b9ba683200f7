"""The only way to change lectures, versions, upload sessions and the calendar.

Each service is keyword-only; the docstring says what it locks and what it queues. Views call
one service and show its `ValidationError` (Vietnamese) or turn `PermissionDenied` into 403.
"""

from __future__ import annotations

import datetime
import logging
import re
import shutil
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import RoleAssignment, SchoolLevel, Unit
from repository.services import publication_reindex

from . import selectors, uploads
from .models import AcademicYear, Lecture, LectureVersion, SubmissionKind, SubmissionWindow, UploadSession
from .rules import can_edit_lecture

logger = logging.getLogger(__name__)
Check = LectureVersion.Check

# --- Calendar -------------------------------------------------------------------------------

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


# --- Lectures -------------------------------------------------------------------------------


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
        .order_by("full_name")
    )


def lecture_validate(*, author, department: Unit, subject, grade: int, co_authors=()) -> str:
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
) -> Lecture:
    """Creates a lecture and its first (draft) version. No lock needed: nothing exists yet."""
    level = lecture_validate(
        author=author, department=department, subject=subject, grade=grade, co_authors=co_authors
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
        )
        lecture.co_authors.set(co_authors)
        LectureVersion.objects.create(lecture=lecture, number=1)
    return lecture


def lecture_update(*, lecture: Lecture, actor, **fields) -> Lecture:
    """Changes the metadata while a draft version is being prepared. Locks the lecture.

    Refused while a version is in review or after a decision (start a new version first).
    """
    with transaction.atomic():
        lecture = Lecture.objects.select_for_update().get(pk=lecture.pk)
        if not can_edit_lecture(actor, lecture):
            raise PermissionDenied
        if selectors.draft_version(lecture) is None:
            raise ValidationError(_("Chỉ sửa được thông tin khi bài giảng đang là bản nháp."))
        co_authors = fields.pop("co_authors", None)
        merged = {f: fields.get(f, getattr(lecture, f)) for f in ("department", "subject", "grade")}
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
        # The library searches a copy of the metadata: keep it in step.
        publication_reindex(lecture)
    return lecture


def version_new(*, lecture: Lecture, actor, change_note: str = "") -> LectureVersion:
    """Starts the next (draft) version after approval, return, rejection or withdrawal.

    Locks the lecture so two clicks make one version. The submitted versions stay unchanged.
    """
    with transaction.atomic():
        lecture = Lecture.objects.select_for_update().get(pk=lecture.pk)
        if not can_edit_lecture(actor, lecture):
            raise PermissionDenied
        if "new_version" not in selectors.lecture_status(lecture, user=actor).actions:
            raise ValidationError(
                _(
                    "Chỉ tạo phiên bản mới khi bài giảng đã được phê duyệt, bị trả lại, không được duyệt hoặc đã rút."
                )
            )
        last = selectors.latest_version(lecture)
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


def version_attach_file(
    *, version: LectureVersion, actor, key: str, original_name: str, size: int
) -> LectureVersion:
    """Attaches an uploaded object to a draft version, replacing (and deleting) its old file.

    Call inside `transaction.atomic`; locks the version. Queues `version_check_task` on commit.
    """
    from .tasks import version_check_task

    version = _lock_draft(version, actor)
    old_key, old_prefix = version.file_key, version.package_prefix
    version.file_key = key
    version.original_name = original_name[:255]
    version.size = size
    version.sha256 = ""
    version.detected_format = ""
    version.check_status = Check.PENDING
    version.check_messages = []
    version.scan_status = ""
    version.package_prefix = version.launch_path = version.scorm_version = ""
    version.save()
    Lecture.objects.filter(pk=version.lecture_id).update(updated_at=timezone.now())
    if old_key and old_key != key:
        transaction.on_commit(lambda: _delete_quietly(old_key, old_prefix))
    version_id = version.pk
    transaction.on_commit(lambda: version_check_task.delay(version_id))
    return version


def _delete_quietly(key: str, prefix: str = "") -> None:
    try:
        default_storage.delete(key)
        if prefix:
            storage_delete_prefix(prefix)
    except Exception:  # a leftover object is only wasted space
        logger.exception("could not delete %s", key)


def storage_delete_prefix(prefix: str) -> None:
    dirs, files = default_storage.listdir(prefix)
    for name in files:
        default_storage.delete(f"{prefix.rstrip('/')}/{name}")
    for name in dirs:
        storage_delete_prefix(f"{prefix.rstrip('/')}/{name}")


# --- Checks ---------------------------------------------------------------------------------


def _download_to(key: str, target) -> None:
    """Streams a stored object into an open binary file, never holding it whole in memory."""
    bucket = getattr(default_storage, "bucket", None)
    if bucket is not None:  # S3: S3Storage.open would spool the whole object in memory
        bucket.download_fileobj(key, target)
    else:
        with default_storage.open(key, "rb") as source:
            shutil.copyfileobj(source, target, uploads.CHUNK)
    target.flush()


def check_limits():
    from .checks import Limits

    return Limits(
        max_entries=settings.PACKAGE_MAX_ENTRIES,
        max_total_bytes=settings.PACKAGE_MAX_TOTAL_BYTES,
        max_ratio=settings.PACKAGE_MAX_RATIO,
        max_entry_bytes=getattr(settings, "PACKAGE_MAX_ENTRY_BYTES", settings.PACKAGE_MAX_TOTAL_BYTES),
    )


def version_check(*, version_id: int) -> LectureVersion | None:
    """Checks the file of a version and records the result; extracts valid packages to storage.

    Runs in the Celery task. The long work happens without a lock; the result is written under
    `select_for_update` and only if the version still has the file that was checked (a teacher
    may have replaced it meanwhile).
    """
    from .checks import PACKAGE_FORMATS, UnsafeArchive, inspect_file, safe_extract

    version = LectureVersion.objects.filter(pk=version_id).first()
    if version is None or not version.file_key:
        return None
    key = version.file_key
    limits = check_limits()
    prefix = launch = ""
    with tempfile.TemporaryDirectory(prefix="check-") as workdir:
        local = Path(workdir) / "file"
        with open(local, "wb") as target:
            _download_to(key, target)
        result = inspect_file(local, limits=limits, clamd_url=settings.CLAMD_URL)
        messages = list(result.messages)
        ok = bool(result.ok)
        if ok and result.format in PACKAGE_FORMATS:
            try:
                dest = Path(workdir) / "x"
                dest.mkdir()
                names = safe_extract(local, dest, limits=limits)
                prefix = f"packages/{version_id}/{uuid.uuid4().hex}/"
                for name in names:
                    path = dest / name
                    if path.is_file():
                        with open(path, "rb") as fh:
                            default_storage.save(prefix + name, File(fh, name=name))
                launch = result.launch or ""
            except UnsafeArchive as exc:
                ok, prefix = False, ""
                messages.append(str(exc))
    with transaction.atomic():
        version = LectureVersion.objects.select_for_update().get(pk=version_id)
        if version.file_key != key or version.is_submitted:
            stale = prefix
            if stale:
                transaction.on_commit(lambda: storage_delete_prefix(stale))
            return version
        version.detected_format = result.format.value if result.format is not None else ""
        version.sha256 = result.sha256 or ""
        version.size = result.size or version.size
        version.check_status = Check.PASSED if ok else Check.FAILED
        version.check_messages = messages
        version.scan_status = str(getattr(result, "scan", "") or "")
        version.package_prefix = prefix
        version.launch_path = launch if prefix else ""
        version.scorm_version = (result.scorm_version or "") if prefix else ""
        version.save()
    return version


# --- Uploads --------------------------------------------------------------------------------


def upload_start(*, version: LectureVersion, actor, filename: str, content_type: str, size) -> UploadSession:
    """Opens a multipart upload for the draft version's main file; the server picks the key.

    Locks the version (it must be an unsubmitted draft of the actor's lecture).
    """
    size = uploads.check_declared_size(size)
    filename = (filename or "").strip()[:255] or "file"
    backend = uploads.backend_for()
    with transaction.atomic():
        version = _lock_draft(version, actor)
        session = UploadSession.objects.create(
            user=actor,
            version=version,
            backend=backend.name,
            key=uploads.new_key(user_id=actor.pk, filename=filename),
            upload_id=f"pending-{uuid.uuid4().hex}",
            filename=filename,
            content_type=(content_type or "")[:200],
            size=size,
        )
        backend.create(session)
    return session


def _lock_active_session(session: UploadSession, actor) -> UploadSession:
    session = UploadSession.objects.select_for_update().get(pk=session.pk)
    if session.user_id != actor.pk:
        raise PermissionDenied
    if not session.is_active:
        raise uploads.UploadError(_("Phiên tải lên này đã kết thúc; hãy tải tệp lên lại."), status=409)
    return session


def upload_touch(*, session: UploadSession) -> None:
    """Marks activity so that the cleanup does not abort an upload still in progress."""
    UploadSession.objects.filter(pk=session.pk).update(updated_at=timezone.now())


def upload_complete(*, session: UploadSession, actor, parts: list[dict]) -> LectureVersion:
    """Assembles the parts and attaches the file to the session's draft version.

    Locks the version, then the session. Queues the file check on commit (via
    `version_attach_file`). If the version was submitted meanwhile, the upload is discarded.
    """
    with transaction.atomic():
        version = _lock_draft(session.version, actor)
        session = _lock_active_session(session, actor)
        backend = uploads.backend_for(session.backend)
        key, size = backend.complete(session, parts)
        session.status = UploadSession.Status.COMPLETED
        session.save(update_fields=["status", "updated_at"])
        return version_attach_file(
            version=version, actor=actor, key=key, original_name=session.filename, size=size
        )


def upload_abort(*, session: UploadSession, actor) -> None:
    """Abandons an upload and deletes its parts. Locks the session."""
    with transaction.atomic():
        session = _lock_active_session(session, actor)
        uploads.backend_for(session.backend).abort(session)
        session.status = UploadSession.Status.ABORTED
        session.save(update_fields=["status", "updated_at"])


def upload_sessions_cleanup(*, now: datetime.datetime | None = None) -> int:
    """Aborts sessions untouched for UPLOAD_SESSION_MAX_AGE_HOURS and deletes their parts."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.UPLOAD_SESSION_MAX_AGE_HOURS)
    count = 0
    for pk in UploadSession.objects.filter(
        status=UploadSession.Status.ACTIVE, updated_at__lt=cutoff
    ).values_list("pk", flat=True):
        with transaction.atomic():
            session = UploadSession.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if session is None or not session.is_active:
                continue
            try:
                uploads.backend_for(session.backend).abort(session)
            except Exception:
                logger.exception("could not abort upload session %s", pk)
                continue
            session.status = UploadSession.Status.ABORTED
            session.save(update_fields=["status", "updated_at"])
            count += 1
    # Part folders whose session row is gone (e.g. deleted with its lecture).
    root = Path(settings.UPLOAD_TMP_ROOT)
    if root.is_dir():
        alive = {
            str(pk)
            for pk in UploadSession.objects.filter(status=UploadSession.Status.ACTIVE).values_list(
                "pk", flat=True
            )
        }
        for folder in root.iterdir():
            if folder.is_dir() and folder.name not in alive and folder.stat().st_mtime < cutoff.timestamp():
                shutil.rmtree(folder, ignore_errors=True)
    return count


# --- Submitting -----------------------------------------------------------------------------


def _lock_for_submit(lecture: Lecture, actor) -> LectureVersion:
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


def lecture_submit(*, lecture: Lecture, actor, today: datetime.date | None = None):
    """Submits the lecture's draft version for review and opens the school-level case.

    Locks the version. A first submission needs an open window (else the message says when the
    next one opens); a lecture returned for changes is resubmitted at any time through
    `lecture_resubmit`. Returns the new review case.
    """
    from reviews.services import case_submit

    today = today or timezone.localdate()
    with transaction.atomic():
        version = _lock_for_submit(lecture, actor)
        last = selectors.latest_case(version.lecture)
        if last is not None and last.state == selectors.RETURNED:
            return lecture_resubmit(lecture=version.lecture, version=version, actor=actor)
        window = selectors.window_open_on(today, school_level=version.lecture.school_level)
        if window is None:
            raise ValidationError(
                selectors.closed_window_message(today, school_level=version.lecture.school_level)
            )
        version.submitted_at = timezone.now()
        version.window = window
        version.save(update_fields=["submitted_at", "window"])
        Lecture.objects.filter(pk=lecture.pk).update(updated_at=timezone.now())
        return case_submit(version=version, actor=actor, window=window)


def lecture_resubmit(*, lecture: Lecture, version: LectureVersion, actor):
    """Resubmits a lecture returned for changes, with no window check (DESIGN.md 4).

    Locks the version; the new case points at the returned one (`previous`). The reviews app
    owns what happens to the returned case.
    """
    from reviews.services import case_submit

    with transaction.atomic():
        version = _lock_for_submit(lecture, actor)
        returned = selectors.latest_case(version.lecture)
        if returned is None or returned.state != selectors.RETURNED:
            raise ValidationError(_("Bài giảng này không ở trạng thái cần chỉnh sửa."))
        version.submitted_at = timezone.now()
        version.window = returned.window
        version.save(update_fields=["submitted_at", "window"])
        Lecture.objects.filter(pk=lecture.pk).update(updated_at=timezone.now())
        return case_submit(version=version, actor=actor, window=None, previous=returned)


def lecture_withdraw(*, lecture: Lecture, actor):
    """The author takes back a version waiting for the school-level decision.

    Delegates to `reviews.services.case_withdraw`, which locks the case.
    """
    from reviews.services import case_withdraw

    if not can_edit_lecture(actor, lecture):
        raise PermissionDenied
    case = selectors.latest_case(lecture)
    if case is None or case.state != selectors.IN_REVIEW:
        raise ValidationError(_("Không có bài nào đang chờ thẩm định để rút."))
    return case_withdraw(case=case, actor=actor)
