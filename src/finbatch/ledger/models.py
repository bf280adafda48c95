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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from finbatch.orm import Base, DecimalText, UTCDateTime, UUIDStr

ACCOUNT_TYPES = ("asset", "liability", "equity", "revenue", "expense")


class GLAccount(Base):
    __tablename__ = "gl_accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        ForeignKeyConstraint(["tenant_id", "parent_id"], ["gl_accounts.tenant_id", "gl_accounts.id"]),
        Index(None, "tenant_id", "parent_id"),
        CheckConstraint("type IN ('asset', 'liability', 'equity', 'revenue', 'expense')",
                        name="type_values"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[str | None] = mapped_column(UUIDStr, nullable=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


#: Roles a posting rule can fill, and the transaction kinds rules are written for.
ROLES = ("receivable", "revenue", "deferred_revenue", "tax_payable", "cash", "merchant_fees",
         "write_off", "allowances", "payable", "expense", "inventory", "tax_expense")
RULE_KINDS = ("invoice", "debit_memo", "credit_memo", "payment", "purchase_payment", "refund",
              "credit", "write_off", "ap_invoice")


class PostingRule(Base):
    """Which GL account fills ``role`` when posting transactions of ``kind``; ``product``,
    ``commerce_type`` and ``business_unit_id`` narrow a rule ('' = any). The most specific
    matching rule wins: product, then commerce type, then business unit."""

    __tablename__ = "posting_rules"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "role", "product", "commerce_type", "business_unit_id"),
        ForeignKeyConstraint(["tenant_id", "account_id"], ["gl_accounts.tenant_id", "gl_accounts.id"]),
        Index(None, "tenant_id", "account_id"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(32))
    product: Mapped[str] = mapped_column(String(64), default="")
    commerce_type: Mapped[str] = mapped_column(String(1), default="")
    business_unit_id: Mapped[str] = mapped_column(String(64), default="")
    account_id: Mapped[str] = mapped_column(UUIDStr)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class PostingRun(Base):
    """One posting (or unposting) of one batch. Its journal entries count only once the run is
    ``complete``: a batch's journal appears and disappears as a whole."""

    __tablename__ = "posting_runs"
    __table_args__ = (
        Index(None, "tenant_id", "batch_id", "status"),
        CheckConstraint("kind IN ('post', 'reverse')", name="kind_values"),
        CheckConstraint("status IN ('running', 'complete', 'failed', 'removed')",
                        name="status_values"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    #: The id of the job that carries the run.
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    batch_id: Mapped[str] = mapped_column(UUIDStr)
    #: ``ar`` (an AR batch) or ``ap`` (an AP batch): whose journal this is.
    batch_kind: Mapped[str] = mapped_column(String(8), default="ar")
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    entry_count: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class JournalEntry(Base):
    """One balanced entry per posted transaction (or per reversed entry). Immutable: written once
    with its lines (lines first, then the entry, whose insert the database checks for balance)."""

    __tablename__ = "journal_entries"
    __table_args__ = (
        Index(None, "tenant_id", "batch_id", "id"),
        Index(None, "tenant_id", "run_id"),
        Index(None, "tenant_id", "source_id"),
        Index(None, "tenant_id", "number", unique=True),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger)
    run_id: Mapped[str] = mapped_column(UUIDStr)
    batch_id: Mapped[str] = mapped_column(UUIDStr)
    batch_kind: Mapped[str] = mapped_column(String(8), default="ar")
    source_kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(UUIDStr)
    #: The posting date: the transaction's business date (a reversal: the unposting date).
    entry_date: Mapped[date] = mapped_column(Date)
    fiscal_year_id: Mapped[str] = mapped_column(String(32))
    fiscal_period: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    fx_rate: Mapped[Decimal] = mapped_column(DecimalText)
    description: Mapped[str] = mapped_column(String(500), default="")
    #: The customer (or payee) the entry concerns, for exports that name it on A/R lines.
    party_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    party_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reverses_entry_id: Mapped[str | None] = mapped_column(UUIDStr, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class JournalLine(Base):
    """A debit or a credit, in the tenant's base currency and in the transaction's currency."""

    __tablename__ = "journal_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "entry_id"],
                             ["journal_entries.tenant_id", "journal_entries.id"],
                             ondelete="CASCADE", deferrable=True, initially="DEFERRED"),
        ForeignKeyConstraint(["tenant_id", "account_id"], ["gl_accounts.tenant_id", "gl_accounts.id"]),
        Index(None, "tenant_id", "account_id"),
        CheckConstraint("debit >= 0 AND credit >= 0 AND txn_debit >= 0 AND txn_credit >= 0",
                        name="non_negative"),
        CheckConstraint("(debit = 0 OR credit = 0) AND (txn_debit = 0 OR txn_credit = 0)",
                        name="one_side"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    entry_id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    line_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    account_id: Mapped[str] = mapped_column(UUIDStr)
    #: The posting role that chose the account (receivable, revenue, cash, …).
    role: Mapped[str] = mapped_column(String(32), default="")
    debit: Mapped[int] = mapped_column(BigInteger, default=0)
    credit: Mapped[int] = mapped_column(BigInteger, default=0)
    txn_debit: Mapped[int] = mapped_column(BigInteger, default=0)
    txn_credit: Mapped[int] = mapped_column(BigInteger, default=0)
    description: Mapped[str | None] = mapped_column(String(500), nullable=True)
    department: Mapped[str | None] = mapped_column(String(64), nullable=True)
    project: Mapped[str | None] = mapped_column(String(64), nullable=True)


# Only the entries of a ``complete`` run are visible: a batch's journal appears as a whole. Every
# read joins an entry to its run by these terms (``VISIBLE_RUN_SQL`` in SQL text, with the entry
# as ``e`` and the run as ``r``). The run's batch is among them although a run's entries always
# carry it: PostgreSQL then finds a batch's runs by their (tenant_id, batch_id, status) index.
# Planned from statistics taken when the tenant had one run, the join on the run id alone drove
# from every complete run of the tenant and read all their entries to keep the batch's (counting
# a batch's entries: 17 ms at 100,000 entries in the tenant, growing with it; 1.8 ms so).
VISIBLE_RUN = ((PostingRun.tenant_id == JournalEntry.tenant_id)
               & (PostingRun.id == JournalEntry.run_id)
               & (PostingRun.batch_id == JournalEntry.batch_id)
               & (PostingRun.status == "complete"))
VISIBLE_RUN_SQL = ("JOIN posting_runs r ON r.tenant_id = e.tenant_id AND r.id = e.run_id "
                   "AND r.batch_id = e.batch_id AND r.status = 'complete' ")
