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
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import RoleAssignment, SchoolLevel, Unit

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


def version_attach_file(
    *, version: LectureVersion, actor, key: str, original_name: str, size: int
) -> LectureVersion:
    """Attaches an uploaded object to a draft version, replacing (and deleting) its old file.

    Call inside `transaction.atomic`; locks the version. The check is recorded as pending in this
    same transaction, so it survives whatever happens next, and handed to the broker on commit
    (`version_check_queue`); the sweeper queues it again if that hand-over is lost.
    """
    version = _lock_draft(version, actor)
    old_key, old_prefix = version.file_key, version.package_prefix
    version.file_key = key
    version.original_name = original_name[:255]
    version.size = size
    version.sha256 = ""
    version.detected_format = ""
    version.check_messages = []
    version.scan_status = ""
    version.package_prefix = version.launch_path = version.scorm_version = ""
    _check_request(version)
    version.save()
    Lecture.objects.filter(pk=version.lecture_id).update(updated_at=timezone.now())
    if old_key and old_key != key:
        transaction.on_commit(lambda: _delete_quietly(old_key, old_prefix))
    return version


def _check_request(version: LectureVersion) -> None:
    """Marks the version's check pending from now and queues it on commit (caller saves)."""
    version.check_status = Check.PENDING
    version.check_requested_at = timezone.now()
    version.check_started_at = None
    version.check_attempts = 0
    version.check_error = ""
    version_id = version.pk
    transaction.on_commit(lambda: version_check_queue(version_id=version_id))


def _delete_quietly(key: str, prefix: str = "") -> None:
    try:
        if key:
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


def version_check_queue(*, version_id: int) -> bool:
    """Hands a pending check to the broker. Never raises: the check is already recorded as
    pending, so a broker that is down (or an eager check that crashed) only delays it until
    `version_checks_sweep` queues it again. Returns whether the hand-over succeeded."""
    from .tasks import version_check_task

    try:
        version_check_task.delay(version_id)
    except Exception:  # kombu's OperationalError, redis errors, an eager run that crashed
        logger.warning("could not queue the check of version %s; the sweeper will", version_id, exc_info=True)
        return False
    return True


@dataclass
class _CheckOutcome:
    result: object
    ok: bool
    messages: list[str]
    prefix: str = ""
    launch: str = ""


def _check_begin(version_id: int) -> str | None:
    """Claims one run of a pending check: counts the attempt and stamps its start, in a short
    transaction of its own (so a run killed midway is visible). Returns the file key to check,
    or None when there is nothing to do (checked already, no file, submitted) or the check has
    used up its attempts (then it is marked failed here)."""
    with transaction.atomic():
        version = LectureVersion.objects.select_for_update().filter(pk=version_id).first()
        if version is None or not version.file_key or version.check_status != Check.PENDING:
            return None
        if version.is_submitted:
            return None
        if version.check_attempts >= settings.CHECK_MAX_ATTEMPTS:
            _check_give_up(version, _("các lần kiểm tra trước bị dừng giữa chừng"))
            return None
        version.check_attempts += 1
        version.check_started_at = timezone.now()
        version.save(update_fields=["check_attempts", "check_started_at"])
        return version.file_key


def _check_give_up(version: LectureVersion, error: str) -> None:
    """Marks a check that could not run to its end as failed, with a message for the author."""
    version.check_status = Check.FAILED
    version.check_error = str(error)[:500]
    version.check_messages = [
        _(
            "Hệ thống chưa kiểm tra được tệp này sau %(n)d lần thử. Đây là sự cố của hệ thống, "
            "không phải lỗi của tệp: hãy bấm “Kiểm tra lại”; nếu vẫn không được, hãy báo bộ phận hỗ trợ."
        )
        % {"n": version.check_attempts}
    ]
    version.check_started_at = None
    version.save(update_fields=["check_status", "check_error", "check_messages", "check_started_at"])


def _check_run(version_id: int, key: str, workdir: str) -> _CheckOutcome:
    """The long work, without any lock: download, inspect, extract a valid package to storage."""
    from .checks import PACKAGE_FORMATS, UnsafeArchive, inspect_file, safe_extract

    limits = check_limits()
    local = Path(workdir) / "file"
    with open(local, "wb") as target:
        _download_to(key, target)
    result = inspect_file(local, limits=limits, clamd_url=settings.CLAMD_URL)
    outcome = _CheckOutcome(result=result, ok=bool(result.ok), messages=list(result.messages))
    if outcome.ok and result.format in PACKAGE_FORMATS:
        prefix = f"packages/{version_id}/{uuid.uuid4().hex}/"
        try:
            dest = Path(workdir) / "x"
            dest.mkdir()
            names = safe_extract(local, dest, limits=limits)
            for name in names:
                path = dest / name
                if path.is_file():
                    with open(path, "rb") as fh:
                        default_storage.save(prefix + name, File(fh, name=name))
        except UnsafeArchive as exc:
            outcome.ok = False
            outcome.messages.append(str(exc))
            _delete_quietly("", prefix)
        except BaseException:
            _delete_quietly("", prefix)
            raise
        else:
            outcome.prefix, outcome.launch = prefix, result.launch or ""
    return outcome


def version_check(*, version_id: int) -> LectureVersion | None:
    """Checks the file of a pending version and records the result; extracts valid packages.

    Runs in the Celery task, at least once per request and possibly more (a re-delivered task, the
    sweeper): each run claims an attempt first (`_check_begin`), does the long work without a
    lock, then writes the result under `select_for_update` only if the version is still pending
    with the file that was checked; otherwise its extracted files are deleted. A run that crashes
    leaves the check pending for the sweeper, or marks it failed after CHECK_MAX_ATTEMPTS runs.
    """
    key = _check_begin(version_id)
    if key is None:
        return LectureVersion.objects.filter(pk=version_id).first()
    try:
        with tempfile.TemporaryDirectory(prefix="check-") as workdir:
            outcome = _check_run(version_id, key, workdir)
    except Exception as exc:  # SoftTimeLimitExceeded and storage errors included
        logger.exception("the check of version %s crashed", version_id)
        return _check_interrupted(version_id, key, exc)
    with transaction.atomic():
        version = LectureVersion.objects.select_for_update().get(pk=version_id)
        if version.file_key != key or version.is_submitted or version.check_status != Check.PENDING:
            stale = outcome.prefix
            if stale:
                transaction.on_commit(lambda: storage_delete_prefix(stale))
            return version
        result = outcome.result
        version.detected_format = result.format.value if result.format is not None else ""
        version.sha256 = result.sha256 or ""
        version.size = result.size or version.size
        version.check_status = Check.PASSED if outcome.ok else Check.FAILED
        version.check_messages = outcome.messages
        version.check_error = ""
        version.check_started_at = None
        version.scan_status = str(getattr(result, "scan", "") or "")
        version.package_prefix = outcome.prefix
        version.launch_path = outcome.launch if outcome.prefix else ""
        version.scorm_version = (result.scorm_version or "") if outcome.prefix else ""
        version.save()
    return version


def _check_interrupted(version_id: int, key: str, exc: Exception) -> LectureVersion | None:
    """After a crashed run: pending again for the sweeper, or failed once attempts are used up."""
    with transaction.atomic():
        version = LectureVersion.objects.select_for_update().filter(pk=version_id).first()
        if version is None or version.file_key != key or version.check_status != Check.PENDING:
            return version
        if version.check_attempts >= settings.CHECK_MAX_ATTEMPTS:
            _check_give_up(version, f"{type(exc).__name__}: {exc}")
        else:
            version.check_started_at = None
            version.check_requested_at = timezone.now()
            version.check_error = f"{type(exc).__name__}: {exc}"[:500]
            version.save(update_fields=["check_started_at", "check_requested_at", "check_error"])
        return version


def version_checks_sweep(*, now: datetime.datetime | None = None) -> int:
    """Queues again every check that was lost: asked for CHECK_REQUEUE_MINUTES ago and never
    begun (the broker was down, the message vanished), or begun longer ago than the check's time
    limit (its worker died). Idempotent: each version is locked with `skip_locked` and stamped
    with a new request time, so two sweepers never queue it twice. A check out of attempts is
    marked failed. Runs every few minutes (beat, or the embedded scheduler). Returns the count."""
    now = now or timezone.now()
    waiting = now - datetime.timedelta(minutes=settings.CHECK_REQUEUE_MINUTES)
    running = now - datetime.timedelta(seconds=settings.CHECK_TIME_LIMIT_SECONDS + 60)
    lost = Q(check_started_at__isnull=True) & (
        Q(check_requested_at__lt=waiting) | Q(check_requested_at__isnull=True)
    ) | Q(check_started_at__lt=running)
    stale = LectureVersion.objects.filter(
        lost, check_status=Check.PENDING, submitted_at__isnull=True
    ).exclude(file_key="")
    count = 0
    for pk in stale.order_by("check_requested_at").values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            version = LectureVersion.objects.select_for_update(skip_locked=True).filter(lost, pk=pk).first()
            if version is None or version.check_status != Check.PENDING:
                continue
            if version.check_attempts >= settings.CHECK_MAX_ATTEMPTS:
                _check_give_up(version, version.check_error or _("các lần kiểm tra trước bị dừng giữa chừng"))
                continue
            version.check_requested_at = now
            version.check_started_at = None
            version.save(update_fields=["check_requested_at", "check_started_at"])
            transaction.on_commit(lambda pk=pk: version_check_queue(version_id=pk))
            count += 1
    return count


def version_check_retry(*, version: LectureVersion, actor) -> LectureVersion:
    """Asks again for a check that the system gave up on (never for a file judged invalid: that
    one must be replaced). Locks the version; queues the check on commit."""
    with transaction.atomic():
        version = _lock_draft(version, actor)
        if not version.check_gave_up:
            raise ValidationError(_("Tệp này đã được kiểm tra xong; không cần kiểm tra lại."))
        version.check_messages = []
        _check_request(version)
        version.save()
    return version


# --- Uploads --------------------------------------------------------------------------------


def upload_start(*, version: LectureVersion, actor, filename: str, content_type: str, size) -> UploadSession:
    """Opens a multipart upload for the draft version's main file; the server picks the key.

    Locks the version (it must be an unsubmitted draft of the actor's lecture), then the actor's
    row, so that two creates at once cannot both pass the per-person limits: at most
    UPLOAD_MAX_ACTIVE_SESSIONS unfinished uploads and UPLOAD_MAX_USER_BYTES declared bytes. The
    actor's earlier unfinished upload of the same version is superseded (the page was reloaded)
    and its parts deleted on commit.
    """
    size = uploads.check_declared_size(size)
    filename = uploads.check_filename(filename)
    backend = uploads.backend_for()
    with transaction.atomic():
        version = _lock_draft(version, actor)
        # SECURITY: the limits per person are counted under a lock on the person.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).exists()
        superseded = list(
            UploadSession.objects.filter(user=actor, version=version, status=UploadSession.Status.ACTIVE)
        )
        for old in superseded:
            old.status = UploadSession.Status.ABORTED
            old.save(update_fields=["status", "updated_at"])
            transaction.on_commit(lambda old=old: _abort_quietly(old))
        unfinished = UploadSession.objects.filter(
            user=actor, status__in=[UploadSession.Status.ACTIVE, UploadSession.Status.COMPLETING]
        )
        if unfinished.count() >= settings.UPLOAD_MAX_ACTIVE_SESSIONS:
            raise uploads.UploadError(
                _(
                    "Bạn đang tải lên %(n)d tệp cùng lúc, là số tối đa. Hãy đợi các tệp đó tải xong "
                    "(hoặc huỷ bớt) rồi thử lại."
                )
                % {"n": settings.UPLOAD_MAX_ACTIVE_SESSIONS},
                status=429,
            )
        reserved = unfinished.aggregate(total=Sum("size"))["total"] or 0
        if reserved + size > settings.UPLOAD_MAX_USER_BYTES:
            raise uploads.UploadError(
                _(
                    "Các tệp bạn đang tải lên đã chiếm %(used)s trên tổng %(max)s được phép cùng lúc. "
                    "Hãy đợi các tệp đó tải xong rồi thử lại."
                )
                % {
                    "used": uploads.human_size(reserved),
                    "max": uploads.human_size(settings.UPLOAD_MAX_USER_BYTES),
                },
                status=429,
            )
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


def _abort_quietly(session: UploadSession) -> None:
    try:
        uploads.backend_for(session.backend).abort(session)
    except Exception:  # the hourly cleanup deletes what is left
        logger.exception("could not abort upload session %s", session.pk)


def _lock_active_session(session: UploadSession, actor) -> UploadSession:
    session = UploadSession.objects.select_for_update().get(pk=session.pk)
    if session.user_id != actor.pk:
        raise PermissionDenied
    if session.status == UploadSession.Status.COMPLETING:
        raise uploads.UploadError(_("Tệp đang được hoàn tất; hãy đợi trong giây lát."), status=409)
    if not session.is_active:
        raise uploads.UploadError(_("Phiên tải lên này đã kết thúc; hãy tải tệp lên lại."), status=409)
    return session


def upload_touch(*, session: UploadSession) -> None:
    """Marks activity so that the cleanup does not abort an upload still in progress."""
    UploadSession.objects.filter(pk=session.pk).update(updated_at=timezone.now())


def upload_complete(*, session: UploadSession, actor, parts: list[dict]) -> LectureVersion:
    """Assembles the parts and attaches the file to the session's draft version.

    Three steps, so that no database lock is held while bytes are copied (on SQLite that lock
    would stop every other writer): (1) claim: locks the version, then the session, and marks it
    COMPLETING, so a concurrent complete gets 409; (2) assemble, outside any transaction (the
    local back end writes under a temporary name and moves the file into place); (3) attach: locks
    the version and the session again, marks the session COMPLETED and records the check as
    pending (`version_attach_file`), which is queued on commit. If (2) or (3) fails the session is
    ACTIVE again with its parts, so the browser may retry; the parts are deleted only after (3)
    commits. A complete repeated after success returns the same version and changes nothing.
    """
    with transaction.atomic():
        # Lock order everywhere: the version, then the session.
        version = LectureVersion.objects.select_for_update().get(pk=session.version_id)
        current = UploadSession.objects.select_for_update().get(pk=session.pk)
        if current.user_id != actor.pk:
            raise PermissionDenied
        if current.status == UploadSession.Status.COMPLETED and version.file_key == current.key:
            return version
        version = _lock_draft(version, actor)
        session = _lock_active_session(current, actor)
        session.status = UploadSession.Status.COMPLETING
        session.save(update_fields=["status", "updated_at"])
    backend = uploads.backend_for(session.backend)
    try:
        key, size = backend.complete(session, parts)
    except BaseException:
        _upload_release(session, status=UploadSession.Status.ACTIVE)
        raise
    try:
        with transaction.atomic():
            version = _lock_draft(version, actor)
            session = UploadSession.objects.select_for_update().get(pk=session.pk)
            session.status = UploadSession.Status.COMPLETED
            session.save(update_fields=["status", "updated_at"])
            version = version_attach_file(
                version=version, actor=actor, key=key, original_name=session.filename, size=size
            )
            transaction.on_commit(lambda: backend.discard_parts(session))
    except BaseException:
        # The assembled file is not attached: delete it; the parts stay for a retry where they can.
        _delete_quietly(key)
        _upload_release(session, status=backend.status_after_failed_attach)
        raise
    return version


def _upload_release(session: UploadSession, *, status: str) -> None:
    """Gives a claimed session back (ACTIVE: resumable with its parts) after a failed complete."""
    UploadSession.objects.filter(pk=session.pk, status=UploadSession.Status.COMPLETING).update(
        status=status, updated_at=timezone.now()
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
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.UPLOAD_SESSION_MAX_AGE_HOURS)
    # A complete whose process died while assembling: give the session back, parts and all.
    UploadSession.objects.filter(
        status=UploadSession.Status.COMPLETING, updated_at__lt=now - datetime.timedelta(hours=1)
    ).update(status=UploadSession.Status.ACTIVE, updated_at=now)
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


# --- Submitting (the review app decides; see reviews.services.lecture_submit) ---------------


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
