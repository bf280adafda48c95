"""Posting and unposting batches (SPEC §4–§5).

Design:
- ``start_posting`` (any API, in the caller's unit of work): the lifecycle moves the batch to
  ``posting``, a ``PostingRun`` and the ``post_batch`` job are written in the same transaction.
  Missing GL configuration is refused here, before any line exists (the preview's own check).
- The job writes one balanced entry per postable transaction, in chunks of ``CHUNK``. Each chunk
  commits its entries together with the job's checkpoint (the last transaction id), so a worker
  killed mid-way is followed by one that resumes exactly there: no entry twice, none missing.
- Entries are visible only through a ``complete`` run: the final step checks the count (one entry
  per transaction), completes the run and moves the batch to ``posted`` in one transaction. A
  failure removes the run's entries (their lines go with them) and moves the batch to ``error``
  with ``errors[]`` naming the transaction.
- ``start_unposting``: a batch never exported loses its journal; an exported one keeps it and gets
  reversing entries (dated the unposting day, in its open period), which the next export carries.
  The batch returns to ``closed`` when the job completes.
Voided and zero-amount transactions post nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finbatch import counters
from finbatch.batches import lifecycle
from finbatch.batches import service as batches
from finbatch.batches.models import ARBatch
from finbatch.batches.repository import BatchRepository
from finbatch.batches.service import Actor
from finbatch.db import ensure_statistics, refresh_statistics
from finbatch.events.service import record_change
from finbatch.fiscal import service as fiscal
from finbatch.jobs import queue
from finbatch.jobs.models import Job
from finbatch.jobs.worker import JobContext, Permanent, register
from finbatch.kit.clock import business_date, utcnow
from finbatch.kit.errors import Conflict, FieldError, ValidationFailed
from finbatch.kit.gcpause import collector_paused
from finbatch.kit.ids import uuid7
from finbatch.ledger.entries import (
    Leg,
    Missing,
    base_amounts,
    entry_row,
    legs_for,
    line_rows,
)
from finbatch.ledger.journal_repository import (
    JOURNAL_TABLES,
    JournalRepository,
    PostingSourceRepository,
)
from finbatch.ledger.models import PostingRun
from finbatch.ledger.rules import Account, RuleBook
from finbatch.tenancy.auth import TenantContext

CHUNK = 2000
#: What a posting reads in bulk (and ``gl_accounts``, which its lines' foreign keys look up).
SOURCE_TABLES = ("ar_transactions", "ar_lines", "ar_tax_lines", "customers", "gl_accounts")
SYSTEM = Actor("system:posting")
POSTABLE_FROM = lifecycle.ACTIONS["post"][0]

#: Checks that say whether a batch's journal has left finbatch (the export engine adds its own).
EXPORT_CHECKS: list[Callable[[Session, ARBatch], bool]] = []


def was_exported(session: Session, batch: ARBatch) -> bool:
    if batch.status == "downloaded" or batch.downloaded_at is not None:
        return True
    return any(check(session, batch) for check in EXPORT_CHECKS)


# --- preview -------------------------------------------------------------------------------------

def preview(session: Session, tenant: TenantContext, batch_ids: list[str],
            business_unit_id: str | None = None) -> dict[str, Any]:
    """What posting ``batch_ids`` would do: missing configuration, ineligible batches (and why),
    batches that would post. Reads only distinct needs, not every transaction. With
    ``business_unit_id``, a batch of another business unit is ineligible."""
    found = {b.id: b for b in BatchRepository(session, tenant.id).many(list(dict.fromkeys(batch_ids)))}
    missing = missing_configuration(session, tenant.id, list(found))
    ineligible, to_post = [], []
    for batch_id in dict.fromkeys(batch_ids):
        batch = found.get(batch_id)
        if batch is None:
            ineligible.append({"id": batch_id, "name": None, "reason": "no such batch"})
            continue
        reason = _ineligible_reason(session, batch)
        if business_unit_id is not None and batch.business_unit_id != business_unit_id:
            reason = f"it belongs to business unit {batch.business_unit_id}"
        gaps = [m for m, ids in missing.items() if batch_id in ids]
        if reason is None and gaps:
            reason = "missing GL configuration: " + "; ".join(sorted(m.describe() for m in gaps))
        if reason:
            ineligible.append({"id": batch.id, "name": batch.name, "reason": reason})
        else:
            to_post.append({"id": batch.id, "name": batch.name, "date": batch.date.isoformat()})
    products = PostingSourceRepository(session, tenant.id).products(list(found))
    return {
        "products": products,
        "products_without_financial_configuration": sorted(
            {m.product for m in missing if m.product and m.role in ("revenue", "deferred_revenue")}),
        "missing_configuration": [
            {"kind": m.kind, "role": m.role, "product": m.product, "commerce_type": m.commerce_type,
             "business_unit_id": m.business_unit_id, "account_code": m.account_code,
             "description": m.describe(), "batch_ids": sorted(ids)}
            for m, ids in sorted(missing.items(), key=lambda item: item[0].describe())],
        "ineligible_batches": ineligible,
        "batches_to_post": to_post,
    }


def missing_configuration(session: Session, tenant_id: int,
                          batch_ids: list[str]) -> dict[Missing, set[str]]:
    """The configuration gaps of posting ``batch_ids`` (existing batches), each with the batches
    it concerns: the preview's core, and all that ``start_posting`` needs of it."""
    book = RuleBook.load(session, tenant_id)
    missing: dict[Missing, set[str]] = {}
    for batch_id, probe in PostingSourceRepository(session, tenant_id).needs(batch_ids):
        for gap in legs_for(probe, book)[1]:
            missing.setdefault(gap, set()).add(batch_id)
    return missing


def _ineligible_reason(session: Session, batch: ARBatch) -> str | None:
    if batch.status not in POSTABLE_FROM:
        hint = {"open": "close it first", "posting": "a posting is running",
                "posted": "it is already posted", "downloaded": "it is already posted",
                "archived": "it is archived"}.get(batch.status, "")
        return f"the batch is {batch.status}" + (f": {hint}" if hint else "")
    if fiscal.is_period_closed(session, batch.tenant_id, batch.fiscal_year_id, batch.fiscal_period):
        return f"fiscal period {batch.fiscal_year_id}/{batch.fiscal_period} is closed"
    return None


# --- posting -------------------------------------------------------------------------------------

def start_posting(session: Session, tenant: TenantContext, batch: ARBatch, actor: Actor) -> Job:
    """Move ``batch`` (locked by the caller) to ``posting`` and queue its job, refusing missing
    GL configuration before anything is written."""
    lifecycle.check("post", batch.status)
    batches.require_period_open(session, batch)
    # only the preview's configuration check: the lifecycle and the period were checked above,
    # and its other parts (the batches read again, their products) would be read for nothing
    gaps = sorted(missing_configuration(session, tenant.id, [batch.id]), key=Missing.describe)
    if gaps:
        raise ValidationFailed(
            "posting refused: GL configuration is missing for " + "; ".join(g.describe() for g in gaps),
            code="GL_CONFIGURATION_MISSING",
            errors=[FieldError(f"{g.kind}.{g.role}", g.describe(), "missing_configuration")
                    for g in gaps])
    job_id = uuid7()
    batches.apply_action(session, tenant, batch, "post", actor, internal=True,
                         posting_workflow_execution_id=job_id)
    JournalRepository(session, tenant.id).add_run(PostingRun(
        tenant_id=tenant.id, id=job_id, batch_id=batch.id, kind="post", status="running",
        entry_count=0, created_by=actor.name, started_at=utcnow()))
    total = PostingSourceRepository(session, tenant.id).postable_count(batch.id)
    return queue.enqueue(session, tenant_id=tenant.id, kind="post_batch", job_id=job_id,
                         payload={"batch_id": batch.id, "run_id": job_id}, actor=actor.name,
                         total=total)


class PostingFailure(Permanent):
    """A transaction that cannot be posted; ``detail`` goes into the batch's ``errors[]``."""

    def __init__(self, message: str, detail: dict[str, Any]) -> None:
        super().__init__(message)
        self.detail = detail


class PostBatch:
    """The ``post_batch`` job."""

    def run(self, ctx: JobContext) -> dict[str, Any]:
        tid = ctx.tenant.id
        batch_id, run_id = ctx.payload["batch_id"], ctx.payload["run_id"]
        after, done, lines_written = ctx.checkpoint, ctx.done, 0
        with ctx.db.unit_of_work() as session:
            batch = batches.require_batch(session, tid, batch_id)
            period = (batch.fiscal_year_id, batch.fiscal_period)
            ensure_statistics(session, SOURCE_TABLES)
        while True:
            # the chunk's objects die with _write_chunk's frame, inside the pause (kit.gcpause)
            with collector_paused():
                chunk = self._write_chunk(ctx, batch_id, run_id, period, after, done)
            if chunk is None:
                break
            after, done, lines = chunk
            lines_written += lines
        with ctx.db.unit_of_work() as session:
            journal = JournalRepository(session, tid)
            written = journal.count_in_run(run_id)
            expected = PostingSourceRepository(session, tid).postable_count(batch_id)
            if written != expected:
                raise Permanent(f"posting wrote {written} entries for {expected} transactions")
            journal.set_run(run_id, status="complete", entry_count=written, finished_at=utcnow())
            batch = batches.require_batch(session, tid, batch_id, for_update=True)
            batches.apply_action(session, ctx.tenant, batch, "finish_posting", SYSTEM, internal=True)
            record_change(session, tenant_id=tid, type="created", record_kind="journal",
                          record_id=batch_id, actor=SYSTEM.name,
                          data={"batch_id": batch_id, "run_id": run_id, "entries": written})
            ctx.progress(session, done=expected, total=expected)
        with ctx.db.unit_of_work() as session:
            # every entry has two lines at least
            refresh_statistics(session, dict(zip(JOURNAL_TABLES, (written, 2 * written), strict=True)))
        return {"batch_id": batch_id, "entries": written}

    def _write_chunk(self, ctx: JobContext, batch_id: str, run_id: str, period: tuple[str, int],
                     after: str | None, done: int) -> tuple[str, int, int] | None:
        """Post the next ``CHUNK`` transactions after ``after`` and commit them with the job's
        checkpoint; returns the new checkpoint, the count done and the lines written, or
        ``None`` when none are left."""
        tid = ctx.tenant.id
        with ctx.db.unit_of_work() as session:
            sources = PostingSourceRepository(session, tid).chunk(batch_id, after_id=after,
                                                                  limit=CHUNK)
            if not sources:
                return None
            book = RuleBook.load(session, tid)
            first = counters.allocate(session, tid, "journal", len(sources))
            entries, lines = [], []
            now = utcnow()
            for offset, src in enumerate(sources):
                legs, missing = legs_for(src, book)
                if missing:
                    raise PostingFailure(
                        f"{src.label}: {missing[0].describe()}",
                        {"error_message": missing[0].describe(), "transaction_id": src.id,
                         "transaction_type": src.kind})
                entry_id = uuid7()
                lines += line_rows(tid, entry_id, legs, base_amounts(
                    legs, src.currency, src.fx_rate, ctx.tenant.base_currency))
                entries.append(entry_row(
                    tenant_id=tid, id=entry_id, number=first + offset, run_id=run_id,
                    batch_id=batch_id, source_kind=src.kind, source_id=src.id,
                    entry_date=src.date, fiscal_year_id=period[0], fiscal_period=period[1],
                    currency=src.currency, fx_rate=src.fx_rate, description=src.label,
                    party_id=src.party_id, party_name=src.party_name or None,
                    created_at=now))
            try:
                JournalRepository(session, tid).write(lines, entries)
                after, done = sources[-1].id, done + len(sources)
                ctx.progress(session, done=done, checkpoint=after)
                session.flush()
            except IntegrityError as exc:  # the balance guard said no: a bug, not bad luck
                raise Permanent(f"the journal guard refused an entry: {exc.orig}") from exc
        return after, done, len(lines)

    def give_up(self, ctx: JobContext, error: str) -> None:
        tid = ctx.tenant.id
        batch_id, run_id = ctx.payload["batch_id"], ctx.payload["run_id"]
        detail = ctx.failure or {"error_message": error, "transaction_id": None,
                                 "transaction_type": None}
        with ctx.db.unit_of_work() as session:
            journal = JournalRepository(session, tid)
            journal.remove_run(run_id)
            journal.set_run(run_id, status="failed", finished_at=utcnow())
            batch = batches.require_batch(session, tid, batch_id, for_update=True)
            if batch.status == "posting":
                batches.apply_action(session, ctx.tenant, batch, "fail_posting", SYSTEM,
                                     internal=True, errors=[detail])


# --- unposting -----------------------------------------------------------------------------------

def start_unposting(session: Session, tenant: TenantContext, batch: ARBatch, actor: Actor) -> Job:
    """Queue the unposting of a posted batch (locked by the caller); it returns to ``closed``
    when the job completes."""
    lifecycle.check("unpost", batch.status)
    batches.require_period_open(session, batch)
    if batch.unposting_workflow_execution_id:
        running = session.get(Job, (tenant.id, batch.unposting_workflow_execution_id))
        if running is not None and running.status in ("queued", "running"):
            raise Conflict(f"batch {batch.id} is being unposted already", code="UNPOSTING_RUNNING")
    job_id = uuid7()
    mode = "reverse" if was_exported(session, batch) else "remove"
    if mode == "reverse":
        JournalRepository(session, tenant.id).add_run(PostingRun(
            tenant_id=tenant.id, id=job_id, batch_id=batch.id, kind="reverse", status="running",
            entry_count=0, created_by=actor.name, started_at=utcnow()))
    batches.set_execution(session, batch, "unposting_workflow_execution_id", job_id, actor)
    return queue.enqueue(session, tenant_id=tenant.id, kind="unpost_batch", job_id=job_id,
                         payload={"batch_id": batch.id, "run_id": job_id, "mode": mode},
                         actor=actor.name)


class UnpostBatch:
    """The ``unpost_batch`` job."""

    def run(self, ctx: JobContext) -> dict[str, Any]:
        tid = ctx.tenant.id
        batch_id, run_id, mode = ctx.payload["batch_id"], ctx.payload["run_id"], ctx.payload["mode"]
        reversed_count = 0
        if mode == "reverse":
            reversed_count = self._reverse(ctx, batch_id, run_id)
        with ctx.db.unit_of_work() as session:
            journal = JournalRepository(session, tid)
            removed = 0
            if mode == "remove":
                removed = journal.remove_batch_journal(batch_id)
            else:
                journal.set_run(run_id, status="complete", entry_count=journal.count_in_run(run_id),
                                finished_at=utcnow())
            batch = batches.require_batch(session, tid, batch_id, for_update=True)
            batches.apply_action(session, ctx.tenant, batch, "unpost", SYSTEM, internal=True)
            record_change(session, tenant_id=tid, type="deleted" if mode == "remove" else "updated",
                          record_kind="journal", record_id=batch_id, actor=SYSTEM.name,
                          data=None if mode == "remove" else
                          {"batch_id": batch_id, "run_id": run_id, "reversing_entries": reversed_count})
        return {"batch_id": batch_id, "mode": mode, "removed_entries": removed,
                "reversing_entries": reversed_count}

    def _reverse(self, ctx: JobContext, batch_id: str, run_id: str) -> int:
        tid = ctx.tenant.id
        after, done = ctx.checkpoint, ctx.done
        day = business_date(utcnow(), ctx.tenant.timezone)
        while True:
            with ctx.db.unit_of_work() as session:
                period = fiscal.period_for(session, tenant_id=tid,
                                           start_month=ctx.tenant.fiscal_year_start_month,
                                           day=day, actor=SYSTEM.name)
                if period.status == "closed":
                    raise Permanent(f"the reversal date {day} falls in closed period "
                                    f"{period.fiscal_year_id}/{period.number}")
                journal = JournalRepository(session, tid)
                originals = journal.unreversed(batch_id, after_id=after, limit=CHUNK)
                if not originals:
                    return done
                first = counters.allocate(session, tid, "journal", len(originals))
                lines_of = journal.raw_lines([e.id for e in originals])
                entries, lines = [], []
                now = utcnow()
                for offset, original in enumerate(originals):
                    entry_id = uuid7()
                    legs = [Leg(Account(line.account_id, "", "", True), line.txn_debit > 0,
                                line.txn_debit or line.txn_credit, line.description, line.role)
                            for line in lines_of[original.id]]
                    base = [line.debit or line.credit for line in lines_of[original.id]]
                    lines += line_rows(tid, entry_id, legs, base, reverse=True)
                    entries.append(entry_row(
                        tenant_id=tid, id=entry_id, number=first + offset, run_id=run_id,
                        batch_id=batch_id, batch_kind=original.batch_kind,
                        source_kind=original.source_kind, source_id=original.source_id,
                        entry_date=day, fiscal_year_id=period.fiscal_year_id,
                        fiscal_period=period.number, currency=original.currency,
                        fx_rate=original.fx_rate,
                        description=f"Reversal of {original.description}",
                        party_id=original.party_id, party_name=original.party_name,
                        reverses_entry_id=original.id, created_at=now))
                journal.write(lines, entries)
                after, done = originals[-1].id, done + len(originals)
                ctx.progress(session, done=done, checkpoint=after)

    def give_up(self, ctx: JobContext, error: str) -> None:
        tid = ctx.tenant.id
        with ctx.db.unit_of_work() as session:
            journal = JournalRepository(session, tid)
            if ctx.payload["mode"] == "reverse":
                journal.remove_run(ctx.payload["run_id"])
                journal.set_run(ctx.payload["run_id"], status="failed", finished_at=utcnow())
            batch = batches.require_batch(session, tid, ctx.payload["batch_id"], for_update=True)
            batches.record_error(session, batch, {"error_message": f"unposting failed: {error}",
                                                  "transaction_id": None, "transaction_type": None})


def _post_action(session: Session, tenant: TenantContext, batch: ARBatch, actor: Actor) -> ARBatch:
    start_posting(session, tenant, batch, actor)
    return batch


def _unpost_action(session: Session, tenant: TenantContext, batch: ARBatch, actor: Actor) -> ARBatch:
    start_unposting(session, tenant, batch, actor)
    return batch


register("post_batch", PostBatch())
register("unpost_batch", UnpostBatch())
batches.ACTION_HANDLERS["post"] = _post_action
batches.ACTION_HANDLERS["unpost"] = _unpost_action
