"""The rows a bulk import writes, each one tuple serving both the insert and the change feed.

Design: a transaction, line, tax line or allocation of an import is a named tuple with its
table's columns in insert order. ``finbatch.bulk.BulkInsert`` takes the tuples as they are (no
dictionary per row to build and take apart again), and ``render_transactions`` reads the very
same tuples by attribute to render the change feed's documents. For that second use every value
must be what the database would return on reading the row back, so the ``DecimalText`` columns
hold the *canonical* ``Decimal`` (``canonical``: the decimal the stored text reads back as, e.g.
``Decimal("2")`` for an input of ``2.000``); the bulk insert's bind processor turns it into the
same stored text as before, once per distinct value.

``Stored`` is a small slotted stand-in for an ``ARTransaction`` while a file is checked: the
allocation rules (``allocations.check_target``) read only plain attributes, and an ORM object per
new receivable (with its instance state) was a seventh of an import's time.
"""

from __future__ import annotations

from collections import namedtuple
from decimal import Decimal

from finbatch.kit.money import canonical_decimal

TXN_COLUMNS = (
    "tenant_id", "id", "kind", "number", "external_ref", "source_hash", "batch_id",
    "business_unit_id", "customer_id", "currency", "fx_rate", "date", "occurred_at",
    "fiscal_year_id", "fiscal_period", "commerce_type", "description", "amount", "subtotal",
    "tax_total", "settled", "due_date", "location", "terms", "is_void", "void_date",
    "transaction_type", "fee", "payment_account", "payment_method", "reference", "cleared_date",
    "payee", "requires_follow_up", "payment_id", "created_at", "created_by", "modified_at",
    "modified_by", "version")
LINE_COLUMNS = ("tenant_id", "transaction_id", "line_number", "product", "description",
                "quantity", "unit", "unit_price", "amount", "tax_code", "gl_account_code")
TAX_COLUMNS = ("tenant_id", "transaction_id", "tax_code", "description", "rate", "taxable", "tax")
ALLOCATION_COLUMNS = ("tenant_id", "id", "source_id", "target_id", "amount", "created_at")

TxnRow = namedtuple("TxnRow", TXN_COLUMNS)
LineRow = namedtuple("LineRow", LINE_COLUMNS)
TaxRow = namedtuple("TaxRow", TAX_COLUMNS)
AllocationRow = namedtuple("AllocationRow", ALLOCATION_COLUMNS)


class Canonical(dict):
    """``canonical[d]``: ``money.canonical_decimal(d)``, the ``Decimal`` that ``d``'s stored text
    reads back as. Computed once per distinct value of a file (quantities, prices, rates and tax
    rates repeat from row to row). Equal decimals (``2`` and ``2.0``) share one stored text, so keying by the
    number is exact."""

    def __missing__(self, value: Decimal) -> Decimal:
        result = self[value] = canonical_decimal(value)
        return result


class Stored:
    """What the allocation checks need of a receivable or a source while a file is checked."""

    __slots__ = ("id", "kind", "number", "external_ref", "customer_id", "currency", "is_void",
                 "amount", "settled")

    def __init__(self, id: str, kind: str, customer_id: str | None, currency: str, amount: int,
                 *, number: int = 0, external_ref: str | None = None, is_void: bool = False,
                 settled: int = 0) -> None:
        self.id = id
        self.kind = kind
        self.number = number  # 0 until the import numbers it: messages then name external_ref
        self.external_ref = external_ref
        self.customer_id = customer_id
        self.currency = currency
        self.is_void = is_void
        self.amount = amount
        self.settled = settled
