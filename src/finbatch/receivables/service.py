"""AR transaction use cases: create (or upsert by external reference), update, move, void, delete.

Rules (SPEC §3–§4):
- Every transaction belongs to a business unit, a currency and a batch. Without an explicit batch
  it goes to the open batch of its business unit, currency, fiscal period and commerce type
  (``batches.service.assign_batch``); an explicit batch must be open and of the same business unit
  and currency.
- The business date is the given ``date``, or ``occurred_at`` read in the tenant's zone, or today
  in the tenant's zone.
- A foreign-currency transaction needs an ``fx_rate`` (base units per unit); a base-currency one
  has rate 1.
- Payments (``SP``), refunds, credits, credit memos and write-offs need a customer; a purchase
  payment (``PP``) names a payee instead and allocates nothing on the receivables side.
- Transactions change only while their batch is open (and its period open); every change bumps
  the version, updates the batch statistics and records an event.
- ``external_ref`` is unique per tenant and kind: sending the same reference again updates the
  record (or is a no-op when nothing changed), so source systems can retry freely.
"""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from finbatch import counters
from finbatch.batches import service as batches
from finbatch.batches import stats as batch_stats
from finbatch.batches.models import ARBatch
from finbatch.batches.service import Actor
from finbatch.events.service import record_change
from finbatch.kit import money, validate
from finbatch.kit.clock import business_date, utcnow
from finbatch.kit.errors import Conflict, ErrorList, NotFound
from finbatch.kit.ids import uuid7
from finbatch.receivables import allocations
from finbatch.receivables.inputs import TransactionIn
from finbatch.receivables.models import COMMERCE_TYPES, RECEIVABLE_KINDS, ARLine, ARTaxLine, ARTransaction
from finbatch.receivables.repository import TransactionRepository
from finbatch.receivables.resolve import DbLookups, Resolved, resolve
from finbatch.receivables.views import native_transaction
from finbatch.tenancy.auth import TenantContext


def _target_batch(session: Session, tenant: TenantContext, tin: TransactionIn, r: Resolved,
                  actor: Actor) -> ARBatch:
    if tin.batch_id is None:
        return batches.assign_batch(session, tenant, business_unit_id=r.business_unit_id,
                                    currency=r.currency, day=r.day,
                                    commerce_type=tin.commerce_type, actor=actor)
    batch = batches.require_batch(session, tenant.id, tin.batch_id, for_update=True)
    batches.require_editable(session, batch)
    if batch.business_unit_id != r.business_unit_id or batch.currency_code != r.currency:
        raise Conflict(f"batch {batch.id} holds {batch.business_unit_id} {batch.currency_code} "
                       f"transactions, not {r.business_unit_id} {r.currency}",
                       code="BATCH_MISMATCH")
    return batch


def _touch(actor: Actor):
    def touch(txn: ARTransaction) -> None:
        txn.version += 1
        txn.modified_at = utcnow()
        txn.modified_by = actor.name
    return touch


def create_transaction(session: Session, tenant: TenantContext, tin: TransactionIn,
                       actor: Actor) -> tuple[ARTransaction, bool]:
    """Create a transaction, or update the one with the same kind and ``external_ref``.
    Returns the record and whether it was created. Raises ``ValidationFailed`` naming every bad
    field, ``Conflict`` when the target batch is not open."""
    if tin.external_ref:
        existing = TransactionRepository(session, tenant.id).by_external_ref(tin.kind, tin.external_ref)
        if existing is not None:
            if existing.source_hash == tin.fingerprint():
                return existing, False
            return replace_transaction(session, tenant, existing, tin, actor), False
    errors = ErrorList()
    resolved = resolve(tin, tenant, DbLookups(session, tenant.id), errors)
    errors.raise_if_any()
    assert resolved is not None
    batch = _target_batch(session, tenant, tin, resolved, actor)
    now = utcnow()
    txn = ARTransaction(
        tenant_id=tenant.id, id=uuid7(), kind=tin.kind,
        number=counters.allocate(session, tenant.id, f"ar:{tin.kind}"),
        external_ref=tin.external_ref, source_hash=tin.fingerprint() if tin.external_ref else None,
        batch_id=batch.id, business_unit_id=resolved.business_unit_id,
        customer_id=tin.customer_id, currency=resolved.currency, fx_rate=resolved.fx_rate,
        date=resolved.day, occurred_at=tin.occurred_at, fiscal_year_id=batch.fiscal_year_id,
        fiscal_period=batch.fiscal_period, commerce_type=tin.commerce_type,
        description=tin.description, amount=resolved.amount, created_at=now,
        created_by=actor.name, modified_at=now, modified_by=actor.name, version=1)
    _assign_details(txn, tin, resolved)
    session.add(txn)
    session.flush()
    _write_children(session, txn, resolved)
    changed = allocations.apply(session, txn, resolved.allocations, errors, _touch(actor))
    errors.raise_if_any()
    batch_stats.add(session, txn)
    _record(session, txn, "created", actor)
    for target in changed:
        _record(session, target, "updated", actor)
    return txn, True


def _assign_details(txn: ARTransaction, tin: TransactionIn, r: Resolved) -> None:
    priced = r.priced
    txn.subtotal = priced.subtotal if priced else 0
    txn.tax_total = priced.tax_total if priced else 0
    txn.due_date = tin.due_date
    txn.location = tin.location
    txn.terms = tin.terms
    txn.transaction_type = ("PP" if tin.transaction_type == "PP" else "SP") if tin.kind == "payment" else None
    txn.fee = r.fee
    txn.payment_account = tin.payment_account
    txn.payment_method = tin.payment_method
    txn.reference = tin.reference
    txn.cleared_date = tin.cleared_date
    txn.payee = tin.payee
    txn.requires_follow_up = bool(tin.requires_follow_up)
    txn.payment_id = tin.payment_id


def _write_children(session: Session, txn: ARTransaction, r: Resolved) -> None:
    if not r.priced:
        return
    if r.priced.lines:
        session.execute(insert(ARLine), [
            {"tenant_id": txn.tenant_id, "transaction_id": txn.id, "line_number": p.line_number,
             "product": p.product, "description": p.description, "quantity": p.quantity,
             "unit": p.unit, "unit_price": p.unit_price, "amount": p.amount,
             "tax_code": p.tax_code, "gl_account_code": p.gl_account_code}
            for p in r.priced.lines])
    if r.priced.taxes:
        session.execute(insert(ARTaxLine), [
            {"tenant_id": txn.tenant_id, "transaction_id": txn.id, "tax_code": t.tax_code,
             "description": t.description, "rate": t.rate, "taxable": t.taxable, "tax": t.tax}
            for t in r.priced.taxes])


def _delete_children(session: Session, txn: ARTransaction) -> None:
    repo = TransactionRepository(session, txn.tenant_id)
    for line in repo.lines_of([txn.id])[txn.id]:
        session.delete(line)
    for tax in repo.taxes_of([txn.id])[txn.id]:
        session.delete(tax)
    session.flush()


def replace_transaction(session: Session, tenant: TenantContext, txn: ARTransaction,
                        tin: TransactionIn, actor: Actor) -> ARTransaction:
    """Replace a transaction's content with ``tin`` (an upsert by external reference, a PUT).
    Its batch must be open; a receivable already settled by others keeps at least that total."""
    batch = batches.require_batch(session, tenant.id, txn.batch_id, for_update=True)
    batches.require_editable(session, batch)
    txn = TransactionRepository(session, tenant.id).require(txn.id, for_update=True)
    errors = ErrorList()
    if tin.kind != txn.kind:
        errors.add("kind", f"is {txn.kind}", "immutable")
    resolved = resolve(tin, tenant, DbLookups(session, tenant.id), errors)
    errors.raise_if_any()
    assert resolved is not None
    if resolved.business_unit_id != txn.business_unit_id or resolved.currency != txn.currency:
        raise Conflict("the business unit and currency of a transaction cannot change",
                       code="IMMUTABLE_FIELD")
    if txn.kind in RECEIVABLE_KINDS and resolved.amount < txn.settled:
        raise Conflict(f"the new total {money.format_minor(resolved.amount, txn.currency)} is below "
                       f"the {money.format_minor(txn.settled, txn.currency)} already settled",
                       code="BELOW_SETTLED")
    touch = _touch(actor)
    released = allocations.release(session, txn, touch)
    batch_stats.remove(session, txn)
    _delete_children(session, txn)
    txn.customer_id = tin.customer_id
    txn.fx_rate = resolved.fx_rate
    txn.date = resolved.day
    txn.occurred_at = tin.occurred_at
    txn.commerce_type = tin.commerce_type
    txn.description = tin.description
    txn.amount = resolved.amount
    txn.source_hash = tin.fingerprint() if tin.external_ref else None
    txn.external_ref = tin.external_ref
    _assign_details(txn, tin, resolved)
    touch(txn)
    session.flush()
    _write_children(session, txn, resolved)
    changed = allocations.apply(session, txn, resolved.allocations, errors, touch)
    errors.raise_if_any()
    batch_stats.add(session, txn)
    _record(session, txn, "updated", actor)
    for target in {t.id: t for t in [*released, *changed]}.values():
        _record(session, target, "updated", actor)
    return txn


def update_transaction(session: Session, tenant: TenantContext, txn: ARTransaction,
                       changes: dict, actor: Actor) -> ARTransaction:
    """Change descriptive fields. ``cleared_date`` and ``requires_follow_up`` (bank reconciliation
    facts that do not touch the journal) change in any batch status but archived; everything else,
    and moving to another batch (``batch_id``), only while the batch is open."""
    batch = batches.require_batch(session, tenant.id, txn.batch_id, for_update=True)
    reconciliation_only = set(changes) <= {"cleared_date", "requires_follow_up"}
    if reconciliation_only:
        if batch.status == "archived":
            raise Conflict(f"batch {batch.id} is archived", code="BATCH_ARCHIVED")
    else:
        batches.require_editable(session, batch)
    errors = ErrorList()
    for name in ("description", "reference", "payment_method", "location", "terms"):
        if name in changes:
            validate.text(errors, name, changes[name], max_length=500 if name == "description" else 64)
    if "commerce_type" in changes and changes["commerce_type"] not in (None, *COMMERCE_TYPES):
        errors.add("commerce_type", "must be D, M or S", "invalid")
    for name in ("due_date", "location", "terms"):
        if name in changes and txn.kind not in RECEIVABLE_KINDS:
            errors.add(name, f"a {txn.kind.replace('_', ' ')} has no {name.replace('_', ' ')}",
                       "not_allowed")
    for name in ("cleared_date", "requires_follow_up", "payment_method", "reference"):
        if name in changes and txn.kind not in ("payment", "refund"):
            errors.add(name, f"a {txn.kind.replace('_', ' ')} has no {name.replace('_', ' ')}",
                       "not_allowed")
    errors.raise_if_any()
    target_batch_id = changes.pop("batch_id", None)
    for name, value in changes.items():
        setattr(txn, name, value)
    if target_batch_id and target_batch_id != txn.batch_id:
        _move(session, tenant, txn, target_batch_id)
    _touch(actor)(txn)
    session.flush()
    _record(session, txn, "updated", actor)
    return txn


def _move(session: Session, tenant: TenantContext, txn: ARTransaction, batch_id: str) -> None:
    target = batches.require_batch(session, tenant.id, batch_id, for_update=True)
    batches.require_editable(session, target)
    if target.business_unit_id != txn.business_unit_id or target.currency_code != txn.currency:
        raise Conflict(f"batch {target.id} holds {target.business_unit_id} {target.currency_code} "
                       f"transactions, not {txn.business_unit_id} {txn.currency}",
                       code="BATCH_MISMATCH")
    batch_stats.remove(session, txn)
    txn.batch_id = target.id
    txn.fiscal_year_id = target.fiscal_year_id
    txn.fiscal_period = target.fiscal_period
    batch_stats.add(session, txn)


def move_transactions(session: Session, tenant: TenantContext, ids: list[str], batch_id: str,
                      actor: Actor) -> int:
    """Move several transactions into ``batch_id`` (YourMembership's close-into-a-batch)."""
    repo = TransactionRepository(session, tenant.id)
    moved = 0
    for txn in repo.lock_many(ids).values():
        if txn.batch_id == batch_id:
            continue
        source = batches.require_batch(session, tenant.id, txn.batch_id, for_update=True)
        batches.require_editable(session, source)
        _move(session, tenant, txn, batch_id)
        _touch(actor)(txn)
        _record(session, txn, "updated", actor)
        moved += 1
    session.flush()
    return moved


def void_invoice(session: Session, tenant: TenantContext, txn: ARTransaction, void_date,
                 actor: Actor) -> ARTransaction:
    """Void an unsettled invoice or debit memo of an open batch: it stays on record, counts for
    nothing in its batch and can no longer be settled."""
    if txn.kind not in RECEIVABLE_KINDS:
        raise Conflict(f"a {txn.kind.replace('_', ' ')} cannot be voided", code="NOT_VOIDABLE")
    batch = batches.require_batch(session, tenant.id, txn.batch_id, for_update=True)
    batches.require_editable(session, batch)
    txn = TransactionRepository(session, tenant.id).require(txn.id, for_update=True)
    if txn.is_void:
        raise Conflict(f"{txn.kind.replace('_', ' ')} {txn.number} is already void", code="ALREADY_VOID")
    if txn.settled:
        raise Conflict(f"{txn.kind.replace('_', ' ')} {txn.number} has "
                       f"{money.format_minor(txn.settled, txn.currency)} settled: release the "
                       "allocations first", code="SETTLED")
    batch_stats.remove(session, txn)
    txn.is_void = True
    txn.void_date = void_date or business_date(utcnow(), tenant.timezone)
    _touch(actor)(txn)
    session.flush()
    _record(session, txn, "updated", actor)
    return txn


def delete_transaction(session: Session, tenant: TenantContext, txn: ARTransaction,
                       actor: Actor) -> None:
    """Delete a transaction of an open batch; a receivable that others settle cannot go."""
    batch = batches.require_batch(session, tenant.id, txn.batch_id, for_update=True)
    batches.require_editable(session, batch)
    repo = TransactionRepository(session, tenant.id)
    txn = repo.require(txn.id, for_update=True)
    if txn.kind in RECEIVABLE_KINDS and repo.allocations_to([txn.id])[txn.id]:
        raise Conflict(f"{txn.kind.replace('_', ' ')} {txn.number} is settled by other "
                       "transactions: delete or change those first", code="ALLOCATED")
    touch = _touch(actor)
    released = allocations.release(session, txn, touch)
    batch_stats.remove(session, txn)
    session.delete(txn)
    session.flush()
    record_change(session, tenant_id=tenant.id, type="deleted", record_kind=txn.kind,
                  record_id=txn.id, actor=actor.name, data=None)
    for target in released:
        _record(session, target, "updated", actor)


def require_transaction(session: Session, tenant_id: int, kind: str, record_id: str) -> ARTransaction:
    txn = TransactionRepository(session, tenant_id).of_kind(kind, record_id)
    if txn is None:
        raise NotFound(f"{kind.replace('_', ' ')} '{record_id}' was not found")
    return txn


def _record(session: Session, txn: ARTransaction, event_type: str, actor: Actor) -> None:
    record_change(session, tenant_id=txn.tenant_id, type=event_type, record_kind=txn.kind,
                  record_id=txn.id, actor=actor.name,
                  data=native_transaction(session, txn))
