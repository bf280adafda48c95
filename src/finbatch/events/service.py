"""Recording changes.

Design: services call ``record_change`` as they change records; the events wait in the session and
are written by a ``before_commit`` hook, which takes the tenant's sequence counter as the very last
lock of the transaction. Every transaction therefore holds that lock only for the instant before
its commit (no deadlocks against row locks taken earlier), and sequences become visible in order:
a follower reading ``after=N`` can never later discover an event below a sequence it has seen.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from finbatch import counters
from finbatch.bulk import BulkInsert
from finbatch.events.models import Event
from finbatch.kit.clock import utcnow
from finbatch.kit.gcpause import collector_paused

EVENT_TYPES = ("created", "updated", "deleted", "status_changed")
_PENDING = "finbatch_pending_events"
#: Events of one tenant in one commit from which their write pauses the cyclic collector.
BULK_EVENTS = 1_000
_EVENT_COLUMNS = ("tenant_id", "sequence", "type", "record_kind", "record_id", "actor",
                  "occurred_at", "data")


@dataclass(slots=True)
class _Pending:
    tenant_id: int
    type: str
    record_kind: str
    record_id: str
    actor: str
    data: dict[str, Any] | None


def record_change(session: Session, *, tenant_id: int, type: str, record_kind: str,
                  record_id: str, actor: str, data: dict[str, Any] | None) -> None:
    """Queue one change event; it is written with the transaction's commit, or not at all."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    session.info.setdefault(_PENDING, []).append(
        _Pending(tenant_id, type, record_kind, str(record_id), actor, data))


def _write_pending(session: Session) -> None:
    pending: list[_Pending] = session.info.pop(_PENDING, [])
    if not pending:
        return
    session.flush()
    by_tenant: dict[int, list[_Pending]] = {}
    for item in pending:
        by_tenant.setdefault(item.tenant_id, []).append(item)
    # straight to the driver (``finbatch.bulk``): the ORM's bulk insert inspected a dictionary
    # per event and was a tenth of an import of 10,000 transactions; the values go through the
    # same bind processors (the JSON serializer, UTC instants)
    writer = BulkInsert(session, Event.__table__, _EVENT_COLUMNS)
    now = utcnow()
    for tenant_id, items in sorted(by_tenant.items()):
        first = counters.allocate(session, tenant_id, "events", len(items))
        # an import's commit writes an event per transaction while all of them are alive: the
        # collector would walk them again and again (kit.gcpause). Paused only for such a write,
        # and only once the counter's lock is held: the pause is process-wide, and an API
        # commit of a few events waiting on that lock must not hold it off for every thread.
        with collector_paused() if len(items) >= BULK_EVENTS else nullcontext():
            writer.write([(tenant_id, first + i, it.type, it.record_kind, it.record_id, it.actor,
                           now, it.data) for i, it in enumerate(items)])


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    _write_pending(session)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """Run a block in a SAVEPOINT, for work that may fail on its own inside a larger unit of work
    (a bulk request's operations): when the block raises, its changes and the events it queued are
    dropped and the events queued before it are kept. (Rolling a savepoint back fires
    ``after_rollback``, which empties the whole queue; the queue is put back as it was.)"""
    before = list(session.info.get(_PENDING, []))
    nested = session.begin_nested()
    try:
        yield
    except BaseException:
        if nested.is_active:
            nested.rollback()
        session.info[_PENDING] = before
        raise
    nested.commit()
