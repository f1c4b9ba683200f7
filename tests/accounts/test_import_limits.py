"""Import files built to hurt the server are refused quickly and in little memory.

Every hostile file is crafted here, byte by byte, and uploaded through the import page. Memory is
the peak that tracemalloc sees from the upload to the end of validation (the 5 MB upload itself
included); run with `-s` to see the figures.
"""

import csv
import gc
import io
import tracemalloc
import zipfile

import pytest
from django.test import TestCase
from openpyxl.reader.excel import ExcelReader  # noqa: F401 (imported before memory is measured)

from accounts import imports
from accounts.imports import MAX_IMPORT_BYTES
from accounts.models import ImportBatch, User
from accounts.spreadsheets import MAX_IMPORT_LINES

from .test_import import HEADER, account_rows, snapshot

MEMORY_LIMIT = 100 * 1024 * 1024
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/{shared_part}" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{SHEET_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="sharedStrings.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    "</Relationships>"
)
HEADER_ROW = (
    '<row r="1">' + "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in HEADER) + "</row>"
).encode()


def xlsx(
    rows=b"",
    *,
    dimension="",
    shared=b"",
    styles=None,
    declared_sheet_size=None,
    shared_part="xl/sharedStrings.xml",
) -> bytes:
    """A minimal workbook written part by part: header row, then `rows` (bytes of <row> XML).
    Like some generators, it writes no <dimension> unless asked to."""
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SHEET_NS}">'.encode()
        + (f'<dimension ref="{dimension}"/>'.encode() if dimension else b"")
        + b"<sheetData>"
        + HEADER_ROW
        + rows
        + b"</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(shared_part=shared_part))
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{SHEET_NS}">'.encode() + shared + b"</sst>")
        if styles is not None:
            archive.writestr(
                "xl/styles.xml", f'<styleSheet xmlns="{SHEET_NS}">'.encode() + styles + b"</styleSheet>"
            )
    data = buffer.getvalue()
    if declared_sheet_size is not None:
        data = _lie_about_size(data, "xl/worksheets/sheet1.xml", declared_sheet_size)
    return data


def _lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrites a member's uncompressed size in its local header and central directory entry."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(name)
    data = bytearray(data)
    data[info.header_offset + 22 : info.header_offset + 26] = size.to_bytes(4, "little")
    entry = data.find(b"PK\x01\x02")
    while entry >= 0:
        name_length = int.from_bytes(data[entry + 28 : entry + 30], "little")
        if bytes(data[entry + 46 : entry + 46 + name_length]) == name.encode():
            data[entry + 24 : entry + 28] = size.to_bytes(4, "little")
            break
        entry = data.find(b"PK\x01\x02", entry + 46)
    return bytes(data)


def named(data: bytes, name: str) -> io.BytesIO:
    fileobj = io.BytesIO(data)
    fileobj.name = name
    return fileobj


def upload(client, data: bytes, name: str) -> ImportBatch:
    # Large files are validated by a task queued on commit; eager Celery runs it right here.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/accounts/import/", {"file": named(data, name)})
    assert response.status_code == 302, response.content.decode()[:500]
    return ImportBatch.objects.latest("pk")


def measured(label: str, action):
    """Runs `action` under tracemalloc, prints its peak and holds it under MEMORY_LIMIT."""
    gc.collect()
    tracemalloc.start()
    try:
        result = action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"\n[memory] {label}: peak {peak / 2**20:.1f} MiB")
    assert peak < MEMORY_LIMIT, f"{label}: {peak / 2**20:.1f} MiB"
    return result, peak


@pytest.fixture
def admin_client(demo, client):
    client.force_login(demo.user("demo.qtt"))
    return client


@pytest.fixture
def warm_client(admin_client):
    """The importer's client after one small upload of each kind, so that what is measured is
    the file's cost, not the first request's imports and template compilation."""
    upload(admin_client, csv_bytes([teacher_row()]), "x.csv")
    upload(admin_client, xlsx(), "x.xlsx")
    return admin_client


def teacher_row(code="GV00001", name="Nguyễn Văn An") -> list[str]:
    return [code, name, "", "", "THCS-LQD-TOAN", "Giáo viên", "toan", "THCS"]


def csv_bytes(rows) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return text.getvalue().encode()


# --- Hostile files ---------------------------------------------------------------------------


def huge_dimension() -> bytes:
    """1.5 KB: the sheet declares A1:XFD1048576 and has one cell in its last row."""
    return xlsx(b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', dimension="A1:XFD1048576")


def three_million_rows() -> bytes:
    """Three million one-cell rows: about 78 MB of XML in a zip of a few hundred KB."""
    return xlsx(b"<row><c><v>1</v></c></row>" * 3_000_000)


def many_blank_rows() -> bytes:
    """400,000 rows of empty cells: under the inflated-size cap, so it is streamed."""
    return xlsx(b"<row><c/></row>" * 400_000)


def many_bad_rows() -> bytes:
    """400,000 rows of one tiny cell each, every one of them wrong."""
    return xlsx(b"<row><c><v>1</v></c></row>" * 400_000)


def newline_csv() -> bytes:
    """A header, then newlines up to the 5 MB upload cap."""
    header = ",".join(HEADER).encode() + b"\n"
    return header + b"\n" * (MAX_IMPORT_BYTES - len(header))


def wide_row() -> bytes:
    """One row of 500,000 empty cells."""
    return xlsx(b'<row r="2">' + b"<c/>" * 500_000 + b"</row>")


def bloated_styles() -> bytes:
    """A stylesheet of 400,000 cell formats (openpyxl builds an object for each)."""
    return xlsx(styles=b"<cellXfs>" + b"<xf/>" * 400_000 + b"</cellXfs>")


def shared_string_bomb() -> bytes:
    """Half a million distinct shared strings, loaded whole before the first row."""
    return xlsx(shared=b"".join(b"<si><t>%07d</t></si>" % i for i in range(500_000)))


def zip_directory_bomb() -> bytes:
    """A valid header sheet plus 40,000 empty members: a central directory of 2 MB."""
    buffer = io.BytesIO(xlsx())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_STORED) as archive:
        for index in range(40_000):
            archive.writestr(f"x/{index}", b"")
    return buffer.getvalue()


def foreign_rows() -> bytes:
    """300,000 rows in a foreign namespace: openpyxl neither yields nor clears them."""
    return xlsx(b'<row xmlns="urn:x"><c/></row>' * 300_000)


def shared_strings_are_the_sheet() -> bytes:
    """The manifest points the shared strings at the worksheet of 400,000 rows, so that openpyxl
    would parse the whole sheet, keeping it, before the first row."""
    return xlsx(b"<row><c><v>1</v></c></row>" * 400_000, shared_part="xl/worksheets/sheet1.xml")


def lying_sizes() -> bytes:
    """The sheet inflates to about 8 MB but declares 2 KB."""
    return xlsx(b"<row><c><v>1</v></c></row>" * 300_000, declared_sheet_size=2048)


HOSTILE = [
    ("huge dimension xlsx", huge_dimension, "x.xlsx", "kể cả dòng trống"),
    ("3,000,000-row xlsx", three_million_rows, "x.xlsx", "khi giải nén lớn quá"),
    ("400,000 blank rows xlsx", many_blank_rows, "x.xlsx", "kể cả dòng trống"),
    ("400,000 bad rows xlsx", many_bad_rows, "x.xlsx", "Đã dừng kiểm tra sau 1000 lỗi"),
    ("5 MB newline csv", newline_csv, "x.csv", "kể cả dòng trống"),
    ("500,000-cell row xlsx", wide_row, "x.xlsx", "Dòng 2 của tệp Excel có quá nhiều ô"),
    ("400,000 cell formats xlsx", bloated_styles, "x.xlsx", "định dạng ô"),
    ("500,000 shared strings xlsx", shared_string_bomb, "x.xlsx", "định dạng ô, chuỗi"),
    ("40,000-member zip", zip_directory_bomb, "x.xlsx", "quá nhiều thành phần"),
    ("300,000 foreign-namespace rows xlsx", foreign_rows, "x.xlsx", "thành phần ngoài bảng"),
    ("shared strings pointing at the sheet", shared_strings_are_the_sheet, "x.xlsx", "sau 1000 lỗi"),
    ("declared size smaller than content", lying_sizes, "x.xlsx", "bị hỏng"),
]


@pytest.mark.parametrize(("label", "build", "name", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_file_is_refused_in_little_memory(warm_client, label, build, name, message):
    """Each hostile file ends invalid with a Vietnamese reason, writes nothing and stays far
    under 100 MiB of memory growth."""
    data = build()
    assert len(data) <= MAX_IMPORT_BYTES
    before = snapshot()
    batch, peak = measured(f"{label} ({len(data) / 1024:.0f} KiB)", lambda: upload(warm_client, data, name))
    assert batch.status == ImportBatch.Status.INVALID
    assert any(message in e["message"] for e in batch.errors), batch.errors[-3:]
    assert snapshot() == before
    # Far under the limit: most of what remains is the 5 MB upload itself, copied by the test
    # client, the multipart parser and (on PostgreSQL, about 30 MiB) psycopg quoting the blob.
    assert peak < 64 * 1024 * 1024


def test_largest_legitimate_file_validates_in_bounded_memory(warm_client):
    """A CSV of MAX_IMPORT_ROWS accounts with long names (about 4 MB) validates under the limit."""
    rows = account_rows(imports.MAX_IMPORT_ROWS)
    for row in rows:
        row[1] = f"Nguyễn Thị Minh Khai {row[0]} " + "Phạm" * 20
    data = csv_bytes(rows)
    batch, _ = measured(
        f"{len(rows):,} valid rows csv ({len(data) / 1024:.0f} KiB)",
        lambda: upload(warm_client, data, "x.csv"),
    )
    assert batch.status == ImportBatch.Status.READY, batch.errors[:3]


def test_data_rows_are_capped(admin_client, monkeypatch):
    """One data row more than the cap refuses the file."""
    monkeypatch.setattr(imports, "MAX_IMPORT_ROWS", 3)
    batch = upload(admin_client, csv_bytes([teacher_row(f"GV0000{i}") for i in range(4)]), "x.csv")
    assert batch.status == ImportBatch.Status.INVALID
    assert "quá 3 dòng" in batch.errors[0]["message"]


def test_blank_rows_count_towards_the_line_cap(admin_client):
    """A good row after MAX_IMPORT_LINES blank ones is never reached: reading stops at the cap."""
    rows = b"<row/>" * MAX_IMPORT_LINES + b'<row><c t="inlineStr"><is><t>GV1</t></is></c></row>'
    batch = upload(admin_client, xlsx(rows), "x.xlsx")
    assert batch.status == ImportBatch.Status.INVALID
    assert f"quá {MAX_IMPORT_LINES} dòng" in batch.errors[0]["message"]


def test_a_legitimate_sheet_with_a_wrong_dimension_imports(admin_client):
    """A sheet declaring A1:XFD1048576 but holding two rows reads as those two rows."""
    rows = "".join(
        "<row>"
        + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in teacher_row(f"GV{i}"))
        + "</row>"
        for i in (1, 2)
    )
    batch = upload(admin_client, xlsx(rows.encode(), dimension="A1:XFD1048576"), "x.xlsx")
    assert batch.status == ImportBatch.Status.READY, batch.errors
    assert batch.summary["created"] == 2


# --- Control characters and lengths ----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("An\x00", "U+0000"),
        ("An\x1bB", "U+001B"),
        ("An\tB", "U+0009"),
        ("An\nB", "U+000A"),
        ("An\x85B", "U+0085"),
    ],
)
def test_control_character_is_a_row_error(warm_client, value, code):
    """A NUL or other control character inside a cell is refused on its line and column."""
    rows = [teacher_row("GV00001"), teacher_row("GV00002", value)]
    batch, _ = measured(f"row with {code}", lambda: upload(warm_client, csv_bytes(rows), "x.csv"))
    assert batch.status == ImportBatch.Status.INVALID
    assert [(e["line"], e["column"]) for e in batch.errors] == [(3, "ho_ten")]
    assert code in batch.errors[0]["message"] and "ký tự điều khiển" in batch.errors[0]["message"]
    assert not User.objects.filter(username__startswith="GV").exists()


def test_surrounding_whitespace_is_still_stripped(admin_client):
    """Tabs and spaces around a value are trimmed, not refused."""
    batch = upload(admin_client, csv_bytes([teacher_row("\tGV00001 ", " Nguyễn Văn An\t")]), "x.csv")
    assert batch.status == ImportBatch.Status.READY, batch.errors


def test_too_long_values_are_row_errors(admin_client):
    """Values the database would refuse are row errors, and a huge cell is not echoed back."""
    rows = [teacher_row("GV00001", "A" * 151), teacher_row("GV00002", "B" * 10_000)]
    batch = upload(admin_client, csv_bytes(rows), "x.csv")
    assert [(e["line"], e["column"]) for e in batch.errors] == [(2, "ho_ten"), (3, "ho_ten")]
    assert "150" in batch.errors[0]["message"]
    assert "B" * 300 not in batch.errors[1]["message"]


def test_unknown_columns_are_ignored(admin_client):
    """A column outside the template is neither validated nor stored, control characters and all."""
    text = ",".join([*HEADER, "ghi_chu"]) + "\n" + ",".join([*teacher_row(), "x\x00y"]) + "\n"
    batch = upload(admin_client, text.encode(), "x.csv")
    assert batch.status == ImportBatch.Status.READY, batch.errors
