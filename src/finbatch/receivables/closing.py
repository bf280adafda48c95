"""Closing open items into batches (YourMembership's "close a finance batch"), a core rule every
surface can call.

Design overview
---------------
Transactions always sit in a batch: a new one joins the open batch of its business unit,
currency, fiscal period and commerce type. "Closing the open items" therefore means: take the
transactions of the tenant's *open* transaction batches of the requested commerce type (all
commerce types when none is named) that are dated on or before the closing date (a business date
in the tenant's zone), and put them in a closed batch.

- An open batch whose every transaction qualifies is closed as it is (it *is* that batch; no
  empty husk is left behind).
- An open batch of which only some transactions qualify keeps the later ones open: the
  qualifying ones move to a new batch of the same business unit, currency, fiscal period and
  commerce type, which is then closed.
- Empty open batches, and open batches with nothing dated early enough, are left alone.

Every transaction kind moves (a payment travels with its batch like an invoice); the export of
the closed batches renders their invoice items. All changes go through the lifecycle table and
the move rules of ``receivables.service`` (periods must be open), in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from finbatch.batches import service as batches
from finbatch.batches.models import ARBatch
from finbatch.batches.repository import BatchRepository
from finbatch.batches.service import Actor
from finbatch.receivables import service as receivables
from finbatch.receivables.repository import TransactionRepository
from finbatch.tenancy.auth import TenantContext

COMMERCE_TYPES = ("D", "M", "S")


@dataclass(slots=True)
class ClosedItems:
    """The batches that were closed (oldest source first) and how many transactions they hold."""

    batches: list[ARBatch] = field(default_factory=list)
    item_count: int = 0


def close_open_items(session: Session, tenant: TenantContext, *, commerce_type: str | None,
                     through: date, actor: Actor) -> ClosedItems:
    """Close the open items of ``commerce_type`` (``None``: every type) dated on or before
    ``through`` into closed batches (see the module overview).

    Raises ``ValueError`` for a commerce type other than D, M, S; ``Locked`` when a batch's fiscal
    period is closed; ``InvalidTransition`` if a batch changed status concurrently."""
    if commerce_type is not None and commerce_type not in COMMERCE_TYPES:
        raise ValueError(f"commerce type must be one of {', '.join(COMMERCE_TYPES)}")
    result = ClosedItems()
    transactions = TransactionRepository(session, tenant.id)
    batch_repo = BatchRepository(session, tenant.id)
    for source in batch_repo.open_transaction_batches(commerce_type=commerce_type):
        ids = transactions.ids_dated_through(source.id, through)
        if not ids:
            continue
        if len(ids) == batch_repo.transaction_count(source.id):
            closed = batches.apply_action(session, tenant, source, "close", actor)
        else:
            target = batches.create_batch(session, tenant, {
                "name": f"{source.name} through {through.isoformat()}"[:200],
                "business_unit_id": source.business_unit_id,
                "currency_code": source.currency_code, "commerce_type": source.commerce_type,
                "date": source.date, "fiscal_year_id": source.fiscal_year_id,
                "fiscal_period": source.fiscal_period}, actor)
            receivables.move_transactions(session, tenant, ids, target.id, actor)
            closed = batches.apply_action(session, tenant, target, "close", actor)
        result.batches.append(closed)
        result.item_count += len(ids)
    return result
