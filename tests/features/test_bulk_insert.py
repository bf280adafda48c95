"""``bulk.BulkInsert`` stores exactly what the ORM's own insert stores, across the SQLite
statements it splits a write into, and fails like any insert: SQLAlchemy's exception classes, and
nothing of the unit of work left behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DataError, IntegrityError

from finbatch.bulk import ROWS_PER_PART, BulkInsert
from finbatch.kit.ids import uuid7
from finbatch.receivables.models import Customer

COLUMNS = ("tenant_id", "id", "code", "name", "email", "external_ref", "created_at", "modified_at",
           "version")
#: more than two full SQLite statements and a partial one
COUNT = 2 * ROWS_PER_PART + 7


def _rows(tenant_id: int, prefix: str, count: int = COUNT) -> list[tuple]:
    start = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    return [(tenant_id, uuid7(), f"{prefix}{n:05d}", f"Member {n}", None if n % 3 else f"m{n}@x.org",
             f"{prefix}-ref-{n}" if n % 2 else None, start + timedelta(seconds=n),
             (start + timedelta(seconds=n)).astimezone(UTC), n % 4 + 1) for n in range(count)]


def _stored(session, tenant_id: int, prefix: str) -> list[tuple]:
    """The rows as the database holds them, without the id (each write makes its own)."""
    return [tuple(row) for row in session.execute(text(
        "SELECT code, name, email, external_ref, created_at, modified_at, version FROM customers "
        "WHERE tenant_id = :t AND code LIKE :p ORDER BY code"),
        {"t": tenant_id, "p": f"{prefix}%"})]


def _unprefixed(row: tuple) -> tuple:
    code, name, email, ref, *rest = row
    return (code[1:], name, email, ref and ref[2:], *rest)


def test_bulk_rows_are_stored_as_the_orm_stores_them(database, tenant):
    bulk_rows = _rows(tenant.id, "B")
    with database.unit_of_work() as session:
        written = BulkInsert(session, Customer.__table__, COLUMNS).write(bulk_rows)
        session.execute(insert(Customer), [dict(zip(COLUMNS, row, strict=True))
                                           for row in _rows(tenant.id, "O")])
    assert written == COUNT
    with database.reading() as session:
        bulk, orm = _stored(session, tenant.id, "B"), _stored(session, tenant.id, "O")
        ids = session.query(Customer.code, Customer.id).filter(
            Customer.tenant_id == tenant.id, Customer.code.like("B%")).all()
    assert len(bulk) == COUNT
    # every value as the ORM stores it (codes and references differ by their prefix only)
    assert [_unprefixed(row) for row in bulk] == [_unprefixed(row) for row in orm]
    # each row's identifier reads back as written, in its canonical form
    assert dict(ids) == {row[2]: row[1] for row in bulk_rows}


def test_a_bad_row_fails_the_write_like_any_insert_and_leaves_nothing(database, tenant):
    rows = _rows(tenant.id, "D")
    # a duplicate code in the second statement, after a first one went through
    rows[ROWS_PER_PART + 3] = (tenant.id, uuid7(), *rows[5][2:])
    with pytest.raises(IntegrityError), database.unit_of_work() as session:
        BulkInsert(session, Customer.__table__, COLUMNS).write(rows)
    with database.reading() as session:
        assert _stored(session, tenant.id, "D") == []


def test_a_row_of_the_wrong_width_is_refused(database, tenant):
    rows = _rows(tenant.id, "W", 3)
    rows[1] = rows[1][:-1]
    with pytest.raises((ValueError, DataError)), database.unit_of_work() as session:
        BulkInsert(session, Customer.__table__, COLUMNS).write(rows)
    with database.reading() as session:
        assert _stored(session, tenant.id, "W") == []
