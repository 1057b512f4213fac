"""The ORM doing what each core.sql function does, with the same signature, and a context
manager that swaps a module's core.sql names for them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def attname(model: Any, name: str) -> str:
    return model._meta.get_field(name).attname


def _attvals(model: Any, values: dict[str, Any]) -> dict[str, Any]:
    # core.sql names foreign keys by field name with the key as value ("order": 5).
    return {attname(model, k): v for k, v in values.items()}


def orm_insert_row(model: Any, **values: Any) -> None:
    model._default_manager.create(**_attvals(model, values))


def orm_insert_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    model._default_manager.bulk_create([model(**_attvals(model, r)) for r in rows])


def orm_insert_row_returning(model: Any, **values: Any) -> Any:
    return model._default_manager.create(**_attvals(model, values)).pk


def orm_insert_row_unless_duplicate(model: Any, **values: Any) -> bool:
    from django.db import IntegrityError, transaction

    try:
        with transaction.atomic():
            model._default_manager.create(**_attvals(model, values))
    except IntegrityError:
        return False
    return True


def orm_update_where(model: Any, where: dict[str, Any], **values: Any) -> int:
    return model._default_manager.filter(**_attvals(model, where)).update(**_attvals(model, values))


def orm_insert_instance(instance: Any) -> None:
    instance.save(force_insert=True)


def orm_insert_instances(instances: list[Any]) -> None:
    type(instances[0])._default_manager.bulk_create(instances)


def orm_insert_many(model: Any, rows: list[dict[str, Any]], *, returning: bool = False) -> list:
    made = model._default_manager.bulk_create([model(**_attvals(model, r)) for r in rows])
    return [m.pk for m in made] if returning else []


def orm_fetch_instance(model: Any, sql: str, params: list[Any]) -> Any:
    return next(iter(model._default_manager.raw(sql, params)), None)


def orm_insert_two(first: Any, a: dict[str, Any], second: Any, b: dict[str, Any]) -> None:
    orm_insert_row(first, **a)
    orm_insert_row(second, **b)


def orm_insert_two_update_count(
    first: Any,
    a: dict[str, Any],
    second: Any,
    b: dict[str, Any],
    third: Any,
    where: dict[str, Any],
    **values: Any,
) -> int:
    orm_insert_two(first, a, second, b)
    return orm_update_where(third, where, **values)


def orm_insert_two_update(
    first: Any,
    a: dict[str, Any],
    second: Any,
    b: dict[str, Any],
    third: Any,
    where: dict[str, Any],
    **values: Any,
) -> Any:
    key = orm_insert_row_returning(first, **a)
    orm_insert_row(second, **b)
    orm_update_where(third, where, **values)
    return key


def orm_update_rows(model: Any, key: str, rows: list[dict[str, Any]]) -> None:
    """bulk_update of instances made from the rows (from_db: the cheapest way to an instance;
    a caller rewritten for the ORM would pass the instances it has, see the statements'
    own measure of update_rows)."""
    if not rows:
        return
    values = {model._meta.get_field(n).attname: n for n in rows[0]}
    order = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    objs = [model.from_db(None, order, [r[values[a]] for a in order]) for r in rows]
    model._default_manager.bulk_update(objs, [n for n in rows[0] if n != key])


ORM = {
    "insert_row": orm_insert_row,
    "insert_rows": orm_insert_rows,
    "insert_row_returning": orm_insert_row_returning,
    "insert_row_unless_duplicate": orm_insert_row_unless_duplicate,
    "update_where": orm_update_where,
    "insert_instance": orm_insert_instance,
    "insert_many": orm_insert_many,
    "fetch_instance": orm_fetch_instance,
    "insert_two": orm_insert_two,
    "insert_two_update": orm_insert_two_update,
    "insert_two_update_count": orm_insert_two_update_count,
    "update_rows": orm_update_rows,
}


@contextmanager
def orm_in(*modules: Any) -> Iterator[None]:
    """Every core.sql name the modules imported replaced by its ORM equivalent."""
    saved = []
    for m in modules:
        for name, fn in ORM.items():
            if hasattr(m, name):
                saved.append((m, name, getattr(m, name)))
                setattr(m, name, fn)
    try:
        yield
    finally:
        for m, name, fn in saved:
            setattr(m, name, fn)
