"""Two back ends of one S3-multipart upload protocol (DESIGN.md section 9).

The browser (Uppy's AwsS3 plugin, `static/js/upload.js`) always speaks the same five calls:
create, sign a part, list parts, complete, abort. Only where the part bytes go differs:

- `S3Multipart` (AWS_STORAGE_BUCKET_NAME set): presigned `UploadPart` URLs straight to the
  bucket; Django never sees the bytes.
- `LocalMultipart` (embedded default): the "presigned" URL is a Django view that streams the
  PUT body to `UPLOAD_TMP_ROOT/<session>/<part>`; completing concatenates the parts into the
  default storage by streaming.

The server chooses every key (`uploads/<user_id>/<uuid>/<safe-name>`); the user's file name
is metadata only. `UploadSession` is the one table both back ends use.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import logging
import os
import re
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.urls import reverse
from django.utils.translation import gettext as _

from elearning.text import CONTROL_CHARACTER_RE, fold

from .models import UploadSession

logger = logging.getLogger(__name__)

MAX_PARTS = 10_000
MIN_PART_BYTES = 5 * 1024 * 1024  # S3's minimum for every part but the last
CHUNK = 1024 * 1024


class UploadError(ValidationError):
    """Refused upload request; the message is shown to the teacher (Vietnamese)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Part:
    number: int
    size: int
    etag: str

    def as_json(self) -> dict:
        return {"PartNumber": self.number, "Size": self.size, "ETag": self.etag}


def safe_name(filename: str) -> str:
    """An ASCII, path-free version of a user's file name for the tail of a storage key."""
    name = Path(filename.replace("\\", "/")).name
    name = fold(name, lower=False)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")
    return (name or "file")[:100]


def check_filename(filename) -> str:
    """The user's file name as metadata: trimmed, and refused if it holds control characters."""
    filename = str(filename or "").strip()
    # SECURITY: NUL and other control characters break storage keys, logs and Content-Disposition.
    if CONTROL_CHARACTER_RE.search(filename):
        raise UploadError(_("Tên tệp chứa kí tự điều khiển không hợp lệ. Hãy đổi tên tệp rồi tải lên lại."))
    return filename[:255] or "file"


def human_size(n: int) -> str:
    """'2,0 GB', '350 MB' — the Vietnamese way of writing sizes."""
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB".replace(".", ",")
    return f"{n / 1024**2:.0f} MB"


def new_key(*, user_id: int, filename: str) -> str:
    return f"uploads/{user_id}/{uuid.uuid4().hex}/{safe_name(filename)}"


def check_declared_size(size) -> int:
    try:
        size = int(size)
    except (TypeError, ValueError):
        raise UploadError(_("Thiếu dung lượng tệp.")) from None
    if size <= 0:
        raise UploadError(_("Tệp rỗng, không có gì để tải lên."))
    # SECURITY: the limit is the server's, whatever the browser says.
    if size > settings.LECTURE_MAX_FILE_BYTES:
        raise UploadError(too_large_message(), status=413)
    return size


def too_large_message() -> str:
    return _("Tệp quá lớn: dung lượng tối đa là %(max)s.") % {
        "max": human_size(settings.LECTURE_MAX_FILE_BYTES)
    }


def check_part_number(number: int) -> int:
    if not 1 <= number <= MAX_PARTS:
        raise UploadError(_("Số thứ tự phần tải lên không hợp lệ (1–10.000)."))
    return number


class LocalMultipart:
    """Parts on local disk under UPLOAD_TMP_ROOT; assembled by streaming into default storage.

    A part arrives as `<n>.<rand>.<length>.tmp` and becomes `<n>` (with `<n>.etag`) when complete.
    The tmp name carries the bytes the request declared, so that the room left in the session is
    counted on finished parts plus what parts still in flight have reserved, under an exclusive
    lock on the session folder: racing PUTs cannot store more than the session's size.
    """

    name = "local"
    # After a failed attach the parts are still there: the browser may complete again.
    status_after_failed_attach = UploadSession.Status.ACTIVE
    # A reservation whose file has not grown for this long belongs to a request that died.
    STALE_RESERVATION_SECONDS = 15 * 60

    def _dir(self, session: UploadSession) -> Path:
        return Path(settings.UPLOAD_TMP_ROOT) / str(session.pk)

    @contextmanager
    def _locked(self, folder: Path):
        with open(folder / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def create(self, session: UploadSession) -> None:
        session.upload_id = uuid.uuid4().hex
        session.save(update_fields=["upload_id"])
        self._dir(session).mkdir(parents=True, exist_ok=True)

    def sign_part(self, session: UploadSession, number: int) -> dict:
        check_part_number(number)
        return {"url": reverse("submissions:upload_part", args=[session.pk, number]), "headers": {}}

    def _committed_bytes(self, folder: Path, *, exclude: int) -> int:
        """Finished parts other than `exclude` (which the new part replaces) plus live reservations."""
        total = 0
        now = time.time()
        for path in folder.iterdir():
            bits = path.name.split(".")
            if path.name.isdigit() and int(path.name) != exclude:
                total += path.stat().st_size
            elif len(bits) == 4 and bits[3] == "tmp" and bits[2].isdigit():
                try:
                    if now - path.stat().st_mtime < self.STALE_RESERVATION_SECONDS:
                        total += int(bits[2])
                    else:
                        path.unlink(missing_ok=True)
                except FileNotFoundError:
                    continue
        return total

    def receive_part(self, session: UploadSession, number: int, stream, length: int) -> Part:
        """Streams one PUT body of `length` declared bytes to disk in 1 MiB chunks.

        SECURITY: the declared length is reserved first, atomically, against the session's size
        (and LECTURE_MAX_FILE_BYTES); a body shorter than declared is discarded, never stored.
        """
        check_part_number(number)
        if length <= 0:
            raise UploadError(_("Phần tải lên rỗng: không có dữ liệu nào được gửi."))
        folder = self._dir(session)
        if not folder.is_dir():
            raise UploadError(_("Phiên tải lên không còn tồn tại."), status=404)
        limit = min(settings.LECTURE_MAX_FILE_BYTES, session.size)
        with self._locked(folder):
            if self._committed_bytes(folder, exclude=number) + length > limit:
                raise UploadError(
                    too_large_message() if length > limit else _over_declared_message(), status=413
                )
            tmp = folder / f"{number}.{uuid.uuid4().hex[:8]}.{length}.tmp"
            tmp.touch()
        digest = hashlib.md5(usedforsecurity=False)
        written = 0
        try:
            with open(tmp, "wb") as out:
                while written < length:
                    chunk = stream.read(min(CHUNK, length - written))
                    if not chunk:
                        break
                    written += len(chunk)
                    digest.update(chunk)
                    out.write(chunk)
            if written != length:
                raise UploadError(
                    _("Phần %(n)d bị gián đoạn (nhận %(got)d trên %(want)d byte); hãy gửi lại.")
                    % {"n": number, "got": written, "want": length}
                )
            etag = f'"{digest.hexdigest()}"'
            with self._locked(folder):
                (folder / f"{number}.etag").write_text(etag)
                tmp.replace(folder / str(number))
        finally:
            tmp.unlink(missing_ok=True)
        return Part(number, written, etag)

    def list_parts(self, session: UploadSession) -> list[Part]:
        folder = self._dir(session)
        if not folder.is_dir():
            return []
        parts = []
        for path in folder.iterdir():
            if path.name.isdigit():
                etag_file = folder / f"{path.name}.etag"
                etag = etag_file.read_text() if etag_file.exists() else ""
                parts.append(Part(int(path.name), path.stat().st_size, etag))
        return sorted(parts, key=lambda p: p.number)

    def complete(self, session: UploadSession, parts: list[dict]) -> tuple[str, int]:
        """Concatenates the parts into the session's key. The caller holds the session's claim
        (status COMPLETING), so no other request writes this key; the file appears at its key
        whole or not at all (written under a temporary name, then moved)."""
        folder = self._dir(session)
        if not folder.is_dir():
            raise UploadError(_("Phiên tải lên không còn tồn tại."), status=404)
        stored = {p.number: p for p in self.list_parts(session)}
        ordered = _check_completion(session, parts, stored)
        paths = [folder / str(p.number) for p in ordered]
        if isinstance(default_storage, FileSystemStorage):
            final = Path(default_storage.path(session.key))
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = final.with_name(f"{final.name}.{uuid.uuid4().hex[:8]}.partial")
            try:
                with open(tmp, "wb") as out:
                    for path in paths:
                        with open(path, "rb") as source:
                            shutil.copyfileobj(source, out, CHUNK)
                if tmp.stat().st_size != session.size:
                    raise UploadError(_("Tệp nhận được không đủ dung lượng đã khai báo; hãy tải lên lại."))
                os.replace(tmp, final)
            except OSError as exc:  # disk full, a part deleted underneath: the parts stay for a retry
                logger.exception("could not assemble upload session %s", session.pk)
                raise UploadError(
                    _(
                        "Máy chủ tạm thời không ghép được tệp. Các phần đã tải lên vẫn được giữ; hãy thử hoàn tất lại sau ít phút."
                    ),
                    status=503,
                ) from exc
            finally:
                tmp.unlink(missing_ok=True)
            return session.key, session.size
        # Any other storage writes the object in one request (atomic for S3-like stores).
        stream = _ConcatenatedParts(paths)
        key = default_storage.save(session.key, File(stream, name=session.key))
        return key, stream.size

    def discard_parts(self, session: UploadSession) -> None:
        shutil.rmtree(self._dir(session), ignore_errors=True)

    def abort(self, session: UploadSession) -> None:
        shutil.rmtree(self._dir(session), ignore_errors=True)


def _over_declared_message() -> str:
    return _("Các phần gửi lên đã vượt dung lượng tệp đã khai báo; hãy tải tệp lên lại từ đầu.")


class S3Multipart:
    """Presigned part URLs straight to the bucket; the server keeps the key and the upload id."""

    name = "s3"
    # Completing consumed the multipart upload: after a failed attach there is nothing to resume.
    status_after_failed_attach = UploadSession.Status.ABORTED

    def __init__(self):
        import boto3
        from botocore.config import Config

        self.bucket = settings.AWS_STORAGE_BUCKET_NAME
        self.client = boto3.client(
            "s3",
            endpoint_url=settings.AWS_S3_ENDPOINT_URL,
            region_name=settings.AWS_S3_REGION_NAME,
            config=Config(signature_version="s3v4"),
        )

    def create(self, session: UploadSession) -> None:
        response = self.client.create_multipart_upload(
            Bucket=self.bucket,
            Key=session.key,
            ContentType=session.content_type or "application/octet-stream",
        )
        session.upload_id = response["UploadId"]
        session.save(update_fields=["upload_id"])

    def sign_part(self, session: UploadSession, number: int) -> dict:
        check_part_number(number)
        url = self.client.generate_presigned_url(
            "upload_part",
            Params={
                "Bucket": self.bucket,
                "Key": session.key,
                "UploadId": session.upload_id,
                "PartNumber": number,
            },
            ExpiresIn=settings.AWS_QUERYSTRING_EXPIRE if settings.AWS_QUERYSTRING_EXPIRE > 600 else 3600,
        )
        return {"url": url, "headers": {}}

    def receive_part(self, session, number, stream):
        raise UploadError(_("Phần tải lên phải gửi thẳng tới kho lưu trữ."), status=404)

    def list_parts(self, session: UploadSession) -> list[Part]:
        parts, marker = [], 0
        while True:
            response = self.client.list_parts(
                Bucket=self.bucket, Key=session.key, UploadId=session.upload_id, PartNumberMarker=marker
            )
            parts += [Part(p["PartNumber"], p["Size"], p["ETag"]) for p in response.get("Parts", [])]
            if not response.get("IsTruncated"):
                return parts
            marker = response["NextPartNumberMarker"]

    def complete(self, session: UploadSession, parts: list[dict]) -> tuple[str, int]:
        from botocore.exceptions import ClientError

        try:
            stored = {p.number: p for p in self.list_parts(session)}
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "NoSuchUpload":
                raise
            # A complete whose process died after S3 assembled the object (a stale claim taken
            # again, services.uploads): the object is there, the multipart upload is not.
            stored = None
        if stored is not None:
            ordered = _check_completion(session, parts, stored)
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=session.key,
                UploadId=session.upload_id,
                MultipartUpload={"Parts": [{"PartNumber": p.number, "ETag": p.etag} for p in ordered]},
            )
        try:
            size = self.client.head_object(Bucket=self.bucket, Key=session.key)["ContentLength"]
        except ClientError:
            if stored is not None:
                raise
            raise UploadError(_("Phiên tải lên này đã kết thúc; hãy tải tệp lên lại."), status=409) from None
        # SECURITY: S3 received the bytes, so the size is checked on what it actually stored.
        if size > settings.LECTURE_MAX_FILE_BYTES:
            self.client.delete_object(Bucket=self.bucket, Key=session.key)
            raise UploadError(too_large_message(), status=413)
        return session.key, size

    def discard_parts(self, session: UploadSession) -> None:
        """Nothing to do: S3 dropped the parts when it assembled the object."""

    def abort(self, session: UploadSession) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=session.key, UploadId=session.upload_id
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("NoSuchUpload", "404"):
                raise


def _check_completion(session: UploadSession, parts: list[dict], stored: dict[int, Part]) -> list[Part]:
    """The parts the client names must be 1..N, all stored, with matching ETags, totalling the
    declared size, and never over the limit."""
    try:
        numbers = [int(p["PartNumber"]) for p in parts]
        etags = {int(p["PartNumber"]): str(p.get("ETag", "")).strip('"') for p in parts}
    except (KeyError, TypeError, ValueError):
        raise UploadError(_("Danh sách phần tải lên không hợp lệ.")) from None
    if not numbers or sorted(numbers) != list(range(1, len(numbers) + 1)) or len(numbers) > MAX_PARTS:
        raise UploadError(_("Danh sách phần tải lên không liền mạch."))
    ordered = []
    for number in sorted(numbers):
        part = stored.get(number)
        if part is None or (etags[number] and part.etag.strip('"') != etags[number]):
            raise UploadError(_("Phần %(n)d chưa được tải lên đầy đủ.") % {"n": number})
        ordered.append(part)
    total = sum(p.size for p in ordered)
    if total > settings.LECTURE_MAX_FILE_BYTES:
        raise UploadError(too_large_message(), status=413)
    if total != session.size:
        raise UploadError(_("Tệp nhận được không đủ dung lượng đã khai báo; hãy tải lên lại."))
    return ordered


class _ConcatenatedParts(io.RawIOBase):
    """A read-only stream over the part files in order, holding one open file at a time."""

    def __init__(self, paths: list[Path]):
        self._paths = list(paths)
        self._index = 0
        self._current = None
        self.size = sum(p.stat().st_size for p in self._paths)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        # Storage back ends rewind before reading; only a rewind to the start is supported.
        if offset != 0 or whence != io.SEEK_SET:
            raise io.UnsupportedOperation("only seek(0) is supported")
        if self._current:
            self._current.close()
        self._current, self._index = None, 0
        return 0

    def tell(self) -> int:
        return 0

    def readinto(self, buffer) -> int:
        while self._index < len(self._paths):
            if self._current is None:
                self._current = open(self._paths[self._index], "rb")  # noqa: SIM115
            n = self._current.readinto(buffer)
            if n:
                return n
            self._current.close()
            self._current = None
            self._index += 1
        return 0

    def close(self):
        if self._current:
            self._current.close()
            self._current = None
        super().close()


def backend_for(name: str | None = None):
    """The back end of an existing session (`name`) or the configured one for a new session."""
    name = name or ("s3" if settings.AWS_STORAGE_BUCKET_NAME else "local")
    return S3Multipart() if name == "s3" else LocalMultipart()
