"""The schema: built by the migrations, equal to the models, tenant-first everywhere."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from finbatch.migrate import current_revision, head_revision
from finbatch.schema import BRIDGE_TABLES, GLOBAL_TABLES, metadata


def test_migrations_reach_head(database):
    assert current_revision(database.engine) == head_revision()


def test_models_and_migrations_agree(database):
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_tenant_id_leads_every_key_and_index(database):
    inspector = inspect(database.engine)
    tables = set(inspector.get_table_names()) - {"alembic_version"}
    assert tables == set(metadata.tables), "the database and the models list different tables"
    problems = []
    for table in sorted(tables - GLOBAL_TABLES):
        columns = [c["name"] for c in inspector.get_columns(table)]
        if "tenant_id" not in columns:
            problems.append(f"{table}: no tenant_id column")
            continue
        pk = inspector.get_pk_constraint(table)["constrained_columns"]
        indexes = inspector.get_indexes(table)
        uniques = inspector.get_unique_constraints(table)
        if table in BRIDGE_TABLES:
            if pk[0] != "tenant_id" and not any(ix["column_names"][0] == "tenant_id" for ix in indexes):
                problems.append(f"{table}: bridge table without a tenant-first key or index")
            continue
        if pk[0] != "tenant_id":
            problems.append(f"{table}: primary key {pk} does not start with tenant_id")
        for index in indexes:
            if index["column_names"][0] != "tenant_id":
                problems.append(f"{table}: index {index['name']} {index['column_names']}")
        for unique in uniques:
            if unique["column_names"][0] != "tenant_id":
                problems.append(f"{table}: unique {unique['name']} {unique['column_names']}")
        for fk in inspector.get_foreign_keys(table):
            referred = fk["referred_table"]
            if referred not in GLOBAL_TABLES and "tenant_id" not in fk["constrained_columns"]:
                problems.append(f"{table}: foreign key to {referred} without tenant_id")
    assert not problems, "\n".join(problems)


def test_an_upgraded_sqlite_database_keeps_statistics_for_its_new_indexes(tmp_path):
    """A database analysed before migration 0009 gets statistics for the index 0009 adds: SQLite
    plans with what it has, and an index without any looked cheaper than a key lookup (a page's
    settlements scanned the tenant's transactions through it)."""
    from finbatch.db import create_db_engine
    from finbatch.migrate import upgrade

    engine = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0008")
        with closing(sqlite3.connect(tmp_path / "old.db")) as raw:  # foreign keys off
            raw.execute(_one_row("ar_transactions", raw))  # statistics exist for a table with rows
            raw.execute("ANALYZE")
            raw.commit()
        upgrade(engine)
        with engine.connect() as conn:
            analysed = {idx for (idx,) in conn.execute(text("SELECT idx FROM sqlite_stat1"))}
    finally:
        engine.dispose()
    assert "ix_ar_transactions_tenant_id_batch_id_id" in analysed


def _one_row(table: str, conn) -> str:
    """An INSERT of one row with a plain value in each required column (foreign keys off)."""
    values = {"kind": "'invoice'", "currency": "'USD'", "fx_rate": "'1'"}
    required = [(name, kind.upper()) for _, name, kind, notnull, default, _ in conn.execute(
        f"PRAGMA table_info({table})") if notnull and default is None]
    for name, kind in required:
        values.setdefault(name, "1" if "INT" in kind or "BOOL" in kind else
                          "'2026-01-01'" if kind == "DATE" else
                          "'2026-01-01 00:00:00'" if "DATETIME" in kind else "'x'")
    names = [name for name, _ in required]
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(values[n] for n in names)})"
