"""One fixed, hand-built export: the entries and items every writer's golden file renders.

Tenant ``acme`` keeps its books in USD with the ``en-US`` locale. The journal holds:

- 17  an invoice with four lines: A/R (receivable, customer "Acme Widgets, Inc."), two revenue
      lines on ``Revenue:Dues`` and ``Revenue:Store Sales`` (one description with a comma, quotes
      and a line break, one starting with ``=``), and sales tax; departments and a project;
- 18  a payment: bank (``Bank:Checking``) and merchant fees against A/R;
- 19  a foreign-currency (EUR at 1.0825) invoice for a customer whose name Windows-1252 lacks;
- 20  the reversal of 18 (sides swapped, later posting date);
- 21  an A/P bill (payable, vendor "Paper & Co") with a tab in the description.

Amounts are minor units; the expected totals are written out by hand below so that a test does
not derive them from the data it checks.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from finbatch.exports.rows import AccountInfo, ExportContext, ExportEntry, ExportLine, InvoiceItem
from finbatch.exports.writers.base import Writer
from finbatch.exports.writers.registry import writer_for

BATCH = "0192d3f0-0000-7000-8000-00000000b001"
BU = "0192d3f0-0000-7000-8000-0000000000b1"
JOURNAL_FORMATS = ["gl-csv", "gl-json", "gl-xml", "iif", "qbo-csv", "xero-csv", "intacct-csv"]


def _account(id_: str, code: str, name: str, full_name: str, type_: str,
             active: bool = True) -> AccountInfo:
    return AccountInfo(id=id_, code=code, name=name, full_name=full_name, type=type_,
                       is_active=active)


ACCOUNTS = {a.id: a for a in [
    _account("acc-ar", "1100", "Accounts Receivable", "Accounts Receivable", "asset"),
    _account("acc-bank", "1010", "Checking", "Bank:Checking", "asset"),
    _account("acc-dues", "4000", "Dues", "Revenue:Dues", "revenue"),
    _account("acc-store", "4100", "Store Sales", "Revenue:Store Sales", "revenue"),
    _account("acc-tax", "2200", "Sales Tax Payable", "Sales Tax Payable", "liability"),
    _account("acc-fees", "6100", "Merchant Fees", "Merchant Fees", "expense"),
    _account("acc-ap", "2000", "Accounts Payable", "Accounts Payable", "liability"),
    _account("acc-supplies", "6500", "Supplies", "Office:Supplies", "expense"),
    _account("acc-old", "4999", "Old Revenue", "Revenue:Old Revenue", "revenue", active=False),
]}


def context(tmp_path: Path, options: dict | None = None, **changes) -> ExportContext:
    workdir = tmp_path / "work"
    workdir.mkdir(parents=True, exist_ok=True)
    ctx = ExportContext(tenant_slug="acme", tenant_name="Acme Association", base_currency="USD",
                        locale="en-US", accounts=dict(ACCOUNTS), options=options or {},
                        workdir=workdir)
    return replace(ctx, **changes)


def line(number: int, account: str, role: str, debit: int = 0, credit: int = 0, *,
         txn_debit: int | None = None, txn_credit: int | None = None, description: str | None = None,
         department: str | None = None, project: str | None = None) -> ExportLine:
    return ExportLine(line_number=number, account_id=account, role=role, debit=debit, credit=credit,
                      txn_debit=debit if txn_debit is None else txn_debit,
                      txn_credit=credit if txn_credit is None else txn_credit,
                      description=description, department=department, project=project)


def entry(number: int, lines: list[ExportLine], *, kind: str = "invoice",
          description: str = "Invoice", party: str | None = "Acme Widgets, Inc.",
          day: date = date(2026, 3, 1), currency: str = "USD", fx_rate: str = "1",
          reverses: str | None = None) -> ExportEntry:
    return ExportEntry(batch_id=BATCH, batch_name="March dues", business_unit_id=BU,
                       entry_id=f"0192d3f0-0000-7000-8000-0000000e{number:04d}", number=number,
                       source_kind=kind, source_id=f"0192d3f0-0000-7000-8000-0000000a{number:04d}",
                       posting_date=day, description=description, party_id="cust-1" if party else None,
                       party_name=party, currency=currency, fx_rate=Decimal(fx_rate),
                       reverses_entry_id=reverses, lines=lines)


def entries() -> list[ExportEntry]:
    """Fresh copies each call (writers must not mutate them, but tests should not depend on it)."""
    payment = entry(18, [
        line(1, "acc-bank", "cash", debit=9700),
        line(2, "acc-fees", "merchant_fees", debit=300, description="Card fee"),
        line(3, "acc-ar", "receivable", credit=10000),
    ], kind="payment", description="Payment PMT-0042", day=date(2026, 3, 2))
    return [
        entry(17, [
            line(1, "acc-ar", "receivable", debit=10825),
            line(2, "acc-dues", "revenue", credit=6000, department="MEM", project="P-7",
                 description='Dues, "Gold" tier\nannual'),
            line(3, "acc-store", "revenue", credit=4000, department="STORE",
                 description="=SUM(A1:A9)"),
            line(4, "acc-tax", "tax_payable", credit=825, description="Sales tax 8.25%"),
        ], description="Invoice INV-1001"),
        payment,
        entry(19, [
            line(1, "acc-ar", "receivable", debit=21650, txn_debit=20000),
            line(2, "acc-dues", "revenue", credit=21650, txn_credit=20000, description="Cotisation annuelle"),
        ], description="Invoice INV-1002 (EUR)", party="Łódź Trading Sp. z o.o.", currency="EUR",
            fx_rate="1.0825", day=date(2026, 3, 3)),
        entry(20, [
            line(1, "acc-bank", "cash", credit=9700),
            line(2, "acc-fees", "merchant_fees", credit=300, description="Card fee"),
            line(3, "acc-ar", "receivable", debit=10000),
        ], kind="payment", description="Reversal of Payment PMT-0042", day=date(2026, 3, 31),
            reverses=payment.entry_id),
        entry(21, [
            line(1, "acc-supplies", "expense", debit=4550, description="Paper\treams, Müller brand"),
            line(2, "acc-ap", "payable", credit=4550),
        ], kind="ap_invoice", description="Bill B-77", party="Paper & Co", day=date(2026, 3, 4)),
    ]


#: Base-currency (USD) debit total of the sample = its credit total, in dollars.
TOTAL_BASE = Decimal("108.25") + Decimal("100.00") + Decimal("216.50") + Decimal("100.00") \
    + Decimal("45.50")
#: The same totals split by the currency each entry is in (Intacct writes foreign entries in their
#: own currency): USD entries 17, 18, 20, 21; the EUR entry 19.
TOTAL_BY_CURRENCY = {"USD": Decimal("353.75"), "EUR": Decimal("200.00")}


def items() -> list[InvoiceItem]:
    base = InvoiceItem(batch_id=BATCH, commerce_type="M", invoice_id="inv-1001", invoice_number=1001,
                       invoice_date=date(2026, 3, 1), member_id="M-0007",
                       customer_name="Acme Widgets, Inc.", item_code="DUES-GOLD",
                       item_description='Dues, "Gold" tier\nannual', gl_code="4000",
                       quantity=Decimal("1"), unit_price=Decimal("60.00"), amount=6000, tax_amount=0,
                       payment_id="pay-42", payment_method="Visa", payment_date=date(2026, 3, 2),
                       currency="USD")
    return [
        base,
        replace(base, commerce_type="S", item_code="MUG", item_description="=HYPERLINK(\"x\")",
                gl_code="4100", quantity=Decimal("2.5"), unit_price=Decimal("16.00"), amount=4000,
                tax_amount=825),
        replace(base, invoice_id="inv-1002", invoice_number=1002, customer_name="Łódź Trading — Zoë",
                item_code="DUES", item_description="Cotisation annuelle", quantity=Decimal("1"),
                unit_price=Decimal("200.00"), amount=20000, tax_amount=0, payment_id=None,
                payment_method=None, payment_date=None, currency="EUR", member_id=None),
        replace(base, invoice_id="inv-1003", invoice_number=1003, commerce_type="D",
                item_code="GIFT", item_description="Donation", quantity=Decimal("1"),
                unit_price=Decimal("1250"), amount=1250, tax_amount=0, currency="JPY"),
    ]


class Discard:
    """A write-only output that keeps nothing but a byte count (for memory measurements)."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass


def render(fmt: str, ctx: ExportContext, records=None) -> tuple[bytes, Writer]:
    """Run one writer over ``records`` (default: the sample) the way the engine does."""
    out = io.BytesIO()
    writer = writer_for(fmt)(out, ctx)
    writer.begin()
    feed = writer.item if writer.source == "items" else writer.entry
    for record in (records if records is not None else
                   (items() if writer.source == "items" else entries())):
        feed(record)
    writer.end()
    return out.getvalue(), writer
