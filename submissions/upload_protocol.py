"""What both back ends of the multipart upload protocol share (submissions/uploads.py): the
refusal carrying its Vietnamese message, a stored part, S3's part rules, the server-chosen key,
the size checks and the check of a complete request's part list."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from elearning.text import CONTROL_CHARACTER_RE, fold

if TYPE_CHECKING:
    from .models import UploadSession

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


def part_layout(size: int) -> tuple[int, int]:
    """(part size, number of parts) of a file of `size` bytes as static/js/upload.js cuts it:
    every part but the last is max(MIN_PART_BYTES, size / MAX_PARTS) bytes."""
    part = max(MIN_PART_BYTES, -(-size // MAX_PARTS))
    return part, max(1, -(-size // part))


def check_part_number(number: int) -> int:
    if not 1 <= number <= MAX_PARTS:
        raise UploadError(_("Số thứ tự phần tải lên không hợp lệ (1–10.000)."))
    return number


def _over_declared_message() -> str:
    return _("Các phần gửi lên đã vượt dung lượng tệp đã khai báo; hãy tải tệp lên lại từ đầu.")


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
