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
import operator
import os
import time
from collections import Counter
from functools import cache

from django.db import connection, models
from django.db.models.base import ModelState
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
    if value is None:
        return None
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    return json.dumps(value, ensure_ascii=False)


def _converter(field):
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.CharField) and field.choices:
        return _plain  # a TextChoices member goes in as its value
    return None


@cache
def _fields(model) -> list:
    return [f for f in model._meta.concrete_fields]


@cache
def _defaults(model) -> dict:
    """Each concrete field's default, by attname (callable defaults called once: the loader sets
    every time itself)."""
    return {f.attname: f.get_default() for f in _fields(model)}


@cache
def _relations(model) -> dict:
    return {f.name: f.attname for f in _fields(model) if f.is_relation}


def new(model, **values):
    """A model instance without Model.__init__ (ten times cheaper for the city's millions of
    rows): the fields' defaults, then `values`; a related object given by name sets its id and is
    cached, as assigning it would."""
    obj = model.__new__(model)
    state = obj._state = ModelState()
    data = obj.__dict__
    data.update(_defaults(model))
    relations = _relations(model)
    for name, value in values.items():
        attname = relations.get(name)
        if attname is None:
            data[name] = value
        elif value is None:
            data[attname] = None
        else:
            data[attname] = value.pk
            state.fields_cache[name] = value
    return obj


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
    fields = _fields(model)
    get = operator.attrgetter(*[f.attname for f in fields])
    converters = [(i, _converter(f)) for i, f in enumerate(fields) if _converter(f)]
    auto = [
        (i, f.attname)
        for i, f in enumerate(fields)
        if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add)
    ]
    now = timezone.now()

    def rows():
        for obj in objs:
            row = list(get(obj))
            for i, convert in converters:
                row[i] = convert(row[i])
            for i, attname in auto:
                if row[i] is None:
                    row[i] = now
                    setattr(obj, attname, now)
            obj._state.adding, obj._state.db = False, connection.alias
            yield row

    copy_rows(model._meta.db_table, [f.column for f in fields], rows())
    return objs


def insert_rows(model, names: list[str], rows) -> int:
    """Inserts plain tuples of the fields `names` (attnames) of rows nothing points at; the
    other fields get their defaults (the table's sequence the id). On SQLite the tuples become
    instances for bulk_create."""
    if on_postgres():
        fields = {f.attname: f for f in _fields(model)}
        rest = [f for f in fields.values() if f.attname not in names and not f.primary_key]
        now = timezone.now()
        tail = tuple(
            now if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add) else f.get_default()
            for f in rest
        )
        tail = tuple((_converter(f) or (lambda v: v))(v) for f, v in zip(rest, tail, strict=True))
        convert = [(i, _converter(fields[name])) for i, name in enumerate(names) if _converter(fields[name])]

        def full(rows):
            for row in rows:
                if convert:
                    row = list(row)
                    for i, f in convert:
                        row[i] = f(row[i])
                    yield (*row, *tail)
                else:
                    yield (*row, *tail)

        columns = [fields[name].column for name in names] + [f.column for f in rest]
        n = copy_rows(model._meta.db_table, columns, full(rows))
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
    """On PostgreSQL, drops the plain indexes (non-unique, backing no constraint) and the foreign
    keys of these tables; once the block is done, builds the indexes again from their saved
    definitions and adds the foreign keys back, each checked over the whole table by one join
    instead of a trigger per row. Unique indexes and other constraints stay and keep checking the
    rows. It must run inside the load's transaction: if the load fails, the rollback puts back
    what was dropped with everything else."""
    if not on_postgres():
        yield
        return
    assert connection.in_atomic_block, "deferred_indexes needs the load's transaction"
    tables = [m._meta.db_table for m in models_list]
    check_foreign_keys()  # no table may have checks pending when its keys are altered
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
        indexes = cursor.fetchall()
        cursor.execute(
            """
            SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE c.contype = 'f' AND t.relname = ANY(%s) AND n.nspname = current_schema()
            ORDER BY t.relname, c.conname
            """,
            [tables],
        )
        keys = cursor.fetchall()
        quote = connection.ops.quote_name
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    yield
    check_foreign_keys()  # the same, for building an index
    with TALLY.phase("index rebuild"), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
    with TALLY.phase("foreign keys added back (checked)"), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '128MB'")
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
    if say:
        say(f"Đã tạo lại {len(indexes)} chỉ mục và {len(keys)} khoá ngoại.")


def check_foreign_keys() -> None:
    """Runs now the foreign-key checks PostgreSQL defers to the commit (Django's constraints are
    DEFERRABLE INITIALLY DEFERRED), timed as their own phase."""
    if on_postgres():
        with TALLY.phase("foreign key checks"), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def backend_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (read from /proc when the
    server runs on this machine), to tell the load's own work from waiting for shared cores."""
    if not on_postgres():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
