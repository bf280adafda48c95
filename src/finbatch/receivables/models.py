"""Tables of the receivables subledger.

All AR transaction kinds share one table (``ar_transactions``): they share a batch, a business
date, a currency, an amount, an external reference and a version, and a batch's statistics are a
``GROUP BY kind`` over it. Kind-specific columns are nullable. Lines (invoices and memos), tax
lines and allocations (what a payment, credit, memo, write-off or refund applies to which
receivable) are child tables.

Amounts are integer minor units of the transaction's currency, always non-negative: the kind says
which way money moves. ``settled`` on a receivable is the net of its allocations, maintained in
the same transaction as every allocation change and derivable from ``ar_allocations`` at any time.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from finbatch.orm import Base, DecimalText, UTCDateTime, UUIDStr

KINDS = ("invoice", "payment", "refund", "credit", "credit_memo", "debit_memo", "write_off")
#: Kinds a customer owes money on, and that allocations can settle.
RECEIVABLE_KINDS = ("invoice", "debit_memo")
#: Kinds whose allocations settle receivables (a refund's allocations un-settle them).
SETTLING_KINDS = ("payment", "credit", "credit_memo", "write_off")
#: Kinds with line items.
LINE_KINDS = ("invoice", "credit_memo", "debit_memo")
COMMERCE_TYPES = ("D", "M", "S")


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        Index(None, "tenant_id", "code", unique=True),
        Index(None, "tenant_id", "external_ref", unique=True),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    #: Human account number (YM MemberID, Agvance customerId); unique per tenant.
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    external_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class TaxCode(Base):
    __tablename__ = "tax_codes"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    #: e.g. ``0.0825`` for 8.25 %.
    rate: Mapped[Decimal] = mapped_column(DecimalText)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class ARTransaction(Base):
    __tablename__ = "ar_transactions"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "batch_id"], ["ar_batches.tenant_id", "ar_batches.id"]),
        ForeignKeyConstraint(["tenant_id", "customer_id"], ["customers.tenant_id", "customers.id"]),
        ForeignKeyConstraint(["tenant_id", "business_unit_id"],
                             ["business_units.tenant_id", "business_units.id"]),
        # per-kind lists in id order (the /v1 list endpoints)
        Index(None, "tenant_id", "kind", "id"),
        # a batch in id order: posting's chunks, the batch's pages (migration 0009)
        Index(None, "tenant_id", "batch_id", "id"),
        Index(None, "tenant_id", "kind", "number", unique=True),
        Index(None, "tenant_id", "kind", "external_ref", unique=True),
        Index(None, "tenant_id", "customer_id"),
        # incremental syncs by modification instant (Agvance, Saasu)
        Index(None, "tenant_id", "kind", "modified_at", "id"),
        CheckConstraint("kind IN ('invoice', 'payment', 'refund', 'credit', 'credit_memo', "
                        "'debit_memo', 'write_off')", name="kind_values"),
        CheckConstraint("amount >= 0", name="amount_non_negative"),
        CheckConstraint("fee >= 0", name="fee_non_negative"),
        CheckConstraint("settled >= 0 AND settled <= amount", name="settled_within_amount"),
        CheckConstraint("commerce_type IS NULL OR commerce_type IN ('D', 'M', 'S')",
                        name="commerce_type_values"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: Per tenant and kind: invoice 1042, payment 17 (Saasu's TransactionId, Agvance's number).
    number: Mapped[int] = mapped_column(BigInteger)
    external_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: Fingerprint of the source's last input, so a repeated upsert by ``external_ref`` is a no-op.
    source_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    batch_id: Mapped[str] = mapped_column(UUIDStr)
    business_unit_id: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[str | None] = mapped_column(UUIDStr, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    #: Units of the tenant's base currency per unit of ``currency``.
    fx_rate: Mapped[Decimal] = mapped_column(DecimalText)
    #: Business date in the tenant's zone; ``occurred_at`` is the instant when one was given.
    date: Mapped[date] = mapped_column(Date)
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fiscal_year_id: Mapped[str] = mapped_column(String(32))
    fiscal_period: Mapped[int] = mapped_column(Integer)
    commerce_type: Mapped[str | None] = mapped_column(String(1), nullable=True)
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    #: The total in minor units: invoice/memo total incl. tax; payment/refund gross amount.
    amount: Mapped[int] = mapped_column(BigInteger)
    # receivables (invoice, debit memo) and credit memos
    subtotal: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_total: Mapped[int] = mapped_column(BigInteger, default=0)
    settled: Mapped[int] = mapped_column(BigInteger, default=0)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    location: Mapped[str | None] = mapped_column(String(64), nullable=True)
    terms: Mapped[str | None] = mapped_column(String(64), nullable=True)
    is_void: Mapped[bool] = mapped_column(Boolean, default=False)
    void_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    # payments and refunds
    transaction_type: Mapped[str | None] = mapped_column(String(2), nullable=True)
    fee: Mapped[int] = mapped_column(BigInteger, default=0)
    payment_account: Mapped[str | None] = mapped_column(String(32), nullable=True)
    payment_method: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    cleared_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    payee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    requires_follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    #: A refund's original payment.
    payment_id: Mapped[str | None] = mapped_column(UUIDStr, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    modified_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)


class ARLine(Base):
    __tablename__ = "ar_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "transaction_id"],
                             ["ar_transactions.tenant_id", "ar_transactions.id"],
                             ondelete="CASCADE"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    transaction_id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    line_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    product: Mapped[str | None] = mapped_column(String(64), nullable=True)
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    quantity: Mapped[Decimal] = mapped_column(DecimalText)
    unit: Mapped[str | None] = mapped_column(String(16), nullable=True)
    unit_price: Mapped[Decimal] = mapped_column(DecimalText)
    amount: Mapped[int] = mapped_column(BigInteger)
    tax_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: Overrides the posting rule's revenue account for this line.
    gl_account_code: Mapped[str | None] = mapped_column(String(32), nullable=True)


class ARTaxLine(Base):
    """Tax of one transaction under one tax code: ``rate`` × ``taxable``, rounded once."""

    __tablename__ = "ar_tax_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "transaction_id"],
                             ["ar_transactions.tenant_id", "ar_transactions.id"],
                             ondelete="CASCADE"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    transaction_id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    tax_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    rate: Mapped[Decimal] = mapped_column(DecimalText)
    taxable: Mapped[int] = mapped_column(BigInteger)
    tax: Mapped[int] = mapped_column(BigInteger)


class ARAllocation(Base):
    """``amount`` of transaction ``source_id`` applied to receivable ``target_id``."""

    __tablename__ = "ar_allocations"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "source_id"],
                             ["ar_transactions.tenant_id", "ar_transactions.id"],
                             ondelete="CASCADE"),
        ForeignKeyConstraint(["tenant_id", "target_id"],
                             ["ar_transactions.tenant_id", "ar_transactions.id"]),
        Index(None, "tenant_id", "source_id", "target_id", unique=True),
        Index(None, "tenant_id", "target_id"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    source_id: Mapped[str] = mapped_column(UUIDStr)
    target_id: Mapped[str] = mapped_column(UUIDStr)
    amount: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
