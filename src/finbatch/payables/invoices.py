"""Matched supplier invoices: a supplier's invoice matched to its purchase order and vouchered
for payment, with the distribution lines that say which GL accounts it charges.

Rules:
- An invoice is created ``Vouchered``; only an AP batch moves it on (``Batched``, then
  ``Exported``; see ``INVOICE_TRANSITIONS`` and ``finbatch.payables.batches``). Only a
  ``Vouchered`` invoice can be edited.
- Its vendor is its purchase order's; a vendor's invoice number is entered once (``Conflict``
  ``DUPLICATE_INVOICE``); ``sequence_no`` numbers the invoices of one purchase order.
- The remit-to must be an active address of that vendor; a credit card an active
  ``credit_card`` code; every GL code an active account of the tenant's chart.
- Amounts follow ``finbatch.payables.amounts`` (exact, signed by order type, balanced). A GL code
  is required for each charge that is not zero: tax and use tax → ``tax_expense_gl_code``, use
  tax → ``tax_accrual_gl_code``, discount → ``discount_gl_code``, shipping →
  ``shipping_gl_code``.
- Amounts are in the tenant's base currency.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import RowMapping
from sqlalchemy.orm import Session

from finbatch.events.service import record_change
from finbatch.kit import validate
from finbatch.kit.clock import iso_utc, utcnow
from finbatch.kit.errors import Conflict, ErrorList, NotFound
from finbatch.kit.ids import is_uuid, uuid7
from finbatch.kit.money import format_minor, to_decimal
from finbatch.ledger.accounts_repository import GLAccountRepository
from finbatch.payables.amounts import CHARGES, check_invoice_amounts
from finbatch.payables.models import MatchedInvoice, MatchedInvoiceLine, PurchaseOrder
from finbatch.payables.reference import CheckVersion
from finbatch.payables.repository import (
    ApCodeRepository,
    MatchedInvoiceRepository,
    PurchaseOrderRepository,
    RemitToRepository,
    invoice_view,
)
from finbatch.payables.stamps import Actor, stamp_change, stamp_new
from finbatch.tenancy import repository as tenancy_repo

KIND = "matched_invoice"
MAX_LINES = 500

#: (from, to) → the action that makes it: the only ways an invoice's status changes.
INVOICE_TRANSITIONS: dict[tuple[str, str], str] = {
    ("Vouchered", "Batched"): "add to an AP batch",
    ("Batched", "Vouchered"): "remove from its AP batch",
    ("Batched", "Exported"): "export its AP batch",
}

_TEXTS = {"reference": 200, "notes": 2000, "tracking_code": 64, "tax_code": 32}
GL_FIELDS = ("tax_expense_gl_code", "tax_accrual_gl_code", "discount_gl_code",
             "shipping_gl_code", "offset_gl_code")
#: Which charge needs which GL code when it is not zero.
_CHARGE_ACCOUNTS = {"tax_amount": ("tax_expense_gl_code",),
                    "tax_expense_amount": ("tax_expense_gl_code", "tax_accrual_gl_code"),
                    "discount_amount": ("discount_gl_code",),
                    "shipping_amount": ("shipping_gl_code",)}
#: Fields a caller may set (on create, and on update while ``Vouchered``).
EDITABLE = ("invoice_no", "vendor_remit_to_id", "credit_card_id", "invoice_date",
            "invoice_due_date", "invoice_validation_total", *CHARGES, *GL_FIELDS, *_TEXTS,
            "received_invoice_id", "lines")


def currency_of(session: Session, tenant_id: int) -> str:
    """AP amounts are in the tenant's base currency (Envi carries no currency)."""
    tenant = tenancy_repo.tenant_by_id(session, tenant_id)
    if tenant is None:
        raise NotFound(f"tenant {tenant_id} was not found")
    return tenant.base_currency


def _check_gl(errors: ErrorList, accounts: GLAccountRepository, field: str, code: str) -> None:
    if not code or len(code) > 32 or not code.isprintable():
        errors.add(field, "must be the code of a GL account (1-32 printable characters)",
                   "invalid_code")
        return
    account = accounts.by_code(code)
    if account is None:
        errors.add(field, f"no GL account has code '{code}'", "unknown_account")
    elif not account.is_active:
        errors.add(field, f"GL account '{code}' is inactive", "inactive_account")


def _prepare(session: Session, tenant_id: int, order: PurchaseOrder, values: dict[str, Any]
             ) -> tuple[dict[str, Any], list[MatchedInvoiceLine]]:
    """Check ``values`` (every editable field) against the rules; the column values and lines.
    Raises ``ValidationFailed`` naming every bad field."""
    errors = ErrorList()
    currency = currency_of(session, tenant_id)
    validate.text(errors, "invoice_no", values.get("invoice_no"), max_length=64, required=True)
    for name, length in _TEXTS.items():
        validate.text(errors, name, values.get(name), max_length=length)
    remit = RemitToRepository(session, tenant_id).get(values.get("vendor_remit_to_id") or "")
    if remit is None or remit.vendor_id != order.vendor_id:
        errors.add("vendor_remit_to_id", "must be a remit-to address of the purchase order's "
                   "vendor", "unknown_reference")
    elif not remit.is_active:
        errors.add("vendor_remit_to_id", "the remit-to address is inactive", "inactive")
    card_id, card = values.get("credit_card_id"), None
    if card_id is not None:
        card = ApCodeRepository(session, tenant_id).get(card_id)
        if card is None or card.kind != "credit_card" or not card.is_active:
            errors.add("credit_card_id", "must be an active credit card code", "unknown_reference")
    invoice_date, due_date = values.get("invoice_date"), values.get("invoice_due_date")
    if not isinstance(invoice_date, date):
        errors.add("invoice_date", "is required", "required")
    elif isinstance(due_date, date) and due_date < invoice_date:
        errors.add("invoice_due_date", "must not be before the invoice date", "out_of_range")
    received = values.get("received_invoice_id")
    if received is not None and not is_uuid(received):
        errors.add("received_invoice_id", "must be a UUID", "invalid_uuid")
    lines = values.get("lines") or []
    if not lines:
        errors.add("lines", "an invoice needs at least one line", "required")
    elif len(lines) > MAX_LINES:
        errors.add("lines", f"at most {MAX_LINES} lines", "too_many")
    accounts = GLAccountRepository(session, tenant_id)
    for index, line in enumerate(lines[:MAX_LINES]):
        validate.text(errors, f"lines.{index}.description", line.get("description"),
                      max_length=200)
        _check_gl(errors, accounts, f"lines.{index}.gl_code", line.get("gl_code") or "")
    amounts = check_invoice_amounts(
        errors, currency=currency, credit=order.po_type == "Return",
        lines=[line.get("amount") for line in lines[:MAX_LINES]],
        validation_total=values.get("invoice_validation_total"),
        charges={name: values.get(name) for name in CHARGES})
    for name in GL_FIELDS:
        if values.get(name):
            _check_gl(errors, accounts, name, values[name])
    for charge, fields in _CHARGE_ACCOUNTS.items():
        for name in fields:
            if getattr(amounts, charge) and not values.get(name):
                errors.add(name, f"is required when {charge} is not zero", "required")
    errors.raise_if_any()
    columns = {name: values.get(name) for name in (
        "invoice_no", "vendor_remit_to_id", "credit_card_id", "invoice_date", "invoice_due_date",
        "received_invoice_id", *GL_FIELDS, *_TEXTS)}
    # ids as stored (a UUID may arrive in capitals)
    columns.update(vendor_remit_to_id=remit.id, credit_card_id=card.id if card else None,
                   received_invoice_id=received.lower() if received else None)
    columns.update(validation_total=amounts.validation_total,
                   **{name: getattr(amounts, name) for name in CHARGES})
    rows = [MatchedInvoiceLine(tenant_id=tenant_id, line_no=n, gl_code=line["gl_code"],
                               description=line.get("description") or "", amount=minor)
            for n, (line, minor) in enumerate(zip(lines, amounts.lines, strict=True), start=1)]
    return columns, rows


def create_invoice(session: Session, *, tenant_id: int, purchase_order_id: str, actor: Actor,
                   **values: Any) -> MatchedInvoice:
    """Create a ``Vouchered`` invoice from the ``EDITABLE`` fields in ``values``.

    Raises ``ValidationFailed`` (bad or unknown fields, unbalanced amounts) and ``Conflict``
    ``DUPLICATE_INVOICE`` when the vendor's invoice number already exists."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown invoice fields: {', '.join(sorted(unknown))}")
    order = PurchaseOrderRepository(session, tenant_id).get(purchase_order_id)
    if order is None:
        errors = ErrorList()
        errors.add("purchase_order_id", f"no purchase order has id '{purchase_order_id}'",
                   "unknown_reference")
        errors.raise_if_any()
    columns, lines = _prepare(session, tenant_id, order, values)
    invoices = MatchedInvoiceRepository(session, tenant_id)
    if invoices.by_vendor_invoice_no(order.vendor_id, columns["invoice_no"]) is not None:
        raise Conflict(f"the vendor's invoice '{columns['invoice_no']}' was already entered",
                       code="DUPLICATE_INVOICE")
    invoice = MatchedInvoice(tenant_id=tenant_id, id=uuid7(), purchase_order_id=order.id,
                             vendor_id=order.vendor_id, status="Vouchered",
                             sequence_no=invoices.next_sequence_no(order.id), **columns)
    stamp_new(invoice, actor, utcnow())
    invoices.add(invoice)
    for line in lines:
        line.invoice_id = invoice.id
    session.add_all(lines)
    session.flush()
    record_change(session, tenant_id=tenant_id, type="created", record_kind=KIND,
                  record_id=invoice.id, actor=actor.label,
                  data=invoice_read(session, tenant_id, invoice.id))
    return invoice


def _current_values(invoice: MatchedInvoice, lines: list[MatchedInvoiceLine],
                    currency: str) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(invoice, name) for name in (
        "invoice_no", "vendor_remit_to_id", "credit_card_id", "invoice_date", "invoice_due_date",
        "received_invoice_id", *GL_FIELDS, *_TEXTS)}
    values["invoice_validation_total"] = to_decimal(invoice.validation_total, currency)
    values.update({name: to_decimal(getattr(invoice, name), currency) for name in CHARGES})
    values["lines"] = [{"description": line.description, "gl_code": line.gl_code,
                        "amount": to_decimal(line.amount, currency)} for line in lines]
    return values


def update_invoice(session: Session, *, tenant_id: int, invoice_id: str, changes: dict,
                   check_version: CheckVersion, actor: Actor) -> MatchedInvoice:
    """Apply ``changes`` (any ``EDITABLE`` field; ``lines`` replaces every line) to a
    ``Vouchered`` invoice, checking the whole invoice again. Raises ``Conflict``
    ``INVOICE_NOT_EDITABLE`` once it is batched."""
    invoices = MatchedInvoiceRepository(session, tenant_id)
    invoice = invoices.require(invoice_id, for_update=True)
    check_version(invoice.version)
    if invoice.status != "Vouchered":
        raise Conflict(f"only a Vouchered invoice can be changed; this one is {invoice.status}",
                       code="INVOICE_NOT_EDITABLE")
    currency = currency_of(session, tenant_id)
    values = _current_values(invoice, invoices.lines([invoice.id])[invoice.id], currency)
    values.update({k: v for k, v in changes.items() if k in EDITABLE})
    order = PurchaseOrderRepository(session, tenant_id).require(invoice.purchase_order_id)
    columns, lines = _prepare(session, tenant_id, order, values)
    if columns["invoice_no"] != invoice.invoice_no and invoices.by_vendor_invoice_no(
            invoice.vendor_id, columns["invoice_no"]) is not None:
        raise Conflict(f"the vendor's invoice '{columns['invoice_no']}' was already entered",
                       code="DUPLICATE_INVOICE")
    for name, value in columns.items():
        setattr(invoice, name, value)
    if "lines" in changes:
        for line in lines:
            line.invoice_id = invoice.id
        invoices.replace_lines(invoice.id, lines)
    stamp_change(invoice, actor, utcnow())
    session.flush()
    record_change(session, tenant_id=tenant_id, type="updated", record_kind=KIND,
                  record_id=invoice.id, actor=actor.label,
                  data=invoice_read(session, tenant_id, invoice.id))
    return invoice


# --- reading -------------------------------------------------------------------------------------

_AMOUNTS = {"validation_total": "invoice_validation_total", "discount_amount": "discount_amount",
            "tax_amount": "tax_amount", "shipping_amount": "shipping_amount",
            "tax_expense_amount": "tax_expense_amount", "offset": "offset"}


def read_invoice(row: RowMapping, lines: list[MatchedInvoiceLine], currency: str) -> dict:
    """The native shape of one invoice row of ``invoice_view``: amounts as exact strings."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name in _AMOUNTS:
            out[_AMOUNTS[name]] = format_minor(value, currency)
        elif isinstance(value, date) and name.endswith("_date"):
            out[name] = value.isoformat()
        else:
            out[name] = iso_utc(value) if name.endswith("_at") else value
    out["lines"] = [{"line_no": line.line_no, "description": line.description,
                     "gl_code": line.gl_code, "amount": format_minor(line.amount, currency)}
                    for line in lines]
    return out


def read_invoices(session: Session, tenant_id: int, rows: list[RowMapping]) -> list[dict]:
    currency = currency_of(session, tenant_id)
    lines = MatchedInvoiceRepository(session, tenant_id).lines([row["id"] for row in rows])
    return [read_invoice(row, lines[row["id"]], currency) for row in rows]


def invoice_read(session: Session, tenant_id: int, invoice_id: str) -> dict:
    """One invoice in the native shape; ``NotFound`` when absent (or another tenant's)."""
    row = invoice_view(session, tenant_id).one(invoice_id)
    if row is None:
        raise NotFound(f"matched invoice '{invoice_id}' was not found")
    return read_invoices(session, tenant_id, [row])[0]
