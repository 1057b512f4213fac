"""Hand-compiled statements for the few rows every order touches many times (the order row, its
history). Django's ORM builds SQL anew on every call, and on the order path that building cost
more than the database's own work; these statements are built once per shape and reused.

Values pass through each field's own `get_db_prep_save`, so types, JSON and time zones are
stored exactly as the ORM stores them, on PostgreSQL and SQLite alike.

Fenced: used only by the order kernel's locks and events (orders/locks.py, orders/events.py),
the evidence store and the task backend, and by the few exceptions the import-linter contract
`compiled-sql` names with their measured gain (pyproject.toml). Statements come from the models'
_meta, never from written-out table names.

Each function's docstring gives its measured gain: `scripts/sql-gains` on PostgreSQL 15
(scripts/with-postgres.sh), 2026-12-04, each function called as its real caller calls it, on
the caller's model, against the ORM doing the same, medians of five alternating rounds of 1,000
calls in rolled-back transactions; microseconds of process CPU time per call, and round trips.
The machine was a shared two-core one under heavy load (load average 10 to 24): a bare
SELECT 1 through Django's cursor took 145 us of CPU (1.5 ms wall) in the same run, so read the
figures against each other and against that reference rather than across machines; wall times
swung too much with the load to quote. On SQLite the same script found each statement cheaper
than its ORM equivalent by 86 to 764 us of CPU a call.
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


@cache
def _fields(model: type[models.Model], names: tuple[str, ...]) -> tuple[models.Field, ...]:
    return tuple(model._meta.get_field(n) for n in names)  # type: ignore[misc]


@cache
def _insert_sql(model: type[models.Model], names: tuple[str, ...]) -> str:
    cols = ", ".join(connection.ops.quote_name(f.column) for f in _fields(model, names))
    marks = ", ".join(["%s"] * len(names))
    return (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({cols}) VALUES ({marks})"  # noqa: S608
    )


@cache
def _update_sql(model: type[models.Model], names: tuple[str, ...], where: tuple[str, ...]) -> str:
    q = connection.ops.quote_name
    sets = ", ".join(f"{q(f.column)} = %s" for f in _fields(model, names))
    conds = " AND ".join(f"{q(f.column)} = %s" for f in _fields(model, where))
    return f"UPDATE {q(model._meta.db_table)} SET {sets} WHERE {conds}"  # noqa: S608


def _prep(model: type[models.Model], names: tuple[str, ...], values: dict[str, Any]) -> list:
    # The connection itself, not django.db.connection: that proxy looks the connection up
    # again (in a context-local) on every attribute the fields read from it.
    conn = connections[DEFAULT_DB_ALIAS]
    return [f.get_db_prep_save(values[f.name], conn) for f in _fields(model, names)]


def insert_row(model: type[models.Model], **values: Any) -> None:
    """INSERT one row; the caller does not need its primary key back.

    Measured (see the module docstring) with an OrderEvent row, as insert_two writes its rows
    on SQLite: 253 us against 527 us through objects.create() (gain 274 us), one round trip
    each; on SQLite itself 91 against 260 us."""
    insert_rows(model, [values])


def insert_row_unless_duplicate(model: type[models.Model], **values: Any) -> bool:
    """INSERT one row unless it would break a unique constraint: True if it was inserted.
    ON CONFLICT DO NOTHING (PostgreSQL; SQLite since 3.24) instead of a savepoint to catch the
    error, which costs two more round trips on every insert.

    Measured (see the module docstring) against a savepoint around objects.create() catching
    IntegrityError: a new PaymentNotification (payments' notification_receive) 236 us against
    903 us (gain 691 us), one round trip against three; a new SandboxPayment 247 against 789
    (gain 507 us), one against three; the LogState row that exists (the sequencer) 222 against
    813 (gain 638 us), one against four, and against get_or_create() 649 (gain 471 us), one
    round trip each."""
    names = tuple(values)
    with connection.cursor() as cur:
        cur.execute(
            _insert_sql(model, names) + " ON CONFLICT DO NOTHING", _prep(model, names, values)
        )
        return cur.rowcount == 1


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT rows that all name the same columns, in one statement.

    Measured (see the module docstring), the ledger's three transfers of a capture: 265 us
    against 1,140 us through bulk_create() (gain 794 us), one round trip each; in the ledger's
    transfers_create, a capture 1.55 ms against 3.01 ms and a release 1.68 against 2.59 ms."""
    names = tuple(rows[0])
    sql = _insert_sql(model, names)
    if len(rows) > 1:
        sql += ", " + ", ".join(["(" + ", ".join(["%s"] * len(names)) + ")"] * (len(rows) - 1))
    params: list[Any] = []
    for row in rows:
        params += _prep(model, names, row)
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _insert_rows_returning(model: type[models.Model], rows: list[dict[str, Any]]) -> list[Any]:
    """`insert_rows` reading the new primary keys back, in the rows' order (RETURNING;
    SQLite since 3.35)."""
    names = tuple(rows[0])
    more = ", (" + ", ".join(["%s"] * len(names)) + ")"
    pk = connection.ops.quote_name(model._meta.pk.column)  # type: ignore[union-attr]
    sql = _insert_sql(model, names) + more * (len(rows) - 1) + f" RETURNING {pk}"
    params: list[Any] = []
    for row in rows:
        params += _prep(model, names, row)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [r[0] for r in cur.fetchall()]


def _array_types(model: type[models.Model], names: tuple[str, ...]) -> list[str]:
    """Each column's type as an array element: without its parameters (varchar, not
    varchar(64)), so nothing is cut short on the way in, as Django's own UNNEST insert does.
    The arrays are sent in binary (psycopg's %b): the text form quotes every element with a
    regular expression, which cost the driver 3-14 us an element against 0.5-4 (UUIDs,
    text, times, JSON) on the machine these were measured on; a client-side binding cursor
    makes them literals as it does %s."""
    return [
        (f.db_type(connection) or f.rel_db_type(connection)).split("(")[0]  # type: ignore[attr-defined]
        for f in _fields(model, names)
    ]


# Values that are equal only when they are stored alike. Others (JSON's dicts and lists,
# where 1 == 1.0 == True; decimals of another scale; floats' signed zeros) count as one
# value only when they are the same object.
_PLAIN = frozenset({type(None), bool, int, str, bytes, dt.datetime, dt.date, uuid.UUID})


def _one_value(rows: list[dict[str, Any]], name: str) -> bool:
    first = rows[0][name]
    kind = type(first)
    if kind not in _PLAIN:
        return all(r[name] is first for r in rows)
    return all(type(r[name]) is kind and r[name] == first for r in rows)


def _split(
    names: tuple[str, ...], rows: list[dict[str, Any]], first: str
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the columns sent as arrays, `first` the first of them; the columns that hold one
    value in every row, sent once)."""
    same = tuple(n for n in names if n != first and _one_value(rows, n))
    return (first, *(n for n in names if n != first and n not in same)), same


def _params(
    model: type[models.Model],
    arrays: tuple[str, ...],
    same: tuple[str, ...],
    rows: list[dict[str, Any]],
) -> list[Any]:
    """The values of the columns sent once, then the arrays, each prepared by its field."""
    conn = connections[DEFAULT_DB_ALIAS]
    params: list[Any] = [f.get_db_prep_save(rows[0][f.name], conn) for f in _fields(model, same)]
    params += [[f.get_db_prep_save(r[f.name], conn) for r in rows] for f in _fields(model, arrays)]
    return params


@cache
def _insert_many_sql(
    model: type[models.Model], arrays: tuple[str, ...], same: tuple[str, ...], returning: bool
) -> str:
    q = connection.ops.quote_name
    cols = ", ".join(q(f.column) for f in _fields(model, arrays + same))
    each = ", ".join(f"%b::{t}[]" for t in _array_types(model, arrays))
    once = "".join(f", %b::{t}" for t in _array_types(model, same))
    pk = f" RETURNING {q(model._meta.pk.column)}" if returning else ""  # type: ignore[union-attr]
    return (
        f"INSERT INTO {q(model._meta.db_table)} ({cols}) "  # noqa: S608
        f"SELECT *{once} FROM UNNEST({each}){pk}"
    )


# Up to this many rows, insert_many sends a VALUES list.
SMALL_BATCH = 4


def insert_many(
    model: type[models.Model], rows: list[dict[str, Any]], *, returning: bool = False
) -> list[Any]:
    """INSERT rows that all name the same columns in one statement, whose text does not
    change with the number of rows: on PostgreSQL INSERT ... SELECT FROM UNNEST(an array per
    column), a column that holds one value in every row sent once beside them; elsewhere a
    VALUES list. With `returning`, the rows' new primary keys, in the rows' order (as
    Django's bulk_create reads them); otherwise []. A VALUES list of hundreds of rows has
    thousands of placeholders that the driver parses anew on every call (its text changes
    with the count, so it is neither cached nor prepared), and Django's own UNNEST insert
    sends its arrays as text. Measured on `anxin bench disputes`' deadline batches, where a
    batch of 200 cases writes some 600 queue rows (of 15 columns, 10 the same in every row),
    250 evidence records and history rows and 300 notices: see anxin/disputes/writer.py and
    anxin/notices/services.py. A few rows (a shipment's timer and tracking request) go as a
    VALUES list, whose few shapes the driver keeps: building the arrays costs more than it
    saves below SMALL_BATCH rows."""
    if not rows:
        return []
    if connection.vendor != "postgresql" or len(rows) <= SMALL_BATCH:
        if not returning:
            insert_rows(model, rows)
            return []
        return _insert_rows_returning(model, rows)
    names = tuple(rows[0])
    arrays, same = _split(names, rows, names[0])
    with connection.cursor() as cur:
        cur.execute(
            _insert_many_sql(model, arrays, same, returning), _params(model, arrays, same, rows)
        )
        return [r[0] for r in cur.fetchall()] if returning else []


def update_where(model: type[models.Model], where: dict[str, Any], **values: Any) -> int:
    """UPDATE ... SET values WHERE every `where` column equals its value; returns the rowcount.

    Measured (see the module docstring) against filter(...).update(...), one round trip each:
    an order's transition (status and evidence head) 232 us against 517 us (gain 315 us); a
    payment's transition 246 against 773 (gain 505 us); the sandbox's payment 233 against 760
    (gain 433 us)."""
    names, conds = tuple(values), tuple(where)
    params = _prep(model, names, values) + [
        f.get_db_prep_value(where[f.name], connections[DEFAULT_DB_ALIAS])
        for f in _fields(model, conds)
    ]
    with connection.cursor() as cur:
        cur.execute(_update_sql(model, names, conds), params)
        return cur.rowcount


@cache
def _returning_sql(model: type[models.Model], names: tuple[str, ...]) -> str:
    pk = connection.ops.quote_name(model._meta.pk.column)  # type: ignore[union-attr]
    return _insert_sql(model, names) + f" RETURNING {pk}"


def insert_instance(instance: models.Model) -> None:
    """Save a new model instance with a compiled INSERT of every concrete column, running the
    fields' own pre_save (defaults, auto_now_add). An auto-increment key is read back with
    RETURNING (PostgreSQL; SQLite since 3.35).

    Measured (see the module docstring) against save(force_insert=True), one round trip each:
    a new Order 404 us against 644 us (gain 200 us); a task row (DBTaskResult) 306 against 461
    (gain 155 us); a Payment 327 against 583 (gain 237 us); a SandboxNotification 326 against
    482 (gain 153 us)."""
    model = type(instance)
    fields = model._meta.concrete_fields
    auto = instance.pk is None and isinstance(model._meta.pk, models.AutoField)
    names = tuple(f.name for f in fields if not (auto and f.primary_key))
    values = {n: model._meta.get_field(n).pre_save(instance, add=True) for n in names}  # type: ignore[union-attr]
    if auto:
        with connection.cursor() as cur:
            cur.execute(_returning_sql(model, names), _prep(model, names, values))
            instance.pk = cur.fetchone()[0]
    else:
        insert_rows(model, [values])
    instance._state.adding = False
    instance._state.db = connection.alias


_plans: dict[tuple[type[models.Model], str], tuple[Any, ...]] = {}


def _row_plan(model: type[models.Model], columns: tuple[str, ...]) -> tuple[Any, ...]:
    """How a row with these columns becomes an instance: what RawQuerySet works out on every
    query (which columns are fields, their converters, which are extra), worked out once."""
    where = {c: i for i, c in enumerate(columns)}
    names, positions, extras, converters = [], [], [], []
    # from_db takes the values in the order of the model's fields.
    for field in model._meta.concrete_fields:
        i = where.pop(field.column, None)
        if i is None:
            continue
        names.append(field.attname)
        positions.append(i)
        col = field.get_col(model._meta.db_table)  # type: ignore[attr-defined]
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((i, tuple(found), col))
    extras = sorted(where.items(), key=lambda item: item[1])
    if model._meta.pk.attname not in names:  # type: ignore[union-attr]
        raise ValueError(f"{model.__name__}: the query must select the primary key")
    return tuple(names), tuple(positions), tuple(extras), tuple(converters)


def _plan_of(model: type[models.Model], sql: str, cur: Any) -> tuple[Any, ...]:
    plan = _plans.get((model, sql))
    if plan is None:  # a statement's columns never change: described once
        plan = _plans[(model, sql)] = _row_plan(model, tuple(d[0] for d in cur.description))
    return plan


def _instance(model: type[models.Model], plan: tuple[Any, ...], row: Any) -> Any:
    names, positions, extras, converters = plan
    if converters:
        row = list(row)
        for i, found, col in converters:
            for convert in found:
                row[i] = convert(row[i], col, connection)
    instance = model.from_db(connection.alias, names, [row[p] for p in positions])
    for column, i in extras:
        setattr(instance, column, row[i])
    return instance


def fetch_instance(model: type[models.Model], sql: str, params: list[Any]) -> Any:
    """The first row of `sql` as an instance of `model`, or None: `model.objects.raw(sql)`
    without rebuilding the row's plan on every call. Columns that are not fields of the model
    (computed in the query) become attributes, as raw() makes them.

    Measured (see the module docstring) against raw(sql, params), one round trip each: an
    order's lock (orders.locks.order_lock, the whole call) 300 us against 836 us (gain 454 us);
    a payment by its provider's id with its order's open payments 225 against 476 (gain 267 us);
    the sandbox's payment by id, FOR UPDATE, 296 against 457 (gain 165 us), and against
    select_for_update().get() 907 (gain 617 us)."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
        if row is None:
            return None
        plan = _plan_of(model, sql, cur)
    return _instance(model, plan, row)


def insert_row_returning(model: type[models.Model], **values: Any) -> Any:
    """INSERT one row and return its auto-increment key (RETURNING; SQLite since 3.35).

    Measured (see the module docstring), an evidence Record (evidence.services.append): 258 us
    against 512 us through objects.create().pk (gain 230 us), one round trip each."""
    names = tuple(values)
    with connection.cursor() as cur:
        cur.execute(_returning_sql(model, names), _prep(model, names, values))
        return cur.fetchone()[0]


def insert_two(
    first: type[models.Model], a: dict[str, Any], second: type[models.Model], b: dict[str, Any]
) -> None:
    """INSERT one row into each of two tables: on PostgreSQL in one statement (a
    data-modifying WITH), saving a round trip; elsewhere in two.

    Measured (see the module docstring), an order's history row and evidence record
    (orders.events): 322 us against 976 us through two objects.create() (gain 703 us), one
    round trip against two."""
    if connection.vendor != "postgresql":
        insert_row(first, **a)
        insert_row(second, **b)
        return
    na, nb = tuple(a), tuple(b)
    with connection.cursor() as cur:
        cur.execute(
            _insert_two_sql(first, na, second, nb), _prep(first, na, a) + _prep(second, nb, b)
        )


@cache
def _insert_two_sql(
    first: type[models.Model], na: tuple[str, ...], second: type[models.Model], nb: tuple[str, ...]
) -> str:
    return f"WITH first AS ({_insert_sql(first, na)}) {_insert_sql(second, nb)}"


def insert_two_update(
    first: type[models.Model],
    a: dict[str, Any],
    second: type[models.Model],
    b: dict[str, Any],
    third: type[models.Model],
    where: dict[str, Any],
    **values: Any,
) -> Any:
    """INSERT a row into `first` (returning its key) and one into `second`, and UPDATE the
    `third` rows matching `where`: a history step's evidence record, its event row and the
    head they move. On PostgreSQL in one statement; elsewhere in three.

    Measured (see the module docstring), a dispute's step (disputes.writer): 380 us against
    1,954 us through create(), create() and filter().update() (gain 1,574 us), one round trip
    against three; a party's evidence (dispute_evidence_submit) 4.14 ms against 5.11 ms."""
    if connection.vendor != "postgresql":
        key = insert_row_returning(first, **a)
        insert_row(second, **b)
        update_where(third, where, **values)
        return key
    return _two_inserts_and_update(first, a, second, b, third, where, values, counted=False)


def _two_inserts_and_update(
    first: type[models.Model],
    a: dict[str, Any],
    second: type[models.Model],
    b: dict[str, Any],
    third: type[models.Model],
    where: dict[str, Any],
    values: dict[str, Any],
    *,
    counted: bool,
) -> Any:
    """The one statement of `insert_two_update` (`counted` False: the new key of `first`)
    and of `insert_two_update_count` (True: how many rows the UPDATE changed)."""
    na, nb, nu, nw = tuple(a), tuple(b), tuple(values), tuple(where)
    conn = connections[DEFAULT_DB_ALIAS]
    params = (
        _prep(first, na, a)
        + _prep(second, nb, b)
        + _prep(third, nu, values)
        + [f.get_db_prep_value(where[f.name], conn) for f in _fields(third, nw)]
    )
    sql = _two_inserts_and_update_sql(first, na, second, nb, third, nu, nw, counted)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()[0]


@cache
def _two_inserts_and_update_sql(
    first: type[models.Model],
    na: tuple[str, ...],
    second: type[models.Model],
    nb: tuple[str, ...],
    third: type[models.Model],
    nu: tuple[str, ...],
    nw: tuple[str, ...],
    counted: bool,
) -> str:
    if counted:
        return (
            f"WITH r AS ({_insert_sql(first, na)}), s AS ({_insert_sql(second, nb)}), "  # noqa: S608
            f"u AS ({_update_sql(third, nu, nw)} RETURNING 1) SELECT count(*) FROM u"
        )
    return (
        f"WITH r AS ({_returning_sql(first, na)}), s AS ({_insert_sql(second, nb)}), "  # noqa: S608
        f"u AS ({_update_sql(third, nu, nw)}) SELECT * FROM r"
    )


def insert_two_update_count(
    first: type[models.Model],
    a: dict[str, Any],
    second: type[models.Model],
    b: dict[str, Any],
    third: type[models.Model],
    where: dict[str, Any],
    **values: Any,
) -> int:
    """`insert_two` and `update_where` together: INSERT a row into `first` and one into
    `second`, and UPDATE the `third` rows matching `where`; returns how many rows the UPDATE
    changed. An order's step: its history row, its evidence record and the conditional
    update of its status. On PostgreSQL in one statement, whose parts all run (a caller that
    finds the wrong count raises, and its transaction rolls the rows back, as it would the
    rows of separate statements); elsewhere in three.

    Measured (see the module docstring, but run on 2026-12-04 at a load average of 4-5, where a
    bare SELECT 1 took 130 us of CPU), an order's step (orders.events.order_event_record): 299
    us against 1,312 us through two create() and a filter().update() (gain 1,012 us), one
    round trip against three."""
    if connection.vendor != "postgresql":
        insert_row(first, **a)
        insert_row(second, **b)
        return update_where(third, where, **values)
    return int(_two_inserts_and_update(first, a, second, b, third, where, values, counted=True))


def update_rows(model: type[models.Model], key: str, rows: list[dict[str, Any]]) -> None:
    """UPDATE many rows, each to its own values (every row names the same columns, `key`
    among them): on PostgreSQL one UPDATE ... FROM UNNEST(an array per column), a column
    that holds one value in every row set once, as `insert_many` sends them; elsewhere one
    UPDATE per row. Django's bulk_update builds a CASE per column and row, which costs more
    to compile than the database takes to run it, and a VALUES list has a placeholder per
    value for the driver to parse on every call.

    Measured (see the module docstring) in its earlier form, a VALUES list: a deadline
    batch's 200 cases, 13 columns each (disputes.writer), 16 ms against 667 ms through
    bulk_update() (gain 650 ms), one round trip each, and against 138 ms for one
    filter().update() a row (200 round trips)."""
    if not rows:
        return
    names = (key, *(n for n in rows[0] if n != key))
    if connection.vendor != "postgresql":
        for r in rows:
            update_where(model, {key: r[key]}, **{n: r[n] for n in names[1:]})
        return
    arrays, same = _split(names, rows, key)
    with connection.cursor() as cur:
        cur.execute(_update_rows_sql(model, arrays, same), _params(model, arrays, same, rows))


@cache
def _update_rows_sql(
    model: type[models.Model], arrays: tuple[str, ...], same: tuple[str, ...]
) -> str:
    q = connection.ops.quote_name
    each = ", ".join(f"%b::{t}[]" for t in _array_types(model, arrays))
    cols = ", ".join(q(f.column) for f in _fields(model, arrays))
    sets = [
        f"{q(f.column)} = %b::{t}"
        for f, t in zip(_fields(model, same), _array_types(model, same), strict=True)
    ]
    sets += [f"{q(f.column)} = v.{q(f.column)}" for f in _fields(model, arrays[1:])]
    k = q(_fields(model, arrays[:1])[0].column)
    return (
        f"UPDATE {q(model._meta.db_table)} AS t SET {', '.join(sets)} "  # noqa: S608
        f"FROM UNNEST({each}) AS v({cols}) WHERE t.{k} = v.{k}"
    )
