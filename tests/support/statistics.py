"""Which tables the database has planner statistics for."""

from __future__ import annotations

from sqlalchemy import text

from finbatch import db


def never_analysed(database, tables: tuple[str, ...]) -> set[str]:
    """Those of ``tables`` never analysed (SQLite keeps no statistics of an empty table)."""
    with database.reading() as session:
        return db.never_analysed(session, tables)


def empty_tables(database, tables: tuple[str, ...]) -> set[str]:
    """Those of ``tables`` without a row: SQLite can keep no statistics of them."""
    with database.reading() as session:
        return {name for name in tables
                if session.execute(text(f"SELECT count(*) FROM {name}")).scalar_one() == 0}
