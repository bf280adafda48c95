"""``/v1/events``: the change feed, read by sequence number."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from starlette.responses import Response

from finbatch.api.deps import ReadDb, Reader
from finbatch.api.responses import json_response
from finbatch.events.repository import EventRepository
from finbatch.repository import DEFAULT_LIMIT, MAX_LIMIT

router = APIRouter(tags=["events"])


class EventRead(BaseModel):
    sequence: int
    type: Literal["created", "updated", "deleted", "status_changed"]
    record_kind: str
    record_id: str
    actor: str
    occurred_at: datetime
    data: dict[str, Any] | None


class EventPage(BaseModel):
    items: list[EventRead]
    next_cursor: str | None
    last_sequence: int


@router.get("/events", response_model=EventPage,
            summary="Changes after a sequence number, oldest first",
            description="Follow the feed by passing the `last_sequence` of one response as "
                        "`after` of the next. Sequence numbers are per tenant, strictly "
                        "increasing and become visible in order, so no event is ever missed or "
                        "repeated, even when many share a timestamp. Deletions appear as "
                        "events with `type` `deleted`.")
def list_events(db: ReadDb, principal: Reader,
                after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,  # a BIGINT sequence
                cursor: Annotated[str | None, Query(pattern=r"^\d{1,18}$")] = None,
                limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
                record_kind: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    start = int(cursor) if cursor is not None else after
    events = EventRepository(db, principal.tenant_id).after(start, limit=limit,
                                                            record_kind=record_kind)
    last = events[-1].sequence if events else start
    items: list[dict[str, Any]] = [
        {"sequence": e.sequence, "type": e.type, "record_kind": e.record_kind,
         "record_id": e.record_id, "actor": e.actor, "occurred_at": e.occurred_at, "data": e.data}
        for e in events]
    return json_response({"items": items,
                          "next_cursor": str(last) if len(events) == limit else None,
                          "last_sequence": last})
