"""Stored objects as the services need them: one streamed down to a local file, one or a whole
prefix deleted quietly (a leftover object is only wasted space)."""

from __future__ import annotations

import logging
import shutil

from django.core.files.storage import default_storage

from .. import uploads

logger = logging.getLogger(__name__)


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


def _download_to(key: str, target) -> None:
    """Streams a stored object into an open binary file, never holding it whole in memory."""
    bucket = getattr(default_storage, "bucket", None)
    if bucket is not None:  # S3: S3Storage.open would spool the whole object in memory
        bucket.download_fileobj(key, target)
    else:
        with default_storage.open(key, "rb") as source:
            shutil.copyfileobj(source, target, uploads.CHUNK)
    target.flush()
