"""The embedded back end of the multipart upload protocol: parts on local disk, assembled
without copying.

A session's folder `UPLOAD_TMP_ROOT/<session>/` holds:

- `data`: a sparse file of the declared size. A part cut the way static/js/upload.js cuts a
  file (`part_layout`: every part but the last of the same size) is written straight at its
  offset (os.pwrite) and recorded by `<n>.at`, which holds its ETag. Completing then only
  hard-links `data` at the session's key: no second copy of the bytes.
- `<n>` with `<n>.etag`: a part of any other length (S3 allows any size; tests and other
  clients send small parts), kept in its own file; completing then concatenates the parts with
  os.copy_file_range (inside the kernel, no Python buffer) into a new file.
- `<n>.<rand>.<length>.tmp`: the reservation of a part being received (see `receive_part`).
- `.lock` (the folder's lock) and `.sealed` (the file is assembled: no part may change it).

SECURITY: a part writer holds a shared flock on `data` while it writes; completing takes it
exclusively (or answers 409) before sealing, so no byte can change the file once it is checked.
"""

from __future__ import annotations

import errno
import fcntl
import io
import logging
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import UploadSession
from .upload_protocol import (
    CHUNK,
    Part,
    UploadError,
    _check_completion,
    _over_declared_message,
    check_part_number,
    part_layout,
    too_large_message,
)

logger = logging.getLogger(__name__)

DATA = "data"
SEALED = ".sealed"
# Request bodies are read in pieces of this size (memory per request stays flat).
READ_CHUNK = 4 * CHUNK


def _gone() -> UploadError:
    return UploadError(_("Phiên tải lên không còn tồn tại."), status=404)


def _sealed() -> UploadError:
    return UploadError(_("Tệp đang được hoàn tất; hãy đợi trong giây lát."), status=409)


class LocalMultipart:
    """Parts on local disk under UPLOAD_TMP_ROOT (see the module's docstring).

    The tmp name of a reservation carries the bytes the request declared, so that the room left
    in the session is counted on finished parts plus what parts still in flight have reserved,
    under an exclusive lock on the session folder: racing PUTs cannot store more than the
    session's size.
    """

    name = "local"
    # After a failed attach the parts are still there: the browser may complete again.
    status_after_failed_attach = UploadSession.Status.ACTIVE
    # A reservation whose file has not been touched for this long belongs to a request that died.
    STALE_RESERVATION_SECONDS = 15 * 60

    def _dir(self, session: UploadSession) -> Path:
        return Path(settings.UPLOAD_TMP_ROOT) / str(session.pk)

    @contextmanager
    def _locked(self, folder: Path):
        try:
            handle = open(folder / ".lock", "a")  # noqa: SIM115
        except FileNotFoundError:  # the folder went away (aborted, or completed and discarded)
            raise _gone() from None
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def create(self, session: UploadSession) -> None:
        session.upload_id = uuid.uuid4().hex
        session.save(update_fields=["upload_id"])
        folder = self._dir(session)
        folder.mkdir(parents=True, exist_ok=True)
        # Sparse: the declared size costs no disk until parts arrive.
        with open(folder / DATA, "wb") as data:
            data.truncate(session.size)

    def sign_part(self, session: UploadSession, number: int) -> dict:
        check_part_number(number)
        return {"url": reverse("submissions:upload_part", args=[session.pk, number]), "headers": {}}

    @staticmethod
    def _slot(session: UploadSession, number: int, length: int) -> int | None:
        """The offset of part `number` in `data` if a part of `length` bytes fits the layout."""
        part, count = part_layout(session.size)
        if number > count:
            return None
        expected = part if number < count else session.size - (count - 1) * part
        return (number - 1) * part if length == expected else None

    @staticmethod
    def _layout_size(session: UploadSession, number: int) -> int:
        part, count = part_layout(session.size)
        return part if number < count else session.size - (count - 1) * part

    def _committed_bytes(self, session: UploadSession, folder: Path, *, exclude: int) -> int:
        """Finished parts other than `exclude` (which the new part replaces) plus live reservations."""
        total = 0
        now = time.time()
        for path in folder.iterdir():
            bits = path.name.split(".")
            if path.name.isdigit() and int(path.name) != exclude:
                total += path.stat().st_size
            elif len(bits) == 2 and bits[1] == "at" and bits[0].isdigit() and int(bits[0]) != exclude:
                total += self._layout_size(session, int(bits[0]))
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
        """Streams one PUT body of `length` declared bytes to disk, 4 MiB at a time.

        SECURITY: the declared length is reserved first, atomically, against the session's size
        (and LECTURE_MAX_FILE_BYTES); a body shorter than declared is discarded, never stored.
        The ETag names this write of the part (a random token and the length): a part sent again
        gets a new one, so a complete that names an older write is refused. No checksum of the
        bytes: CRC-32 (1.9 GB/s here) took a fifth of a part's time at 400 MB/s, and the whole
        file's SHA-256 is taken by the file check. A `Content-MD5` the client sends is not
        checked here; TCP and the file check guard the bytes.
        """
        check_part_number(number)
        if length <= 0:
            raise UploadError(_("Phần tải lên rỗng: không có dữ liệu nào được gửi."))
        folder = self._dir(session)
        if not folder.is_dir():
            raise _gone()
        limit = min(settings.LECTURE_MAX_FILE_BYTES, session.size)
        offset = self._slot(session, number, length)
        data_fd = None
        with self._locked(folder):
            if (folder / SEALED).exists():
                raise _sealed()
            if self._committed_bytes(session, folder, exclude=number) + length > limit:
                raise UploadError(
                    too_large_message() if length > limit else _over_declared_message(), status=413
                )
            tmp = folder / f"{number}.{uuid.uuid4().hex[:8]}.{length}.tmp"
            tmp.touch()
            if offset is not None:
                try:
                    data_fd = os.open(folder / DATA, os.O_WRONLY)
                except FileNotFoundError:  # a session created before parts went into `data`
                    offset = None
                else:
                    # Shared: parts write side by side; completing waits for none of them.
                    fcntl.flock(data_fd, fcntl.LOCK_SH)
        try:
            if data_fd is not None:
                written = _receive_at(stream, length, data_fd, offset, tmp)
            else:
                with open(tmp, "wb") as out:
                    written = _receive_into(stream, length, out)
            etag = f'"{uuid.uuid4().hex[:16]}-{written:x}"'
            with self._locked(folder):
                if written != length:
                    if data_fd is not None:
                        # The part's bytes in `data` may be half overwritten: it must be sent again.
                        (folder / f"{number}.at").unlink(missing_ok=True)
                    raise UploadError(
                        _("Phần %(n)d bị gián đoạn (nhận %(got)d trên %(want)d byte); hãy gửi lại.")
                        % {"n": number, "got": written, "want": length}
                    )
                if (folder / SEALED).exists():
                    raise _sealed()
                if data_fd is not None:
                    (folder / f"{number}.at").write_text(etag)
                    (folder / str(number)).unlink(missing_ok=True)
                    (folder / f"{number}.etag").unlink(missing_ok=True)
                else:
                    (folder / f"{number}.etag").write_text(etag)
                    tmp.replace(folder / str(number))
                    (folder / f"{number}.at").unlink(missing_ok=True)
        finally:
            if data_fd is not None:
                os.close(data_fd)  # releases the shared lock
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
            elif path.suffix == ".at" and path.stem.isdigit():
                number = int(path.stem)
                try:
                    etag = path.read_text()
                except FileNotFoundError:
                    continue
                parts.append(Part(number, self._layout_size(session, number), etag))
        return sorted(parts, key=lambda p: p.number)

    def _sources(self, session: UploadSession, folder: Path, ordered: list[Part]) -> list[tuple]:
        """(path, offset, length) of every part in order: a range of `data` or a part's own file."""
        sources = []
        for part in ordered:
            offset = self._slot(session, part.number, part.size)
            if offset is not None and (folder / f"{part.number}.at").exists():
                sources.append((folder / DATA, offset, part.size))
            else:
                sources.append((folder / str(part.number), 0, part.size))
        return sources

    def complete(self, session: UploadSession, parts: list[dict]) -> tuple[str, int]:
        """Puts the parts at the session's key. The caller holds the session's claim (status
        COMPLETING), so no other request writes this key; the file appears at its key whole or
        not at all. When every part is in `data`, `data` is hard-linked at the key (no copy);
        otherwise the parts are concatenated into a temporary file, then moved."""
        folder = self._dir(session)
        if not folder.is_dir():
            raise _gone()
        with self._locked(folder):
            ordered = _check_completion(session, parts, {p.number: p for p in self.list_parts(session)})
            sources = self._sources(session, folder, ordered)
            if not (folder / SEALED).exists():
                _seal(folder)
        try:
            if isinstance(default_storage, FileSystemStorage):
                return self._assemble_on_disk(session, folder, sources)
            # Any other storage writes the object in one request (atomic for S3-like stores).
            stream = _ConcatenatedParts(sources)
            key = default_storage.save(session.key, File(stream, name=session.key))
            return key, stream.size
        except BaseException:
            self.reopen(session)
            raise

    def _assemble_on_disk(
        self, session: UploadSession, folder: Path, sources: list[tuple]
    ) -> tuple[str, int]:
        final = Path(default_storage.path(session.key))
        final.parent.mkdir(parents=True, exist_ok=True)
        data = folder / DATA
        if all(path == data for path, _offset, _length in sources) and data.stat().st_size == session.size:
            try:
                os.link(data, final)  # the same inode: the upload is already the file
                return session.key, session.size
            except OSError as exc:  # another file system, or no hard links: copy below
                logger.info("upload session %s: no hard link (%s), copying", session.pk, exc)
        tmp = final.with_name(f"{final.name}.{uuid.uuid4().hex[:8]}.partial")
        try:
            with open(tmp, "wb", buffering=0) as out:
                for path, offset, length in sources:
                    _append(path, offset, length, out)
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

    def reopen(self, session: UploadSession) -> None:
        """After a failed complete or attach (the file at the key is gone): parts may change again."""
        (self._dir(session) / SEALED).unlink(missing_ok=True)

    def discard_parts(self, session: UploadSession) -> None:
        shutil.rmtree(self._dir(session), ignore_errors=True)

    def abort(self, session: UploadSession) -> None:
        shutil.rmtree(self._dir(session), ignore_errors=True)


def _seal(folder: Path) -> None:
    """Marks the folder sealed once no part is being written into `data` (else 409)."""
    try:
        fd = os.open(folder / DATA, os.O_RDONLY)
    except FileNotFoundError:
        fd = None
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UploadError(
                    _("Một phần của tệp vẫn đang được gửi lên; hãy đợi phần đó xong rồi hoàn tất lại."),
                    status=409,
                ) from None
        (folder / SEALED).touch()
    finally:
        if fd is not None:
            os.close(fd)


def _receive_into(stream, length: int, out) -> int:
    written = 0
    while written < length:
        chunk = stream.read(min(READ_CHUNK, length - written))
        if not chunk:
            break
        written += len(chunk)
        out.write(chunk)
    return written


def _receive_at(stream, length: int, fd: int, offset: int, reservation: Path) -> int:
    written, touched = 0, time.monotonic()
    while written < length:
        chunk = stream.read(min(READ_CHUNK, length - written))
        if not chunk:
            break
        view = memoryview(chunk)
        while view:
            n = os.pwrite(fd, view, offset + written)
            written += n
            view = view[n:]
        if time.monotonic() - touched > 60:  # a slow part keeps its reservation alive
            os.utime(reservation)
            touched = time.monotonic()
    return written


def _append(path: Path, offset: int, length: int, out) -> None:
    """Appends `length` bytes of `path` from `offset` to `out`: os.copy_file_range (in the
    kernel), or a plain copy where the file system cannot. `out` is unbuffered."""
    with open(path, "rb") as source:
        remaining, position = length, offset
        try:
            while remaining:
                n = os.copy_file_range(source.fileno(), out.fileno(), remaining, position)
                if n == 0:
                    raise OSError(errno.EIO, f"{path} is shorter than expected")
                remaining -= n
                position += n
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL):
                raise
            source.seek(position)
            while remaining:
                chunk = source.read(min(CHUNK, remaining))
                if not chunk:
                    raise OSError(errno.EIO, f"{path} is shorter than expected") from exc
                out.write(chunk)
                remaining -= len(chunk)


class _ConcatenatedParts(io.RawIOBase):
    """A read-only stream over (path, offset, length) ranges in order, one open file at a time."""

    def __init__(self, sources: list[tuple]):
        self._sources = list(sources)
        self._index = 0
        self._current = None
        self._left = 0
        self.size = sum(length for _path, _offset, length in self._sources)

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
        while self._index < len(self._sources):
            if self._current is None:
                path, offset, length = self._sources[self._index]
                self._current = open(path, "rb")  # noqa: SIM115
                self._current.seek(offset)
                self._left = length
            if self._left:
                view = memoryview(buffer)[: self._left]
                n = self._current.readinto(view)
                if n:
                    self._left -= n
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
