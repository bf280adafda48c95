"""Reading what an export renders: journal entries grouped from streamed line rows, or YM invoice
items, as the plain records of ``exports.rows``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from finbatch.exports.repository import ExportRepository
from finbatch.exports.rows import AccountInfo, ExportContext, ExportEntry, ExportLine, InvoiceItem
from finbatch.kit.money import allocate
from finbatch.ledger.accounts import full_names
from finbatch.ledger.accounts_repository import GLAccountRepository
from finbatch.ledger.rules import RuleBook
from finbatch.tenancy.auth import TenantContext


def context(session: Session, tenant: TenantContext, options: dict[str, Any],
            workdir: Path) -> ExportContext:
    repo = GLAccountRepository(session, tenant.id)
    names = full_names(repo.chart())
    accounts = {a.id: AccountInfo(a.id, a.code, a.name, names.get(a.id, a.name), a.type, a.is_active)
                for a in repo.all()}
    return ExportContext(tenant_slug=tenant.slug, tenant_name=tenant.name,
                         base_currency=tenant.base_currency, locale=tenant.locale,
                         accounts=accounts, options=options, workdir=workdir)


def journal(session: Session, tenant_id: int, batch: Any, after: str | None,
            through: str | None) -> Iterator[ExportEntry]:
    """The batch's journal entries in ``(after, through]``, in entry order, each with its lines."""
    current: ExportEntry | None = None
    for row in ExportRepository(session, tenant_id).journal_rows(batch.id, after, through):
        if current is None or current.entry_id != row[0]:
            if current is not None:
                yield current
            current = ExportEntry(
                batch_id=batch.id, batch_name=batch.name, business_unit_id=batch.business_unit_id,
                entry_id=row[0], number=row[1], source_kind=row[2], source_id=row[3],
                posting_date=row[4], description=row[5], party_id=row[6], party_name=row[7],
                currency=row[8], fx_rate=row[9], reverses_entry_id=row[10])
        current.lines.append(ExportLine(row[11], row[12], row[13], row[14], row[15], row[16],
                                        row[17], row[18], row[19], row[20]))
    if current is not None:
        yield current


def items(session: Session, tenant_id: int, batch: Any) -> Iterator[InvoiceItem]:
    """Every line item of the batch's invoices (and debit memos), with its share of the invoice's
    tax, its revenue GL code and the first payment applied to the invoice."""
    repo = ExportRepository(session, tenant_id)
    book = RuleBook.load(session, tenant_id)
    for chunk in repo.invoice_chunks(batch.id):
        ids = [row.id for row in chunk]
        lines, taxes, payments = repo.lines_taxes_payments(ids)
        for invoice in chunk:
            invoice_lines = lines[invoice.id]
            shares = _tax_shares(invoice_lines, taxes[invoice.id])
            payment = payments.get(invoice.id)
            for line, tax in zip(invoice_lines, shares, strict=True):
                gl = line.gl_account_code
                if not gl:
                    _role, account = book.revenue_account(
                        invoice.kind, product=line.product, commerce_type=invoice.commerce_type,
                        business_unit_id=invoice.business_unit_id)
                    gl = account.code if account else None
                yield InvoiceItem(
                    batch_id=batch.id, commerce_type=invoice.commerce_type, invoice_id=invoice.id,
                    invoice_number=invoice.number, invoice_date=invoice.date,
                    member_id=invoice.code, customer_name=invoice.name, item_code=line.product,
                    item_description=line.description, gl_code=gl, quantity=line.quantity,
                    unit_price=line.unit_price, amount=line.amount, tax_amount=tax,
                    payment_id=str(payment.number) if payment else None,
                    payment_method=payment.payment_method if payment else None,
                    payment_date=payment.date if payment else None, currency=invoice.currency)


def _tax_shares(lines: list, taxes: dict[str, int]) -> list[int]:
    """Each line's part of its tax code's tax, split by amount so the parts add back exactly."""
    shares = [0] * len(lines)
    for code, tax in taxes.items():
        positions = [i for i, line in enumerate(lines) if line.tax_code == code]
        if positions:
            parts = allocate(tax, [lines[i].amount for i in positions])
            for position, part in zip(positions, parts, strict=True):
                shares[position] = part
    return shares
