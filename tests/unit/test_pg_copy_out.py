"""``kit.pg_copy_out``: the same bytes as psycopg's own ``Copy`` iteration, errors raised, and the
connection usable after any failure. Runs against the real server (generated rows, no tables)."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from finbatch.kit.pg_copy_out import copy_out
from tests.support.databases import postgres_reachable, postgres_required, postgres_url

# text that COPY's CSV quotes (commas, quotes, newlines), of varying length
ROWS_SQL = ("SELECT g, 'line ' || g || CASE WHEN g % 7 = 0 THEN ', \"quoted\"' ELSE '' END || "
            "CASE WHEN g % 11 = 0 THEN E'\\nsecond line' ELSE '' END, repeat('x', g % 50) "
            "FROM generate_series(1, {n}) g ORDER BY g")


@pytest.fixture
def connection() -> Iterator[psycopg.Connection]:
    problem = postgres_reachable()
    if problem is not None:
        if postgres_required():
            pytest.fail(f"PostgreSQL is required but {postgres_url()} is unreachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {postgres_url()}: {problem}")
    dsn = make_url(postgres_url()).set(drivername="postgresql").render_as_string(
        hide_password=False)
    with psycopg.connect(dsn) as conn:
        yield conn


def _psycopg_bytes(conn: psycopg.Connection, query: str) -> bytes:
    with conn.cursor() as cursor, cursor.copy(query) as copy:
        return b"".join(bytes(data) for data in copy)


@pytest.mark.parametrize("n", [0, 1, 3, 100_000])
def test_the_same_bytes_and_rows_as_iterating_psycopgs_copy(connection, n):
    query = f"COPY ({ROWS_SQL.format(n=n)}) TO STDOUT (FORMAT csv)"
    blocks: list[bytes] = []
    rows = copy_out(connection, query, blocks.append, block_bytes=4096)
    assert rows == n
    assert b"".join(blocks) == _psycopg_bytes(connection, query)
    # every block but the last reached the block size, none grew far past it (one row more)
    assert all(4096 <= len(b) < 4096 + 200 for b in blocks[:-1])
    assert connection.execute("SELECT 1").fetchone() == (1,)


def test_an_error_after_some_rows_is_raised_and_the_connection_recovers(connection):
    query = ("COPY (SELECT 1 / (g - 30000) FROM generate_series(1, 40000) g) "
             "TO STDOUT (FORMAT csv)")
    written: list[bytes] = []
    with pytest.raises(psycopg.errors.DivisionByZero):
        copy_out(connection, query, written.append, block_bytes=1024)
    assert written  # rows before the failing one were streamed
    connection.rollback()
    assert connection.execute("SELECT 3").fetchone() == (3,)


def test_a_writer_that_fails_cancels_the_copy_and_the_connection_recovers(connection):
    query = f"COPY ({ROWS_SQL.format(n=500_000)}) TO STDOUT (FORMAT csv)"

    def full_disk(block: bytes) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        copy_out(connection, query, full_disk, block_bytes=1024)
    connection.rollback()
    assert connection.execute("SELECT 4").fetchone() == (4,)
    # and the next COPY on the same connection streams in full
    assert copy_out(connection, f"COPY ({ROWS_SQL.format(n=10)}) TO STDOUT (FORMAT csv)",
                    lambda block: None) == 10
