"""Every write to accounts and units goes through these functions."""

from __future__ import annotations

import logging
import secrets

from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .imports import ImportFileError, Meter, parse_and_validate, validation_in_background
from .models import ImportBatch, RoleAssignment, Subject, Unit, User
from .rules import can_import_accounts, can_manage_account

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
INITIAL_PASSWORD_TTL = 60 * 60

logger = logging.getLogger(__name__)


def initial_password() -> str:
    """Twelve characters without look-alikes (no 0/O, 1/l/I), easy to read out over the phone."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


def _passwords_key(batch_id: int) -> str:
    return f"accounts:import:{batch_id}:passwords"


def _failure(message: str) -> list[dict]:
    return [{"line": 0, "column": "", "message": message}]


def _batch(batch_id: int) -> ImportBatch:
    # The file (up to 5 MB) is read separately, once, by `_content`.
    return ImportBatch.objects.select_related("created_by").defer("content").get(pk=batch_id)


def _content(batch: ImportBatch) -> bytes:
    return bytes(ImportBatch.objects.values_list("content", flat=True).get(pk=batch.pk))


def _errors(errors) -> list[dict]:
    return [{"line": e.line, "column": e.column, "message": e.message} for e in errors]


def import_batch_create(*, importer: User, filename: str, content: bytes) -> ImportBatch:
    """Stores the uploaded file and validates it; writes no unit or account.

    A small file is validated here and now; a larger one (see `validation_in_background`) is
    left `validating` and `import_batch_validate_task` is queued after the commit.
    """
    from .tasks import import_batch_validate_task

    if not can_import_accounts(importer):
        raise PermissionDenied
    # Browsers and Django already drop control characters from names; other callers might not.
    filename = "".join(c for c in filename if c.isprintable())[:255] or "tep-nhap"
    batch = ImportBatch.objects.create(
        created_by=importer, filename=filename, content=content, status=ImportBatch.Status.VALIDATING
    )
    if validation_in_background(content, filename):
        transaction.on_commit(lambda: import_batch_validate_task.delay(batch.pk))
        return batch
    return import_batch_validate(batch_id=batch.pk)


def import_batch_validate(*, batch_id: int) -> ImportBatch:
    """Validates a `validating` batch's file, reporting progress: ready, invalid, or failed.

    Any other status is left alone (a repeated task does nothing). An unexpected error marks
    the batch failed, to be retried, instead of leaving it `validating`.
    """
    batch = _batch(batch_id)
    if batch.status != ImportBatch.Status.VALIDATING:
        return batch
    pending = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATING)
    meter = _ProgressMeter(pending)
    try:
        preview = parse_and_validate(_content(batch), batch.filename, importer=batch.created_by, meter=meter)
    except ImportFileError as exc:
        pending.update(
            status=ImportBatch.Status.INVALID, errors=_failure(str(exc)), updated_at=timezone.now()
        )
    except Exception:
        logger.exception("validating import batch %s failed", batch.pk)
        pending.update(
            status=ImportBatch.Status.FAILED,
            errors=_failure(
                _(
                    "Chưa kiểm tra xong tệp do sự cố của hệ thống; chưa có dữ liệu nào được ghi. "
                    "Hãy bấm “Thử lại”. Nếu vẫn không được, hãy báo quản trị hệ thống."
                )
            ),
            updated_at=timezone.now(),
        )
    else:
        pending.update(
            kind=preview.kind,
            row_count=len(preview.rows) + len({e.line for e in preview.errors if e.line}),
            errors=_errors(preview.errors),
            summary={"created": preview.created, "updated": preview.updated, "unchanged": preview.unchanged},
            status=ImportBatch.Status.READY if preview.is_valid else ImportBatch.Status.INVALID,
            progress=meter.total,
            progress_total=meter.total,
            updated_at=timezone.now(),
        )
    return _batch(batch.pk)


class _ProgressMeter(Meter):
    """Writes the reading progress to the batch each time it passes another whole percent."""

    def __init__(self, batch_queryset):
        super().__init__()
        self.batch_queryset = batch_queryset
        self.percent = 0

    def advance(self, done: int) -> None:
        super().advance(done)
        percent = 100 * done // self.total if self.total else 0
        if percent > self.percent:
            self.percent = percent
            self.batch_queryset.update(progress=done, progress_total=self.total, updated_at=timezone.now())


def import_batch_start(*, batch: ImportBatch, actor: User) -> ImportBatch:
    """Marks a ready batch as running and queues `import_batch_apply` after the commit."""
    from .tasks import import_batch_apply_task

    if batch.created_by_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().defer("content").get(pk=batch.pk)
        if locked.status != ImportBatch.Status.READY:
            return locked
        locked.status = ImportBatch.Status.RUNNING
        locked.progress, locked.progress_total = 0, locked.row_count
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "progress", "progress_total", "updated_at"])
        transaction.on_commit(lambda: import_batch_apply_task.delay(locked.pk))
    return locked


def import_batch_retry(*, batch: ImportBatch, actor: User) -> ImportBatch:
    """Runs the step that failed (or stalled) again and queues its task after the commit.

    A batch whose validation never finished has no `kind` yet: it is validated again. One that
    failed while importing is imported again (the import validates the file once more first).
    Locks the batch; any other status is left as it is.
    """
    from .tasks import import_batch_apply_task, import_batch_validate_task

    if batch.created_by_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().defer("content").get(pk=batch.pk)
        if not locked.can_retry:
            return locked
        if locked.kind:
            locked.status, locked.progress_total = ImportBatch.Status.RUNNING, locked.row_count
            task = import_batch_apply_task
        else:
            locked.status, locked.progress_total = ImportBatch.Status.VALIDATING, 0
            task = import_batch_validate_task
        locked.progress, locked.errors, locked.updated_at = 0, [], timezone.now()
        locked.save(update_fields=["status", "progress", "progress_total", "errors", "updated_at"])
        transaction.on_commit(lambda: task.delay(locked.pk))
    return locked


def import_batch_apply(*, batch_id: int) -> ImportBatch:
    """Re-validates a running batch's file against today's data and writes it in one transaction.

    Passwords of new accounts are hashed first, outside the transaction (Argon2 takes about
    0.1 s each), reporting progress on the batch; then every row is written at once, so a
    file is imported whole or not at all: any error rolls everything back and marks the batch
    failed, to be retried. The one-time initial passwords are kept in the cache for an hour,
    for `import_batch_reveal_passwords`. A batch that is not running is left alone.
    """
    batch = _batch(batch_id)
    if batch.status != ImportBatch.Status.RUNNING:
        return batch
    running = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.RUNNING)
    try:
        _apply(batch, running)
    except Exception:
        logger.exception("import batch %s failed", batch.pk)
        running.update(
            status=ImportBatch.Status.FAILED,
            errors=_failure(
                _(
                    "Nhập không thành công do sự cố của hệ thống. Toàn bộ tệp đã được hoàn tác, "
                    "chưa có dữ liệu nào được ghi. Hãy bấm “Thử lại”. Nếu vẫn không được, hãy báo "
                    "quản trị hệ thống."
                )
            ),
            updated_at=timezone.now(),
        )
    return _batch(batch.pk)


def _apply(batch: ImportBatch, running) -> None:
    try:
        preview = parse_and_validate(_content(batch), batch.filename, importer=batch.created_by)
    except ImportFileError as exc:
        running.update(
            status=ImportBatch.Status.INVALID, errors=_failure(str(exc)), updated_at=timezone.now()
        )
        return
    if not preview.is_valid:
        running.update(
            status=ImportBatch.Status.INVALID, errors=_errors(preview.errors), updated_at=timezone.now()
        )
        return
    passwords, hashes = _initial_passwords(batch, preview.rows) if preview.kind == "accounts" else ({}, {})
    # One transaction holds every write and the final status: a failure anywhere, the cache
    # included, leaves nothing behind and the batch still running, for the caller to mark failed.
    with transaction.atomic():
        if preview.kind == "units":
            _write_units(preview.rows)
        else:
            _write_accounts(preview.rows, hashes)
        running.update(
            status=ImportBatch.Status.DONE,
            progress=batch.row_count,
            progress_total=batch.row_count,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
            summary={
                "created": preview.created,
                "updated": preview.updated,
                "unchanged": preview.unchanged,
                "passwords": len(passwords),
            },
        )
        if passwords:
            cache.set(_passwords_key(batch.pk), passwords, INITIAL_PASSWORD_TTL)


def _write_units(rows: list[dict]) -> None:
    subjects = {s.code: s for s in Subject.objects.all()}
    units = {u.code: u for u in Unit.objects.all()}
    for row in rows:
        if row["status"] == "same":
            continue
        unit = units.get(row["code"]) or Unit(code=row["code"])
        unit.name = row["name"]
        unit.kind = row["kind"]
        unit.parent = units[row["parent"]]
        unit.levels = row["levels"]
        unit.save()
        units[unit.code] = unit
        if row["subjects"]:
            unit.subjects.set([subjects[c] for c in row["subjects"]])


def _initial_passwords(batch: ImportBatch, rows: list[dict]) -> tuple[dict[str, str], dict[str, str]]:
    """One-time passwords of the accounts to create, and their hashes; reports progress."""
    existing = set(
        User.objects.filter(username__in={r["username"] for r in rows}).values_list("username", flat=True)
    )
    new_codes = sorted({r["username"] for r in rows} - existing)
    passwords, hashes = {}, {}
    for index, code in enumerate(new_codes, start=1):
        passwords[code] = initial_password()
        hashes[code] = make_password(passwords[code])
        if index % 25 == 0:
            ImportBatch.objects.filter(pk=batch.pk).update(
                progress=int(index * batch.row_count / (len(new_codes) + 1)), updated_at=timezone.now()
            )
    return passwords, hashes


def _write_accounts(rows: list[dict], hashes: dict[str, str]) -> None:
    """Call inside a transaction; locks the accounts the file lists."""
    units = {u.code: u for u in Unit.objects.all()}
    subjects = {s.code: s for s in Subject.objects.all()}
    users = {
        u.username: u
        for u in User.objects.select_for_update().filter(username__in={r["username"] for r in rows})
    }
    to_create: dict[str, User] = {}
    for row in rows:
        code = row["username"]
        user = users.get(code)
        if user is None:
            to_create.setdefault(
                code,
                User(
                    username=code,
                    full_name=row["full_name"],
                    email=row["email"],
                    phone=row["phone"],
                    password=hashes[code],
                    must_change_password=True,
                ),
            )
        elif (user.full_name, user.email, user.phone) != (row["full_name"], row["email"], row["phone"]):
            user.full_name, user.email, user.phone = row["full_name"], row["email"], row["phone"]
            user.save(update_fields=["full_name", "email", "phone"])
    User.objects.bulk_create(to_create.values(), batch_size=500)
    users = {u.username: u for u in User.objects.filter(username__in={r["username"] for r in rows})}
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                user=users[row["username"]],
                role=row["role"],
                unit=units[row["unit"]],
                subject=subjects.get(row["subject"]),
                school_level=row["school_level"],
            )
            for row in rows
        ],
        batch_size=500,
        ignore_conflicts=True,
    )


def import_batch_reveal_passwords(*, batch: ImportBatch, actor: User) -> dict[str, str]:
    """Returns the batch's initial passwords once and forgets them (POST only)."""
    if batch.created_by_id != actor.pk:
        raise PermissionDenied
    passwords = cache.get(_passwords_key(batch.pk)) or {}
    cache.delete(_passwords_key(batch.pk))
    return passwords


def account_set_active(*, target: User, actor: User, active: bool) -> User:
    if not can_manage_account(actor, target):
        raise PermissionDenied
    if target.is_active != active:
        target.is_active = active
        target.save(update_fields=["is_active"])
    return target


def account_reset_password(*, target: User, actor: User) -> str:
    """Gives the account a new one-time password, returned to show once; the user must change it."""
    if not can_manage_account(actor, target):
        raise PermissionDenied
    password = initial_password()
    target.set_password(password)
    target.must_change_password = True
    target.save(update_fields=["password", "must_change_password"])
    return password


def password_changed(*, user: User) -> None:
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
