"""``bulk_read.BulkRead`` gives the rows the plain read gives, value for value and in order, for
every column type the schema stores; and ``keyset_page(bulk=…)`` walks the same pages with the
same cursors. On SQLite the rows travel as one JSON value, on PostgreSQL the plain read runs."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from operator import attrgetter

import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    bindparam,
    insert,
    select,
)

from finbatch import bulk_read
from finbatch.bulk_read import BulkRead, plain_rows
from finbatch.kit.ids import uuid7
from finbatch.orm import DecimalText, UTCDateTime, UUIDStr
from finbatch.repository import keyset_page

metadata = MetaData()
samples = Table(
    "bulk_read_samples", metadata,
    Column("id", UUIDStr, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("big", BigInteger),
    Column("label", String(6000)),
    Column("note", Text),
    Column("flag", Boolean),
    Column("day", Date),
    Column("instant", UTCDateTime),
    Column("rate", DecimalText),
    Column("other_id", UUIDStr),
)

TEXTS = ["", "plain", 'a "quoted" word', "back\\slash", "line\nbreak\ttab\r", "\x01\x1f\x7f",
         "café ✓ 🧾 結算", "null", "[1, 2]", "{\"a\": 1}", "007", "1e5", "-0", " spaced ",
         "\u2028\u2029", "x" * 5000]
DECIMALS = ["0", "-0.0001", "1.5", "12345678901234567890.12345678", "100"]
BIG = [0, -1, 2**63 - 1, -(2**63), 10**15 + 1]


def _rows(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for n in range(count):
        rows.append({
            "id": uuid7(), "position": rng.randrange(5), "big": rng.choice(BIG + [None]),
            "label": rng.choice(TEXTS), "note": rng.choice(TEXTS + [None]),
            "flag": rng.choice([True, False, None]),
            "day": rng.choice([date(2026, 2, 28), date(1999, 12, 31), None]),
            "instant": rng.choice([start + timedelta(seconds=n, microseconds=n % 7 * 1001),
                                   start + timedelta(days=n), None]),
            "rate": rng.choice(DECIMALS + [None]), "other_id": rng.choice([uuid7(), None])})
    rng.shuffle(rows)
    return rows


@pytest.fixture
def connection(database):
    metadata.create_all(database.engine)
    with database.engine.begin() as conn:
        conn.execute(insert(samples), _rows(300))
    with database.engine.connect() as conn:
        yield conn


def _plain(connection, stmt, params=None) -> list[tuple]:
    return [tuple(row) for row in connection.execute(stmt, params).all()]


def test_every_column_type_reads_back_as_the_plain_read_gives_it(connection):
    stmt = select(samples).order_by(samples.c.id)
    rows = BulkRead.of(stmt).rows(connection)
    expected = _plain(connection, stmt)
    assert [tuple(row) for row in rows] == expected
    assert len(rows) == 300
    # named like the columns, typed like the plain read's values
    assert rows[0]._fields == tuple(c.key for c in samples.c)
    for got, want in zip(rows, expected, strict=True):
        assert [type(v) for v in got] == [type(v) for v in want]
    assert {row.rate for row in rows} - {None} == {Decimal(d) for d in DECIMALS}
    assert {row.label for row in rows} == set(TEXTS)


def test_the_order_is_the_select_s_own(connection):
    orders = [(samples.c.position.desc(), samples.c.label, samples.c.id),
              (samples.c.label.desc(), samples.c.id.desc()),
              (samples.c.big, samples.c.id)]
    for order in orders:
        stmt = select(samples.c.id, samples.c.position, samples.c.label, samples.c.big).order_by(
            *order)
        assert [tuple(r) for r in BulkRead.of(stmt).rows(connection)] == _plain(connection, stmt)


def test_bound_parameters_and_an_expanding_list_are_passed_through(connection):
    ids = [row.id for row in BulkRead.of(select(samples.c.id).order_by(samples.c.id)).rows(
        connection)][::7]
    stmt = (select(samples.c.id, samples.c.label).where(
        samples.c.position >= bindparam("low"), samples.c.id.in_(bindparam("ids", expanding=True)))
        .order_by(samples.c.id))
    read = BulkRead.of(stmt)
    for low in (0, 3, 9):
        params = {"low": low, "ids": ids}
        assert [tuple(r) for r in read.rows(connection, params=params)] == _plain(connection, stmt,
                                                                            params)
    assert read.rows(connection, params={"low": 9, "ids": ids}) == []


def test_columns_json_cannot_carry_exactly_are_refused():
    class Rate(TypeDecorator):
        impl = Numeric(12, 4)
        cache_ok = True

    for column_type, message in ((Float(), "round"), (Numeric(12, 4), "round"),
                                 (Rate(), "round"), (LargeBinary(), "bytes")):
        table = Table("t", MetaData(), Column("x", column_type))
        with pytest.raises(TypeError, match=message):
            BulkRead([table.c.x])
    wide = Table("w", MetaData(), *[Column(f"c{n}", Integer) for n in range(128)])
    with pytest.raises(TypeError, match="at most 127"):
        BulkRead(list(wide.c))


def test_rows_that_arrive_out_of_order_are_read_again_plainly(connection, monkeypatch, caplog):
    """What a page relies on if an SQLite version ever fed the aggregate out of order: the rows
    are not reordered (a limit may have cut the wrong one) but read again."""
    stmt = select(samples.c.id, samples.c.label).order_by(samples.c.id)
    read = BulkRead.of(stmt, order_key=attrgetter("id"))
    decode = read._decode
    monkeypatch.setattr(read, "_decode", lambda text, dialect: decode(text, dialect)[::-1])
    rows = read.rows(connection)
    assert [tuple(r) for r in rows] == _plain(connection, stmt)
    if connection.dialect.name == "sqlite":
        assert "out of their order" in caplog.text


def test_a_key_whose_python_order_is_not_sqlite_s_still_walks_every_row_once(connection):
    """Decimals stored as text order as text in SQL ("10" < "9") and as numbers once read: the
    check sees the difference and the page is read plainly, so no row is lost or repeated."""
    read = BulkRead([samples.c.rate, samples.c.id])
    stmt = read.select().where(samples.c.rate.is_not(None))
    walks = [_walk(connection, stmt, [samples.c.rate, samples.c.id], bulk,
                   key_of=lambda row: [row.rate, row.id]) for bulk in (None, read)]
    assert walks[0] == walks[1]
    rows = [row for items, _ in walks[1] for row in items]
    assert len(set(rows)) == len(rows) == len(_plain(connection, stmt)) > 10


def _walk(connection, stmt, key, bulk, *, descending=False, key_of=None, limit=3):
    """Every page of a keyset walk, as (rows, next cursor); a walk that does not end fails."""
    pages, cursor = [], None
    for _ in range(1000):
        page = keyset_page(connection, stmt, key=key, cursor=cursor, limit=limit, scalars=False,
                           descending=descending, bulk=bulk, key_of=key_of)
        pages.append(([tuple(r) for r in page.items], page.next_cursor))
        cursor = page.next_cursor
        if cursor is None:
            return pages
    pytest.fail("the walk does not end")


@pytest.mark.parametrize("descending", [False, True])
def test_a_bulk_keyset_walk_gives_the_plain_walk_s_pages_and_cursors(connection, descending):
    read = BulkRead(list(samples.c))
    stmt = read.select().where(samples.c.position < 4)
    walks = [_walk(connection, stmt, [samples.c.id], bulk, descending=descending, limit=17)
             for bulk in (None, read)]
    assert walks[0] == walks[1]
    assert len(walks[0]) > 5
    ids = [row[0] for items, _ in walks[1] for row in items]
    assert len(set(ids)) == len(ids)


def test_a_multi_column_key_walks_by_its_columns_types(connection):
    """The cursor's values are bound as their columns' types: a UUID in an untyped tuple missed
    SQLite's hex storage and the same page came back forever."""
    stmt = select(samples).where(samples.c.position < 4)
    key = [samples.c.position, samples.c.id]
    for descending in (False, True):
        pages = _walk(connection, stmt, key, None, descending=descending, limit=11)
        rows = [row for items, _ in pages for row in items]
        order = sorted(rows, key=lambda r: (r[1], r[0]), reverse=descending)
        assert rows == order
        assert len(rows) == len(_plain(connection, stmt))


def test_a_sqlite_without_json_functions_reads_plainly(connection, monkeypatch):
    monkeypatch.setattr(bulk_read, "_has_json", lambda dbapi: False)
    stmt = select(samples).order_by(samples.c.id)
    assert [tuple(r) for r in BulkRead.of(stmt).rows(connection)] == _plain(connection, stmt)


def test_plain_rows_of_nothing_is_nothing():
    assert plain_rows([]) == []


def test_a_read_without_a_statement_is_refused(connection):
    with pytest.raises(TypeError, match="no statement"):
        BulkRead([samples.c.id]).rows(connection)
