"""Rhythm's Batches routes (``/batches/{tenantId}…``), at the vendor's paths.

Each handler authenticates the caller for the tenant in the path, parses Rhythm's parameters and
body, calls the core (``batches.service`` and ``BatchRepository`` through ``operations``) and
renders Rhythm's shapes: a batch (``fields`` projection), a bare array (scan, its paging key in the
``X-Last-Evaluated-Key`` header), ``{Count, Items, LastEvaluatedKey}`` and ``{Items,
LastEvaluatedKey}`` pages of at most 100, ``{children}``, the bulk results and a JSON string
(delete). ``LastEvaluatedKey`` is the core's opaque keyset cursor (creation order), so a walk over
the pages returns each batch once even while batches are added or removed. A write commits once,
at the end of the handler.

Routes are declared literal paths first, so ``/dependents``, ``/search``… are never taken for a
batch id.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session
from starlette.responses import Response

from finbatch.api.deps import ReadDb, WriteDb
from finbatch.batches import service
from finbatch.batches.models import BATCH_STATUSES
from finbatch.batches.repository import BatchFilter, BatchRepository
from finbatch.dialects.rhythm import bulk, operations
from finbatch.dialects.rhythm.schemas import (
    PAGE_SIZE,
    RhythmBatch,
    RhythmBatchCreate,
    RhythmBatchReplace,
    RhythmBulkRequest,
    RhythmBulkResponse,
    RhythmChildren,
    RhythmPage,
    RhythmPatchOperation,
    RhythmSearch,
    RhythmSearchPage,
    request_body,
    responses,
)
from finbatch.dialects.rhythm.search import search_filter
from finbatch.dialects.rhythm.surface import PAGING_HEADER, RawBody, Reader, Writer, respond
from finbatch.dialects.rhythm.wire import is_id, parse_json, project
from finbatch.kit.errors import BadRequest, Conflict
from finbatch.repository import Page
from finbatch.tenancy.auth import Principal

router = APIRouter(tags=["Rhythm: batches"])

BASE = "/batches/{tenantId}"
MAX_DEPENDENT_IDS = 100

Fields = Annotated[str | None, Query(
    max_length=4000, description="Comma-separated fields to return; unknown names are ignored; "
                                 "omitted, the whole batch.")]
StartKey = Annotated[str | None, Query(
    alias="exclusiveStartKey", max_length=2048,
    description="The `LastEvaluatedKey` of the previous page.")]
BatchIdPath = Annotated[str, Path(alias="id", pattern=r"^[\w|-]+$", max_length=64,
                                  description="The batch's id.")]
# a NUL cannot reach PostgreSQL; these name records, so no control characters either
Name = r"^[^\x00-\x1f]+$"


def _page(db: Session, principal: Principal, filters: BatchFilter, key: str | None) -> Page:
    return BatchRepository(db, principal.tenant_id).page(cursor=key, limit=PAGE_SIZE,
                                                         filters=filters)


def _items(db: Session, principal: Principal, page: Page, fields: str | None) -> list[dict]:
    return [project(doc, fields)
            for doc in operations.read_many(db, principal.tenant_id, page.items)]


def _query_page(db: Session, principal: Principal, filters: BatchFilter, fields: str | None,
                key: str | None) -> Response:
    page = _page(db, principal, filters, key)
    items = _items(db, principal, page, fields)
    body: dict = {"Count": len(items), "Items": items}
    if page.next_cursor:
        body["LastEvaluatedKey"] = page.next_cursor
    return respond(body)


# --- collection routes ---------------------------------------------------------------------------

@router.get(BASE, operation_id="rhythm_scan_batches", response_model=list[RhythmBatch],
            summary="Gets all of the batches in the system",
            responses=responses(200, "The batches (at most 100); more follow when "
                                     "X-Last-Evaluated-Key is present.", paging_header=True))
def scan_batches(principal: Reader, db: ReadDb, fields: Fields = None,
                 exclusive_start_key: StartKey = None) -> Response:
    page = _page(db, principal, BatchFilter(), exclusive_start_key)
    headers = {PAGING_HEADER: page.next_cursor} if page.next_cursor else None
    return respond(_items(db, principal, page, fields), headers=headers)


@router.post(BASE, operation_id="rhythm_create_batch", status_code=201,
             response_model=RhythmBatch, summary="Creates a new batch",
             responses=responses(201, "The batch was saved.", 409, 413),
             openapi_extra=request_body(RhythmBatchCreate, "The batch; an id is a 400."))
def create_batch(principal: Writer, db: WriteDb, raw: RawBody) -> Response:
    batch = operations.create(db, principal, parse_json(raw))
    content = operations.read(db, batch)
    db.commit()
    return respond(content, status_code=201)


@router.post(f"{BASE}/batch", operation_id="rhythm_bulk_batches",
             response_model=RhythmBulkResponse, summary="Execute batch operations (at most 100)",
             responses=responses(200, "Every operation ran; see each result.", 413),
             openapi_extra=request_body(RhythmBulkRequest, "The operations, at most 100."))
def bulk_batches(principal: Writer, db: WriteDb, raw: RawBody) -> Response:
    content = bulk.run(db, principal, parse_json(raw))
    db.commit()
    return respond(content)


@router.get(f"{BASE}/dependents", operation_id="rhythm_batch_dependents",
            response_model=RhythmChildren,
            summary="Recursively retrieve batches dependent on a set of batches",
            responses=responses(200, "The dependent batches."))
def batch_dependents(principal: Reader, db: ReadDb,
                     ids: Annotated[str, Query(max_length=6600, description=(
                         f"Comma-separated batch ids (at most {MAX_DEPENDENT_IDS})."))]) -> Response:
    wanted = [part.strip() for part in ids.split(",") if part.strip()]
    if not wanted or len(wanted) > MAX_DEPENDENT_IDS or not all(map(is_id, wanted)):
        raise BadRequest(f"ids must be 1 to {MAX_DEPENDENT_IDS} comma-separated batch ids "
                         "matching [\\w|-]+", code="INVALID_IDS")
    return respond({"children": service.dependent_ids(db, principal.tenant_id, wanted)})


@router.get(f"{BASE}/fiscal_period/{{fiscal_year_id}}/{{fiscal_period}}",
            operation_id="rhythm_batches_by_fiscal_period", response_model=RhythmPage,
            summary="Batches of a fiscal year and period",
            responses=responses(200, "A page of batches (at most 100)."))
def batches_by_fiscal_period(
        principal: Reader, db: ReadDb,
        fiscal_year_id: Annotated[str, Path(max_length=32, pattern=Name)],
        fiscal_period: Annotated[int, Path(ge=1, le=12)],
        fields: Fields = None, exclusive_start_key: StartKey = None) -> Response:
    filters = BatchFilter(fiscal_year_id=fiscal_year_id, fiscal_period=fiscal_period)
    return _query_page(db, principal, filters, fields, exclusive_start_key)


@router.post(f"{BASE}/search", operation_id="rhythm_search_batches",
             response_model=RhythmSearchPage,
             summary="Searches for batches using predefined parameters",
             responses=responses(200, "A page of matching batches (at most 100).", 413),
             openapi_extra=request_body(RhythmSearch, "The filters."))
def search_batches(principal: Reader, db: ReadDb, raw: RawBody,
                   exclusive_start_key: StartKey = None,
                   fields_to_return: Annotated[str | None, Query(
                       alias="fieldsToReturn", max_length=4000,
                       description="Comma-separated fields to return; omitted, the whole batch."
                   )] = None) -> Response:
    filters = search_filter(parse_json(raw))
    page = _page(db, principal, filters, exclusive_start_key)
    body: dict = {"Items": _items(db, principal, page, fields_to_return)}
    if page.next_cursor:
        body["LastEvaluatedKey"] = page.next_cursor
    return respond(body)


@router.get(f"{BASE}/status/{{status}}/{{businessUnitId}}",
            operation_id="rhythm_batches_by_status", response_model=RhythmPage,
            summary="Batches of a business unit in a status",
            responses=responses(200, "A page of batches (at most 100)."))
def batches_by_status(
        principal: Reader, db: ReadDb,
        status: Annotated[Literal[BATCH_STATUSES], Path()],  # type: ignore[valid-type]
        business_unit_id: Annotated[str, Path(alias="businessUnitId", max_length=64, pattern=Name)],
        fields: Fields = None, exclusive_start_key: StartKey = None) -> Response:
    filters = BatchFilter(statuses=[status], business_unit_id=business_unit_id)
    return _query_page(db, principal, filters, fields, exclusive_start_key)


# --- one batch -----------------------------------------------------------------------------------

@router.get(f"{BASE}/{{id}}", operation_id="rhythm_get_batch", response_model=RhythmBatch,
            summary="Returns a batch by its id", responses=responses(200, "The batch.", 404))
def get_batch(principal: Reader, db: ReadDb, batch_id: BatchIdPath, fields: Fields = None,
              consistent_read: Annotated[str | None, Query(
                  alias="consistentRead", max_length=16,
                  description="Accepted; reads are always consistent.")] = None) -> Response:
    batch = service.require_batch(db, principal.tenant_id, batch_id)
    return respond(project(operations.read(db, batch), fields))


@router.put(f"{BASE}/{{id}}", operation_id="rhythm_replace_batch", response_model=RhythmBatch,
            summary="Updates a batch (full replacement)",
            responses=responses(200, "The batch was updated.", 404, 409, 413),
            openapi_extra=request_body(RhythmBatchReplace, "The whole batch; server-owned fields "
                                                           "are ignored."))
def replace_batch(principal: Writer, db: WriteDb, batch_id: BatchIdPath, raw: RawBody) -> Response:
    batch = operations.replace(db, principal, batch_id, parse_json(raw))
    content = operations.read(db, batch)
    db.commit()
    return respond(content)


@router.patch(f"{BASE}/{{id}}", operation_id="rhythm_patch_batch", response_model=RhythmBatch,
              summary="Partially updates a batch (RFC 6902)",
              responses=responses(200, "The batch was patched.", 404, 409, 413),
              openapi_extra=request_body(list[RhythmPatchOperation],
                                         "RFC 6902 operations, applied all or nothing."))
def patch_batch(principal: Writer, db: WriteDb, batch_id: BatchIdPath, raw: RawBody) -> Response:
    batch = operations.patch(db, principal, batch_id, parse_json(raw))
    content = operations.read(db, batch)
    db.commit()
    return respond(content)


@router.delete(f"{BASE}/{{id}}", operation_id="rhythm_delete_batch", response_model=str,
               summary="Deletes an open batch that holds no transactions",
               responses=responses(200, "The deleted batch's id.", 404, 409))
def delete_batch(principal: Writer, db: WriteDb, batch_id: BatchIdPath) -> Response:
    try:
        deleted = operations.delete(db, principal, batch_id)
    except Conflict:
        db.commit()  # keep the record of who tried (sys_deleted_by_id)
        raise
    db.commit()
    return respond(deleted)
