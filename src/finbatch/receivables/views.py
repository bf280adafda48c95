"""The ``/v1`` representation of AR transactions, built for many at once (one query per child
table, never one per row)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from finbatch.kit.clock import iso_utc
from finbatch.kit.money import format_minor
from finbatch.receivables.models import LINE_KINDS, RECEIVABLE_KINDS, ARTransaction
from finbatch.receivables.repository import TransactionRepository


def paid_status(amount: int, settled: int) -> str:
    if settled >= amount:
        return "paid"
    return "unpaid" if settled == 0 else "partial"


def _decimal_text(value) -> str:
    return format(value, "f")


def native_transactions(session: Session, txns: Sequence[Any]) -> list[dict[str, Any]]:
    """The documents of ``txns``: ``ARTransaction`` objects or rows with the same columns
    (``TransactionRepository.page_rows``), in four queries whatever their number."""
    if not txns:
        return []
    repo = TransactionRepository(session, txns[0].tenant_id)
    with_lines = [t.id for t in txns if t.kind in LINE_KINDS]
    lines = repo.line_rows(with_lines)
    taxes = repo.tax_rows(with_lines)
    given = repo.settlement_rows([t.id for t in txns if t.kind not in RECEIVABLE_KINDS], given=True)
    received = repo.settlement_rows([t.id for t in txns if t.kind in RECEIVABLE_KINDS], given=False)
    return render_transactions(txns, lines=lines, taxes=taxes, given=given, received=received)


def render_transactions(txns: Sequence[Any], *, lines: Mapping[str, Sequence[Any]],
                        taxes: Mapping[str, Sequence[Any]], given: Mapping[str, Sequence[Any]],
                        received: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The documents of ``txns`` from their children, each given per transaction id as objects
    with the attributes of ``TransactionRepository``'s rows: ``lines`` (``line_rows``), ``taxes``
    (``tax_rows``), and the allocations they make (``given``) and receive (``received``), both
    shaped as ``settlement_rows``. Values are as the database returns them (decimals as stored).
    The importer renders the transactions it has just written with this, from what it holds."""
    out = []
    for txn in txns:
        cur = txn.currency
        doc: dict[str, Any] = {
            "id": txn.id, "kind": txn.kind, "number": txn.number,
            "external_ref": txn.external_ref, "batch_id": txn.batch_id,
            "business_unit_id": txn.business_unit_id, "customer_id": txn.customer_id,
            "currency": cur, "fx_rate": _decimal_text(txn.fx_rate),
            "date": txn.date.isoformat(), "occurred_at": iso_utc(txn.occurred_at),
            "fiscal_year_id": txn.fiscal_year_id, "fiscal_period": txn.fiscal_period,
            "commerce_type": txn.commerce_type, "description": txn.description,
            "amount": format_minor(txn.amount, cur),
        }
        if txn.kind in LINE_KINDS:
            doc["subtotal"] = format_minor(txn.subtotal, cur)
            doc["tax_total"] = format_minor(txn.tax_total, cur)
            doc["lines"] = [{
                "line_number": line.line_number, "product": line.product,
                "description": line.description, "quantity": _decimal_text(line.quantity),
                "unit": line.unit, "unit_price": _decimal_text(line.unit_price),
                "amount": format_minor(line.amount, cur), "tax_code": line.tax_code,
                "gl_account_code": line.gl_account_code} for line in lines.get(txn.id, [])]
            doc["taxes"] = [{
                "tax_code": tax.tax_code, "description": tax.description,
                "rate": _decimal_text(tax.rate), "taxable": format_minor(tax.taxable, cur),
                "tax": format_minor(tax.tax, cur)} for tax in taxes.get(txn.id, [])]
        if txn.kind in RECEIVABLE_KINDS:
            doc.update({
                "amount_settled": format_minor(txn.settled, cur),
                "balance": format_minor(txn.amount - txn.settled, cur),
                "paid_status": paid_status(txn.amount, txn.settled),
                "due_date": txn.due_date.isoformat() if txn.due_date else None,
                "location": txn.location, "terms": txn.terms,
                "void": txn.is_void,
                "void_date": txn.void_date.isoformat() if txn.void_date else None,
                "settled_by": [{
                    "transaction_id": s.counterpart_id, "kind": s.kind, "number": s.number,
                    "amount": format_minor(s.amount, cur)} for s in received.get(txn.id, [])],
            })
        else:
            allocs = given.get(txn.id, [])
            doc["allocations"] = [{
                "target_id": a.counterpart_id, "kind": a.kind, "number": a.number,
                "amount": format_minor(a.amount, cur)} for a in allocs]
            doc["unallocated"] = format_minor(txn.amount - sum(a.amount for a in allocs), cur)
        if txn.kind in ("payment", "refund"):
            doc.update({
                "transaction_type": txn.transaction_type,
                "payment_account": txn.payment_account, "payment_method": txn.payment_method,
                "reference": txn.reference,
                "cleared_date": txn.cleared_date.isoformat() if txn.cleared_date else None,
                "requires_follow_up": txn.requires_follow_up,
            })
        if txn.kind == "payment":
            doc.update({"fee": format_minor(txn.fee, cur),
                        "net_amount": format_minor(txn.amount - txn.fee, cur),
                        "payee": txn.payee})
        if txn.kind == "refund":
            doc["payment_id"] = txn.payment_id
        doc.update({"created_at": iso_utc(txn.created_at), "created_by": txn.created_by,
                    "modified_at": iso_utc(txn.modified_at), "modified_by": txn.modified_by,
                    "version": txn.version})
        out.append(doc)
    return out


def native_transaction(session: Session, txn: ARTransaction) -> dict[str, Any]:
    return native_transactions(session, [txn])[0]
