"""Allocations: what a payment, credit, memo or write-off settles, and what a refund un-settles.

Rules:
- Targets are receivables (invoices, debit memos) of the same customer and currency, not void.
- A source allocates at most its own amount, and names each target at most once.
- A settling allocation may not take a target past its total; a refund's allocation may not take
  a target below zero settled. Undoing an allocation (deleting its source) obeys the same bounds.
- Targets are locked in id order before their ``settled`` changes, so concurrent payments of one
  invoice cannot over-settle it; each affected target gets a new version and an ``updated`` event
  (its paid status changed).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import insert
from sqlalchemy.orm import Session

from finbatch.kit import money
from finbatch.kit.clock import utcnow
from finbatch.kit.errors import Conflict, ErrorList
from finbatch.kit.ids import is_uuid, uuid7
from finbatch.receivables.inputs import AllocationIn
from finbatch.receivables.models import (
    RECEIVABLE_KINDS,
    SETTLING_KINDS,
    ARAllocation,
    ARTransaction,
)
from finbatch.receivables.repository import TransactionRepository

MAX_ALLOCATIONS = 500
ALLOCATING_KINDS = (*SETTLING_KINDS, "refund")


def parse(allocations: list[AllocationIn], source_kind: str, currency: str,
          errors: ErrorList) -> list[tuple[str, int]]:
    if allocations and source_kind not in ALLOCATING_KINDS:
        errors.add("allocations", f"a {source_kind.replace('_', ' ')} cannot be allocated",
                   "not_allowed")
        return []
    if len(allocations) > MAX_ALLOCATIONS:
        errors.add("allocations", f"at most {MAX_ALLOCATIONS} allocations", "too_many")
        return []
    parsed: list[tuple[str, int]] = []
    seen: set[str] = set()
    for index, alloc in enumerate(allocations):
        where = f"allocations.{index}"
        if not is_uuid(alloc.target_id or ""):
            errors.add(f"{where}.target_id", "is not a transaction id", "invalid_id")
            continue
        if alloc.target_id in seen:
            errors.add(f"{where}.target_id", "names the same receivable twice", "duplicate")
            continue
        seen.add(alloc.target_id)
        try:
            amount = money.parse_minor(alloc.amount, currency, allow_negative=False)
        except money.AmountError as exc:
            errors.add(f"{where}.amount", str(exc), "invalid_amount")
            continue
        if amount == 0:
            errors.add(f"{where}.amount", "must be greater than zero", "out_of_range")
            continue
        parsed.append((alloc.target_id, amount))
    return parsed


def check_total(source_kind: str, source_amount: int, currency: str,
                allocations: list[tuple[str, int]], errors: ErrorList) -> None:
    total = sum(amount for _, amount in allocations)
    if total > source_amount:
        errors.add("allocations", f"allocate {money.format_minor(total, currency)} but the "
                   f"{source_kind.replace('_', ' ')} is {money.format_minor(source_amount, currency)}",
                   "over_allocated")


def _named(target: ARTransaction) -> str:
    """``invoice 12``; a receivable of the same import file, not numbered yet, by its external
    reference (``invoice 'INV-7'``)."""
    kind = target.kind.replace("_", " ")
    if target.number:
        return f"{kind} {target.number}"
    return f"{kind} '{target.external_ref}'"


def check_target(source: ARTransaction, target: ARTransaction | None, amount: int, where: str,
                 errors: ErrorList) -> None:
    """One allocation against its target's current state (``settled`` as it stands)."""
    sign = -1 if source.kind == "refund" else 1
    if target is None:
        errors.add(f"{where}.target_id", "no such receivable", "unknown_target")
    elif target.kind not in RECEIVABLE_KINDS:
        errors.add(f"{where}.target_id", f"is a {target.kind.replace('_', ' ')}, not an invoice "
                   "or debit memo", "not_receivable")
    elif target.is_void:
        errors.add(f"{where}.target_id", f"{_named(target)} is void", "void")
    elif target.customer_id != source.customer_id:
        errors.add(f"{where}.target_id", "belongs to another customer", "other_customer")
    elif target.currency != source.currency:
        errors.add(f"{where}.target_id", f"is in {target.currency}, not {source.currency}",
                   "other_currency")
    elif sign > 0 and target.settled + amount > target.amount:
        open_amount = money.format_minor(target.amount - target.settled, target.currency)
        errors.add(f"{where}.amount", f"exceeds the open balance {open_amount} of "
                   f"{_named(target)}", "over_settled")
    elif sign < 0 and target.settled - amount < 0:
        settled = money.format_minor(target.settled, target.currency)
        errors.add(f"{where}.amount", f"exceeds the {settled} settled on "
                   f"{_named(target)}", "over_refunded")


def apply(session: Session, source: ARTransaction, allocations: list[tuple[str, int]],
          errors: ErrorList, touch: Callable[[ARTransaction], None]) -> list[ARTransaction]:
    """Check and write ``allocations`` of ``source``; returns the targets whose settled changed.
    Problems are added to ``errors`` (nothing is written when there are any)."""
    if not allocations:
        return []
    check_total(source.kind, source.amount, source.currency, allocations, errors)
    targets = TransactionRepository(session, source.tenant_id).lock_many([t for t, _ in allocations])
    sign = -1 if source.kind == "refund" else 1
    for index, (target_id, amount) in enumerate(allocations):
        check_target(source, targets.get(target_id), amount, f"allocations.{index}", errors)
    if errors.errors:
        return []
    now = utcnow()
    session.execute(insert(ARAllocation), [
        {"tenant_id": source.tenant_id, "id": uuid7(), "source_id": source.id,
         "target_id": target_id, "amount": amount, "created_at": now}
        for target_id, amount in allocations])
    changed = []
    for target_id, amount in allocations:
        target = targets[target_id]
        target.settled += sign * amount
        touch(target)
        changed.append(target)
    session.flush()
    return changed


def release(session: Session, source: ARTransaction,
            touch: Callable[[ARTransaction], None]) -> list[ARTransaction]:
    """Undo every allocation of ``source`` (before it is deleted or its allocations replaced)."""
    repo = TransactionRepository(session, source.tenant_id)
    existing = repo.allocations_from([source.id])[source.id]
    if not existing:
        return []
    targets = repo.lock_many([a.target_id for a in existing])
    sign = -1 if source.kind == "refund" else 1
    for alloc in existing:
        target = targets[alloc.target_id]
        if sign < 0 and target.settled + alloc.amount > target.amount:
            raise Conflict(f"the refund's allocation to {target.kind.replace('_', ' ')} "
                           f"{target.number} cannot be undone: it has been settled again since",
                           code="ALLOCATION_IN_USE")
        if sign > 0 and target.settled - alloc.amount < 0:
            # a refund has since un-settled what this allocation settled: undoing it would take
            # the target below zero settled (the database's check refuses it, as a 500)
            raise Conflict(f"the {source.kind.replace('_', ' ')}'s allocation to "
                           f"{target.kind.replace('_', ' ')} {target.number} cannot be undone: a "
                           "refund has un-settled it since", code="ALLOCATION_IN_USE")
        target.settled -= sign * alloc.amount
        touch(target)
        session.delete(alloc)
    session.flush()
    return list(targets.values())
