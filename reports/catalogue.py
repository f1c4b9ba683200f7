"""Reading a lesson catalogue (Excel .xlsx or CSV) row by row before anything is written, as the
account import does (accounts.imports): every problem is reported with its line and column in
Vietnamese, and `services.catalogue_import_apply` writes only a file without a single error.

Columns: mon_hoc (code or name of the subject), khoi (grade), bo_sach (code or name of the
textbook series, empty for none), so_thu_tu (the lesson's number), ten_bai, chu_de (optional).
A lesson is identified by subject, grade, series and number: importing again updates titles.
"""

from __future__ import annotations

import io
from contextlib import closing
from dataclasses import asdict

from django.utils.translation import gettext as _

from accounts.imports import RowError, _cell_errors, cell_text, normalise_key
from accounts.models import Subject, TextbookSeries
from accounts.spreadsheets import ImportFileError, read_table
from submissions.models import CatalogueLesson

COLUMNS = ["mon_hoc", "khoi", "bo_sach", "so_thu_tu", "ten_bai", "chu_de"]
REQUIRED = ["mon_hoc", "khoi", "so_thu_tu", "ten_bai"]
MAX_ROWS = 5_000
MAX_ERRORS = 500
TITLE_MAX = CatalogueLesson._meta.get_field("title").max_length
TOPIC_MAX = CatalogueLesson._meta.get_field("topic").max_length


def _lookup(model) -> dict[str, int]:
    table = {}
    for pk, code, name in model.objects.values_list("pk", "code", "name"):
        table[normalise_key(code)] = pk
        table[normalise_key(name)] = pk
    return table


def parse(
    data: bytes, filename: str, *, subject_ids: tuple[int, ...] | None
) -> tuple[list[dict], list[dict]]:
    """(clean rows, errors) of the file; raises ImportFileError when it cannot be read at all.
    `subject_ids` are the subjects the importer may change (None: all)."""
    subjects, series = _lookup(Subject), _lookup(TextbookSeries)
    grades = dict(Subject.objects.values_list("pk", "grades"))
    names = dict(Subject.objects.values_list("pk", "name"))
    rows, errors, seen = [], [], {}
    with closing(read_table(data, filename)) as table:
        first = next(table, None)
        if first is None:
            raise ImportFileError(_("Tệp không có dữ liệu."))
        header = [normalise_key(h) for h in first[1]]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ImportFileError(
                _("Thiếu cột bắt buộc: %(cols)s. Hãy dùng tệp mẫu.") % {"cols": ", ".join(missing)}
            )
        columns = [(i, key) for i, key in enumerate(header) if key in COLUMNS]
        for line, values in table:
            if all(v is None or not str(v).strip() for v in values):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                raise ImportFileError(_("Tệp có quá %(n)d dòng; hãy chia nhỏ tệp.") % {"n": MAX_ROWS})
            raw = {key: cell_text(values[i]) if i < len(values) else "" for i, key in columns}
            problems = _cell_errors(line, raw) or _row_errors(
                line, raw, subjects, series, grades, names, subject_ids
            )
            if not problems:
                key = (
                    subjects[normalise_key(raw["mon_hoc"])],
                    int(raw["khoi"]),
                    series.get(normalise_key(raw.get("bo_sach", ""))) if raw.get("bo_sach") else None,
                    int(raw["so_thu_tu"]),
                )
                if key in seen:
                    problems = [
                        RowError(
                            line,
                            "so_thu_tu",
                            _("Trùng với dòng %(other)d (cùng môn, khối, bộ sách và số thứ tự).")
                            % {"other": seen[key]},
                        )
                    ]
                else:
                    seen[key] = line
                    rows.append(
                        {
                            "line": line,
                            "subject": key[0],
                            "grade": key[1],
                            "series": key[2],
                            "number": key[3],
                            "title": raw["ten_bai"],
                            "topic": raw.get("chu_de", ""),
                        }
                    )
            errors.extend(asdict(p) for p in problems)
            if len(errors) >= MAX_ERRORS:
                errors.append(
                    asdict(RowError(0, "", _("Đã dừng kiểm tra sau %(n)d lỗi.") % {"n": MAX_ERRORS}))
                )
                break
    if not rows and not errors:
        raise ImportFileError(_("Tệp chỉ có dòng tiêu đề, chưa có bài học nào."))
    return rows, errors


def _row_errors(line, raw, subjects, series, grades, names, subject_ids) -> list[RowError]:
    errors = []
    subject = subjects.get(normalise_key(raw.get("mon_hoc", "")))
    if not raw.get("mon_hoc"):
        errors.append(RowError(line, "mon_hoc", _("Chưa ghi môn học.")))
    elif subject is None:
        errors.append(
            RowError(
                line,
                "mon_hoc",
                _("Không có môn học “%(v)s”. Ghi mã môn (ví dụ: toan) hoặc tên môn.") % {"v": raw["mon_hoc"]},
            )
        )
    elif subject_ids is not None and subject not in subject_ids:
        errors.append(
            RowError(
                line,
                "mon_hoc",
                _("Bạn không phụ trách môn %(v)s nên không nhập được danh mục của môn này.")
                % {"v": names[subject]},
            )
        )
    grade_text = raw.get("khoi", "").removesuffix(".0")
    if not grade_text.isdigit() or not 1 <= int(grade_text) <= 12:
        errors.append(
            RowError(
                line,
                "khoi",
                _("Khối lớp phải là số từ 1 đến 12 (đang ghi “%(v)s”).") % {"v": raw.get("khoi", "")},
            )
        )
    elif subject is not None and int(grade_text) not in grades[subject]:
        errors.append(
            RowError(
                line, "khoi", _("Môn %(s)s không dạy ở lớp %(g)s.") % {"s": names[subject], "g": grade_text}
            )
        )
    else:
        raw["khoi"] = grade_text
    if raw.get("bo_sach") and normalise_key(raw["bo_sach"]) not in series:
        errors.append(
            RowError(
                line,
                "bo_sach",
                _("Không có bộ sách “%(v)s”. Để trống nếu bài không theo bộ sách cụ thể.")
                % {"v": raw["bo_sach"]},
            )
        )
    number = raw.get("so_thu_tu", "").removesuffix(".0")
    if not number.isdigit() or not 1 <= int(number) <= 32000:
        errors.append(
            RowError(
                line,
                "so_thu_tu",
                _("Số thứ tự phải là số nguyên dương (đang ghi “%(v)s”).") % {"v": raw.get("so_thu_tu", "")},
            )
        )
    else:
        raw["so_thu_tu"] = number
    if not raw.get("ten_bai"):
        errors.append(RowError(line, "ten_bai", _("Chưa ghi tên bài học.")))
    elif len(raw["ten_bai"]) > TITLE_MAX:
        errors.append(RowError(line, "ten_bai", _("Tên bài dài quá %(n)d ký tự.") % {"n": TITLE_MAX}))
    if len(raw.get("chu_de", "")) > TOPIC_MAX:
        errors.append(RowError(line, "chu_de", _("Chủ đề dài quá %(n)d ký tự.") % {"n": TOPIC_MAX}))
    return errors


EXAMPLE = [
    ["toan", 6, "ket-noi", 1, "Tập hợp", "Chương I. Tập hợp các số tự nhiên"],
    ["toan", 6, "ket-noi", 2, "Cách ghi số tự nhiên", "Chương I. Tập hợp các số tự nhiên"],
    ["ngu-van", 6, "chan-troi", 1, "Lắng nghe lịch sử nước mình", ""],
]


def template_file(fmt: str) -> bytes:
    """The column template with example rows, as .xlsx or as UTF-8 CSV (with a BOM for Excel)."""
    if fmt == "csv":
        lines = [",".join(COLUMNS)] + [",".join(str(v) for v in row) for row in EXAMPLE]
        return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "DanhMucBaiHoc"
    sheet.append(COLUMNS)
    for row in EXAMPLE:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
