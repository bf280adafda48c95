"""The tenant-scoped repository base and keyset paging.

Every query of tenant-owned data goes through a repository bound to one tenant, so a missing
``WHERE tenant_id = …`` cannot happen by omission. Pages are keyset pages over a unique ordering:
rows are never skipped or repeated while other rows are inserted or deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Connection, Select, Uuid, inspect, literal, select, tuple_
from sqlalchemy.orm import Session

from finbatch.bulk_read import BulkRead, plain_rows
from finbatch.kit.cursors import CursorError, decode_cursor, encode_cursor
from finbatch.kit.errors import BadRequest, NotFound
from finbatch.kit.ids import is_uuid

M = TypeVar("M")
T = TypeVar("T")

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def after_key(columns: Sequence[ColumnElement[Any]], values: Sequence[Any],
              descending: bool = False) -> ColumnElement[bool]:
    """``(c1, c2, …) > (v1, v2, …)`` (or ``<``), spelled so both engines use the index."""
    if len(columns) == 1:
        return columns[0] < values[0] if descending else columns[0] > values[0]
    # each value bound as its column's type: an untyped tuple binds plain strings, and a UUID
    # then missed SQLite's hex storage (a page of a multi-column key came back again and again)
    bound = tuple_(*[literal(value, column.type)
                     for column, value in zip(columns, values, strict=True)])
    if descending:
        return tuple_(*columns) < bound
    return tuple_(*columns) > bound


def keyset_page(session: Session | Connection, stmt: Select[Any], *,
                key: Sequence[ColumnElement[Any]],
                cursor: str | None, limit: int, key_of: Any = None,
                descending: bool = False, scalars: bool = True,
                bulk: BulkRead | None = None) -> Page[Any]:
    """Run ``stmt`` ordered by the unique ``key`` columns from after ``cursor``.

    ``key_of(row)`` returns the key values of a row (by default the attributes named like the
    key columns). Raises ``BadRequest`` for a cursor this server did not produce. A Core
    statement may run on the session's ``Connection``, skipping the ORM's execution layer; one
    built from ``bulk.select()`` may give ``bulk``, and its rows then come as named tuples read
    in one driver step (``bulk_read``).
    """
    if cursor:
        try:
            values = decode_cursor(cursor, arity=len(key))
        except CursorError as exc:
            raise BadRequest("the cursor is not valid", code="INVALID_CURSOR") from exc
        # a forged cursor must not bind a non-UUID to a UUID column (a database error, not a 400)
        for column, value in zip(key, values, strict=True):
            if isinstance(column.type, Uuid) and not (isinstance(value, str) and is_uuid(value)):
                raise BadRequest("the cursor is not valid", code="INVALID_CURSOR")
        stmt = stmt.where(after_key(key, values, descending))
    order = [c.desc() for c in key] if descending else list(key)
    stmt = stmt.order_by(*order).limit(limit + 1)
    key_values = key_of or (lambda row: [getattr(row, c.key) for c in key])
    if bulk is not None:
        if scalars or not isinstance(session, Connection):
            raise TypeError("a bulk read takes a Core statement on a Connection")
        rows = bulk.rows(session, stmt, order_key=key_of or attrgetter(*(c.key for c in key)),
                         descending=descending)
    else:
        result = session.execute(stmt)
        # all() fetches the rows in one call (iterating fetches them one at a time, ~5 % slower)
        rows = result.scalars().all() if scalars else result.all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if has_more and rows:
        values = key_values(rows[-1])
        next_cursor = encode_cursor([v if isinstance(v, int) else str(v) for v in values])
    return Page(rows, next_cursor)


def uuid_ids(ids) -> list[str]:
    """The ids that can name a UUID-keyed record (others match nothing, and must not reach a
    ``uuid`` cast in PostgreSQL, where they would be an error instead of a miss)."""
    return [i for i in dict.fromkeys(ids) if isinstance(i, str) and is_uuid(i)]


class TenantRepository(Generic[M]):
    """Queries over one model, always within one tenant. Subclasses add their own queries."""

    model: type[M]
    #: What the record is called in error messages.
    noun: str = "record"

    def __init__(self, session: Session, tenant_id: int) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def scoped(self) -> Select[Any]:
        return select(self.model).where(self.model.tenant_id == self.tenant_id)  # type: ignore[attr-defined]

    def _key(self, record_id: Any) -> tuple | None:
        """The primary key for ``record_id``, or ``None`` when it cannot name a record (a
        malformed UUID must be a 404, not a database error)."""
        parts = list(record_id if isinstance(record_id, tuple) else (record_id,))
        columns = inspect(self.model).primary_key[1:]
        for index, (column, value) in enumerate(zip(columns, parts, strict=False)):
            if isinstance(column.type, Uuid):
                if not (isinstance(value, str) and is_uuid(value)):
                    return None
                # SQLite keeps the hex as given, PostgreSQL compares uuids: 'ABC…' must find
                # 'abc…' on both
                parts[index] = value.lower()
        return (self.tenant_id, *parts)

    def get(self, record_id: Any) -> M | None:
        key = self._key(record_id)
        return self.session.get(self.model, key) if key else None

    def get_for_update(self, record_id: Any) -> M | None:
        """The record with a row lock held until commit (a no-op on SQLite, whose writers are
        serialised by ``BEGIN IMMEDIATE``)."""
        key = self._key(record_id)
        if key is None:
            return None
        return self.session.get(self.model, key, with_for_update=True, populate_existing=True)

    def require(self, record_id: Any, *, for_update: bool = False) -> M:
        record = self.get_for_update(record_id) if for_update else self.get(record_id)
        if record is None:
            raise NotFound(f"{self.noun} '{record_id}' was not found")
        return record

    def add(self, record: M) -> M:
        if getattr(record, "tenant_id", None) != self.tenant_id:
            raise ValueError("record belongs to another tenant")
        self.session.add(record)
        self.session.flush()
        return record


__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Page", "TenantRepository", "after_key", "keyset_page",
           "plain_rows", "uuid_ids"]
