"""Closing and reopening fiscal periods.

A period closes only when every batch in it is posted (posted, downloaded) or archived; the
refusal lists the batches in the way. A closed period accepts no postings and no changes to its
batches or transactions (``batches.service.require_period_open`` and assignment check it, under a
share lock that makes a concurrent close wait).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from finbatch.batches.repository import BatchRepository
from finbatch.events.service import record_change
from finbatch.fiscal.models import FiscalPeriod
from finbatch.fiscal.repository import FiscalPeriodRepository
from finbatch.fiscal.schemas import FiscalPeriodRead
from finbatch.kit.clock import utcnow
from finbatch.kit.errors import Conflict, NotFound

SETTLED_STATUSES = ("posted", "downloaded", "archived")


def _period(session: Session, tenant_id: int, fiscal_year_id: str, number: int) -> FiscalPeriod:
    period = FiscalPeriodRepository(session, tenant_id).lock(fiscal_year_id, number)
    if period is None:
        raise NotFound(f"fiscal period {fiscal_year_id}/{number} was not found")
    return period


def close_period(session: Session, *, tenant_id: int, fiscal_year_id: str, number: int,
                 actor: str) -> FiscalPeriod:
    period = _period(session, tenant_id, fiscal_year_id, number)
    if period.status == "closed":
        raise Conflict(f"fiscal period {fiscal_year_id}/{number} is already closed",
                       code="PERIOD_ALREADY_CLOSED")
    blocking = BatchRepository(session, tenant_id).in_period_not_in(
        fiscal_year_id, number, SETTLED_STATUSES, limit=200)
    if blocking:
        names = ", ".join(f"{b.name} ({b.id}, {b.status})" for b in blocking[:20])
        more = f" and {len(blocking) - 20} more" if len(blocking) > 20 else ""
        raise Conflict(f"fiscal period {fiscal_year_id}/{number} cannot close: these batches are "
                       f"not posted: {names}{more}", code="PERIOD_HAS_UNPOSTED_BATCHES",
                       extra={"batches": [{"id": b.id, "name": b.name, "status": b.status}
                                          for b in blocking]})
    period.status = "closed"
    period.closed_at = utcnow()
    period.closed_by = actor
    period.version += 1
    session.flush()
    _record(session, period, actor)
    return period


def reopen_period(session: Session, *, tenant_id: int, fiscal_year_id: str, number: int,
                  actor: str) -> FiscalPeriod:
    period = _period(session, tenant_id, fiscal_year_id, number)
    if period.status != "closed":
        raise Conflict(f"fiscal period {fiscal_year_id}/{number} is open", code="PERIOD_OPEN")
    period.status = "open"
    period.closed_at = None
    period.closed_by = None
    period.version += 1
    session.flush()
    _record(session, period, actor)
    return period


def _record(session: Session, period: FiscalPeriod, actor: str) -> None:
    record_change(session, tenant_id=period.tenant_id, type="status_changed",
                  record_kind="fiscal_period", record_id=f"{period.fiscal_year_id}-{period.number:02d}",
                  actor=actor, data=FiscalPeriodRead.model_validate(period).model_dump(mode="json"))
