from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from finbatch.orm import Base, JSONDoc, UTCDateTime


class Event(Base):
    """One change to one record. ``sequence`` is per tenant, strictly increasing, gap-free."""

    __tablename__ = "events"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    #: ``created``, ``updated``, ``deleted`` or ``status_changed``.
    type: Mapped[str] = mapped_column(String(32))
    record_kind: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The record as the API shows it after the change (``None`` after a delete).
    data: Mapped[dict | None] = mapped_column(JSONDoc, nullable=True)
