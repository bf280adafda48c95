"""How a posting reads the journal while it writes it: by index from its first chunk on, even in a
database whose journal has never had statistics (PostgreSQL plans from them, and caches the plans
of its foreign-key checks in each connection)."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import text

from finbatch.batches import service as batches
from finbatch.batches.service import Actor
from finbatch.jobs.handlers import Worker
from finbatch.ledger import posting
from tests.conftest import make_tenant
from tests.support.statistics import empty_tables, never_analysed
from tests.support.volume import close_and_post, invoices, ledger_ready_tenant


def _rows_read(database, table: str, *, at_least: int = 0) -> int:
    """Rows of ``table`` read so far by sequential and index scans, all connections together,
    once the count has reached ``at_least`` (or after 10 s)."""
    database.dispose()  # a backend reports its counters as it ends, shortly after the close
    deadline = time.monotonic() + 10
    while True:
        with database.reading() as session:
            read = session.execute(text(
                "SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM "
                "pg_stat_user_tables WHERE relname = :t"), {"t": table}).scalar_one()
        database.dispose()
        if read >= at_least or time.monotonic() > deadline:
            return read
        time.sleep(0.1)


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_a_first_posting_reads_each_entry_a_few_times_not_once_per_line(engine_name, database):
    """Regression: a tenant's first posting of 60,000 invoices took 9 minutes on PostgreSQL. Each
    line's foreign key to its entry is checked at commit with a plan made while
    ``journal_entries`` had no statistics, which walked the tenant's entries by another index, so
    each chunk read every entry written before it once per line (quadratic). The journal's
    statistics are now refreshed as a posting writes it; 10,000 invoices post in 1.5 s instead of
    14 s."""
    tenant = ledger_ready_tenant(database, make_tenant(database, "firstpost").id)
    entries = 3 * posting.CHUNK
    batch_id = invoices(database, tenant, entries, day=date(2026, 3, 5))
    with database.unit_of_work() as session:
        batch = batches.require_batch(session, tenant.id, batch_id, for_update=True)
        batches.apply_action(session, tenant, batch, "close", Actor("test"))
        posting.start_posting(session, tenant, batch, Actor("test"))
    before = _rows_read(database, "journal_entries")
    Worker(database).drain()
    # each line's foreign-key check reads its entry: two reads per entry at least, once reported
    read = _rows_read(database, "journal_entries", at_least=before + 2 * entries) - before
    with database.reading() as session:
        assert batches.require_batch(session, tenant.id, batch_id).status == "posted"
    # the lines' checks (two per entry), the balance check and the run's count: a few reads per
    # entry; the quadratic plan read 36,000,000 rows here
    assert 2 * entries <= read <= 10 * entries, \
        f"{read:,} rows of journal_entries read to post {entries:,}"


def test_a_posting_analyses_the_tables_it_reads_that_never_were(database):
    """Regression: customers written moments before a posting had no statistics on PostgreSQL,
    and each chunk's read joined every transaction to every customer of the tenant (0.4 s per
    chunk of 2,000 with 2,000 customers, growing with them)."""
    tenant = ledger_ready_tenant(database, make_tenant(database, "fresh").id)
    batch_id = invoices(database, tenant, 30, day=date(2026, 3, 5))
    # the chart of accounts, written through the API, has none yet (the import that wrote the
    # invoices analysed the customers it refers to)
    assert "gl_accounts" in never_analysed(database, posting.SOURCE_TABLES)
    close_and_post(database, tenant, batch_id)
    empty = empty_tables(database, posting.SOURCE_TABLES)  # SQLite keeps no statistics of them
    assert never_analysed(database, posting.SOURCE_TABLES) <= empty
    assert {"gl_accounts", "customers"}.isdisjoint(empty)
