"""Videos recognised by content: MP4 (an ``ftyp`` box with a video brand, then ``moov``) and
WebM (an EBML header whose DocType is "webm", then a Segment)."""

from __future__ import annotations

import struct
from typing import BinaryIO

from ..formats import Format
from .messages import MSG_MP4_BROKEN, MSG_UNKNOWN, MSG_UNKNOWN_HINT, MSG_WEBM_BROKEN

MP4_VIDEO_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
    b"mp41", b"mp42", b"mp71", b"avc1", b"M4V ", b"M4VH", b"M4VP", b"dash", b"mmp4",
    b"msnv", b"MSNV", b"cmfc", b"cmf2", b"f4v ", b"XAVC",
}  # fmt: skip
MP4_NOT_VIDEO = {
    b"qt  ": "đây là video QuickTime (.mov) — hãy xuất lại dưới dạng MP4",
    b"M4A ": "đây là tệp âm thanh (M4A), không phải video",
    b"M4B ": "đây là tệp âm thanh (M4B), không phải video",
    b"M4P ": "đây là tệp âm thanh (M4P), không phải video",
    b"F4A ": "đây là tệp âm thanh, không phải video",
    b"heic": "đây là ảnh HEIC", b"heix": "đây là ảnh HEIC", b"heim": "đây là ảnh HEIF",
    b"heis": "đây là ảnh HEIF", b"hevc": "đây là ảnh HEIF", b"hevx": "đây là ảnh HEIF",
    b"mif1": "đây là ảnh HEIF", b"msf1": "đây là ảnh HEIF",
    b"avif": "đây là ảnh AVIF", b"avis": "đây là ảnh AVIF",
    b"crx ": "đây là ảnh RAW của máy ảnh",
}  # fmt: skip
MAX_TOP_LEVEL_BOXES = 100_000


def _mp4(fh: BinaryIO, head: bytes, size: int) -> tuple[Format, list[str]] | None:
    """ISO base media: an ``ftyp`` box at offset 4 with a video brand, then a ``moov`` box."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    (ftyp_size,) = struct.unpack(">L", head[:4])
    if ftyp_size < 16 or ftyp_size > 4096:
        return None
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, min(ftyp_size, len(head)) - 3, 4)}
    if major in MP4_NOT_VIDEO:
        return Format.UNKNOWN, [MSG_UNKNOWN_HINT.format(hint=MP4_NOT_VIDEO[major])]
    if major not in MP4_VIDEO_BRANDS and not compatible & MP4_VIDEO_BRANDS:
        return Format.UNKNOWN, [MSG_UNKNOWN_HINT.format(hint="video dùng định dạng con không được hỗ trợ")]

    seen: set[bytes] = set()
    offset = 0
    for _ in range(MAX_TOP_LEVEL_BOXES):
        if offset >= size:
            break
        fh.seek(offset)
        header = fh.read(16)
        if len(header) < 8:
            return Format.MP4, [MSG_MP4_BROKEN.format(detail="phần cuối tệp bị cắt")]
        box_size, box_type = struct.unpack(">L4s", header[:8])
        if not all(32 <= b < 127 or b == 0xA9 for b in box_type):
            return Format.MP4, [MSG_MP4_BROKEN.format(detail="cấu trúc hộp không hợp lệ")]
        if box_size == 1:
            if len(header) < 16:
                return Format.MP4, [MSG_MP4_BROKEN.format(detail="phần cuối tệp bị cắt")]
            (box_size,) = struct.unpack(">Q", header[8:16])
        elif box_size == 0:
            box_size = size - offset
        if box_size < 8:
            return Format.MP4, [MSG_MP4_BROKEN.format(detail="cấu trúc hộp không hợp lệ")]
        if offset + box_size > size:
            return Format.MP4, [MSG_MP4_BROKEN.format(detail="tệp bị cắt, chưa tải lên hết")]
        seen.add(box_type)
        offset += box_size
    if b"moov" not in seen:
        return Format.MP4, [MSG_MP4_BROKEN.format(detail="thiếu phần mô tả moov")]
    return Format.MP4, []


def _ebml_vint(data: bytes, pos: int, keep_marker: bool) -> tuple[int, int] | None:
    """(value, next position) of an EBML variable-length integer, or None."""
    if pos >= len(data) or data[pos] == 0:
        return None
    first = data[pos]
    length = 8 - first.bit_length() + 1
    if pos + length > len(data):
        return None
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    return value, pos + length


def _webm(head: bytes) -> tuple[Format, list[str]] | None:
    """EBML header whose DocType is "webm", followed by a Segment."""
    if not head.startswith(b"\x1a\x45\xdf\xa3"):
        return None
    parsed = _ebml_vint(head, 4, keep_marker=False)
    if parsed is None:
        return Format.UNKNOWN, [MSG_UNKNOWN]
    header_size, pos = parsed
    end = pos + header_size
    if header_size > 4096 or end > len(head):
        return Format.UNKNOWN, [MSG_UNKNOWN]
    doctype = ""
    while pos < end:
        element = _ebml_vint(head, pos, keep_marker=True)
        if element is None:
            break
        element_id, pos = element
        sized = _ebml_vint(head, pos, keep_marker=False)
        if sized is None:
            break
        length, pos = sized
        if element_id == 0x4282:
            doctype = head[pos : pos + length].rstrip(b"\x00").decode("ascii", "replace")
        pos += length
    if doctype == "matroska":
        return Format.UNKNOWN, [
            MSG_UNKNOWN_HINT.format(
                hint="đây là video Matroska (.mkv) — hãy xuất lại dưới dạng MP4 hoặc WebM"
            )
        ]
    if doctype != "webm":
        return Format.UNKNOWN, [MSG_UNKNOWN]
    pos = end
    while (element := _ebml_vint(head, pos, keep_marker=True)) is not None and element[0] in (0xEC, 0xBF):
        sized = _ebml_vint(head, element[1], keep_marker=False)  # Void / CRC-32 before the Segment
        if sized is None:
            break
        pos = sized[1] + sized[0]
    if element is None or element[0] != 0x18538067:  # Segment
        return Format.WEBM, [MSG_WEBM_BROKEN]
    return Format.WEBM, []
