"""What export writers receive: journal entries with their lines (or, for the YM format, invoice
items), already read from the database in streaming chunks. Plain data, no ORM objects.

Amounts are integer minor units: ``debit``/``credit`` in the tenant's base currency,
``txn_debit``/``txn_credit`` in the entry's own currency. Dates are business dates (the posting
date in the tenant's time zone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: str
    code: str
    name: str
    #: ``Parent:Sub`` — QuickBooks' account reference.
    full_name: str
    type: str
    is_active: bool


@dataclass(slots=True)
class ExportLine:
    line_number: int
    account_id: str
    #: The posting role that chose the account: receivable, payable, revenue, cash, …
    role: str
    debit: int
    credit: int
    txn_debit: int
    txn_credit: int
    description: str | None = None
    department: str | None = None
    project: str | None = None


@dataclass(slots=True)
class ExportEntry:
    batch_id: str
    batch_name: str
    business_unit_id: str
    entry_id: str
    number: int
    source_kind: str
    source_id: str
    posting_date: date
    description: str
    party_id: str | None
    party_name: str | None
    currency: str
    fx_rate: Decimal
    reverses_entry_id: str | None
    lines: list[ExportLine] = field(default_factory=list)


@dataclass(slots=True)
class InvoiceItem:
    """One line item of an invoice (the YM item export)."""

    batch_id: str
    commerce_type: str | None
    invoice_id: str
    invoice_number: int
    invoice_date: date
    member_id: str | None
    customer_name: str | None
    item_code: str | None
    item_description: str | None
    gl_code: str | None
    quantity: Decimal
    unit_price: Decimal
    amount: int
    tax_amount: int
    payment_id: str | None
    payment_method: str | None
    payment_date: date | None
    currency: str


@dataclass(slots=True)
class ExportContext:
    """Everything a writer needs besides the rows."""

    tenant_slug: str
    tenant_name: str
    base_currency: str
    #: e.g. ``en-US``: decides month/day order where a format follows the company's locale.
    locale: str
    #: Every GL account of the tenant, by id (charts are small).
    accounts: dict[str, AccountInfo]
    #: Format options from the export request (validated by the writer's ``options`` model).
    options: dict[str, Any]
    #: A private scratch directory (for writers that build several files, e.g. Xero's split).
    workdir: Path
