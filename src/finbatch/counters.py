"""Per-tenant counters: human numbers (invoice 1042) and the change-feed sequence.

A counter is one row per (tenant, name), advanced with an atomic upsert that returns the new value.
The row stays locked until the transaction ends, so numbers are handed out in commit order and a
rolled-back transaction leaves no gap visible to anyone.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from finbatch.orm import Base


class TenantCounter(Base):
    __tablename__ = "tenant_counters"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


def allocate(session: Session, tenant_id: int, name: str, count: int = 1) -> int:
    """Reserve ``count`` consecutive numbers; returns the first. Numbers start at 1."""
    if count < 1:
        raise ValueError("count must be positive")
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = TenantCounter.__table__
    stmt = (
        insert(table)
        .values(tenant_id=tenant_id, name=name, value=count)
        .on_conflict_do_update(index_elements=[table.c.tenant_id, table.c.name],
                               set_={"value": table.c.value + count})
        .returning(table.c.value)
    )
    last = session.execute(stmt).scalar_one()
    return last - count + 1


def current(session: Session, tenant_id: int, name: str) -> int:
    row = session.get(TenantCounter, (tenant_id, name))
    return row.value if row else 0
