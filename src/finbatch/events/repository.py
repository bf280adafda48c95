from __future__ import annotations

from sqlalchemy import select

from finbatch.events.models import Event
from finbatch.repository import TenantRepository


class EventRepository(TenantRepository[Event]):
    model = Event
    noun = "event"

    def after(self, sequence: int, *, limit: int, record_kind: str | None = None) -> list[Event]:
        stmt = self.scoped().where(Event.sequence > sequence)
        if record_kind:
            stmt = stmt.where(Event.record_kind == record_kind)
        return list(self.session.execute(stmt.order_by(Event.sequence).limit(limit)).scalars())


__all__ = ["EventRepository", "select"]
