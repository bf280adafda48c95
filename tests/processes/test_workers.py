"""Real worker processes: several draining one queue, and one killed in the middle of a posting."""

from __future__ import annotations

import signal
from datetime import date

import pytest
from sqlalchemy import func, select, text

from finbatch.batches import service as batches
from finbatch.batches.service import Actor
from finbatch.counters import TenantCounter
from finbatch.jobs import queue
from finbatch.jobs.models import Job
from finbatch.ledger import posting
from finbatch.ledger.models import JournalEntry, JournalLine, PostingRun
from tests.conftest import make_tenant
from tests.support.processes import start_worker, stop, wait_for
from tests.support.volume import invoices, ledger_ready_tenant

pytestmark = pytest.mark.slow


def test_four_workers_drain_2000_jobs_each_exactly_once(engine_name, database, database_url, tmp_path):
    if engine_name != "postgresql":
        pytest.skip("concurrent claiming by several processes is the PostgreSQL scale-out mode")
    tenant = make_tenant(database, "drain")
    with database.unit_of_work() as session:
        ids = [queue.enqueue(session, tenant_id=tenant.id, kind="probe", payload={}, actor="test").id
               for _ in range(2000)]
    workers = [start_worker(database_url, tmp_path / f"worker{n}.log", concurrency=2)
               for n in range(4)]
    try:
        def drained() -> bool:
            with database.reading() as session:
                return session.execute(select(func.count()).select_from(Job).where(
                    Job.status != "succeeded")).scalar_one() == 0
        wait_for(drained, timeout=240, interval=0.5, message="2,000 jobs to succeed")
    finally:
        for worker in workers:
            stop(worker)
    with database.reading() as session:
        attempts = session.execute(select(Job.attempts, func.count()).group_by(Job.attempts)).all()
        counts = dict(session.execute(select(TenantCounter.name, TenantCounter.value).where(
            TenantCounter.name.like("probe:%"))).all())
        owners = session.execute(select(func.count(func.distinct(Job.locked_by)))).scalar_one()
    assert attempts == [(1, 2000)]
    assert len(counts) == 2000 and set(counts.values()) == {1}, "a job ran more than once"
    assert set(counts) == {f"probe:{i}" for i in ids}
    assert owners >= 4, "the work was not shared between the processes"


def test_a_worker_killed_mid_posting_is_resumed_without_loss_or_duplicates(
        database, database_url, tmp_path):
    count = 100_000
    handle = make_tenant(database, "crash")
    tenant = ledger_ready_tenant(database, handle.id)
    batch_id = invoices(database, tenant, count, day=date(2026, 3, 5))
    with database.unit_of_work() as session:
        batch = batches.require_batch(session, tenant.id, batch_id, for_update=True)
        batches.apply_action(session, tenant, batch, "close", Actor("test"))
        job_id = posting.start_posting(session, tenant, batch, Actor("test")).id

    def done() -> int:
        with database.reading() as session:
            return session.get(Job, (tenant.id, job_id)).progress_done

    first = start_worker(database_url, tmp_path / "first.log")
    try:
        wait_for(lambda: done() >= count // 5, timeout=300, message="a fifth of the posting")
        first.send_signal(signal.SIGKILL)
        first.wait()
    finally:
        stop(first)
    killed_at = done()
    assert 0 < killed_at < count, "the worker was not stopped mid-way"
    second = start_worker(database_url, tmp_path / "second.log")
    try:
        def finished() -> bool:
            with database.reading() as session:
                return session.get(Job, (tenant.id, job_id)).status in ("succeeded", "failed")
        wait_for(finished, timeout=600, interval=0.5, message="the resumed posting")
    finally:
        stop(second)
    with database.reading() as session:
        job = session.get(Job, (tenant.id, job_id))
        assert (job.status, job.attempts) == ("succeeded", 2), job.last_error
        assert batches.require_batch(session, tenant.id, batch_id).status == "posted"
        entries = session.execute(select(func.count(), func.count(func.distinct(JournalEntry.source_id)))
                                  .where(JournalEntry.batch_id == batch_id)).one()
        assert tuple(entries) == (count, count), "an entry is missing or doubled"
        runs = session.execute(select(PostingRun.status, func.count()).where(
            PostingRun.batch_id == batch_id).group_by(PostingRun.status)).all()
        assert runs == [("complete", 1)]
        orphans = session.execute(text(
            "SELECT count(*) FROM journal_lines l LEFT JOIN journal_entries e "
            "ON e.tenant_id = l.tenant_id AND e.id = l.entry_id WHERE e.id IS NULL")).scalar()
        assert orphans == 0
        debit, credit = session.execute(select(func.sum(JournalLine.debit), func.sum(JournalLine.credit))).one()
        assert debit == credit
