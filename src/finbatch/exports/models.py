"""Tables of exports.

``exports`` is one requested file: format, options, who asked, the job's outcome, the stored file.
``export_batches`` is the export ledger: which batch (at which version and journal mark) went into
which export, and which range of its journal entries, so a batch shows where and when it went and
the next export of it carries only what is new (e.g. the reversing entries of an unposting).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from finbatch.orm import Base, JSONDoc, UTCDateTime, UUIDStr

EXPORT_STATUSES = ("queued", "running", "complete", "failed", "expired")


class Export(Base):
    __tablename__ = "exports"
    __table_args__ = (
        Index(None, "tenant_id", "fingerprint"),
        Index(None, "tenant_id", "created_at"),
        CheckConstraint("status IN ('queued', 'running', 'complete', 'failed', 'expired')",
                        name="status_values"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    #: Also the id of the job that renders it.
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    format: Mapped[str] = mapped_column(String(32))
    #: ``ar``: AR batches; ``ap``: AP batches (an export holds one kind).
    batch_kind: Mapped[str] = mapped_column(String(8), default="ar")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    #: The batches in request order.
    batch_ids: Mapped[list] = mapped_column(JSONDoc)
    options: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    force: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Format, options and each batch's content mark: a repeat with the same one is the same export.
    fingerprint: Mapped[str] = mapped_column(String(64))
    requested_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: When the stored file is deleted and the export becomes ``expired``.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    row_count: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    byte_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    file_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    media_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    storage_key: Mapped[str | None] = mapped_column(String(500), nullable=True)
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ExportBatch(Base):
    __tablename__ = "export_batches"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "export_id"], ["exports.tenant_id", "exports.id"],
                             ondelete="CASCADE"),
        # no foreign key to the batch: it is an AR or an AP batch (``batch_kind``); the export
        # service checks it exists when the export is requested, and batches that were exported
        # are never deleted (only open, empty batches are)
        Index(None, "tenant_id", "batch_id", "export_id"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    export_id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    batch_id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    batch_kind: Mapped[str] = mapped_column(String(8), default="ar")
    position: Mapped[int] = mapped_column(Integer)
    batch_version: Mapped[int] = mapped_column(Integer)
    #: What the batch's exportable content was when asked (its last journal entry id, or for
    #: item formats its transaction count and last modification).
    content_mark: Mapped[str] = mapped_column(String(100))
    #: Journal entries after this id (exclusive; null = from the start) …
    from_entry_id: Mapped[str | None] = mapped_column(UUIDStr, nullable=True)
    #: … up to this id (inclusive): the range this export carries.
    through_entry_id: Mapped[str | None] = mapped_column(UUIDStr, nullable=True)
    entry_count: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
