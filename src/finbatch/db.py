"""Database access: engines for SQLite and PostgreSQL, sessions, and the unit of work.

SQLite is the embedded default: WAL journal, foreign keys on, a busy timeout, and ``BEGIN
IMMEDIATE`` for writing transactions so two writers queue on the lock instead of failing with
"database is locked" when a reader upgrades. Reading transactions stay ``BEGIN DEFERRED`` and never
block writers (WAL). PostgreSQL runs READ COMMITTED with explicit row locks where a rule needs them.

One request or one job is one unit of work: services flush but never commit; the API layer (or the
job runner) commits once at the end.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from finbatch.config import Settings
from finbatch.kit.jsonutil import dumps_text, loads

_WRITE_OPTION = "finbatch_write"


def normalise_url(url: str) -> str:
    """Pick our drivers: stdlib ``sqlite3`` and psycopg 3 for PostgreSQL."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def create_db_engine(url: str, *, busy_timeout_ms: int = 30000, pool_size: int = 10) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, busy_timeout_ms)
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True,
                         json_serializer=dumps_text, json_deserializer=loads)


def _sqlite_engine(url: str, busy_timeout_ms: int) -> Engine:
    database = make_url(url).database
    in_memory = database in (None, "", ":memory:")
    engine = create_engine(
        url,
        json_serializer=dumps_text,
        json_deserializer=loads,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        # one connection per thread for files; a single shared connection for :memory:
        **({"poolclass": StaticPool} if in_memory else {"pool_size": 20, "max_overflow": 20}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # take transaction control away from the sqlite3 module so BEGIN is ours to issue
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not in_memory:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class Database:
    """An engine plus two session factories: reading and writing."""

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings = settings
        self.engine = engine or create_db_engine(settings.database_url,
                                                 busy_timeout_ms=settings.sqlite_busy_timeout_ms)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._read = sessionmaker(bind=self.engine, expire_on_commit=False, autoflush=True)
        self._write = sessionmaker(bind=self.engine.execution_options(**{_WRITE_OPTION: True}),
                                   expire_on_commit=False, autoflush=True)

    def read_session(self) -> Session:
        return self._read()

    def write_session(self) -> Session:
        return self._write()

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A writing session committed on success and rolled back on error (CLI, jobs, demo)."""
        session = self.write_session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A reading session; closing it ends the transaction and detaches what it loaded, still
        readable (a rollback would expire it)."""
        session = self.read_session()
        try:
            yield session
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def is_busy_error(exc: BaseException) -> bool:
    """SQLite lock timeouts and PostgreSQL serialization/deadlock failures: retryable, not bugs."""
    if isinstance(exc, OperationalError):
        text = str(exc.orig) if exc.orig is not None else str(exc)
        if "database is locked" in text or "database table is locked" in text:
            return True
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        sqlstate = getattr(exc.orig, "sqlstate", None)
        if sqlstate in ("40001", "40P01", "55P03"):
            return True
    return False


#: How much of a table may have changed since its statistics were taken before a bulk write
#: refreshes them (autovacuum's own default is 10 % + 50 rows, but only on its next round), and,
#: on PostgreSQL, the size of write below which autovacuum is left to it.
STALE_FRACTION = 0.2
STALE_MIN_ROWS = 1_000


def refresh_statistics(session: Session, tables: tuple[str, ...] | dict[str, int],
                       rows: int = 0) -> None:
    """After writing about ``rows`` rows into each of ``tables`` in bulk (an import, a posting),
    or as many as ``tables`` maps each one to.

    Both engines choose plans from statistics, and both go wrong without them: PostgreSQL, whose
    autovacuum refreshes them up to a minute after a write, takes a table that just grew from
    nothing for empty and joins over it with nested loops that scan it once per outer row
    (measured: 0.4 s instead of 0.4 ms for a batch of 2,000); SQLite, which never gathers them by
    itself, walks a whole tenant's journal by primary key instead of one batch's by its index
    (measured: an export of 24 batches 3× slower). On PostgreSQL, tables whose content changed
    by more than ``STALE_FRACTION`` since their last statistics (its own count of changes) are
    analysed now, sampling a bounded number of rows. SQLite counts no changes, so there a table
    is analysed when this one write adds more than ``STALE_FRACTION`` of the rows it had at its
    last analysis; it reads the table's indexes (a sampled ``analysis_limit`` sees only the first
    tenant's keys and gets the estimates it exists for wrong). Growth by a fifth at a time keeps
    the number of analyses logarithmic in a table's size. SQLite's rule lets statistics lag a
    table grown by many writes each smaller than a fifth of it (the benchmark's journal of
    273,126 lines holds statistics of 45,544): the proportions between its keys, which is what
    SQLite plans from, stay those of the same kind of data.
    """
    written = tables if isinstance(tables, dict) else dict.fromkeys(tables, rows)
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        written = {name: n for name, n in written.items() if n > 0}
        if not written:
            return
        # A table never analysed (reltuples -1) is analysed whatever the write's size: plans
        # made without statistics stay cached in each connection, and one of them (the journal
        # lines' foreign-key check) then reads every entry of the tenant per line. Below the
        # minimum, autovacuum catches up with small writes to a table that has statistics.
        stale = [name for name, tuples, changed in session.execute(text(
            "SELECT c.relname, c.reltuples, coalesce(s.n_mod_since_analyze, 0) FROM pg_class c "
            "LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = ANY(:names) "
            "AND c.relnamespace = to_regnamespace(current_schema())"), {"names": list(written)})
            if tuples < 0 or (written[name] >= STALE_MIN_ROWS
                              and written[name] + changed > STALE_FRACTION * tuples)]
        if stale:
            session.execute(text("ANALYZE " + ", ".join(sorted(stale))))
        return
    known = _sqlite_analysed_rows(session)
    # No minimum size on SQLite: it never gathers statistics by itself, so a table growing by
    # small writes would keep none (or a tiny table's) forever. Analysing when a write adds a
    # fifth of the table costs, amortised, a constant per row written.
    stale = [name for name, n in written.items()
             if n > 0 and (name not in known or n > STALE_FRACTION * known[name])]
    for name in sorted(stale):
        session.execute(text(f"ANALYZE {name}"))


def ensure_statistics(session: Session, tables: tuple[str, ...]) -> None:
    """Analyse those of ``tables`` that have never been analysed, before a job that reads them
    in bulk (a posting reads transactions with their lines, taxes and customers).

    Their data may be minutes old, written row by row through the API, which leaves statistics to
    autovacuum (PostgreSQL, within a minute) or to nobody (SQLite). Planned without any, a
    posting's read of a chunk joined each transaction to every customer of the tenant on
    PostgreSQL (measured: 0.4 s per chunk of 2,000 with 2,000 customers, growing with them).
    Tables with statistics, even stale ones, are left as they are: a plan from old statistics
    still knows the table's keys are selective.
    """
    never = never_analysed(session, tables)
    if not never:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE " + ", ".join(sorted(never))))
        return
    for name in sorted(never):
        session.execute(text(f"ANALYZE {name}"))


def never_analysed(session: Session, tables: tuple[str, ...]) -> set[str]:
    """Those of ``tables`` the database has no statistics for (SQLite keeps none of an empty
    table, however often it is analysed)."""
    if session.get_bind().dialect.name == "postgresql":
        return {name for (name,) in session.execute(text(
            "SELECT c.relname FROM pg_class c WHERE c.relname = ANY(:names) AND c.reltuples < 0 "
            "AND c.relnamespace = to_regnamespace(current_schema())"), {"names": list(tables)})}
    return set(tables) - set(_sqlite_analysed_rows(session))


def _sqlite_analysed_rows(session: Session) -> dict[str, int]:
    """Row counts of the tables SQLite has statistics for, as of their last analysis."""
    if not session.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        return {}
    # each of a table's rows there starts with its row count when it was analysed
    return {name: int(stat.split()[0]) for name, stat in session.execute(text(
        "SELECT tbl, stat FROM sqlite_stat1"))}
