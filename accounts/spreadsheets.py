"""Reading an uploaded table (.xlsx or CSV) within fixed bounds of memory and time.

`read_table` streams rows one at a time and stops at the caps while reading: nothing builds the
whole sheet first, blank rows count towards the line cap, and an .xlsx is refused before
openpyxl parses anything its central directory or declared sizes make too big. While openpyxl
reads, every part goes through `_GuardedZip`, which counts the bytes actually decompressed and
shadows the XML with a handler-only expat parser, so a part whose elements would fill memory
once parsed (a styles.xml of a million `<xf/>`, a row of a million cells) is refused before
openpyxl builds it. With these caps no file under `MAX_IMPORT_BYTES` makes the process grow by
more than a few tens of MiB (tests/accounts/test_import_limits.py measures it).
"""

from __future__ import annotations

import codecs
import csv
import io
import struct
import zipfile
from collections.abc import Iterator
from xml.parsers import expat

from django.utils.translation import gettext as _

MAX_IMPORT_BYTES = 5 * 1024 * 1024
# Rows with data, and rows read in all (blank ones too: a sheet of a million empty rows stops here).
MAX_IMPORT_ROWS = 20_000
MAX_IMPORT_LINES = 50_000
MAX_IMPORT_COLUMNS = 50
# A CSV record, however many physical lines its quoted fields span.
MAX_CSV_ROW_CHARS = 64 * 1024

# .xlsx: the central directory is read whole by zipfile (about 500 bytes of objects per entry).
MAX_XLSX_DIRECTORY_BYTES = 64 * 1024
MAX_XLSX_MEMBERS = 500
# Sum of the members' declared sizes; zipfile never inflates a member past its declared size.
MAX_XLSX_UNCOMPRESSED_BYTES = 32 * 1024 * 1024
# Everything openpyxl loads whole before the first row (workbook, styles, shared strings…).
MAX_XLSX_LOAD_BYTES = 6 * 1024 * 1024
# XML weight = elements + attributes, about 100–300 bytes of Python objects each once parsed.
MAX_XLSX_SHARED_STRING_WEIGHT = 200_000  # two per string: 100,000 distinct cell texts
MAX_XLSX_LOAD_WEIGHT = 100_000  # legitimate styles, workbook and relations weigh a few thousand
MAX_XLSX_ROW_WEIGHT = 8_192
MAX_XLSX_ROW_BYTES = 1024 * 1024
# Elements of a worksheet outside its rows (columns, merged cells, validations…).
MAX_XLSX_SHEET_OTHER_WEIGHT = 100_000

SHEET_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, wrong columns, too large)."""


class _Refused(Exception):
    """Raised from inside openpyxl's reads; deliberately not a ValueError, which openpyxl rewraps."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Meter:
    """How far the reader has got, for a progress bar: `done` of `total` bytes."""

    def __init__(self):
        self.done = 0
        self.total = 0

    def advance(self, done: int) -> None:
        """Called as reading goes on; a subclass may report it."""
        self.done = done


def read_table(data: bytes, filename: str, meter: Meter | None = None) -> Iterator[tuple[int, list]]:
    """Yields (line number, raw cell values) from the first sheet, header first, lazily.

    Raises ImportFileError (possibly mid-iteration) for a file that is unreadable or over a cap.
    Rows keep at most MAX_IMPORT_COLUMNS + 1 cells, so a caller can tell that a header is too wide.
    Close the iterator when stopping early (`contextlib.closing`) to release the archive at once.
    """
    meter = meter if meter is not None else Meter()
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(_("Tệp quá lớn (tối đa 5 MB)."))
    if is_xlsx(data):
        rows = _xlsx_rows(data, meter)
    elif filename.lower().endswith((".xlsx", ".xls")):
        raise ImportFileError(_("Tệp Excel không đọc được. Hãy lưu lại dưới dạng .xlsx rồi thử lại."))
    else:
        rows = _csv_rows(data, meter)
    try:
        for line, values in enumerate(rows, start=1):
            if line > MAX_IMPORT_LINES:
                raise ImportFileError(
                    _(
                        "Tệp có quá %(n)d dòng (kể cả dòng trống). Hãy xoá các dòng trống thừa "
                        "hoặc chia nhỏ tệp."
                    )
                    % {"n": MAX_IMPORT_LINES}
                )
            yield line, list(values[: MAX_IMPORT_COLUMNS + 1])
    finally:
        rows.close()


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def xlsx_declared_size(data: bytes) -> int:
    """The sum of the members' declared sizes, or 0 when the archive cannot be read."""
    try:
        archive = _open_archive(data)
    except ImportFileError:
        return 0
    with archive:
        return sum(info.file_size for info in archive.infolist())


# --- CSV -------------------------------------------------------------------------------------


class _BoundedLines:
    """Physical lines of the decoded text, refusing a record longer than MAX_CSV_ROW_CHARS."""

    def __init__(self, stream: io.TextIOBase):
        self.stream = stream
        self.record_chars = 0
        self.record_line = 1

    def __iter__(self):
        return self

    def __next__(self) -> str:
        # readline's limit keeps a 5 MB line without a newline from being read in one piece.
        line = self.stream.readline(MAX_CSV_ROW_CHARS + 1)
        if not line:
            raise StopIteration
        self.record_chars += len(line)
        if self.record_chars > MAX_CSV_ROW_CHARS:
            raise ImportFileError(
                _("Dòng %(line)d dài quá %(n)d ký tự; tệp CSV có thể bị hỏng.")
                % {"line": self.record_line, "n": MAX_CSV_ROW_CHARS}
            )
        return line


def _csv_rows(data: bytes, meter: Meter) -> Iterator[list]:
    meter.total = len(data)
    sample = codecs.decode(data[:4096], "utf-8-sig", errors="ignore")
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    raw = io.BytesIO(data)
    lines = _BoundedLines(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
    reader = csv.reader(lines, dialect)
    try:
        for record in reader:
            meter.advance(raw.tell())
            yield record
            lines.record_chars = 0
            lines.record_line += 1
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("Tệp CSV phải được lưu với bảng mã UTF-8 (trong Excel: Lưu thành → CSV UTF-8).")
        ) from exc
    except csv.Error as exc:
        raise ImportFileError(
            _("Tệp CSV sai định dạng ở dòng %(line)d.") % {"line": lines.record_line}
        ) from exc


# --- .xlsx -----------------------------------------------------------------------------------


def _damaged() -> ImportFileError:
    return ImportFileError(_("Tệp Excel bị hỏng hoặc không đúng định dạng .xlsx."))


def _directory_size(data: bytes) -> int:
    """The central directory's size as zipfile will read it (end record, or its ZIP64 twin)."""
    position = data.rfind(_EOCD, max(0, len(data) - 22 - 65535))
    if position < 0 or len(data) < position + 22:
        raise _damaged()
    size = struct.unpack("<L", data[position + 12 : position + 16])[0]
    locator = position - 20
    if locator >= 0 and data[locator : locator + 4] == _ZIP64_LOCATOR:
        record = struct.unpack("<Q", data[locator + 8 : locator + 16])[0]
        if data[record : record + 4] != _ZIP64_EOCD or len(data) < record + 56:
            raise _damaged()
        size = struct.unpack("<Q", data[record + 40 : record + 48])[0]
    return size


def _open_archive(data: bytes) -> _GuardedZip:
    if _directory_size(data) > MAX_XLSX_DIRECTORY_BYTES:
        raise ImportFileError(
            _("Tệp Excel chứa quá nhiều thành phần. Hãy chép bảng sang một tệp mới rồi thử lại.")
        )
    try:
        archive = _GuardedZip(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _damaged() from exc
    if len(archive.infolist()) > MAX_XLSX_MEMBERS:
        archive.close()
        raise ImportFileError(
            _("Tệp Excel chứa quá nhiều thành phần. Hãy chép bảng sang một tệp mới rồi thử lại.")
        )
    return archive


def _too_big() -> str:
    return _(
        "Tệp Excel khi giải nén lớn quá %(mb)d MB, hoặc chứa quá nhiều định dạng ô, chuỗi hay "
        "thành phần ngoài bảng. Hãy chép riêng bảng danh sách sang một tệp mới (chỉ dán giá trị), "
        "hoặc lưu thành CSV UTF-8, rồi thử lại."
    ) % {"mb": MAX_XLSX_UNCOMPRESSED_BYTES // (1024 * 1024)}


def _xlsx_rows(data: bytes, meter: Meter) -> Iterator[tuple]:
    from openpyxl.reader.excel import ExcelReader

    archive = _open_archive(data)
    if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED_BYTES:
        archive.close()
        raise ImportFileError(_too_big())
    workbook = None
    try:
        try:
            reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
            # SECURITY: openpyxl reads every part through the guarded archive.
            reader.archive.close()
            reader.archive, reader.valid_files = archive, archive.namelist()
            reader.read()
        except Exception as exc:
            raise _translated(exc) from exc
        workbook = reader.wb
        if not workbook.worksheets:
            raise ImportFileError(_("Tệp không có dữ liệu."))
        sheet = workbook.worksheets[0]
        # The declared dimension (`A1:XFD1048576`) would pad every row to 16,384 cells.
        sheet.reset_dimensions()
        archive.guard.start_rows(meter)
        try:
            yield from sheet.iter_rows(values_only=True, max_col=MAX_IMPORT_COLUMNS + 1)
        except Exception as exc:
            raise _translated(exc) from exc
    finally:
        if workbook is not None:
            workbook.close()
        archive.close()


def _translated(exc: Exception) -> ImportFileError:
    if isinstance(exc, ImportFileError):
        return exc
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, _Refused):
            return ImportFileError(cause.message)
        cause = cause.__cause__ or cause.__context__
    return _damaged()


class _Guard:
    """Budgets shared by every part the workbook reads; see the module docstring."""

    def __init__(self):
        self.rows_meter: Meter | None = None
        self.load_bytes = 0
        self.load_weight = 0
        self.shared_string_weight = 0

    def start_rows(self, meter: Meter) -> None:
        self.rows_meter = meter


class _GuardedStream(io.RawIOBase):
    """A member being read: counts the inflated bytes and feeds them to a shadow expat parser
    before openpyxl sees them, so a budget is exceeded before openpyxl builds anything.

    While the workbook loads, a worksheet is only opened to look for its `<dimension>`; without
    one, openpyxl would parse the whole sheet to find out (and an attacker could point the
    shared strings at a worksheet to have it kept whole). So at load time a worksheet ends where
    its rows begin: the stream delivers what comes before `<sheetData>`, then closes the root.
    Reading keeps LOOKAHEAD bytes parsed ahead of what it delivered, so that cut point is always
    still undelivered.
    """

    LOOKAHEAD = 64 * 1024

    def __init__(self, stream, info: zipfile.ZipInfo, guard: _Guard):
        super().__init__()
        self.stream = stream
        self.guard = guard
        self.loading = guard.rows_meter is None
        if not self.loading:
            guard.rows_meter.total = info.file_size
        self.pending = bytearray()
        self.parsed = 0
        self.delivered = 0
        self.eof = False
        self.cut: int | None = None
        self.whole = False
        self.xml = True
        self.root = None
        self.root_name = ""
        self.depth = 0
        self.row_depth: int | None = None
        self.row_weight = 0
        self.row_start = 0
        self.row_label = ""
        self.other_weight = 0
        # Names arrive as "uri local prefix", as openpyxl's parser resolves them; the prefix
        # is kept to close the root ("x:worksheet").
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.namespace_prefixes = True
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.StartDoctypeDeclHandler = self._doctype

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            # A whole-part read still goes chunk by chunk, so the budgets stop it early.
            self.whole = True
            return b"".join(iter(lambda: self.read(64 * 1024), b""))
        while not self.eof and self.cut is None and len(self.pending) < size + self.LOOKAHEAD:
            chunk = self.stream.read(max(size, 16 * 1024))
            self.eof = not chunk
            self._parse(chunk)
            self.pending += chunk
        if self.cut is not None:
            keep = self.cut - self.delivered
            if keep < 0:  # a start tag longer than LOOKAHEAD: no spreadsheet writes one
                raise _Refused(str(_damaged()))
            data = bytes(self.pending[:keep]) + f"</{self.root_name}>".encode()
            self.pending.clear()
            self.cut, self.eof = None, True
        else:
            data = bytes(self.pending[:size])
            del self.pending[:size]
        self.delivered += len(data)
        if self.loading:
            # Counted as delivered: parsed look-ahead that openpyxl never receives costs nothing.
            self.guard.load_bytes += len(data)
            if self.guard.load_bytes > MAX_XLSX_LOAD_BYTES:
                raise _Refused(_too_big())
        return data

    def close(self) -> None:
        self.stream.close()
        super().close()

    def _parse(self, data: bytes) -> None:
        self.parsed += len(data)
        if not self.loading:
            self.guard.rows_meter.advance(self.parsed)
        if self.xml:
            try:
                self.parser.Parse(data, not data)
            except expat.ExpatError:
                # openpyxl's parser (expat too) stops at the same byte: nothing more gets built.
                self.xml = False
        if self.row_depth is not None and self.parsed - self.row_start > MAX_XLSX_ROW_BYTES:
            self._row_too_big()

    def _doctype(self, *args) -> None:
        # No .xlsx part has a DTD; refusing it rules out entity expansion here and in openpyxl.
        raise _Refused(str(_damaged()))

    def _start(self, name: str, attributes: dict) -> None:
        weight = 1 + len(attributes)
        uri, local, prefix = _split_name(name)
        self.depth += 1
        if self.root is None:
            self.root, self.root_name = local, f"{prefix}:{local}" if prefix else local
        if self.cut is not None:
            return
        if self.loading and self.root == "worksheet" and self.depth == 2 and local == "sheetData":
            self.cut = self.parser.CurrentByteIndex
        elif self.row_depth is not None:
            self.row_weight += weight
            if self.row_weight > MAX_XLSX_ROW_WEIGHT:
                self._row_too_big()
        elif not self.loading and uri == SHEET_MAIN_NS and local == "row":
            # openpyxl parses and clears exactly these (at any depth); everything else it keeps.
            self.row_depth, self.row_weight = self.depth, 0
            self.row_start = self.parser.CurrentByteIndex
            self.row_label = attributes.get("r", "")
        elif not self.loading:
            self.other_weight += weight
            if self.other_weight > MAX_XLSX_SHEET_OTHER_WEIGHT:
                raise _Refused(_too_big())
        elif self.root == "sst" and not self.whole:
            self.guard.shared_string_weight += weight
            if self.guard.shared_string_weight > MAX_XLSX_SHARED_STRING_WEIGHT:
                raise _Refused(_too_big())
        else:
            self.guard.load_weight += weight
            if self.guard.load_weight > MAX_XLSX_LOAD_WEIGHT:
                raise _Refused(_too_big())

    def _end(self, name: str) -> None:
        if self.row_depth == self.depth:
            self.row_depth = None
        self.depth -= 1

    def _row_too_big(self) -> None:
        if self.row_label.isdigit():
            raise _Refused(
                _("Dòng %(line)s của tệp Excel có quá nhiều ô hoặc quá dài.") % {"line": self.row_label}
            )
        raise _Refused(_("Một dòng của tệp Excel có quá nhiều ô hoặc quá dài."))


def _split_name(name: str) -> tuple[str, str, str]:
    """expat's "uri local prefix" (or "uri local", or "local") as (uri, local, prefix)."""
    parts = name.split(" ")
    if len(parts) == 1:
        return "", name, ""
    return parts[0], parts[1], parts[2] if len(parts) > 2 else ""


class _GuardedZip(zipfile.ZipFile):
    """The workbook's archive: every member openpyxl opens is read through a `_GuardedStream`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.guard = _Guard()

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):
        stream = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "r":
            return stream
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        return _GuardedStream(stream, info, self.guard)
