"""Row helpers the domains share: a column read as a mapping, a row claimed by a conditional
``UPDATE`` and reloaded, a backlog's size (a row added unless a concurrent writer added it
first: :func:`hireflow.core.db.add_or_find`) and a row in an answer's shape."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Update, func, inspect, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hireflow.core.db import Base, changed_one

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")
ModelT = TypeVar("ModelT", bound=BaseModel)
RowT = TypeVar("RowT", bound=Base)


def value_map(
    session: Session,
    key: InstrumentedAttribute[K],
    value: InstrumentedAttribute[V],
    ids: Iterable[K],
    *where: ColumnElement[bool],
) -> dict[K, V]:
    """``{key: value}`` of the rows whose ``key`` is one of ``ids`` (and that match ``where``),
    e.g. candidate names by id; no query when there are no ids."""
    wanted = set(ids)
    if not wanted:
        return {}
    stmt = select(key, value).where(key.in_(wanted), *where)
    return dict(session.execute(stmt).all())


def claim(session: Session, stmt: Update, model: type[T], row_id: Any) -> T | None:
    """Run ``stmt``, a conditional ``UPDATE`` that moves one row out of a waiting state, and
    return that row reloaded; ``None`` (the transaction rolled back) when it matched no row
    because another worker claimed it first (:func:`hireflow.core.db.changed_one`)."""
    if not changed_one(session, stmt):
        return None
    row = session.get(model, row_id, populate_existing=True)  # one SELECT, identity map or not
    assert row is not None
    return row


def count_and_oldest(
    session: Session, waiting_since: InstrumentedAttribute[Any], *where: ColumnElement[bool]
) -> tuple[int, datetime | None]:
    """How many rows match ``where`` and the earliest ``waiting_since`` among them (a
    ``health.py`` backlog probe)."""
    count, oldest = session.execute(
        select(func.count(), func.min(waiting_since)).where(*where)
    ).one()
    return int(count or 0), oldest


def company_row(
    session: Session, model: type[RowT], tenant_id: int, **defaults: Any
) -> tuple[RowT, bool]:
    """The company's one row of ``model`` (its settings, its policy), and True when it had none:
    then a new row (with ``defaults``) is added to the session, to be saved with the change."""
    if [column.name for column in inspect(model).primary_key] == ["tenant_id"]:
        row = session.get(model, tenant_id)
    else:
        row = session.scalars(select(model).where(model.tenant_id == tenant_id)).first()  # type: ignore[attr-defined]
    if row is not None:
        return row, False
    row = model(tenant_id=tenant_id, **defaults)
    session.add(row)
    return row, True


def shaped(schema: type[ModelT], row: object, **given: Any) -> ModelT:
    """``row`` in the answer's shape ``schema``: each field is the row's attribute of the same
    name, unless it is ``given`` (a renamed column, a value worked out or read elsewhere)."""
    return schema.model_validate(
        {name: given[name] if name in given else getattr(row, name) for name in schema.model_fields}
    )
