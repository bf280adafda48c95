"""Tables of AR batches.

A batch's statistics, ``count`` and ``total`` are derived from its transactions: ``ar_batch_stats``
holds one row per (batch, transaction kind) maintained in the same transaction as every change to
the batch's contents, and recomputable from the transactions at any time
(``batches.stats.recompute``). Nothing a client sends ever lands in them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from finbatch.orm import Base, JSONDoc, UTCDateTime, UUIDStr

BATCH_STATUSES = ("open", "closed", "verified", "posting", "posted", "downloaded", "error",
                  "archived")
BATCH_TYPES = ("transaction", "deferred revenue", "cost of goods sold", "legacy")


class ARBatch(Base):
    __tablename__ = "ar_batches"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "business_unit_id"],
                             ["business_units.tenant_id", "business_units.id"]),
        ForeignKeyConstraint(["tenant_id", "fiscal_year_id", "fiscal_period"],
                             ["fiscal_periods.tenant_id", "fiscal_periods.fiscal_year_id",
                              "fiscal_periods.number"]),
        # the open batch a new transaction is assigned to, and Rhythm's status/business-unit route
        Index(None, "tenant_id", "status", "business_unit_id", "currency_code", "fiscal_year_id",
              "fiscal_period"),
        Index(None, "tenant_id", "fiscal_year_id", "fiscal_period"),
        # YM's chronological list
        Index(None, "tenant_id", "created_at", "id"),
        Index(None, "tenant_id", "external_id", unique=True),
        CheckConstraint("status IN ('open', 'closed', 'verified', 'posting', 'posted', "
                        "'downloaded', 'error', 'archived')", name="status_values"),
        CheckConstraint("type IN ('transaction', 'deferred revenue', 'cost of goods sold', "
                        "'legacy')", name="type_values"),
        CheckConstraint("fiscal_period BETWEEN 1 AND 12", name="fiscal_period_range"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    business_unit_id: Mapped[str] = mapped_column(String(64))
    currency_code: Mapped[str] = mapped_column(String(3))
    currency_symbol: Mapped[str | None] = mapped_column(String(8), nullable=True)
    #: YourMembership's commerce type of the batch's items (D, M, S), or null for any.
    commerce_type: Mapped[str | None] = mapped_column(String(1), nullable=True)
    date: Mapped[date] = mapped_column(Date)
    fiscal_year_id: Mapped[str] = mapped_column(String(32))
    fiscal_period: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(32), default="transaction")
    status: Mapped[str] = mapped_column(String(16), default="open")
    recurring_batch_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: Ids of batches that depend on this one (deferred revenue, COGS generated from it).
    dependents: Mapped[list] = mapped_column(JSONDoc, default=list)
    errors: Mapped[list] = mapped_column(JSONDoc, default=list)
    custom_field_values: Mapped[list] = mapped_column(JSONDoc, default=list)
    automatically_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Set by unposting: a batch posted since it was closed may not be reopened.
    unposted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    posting_workflow_execution_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    unposting_workflow_execution_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    downloading_workflow_execution_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: Rhythm's sys_external_id: an external reference unique per tenant.
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    modified_by: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: Server-owned bookkeeping that Rhythm exposes as sys_* fields (bulk load, last bulk
    #: operation, security context, last delete attempt).
    sys_meta: Mapped[dict] = mapped_column(JSONDoc, default=dict)


class ARBatchStat(Base):
    """Count and amount of one transaction kind in one batch (derived, see module docstring)."""

    __tablename__ = "ar_batch_stats"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "batch_id"], ["ar_batches.tenant_id", "ar_batches.id"],
                             ondelete="CASCADE"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    batch_id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
