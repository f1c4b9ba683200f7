"""The PDF rendition of a PPTX or DOCX version, for the pdf.js preview: asked for when the check
passes, converted once by LibreOffice in a Celery task, stored beside the version's file and
reused. Same reliability as the check (`services.checks`): recorded as pending in the
transaction that asks for it, claimed by each run, converted without any lock, recorded under a
lock only if the version still has the file that was converted, swept when lost.

The preview page shows `preview_pdf_key`; the Vietnamese text for a rendition that failed or is
not available is made when the page is shown (`preview_error` keeps the technical reason).
"""

from __future__ import annotations

import datetime
import logging
import posixpath
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import conversion
from ..formats import Format
from ..models import LectureVersion
from .storage import _delete_quietly, _download_to

logger = logging.getLogger(__name__)
Preview = LectureVersion.Preview
CONVERTED_FORMATS = frozenset({Format.PPTX.value, Format.DOCX.value})


def version_preview_request(version: LectureVersion) -> None:
    """Asks for the PDF rendition of a version whose check has passed, if it is a PPTX or DOCX
    (any other version is left as it is: `none`). Call inside the transaction that records the
    check, on the locked version; saves its preview fields and queues the conversion on commit."""
    if (
        version.check_status != LectureVersion.Check.PASSED
        or version.detected_format not in CONVERTED_FORMATS
    ):
        return
    version.preview_status = Preview.PENDING
    version.preview_key = ""
    version.preview_error = ""
    version.preview_requested_at = timezone.now()
    version.preview_attempts = 0
    version.save(
        update_fields=[
            "preview_status",
            "preview_key",
            "preview_error",
            "preview_requested_at",
            "preview_attempts",
        ]
    )
    version_id = version.pk
    transaction.on_commit(lambda: version_preview_queue(version_id=version_id))


def version_preview_reset(version: LectureVersion) -> None:
    """Forgets the rendition of the version's old file (a new file is being attached): status
    none, no key; the stored PDF is deleted on commit. The caller holds the lock and saves the
    version (and resets the page count with the rest of what the check learnt)."""
    old = version.preview_key
    version.preview_status = Preview.NONE
    version.preview_key = version.preview_error = ""
    version.preview_requested_at = None
    version.preview_attempts = 0
    if old:
        transaction.on_commit(lambda: _delete_quietly(old))


def version_preview_queue(*, version_id: int) -> bool:
    """Hands a pending conversion to the broker. Never raises: the conversion is recorded as
    pending, so a broker that is down only delays it until `version_previews_sweep`."""
    from ..tasks import version_preview_task

    try:
        version_preview_task.delay(version_id)
    except Exception:  # kombu's OperationalError, redis errors, an eager run that crashed
        logger.warning(
            "could not queue the preview of version %s; the sweeper will", version_id, exc_info=True
        )
        return False
    return True


def preview_pdf_key(version: LectureVersion) -> str | None:
    """The storage key of the PDF that pdf.js shows for this version: the file itself for a PDF
    that passed its check, the rendition of a PPTX/DOCX once it is ready; else None."""
    if version.check_status != LectureVersion.Check.PASSED or not version.file_key:
        return None
    if version.detected_format == Format.PDF.value:
        return version.file_key
    if version.preview_status == Preview.READY and version.preview_key:
        return version.preview_key
    return None


def _preview_begin(version_id: int) -> tuple[str, str] | None:
    """Claims one run of a pending conversion in a short transaction of its own: counts the
    attempt and stamps `preview_requested_at` (the sweeper's clock). Returns the file key and
    format, or None when there is nothing to do or the attempts are used up (then failed)."""
    with transaction.atomic():
        version = LectureVersion.objects.select_for_update().filter(pk=version_id).first()
        if version is None or not version.file_key or version.preview_status != Preview.PENDING:
            return None
        if version.preview_attempts >= settings.PREVIEW_MAX_ATTEMPTS:
            _preview_give_up(version, version.preview_error or "earlier conversions stopped midway")
            return None
        version.preview_attempts += 1
        version.preview_requested_at = timezone.now()
        version.save(update_fields=["preview_attempts", "preview_requested_at"])
        return version.file_key, version.detected_format


def _preview_give_up(version: LectureVersion, error: str) -> None:
    version.preview_status = Preview.FAILED
    version.preview_error = f"gave up after {version.preview_attempts} runs: {error}"[:500]
    version.save(update_fields=["preview_status", "preview_error"])


def _preview_convert(version_id: int, key: str, fmt: str, workdir: Path) -> tuple[str, int]:
    """The long work, without any lock: download, convert, count pages, store the PDF beside the
    version's file (`uploads/<user>/<uuid>/`) under a key of the server's. Returns key, pages."""
    source = workdir / f"source.{fmt}"
    with open(source, "wb") as target:
        _download_to(key, target)
    out = workdir / "convert"
    out.mkdir()
    pdf = conversion.convert_to_pdf(
        source, out, binary=settings.LIBREOFFICE_BINARY, timeout=settings.PREVIEW_CONVERT_TIMEOUT_SECONDS
    )
    pages = conversion.pdf_page_count(pdf)
    name = posixpath.join(posixpath.dirname(key), f"preview-{version_id}-{uuid.uuid4().hex}.pdf")
    with open(pdf, "rb") as fh:
        stored = default_storage.save(name, File(fh, name=posixpath.basename(name)))
    return stored, pages


def version_preview_render(version_id: int) -> LectureVersion | None:
    """Converts the file of a version whose preview is pending and records the result.

    The Celery task's body, run at least once per request: claims an attempt (`_preview_begin`),
    converts in a temporary directory without any lock, then under `select_for_update` records
    `ready`, the key and the page count only if the version is still pending with the same file;
    otherwise the stored PDF is deleted. A document LibreOffice cannot convert, or a conversion
    that hangs past PREVIEW_CONVERT_TIMEOUT_SECONDS (its processes killed), is `failed`; a
    server without LibreOffice is `unavailable`; a crash (storage, a killed worker) leaves it
    pending for the sweeper, or failed after PREVIEW_MAX_ATTEMPTS runs.
    """
    claim = _preview_begin(version_id)
    if claim is None:
        return LectureVersion.objects.filter(pk=version_id).first()
    key, fmt = claim
    try:
        with tempfile.TemporaryDirectory(prefix="preview-") as workdir:
            stored, pages = _preview_convert(version_id, key, fmt, Path(workdir))
    except conversion.ConversionUnavailable as exc:
        return _preview_record(version_id, key, status=Preview.UNAVAILABLE, error=str(exc))
    except conversion.ConversionError as exc:  # a timeout, or a document it cannot convert
        logger.warning("the preview of version %s failed: %s", version_id, exc)
        return _preview_record(version_id, key, status=Preview.FAILED, error=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # SoftTimeLimitExceeded and storage errors included
        logger.exception("the preview of version %s crashed", version_id)
        return _preview_interrupted(version_id, key, exc)
    with transaction.atomic():
        version = LectureVersion.objects.select_for_update().get(pk=version_id)
        if version.file_key != key or version.preview_status != Preview.PENDING:
            transaction.on_commit(lambda: _delete_quietly(stored))
            return version
        version.preview_status = Preview.READY
        version.preview_key = stored
        version.preview_error = ""
        version.page_count = pages
        version.save(update_fields=["preview_status", "preview_key", "preview_error", "page_count"])
    return version


def _preview_record(version_id: int, key: str, *, status: str, error: str) -> LectureVersion | None:
    """Records a conversion's verdict (failed, unavailable) if the version still has that file."""
    with transaction.atomic():
        version = LectureVersion.objects.select_for_update().filter(pk=version_id).first()
        if version is None or version.file_key != key or version.preview_status != Preview.PENDING:
            return version
        version.preview_status = status
        version.preview_error = error[:500]
        version.save(update_fields=["preview_status", "preview_error"])
        return version


def _preview_interrupted(version_id: int, key: str, exc: Exception) -> LectureVersion | None:
    """After a crashed run: pending again for the sweeper, or failed once attempts are used up."""
    with transaction.atomic():
        version = LectureVersion.objects.select_for_update().filter(pk=version_id).first()
        if version is None or version.file_key != key or version.preview_status != Preview.PENDING:
            return version
        version.preview_error = f"{type(exc).__name__}: {exc}"[:500]
        if version.preview_attempts >= settings.PREVIEW_MAX_ATTEMPTS:
            _preview_give_up(version, version.preview_error)
        else:
            version.preview_requested_at = timezone.now()  # the sweeper's clock starts again
            version.save(update_fields=["preview_error", "preview_requested_at"])
        return version


def _lost_after() -> datetime.timedelta:
    """How old a pending conversion's stamp must be to count as lost: never handed over
    (CHECK_REQUEUE_MINUTES), or begun longer ago than its task may run (its worker died)."""
    return max(
        datetime.timedelta(minutes=settings.CHECK_REQUEUE_MINUTES),
        datetime.timedelta(seconds=settings.PREVIEW_TIME_LIMIT_SECONDS + 60),
    )


def version_previews_sweep(*, now: datetime.datetime | None = None) -> int:
    """Queues again every conversion that was lost: pending, and asked for or begun longer ago
    than `_lost_after()` (the broker was down, the worker died). The model has one stamp for
    both, renewed by each run's claim, so a running conversion is never queued twice.
    Idempotent: each version is locked with `skip_locked` and stamped anew, so two sweepers never
    queue it twice. A conversion out of attempts is marked failed. Returns the count."""
    now = now or timezone.now()
    lost = Q(preview_requested_at__lt=now - _lost_after()) | Q(preview_requested_at__isnull=True)
    stale = LectureVersion.objects.filter(lost, preview_status=Preview.PENDING).exclude(file_key="")
    count = 0
    for pk in stale.order_by("preview_requested_at").values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            version = LectureVersion.objects.select_for_update(skip_locked=True).filter(lost, pk=pk).first()
            if version is None or version.preview_status != Preview.PENDING:
                continue
            if version.preview_attempts >= settings.PREVIEW_MAX_ATTEMPTS:
                _preview_give_up(version, version.preview_error or "earlier conversions stopped midway")
                continue
            version.preview_requested_at = now
            version.save(update_fields=["preview_requested_at"])
            transaction.on_commit(lambda pk=pk: version_preview_queue(version_id=pk))
            count += 1
    return count
