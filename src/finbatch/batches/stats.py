"""Batch statistics, derived from the batch's transactions.

Every change to a batch's contents adjusts ``ar_batch_stats`` in the same database transaction
(an atomic ``count = count + n`` upsert), so reads cost one small query however large the batch.
``recompute`` rebuilds them from ``ar_transactions`` with one set-based statement; bulk loads use
it, and the tests use it to prove the maintained numbers equal the exact sums of the parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from finbatch.batches.models import ARBatchStat
from finbatch.receivables.models import KINDS, ARTransaction

#: kind → (Rhythm count key, Rhythm total key)
STAT_KEYS: dict[str, tuple[str, str]] = {
    "invoice": ("number_of_invoices", "invoice_total"),
    "payment": ("number_of_payments", "payment_total"),
    "refund": ("number_of_refunds", "refund_total"),
    "credit": ("number_of_credits", "credit_total"),
    "credit_memo": ("number_of_credit_memos", "credit_memo_total"),
    "debit_memo": ("number_of_debit_memos", "debit_memo_total"),
    "write_off": ("number_of_write_offs", "write_off_total"),
}


@dataclass(slots=True)
class BatchStats:
    """Counts and amounts (minor units) per transaction kind."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    amounts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def count(self) -> int:
        """Rhythm's ``count``: payments + refunds."""
        return self.counts["payment"] + self.counts["refund"]

    @property
    def total(self) -> int:
        """Rhythm's ``total``: payments − refunds."""
        return self.amounts["payment"] - self.amounts["refund"]

    @property
    def transactions(self) -> int:
        return sum(self.counts.values())


def contribution(txn: ARTransaction) -> tuple[int, int]:
    """What one transaction adds to its batch's statistics (a voided invoice adds nothing)."""
    return (0, 0) if txn.is_void else (1, txn.amount)


def adjust(session: Session, tenant_id: int, batch_id: str, kind: str, count: int,
           amount: int) -> None:
    if count == 0 and amount == 0:
        return
    insert_ = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = ARBatchStat.__table__
    session.execute(
        insert_(table).values(tenant_id=tenant_id, batch_id=batch_id, kind=kind, count=count,
                              amount=amount)
        .on_conflict_do_update(index_elements=[table.c.tenant_id, table.c.batch_id, table.c.kind],
                               set_={"count": table.c.count + count,
                                     "amount": table.c.amount + amount}))


def add(session: Session, txn: ARTransaction) -> None:
    count, amount = contribution(txn)
    adjust(session, txn.tenant_id, txn.batch_id, txn.kind, count, amount)


def remove(session: Session, txn: ARTransaction) -> None:
    count, amount = contribution(txn)
    adjust(session, txn.tenant_id, txn.batch_id, txn.kind, -count, -amount)


def of_batches(session: Session, tenant_id: int, batch_ids: list[str]) -> dict[str, BatchStats]:
    out = {batch_id: BatchStats() for batch_id in batch_ids}
    if not batch_ids:
        return out
    for row in session.execute(select(ARBatchStat).where(
            ARBatchStat.tenant_id == tenant_id, ARBatchStat.batch_id.in_(batch_ids))).scalars():
        out[row.batch_id].counts[row.kind] = row.count
        out[row.batch_id].amounts[row.kind] = row.amount
    return out


def computed(session: Session, tenant_id: int, batch_ids: list[str]) -> dict[str, BatchStats]:
    """Statistics computed afresh from the transactions (the definition the stored ones meet)."""
    out = {batch_id: BatchStats() for batch_id in batch_ids}
    live = case((ARTransaction.is_void.is_(True), 0), else_=1)
    rows = session.execute(
        select(ARTransaction.batch_id, ARTransaction.kind, func.sum(live),
               func.sum(live * ARTransaction.amount))
        .where(ARTransaction.tenant_id == tenant_id, ARTransaction.batch_id.in_(batch_ids))
        .group_by(ARTransaction.batch_id, ARTransaction.kind))
    for batch_id, kind, count, amount in rows:
        out[batch_id].counts[kind] = int(count or 0)
        out[batch_id].amounts[kind] = int(amount or 0)
    return out


def recompute(session: Session, tenant_id: int, batch_ids: list[str]) -> None:
    """Replace the stored statistics of ``batch_ids`` with ones computed from the transactions."""
    if not batch_ids:
        return
    session.execute(delete(ARBatchStat).where(ARBatchStat.tenant_id == tenant_id,
                                              ARBatchStat.batch_id.in_(batch_ids)))
    rows = [{"tenant_id": tenant_id, "batch_id": batch_id, "kind": kind,
             "count": stats.counts[kind], "amount": stats.amounts[kind]}
            for batch_id, stats in computed(session, tenant_id, batch_ids).items()
            for kind in KINDS if stats.counts[kind] or stats.amounts[kind]]
    if rows:
        session.execute(insert(ARBatchStat), rows)
