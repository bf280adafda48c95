"""The seam AP posting and AP exports read: an AP batch's invoices with exact amounts and GL codes.

Nothing here posts or writes files; the posting and export engines (built later) call
``batch_header`` and ``batch_invoices`` and decide the rest. The entry one invoice is meant to
make (all amounts in minor units of ``currency``, signed: a ``Return`` order's invoice is
negative throughout, which turns every side round)::

    debit  line.gl_code            line.amount          (expense 6300/6400, inventory 1200,
                                                          capital equipment 1500, …)
    debit  tax_expense_gl_code     tax_amount           (tax the vendor charged)
    debit  shipping_gl_code        shipping_amount
    credit discount_gl_code        discount_amount
    credit offset_gl_code          payable_amount       (accounts payable, e.g. 2100; the
                                                          posting rules' AP account when None)
    debit  tax_expense_gl_code     use_tax_amount       (use tax the buyer accrues itself,
    credit tax_accrual_gl_code     use_tax_amount        outside the payable)

It balances by construction: the invoice service refuses an invoice whose ``payable_amount``
(Envi ``invoiceValidationTotal``) differs from lines + tax + shipping − discount
(``PayableInvoice.balances`` re-checks it). Invoices come in id order, in chunks, so memory does
not grow with the batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_
from sqlalchemy.orm import Session

from finbatch.kit.errors import NotFound
from finbatch.payables.invoices import currency_of
from finbatch.payables.repository import MatchedInvoiceRepository, batch_view, invoice_view

CHUNK = 500


@dataclass(frozen=True, slots=True)
class PayableLine:
    line_no: int
    gl_code: str
    description: str
    amount: int


@dataclass(frozen=True, slots=True)
class PayableInvoice:
    invoice_id: str
    invoice_no: str
    status: str
    vendor_id: str
    vendor_no: str
    vendor_name: str
    remit_to_vendor_no: str
    purchase_order_no: str
    po_type: str
    facility_no: str
    location_no: str
    invoice_date: date
    due_date: date | None
    reference: str | None
    currency: str
    lines: tuple[PayableLine, ...]
    tax_amount: int
    tax_expense_gl_code: str | None
    shipping_amount: int
    shipping_gl_code: str | None
    discount_amount: int
    discount_gl_code: str | None
    use_tax_amount: int
    tax_accrual_gl_code: str | None
    payable_amount: int
    offset_gl_code: str | None
    version: int

    @property
    def balances(self) -> bool:
        return sum(line.amount for line in self.lines) + self.tax_amount + \
            self.shipping_amount - self.discount_amount == self.payable_amount


@dataclass(frozen=True, slots=True)
class PayableBatch:
    batch_id: str
    batch_no: str
    reference: str | None
    status: str
    currency: str
    total: int
    invoice_count: int
    last_exported_at: datetime | None
    version: int


def batch_header(session: Session, *, tenant_id: int, batch_id: str) -> PayableBatch:
    """The batch with its derived total and count; ``NotFound`` when absent."""
    row = batch_view(session, tenant_id).one(batch_id)
    if row is None:
        raise NotFound(f"AP batch '{batch_id}' was not found")
    return PayableBatch(row["id"], row["batch_no"], row["reference"], row["status"],
                        currency_of(session, tenant_id), row["total"], row["invoice_count"],
                        row["last_exported_at"], row["version"])


def batch_invoices(session: Session, *, tenant_id: int, batch_id: str,
                   chunk: int = CHUNK, after: str | None = None) -> Iterator[PayableInvoice]:
    """Every invoice of the batch (after invoice id ``after``, when given), in id order, read
    ``chunk`` at a time."""
    currency = currency_of(session, tenant_id)
    view = invoice_view(session, tenant_id)
    invoices = MatchedInvoiceRepository(session, tenant_id)
    in_batch = view.fields["ap_batch_id"] == batch_id
    if after is not None:
        in_batch = and_(in_batch, view.fields["id"] > after)
    cursor: str | None = None
    while True:
        page = view.page(cursor=cursor, limit=chunk, where=in_batch)
        lines = invoices.lines([row["id"] for row in page.items])
        for row in page.items:
            yield PayableInvoice(
                invoice_id=row["id"], invoice_no=row["invoice_no"], status=row["status"],
                vendor_id=row["vendor_id"], vendor_no=row["vendor_no"],
                vendor_name=row["vendor_name"], remit_to_vendor_no=row["remit_to_vendor_no"],
                purchase_order_no=row["purchase_order_no"], po_type=row["po_type"],
                facility_no=row["facility_no"], location_no=row["location_no"],
                invoice_date=row["invoice_date"], due_date=row["invoice_due_date"],
                reference=row["reference"], currency=currency,
                lines=tuple(PayableLine(line.line_no, line.gl_code, line.description, line.amount)
                            for line in lines[row["id"]]),
                tax_amount=row["tax_amount"], tax_expense_gl_code=row["tax_expense_gl_code"],
                shipping_amount=row["shipping_amount"], shipping_gl_code=row["shipping_gl_code"],
                discount_amount=row["discount_amount"], discount_gl_code=row["discount_gl_code"],
                use_tax_amount=row["tax_expense_amount"],
                tax_accrual_gl_code=row["tax_accrual_gl_code"],
                payable_amount=row["validation_total"], offset_gl_code=row["offset_gl_code"],
                version=row["version"])
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
