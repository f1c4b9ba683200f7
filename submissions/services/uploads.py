"""Upload sessions of a draft version's main file: start (under the per-person limits), touch,
complete (claim, assemble without a lock, attach), abort, and the hourly cleanup. The storage
back ends are `submissions.uploads`."""

from __future__ import annotations

import datetime
import logging
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import uploads
from ..models import LectureVersion, UploadSession
from .checks import version_attach_file
from .lectures import _lock_draft
from .storage import _delete_quietly

logger = logging.getLogger(__name__)


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
        stale = timezone.now() - datetime.timedelta(seconds=settings.UPLOAD_COMPLETING_STALE_SECONDS)
        if session.updated_at >= stale:
            raise uploads.UploadError(_("Tệp đang được hoàn tất; hãy đợi trong giây lát."), status=409)
        # The request that claimed it died (its worker killed, its node down): claimed again.
        logger.warning("upload session %s: a stale complete claimed again", session.pk)
        session.status = UploadSession.Status.ACTIVE
    if not session.is_active:
        raise uploads.UploadError(_("Phiên tải lên này đã kết thúc; hãy tải tệp lên lại."), status=409)
    return session


TOUCH_EVERY = datetime.timedelta(minutes=5)


def upload_touch(*, session: UploadSession) -> None:
    """Marks activity so that the cleanup does not abort an upload still in progress; at most
    once every few minutes (the cleanup waits UPLOAD_SESSION_MAX_AGE_HOURS), so that the parts
    of a big file do not each cost a database write."""
    now = timezone.now()
    if session.updated_at and now - session.updated_at < TOUCH_EVERY:
        return
    UploadSession.objects.filter(pk=session.pk).update(updated_at=now)


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
        backend.reopen(session)
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
