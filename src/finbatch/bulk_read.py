"""Reading a bounded result in one step of the SQLite driver, for the pages a server renders.

Python's ``sqlite3`` releases the interpreter lock around every ``sqlite3_step``: one release per
row fetched. Alone that costs nothing; in a server whose worker threads all want the lock (16
connections under ``wrk``) each release hands it to another thread, and the hand-off, not the
read, is what a row costs. Measured on the benchmark's data set, a bare Starlette app reading 100
invoices served 971 pages/s to one connection and 238 to sixteen; the same app reading the same
rows as one JSON value (one step) served 1,035 and 964. A page of ``/v1/invoices`` fetched about
320 rows (the invoices, their lines, taxes and settlements), each one such hand-off.

``BulkRead`` runs a Core ``SELECT`` of its columns on SQLite as ``SELECT
json_group_array(json(row)) FROM (SELECT json_array(<the columns>) AS row …)``: one row, one step.
The rows are decoded with orjson and every value goes through the result processor SQLAlchemy
itself would apply to its column, so they equal ``connection.execute(select).all()`` value for
value (tested per column type). The JSON holds what SQLite stores for our types exactly: integers
(money, counts, booleans), text (ids, instants, dates, exact decimals) and null. Columns typed
``Float`` or ``Numeric`` are refused when the read is built: SQLite would print a real with 15
significant digits, not the driver's double.

Order: SQLite's documentation calls an aggregate's input order arbitrary unless the aggregate
names one (``json_group_array(… ORDER BY …)``, from 3.44; the stdlib here links 3.40). What its
planner does is keep a ``FROM``-clause subquery's ``ORDER BY`` when the outer query uses an
aggregate other than ``count``/``min``/``max`` (a rule stated in its ``select.c``) and feed the
aggregate in that order. Not relying on that alone, a read is given an ``order_key``: a function of
a decoded row that never decreases along the select's ``ORDER BY`` (and is unique where a keyset
cursor is taken). Rows that arrive out of that order are not reordered (the limit may already
have cut the wrong row) but read again plainly, and a warning says so. Each key must order as
SQLite orders the stored values: ids (lowercase hex both ways), integers, text in binary
collation; not a decimal stored as text, whose text order is not its numeric one.

PostgreSQL, and a SQLite without its JSON functions, run the select as it is: psycopg receives a
result in one call whatever its number of rows.
"""

from __future__ import annotations

import logging
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from functools import lru_cache
from itertools import pairwise
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Float,
    LargeBinary,
    Numeric,
    Row,
    Select,
    TypeDecorator,
    func,
    select,
)
from sqlalchemy.engine import Connection


@lru_cache(maxsize=256)
def record_type(fields: tuple[str, ...]) -> type[tuple]:
    return namedtuple("Record", fields)


def plain_rows(rows: Sequence[Row[Any]]) -> list[Any]:
    """``rows`` (of one result) as named tuples with the same fields, for code that reads many
    of their attributes: a ``Row`` looks an attribute up by name in about 1 µs (it first checks
    its class for a clashing name), a named tuple in about 30 ns, and rendering a page of
    transactions reads thousands."""
    if not rows:
        return []
    record = record_type(rows[0]._fields)
    return [tuple.__new__(record, row) for row in rows]


#: ``json_array``'s arguments (SQLite's default ``SQLITE_MAX_FUNCTION_ARG`` before 3.48)
MAX_COLUMNS = 127

logger = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _has_json(dbapi: Any) -> bool:
    """Whether the SQLite that the engine's driver module links has the JSON functions."""
    with closing(dbapi.connect(":memory:")) as probe:
        try:
            probe.execute("SELECT json_group_array(json(json_array(1)))").fetchall()
        except dbapi.OperationalError:
            return False
    return True


class BulkRead:
    """The rows of selects of ``columns``, as named tuples (fields named as the columns), in one
    driver step on SQLite. Built once per column list (it prepares each row's JSON array);
    ``rows`` runs a select of them, built with ``select()`` and then filtered, ordered and
    limited as the caller needs. ``BulkRead.of(stmt)`` binds a statement built once, whose
    one-row form is then built once too."""

    def __init__(self, columns: Sequence[ColumnElement[Any]], *,
                 order_key: Callable[[Any], Any] | None = None) -> None:
        self.columns = list(columns)
        if len(self.columns) > MAX_COLUMNS:
            raise TypeError(f"{len(self.columns)} columns: SQLite's json_array takes at most "
                            f"{MAX_COLUMNS}")
        for column in self.columns:
            stored = column.type
            while isinstance(stored, TypeDecorator):
                stored = stored.impl_instance
            if isinstance(stored, (Float, Numeric)):
                raise TypeError(f"column {column.key!r} is {column.type!r}: SQLite's JSON "
                                "would round it")
            if isinstance(stored, LargeBinary):
                raise TypeError(f"column {column.key!r} is {column.type!r}: JSON holds no bytes")
        self.order_key = order_key
        self.record = record_type(tuple(column.key for column in self.columns))
        self._row = func.json_array(*self.columns).label("row")
        self.fixed: tuple[Select[Any], Select[Any]] | None = None

    @classmethod
    def of(cls, stmt: Select[Any], *, order_key: Callable[[Any], Any] | None = None) -> BulkRead:
        read = cls(list(stmt.selected_columns), order_key=order_key)
        read.fixed = (stmt, read.one_row(stmt))
        return read

    def select(self) -> Select[Any]:
        return select(*self.columns)

    def one_row(self, stmt: Select[Any]) -> Select[Any]:
        """``stmt`` (a select of the columns) as one row holding its rows as a JSON array."""
        # each row's array made in the select itself: a subquery of one column is cheap to build
        # (proxying the 26 columns of a page of invoices cost about 1 ms)
        rows = stmt.with_only_columns(self._row, maintain_column_froms=True).subquery()
        # ``json()``: the array's JSON subtype does not cross the subquery, and without it the
        # aggregate would quote each row as a string
        return select(func.json_group_array(func.json(rows.c.row)))

    def rows(self, connection: Connection, stmt: Select[Any] | None = None,
             params: Mapping[str, Any] | None = None, *,
             order_key: Callable[[Any], Any] | None = None,
             descending: bool = False) -> list[Any]:
        """The rows of ``stmt`` (by default the statement of ``of``). ``order_key`` (or the
        read's own) is checked on rows that came as one JSON value: never decreasing along the
        select's order (never increasing if ``descending``), or they are read again plainly."""
        wrapped = None
        if stmt is None:
            if self.fixed is None:
                raise TypeError("no statement to run")
            stmt, wrapped = self.fixed
        dialect = connection.dialect
        if dialect.name != "sqlite" or not _has_json(dialect.dbapi):
            return plain_rows(connection.execute(stmt, params).all())
        if wrapped is None:
            wrapped = self.one_row(stmt)
        rows = self._decode(connection.execute(wrapped, params).scalar_one(), dialect)
        key = order_key or self.order_key
        if key is not None and not _in_order(rows, key, descending):
            logger.warning("SQLite aggregated %d rows of %s out of their order; read again",
                           len(rows), self.record._fields)
            return plain_rows(connection.execute(stmt, params).all())
        return rows

    def _decode(self, text: str, dialect) -> list[Any]:
        values = orjson.loads(text)
        if not values:
            return []
        # converted column by column (one ``map`` each), then zipped back into rows; SQLAlchemy
        # memoizes each type's processor per dialect
        columns = []
        for index, column_def in enumerate(self.columns):
            process = column_def.type._cached_result_processor(dialect, None)
            column = [row[index] for row in values]
            columns.append(list(map(process, column)) if process is not None else column)
        record = self.record
        return [tuple.__new__(record, row) for row in zip(*columns, strict=True)]


def _in_order(rows: list[Any], key: Callable[[Any], Any], descending: bool) -> bool:
    pairs = pairwise(map(key, rows))
    if descending:
        return all(a >= b for a, b in pairs)
    return all(a <= b for a, b in pairs)
