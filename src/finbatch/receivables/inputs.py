"""What a source (an API, the importer, a dialect) hands the receivables service.

Amounts arrive as decimal *strings*: only the service knows the transaction's currency (it may
default to the business unit's), so only it can turn them into minor units exactly and name the
offending field when it cannot.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from finbatch.kit.jsonutil import dumps


@dataclass(slots=True)
class LineIn:
    quantity: str = "1"
    unit_price: str = "0"
    amount: str | None = None
    product: str | None = None
    description: str | None = None
    unit: str | None = None
    tax_code: str | None = None
    gl_account_code: str | None = None


@dataclass(slots=True)
class AllocationIn:
    target_id: str
    amount: str


@dataclass(slots=True)
class TransactionIn:
    kind: str
    business_unit_id: str | None = None
    customer_id: str | None = None
    currency: str | None = None
    fx_rate: str | None = None
    date: date | None = None
    occurred_at: datetime | None = None
    batch_id: str | None = None
    external_ref: str | None = None
    commerce_type: str | None = None
    description: str | None = None
    #: Gross amount of kinds without lines (payment, refund, credit, write-off).
    amount: str | None = None
    lines: list[LineIn] = field(default_factory=list)
    allocations: list[AllocationIn] = field(default_factory=list)
    # invoices and memos
    due_date: date | None = None
    location: str | None = None
    terms: str | None = None
    # payments and refunds
    transaction_type: str | None = None
    fee: str | None = None
    payment_account: str | None = None
    payment_method: str | None = None
    reference: str | None = None
    cleared_date: date | None = None
    payee: str | None = None
    requires_follow_up: bool = False
    payment_id: str | None = None

    def fingerprint(self) -> str:
        """A stable hash of the input, for idempotent upserts by external reference.

        Stored hashes are compared with later ones, so the bytes hashed must never change: they
        are the JSON of ``dataclasses.asdict(self)``. orjson writes a slotted dataclass as that
        same object (fields in declaration order, nested ones as objects) without the deep copy
        ``asdict`` makes, which was a seventh of an import's time; ``tests/unit/test_inputs.py``
        pins the equality."""
        return hashlib.sha256(dumps(self)).hexdigest()
