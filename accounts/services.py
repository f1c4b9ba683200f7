"""Every write to accounts and units goes through these functions."""

from __future__ import annotations

import secrets

from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .imports import ImportFileError, parse_and_validate
from .models import ImportBatch, RoleAssignment, Subject, Unit, User
from .rules import can_import_accounts, can_manage_account

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
INITIAL_PASSWORD_TTL = 60 * 60


def initial_password() -> str:
    """Twelve characters without look-alikes (no 0/O, 1/l/I), easy to read out over the phone."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


def _passwords_key(batch_id: int) -> str:
    return f"accounts:import:{batch_id}:passwords"


def import_batch_create(*, importer: User, filename: str, content: bytes) -> ImportBatch:
    """Stores the uploaded file and its validation; writes no unit or account."""
    if not can_import_accounts(importer):
        raise PermissionDenied
    batch = ImportBatch(created_by=importer, filename=filename[:255], content=content)
    try:
        preview = parse_and_validate(content, filename, importer=importer)
    except ImportFileError as exc:
        batch.errors = [{"line": 0, "column": "", "message": str(exc)}]
        batch.save()
        return batch
    batch.kind = preview.kind
    batch.row_count = len(preview.rows) + len({e.line for e in preview.errors})
    batch.errors = [{"line": e.line, "column": e.column, "message": e.message} for e in preview.errors]
    batch.summary = {"created": preview.created, "updated": preview.updated, "unchanged": preview.unchanged}
    batch.status = ImportBatch.Status.READY if preview.is_valid else ImportBatch.Status.INVALID
    batch.save()
    return batch


def import_batch_start(*, batch: ImportBatch, actor: User) -> ImportBatch:
    """Marks a ready batch as running and queues `import_batch_apply` after the commit."""
    from .tasks import import_batch_apply_task

    if batch.created_by_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.READY:
            return locked
        locked.status = ImportBatch.Status.RUNNING
        locked.progress = 0
        locked.save(update_fields=["status", "progress"])
        transaction.on_commit(lambda: import_batch_apply_task.delay(locked.pk))
    return locked


def import_batch_apply(*, batch_id: int) -> ImportBatch:
    """Re-validates the batch's file against today's data and writes it in one transaction.

    Passwords of new accounts are hashed first, outside the transaction (Argon2 takes about
    0.1 s each), reporting progress on the batch; then every row is written at once, so a
    file is imported whole or not at all. The one-time initial passwords are kept in the
    cache for an hour, for `import_batch_reveal_passwords`.
    """
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    importer = batch.created_by
    try:
        preview = parse_and_validate(bytes(batch.content), batch.filename, importer=importer)
    except ImportFileError as exc:
        preview = None
        errors = [{"line": 0, "column": "", "message": str(exc)}]
    else:
        errors = [{"line": e.line, "column": e.column, "message": e.message} for e in preview.errors]
    if preview is None or not preview.is_valid:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.INVALID, errors=errors)
        batch.refresh_from_db()
        return batch

    if preview.kind == "units":
        with transaction.atomic():
            _write_units(preview.rows)
        passwords: dict[str, str] = {}
    else:
        passwords = _write_accounts(batch, preview.rows)
    if passwords:
        cache.set(_passwords_key(batch.pk), passwords, INITIAL_PASSWORD_TTL)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.DONE,
        progress=batch.row_count,
        finished_at=timezone.now(),
        summary={
            "created": preview.created,
            "updated": preview.updated,
            "unchanged": preview.unchanged,
            "passwords": len(passwords),
        },
    )
    batch.refresh_from_db()
    return batch


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


def _write_accounts(batch: ImportBatch, rows: list[dict]) -> dict[str, str]:
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
                progress=int(index * batch.row_count / (len(new_codes) + 1))
            )
    units = {u.code: u for u in Unit.objects.all()}
    subjects = {s.code: s for s in Subject.objects.all()}
    with transaction.atomic():
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
    return passwords


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
