"""Every write to accounts and units goes through these functions."""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .imports import ImportFileError, Meter, parse_and_validate, validation_in_background
from .models import AccountEvent, ImportBatch, RoleAssignment, Subject, Unit, User
from .rules import can_import_accounts, can_manage_account, scope_for

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
            _write_accounts(preview.rows, hashes, batch=batch)
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


def _write_accounts(rows: list[dict], hashes: dict[str, str], *, batch: ImportBatch) -> None:
    """Call inside a transaction; locks the accounts the file lists.

    Writes the same AccountEvents as the account actions, by the batch's creator: one per account
    created, one per account whose details changed, one per role granted. Only a role granted to
    an existing account is e-mailed: the new accounts' owners get their passwords from the
    importer, and a thousand-row file should not send a thousand mails."""
    units = {u.code: u for u in Unit.objects.all()}
    subjects = {s.code: s for s in Subject.objects.all()}
    codes = {r["username"] for r in rows}
    users = {u.username: u for u in User.objects.select_for_update().filter(username__in=codes)}
    # Keys as the validator's `finish` builds them; the accounts are locked, so this stays true.
    held = set(
        RoleAssignment.objects.filter(user__username__in=codes).values_list(
            "user__username", "role", "unit__code", "subject__code", "school_level"
        )
    )
    events: list[tuple[str, AccountEvent]] = []
    to_create: dict[str, User] = {}
    for row in rows:
        code = row["username"]
        user = users.get(code)
        details = {"full_name": row["full_name"], "email": row["email"], "phone": row["phone"]}
        if user is None:
            if code not in to_create:
                to_create[code] = User(
                    username=code, password=hashes[code], must_change_password=True, **details
                )
                events.append(
                    (code, AccountEvent(action=AccountEvent.Action.IMPORTED_CREATED, after=details))
                )
            continue
        changed = sorted(f for f, value in details.items() if getattr(user, f) != value)
        if changed:
            before = {f: getattr(user, f) for f in changed}
            for f in changed:
                setattr(user, f, details[f])
            user.save(update_fields=changed)
            after = {f: details[f] for f in changed}
            events.append(
                (code, AccountEvent(action=AccountEvent.Action.IMPORTED_UPDATED, before=before, after=after))
            )
    User.objects.bulk_create(to_create.values(), batch_size=500)
    users = {u.username: u for u in User.objects.filter(username__in=codes)}
    granted: list[RoleAssignment] = []
    for row in rows:
        key = (row["username"], row["role"], row["unit"], row["subject"] or None, row["school_level"])
        if key not in held:
            held.add(key)
            granted.append(
                RoleAssignment(
                    user=users[row["username"]],
                    role=row["role"],
                    unit=units[row["unit"]],
                    subject=subjects.get(row["subject"]),
                    school_level=row["school_level"],
                )
            )
    RoleAssignment.objects.bulk_create(granted, batch_size=500)
    for assignment in granted:
        event = AccountEvent(
            action=AccountEvent.Action.ROLE_GRANTED,
            after=_role_details(assignment),
            role=assignment.role,
            unit=assignment.unit,
            subject=assignment.subject,
            school_level=assignment.school_level,
        )
        events.append((assignment.user.username, event))
    for code, event in events:
        event.user, event.actor, event.import_batch = users[code], batch.created_by, batch
    AccountEvent.objects.bulk_create([event for _code, event in events], batch_size=500)
    _notify_role_grants_to_existing_accounts(events, new=set(to_create))


def _notify_role_grants_to_existing_accounts(
    events: list[tuple[str, AccountEvent]], *, new: set[str]
) -> None:
    from .tasks import account_event_email_task

    for code, event in events:
        if event.action == AccountEvent.Action.ROLE_GRANTED and code not in new:
            # bulk_create sets the pk on PostgreSQL and SQLite; the task runs after the commit.
            account_event_email_task.delay_on_commit(event.pk)


def import_batch_reveal_passwords(*, batch: ImportBatch, actor: User) -> dict[str, str]:
    """Returns the batch's initial passwords once and forgets them (POST only)."""
    if batch.created_by_id != actor.pk:
        raise PermissionDenied
    passwords = cache.get(_passwords_key(batch.pk)) or {}
    cache.delete(_passwords_key(batch.pk))
    return passwords


# --- Account actions -----------------------------------------------------------------------
#
# Zulip's order: lock the user row, check, change, write the AccountEvent, queue the e-mail to
# the account's address on commit (a rolled-back change writes and sends nothing).


def _locked_user(target: User) -> User:
    return User.objects.select_for_update().get(pk=target.pk)


def _role_details(assignment: RoleAssignment) -> dict:
    return {
        "role": assignment.role,
        "unit": assignment.unit.code,
        "subject": assignment.subject.code if assignment.subject_id else "",
        "school_level": assignment.school_level,
    }


def account_event_write(
    *, user: User, actor: User | None, action: str, before=None, after=None, notify: bool = True, **role
) -> AccountEvent:
    """Writes one audit row of the account and, with `notify`, queues its e-mail after the commit.

    Call inside the transaction that made the change, after locking the user row; `role` takes
    the role details of a role event (role, unit, subject, school_level)."""
    from .tasks import account_event_email_task

    event = AccountEvent.objects.create(
        user=user, actor=actor, action=action, before=before or {}, after=after or {}, **role
    )
    if notify:
        account_event_email_task.delay_on_commit(event.pk)
    return event


def account_set_active(*, target: User, actor: User, active: bool) -> User:
    """Locks or unlocks an account. Locks the user row; refuses an actor who may not manage the
    account (PermissionDenied). A change writes one AccountEvent and e-mails the account after
    the commit; asking for the state it already has writes and sends nothing."""
    with transaction.atomic():
        locked = _locked_user(target)
        if not can_manage_account(actor, locked):
            raise PermissionDenied
        if locked.is_active != active:
            locked.is_active = active
            locked.save(update_fields=["is_active"])
            account_event_write(
                user=locked,
                actor=actor,
                action=AccountEvent.Action.ACTIVATED if active else AccountEvent.Action.DEACTIVATED,
                before={"is_active": not active},
                after={"is_active": active},
            )
    target.is_active = locked.is_active
    return locked


def account_reset_password(*, target: User, actor: User) -> str:
    """Gives the account a new one-time password, returned to show once; the user must change it.

    Locks the user row; refuses an actor who may not manage the account (PermissionDenied).
    Writes one AccountEvent (never the password) and queues an e-mail telling the account's
    owner, without the password, after the commit."""
    with transaction.atomic():
        locked = _locked_user(target)
        if not can_manage_account(actor, locked):
            raise PermissionDenied
        password = initial_password()
        before = {"must_change_password": locked.must_change_password}
        locked.set_password(password)
        locked.must_change_password = True
        locked.save(update_fields=["password", "must_change_password"])
        account_event_write(
            user=locked,
            actor=actor,
            action=AccountEvent.Action.PASSWORD_RESET,
            before=before,
            after={"must_change_password": True},
        )
    target.password, target.must_change_password = locked.password, True
    return password


def password_changed(*, user: User) -> None:
    """Records that the user changed their own password (the form has saved it) and clears the
    one-time flag. Locks the user row; writes one AccountEvent and e-mails the owner after the
    commit, so a change they did not make does not go unnoticed."""
    with transaction.atomic():
        locked = _locked_user(user)
        before, after = {}, {}
        if locked.must_change_password:
            locked.must_change_password = False
            locked.save(update_fields=["must_change_password"])
            before, after = {"must_change_password": True}, {"must_change_password": False}
        account_event_write(
            user=locked, actor=locked, action=AccountEvent.Action.PASSWORD_CHANGED, before=before, after=after
        )
    user.must_change_password = False


def role_grant(
    *,
    target: User,
    actor: User,
    role: str,
    unit: Unit,
    subject: Subject | None = None,
    school_level: str = "",
) -> RoleAssignment:
    """Gives the account a role in a unit. Locks the user row. Refuses (PermissionDenied) an actor
    who may not manage the account or does not administer the unit; refuses (ValidationError) a
    role held in another kind of unit. A new assignment writes one AccountEvent and e-mails the
    account after the commit; one it already holds is returned and nothing is written."""
    with transaction.atomic():
        locked = _locked_user(target)
        # SECURITY: both the account and the unit must be the actor's to administer, or a school
        # admin could hand a teacher of their school a role in another school.
        if not (can_manage_account(actor, locked) and scope_for(actor).administers_path(unit.path)):
            raise PermissionDenied
        if RoleAssignment.UNIT_KIND[role] != unit.kind:
            raise ValidationError(
                _("Vai trò “%(r)s” phải gắn với đơn vị loại “%(k)s”.")
                % {"r": RoleAssignment.Role(role).label, "k": Unit.Kind(RoleAssignment.UNIT_KIND[role]).label}
            )
        assignment, created = RoleAssignment.objects.get_or_create(
            user=locked, role=role, unit=unit, subject=subject, school_level=school_level
        )
        if created:
            account_event_write(
                user=locked,
                actor=actor,
                action=AccountEvent.Action.ROLE_GRANTED,
                after=_role_details(assignment),
                role=role,
                unit=unit,
                subject=subject,
                school_level=school_level,
            )
    return assignment


def role_revoke(*, assignment: RoleAssignment, actor: User) -> None:
    """Takes a role away. Locks the user row; refuses (PermissionDenied) an actor who may not
    manage the account. Writes one AccountEvent and e-mails the account after the commit; an
    assignment already gone writes nothing."""
    with transaction.atomic():
        locked = _locked_user(assignment.user)
        if not can_manage_account(actor, locked):
            raise PermissionDenied
        current = (
            RoleAssignment.objects.select_related("unit", "subject")
            .filter(pk=assignment.pk, user=locked)
            .first()
        )
        if current is None:
            return
        details = _role_details(current)
        current.delete()
        account_event_write(
            user=locked,
            actor=actor,
            action=AccountEvent.Action.ROLE_REVOKED,
            before=details,
            role=current.role,
            unit=current.unit,
            subject=current.subject,
            school_level=current.school_level,
        )


def user_set_language(*, user: User, language: str) -> User:
    """Saves the interface language a signed-in person chose at the foot of a page, so that it
    follows them to another device and is restored at the next sign-in."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError(_("Ngôn ngữ không được hỗ trợ."))
    if user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
    return user
