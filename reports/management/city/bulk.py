"""How `load_city` writes its rows: COPY on PostgreSQL, bulk_create elsewhere (SQLite).

On PostgreSQL a block of ids is reserved from the table's sequence, the ids are set on the
instances (so later rows can point at them) and the rows go in by psycopg 3's `cursor.copy()`:
no INSERT statement to build or parse. Rows that nothing points at are written as plain tuples
(`insert_rows`), without model instances. The non-unique secondary indexes of the big tables can
be dropped for the load and rebuilt once at the end (`deferred_indexes`), all in the load's one
transaction, so a failed load leaves neither rows nor a table without its indexes.
"""

from __future__ import annotations

import contextlib
import enum
import json
import time
from collections import Counter

from django.db import connection, models
from django.utils import timezone

BATCH = 2000


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


class Tally:
    """Rows written per table and seconds spent per phase, printed at the end of the command."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        self.rows: Counter[str] = Counter()
        self.seconds: dict[str, float] = {}

    def count(self, model, n: int) -> None:
        self.rows[model._meta.db_table] += n

    @contextlib.contextmanager
    def phase(self, name: str):
        began = time.monotonic()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.monotonic() - began


TALLY = Tally()


def _plain(value):
    return value.value if isinstance(value, enum.Enum) else value


def _json(value):
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _converter(field):
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, (models.CharField, models.TextField)):
        return _plain
    return None


def _columns(model, names=None):
    """(attname, column, converter, auto time) of the concrete fields to write."""
    fields = [f for f in model._meta.concrete_fields if names is None or f.attname in names]
    return [
        (
            f.attname,
            f.column,
            _converter(f),
            isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add),
        )
        for f in fields
    ]


def reserve_ids(model, n: int) -> int:
    """Takes `n` ids from the table's sequence at once (the loader is the only writer); returns
    the first."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, %s), nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
            [table, column, table, column, n],
        )
        last = cursor.fetchone()[0]
    return last - n + 1


def copy_rows(table: str, columns: list[str], rows) -> int:
    """COPY the tuples `rows` into `table` (PostgreSQL only); returns how many."""
    connection.ensure_connection()
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    n = 0
    with connection.connection.cursor() as cursor:
        with cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
    return n


def insert(model, objs: list) -> list:
    """Inserts model instances and sets their ids, as bulk_create does."""
    if not objs:
        return objs
    TALLY.count(model, len(objs))
    if not on_postgres():
        model.objects.bulk_create(objs, batch_size=BATCH)
        return objs
    pk = model._meta.pk.attname
    if getattr(objs[0], pk) is None:
        first = reserve_ids(model, len(objs))
        for i, obj in enumerate(objs):
            setattr(obj, pk, first + i)
    columns = _columns(model)
    now = timezone.now()

    def rows():
        for obj in objs:
            row = []
            for attname, _column, convert, auto in columns:
                value = getattr(obj, attname)
                if value is None and auto:
                    value = now
                    setattr(obj, attname, now)
                row.append(convert(value) if convert else value)
            obj._state.adding, obj._state.db = False, connection.alias
            yield row

    copy_rows(model._meta.db_table, [c[1] for c in columns], rows())
    return objs


def insert_rows(model, names: list[str], rows) -> int:
    """Inserts plain tuples of the fields `names` (attnames) of rows nothing points at; on
    PostgreSQL the table's defaults fill the id. Elsewhere the tuples become instances."""
    if on_postgres():
        converters = {c[0]: c[2] for c in _columns(model, set(names))}
        convert = [converters[name] for name in names]
        if any(convert):
            rows = (tuple(f(v) if f else v for f, v in zip(convert, row, strict=True)) for row in rows)
        columns = [model._meta.get_field(name.removesuffix("_id")).column for name in names]
        n = copy_rows(model._meta.db_table, columns, rows)
    else:
        n = 0
        batch = []
        for row in rows:
            batch.append(model(**dict(zip(names, row, strict=True))))
            if len(batch) == 20_000:
                model.objects.bulk_create(batch, batch_size=BATCH)
                n, batch = n + len(batch), []
        model.objects.bulk_create(batch, batch_size=BATCH)
        n += len(batch)
    TALLY.count(model, n)
    return n


@contextlib.contextmanager
def deferred_indexes(models_list, say=None):
    """On PostgreSQL, drops the plain (non-unique, not backing a constraint) indexes of these
    tables, and creates them again from their saved definitions once the block is done. It must
    run inside the load's transaction: if the load fails, the rollback puts the dropped indexes
    back with everything else. Unique indexes and constraints stay: they keep checking the rows."""
    if not on_postgres():
        yield []
        return
    assert connection.in_atomic_block, "deferred_indexes needs the load's transaction"
    tables = [m._meta.db_table for m in models_list]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE t.relname = ANY(%s) AND n.nspname = current_schema()
              AND NOT x.indisunique AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY t.relname, i.relname
            """,
            [tables],
        )
        dropped = cursor.fetchall()
        for name, _definition in dropped:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield dropped
    check_foreign_keys()  # an index cannot be built on a table with checks pending
    with TALLY.phase("index rebuild"), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in dropped:
            cursor.execute(definition)
    if say:
        say(f"Đã tạo lại {len(dropped)} chỉ mục.")


def check_foreign_keys() -> None:
    """Runs now the foreign-key checks PostgreSQL defers to the commit (Django's constraints are
    DEFERRABLE INITIALLY DEFERRED), timed as their own phase."""
    if on_postgres():
        with TALLY.phase("foreign key checks"), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
