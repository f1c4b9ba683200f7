"""The file check of a draft version: attaching a file records the check as pending and queues
it on commit; the Celery task runs it (claim, long work without a lock, result under a lock);
the sweeper queues again what was lost; the author may ask again for one the system gave up on.
The content checks themselves are `submissions.checks`."""

from __future__ import annotations

import datetime
import logging
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Lecture, LectureVersion
from .lectures import _lock_draft
from .previews import version_preview_request, version_preview_reset
from .storage import _delete_quietly, _download_to, storage_delete_prefix

logger = logging.getLogger(__name__)
Check = LectureVersion.Check


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
    version.check_warnings, version.external_hosts, version.package_outline = [], [], {}
    version.page_count = version.slide_count = version.sco_count = None
    version_preview_reset(version)  # the old file's PDF rendition goes, deleted on commit
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


def check_limits():
    from ..checks import Limits

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
    from ..tasks import version_check_task

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
    from ..checks import PACKAGE_FORMATS, UnsafeArchive, inspect_file, safe_extract

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
        # What the check learnt is kept when it failed too (the page shows why), but the
        # outline drives the player and means nothing without an extracted package.
        version.check_warnings = list(result.warnings)
        version.page_count, version.slide_count = result.page_count, result.slide_count
        version.sco_count = result.sco_count
        version.external_hosts = list(result.external_hosts)
        version.package_outline = result.outline if outcome.prefix else {}
        version.save()
        version_preview_request(version)  # a passed PPTX/DOCX is converted to PDF on commit
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
