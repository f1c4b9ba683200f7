"""Import files built to hurt the server are refused quickly and in little memory; a failed task
never leaves its batch running, and the importer can retry it.

Every hostile file is crafted here, byte by byte, and uploaded through the import page. Memory is
the peak that tracemalloc sees from the upload to the end of validation (the 5 MB upload itself
included); run with `-s` to see the figures.
"""

import csv
import gc
import io
import tracemalloc
import zipfile
from datetime import timedelta

import pytest
from django.db import DataError
from django.test import Client, TestCase
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.reader.excel import ExcelReader  # noqa: F401 (imported before memory is measured)

from accounts import imports, services
from accounts.imports import MAX_IMPORT_BYTES, validation_in_background
from accounts.models import ImportBatch, RoleAssignment, Unit, User
from accounts.spreadsheets import MAX_IMPORT_LINES

from .test_import import HEADER, account_rows, csv_file, snapshot

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


# --- Validation in the background ------------------------------------------------------------


def test_large_file_is_validated_by_the_task_with_progress(admin_client, monkeypatch):
    """A file over 64 KiB is left validating with a polling progress bar, the task reports its
    progress while it reads, and the page then shows the result."""
    data = csv_file(account_rows(1500)).getvalue()
    assert validation_in_background(data, "x.csv")
    response = admin_client.post("/accounts/import/", {"file": named(data, "x.csv")})
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportBatch.Status.VALIDATING
    page = admin_client.get(response["Location"]).content.decode()
    assert "Đang kiểm tra tệp" in page and 'hx-trigger="every 1s"' in page

    seen = []
    validate = imports.AccountRowValidator.validate

    def watching(self, line, row, errors):
        if line == 750:
            partial = admin_client.get(
                f"/accounts/import/{batch.pk}/?partial=progress", HTTP_HX_REQUEST="true"
            )
            seen.append(partial.content.decode())
        return validate(self, line, row, errors)

    monkeypatch.setattr(imports.AccountRowValidator, "validate", watching)
    from accounts.tasks import import_batch_validate_task

    import_batch_validate_task.delay(batch.pk)
    halfway = seen[0]
    assert 'data-status="validating"' in halfway and 'data-testid="import-progress"' in halfway
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY
    assert 20 <= int(halfway.split('aria-valuenow="')[1].split('"')[0]) <= 80
    page = admin_client.get(f"/accounts/import/{batch.pk}/").content.decode()
    assert "Tệp hợp lệ: 1500 dòng" in page and 'hx-trigger="every 1s"' not in page


def test_small_files_are_validated_at_once(admin_client):
    """A small file needs no task: it is ready when the upload returns."""
    response = admin_client.post("/accounts/import/", {"file": csv_file(account_rows(3))})
    assert response.status_code == 302
    assert ImportBatch.objects.latest("pk").status == ImportBatch.Status.READY


def test_small_xlsx_that_inflates_goes_to_the_task():
    """A small .xlsx whose parts inflate past 1 MiB is validated in the background."""
    workbook = Workbook()
    workbook.active.append(["x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert not validation_in_background(buffer.getvalue(), "x.xlsx")
    inflating = xlsx(b"<row><c><v>1</v></c></row>" * 100_000)
    assert len(inflating) < 64 * 1024 and validation_in_background(inflating, "x.xlsx")


def test_validation_task_failure_marks_the_batch_failed_and_retry_validates(admin_client, monkeypatch):
    """A crash in the validation task leaves the batch failed, not validating; a retry validates it."""
    data = csv_file(account_rows(1500)).getvalue()

    def crash(*args, **kwargs):
        raise RuntimeError("worker fell over")

    monkeypatch.setattr(services, "parse_and_validate", crash)
    batch = upload(admin_client, data, "x.csv")
    assert batch.status == ImportBatch.Status.FAILED
    assert "Chưa kiểm tra xong tệp" in batch.errors[0]["message"]
    page = admin_client.get(f"/accounts/import/{batch.pk}/").content.decode()
    assert 'data-testid="import-retry"' in page and 'hx-trigger="every 1s"' not in page

    monkeypatch.undo()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert admin_client.post(f"/accounts/import/{batch.pk}/retry/").status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY and batch.errors == []


# --- A failed import rolls back and can be retried -------------------------------------------


def confirm(client, batch) -> ImportBatch:
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(f"/accounts/import/{batch.pk}/confirm/").status_code == 302
    batch.refresh_from_db()
    return batch


def retry(client, batch) -> int:
    with TestCase.captureOnCommitCallbacks(execute=True):
        status = client.post(f"/accounts/import/{batch.pk}/retry/").status_code
    batch.refresh_from_db()
    return status


def test_failed_account_import_rolls_back_and_retries(admin_client, monkeypatch):
    """A database error after the accounts are written but before their roles rolls every account
    back, marks the batch failed with a message, and a retry then imports the file."""
    batch = upload(
        admin_client, csv_bytes([teacher_row("GV00001"), teacher_row("GV00002", "Trần Thị Bình")]), "x.csv"
    )
    assert batch.status == ImportBatch.Status.READY
    before = snapshot()

    def failing_bulk_create(*args, **kwargs):
        assert User.objects.filter(username="GV00001").exists()  # the accounts are half-written…
        raise DataError("simulated database failure")

    monkeypatch.setattr(RoleAssignment.objects, "bulk_create", failing_bulk_create)
    batch = confirm(admin_client, batch)
    assert batch.status == ImportBatch.Status.FAILED
    assert "hoàn tác" in batch.errors[0]["message"]
    assert snapshot() == before  # …and rolled back
    page = admin_client.get(f"/accounts/import/{batch.pk}/").content.decode()
    assert "Nhập không thành công" in page and 'data-testid="import-retry"' in page

    monkeypatch.undo()
    assert retry(admin_client, batch) == 302
    assert batch.status == ImportBatch.Status.DONE
    assert User.objects.get(username="GV00002").roles.get().unit.code == "THCS-LQD-TOAN"


def test_failure_after_the_last_write_still_rolls_back(admin_client, monkeypatch):
    """If keeping the initial passwords fails, the accounts written just before go too."""
    batch = upload(admin_client, csv_bytes([teacher_row()]), "x.csv")
    before = snapshot()
    monkeypatch.setattr(services.cache, "set", lambda *args, **kwargs: 1 / 0)
    batch = confirm(admin_client, batch)
    assert batch.status == ImportBatch.Status.FAILED
    assert snapshot() == before


def test_failed_unit_import_rolls_back(demo, client, monkeypatch):
    """When the second unit of a file fails to save, the first one is not left behind."""
    client.force_login(demo.user("demo.phong"))
    header = ["ma_don_vi", "ten_don_vi", "loai", "ma_don_vi_cap_tren", "cap_hoc", "mon_hoc"]
    text = (
        ",".join(header)
        + "\nTHCS-MOI,Trường THCS Mới,Trường,PGD-HB,THCS,\nTHCS-MOI-TOAN,Tổ Toán,Tổ,THCS-MOI,THCS,toan\n"
    )
    batch = upload(client, text.encode(), "don-vi.csv")
    save = Unit.save

    def failing_save(self, *args, **kwargs):
        if self.code == "THCS-MOI-TOAN":
            raise DataError("simulated database failure")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Unit, "save", failing_save)
    batch = confirm(client, batch)
    assert batch.status == ImportBatch.Status.FAILED
    assert not Unit.objects.filter(code="THCS-MOI").exists()
    monkeypatch.undo()
    assert retry(client, batch) == 302
    assert batch.status == ImportBatch.Status.DONE
    assert Unit.objects.get(code="THCS-MOI-TOAN").parent.code == "THCS-MOI"


@pytest.mark.postgres
def test_nul_that_slips_past_validation_fails_cleanly_on_postgres(admin_client, monkeypatch):
    """With the control-character check switched off, PostgreSQL refuses a NUL at import time:
    the batch ends failed with nothing written; the retry re-validates and names the row."""
    monkeypatch.setattr(imports, "_cell_errors", lambda line, row: [])
    batch = upload(
        admin_client, csv_bytes([teacher_row("GV00001"), teacher_row("GV00002", "An\x00")]), "x.csv"
    )
    assert batch.status == ImportBatch.Status.READY
    batch = confirm(admin_client, batch)
    assert batch.status == ImportBatch.Status.FAILED
    assert not User.objects.filter(username__startswith="GV").exists()
    monkeypatch.undo()
    assert retry(admin_client, batch) == 302
    assert batch.status == ImportBatch.Status.INVALID
    assert [(e["line"], e["column"]) for e in batch.errors] == [(3, "ho_ten")]


def test_stalled_batch_can_be_retried(admin_client):
    """A batch whose worker died silently shows as stalled after 30 minutes and can be retried."""
    batch = upload(admin_client, csv_bytes([teacher_row()]), "x.csv")
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.RUNNING, updated_at=timezone.now() - timedelta(minutes=5)
    )
    assert 'hx-trigger="every 1s"' in admin_client.get(f"/accounts/import/{batch.pk}/").content.decode()
    assert retry(admin_client, batch) == 302
    assert batch.status == ImportBatch.Status.RUNNING, "a batch still at work is not restarted"

    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now() - timedelta(minutes=31))
    page = admin_client.get(f"/accounts/import/{batch.pk}/").content.decode()
    assert "ngừng phản hồi" in page and 'hx-trigger="every 1s"' not in page
    assert retry(admin_client, batch) == 302
    assert batch.status == ImportBatch.Status.DONE


# --- Who may retry ---------------------------------------------------------------------------


@pytest.fixture
def failed_batch(admin_client, monkeypatch):
    batch = upload(admin_client, csv_bytes([teacher_row()]), "x.csv")
    with monkeypatch.context() as patch:
        patch.setattr(services, "_write_accounts", lambda rows, hashes, batch: 1 / 0)
        batch = confirm(admin_client, batch)
    assert batch.status == ImportBatch.Status.FAILED
    return batch


def test_only_the_creator_may_retry(failed_batch, demo, client):
    """Another user, even an account administrator above the creator, gets 404 and nothing changes."""
    client.force_login(demo.user("demo.phong"))
    with TestCase.captureOnCommitCallbacks(execute=True) as queued:
        assert client.post(f"/accounts/import/{failed_batch.pk}/retry/").status_code == 404
    assert queued == []
    failed_batch.refresh_from_db()
    assert failed_batch.status == ImportBatch.Status.FAILED
    assert not User.objects.filter(username="GV00001").exists()


def test_retry_needs_a_post_with_a_csrf_token(failed_batch, demo):
    """A GET, or a POST without the CSRF token, retries nothing."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo.user("demo.qtt"))
    assert client.get(f"/accounts/import/{failed_batch.pk}/retry/").status_code == 405
    assert client.post(f"/accounts/import/{failed_batch.pk}/retry/").status_code == 403
    failed_batch.refresh_from_db()
    assert failed_batch.status == ImportBatch.Status.FAILED


def test_creator_retry_imports(failed_batch, admin_client):
    """The creator's retry imports the file."""
    assert retry(admin_client, failed_batch) == 302
    assert failed_batch.status == ImportBatch.Status.DONE
    assert User.objects.filter(username="GV00001").exists()
