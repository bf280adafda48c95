"""``/v1/batches``: the batch resource, its lifecycle actions and its contents.

No ``from __future__ import annotations``: ``_action`` annotates with a dependency built from a
local variable, which FastAPI must see as an object.
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from finbatch.api.concurrency import IfMatch, IfMatchHeader, etag
from finbatch.api.deps import Allowed, Bookkeeper, ReadDb, Reader, WriteDb
from finbatch.api.idempotency import Idem, commit_response
from finbatch.api.paging import PageOf, Paging
from finbatch.api.problems import problem_response
from finbatch.api.responses import json_response
from finbatch.batches import service
from finbatch.batches import stats as batch_stats
from finbatch.batches.models import ARBatch
from finbatch.batches.repository import BatchFilter, BatchRepository
from finbatch.batches.schemas import (
    BatchCreate,
    BatchRead,
    BatchStatus,
    BatchType,
    BatchUpdate,
    VerifyRequest,
)
from finbatch.batches.views import native_batch
from finbatch.kit.errors import Conflict
from finbatch.receivables.endpoints import actor_of
from finbatch.receivables.repository import TransactionRepository
from finbatch.receivables.views import native_transactions
from finbatch.tenancy.auth import Principal
from finbatch.tenancy.roles import Permission

router = APIRouter(tags=["batches"])
BatchId = Annotated[str, Path(max_length=64)]


def _read(db, batch: ARBatch) -> dict:
    return native_batch(batch, batch_stats.of_batches(db, batch.tenant_id, [batch.id])[batch.id])


@router.get("/batches", response_model=PageOf[BatchRead])
def list_batches(db: ReadDb, principal: Reader, paging: Paging,
                 status: Annotated[list[BatchStatus] | None, Query()] = None,
                 business_unit_id: Annotated[str | None, Query(max_length=64)] = None,
                 fiscal_year_id: Annotated[str | None, Query(max_length=32)] = None,
                 fiscal_period: Annotated[int | None, Query(ge=1, le=12)] = None,
                 type: Annotated[list[BatchType] | None, Query()] = None,
                 currency: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
                 name: Annotated[str | None, Query(max_length=200, description="Contains, any case.")] = None,
                 ) -> Response:
    filters = BatchFilter(statuses=status, business_unit_id=business_unit_id,
                          fiscal_year_id=fiscal_year_id, fiscal_period=fiscal_period,
                          types=type, currency=currency, name_contains=name)
    page = BatchRepository(db, principal.tenant_id).page(cursor=paging.cursor, limit=paging.limit,
                                                         filters=filters)
    stats = batch_stats.of_batches(db, principal.tenant_id, [b.id for b in page.items])
    return json_response({"items": [native_batch(b, stats[b.id]) for b in page.items],
                          "next_cursor": page.next_cursor})


@router.post("/batches", status_code=201, response_model=BatchRead)
def create_batch(body: BatchCreate, db: WriteDb, principal: Bookkeeper, idem: Idem) -> Response:
    batch = service.create_batch(db, principal.tenant, body.model_dump(exclude_none=True),
                                 actor_of(principal))
    return commit_response(db, idem, _read(db, batch), status_code=201, version=batch.version)


@router.get("/batches/{batch_id}", response_model=BatchRead)
def get_batch(batch_id: BatchId, db: ReadDb, principal: Reader) -> Response:
    batch = service.require_batch(db, principal.tenant_id, batch_id)
    return json_response(_read(db, batch), headers={"ETag": etag(batch.version)})


@router.patch("/batches/{batch_id}", response_model=BatchRead)
def update_batch(batch_id: BatchId, body: BatchUpdate, db: WriteDb, principal: Bookkeeper,
                 if_match: IfMatchHeader) -> Response:
    batch = service.require_batch(db, principal.tenant_id, batch_id, for_update=True)
    if_match.check(batch.version)
    service.update_batch(db, principal.tenant, batch, body.model_dump(exclude_unset=True),
                         actor_of(principal))
    return commit_response(db, None, _read(db, batch), version=batch.version)


@router.delete("/batches/{batch_id}", status_code=204, response_class=Response,
               summary="Delete an open batch that holds no transactions")
def delete_batch(batch_id: BatchId, db: WriteDb, principal: Bookkeeper,
                 if_match: IfMatchHeader) -> Response:
    batch = service.require_batch(db, principal.tenant_id, batch_id, for_update=True)
    if_match.check(batch.version)
    try:
        service.delete_batch(db, principal.tenant, batch, actor_of(principal))
    except Conflict:
        db.commit()  # keep the record of who tried (Rhythm's sys_deleted_by_id)
        raise
    db.commit()
    return Response(status_code=204)


@router.get("/batches/{batch_id}/transactions", response_model=PageOf[dict],
            summary="The batch's transactions of every kind, in id order")
def batch_transactions(batch_id: BatchId, db: ReadDb, principal: Reader, paging: Paging) -> Response:
    service.require_batch(db, principal.tenant_id, batch_id)
    page = TransactionRepository(db, principal.tenant_id).page_in_batch(
        batch_id, cursor=paging.cursor, limit=paging.limit)
    return json_response({"items": native_transactions(db, page.items),
                          "next_cursor": page.next_cursor})


def _action(action: str, permission: Permission, summary: str) -> None:
    def run(batch_id: BatchId, db: WriteDb, principal: Allowed(permission),  # type: ignore[valid-type]
            if_match: IfMatchHeader) -> Response:
        return _act(db, principal, batch_id, if_match, action)

    router.add_api_route(f"/batches/{{batch_id}}/{action}", run, methods=["POST"],
                         response_model=BatchRead, summary=summary, operation_id=f"{action}_batch",
                         responses={409: problem_response("The lifecycle does not allow it")})


def _act(db, principal: Principal, batch_id: str, if_match: IfMatch, action: str,
         **details) -> Response:
    batch = service.require_batch(db, principal.tenant_id, batch_id, for_update=True)
    if_match.check(batch.version)
    service.apply_action(db, principal.tenant, batch, action, actor_of(principal), **details)
    return commit_response(db, None, _read(db, batch), version=batch.version)


_action("close", Permission.CLOSE_BATCHES, "Close an open batch")
_action("reopen", Permission.VERIFY_BATCHES, "Reopen a closed batch (not after a posting)")
_action("archive", Permission.ARCHIVE, "Archive a batch (read only from then on)")


@router.post("/batches/{batch_id}/verify", response_model=BatchRead,
             summary="Verify a closed batch, optionally against control figures")
def verify_batch(batch_id: BatchId, body: VerifyRequest, db: WriteDb,
                 principal: Allowed(Permission.VERIFY_BATCHES),  # type: ignore[valid-type]
                 if_match: IfMatchHeader) -> Response:
    batch = service.require_batch(db, principal.tenant_id, batch_id, for_update=True)
    if_match.check(batch.version)
    service.verify_batch(db, principal.tenant, batch, actor_of(principal),
                         control_count=body.control_count, control_total=body.control_total)
    return commit_response(db, None, _read(db, batch), version=batch.version)
