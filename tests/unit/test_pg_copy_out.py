"""``kit.pg_copy_out``: the same bytes as psycopg's own ``Copy`` iteration, errors raised, and the
connection usable after any failure. Runs against the real server (generated rows, no tables)."""

from __future__ import annotations

import os
import resource
import signal
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from finbatch.kit import pg_copy_out
from finbatch.kit.pg_copy_out import copy_out
from tests.support.databases import postgres_dsn, require_postgres
from tests.support.pg_delay_proxy import DelayingProxy

# text that COPY's CSV quotes (commas, quotes, newlines), of varying length
ROWS_SQL = ("SELECT g, 'line ' || g || CASE WHEN g % 7 = 0 THEN ', \"quoted\"' ELSE '' END || "
            "CASE WHEN g % 11 = 0 THEN E'\\nsecond line' ELSE '' END, repeat('x', g % 50) "
            "FROM generate_series(1, {n}) g ORDER BY g")


@pytest.fixture
def connection() -> Iterator[psycopg.Connection]:
    require_postgres()
    with psycopg.connect(postgres_dsn()) as conn:
        yield conn


@pytest.fixture
def slow_link() -> Iterator[DelayingProxy]:
    """A proxy that holds back the messages after each CopyDone for half a second."""
    require_postgres()
    url = make_url(postgres_dsn())
    proxy = DelayingProxy((url.host or "127.0.0.1", url.port or 5432), delay=0.5)
    yield proxy
    proxy.close()


def _through(proxy: DelayingProxy) -> psycopg.Connection:
    url = make_url(postgres_dsn()).set(host="127.0.0.1", port=proxy.port)
    # no SSL or GSS negotiation: their one-byte answers are not messages the proxy can frame
    return psycopg.connect(url.render_as_string(hide_password=False), sslmode="disable",
                           gssencmode="disable")


@pytest.fixture
def finishes(monkeypatch) -> list[int]:
    """How many times copy_out collected a command's end itself (its fast path met the end)."""
    calls: list[int] = []
    real = pg_copy_out._finish

    def counted(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(pg_copy_out, "_finish", counted)
    return calls


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


QUERY_1000 = f"COPY ({ROWS_SQL.format(n=1000)}) TO STDOUT (FORMAT csv)"


def test_the_end_of_the_command_arriving_after_the_last_row_is_waited_for(slow_link, finishes):
    with _through(slow_link) as conn:
        expected = _psycopg_bytes(conn, QUERY_1000)
        blocks: list[bytes] = []
        started = time.monotonic()
        assert copy_out(conn, QUERY_1000, blocks.append) == 1000
        assert time.monotonic() - started >= 0.5  # it waited for the held-back messages
        assert finishes == [1]
        assert b"".join(blocks) == expected
        assert conn.execute("SELECT 5").fetchone() == (5,)


class Interrupted(Exception):
    pass


def test_an_interruption_while_waiting_for_the_end_leaves_the_connection_usable(slow_link,
                                                                                 finishes):
    def interrupt(signum, frame):
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        with _through(slow_link) as conn:
            signal.setitimer(signal.ITIMER_REAL, 0.2)  # inside the half-second wait
            with pytest.raises(Interrupted):
                copy_out(conn, QUERY_1000, lambda block: None)
            assert finishes == [1]
            conn.rollback()
            assert conn.execute("SELECT 6").fetchone() == (6,)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_the_wait_works_for_a_socket_numbered_past_1024(slow_link, finishes):
    # select() refuses descriptors from 1024 on; a service with many files or connections open
    # gets such sockets
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"this process may open only {hard} files")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    spare = [os.open(os.devnull, os.O_RDONLY) for _ in range(1030)]
    try:
        with _through(slow_link) as conn:
            assert conn.pgconn.socket >= 1024
            assert copy_out(conn, QUERY_1000, lambda block: None) == 1000
            assert finishes == [1]
            assert conn.execute("SELECT 7").fetchone() == (7,)
    finally:
        for fd in spare:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
