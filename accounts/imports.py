"""Reading and validating a units or accounts file (Excel .xlsx or CSV) before anything is written.

`parse_and_validate` reads the uploaded bytes row by row (`spreadsheets.read_table`, which
bounds memory and time) into normalised rows plus a row-by-row list of errors in Vietnamese.
Nothing touches the database except reads; `services.import_batch_apply` writes a file only
when it has no error at all. The column templates are documented in the
README and downloadable from the import page (`template_workbook`).
"""

from __future__ import annotations

import io
import re
from contextlib import closing
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext as _

from elearning.text import CONTROL_CHARACTER_RE, slug_key

from .models import RoleAssignment, SchoolLevel, Subject, Unit, User
from .rules import account_manageable_q, scope_for
from .spreadsheets import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_COLUMNS,
    MAX_IMPORT_ROWS,
    ImportFileError,
    Meter,
    is_xlsx,
    read_table,
    xlsx_declared_size,
)

__all__ = ["MAX_IMPORT_BYTES", "ImportFileError", "Meter", "parse_and_validate", "validation_in_background"]

# Files above either size are validated by a task with a progress bar, not in the request.
INLINE_VALIDATION_BYTES = 64 * 1024
INLINE_VALIDATION_XLSX_UNCOMPRESSED_BYTES = 1024 * 1024

# A cell longer than this is refused without being echoed back (the longest field, e-mail, is 254).
MAX_CELL_CHARS = 255
# Validation stops after this many errors: the importer fixes those first.
MAX_ERRORS = 1_000

UNIT_COLUMNS = ["ma_don_vi", "ten_don_vi", "loai", "ma_don_vi_cap_tren", "cap_hoc", "mon_hoc"]
ACCOUNT_COLUMNS = [
    "ma_can_bo",
    "ho_ten",
    "email",
    "so_dien_thoai",
    "ma_don_vi",
    "vai_tro",
    "mon_hoc",
    "cap_hoc",
]
REQUIRED = {
    "units": ["ma_don_vi", "ten_don_vi", "loai", "ma_don_vi_cap_tren"],
    "accounts": ["ma_can_bo", "ho_ten", "ma_don_vi", "vai_tro"],
}
STAFF_CODE_RE = re.compile(r"^[A-Za-z0-9._-]{2,50}$")
# Unicode category Cc: C0 controls (NUL, tab, line breaks…), DEL and the C1 controls.

KIND_ALIASES = {
    "so": Unit.Kind.CITY,
    "city": Unit.Kind.CITY,
    "so_gddt": Unit.Kind.CITY,
    "phong": Unit.Kind.DISTRICT,
    "district": Unit.Kind.DISTRICT,
    "phong_gddt": Unit.Kind.DISTRICT,
    "cum": Unit.Kind.CLUSTER,
    "cluster": Unit.Kind.CLUSTER,
    "cum_truong": Unit.Kind.CLUSTER,
    "truong": Unit.Kind.SCHOOL,
    "school": Unit.Kind.SCHOOL,
    "to": Unit.Kind.DEPARTMENT,
    "department": Unit.Kind.DEPARTMENT,
    "to_chuyen_mon": Unit.Kind.DEPARTMENT,
    "nhom_chuyen_mon": Unit.Kind.DEPARTMENT,
}
LEVEL_ALIASES = {
    "th": SchoolLevel.PRIMARY,
    "tieu_hoc": SchoolLevel.PRIMARY,
    "primary": SchoolLevel.PRIMARY,
    "thcs": SchoolLevel.LOWER_SECONDARY,
    "trung_hoc_co_so": SchoolLevel.LOWER_SECONDARY,
    "lower_secondary": SchoolLevel.LOWER_SECONDARY,
    "thpt": SchoolLevel.UPPER_SECONDARY,
    "trung_hoc_pho_thong": SchoolLevel.UPPER_SECONDARY,
    "upper_secondary": SchoolLevel.UPPER_SECONDARY,
}
# Roles an importer may grant; panels and city roles are configured by the city in the admin.
IMPORTABLE_ROLES = {
    RoleAssignment.Role.TEACHER,
    RoleAssignment.Role.DEPARTMENT_HEAD,
    RoleAssignment.Role.PRINCIPAL,
    RoleAssignment.Role.VICE_PRINCIPAL,
    RoleAssignment.Role.SCHOOL_ADMIN,
    RoleAssignment.Role.CLUSTER_HEAD,
    RoleAssignment.Role.DISTRICT_OFFICER,
}


def normalise_key(text) -> str:
    """'Mã cán bộ' → 'ma_can_bo'; 'Tổ trưởng chuyên môn' → 'to_truong_chuyen_mon'."""
    return slug_key(text)


ROLE_ALIASES = (
    {normalise_key(label): value for value, label in RoleAssignment.Role.choices}
    | {value: value for value in RoleAssignment.Role.values}
    | {
        "to_truong": RoleAssignment.Role.DEPARTMENT_HEAD,
        "nhom_truong": RoleAssignment.Role.DEPARTMENT_HEAD,
        "gv": RoleAssignment.Role.TEACHER,
        "ht": RoleAssignment.Role.PRINCIPAL,
        "pht": RoleAssignment.Role.VICE_PRINCIPAL,
    }
)


@dataclass
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ImportPreview:
    kind: str = ""
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.errors


def validation_in_background(data: bytes, filename: str) -> bool:
    """Whether the file may take long enough to validate that a request should not wait for it."""
    if len(data) > INLINE_VALIDATION_BYTES:
        return True
    # A small .xlsx may still inflate to many rows; its declared sizes say how many at most.
    return is_xlsx(data) and xlsx_declared_size(data) > INLINE_VALIDATION_XLSX_UNCOMPRESSED_BYTES


def _is_blank(values: list) -> bool:
    # Hot path: a sheet may hold MAX_IMPORT_LINES empty rows of MAX_IMPORT_COLUMNS cells.
    return all(v is None or (type(v) is str and not v.strip()) for v in values)


def cell_text(value) -> str:
    return "" if value is None else str(value).strip()


def _cell_errors(line: int, row: dict[str, str]) -> list[RowError]:
    """Cells no column may hold: too long, or with a control character (PostgreSQL refuses NUL)."""
    errors = []
    for column, text in row.items():
        if len(text) > MAX_CELL_CHARS:
            errors.append(
                RowError(
                    line,
                    column,
                    _("Ô dài %(n)d ký tự, quá giới hạn %(max)d ký tự.")
                    % {"n": len(text), "max": MAX_CELL_CHARS},
                )
            )
            continue
        # Cells are stripped, so a tab or line break left here sits inside a name or a code.
        bad = CONTROL_CHARACTER_RE.search(text)
        if bad is not None:
            errors.append(
                RowError(
                    line,
                    column,
                    _(
                        "Ô chứa ký tự điều khiển không được phép (mã U+%(code)04X, ví dụ ký tự rỗng, "
                        "tab hay xuống dòng). Hãy gõ lại nội dung ô này."
                    )
                    % {"code": ord(bad.group())},
                )
            )
    return errors


def parse_and_validate(data: bytes, filename: str, *, importer, meter: Meter | None = None) -> ImportPreview:
    """Reads the file row by row (see `spreadsheets.read_table`) and validates each row as it comes.

    Raises ImportFileError when the file as a whole is unreadable or over a cap. Stops collecting
    after MAX_ERRORS errors. `meter`, if given, follows the reading for a progress bar.
    """
    with closing(read_table(data, filename, meter)) as table:
        first = next(table, None)
        if first is None:
            raise ImportFileError(_("Tệp không có dữ liệu."))
        header = [normalise_key(h) for h in first[1]]
        if len(header) > MAX_IMPORT_COLUMNS and header[MAX_IMPORT_COLUMNS]:
            raise ImportFileError(_("Tệp có quá %(n)d cột.") % {"n": MAX_IMPORT_COLUMNS})
        kind = detect_kind(header)
        missing = [c for c in REQUIRED[kind] if c not in header]
        if missing:
            raise ImportFileError(_("Thiếu cột bắt buộc: %(cols)s.") % {"cols": ", ".join(missing)})
        known = set(UNIT_COLUMNS if kind == "units" else ACCOUNT_COLUMNS)
        # Unknown columns are dropped here: never validated, stored or echoed back.
        columns = [(index, key) for index, key in enumerate(header) if key in known]
        validator = UnitRowValidator(importer) if kind == "units" else AccountRowValidator(importer)
        preview = ImportPreview(kind=kind)
        data_rows = 0
        for line, values in table:
            if _is_blank(values):
                continue
            row = {key: cell_text(values[index]) if index < len(values) else "" for index, key in columns}
            data_rows += 1
            if data_rows > MAX_IMPORT_ROWS:
                raise ImportFileError(_("Tệp có quá %(n)d dòng; hãy chia nhỏ tệp.") % {"n": MAX_IMPORT_ROWS})
            problems = _cell_errors(line, row)
            if problems:
                preview.errors.extend(problems)
            else:
                clean = validator.validate(line, row, preview.errors)
                if clean is not None:
                    preview.rows.append(clean)
            if len(preview.errors) >= MAX_ERRORS:
                preview.errors.append(
                    RowError(
                        0,
                        "",
                        _("Đã dừng kiểm tra sau %(n)d lỗi. Hãy sửa các lỗi trên rồi tải tệp lên lại.")
                        % {"n": MAX_ERRORS},
                    )
                )
                return preview
    validator.finish(preview)
    return preview


def detect_kind(header: list[str]) -> str:
    if "ma_can_bo" in header:
        return "accounts"
    if "ma_don_vi" in header and "loai" in header:
        return "units"
    raise ImportFileError(
        _("Không nhận ra mẫu tệp. Dòng đầu phải là tên cột theo mẫu (ví dụ: %(cols)s).")
        % {"cols": ", ".join(ACCOUNT_COLUMNS)}
    )


def _max_length(model, field_name: str) -> int:
    return model._meta.get_field(field_name).max_length


def _too_long(model, field_name: str) -> str:
    # The database would refuse the row at import time (PostgreSQL enforces varchar lengths).
    return _("Dài quá %(n)d ký tự.") % {"n": _max_length(model, field_name)}


def _levels(value: str, line: int, errors: list[RowError], column: str = "cap_hoc") -> list[str]:
    levels = []
    for part in re.split(r"[,;/]", value or ""):
        key = normalise_key(part)
        if not key:
            continue
        if key not in LEVEL_ALIASES:
            errors.append(
                RowError(line, column, _("Cấp học “%(v)s” không hợp lệ (dùng TH, THCS, THPT).") % {"v": part})
            )
            continue
        levels.append(str(LEVEL_ALIASES[key]))
    return sorted(set(levels), key=SchoolLevel.values.index)


class UnitRowValidator:
    def __init__(self, importer):
        self.scope = scope_for(importer)
        self.units = {u.code: u for u in Unit.objects.all()}
        self.subjects = {s.code: s for s in Subject.objects.all()}
        self.file_units: dict[str, dict] = {}

    def validate(self, line, row, errors):
        before = len(errors)
        code = row.get("ma_don_vi", "")
        if not code:
            errors.append(RowError(line, "ma_don_vi", _("Thiếu mã đơn vị.")))
        elif code in self.file_units:
            errors.append(
                RowError(line, "ma_don_vi", _("Mã đơn vị “%(c)s” lặp lại trong tệp.") % {"c": code})
            )
        elif len(code) > _max_length(Unit, "code"):
            errors.append(RowError(line, "ma_don_vi", _too_long(Unit, "code")))
        if not row.get("ten_don_vi"):
            errors.append(RowError(line, "ten_don_vi", _("Thiếu tên đơn vị.")))
        elif len(row["ten_don_vi"]) > _max_length(Unit, "name"):
            errors.append(RowError(line, "ten_don_vi", _too_long(Unit, "name")))
        kind = KIND_ALIASES.get(normalise_key(row.get("loai")))
        if kind is None:
            errors.append(
                RowError(
                    line,
                    "loai",
                    _("Loại đơn vị “%(v)s” không hợp lệ (dùng: Phòng, Cụm, Trường, Tổ).")
                    % {"v": row.get("loai", "")},
                )
            )
        elif kind == Unit.Kind.CITY:
            errors.append(RowError(line, "loai", _("Không thể nhập đơn vị cấp Sở.")))
        levels = _levels(row.get("cap_hoc", ""), line, errors)
        if kind == Unit.Kind.SCHOOL and not levels:
            errors.append(RowError(line, "cap_hoc", _("Trường phải có ít nhất một cấp học.")))
        subjects = [s.strip() for s in re.split(r"[,;]", row.get("mon_hoc", "")) if s.strip()]
        for s in subjects:
            if s not in self.subjects:
                errors.append(RowError(line, "mon_hoc", _("Không có môn học mã “%(c)s”.") % {"c": s}))
        parent_code = row.get("ma_don_vi_cap_tren", "")
        parent_path = None
        if parent_code in self.units:
            parent_path = self.units[parent_code].path
        elif parent_code in self.file_units:
            parent_path = self.file_units[parent_code]["_path"]
        else:
            errors.append(
                RowError(
                    line,
                    "ma_don_vi_cap_tren",
                    _("Không tìm thấy đơn vị cấp trên “%(c)s” (phải có sẵn hoặc ở dòng phía trên).")
                    % {"c": parent_code},
                )
            )
        existing = self.units.get(code)
        if parent_path is not None and not self.scope.administers_path(parent_path):
            errors.append(
                RowError(
                    line,
                    "ma_don_vi_cap_tren",
                    _("Bạn không có quyền quản lý đơn vị cấp trên “%(c)s”.") % {"c": parent_code},
                )
            )
        if existing is not None and not self.scope.administers_path(existing.path):
            errors.append(
                RowError(line, "ma_don_vi", _("Bạn không có quyền sửa đơn vị “%(c)s”.") % {"c": code})
            )
        if len(errors) > before:
            return None
        clean = {
            "line": line,
            "code": code,
            "name": row["ten_don_vi"],
            "kind": str(kind),
            "parent": parent_code,
            "levels": levels,
            "subjects": subjects,
            "_path": (parent_path or "/") + f"new-{code}/",
        }
        self.file_units[code] = clean
        return clean

    def finish(self, preview):
        for row in preview.rows:
            row.pop("_path", None)
            unit = self.units.get(row["code"])
            if unit is None:
                preview.created += 1
                row["status"] = "new"
            elif (unit.name, unit.kind, unit.parent.code if unit.parent_id else "", unit.levels) != (
                row["name"],
                row["kind"],
                row["parent"],
                row["levels"],
            ) or (
                row["subjects"]
                and sorted(row["subjects"]) != sorted(unit.subjects.values_list("code", flat=True))
            ):
                preview.updated += 1
                row["status"] = "update"
            else:
                preview.unchanged += 1
                row["status"] = "same"


class AccountRowValidator:
    def __init__(self, importer):
        self.importer = importer
        self.scope = scope_for(importer)
        self.units = {u.code: u for u in Unit.objects.all()}
        self.subjects = {s.code: s for s in Subject.objects.all()}
        self.seen: dict[str, dict] = {}
        self.seen_roles: set[tuple] = set()

    def validate(self, line, row, errors):
        before = len(errors)
        code = row.get("ma_can_bo", "")
        if not STAFF_CODE_RE.match(code):
            errors.append(
                RowError(
                    line,
                    "ma_can_bo",
                    _(
                        "Mã cán bộ “%(c)s” không hợp lệ: 2–50 ký tự, chỉ gồm chữ không dấu, số, dấu chấm, gạch."
                    )
                    % {"c": code},
                )
            )
        name = row.get("ho_ten", "")
        if not name:
            errors.append(RowError(line, "ho_ten", _("Thiếu họ và tên.")))
        elif len(name) > _max_length(User, "full_name"):
            errors.append(RowError(line, "ho_ten", _too_long(User, "full_name")))
        email = row.get("email", "")
        if len(email) > _max_length(User, "email"):
            errors.append(RowError(line, "email", _too_long(User, "email")))
        elif email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(
                    RowError(line, "email", _("Địa chỉ e-mail “%(e)s” không hợp lệ.") % {"e": email})
                )
        phone = row.get("so_dien_thoai", "")
        if phone and not re.fullmatch(r"[0-9 +().-]{8,20}", phone):
            errors.append(
                RowError(line, "so_dien_thoai", _("Số điện thoại “%(p)s” không hợp lệ.") % {"p": phone})
            )
        unit = self.units.get(row.get("ma_don_vi", ""))
        if unit is None:
            errors.append(
                RowError(
                    line, "ma_don_vi", _("Không tìm thấy đơn vị “%(c)s”.") % {"c": row.get("ma_don_vi", "")}
                )
            )
        elif not self.scope.administers_path(unit.path):
            errors.append(
                RowError(
                    line, "ma_don_vi", _("Bạn không có quyền quản lý đơn vị “%(c)s”.") % {"c": unit.code}
                )
            )
        role = ROLE_ALIASES.get(normalise_key(row.get("vai_tro")))
        if role is None or role not in IMPORTABLE_ROLES:
            errors.append(
                RowError(line, "vai_tro", _("Vai trò “%(r)s” không hợp lệ.") % {"r": row.get("vai_tro", "")})
            )
        elif unit is not None and RoleAssignment.UNIT_KIND[role] != unit.kind:
            errors.append(
                RowError(
                    line,
                    "vai_tro",
                    _("Vai trò “%(r)s” phải gắn với đơn vị loại “%(k)s”, nhưng “%(u)s” là “%(uk)s”.")
                    % {
                        "r": RoleAssignment.Role(role).label,
                        "k": Unit.Kind(RoleAssignment.UNIT_KIND[role]).label,
                        "u": unit.code,
                        "uk": unit.get_kind_display(),
                    },
                )
            )
        subject_code = row.get("mon_hoc", "")
        if subject_code and subject_code not in self.subjects:
            errors.append(RowError(line, "mon_hoc", _("Không có môn học mã “%(c)s”.") % {"c": subject_code}))
        levels = _levels(row.get("cap_hoc", ""), line, errors)
        if len(levels) > 1:
            errors.append(RowError(line, "cap_hoc", _("Mỗi dòng chỉ ghi một cấp học.")))
        previous = self.seen.get(code)
        if previous and (previous["full_name"], previous["email"]) != (name, email):
            errors.append(
                RowError(
                    line,
                    "ma_can_bo",
                    _("Mã cán bộ “%(c)s” đã có ở dòng %(l)d với họ tên hoặc e-mail khác.")
                    % {"c": code, "l": previous["line"]},
                )
            )
        key = (code, role, row.get("ma_don_vi"), subject_code, levels[0] if levels else "")
        if key in self.seen_roles:
            errors.append(RowError(line, "ma_can_bo", _("Dòng này trùng lặp một dòng phía trên.")))
        if len(errors) > before:
            return None
        self.seen_roles.add(key)
        clean = {
            "line": line,
            "username": code,
            "full_name": name,
            "email": email,
            "phone": phone,
            "unit": unit.code,
            "role": str(role),
            "subject": subject_code,
            "school_level": levels[0] if levels else "",
        }
        self.seen.setdefault(code, clean)
        return clean

    def finish(self, preview):
        codes = {row["username"] for row in preview.rows}
        existing = {u.username: u for u in User.objects.filter(username__in=codes)}
        roles = set(
            RoleAssignment.objects.filter(user__username__in=codes).values_list(
                "user__username", "role", "unit__code", "subject__code", "school_level"
            )
        )
        # Re-importing a file that lists the importer is fine; anyone else must be theirs to manage.
        manageable = set(
            User.objects.filter(username__in=existing.keys())
            .filter(account_manageable_q(self.importer) | Q(pk=self.importer.pk))
            .values_list("username", flat=True)
        )
        counted: dict[str, str] = {}
        for row in preview.rows:
            user = existing.get(row["username"])
            if user is not None and row["username"] not in manageable:
                preview.errors.append(
                    RowError(
                        row["line"],
                        "ma_can_bo",
                        _("Mã cán bộ “%(c)s” đã là tài khoản của đơn vị khác; bạn không có quyền cập nhật.")
                        % {"c": row["username"]},
                    )
                )
                continue
            key = (row["username"], row["role"], row["unit"], row["subject"] or None, row["school_level"])
            if user is None:
                status = "new"
            elif (user.full_name, user.email, user.phone) != (
                row["full_name"],
                row["email"],
                row["phone"],
            ) or (key not in roles):
                status = "update"
            else:
                status = "same"
            row["status"] = status
            prior = counted.get(row["username"])
            if prior is None or (prior == "same" and status == "update"):
                counted[row["username"]] = status
        preview.created = sum(1 for s in counted.values() if s == "new")
        preview.updated = sum(1 for s in counted.values() if s == "update")
        preview.unchanged = sum(1 for s in counted.values() if s == "same")
        preview.errors.sort(key=lambda e: e.line)


def template_workbook(kind: str) -> bytes:
    """An empty .xlsx with the template's columns and one example row, whose unit codes are the
    demo city's (accounts.demo), so that the example can be tried there as it is."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    if kind == "units":
        sheet.title = "DonVi"
        sheet.append(UNIT_COLUMNS)
        sheet.append(["THCS-LQD", "Trường THCS Lê Quý Đôn", "Trường", "PGD-HB", "THCS", ""])
        sheet.append(["THCS-LQD-TOAN", "Tổ Toán – Tin", "Tổ", "THCS-LQD", "THCS", "toan,tin-hoc"])
    else:
        sheet.title = "TaiKhoan"
        sheet.append(ACCOUNT_COLUMNS)
        sheet.append(
            [
                "GV000123",
                "Nguyễn Thị Lan",
                "lan.nt@example.edu.vn",
                "0912345678",
                "THCS-LQD-TOAN",
                "Giáo viên",
                "toan",
                "THCS",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def passwords_workbook(passwords: dict[str, str]) -> bytes:
    """The one-time initial passwords of an import as an .xlsx (staff code, password)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["ma_can_bo", "mat_khau_ban_dau"])
    for code, password in sorted(passwords.items()):
        sheet.append([code, password])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
