"""Posting AP batches: one balanced journal entry per matched supplier invoice (SPEC §5).

Each invoice debits its distribution lines' GL accounts (expense, inventory, capital equipment),
the tax and shipping it was charged (its own GL codes, else the ``ap_invoice`` rules' ``tax_expense``
and ``expense``), credits a discount to its discount account and the payable to its offset account
(else the rules' ``payable``); use tax the buyer accrues itself is debited to tax expense and
credited to the accrual account. A ``Return`` order's invoice is negative throughout, which turns
every side round. Amounts are in the tenant's base currency; entries are dated by the invoice and
fall in that date's fiscal period (which must be open).

The job works like AR posting (``ledger.posting``): chunks commit with a checkpoint, entries count
only once the run is complete, a failure removes what the run wrote. An AP batch can be posted once
it is ``Queued`` or ``Exported``; a posted batch takes no more invoices.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import islice
from typing import Any

from sqlalchemy.orm import Session

from finbatch import counters
from finbatch.batches.service import Actor
from finbatch.db import ensure_statistics, refresh_statistics
from finbatch.events.service import record_change
from finbatch.fiscal import service as fiscal
from finbatch.fiscal.models import FiscalPeriod
from finbatch.jobs import queue
from finbatch.jobs.models import Job
from finbatch.jobs.worker import JobContext, Permanent, register
from finbatch.kit.clock import utcnow
from finbatch.kit.errors import Conflict, FieldError, ValidationFailed
from finbatch.kit.ids import uuid7
from finbatch.ledger.entries import Leg, Missing, entry_row, line_rows
from finbatch.ledger.journal_repository import JOURNAL_TABLES, JournalRepository
from finbatch.ledger.models import PostingRun
from finbatch.ledger.rules import RuleBook
from finbatch.payables.models import ApBatch
from finbatch.payables.posting_source import PayableInvoice, batch_invoices
from finbatch.payables.repository import ApBatchRepository
from finbatch.tenancy.auth import TenantContext

POSTABLE = ("Queued", "Exported")
CHUNK = 500
SYSTEM = Actor("system:posting")
KIND = "ap_invoice"
#: What a posting reads (``payables.repository.invoice_view`` and the invoices' lines): analysed
#: first when never analysed, as an AR posting does (``posting.SOURCE_TABLES``), so that the
#: chunks of a tenant's first posting are not planned as if these tables were empty.
SOURCE_TABLES = ("matched_invoices", "matched_invoice_lines", "purchase_orders", "vendors",
                 "vendor_remit_tos", "facilities", "locations", "ap_codes", "ap_batches",
                 "gl_accounts")


def ap_legs(invoice: PayableInvoice, book: RuleBook) -> tuple[list[Leg], list[Missing]]:
    legs: list[Leg] = []
    missing: list[Missing] = []

    def leg(amount: int, debit: bool, role: str, code: str | None, description: str) -> None:
        if amount == 0:
            return
        account = book.by_code.get(code) if code else book.account(KIND, role)
        if account is None or not account.is_active:
            missing.append(Missing(KIND, role, account_code=code))
            return
        # a negative amount (a return) posts to the other side
        legs.append(Leg(account, debit if amount > 0 else not debit, abs(amount), description, role))

    for line in invoice.lines:
        leg(line.amount, True, "expense", line.gl_code, line.description or f"Line {line.line_no}")
    leg(invoice.tax_amount, True, "tax_expense", invoice.tax_expense_gl_code, "Tax")
    leg(invoice.shipping_amount, True, "expense", invoice.shipping_gl_code, "Shipping")
    leg(invoice.discount_amount, False, "expense", invoice.discount_gl_code, "Discount")
    leg(invoice.payable_amount, False, "payable", invoice.offset_gl_code, "Accounts payable")
    leg(invoice.use_tax_amount, True, "tax_expense", invoice.tax_expense_gl_code, "Use tax")
    leg(invoice.use_tax_amount, False, "tax_payable", invoice.tax_accrual_gl_code, "Use tax accrual")
    return legs, missing


def _lock_batch(session: Session, tenant_id: int, batch_id: str) -> ApBatch:
    return ApBatchRepository(session, tenant_id).require(batch_id, for_update=True)


def start_ap_posting(session: Session, tenant: TenantContext, batch_id: str, actor: Actor) -> Job:
    """Queue the posting of an AP batch; refuses a batch that is not Queued or Exported, is
    empty, is posted already, or names accounts the chart does not have."""
    batch = _lock_batch(session, tenant.id, batch_id)
    if batch.posted_at is not None or batch.posting_job_id is not None:
        raise Conflict(f"AP batch '{batch.batch_no}' is posted already", code="ALREADY_POSTED")
    if batch.status not in POSTABLE:
        raise Conflict(f"AP batch '{batch.batch_no}' is {batch.status}: submit it (Queued) before "
                       "posting it", code="BATCH_NOT_POSTABLE")
    book = RuleBook.load(session, tenant.id)
    count, gaps = 0, set()
    for invoice in batch_invoices(session, tenant_id=tenant.id, batch_id=batch.id):
        count += 1
        gaps.update(ap_legs(invoice, book)[1])
    if count == 0:
        raise Conflict(f"AP batch '{batch.batch_no}' holds no invoice", code="BATCH_EMPTY")
    if gaps:
        described = "; ".join(sorted(g.describe() for g in gaps))
        raise ValidationFailed(
            f"posting refused: GL configuration is missing for {described}",
            code="GL_CONFIGURATION_MISSING",
            errors=[FieldError(f"{g.kind}.{g.role}", g.describe(), "missing_configuration")
                    for g in sorted(gaps, key=Missing.describe)])
    job_id = uuid7()
    JournalRepository(session, tenant.id).add_run(PostingRun(
        tenant_id=tenant.id, id=job_id, batch_id=batch.id, batch_kind="ap", kind="post",
        status="running", entry_count=0, created_by=actor.name, started_at=utcnow()))
    batch.posting_job_id = job_id
    session.flush()
    return queue.enqueue(session, tenant_id=tenant.id, kind="post_ap_batch", job_id=job_id,
                         payload={"ap_batch_id": batch.id, "run_id": job_id}, actor=actor.name,
                         total=count)


class PostApBatch:
    def run(self, ctx: JobContext) -> dict[str, Any]:
        tid = ctx.tenant.id
        batch_id, run_id = ctx.payload["ap_batch_id"], ctx.payload["run_id"]
        after, done = ctx.checkpoint, ctx.done
        with ctx.db.unit_of_work() as session:
            ensure_statistics(session, SOURCE_TABLES)
        while True:
            with ctx.db.unit_of_work() as session:
                invoices = list(islice(batch_invoices(session, tenant_id=tid, batch_id=batch_id,
                                                      after=after), CHUNK))
                if not invoices:
                    break
                book = RuleBook.load(session, tid)
                first = counters.allocate(session, tid, "journal", len(invoices))
                entries, lines = [], []
                now = utcnow()
                # a period is a calendar month: looked up (and share-locked until this chunk
                # commits) once per month the chunk's invoices fall in, not once per invoice
                periods: dict[tuple[int, int], FiscalPeriod] = {}
                for offset, invoice in enumerate(invoices):
                    legs, missing = ap_legs(invoice, book)
                    if missing:
                        raise Permanent(f"AP invoice {invoice.invoice_no}: {missing[0].describe()}")
                    month = (invoice.invoice_date.year, invoice.invoice_date.month)
                    period = periods.get(month)
                    if period is None:
                        period = periods[month] = fiscal.period_for(
                            session, tenant_id=tid, start_month=ctx.tenant.fiscal_year_start_month,
                            day=invoice.invoice_date, actor=SYSTEM.name)
                    if period.status == "closed":
                        raise Permanent(f"AP invoice {invoice.invoice_no} is dated in closed period "
                                        f"{period.fiscal_year_id}/{period.number}")
                    entry_id = uuid7()
                    lines += line_rows(tid, entry_id, legs, [leg.amount for leg in legs])
                    description = f"AP invoice {invoice.invoice_no} {invoice.vendor_name}"
                    entries.append(entry_row(
                        tenant_id=tid, id=entry_id, number=first + offset, run_id=run_id,
                        batch_id=batch_id, batch_kind="ap", source_kind=KIND,
                        source_id=invoice.invoice_id, entry_date=invoice.invoice_date,
                        fiscal_year_id=period.fiscal_year_id, fiscal_period=period.number,
                        currency=invoice.currency, fx_rate=Decimal(1), description=description,
                        party_id=invoice.vendor_id, party_name=invoice.vendor_name,
                        created_at=now))
                JournalRepository(session, tid).write(lines, entries)
                after, done = invoices[-1].invoice_id, done + len(invoices)
                ctx.progress(session, done=done, checkpoint=after)
        with ctx.db.unit_of_work() as session:
            journal = JournalRepository(session, tid)
            written = journal.count_in_run(run_id)
            journal.set_run(run_id, status="complete", entry_count=written, finished_at=utcnow())
            batch = _lock_batch(session, tid, batch_id)
            batch.posted_at = utcnow()
            session.flush()
            record_change(session, tenant_id=tid, type="created", record_kind="journal",
                          record_id=batch_id, actor=SYSTEM.name,
                          data={"ap_batch_id": batch_id, "run_id": run_id, "entries": written})
        with ctx.db.unit_of_work() as session:
            # every entry has two lines at least
            refresh_statistics(session, dict(zip(JOURNAL_TABLES, (written, 2 * written), strict=True)))
        return {"ap_batch_id": batch_id, "entries": written}

    def give_up(self, ctx: JobContext, error: str) -> None:
        with ctx.db.unit_of_work() as session:
            journal = JournalRepository(session, ctx.tenant.id)
            journal.remove_run(ctx.payload["run_id"])
            journal.set_run(ctx.payload["run_id"], status="failed", finished_at=utcnow())
            batch = _lock_batch(session, ctx.tenant.id, ctx.payload["ap_batch_id"])
            batch.posting_job_id = None  # it may be corrected and posted again
            session.flush()


register("post_ap_batch", PostApBatch())
