"""Zip archives examined from the central directory, nothing extracted: the pre-flight count of
the directory records (before zipfile builds one object per entry), the rules every entry must
follow (no absolute paths, ``..``, symlinks, encryption, exotic compression; for packages no
nested archives or executables) and the declared sizes judged against the caps."""

from __future__ import annotations

import posixpath
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .base import PEEK, RATIO_FLOOR, Limits, UnsafeArchive, _mib, _Problems, _vi_int
from .messages import (
    MSG_ARCHIVE_RATIO,
    MSG_CORRUPT,
    MSG_DIRECTORY_TOO_BIG,
    MSG_MULTIDISK,
    MSG_TOO_MANY,
    MSG_TOTAL,
)

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


def _read_prefix(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """The entry's first ``cap`` bytes at most (never reads more)."""
    with zf.open(info) as fh:
        return fh.read(cap)


def _read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """The entry's bytes, or None when it is larger than ``cap`` (never reads more)."""
    data = _read_prefix(zf, info, cap + 1)
    return None if len(data) > cap else data
