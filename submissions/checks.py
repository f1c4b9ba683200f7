"""Content checks for uploaded lecture files (DESIGN.md §9).

Pure Python, no Django: the Celery task calls :func:`inspect_file` on the uploaded file and,
for a valid package, :func:`safe_extract` to unpack it for the preview.

* The format is decided by content (magic bytes, zip structure), never by the file name.
* Zip archives are examined from the central directory first; nothing is extracted while
  inspecting. Hostile archives (absolute paths, ``..``, symlinks, nested archives,
  executables, bombs) fail with a precise Vietnamese message.
* :func:`safe_extract` counts the bytes it actually writes, 64 KiB at a time, so a zip bomb
  stops at the cap with bounded memory; on refusal everything written is removed.
* SCORM manifests are parsed with defusedxml (no entities, no external references).
* ClamAV is optional; a file the scanner could not scan is ``not_scanned``, never ``clean``.
"""

from __future__ import annotations

import hashlib
import html
import os
import posixpath
import re
import shutil
import socket
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

import clamd
import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError

from .formats import PACKAGE_FORMATS, Format, accepted_text

__all__ = [
    "PACKAGE_FORMATS",
    "CheckResult",
    "Format",
    "Limits",
    "UnsafeArchive",
    "inspect_file",
    "safe_extract",
    "sha256_of",
]

HASH_CHUNK = 1024 * 1024  # sha256_of and sniffing read 1 MiB at a time
CHUNK = 64 * 1024  # safe_extract streams and counts 64 KiB at a time
PEEK = 4096  # bytes read from the start of an archive entry to spot executables
RATIO_FLOOR = 1024 * 1024  # compression ratio is judged only once this many bytes are out
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_SMALL_XML_BYTES = 1024 * 1024  # [Content_Types].xml
MAX_LISTED = 5  # names quoted in one message


# --------------------------------------------------------------------------------------
# Public types


@dataclass(frozen=True)
class Limits:
    """Caps applied to zip archives (the Django side passes its settings)."""

    max_entries: int = 10_000
    max_total_bytes: int = 4 * 1024**3
    max_ratio: int = 200
    max_entry_bytes: int = 2 * 1024**3


DEFAULT_LIMITS = Limits()


@dataclass
class CheckResult:
    format: Format
    sha256: str
    size: int
    ok: bool
    messages: list[str]  # Vietnamese, for the author
    title: str = ""
    launch: str = ""  # package-relative path of the SCO launch file / index.html
    scorm_version: str = ""  # "1.2", "2004 3rd Edition", "2004 4th Edition", "2004"...
    scan: str = "not_configured"  # "not_configured" | "clean" | "infected" | "not_scanned"


class UnsafeArchive(ValueError):
    """An archive refused by :func:`safe_extract`; ``str(exc)`` is the Vietnamese message."""

    def __init__(self, message: str, *, bytes_written: int = 0):
        super().__init__(message)
        self.message = message
        self.bytes_written = bytes_written  # bytes on disk when the refusal happened


# --------------------------------------------------------------------------------------
# Messages (Vietnamese, for a teacher)

ACCEPTED = f"Hệ thống nhận: {accepted_text()}."
MSG_UNKNOWN = "Không nhận ra định dạng tệp. " + ACCEPTED
MSG_UNKNOWN_HINT = "Không nhận ra định dạng tệp: {hint}. " + ACCEPTED
MSG_NO_PACKAGE = (
    "Không nhận ra gói bài giảng: thiếu tệp imsmanifest.xml (gói SCORM) hoặc index.html "
    "(gói HTML5) ở thư mục gốc của tệp nén."
)
MSG_IN_SUBFOLDER = (
    "Tệp {file} nằm trong thư mục con «{folder}» chứ không ở thư mục gốc của tệp nén — "
    "hãy nén trực tiếp các tệp bên trong thư mục đó."
)
MSG_MANIFEST_NAME = "Tệp kê khai phải có tên chính xác là imsmanifest.xml (chữ thường), không phải «{name}»."
MSG_CORRUPT = "Tệp nén bị hỏng hoặc không đầy đủ — hãy nén và tải lên lại."
MSG_EMPTY_ZIP = "Tệp nén rỗng, không có nội dung."
MSG_MULTIDISK = "Tệp nén chia thành nhiều phần không được hỗ trợ — hãy nén thành một tệp .zip duy nhất."
MSG_TOO_MANY = "Tệp nén có quá nhiều mục (hơn {max} mục) — có thể là zip bomb."
MSG_DIRECTORY_TOO_BIG = "Danh mục của tệp nén lớn bất thường — có thể là tệp nén độc hại."
MSG_TOTAL = "Tệp nén vượt giới hạn dung lượng giải nén ({cap} MiB) — có thể là zip bomb."
MSG_ARCHIVE_RATIO = "Tệp nén có tỉ lệ nén bất thường (vượt {ratio}:1) — có thể là zip bomb."

# Per-entry problems: {names} lists the offending entries.
ENTRY_MESSAGES = {
    "absolute": "Tệp nén chứa đường dẫn tuyệt đối ({names}) — không được phép.",
    "traversal": "Tệp nén chứa đường dẫn vượt ra ngoài thư mục ({names}).",
    "symlink": "Tệp nén chứa liên kết tượng trưng (symlink): {names} — không được phép.",
    "bad_name": "Tệp nén chứa tên tệp không hợp lệ: {names}.",
    "encrypted": "Tệp nén có mục được đặt mật khẩu: {names} — hãy nén lại mà không đặt mật khẩu.",
    "method": (
        "Tệp nén dùng phương thức nén không được hỗ trợ ({names}) — "
        "hãy nén lại bằng ZIP thông thường (Deflate)."
    ),
    "duplicate": "Tệp nén chứa các mục trùng tên: {names}.",
    "conflict": "Tệp nén chứa mục vừa là tệp vừa là thư mục: {names}.",
    "nested": (
        "Tệp nén chứa tệp nén lồng bên trong: {names} — hãy giải nén và đưa trực tiếp nội dung vào gói."
    ),
    "executable": "Tệp nén chứa tệp thực thi: {names} — không được phép.",
    "entry_size": "Tệp trong gói vượt giới hạn dung lượng cho một tệp ({cap} MiB): {names}.",
    "ratio": "Tệp nén có tỉ lệ nén bất thường (vượt {ratio}:1) ở mục: {names} — có thể là zip bomb.",
}

MSG_XML_SYNTAX = "Tệp imsmanifest.xml không hợp lệ (lỗi cú pháp XML ở dòng {line})."
MSG_XML_INVALID = "Tệp imsmanifest.xml không hợp lệ (không đọc được nội dung XML)."
MSG_XML_ENTITIES = "imsmanifest.xml chứa khai báo thực thể/DTD — bị từ chối vì lý do an toàn."
MSG_MANIFEST_TOO_BIG = "Tệp imsmanifest.xml quá lớn (hơn {cap} MiB)."
MSG_NOT_MANIFEST = "Tệp imsmanifest.xml không phải bản kê khai gói nội dung (phần tử gốc phải là <manifest>)."
MSG_NO_RESOURCES = "imsmanifest.xml không khai báo tài nguyên nào (<resources>)."
MSG_NO_LAUNCH = "imsmanifest.xml không chỉ ra trang khởi chạy (không có mục nào trỏ tới tài nguyên có href)."
MSG_EXTERNAL_LAUNCH = (
    "Trang khởi chạy trong imsmanifest.xml là địa chỉ bên ngoài gói ({href}) — trang phải nằm trong gói."
)
MSG_MISSING_FILES = "Thiếu tệp được khai báo trong imsmanifest.xml: {names}."
MSG_OUTSIDE_REFS = "imsmanifest.xml tham chiếu tới đường dẫn nằm ngoài gói: {names}."
MSG_BAD_IDREF = "imsmanifest.xml có mục trỏ tới tài nguyên không tồn tại: {names}."

MSG_OFFICE_MACRO = (
    "Tệp có chứa macro (VBA) — không được phép vì lý do an toàn; "
    "hãy lưu lại dưới dạng {ext} thông thường (không có macro)."
)
MSG_OFFICE_BROKEN = "Tệp Office bị hỏng: thiếu phần nội dung chính ({part})."
MSG_MP4_BROKEN = "Tệp video MP4 bị hỏng hoặc không đầy đủ ({detail}) — hãy xuất lại video và tải lên lại."
MSG_WEBM_BROKEN = "Tệp video WebM bị hỏng hoặc không đầy đủ — hãy xuất lại video và tải lên lại."

MSG_SCAN_INFECTED = "Phát hiện mã độc ({signature}) — tệp bị từ chối."
MSG_SCAN_FAILED = (
    "Chưa quét được virus ({reason}) — tệp chưa được xác nhận là an toàn; hệ thống sẽ cần quét lại."
)


# --------------------------------------------------------------------------------------
# Small helpers


def sha256_of(fileobj: BinaryIO) -> str:
    """Hex sha256 of a binary file object, read from its current position in 1 MiB chunks."""
    digest = hashlib.sha256()
    while chunk := fileobj.read(HASH_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _vi_int(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _mib(number: int) -> str:
    value = number / 1024**2
    return _vi_int(int(value)) if value == int(value) else f"{value:.1f}".replace(".", ",")


def _show(name: str, limit: int = 120) -> str:
    """A user-controlled name made safe to display: no control/format characters, bounded."""
    cleaned = "".join("?" if unicodedata.category(ch).startswith("C") else ch for ch in name)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _listing(names: list[str], noun: str = "mục") -> str:
    shown = ", ".join(_show(n) for n in names[:MAX_LISTED])
    if len(names) > MAX_LISTED:
        shown += f" (và {_vi_int(len(names) - MAX_LISTED)} {noun} khác)"
    return shown


class _Problems:
    """Entry problems grouped by kind, in order of first appearance."""

    def __init__(self) -> None:
        self._by_kind: dict[str, list[str]] = {}
        self._single: list[str] = []

    def add(self, kind: str, name: str) -> None:
        names = self._by_kind.setdefault(kind, [])
        if name not in names:
            names.append(name)

    def add_message(self, message: str) -> None:
        if message not in self._single:
            self._single.append(message)

    def __bool__(self) -> bool:
        return bool(self._by_kind or self._single)

    def messages(self, limits: Limits) -> list[str]:
        rendered = [
            ENTRY_MESSAGES[kind].format(
                names=_listing(names),
                cap=_mib(limits.max_entry_bytes),
                ratio=_vi_int(limits.max_ratio),
            )
            for kind, names in self._by_kind.items()
        ]
        return rendered + self._single


# --------------------------------------------------------------------------------------
# Zip entry rules

SUPPORTED_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
# Only Stored and Deflate: Python's zipfile bounds Deflate output per read, but inflates a
# whole BZIP2/LZMA block per read, which a crafted entry can make gigabytes large.

NESTED_ARCHIVE_EXTENSIONS = {
    ".zip", ".zipx", ".rar", ".7z", ".tar", ".tgz", ".tbz", ".tbz2", ".txz", ".tlz", ".tzst",
    ".bz2", ".xz", ".lz", ".lzma", ".zst", ".z", ".cab", ".arj", ".lzh", ".lha", ".ace",
    ".iso", ".dmg", ".vhd", ".vhdx", ".wim", ".jar", ".war", ".ear", ".apk", ".xapk",
    ".ipa", ".xpi", ".crx", ".msix", ".appx", ".deb", ".rpm",
}  # fmt: skip
# ".gz" and ".br" alone are allowed: web builds (e.g. Unity WebGL) ship pre-compressed
# single assets; ".tar.gz" is caught as a tar below.

EXECUTABLE_EXTENSIONS = {
    ".exe", ".dll", ".bat", ".cmd", ".sh", ".bash", ".zsh", ".csh", ".ksh", ".command",
    ".msi", ".msp", ".mst", ".com", ".scr", ".pif", ".cpl", ".ps1", ".psm1", ".psd1",
    ".vbs", ".vbe", ".wsf", ".wsh", ".hta", ".reg", ".lnk", ".scf", ".jar", ".apk",
    ".app", ".run", ".so", ".dylib", ".sys", ".drv", ".ocx", ".gadget", ".application",
}  # fmt: skip

_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class _Entry:
    info: zipfile.ZipInfo
    name: str  # normalised relative POSIX path, NFC, no trailing slash
    is_dir: bool


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """The entry name; names stored as UTF-8 without the UTF-8 flag are recovered too."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = info.filename.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            name = info.filename
    return name


def _normalise(raw: str) -> tuple[str, bool, str]:
    """(normalised name, is_dir, problem kind or "")."""
    name = raw.replace("\\", "/")  # Windows tools sometimes write backslashes as separators
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return "", False, "bad_name"
    if name.startswith("/") or _DRIVE.match(name):
        return "", False, "absolute"
    is_dir = name.endswith("/")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        return "", False, "traversal"
    if not parts:
        return "", is_dir, "" if is_dir else "bad_name"
    if any(len(p.encode("utf-8")) > 255 for p in parts):
        return "", False, "bad_name"
    return unicodedata.normalize("NFC", "/".join(parts)), is_dir, ""


def _suffixes(name: str) -> tuple[str, str]:
    base = posixpath.basename(name).lower()
    ext = posixpath.splitext(base)[1]
    return base, ext


def _is_nested_archive(name: str) -> bool:
    base, ext = _suffixes(name)
    return ext in NESTED_ARCHIVE_EXTENSIONS or ".tar." in base


def _is_executable_name(name: str) -> bool:
    return _suffixes(name)[1] in EXECUTABLE_EXTENSIONS


def _looks_executable(head: bytes) -> bool:
    """Native executables by magic bytes: ELF, Windows PE, Mach-O (and Java class / fat)."""
    if head.startswith(b"\x7fELF"):
        return True
    if head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe"):
        return True
    if head.startswith(b"\xca\xfe\xba\xbe"):
        return True
    if head.startswith(b"MZ") and len(head) >= 0x40:
        (pe_offset,) = struct.unpack_from("<L", head, 0x3C)
        return head[pe_offset : pe_offset + 4] == b"PE\x00\x00"
    return False


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _audit_entries(
    zf: zipfile.ZipFile,
    limits: Limits,
    archive_size: int,
    *,
    package_rules: bool,
    declared_sizes: bool,
) -> tuple[list[_Entry], _Problems]:
    """Check every central-directory entry without extracting anything.

    ``package_rules`` adds the rules for extracted packages (no nested archives, no
    executables); ``declared_sizes`` judges the sizes written in the headers (inspection).
    """
    problems = _Problems()
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        problems.add_message(MSG_TOO_MANY.format(max=_vi_int(limits.max_entries)))
        return [], problems
    entries: list[_Entry] = []
    seen: set[str] = set()
    total = 0
    for info in infos:
        shown = _decoded_name(info)
        name, is_dir, kind = _normalise(shown)
        if kind:
            problems.add(kind, shown)
            continue
        if not name:  # "./" and the like: nothing to create
            continue
        if _is_symlink(info):
            problems.add("symlink", shown)
            continue
        if info.flag_bits & 0x1:
            problems.add("encrypted", shown)
        if info.compress_type not in SUPPORTED_METHODS:
            problems.add("method", shown)
        if name in seen:
            problems.add("duplicate", shown)
            continue
        seen.add(name)
        if not is_dir:
            if package_rules and _is_nested_archive(name):
                problems.add("nested", shown)
            elif package_rules and _is_executable_name(name):
                problems.add("executable", shown)
            if declared_sizes:
                total += info.file_size
                if info.file_size > limits.max_entry_bytes:
                    problems.add("entry_size", shown)
                elif info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(
                    info.compress_size, 1
                ):
                    problems.add("ratio", shown)
        entries.append(_Entry(info, name, is_dir))

    files = {e.name for e in entries if not e.is_dir}
    for entry in entries:
        parent = posixpath.dirname(entry.name)
        while parent:
            if parent in files:
                problems.add("conflict", parent)
            parent = posixpath.dirname(parent)

    if declared_sizes:
        if total > limits.max_total_bytes:
            problems.add_message(MSG_TOTAL.format(cap=_mib(limits.max_total_bytes)))
        elif not problems and total > RATIO_FLOOR and total > limits.max_ratio * max(archive_size, 1):
            problems.add_message(MSG_ARCHIVE_RATIO.format(ratio=_vi_int(limits.max_ratio)))
    return entries, problems


def _peek_executables(zf: zipfile.ZipFile, entries: Iterable[_Entry], problems: _Problems) -> None:
    """Read the first bytes of each file (bounded) to catch renamed executables."""
    for entry in entries:
        if entry.is_dir or entry.info.file_size < 4:
            continue
        with zf.open(entry.info) as fh:
            if _looks_executable(fh.read(PEEK)):
                problems.add("executable", entry.name)


# --------------------------------------------------------------------------------------
# Central directory pre-flight (before zipfile builds one object per entry)

_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL_HEADER_SIZE = 46


def _directory_byte_cap(limits: Limits) -> int:
    return max(1024 * 1024, limits.max_entries * 1024)


def _preflight_zip(path: Path, size: int, limits: Limits) -> int:
    """Count central-directory records, stopping past the cap; return the entry count.

    The count in the end record may lie; the records themselves are what zipfile reads,
    so they are counted here without building objects, and the directory size is capped.
    """
    with open(path, "rb") as fh:
        tail_len = min(size, _EOCD.size + 0xFFFF)
        fh.seek(size - tail_len)
        tail = fh.read(tail_len)
        pos = tail.rfind(b"PK\x05\x06")
        if pos < 0 or pos + _EOCD.size > len(tail):
            raise UnsafeArchive(MSG_CORRUPT)
        _sig, disk, cd_disk, _n_disk, _n_total, cd_size, _cd_offset, _comment = _EOCD.unpack_from(tail, pos)
        end_at = size - tail_len + pos
        extra = 0
        if end_at >= _EOCD64_LOCATOR.size + _EOCD64.size:
            fh.seek(end_at - _EOCD64_LOCATOR.size)
            locator = fh.read(_EOCD64_LOCATOR.size)
            if locator[:4] == b"PK\x06\x07":
                _sig, _disk, _offset, disks = _EOCD64_LOCATOR.unpack(locator)
                fh.seek(end_at - _EOCD64_LOCATOR.size - _EOCD64.size)
                record = fh.read(_EOCD64.size)
                if record[:4] != b"PK\x06\x06":
                    raise UnsafeArchive(MSG_CORRUPT)
                fields = _EOCD64.unpack(record)
                disk, cd_disk, cd_size = fields[4], fields[5], fields[8]
                if disks > 1:
                    raise UnsafeArchive(MSG_MULTIDISK)
                extra = _EOCD64_LOCATOR.size + _EOCD64.size
        if disk or cd_disk:
            raise UnsafeArchive(MSG_MULTIDISK)
        if cd_size > _directory_byte_cap(limits):
            raise UnsafeArchive(MSG_DIRECTORY_TOO_BIG)
        start = end_at - extra - cd_size
        if start < 0:
            raise UnsafeArchive(MSG_CORRUPT)
        fh.seek(start)
        directory = fh.read(cd_size)
    count = offset = 0
    while offset < len(directory):
        if directory[offset : offset + 4] != b"PK\x01\x02" or offset + _CENTRAL_HEADER_SIZE > len(directory):
            raise UnsafeArchive(MSG_CORRUPT)
        name_len, extra_len, comment_len = struct.unpack_from("<3H", directory, offset + 28)
        offset += _CENTRAL_HEADER_SIZE + name_len + extra_len + comment_len
        count += 1
        if count > limits.max_entries:
            raise UnsafeArchive(MSG_TOO_MANY.format(max=_vi_int(limits.max_entries)))
    if len(directory) != cd_size:
        raise UnsafeArchive(MSG_CORRUPT)
    return count


ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


# --------------------------------------------------------------------------------------
# Safe extraction


def _prepare_dest(dest: Path) -> bool:
    """Create ``dest`` (True) or accept an existing empty directory (False)."""
    if dest.is_symlink():
        raise FileExistsError(f"Extraction folder must not be a symlink: {dest}")
    if dest.exists():
        if not dest.is_dir() or any(dest.iterdir()):
            raise FileExistsError(f"Extraction folder must be empty or missing: {dest}")
        return False
    dest.mkdir(parents=True)
    return True


def _clear(dest: Path, created: bool) -> None:
    if created:
        shutil.rmtree(dest, ignore_errors=True)
        return
    for child in dest.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


class _Counter:
    total = 0


def _stream_entry(
    zf: zipfile.ZipFile, entry: _Entry, target: Path, limits: Limits, counter: _Counter, archive_size: int
) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(target, flags, 0o644)
    # The compressed size bounds what zipfile will read for this entry; the archive size
    # bounds it in any case, so a lying header cannot loosen the ratio check.
    compressed = max(min(entry.info.compress_size, archive_size), 1)
    written = 0
    with os.fdopen(fd, "wb") as out, zf.open(entry.info) as src:
        while chunk := src.read(CHUNK):
            if written == 0 and _looks_executable(chunk):
                raise UnsafeArchive(ENTRY_MESSAGES["executable"].format(names=_show(entry.info.filename)))
            entry_after = written + len(chunk)
            total_after = counter.total + len(chunk)
            # Caps are judged on the bytes about to be written, before writing them.
            if entry_after > limits.max_entry_bytes:
                raise UnsafeArchive(
                    ENTRY_MESSAGES["entry_size"].format(
                        cap=_mib(limits.max_entry_bytes), names=_show(entry.info.filename)
                    )
                )
            if total_after > limits.max_total_bytes:
                raise UnsafeArchive(MSG_TOTAL.format(cap=_mib(limits.max_total_bytes)))
            if entry_after > RATIO_FLOOR and entry_after > limits.max_ratio * compressed:
                raise UnsafeArchive(
                    ENTRY_MESSAGES["ratio"].format(
                        ratio=_vi_int(limits.max_ratio), names=_show(entry.info.filename)
                    )
                )
            if total_after > RATIO_FLOOR and total_after > limits.max_ratio * archive_size:
                raise UnsafeArchive(MSG_ARCHIVE_RATIO.format(ratio=_vi_int(limits.max_ratio)))
            out.write(chunk)
            written = entry_after
            counter.total = total_after


def safe_extract(zip_path: Path, dest: Path, *, limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """Extract a package into ``dest`` (created; must be empty or missing, else FileExistsError).

    Refuses absolute paths, drive letters, ``..``, symlinks, nested archives, executables,
    encrypted entries and exotic compression; caps entry count, bytes per entry, total
    bytes and compression ratio on the bytes actually written. On refusal raises
    :class:`UnsafeArchive` and removes everything written under ``dest``. Permissions and
    timestamps from the archive are ignored; symlinks are never created. Returns the
    package-relative paths of the files written (directories not listed).
    """
    zip_path, dest = Path(zip_path), Path(dest)
    created = _prepare_dest(dest)
    root = dest.resolve()
    counter = _Counter()
    written: list[str] = []
    try:
        size = zip_path.stat().st_size
        _preflight_zip(zip_path, size, limits)
        with zipfile.ZipFile(zip_path) as zf:
            entries, problems = _audit_entries(zf, limits, size, package_rules=True, declared_sizes=False)
            if problems:
                raise UnsafeArchive(problems.messages(limits)[0])
            for entry in entries:
                target = (root / entry.name).resolve()
                # SECURITY: whatever the name checks above concluded, the resolved target
                # must lie strictly inside the extraction folder.
                if target == root or not target.is_relative_to(root):
                    raise UnsafeArchive(ENTRY_MESSAGES["traversal"].format(names=_show(entry.info.filename)))
                if entry.is_dir:
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                _stream_entry(zf, entry, target, limits, counter, size)
                written.append(entry.name)
    except UnsafeArchive as exc:
        _clear(dest, created)
        exc.bytes_written = counter.total
        raise
    except ZIP_ERRORS as exc:
        _clear(dest, created)
        raise UnsafeArchive(MSG_CORRUPT, bytes_written=counter.total) from exc
    except BaseException:
        _clear(dest, created)
        raise
    return written


# --------------------------------------------------------------------------------------
# SCORM manifest

NS_XML = "{http://www.w3.org/XML/1998/namespace}"
SCORM2004_MARKERS = (b"adlcp_v1p3", b"imsss", b"adlseq_v1p3", b"adlnav_v1p3", b"2004")
SCORM2004_NAMESPACES = {
    "http://www.adlnet.org/xsd/adlcp_v1p3",
    "http://www.imsglobal.org/xsd/imsss",
    "http://www.adlnet.org/xsd/adlseq_v1p3",
    "http://www.adlnet.org/xsd/adlnav_v1p3",
}


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(tag: object) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _children(element, local: str) -> list:
    return [child for child in element if _local(child.tag) == local]


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


@dataclass
class _Manifest:
    format: Format
    scorm_version: str = ""
    title: str = ""
    launch: str = ""
    errors: list[str] = field(default_factory=list)


def _resolve_href(href: str, bases: list[str]) -> tuple[str, str]:
    """("local", path) | ("external", url) | ("outside", href) | ("empty", "")."""
    pieces = [b for b in bases if b and b.strip()] + [href]
    segments: list[str] = []
    for index, piece in enumerate(pieces):
        piece = piece.strip().replace("\\", "/")
        try:
            parts = urlsplit(piece)
        except ValueError:
            return "outside", href
        if parts.netloc or len(parts.scheme) > 1:
            return "external", piece
        if parts.scheme:  # a drive letter
            return "outside", href
        path = unquote(parts.path)
        if path.startswith("/"):
            return "outside", href
        if index < len(pieces) - 1 and path and not path.endswith("/"):
            path += "/"  # xml:base names a folder
        segments.append(path)
    joined = "".join(segments)
    if not joined:
        return "empty", ""
    norm = posixpath.normpath(joined)
    if norm == ".":
        return "empty", ""
    if norm == ".." or norm.startswith("../"):
        return "outside", href
    return "local", unicodedata.normalize("NFC", norm)


def _scorm_version(root, raw: bytes) -> tuple[Format, str]:
    schemaversion = ""
    for element in root.iter():
        if _local(element.tag) == "schemaversion":
            schemaversion = _text(element)
            break
    version = schemaversion.lower()
    if "2004" in version or "cam 1.3" in version or version == "cam1.3":
        for edition in ("4th", "3rd", "2nd"):
            if edition in version:
                return Format.SCORM2004, f"2004 {edition} Edition"
        if "cam" in version:
            return Format.SCORM2004, "2004 2nd Edition"
        return Format.SCORM2004, "2004"
    if version.startswith("1.2"):
        return Format.SCORM12, "1.2"
    namespaces = {_namespace(element.tag) for element in root.iter()}
    for element in root.iter():
        namespaces.update(_namespace(key) for key in element.attrib)
    if namespaces & SCORM2004_NAMESPACES or any(m in raw for m in SCORM2004_MARKERS[:4]):
        return Format.SCORM2004, "2004"
    return Format.SCORM12, "1.2"  # as LMSes do: a plain IMS content package is run as 1.2


def _attr(element, local: str) -> str:
    value = element.get(local)
    if value is None:
        for key, candidate in element.attrib.items():
            if _local(key).lower() == local.lower():
                return candidate
        return ""
    return value


def _missing_with_hint(path: str, files_lower: dict[str, str]) -> str:
    other = files_lower.get(path.lower())
    return f"{path} (trong gói có {other} — khác chữ hoa/thường)" if other else path


def _parse_manifest(raw: bytes, files: set[str]) -> _Manifest:
    guess = Format.SCORM2004 if any(m in raw for m in SCORM2004_MARKERS) else Format.SCORM12
    try:
        root = SafeET.fromstring(raw, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        return _Manifest(guess, errors=[MSG_XML_ENTITIES])
    except ParseError as exc:
        line = getattr(exc, "position", (0, 0))[0]
        return _Manifest(guess, errors=[MSG_XML_SYNTAX.format(line=line) if line else MSG_XML_INVALID])
    except (ValueError, LookupError):
        return _Manifest(guess, errors=[MSG_XML_INVALID])
    if _local(root.tag) != "manifest":
        return _Manifest(guess, errors=[MSG_NOT_MANIFEST])

    fmt, version = _scorm_version(root, raw)
    result = _Manifest(fmt, scorm_version=version)
    files_lower = {name.lower(): name for name in files}

    manifest_ids = {el.get("identifier") for el in root.iter() if _local(el.tag) == "manifest"}
    resources: dict[str, tuple[str, list[str], object]] = {}  # id -> (href, bases, element)
    missing: list[str] = []
    outside: list[str] = []
    bad_refs: list[str] = []

    def check(href: str, bases: list[str]) -> None:
        kind, value = _resolve_href(href, bases)
        if kind == "local" and value not in files:
            hinted = _missing_with_hint(value, files_lower)
            if hinted not in missing:
                missing.append(hinted)
        elif kind == "outside" and href not in outside:
            outside.append(href)

    all_resources = []
    for container in root.iter():
        if _local(container.tag) != "resources":
            continue
        container_base = container.get(NS_XML + "base", "")
        for resource in _children(container, "resource"):
            bases = [container_base, resource.get(NS_XML + "base", "")]
            href = resource.get("href", "")
            identifier = resource.get("identifier", "")
            resources.setdefault(identifier, (href, bases, resource))
            all_resources.append((href, bases, resource))
            if href.strip():
                check(href, bases)
            for file_el in _children(resource, "file"):
                if file_el.get("href", "").strip():
                    check(file_el.get("href", ""), bases)
            for dependency in _children(resource, "dependency"):
                ref = dependency.get("identifierref", "")
                if ref not in resources and ref not in bad_refs:
                    bad_refs.append(ref)  # resolved against the full list below
    if not all_resources:
        result.errors.append(MSG_NO_RESOURCES)
    bad_refs = [ref for ref in bad_refs if ref not in resources]

    organizations = next((el for el in root if _local(el.tag) == "organizations"), None)
    orgs = _children(organizations, "organization") if organizations is not None else []
    default_id = organizations.get("default", "") if organizations is not None else ""
    org = next((o for o in orgs if o.get("identifier") == default_id), orgs[0] if orgs else None)

    launch_href: tuple[str, list[str]] | None = None
    for item in root.iter():
        if _local(item.tag) != "item" or not item.get("identifierref"):
            continue
        ref = item.get("identifierref", "")
        if ref not in resources and ref not in manifest_ids and ref not in bad_refs:
            bad_refs.append(ref)
    if org is not None:
        result.title = _text(next(iter(_children(org, "title")), None))
        for item in org.iter():
            if _local(item.tag) != "item":
                continue
            ref = item.get("identifierref", "")
            if ref in resources and resources[ref][0].strip():
                launch_href = resources[ref][0], resources[ref][1]
                if not result.title:
                    result.title = _text(next(iter(_children(item, "title")), None))
                break
    if launch_href is None:  # a resource package: the first SCO, else the first page
        candidates = sorted(
            (r for r in all_resources if r[0].strip()),
            key=lambda r: _attr(r[2], "scormtype").lower() != "sco",
        )
        if candidates:
            launch_href = candidates[0][0], candidates[0][1]
    if launch_href is None:
        if all_resources:
            result.errors.append(MSG_NO_LAUNCH)
    else:
        kind, value = _resolve_href(*launch_href)
        if kind == "local":
            result.launch = value
        elif kind == "external":
            result.errors.append(MSG_EXTERNAL_LAUNCH.format(href=_show(value)))
        elif kind == "empty":
            result.errors.append(MSG_NO_LAUNCH)
    result.title = result.title[:255]

    if missing:
        result.errors.append(MSG_MISSING_FILES.format(names=_listing(missing, "tệp")))
    if outside:
        result.errors.append(MSG_OUTSIDE_REFS.format(names=_listing(outside, "tham chiếu")))
    if bad_refs:
        result.errors.append(MSG_BAD_IDREF.format(names=_listing(bad_refs, "tham chiếu")))
    return result


# --------------------------------------------------------------------------------------
# Zip-based formats

OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (Format.DOCX, False),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": (Format.DOCX, False),
    "application/vnd.ms-word.document.macroenabled.main+xml": (Format.DOCX, True),
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml": (Format.DOCX, True),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        Format.PPTX,
        False,
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml": (Format.PPTX, False),
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml": (Format.PPTX, False),
    "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml": (Format.PPTX, True),
    "application/vnd.ms-powerpoint.slideshow.macroenabled.main+xml": (Format.PPTX, True),
    "application/vnd.ms-powerpoint.template.macroenabled.main+xml": (Format.PPTX, True),
}
OFFICE_FALLBACK_PARTS = {"word/document.xml": Format.DOCX, "ppt/presentation.xml": Format.PPTX}


def _read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """The entry's bytes, or None when it is larger than ``cap`` (never reads more)."""
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    return None if len(data) > cap else data


@dataclass
class _Findings:
    format: Format = Format.UNKNOWN
    errors: list[str] = field(default_factory=list)
    title: str = ""
    launch: str = ""
    scorm_version: str = ""


def _office(zf: zipfile.ZipFile, by_name: dict[str, _Entry], found: _Findings) -> bool:
    """Recognise DOCX/PPTX by [Content_Types].xml and their main part; True if decided."""
    data = _read_bounded(zf, by_name["[Content_Types].xml"].info, MAX_SMALL_XML_BYTES)
    main: tuple[Format, bool] | None = None
    part = ""
    other_office = False
    if data is not None:
        try:
            root = SafeET.fromstring(data)
        except (DefusedXmlException, ParseError, ValueError, LookupError):
            root = None
        for element in root.iter() if root is not None else ():
            content_type = element.get("ContentType", "").lower()
            if content_type in OOXML_MAIN_TYPES:
                main = OOXML_MAIN_TYPES[content_type]
                part = element.get("PartName", "").lstrip("/")
                break
            if "spreadsheetml" in content_type or "ms-excel" in content_type:
                other_office = True
    if main is None:
        for part_name, fmt in OFFICE_FALLBACK_PARTS.items():
            if part_name in by_name:
                main, part = (fmt, False), part_name
                break
    if main is None:
        if other_office:
            found.errors.append(
                MSG_UNKNOWN_HINT.format(hint="đây là bảng tính Excel — hãy chuyển sang PDF hoặc PPTX")
            )
            return True
        return False
    found.format, macro = main
    ext = ".docx" if found.format is Format.DOCX else ".pptx"
    if part and unicodedata.normalize("NFC", part) not in by_name:
        found.errors.append(MSG_OFFICE_BROKEN.format(part=_show(part)))
    if macro or any(posixpath.basename(name).lower() == "vbaproject.bin" for name in by_name):
        found.errors.append(MSG_OFFICE_MACRO.format(ext=ext))
    return True


def _html_title(data: bytes) -> str:
    match = re.search(rb"<title[^>]*>(.*?)</title\s*>", data, re.I | re.S)
    if not match:
        return ""
    text = html.unescape(match.group(1).decode("utf-8", errors="replace"))
    return " ".join(text.split())[:255]


def _root_name(by_name: dict[str, _Entry], wanted: Iterable[str]) -> str:
    wanted = {w.lower() for w in wanted}
    for name, entry in by_name.items():
        if not entry.is_dir and "/" not in name and name.lower() in wanted:
            return name
    return ""


def _nested_hint(by_name: dict[str, _Entry]) -> str:
    """A message when the package was zipped together with its enclosing folder."""
    for target in ("imsmanifest.xml", "index.html", "index.htm"):
        for name, entry in by_name.items():
            parts = name.split("/")
            if not entry.is_dir and len(parts) == 2 and parts[1].lower() == target:
                return MSG_IN_SUBFOLDER.format(file=_show(parts[1]), folder=_show(parts[0] + "/"))
    return ""


def _inspect_zip(path: Path, size: int, limits: Limits) -> _Findings:
    found = _Findings()
    try:
        if _preflight_zip(path, size, limits) == 0:
            found.errors.append(MSG_EMPTY_ZIP)
            return found
        with zipfile.ZipFile(path) as zf:
            entries, problems = _audit_entries(zf, limits, size, package_rules=False, declared_sizes=True)
            if problems:  # hostile or broken structure: say so and read nothing more
                found.errors.extend(problems.messages(limits))
                return found
            by_name = {e.name: e for e in entries}

            if "[Content_Types].xml" in by_name and _office(zf, by_name, found):
                return found
            mimetype = by_name.get("mimetype")
            if mimetype is not None and not mimetype.is_dir:
                kind = (_read_bounded(zf, mimetype.info, 256) or b"").decode("ascii", "replace")
                if kind.startswith("application/vnd.oasis.opendocument"):
                    hint = "đây là tài liệu OpenDocument (.odt/.odp) — hãy lưu lại thành DOCX/PPTX hoặc PDF"
                    found.errors.append(MSG_UNKNOWN_HINT.format(hint=hint))
                    return found

            # Packages are extracted and served: they get the extraction rules as well.
            _, problems = _audit_entries(zf, limits, size, package_rules=True, declared_sizes=False)
            if not problems:
                _peek_executables(zf, entries, problems)
            found.errors.extend(problems.messages(limits))

            manifest_name = _root_name(by_name, ["imsmanifest.xml"])
            index_name = _root_name(by_name, ["index.html", "index.htm"])
            if manifest_name:
                _scorm(zf, by_name, manifest_name, found)
            elif index_name:
                found.format, found.launch = Format.HTML5, index_name
                with zf.open(by_name[index_name].info) as fh:
                    found.title = _html_title(fh.read(64 * 1024))
            else:
                found.errors.append(_nested_hint(by_name) or MSG_NO_PACKAGE)
    except UnsafeArchive as exc:
        found.errors.append(exc.message)
    except ZIP_ERRORS:
        found.errors.append(MSG_CORRUPT)
    return found


def _scorm(zf: zipfile.ZipFile, by_name: dict[str, _Entry], manifest_name: str, found: _Findings) -> None:
    if manifest_name != "imsmanifest.xml":
        found.errors.append(MSG_MANIFEST_NAME.format(name=_show(manifest_name)))
    raw = _read_bounded(zf, by_name[manifest_name].info, MAX_MANIFEST_BYTES)
    if raw is None:
        found.format = Format.SCORM12
        found.errors.append(MSG_MANIFEST_TOO_BIG.format(cap=_mib(MAX_MANIFEST_BYTES)))
        return
    manifest = _parse_manifest(raw, {name for name, e in by_name.items() if not e.is_dir})
    found.format, found.scorm_version = manifest.format, manifest.scorm_version
    found.title, found.launch = manifest.title, manifest.launch
    found.errors.extend(manifest.errors)


# --------------------------------------------------------------------------------------
# Media and documents

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


def _unknown_hint(head: bytes) -> str:
    if not head:
        return "tệp rỗng"
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF") or _looks_executable(head):
        return "đây là chương trình thực thi — không được phép"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "đây là tệp Office định dạng cũ (.doc/.ppt) — hãy lưu lại thành DOCX/PPTX"
    if head.startswith((b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"\xfd7zXZ\x00", b"BZh")):
        return "tệp nén RAR/7z/gzip không được hỗ trợ — hãy nén thành .zip"
    text = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")) or b"<html" in text[:1024]:
        return "nội dung là một trang HTML đơn lẻ — hãy nén thành gói HTML5 có index.html ở thư mục gốc"
    return ""


# --------------------------------------------------------------------------------------
# ClamAV


class _StreamingMixin:
    """INSTREAM with ``sendall`` and a connect timeout (clamd 1.0.2 uses ``send`` and
    connects before setting the timeout)."""

    timeout: float | None

    def instream(self, buff: BinaryIO) -> dict:
        self._init_socket()
        try:
            self.clamd_socket.sendall(b"nINSTREAM\n")
            while chunk := buff.read(CHUNK):
                self.clamd_socket.sendall(struct.pack("!L", len(chunk)) + chunk)
            self.clamd_socket.sendall(struct.pack("!L", 0))
            reply = self._recv_response()
            if not reply:
                raise clamd.ResponseError("empty reply")
            path, signature, status = self._parse_response(reply)
            return {path: (status, signature)}
        finally:
            self._close_socket()


class _ClamdTCP(_StreamingMixin, clamd.ClamdNetworkSocket):
    def _init_socket(self) -> None:
        try:
            self.clamd_socket = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise clamd.ConnectionError(self._error_message(exc)) from exc


class _ClamdUnix(_StreamingMixin, clamd.ClamdUnixSocket):
    def _init_socket(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.unix_socket)
        except OSError as exc:
            sock.close()
            raise clamd.ConnectionError(self._error_message(exc)) from exc
        self.clamd_socket = sock


def _clamd_client(url: str, timeout: float):
    parts = urlsplit(url)
    if parts.scheme == "tcp" and parts.hostname:
        return _ClamdTCP(parts.hostname, parts.port or 3310, timeout=timeout)
    if parts.scheme == "unix" and parts.path:
        return _ClamdUnix(parts.path, timeout=timeout)
    raise ValueError(url)


def _scan(path: Path, url: str, timeout: float) -> tuple[str, str]:
    """("clean" | "infected" | "not_scanned", message)."""
    try:
        client = _clamd_client(url, timeout)
        with open(path, "rb") as fh:
            reply = client.instream(fh)
    except ValueError:  # includes a malformed port
        return "not_scanned", MSG_SCAN_FAILED.format(reason="cấu hình ClamAV không hợp lệ")
    except (clamd.ClamdError, OSError):
        return "not_scanned", MSG_SCAN_FAILED.format(reason="không kết nối được hoặc ClamAV không phản hồi")
    status, signature = next(iter(reply.values()), ("", None))
    signature = signature or ""
    if status == "OK":
        return "clean", ""
    if status == "FOUND":
        if signature.startswith(("Heuristics.Limits.Exceeded", "Heuristics.Encrypted")):
            return "not_scanned", MSG_SCAN_FAILED.format(
                reason=f"ClamAV không quét hết được tệp: {signature}"
            )
        return "infected", MSG_SCAN_INFECTED.format(signature=_show(signature))
    return "not_scanned", MSG_SCAN_FAILED.format(reason="ClamAV báo lỗi khi quét")


# --------------------------------------------------------------------------------------
# Entry point


def inspect_file(
    path: Path,
    *,
    limits: Limits = DEFAULT_LIMITS,
    clamd_url: str = "",
    clamd_timeout: float = 120.0,
) -> CheckResult:
    """Decide the format of an uploaded file by content and check it (nothing extracted).

    ``clamd_url`` ("tcp://host:port" or "unix:///path") turns on ClamAV; an infected file
    fails, a scan that could not complete leaves ``scan="not_scanned"`` with a message.
    """
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as fh:
        digest = sha256_of(fh)
        fh.seek(0)
        head = fh.read(HASH_CHUNK)
        found = _Findings()
        if head[:4] in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"):
            found = _inspect_zip(path, size, limits)
        elif (media := _mp4(fh, head, size) or _webm(head)) is not None:
            found.format, found.errors = media
        elif b"%PDF-" in head[:1024]:
            found.format = Format.PDF
        else:
            hint = _unknown_hint(head)
            found.errors.append(MSG_UNKNOWN_HINT.format(hint=hint) if hint else MSG_UNKNOWN)

    if found.format is Format.UNKNOWN and not found.errors:
        found.errors.append(MSG_UNKNOWN)
    ok = found.format is not Format.UNKNOWN and not found.errors
    messages = list(found.errors)

    scan = "not_configured"
    if clamd_url:
        scan, note = _scan(path, clamd_url, clamd_timeout)
        if note:
            messages.append(note)
        if scan == "infected":
            ok = False

    return CheckResult(
        format=found.format,
        sha256=digest,
        size=size,
        ok=ok,
        messages=messages,
        title=found.title,
        launch=found.launch,
        scorm_version=found.scorm_version,
        scan=scan,
    )
