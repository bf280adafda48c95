"""Which tables the database has planner statistics for."""

from __future__ import annotations

from sqlalchemy import text


def never_analysed(database, tables: tuple[str, ...]) -> set[str]:
    """Those of ``tables`` never analysed (SQLite keeps no statistics of an empty table)."""
    with database.reading() as session:
        if database.is_sqlite:
            has_stats = session.execute(text(
                "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first()
            analysed = {name for (name,) in session.execute(text(
                "SELECT tbl FROM sqlite_stat1"))} if has_stats else set()
            return set(tables) - analysed
        return {name for (name,) in session.execute(text(
            "SELECT relname FROM pg_class WHERE relname = ANY(:t) AND reltuples < 0 AND "
            "relnamespace = to_regnamespace(current_schema())"), {"t": list(tables)})}
