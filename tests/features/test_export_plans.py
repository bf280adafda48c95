"""How an export reads the journal: each batch's entries through that batch's own posting runs,
never through every run of the tenant (PostgreSQL plans the join from statistics that a tenant's
first posting took, when it had one run)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from finbatch.batches.service import Actor
from finbatch.exports import service as exports
from finbatch.exports.repository import ExportRepository
from finbatch.jobs.handlers import Worker
from tests.conftest import make_tenant
from tests.support.volume import close_and_post, invoices, ledger_ready_tenant

ACTOR = Actor("test")
BATCHES = 6
PER_BATCH = 300


def _entries_read(session) -> int:
    """Rows of journal_entries this connection has read and not yet reported."""
    return session.execute(text(
        "SELECT seq_tup_read + idx_tup_fetch FROM pg_stat_xact_user_tables "
        "WHERE relname = 'journal_entries'")).scalar_one()


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_planning_an_export_reads_each_batch_entries_not_every_run(engine_name, database):
    """Regression: requesting an export counted each batch's entries by walking every complete
    run of the tenant and all their entries (the statistics said one run): 17 ms a batch at
    100,000 entries, growing with the tenant, so 24 batches took 0.4 s before the file began.
    The tables here are small enough to scan whole, so scans are off: the planner then shows
    which index it walks."""
    tenant = ledger_ready_tenant(database, make_tenant(database, "exportplans").id)
    batch_ids = [invoices(database, tenant, PER_BATCH, day=date(2026, month, 5), seed=month)
                 for month in range(1, BATCHES + 1)]
    for batch_id in batch_ids:  # the first posting analyses posting_runs, holding one run
        close_and_post(database, tenant, batch_id)
    with database.unit_of_work() as session:  # the journal's statistics are current
        session.execute(text("ANALYZE journal_entries"))
    with database.reading() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        before = _entries_read(session)
        repository = ExportRepository(session, tenant.id)
        marks = [repository.journal_mark(batch_id) for batch_id in batch_ids]
        read = _entries_read(session) - before
    assert [count for _, count in marks] == [PER_BATCH] * BATCHES
    # each batch's count reads its entries, and its last entry one more; through every run,
    # each count read all the tenant's entries
    assert read <= BATCHES * (PER_BATCH + 1), f"{read:,} rows of journal_entries read"


def test_an_export_of_many_batches_writes_every_line(database):
    tenant = ledger_ready_tenant(database, make_tenant(database, "exportmany").id)
    batch_ids = [invoices(database, tenant, 40, day=date(2026, month, 5), seed=month)
                 for month in range(1, BATCHES + 1)]
    for batch_id in batch_ids:
        close_and_post(database, tenant, batch_id)
    with database.unit_of_work() as session:
        export, created = exports.request_export(session, tenant, batch_ids=batch_ids,
                                                 fmt="gl-csv", actor=ACTOR)
    assert created
    Worker(database).drain()
    with database.reading() as session:
        done = ExportRepository(session, tenant.id).require(export.id)
    assert (done.status, done.row_count) == ("complete", 2 * 40 * BATCHES)
