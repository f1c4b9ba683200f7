"""Safe extraction of a package for the preview: :func:`safe_extract` counts the bytes it
actually writes, 64 KiB at a time, so a zip bomb stops at the cap with bounded memory; on
refusal everything written is removed."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

from .archives import ZIP_ERRORS, _audit_entries, _Entry, _looks_executable, _preflight_zip
from .base import CHUNK, DEFAULT_LIMITS, RATIO_FLOOR, Limits, UnsafeArchive, _mib, _show, _vi_int
from .messages import ENTRY_MESSAGES, MSG_ARCHIVE_RATIO, MSG_CORRUPT, MSG_TOTAL


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
