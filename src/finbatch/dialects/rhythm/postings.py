"""Rhythm's posting and downloading routes (``/batchPosting/{tenantId}/…``,
``/batchDownloading/{tenantId}``), at the vendor's paths.

Each handler authenticates the caller for the tenant in the path, parses Rhythm's body
(``executions.batch_request``) and calls the core: ``ledger.posting`` (preview, post, unpost),
``exports.service`` (downloads, in the business unit's configured format) and the journal. A
request naming several batches is all or nothing: one refusal (an unknown or foreign batch, a
lifecycle that does not allow it, missing GL configuration) and nothing starts. The jobs commit
with the state changes that need them, once, at the end of the handler; the answer is the
execution envelope, followed on ``/executions/{executionArn}`` (``executions``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from finbatch.api.deps import ReadDb, WriteDb, get_database
from finbatch.batches import service as batches
from finbatch.batches.selection import lock_unit_batches, require_unit
from finbatch.batches.views import decimal_amount
from finbatch.dialects.common import base_url
from finbatch.dialects.rhythm import executions
from finbatch.dialects.rhythm.posting_schemas import (
    RhythmBatchRequest,
    RhythmExecution,
    RhythmExecutionStarted,
    RhythmPostingPreview,
    RhythmSubledgerEntry,
)
from finbatch.dialects.rhythm.schemas import request_body, responses
from finbatch.dialects.rhythm.surface import Exporter, Poster, RawBody, Reader, respond
from finbatch.dialects.rhythm.wire import parse_json
from finbatch.exports import service as exports
from finbatch.kit.clock import utcnow
from finbatch.kit.errors import NotFound
from finbatch.ledger import posting
from finbatch.ledger.journal_repository import JournalRepository
from finbatch.ledger.views import entry_documents
from finbatch.receivables.endpoints import actor_of
from finbatch.tenancy.repository import BusinessUnitRepository

router = APIRouter(tags=["Rhythm: posting and downloading"])

BASE = "/batchPosting/{tenantId}"
PREVIEW_KEYS = ("products", "products_without_financial_configuration", "ineligible_batches",
                "batches_to_post")
IdPath = Annotated[str, Path(pattern=r"^[\w|-]+$", max_length=64)]
_BODY = request_body(RhythmBatchRequest, "A business unit and its batches.")
_STARTED = "The execution started; follow it on /batchPosting/{tenantId}/executions/{executionArn}."


@router.post(f"{BASE}/batchPostingPreviewRequest", operation_id="rhythm_posting_preview",
             response_model=RhythmPostingPreview, summary="What posting these batches would do",
             responses=responses(200, "The preview.", 409, 413), openapi_extra=_BODY)
def posting_preview(principal: Reader, db: ReadDb, raw: RawBody) -> Response:
    unit, batch_ids = executions.batch_request(parse_json(raw), allow_empty=True)
    require_unit(db, principal.tenant_id, unit)
    result = posting.preview(db, principal.tenant, batch_ids, business_unit_id=unit)
    return respond({key: result[key] for key in PREVIEW_KEYS})


def _start(db, principal, raw: bytes, start) -> Response:
    unit, batch_ids = executions.batch_request(parse_json(raw))
    started_at = utcnow()
    jobs = [start(db, principal.tenant, batch, actor_of(principal))
            for batch in lock_unit_batches(db, principal.tenant_id, unit, batch_ids)]
    content = executions.envelope(executions.arn_of([job.id for job in jobs]), started_at)
    db.commit()
    return respond(content)


@router.post(f"{BASE}/batchPostingRequest", operation_id="rhythm_post_batches",
             response_model=RhythmExecutionStarted, summary="Post closed or verified batches",
             responses=responses(200, _STARTED, 409, 413), openapi_extra=_BODY)
def post_batches(principal: Poster, db: WriteDb, raw: RawBody) -> Response:
    return _start(db, principal, raw, posting.start_posting)


@router.post(f"{BASE}/batchUnpostingRequest", operation_id="rhythm_unpost_batches",
             response_model=RhythmExecutionStarted, summary="Unpost posted or downloaded batches",
             responses=responses(200, _STARTED, 409, 413), openapi_extra=_BODY)
def unpost_batches(principal: Poster, db: WriteDb, raw: RawBody) -> Response:
    return _start(db, principal, raw, posting.start_unposting)


@router.get(f"{BASE}/subledgerEntry/{{batchId}}/{{transactionId}}",
            operation_id="rhythm_subledger_entry", response_model=RhythmSubledgerEntry,
            summary="The journal entry of a transaction of a batch",
            responses=responses(200, "The transaction's latest posted entry.", 404))
def subledger_entry(principal: Reader, db: ReadDb,
                    batch_id: Annotated[IdPath, Path(alias="batchId")],
                    transaction_id: Annotated[IdPath, Path(alias="transactionId")]) -> Response:
    batches.require_batch(db, principal.tenant_id, batch_id)
    entry = JournalRepository(db, principal.tenant_id).of_transaction(batch_id, transaction_id)
    if entry is None:
        raise NotFound(f"batch {batch_id} has no journal entry for transaction {transaction_id}",
                       code="ENTRY_NOT_FOUND")
    doc = entry_documents(db, principal.tenant, [entry], decimal_amount)[0]
    return respond({**doc, "fx_rate": Decimal(doc["fx_rate"])})


@router.get(f"{BASE}/executions/{{executionArn}}", operation_id="rhythm_execution",
            response_model=RhythmExecution, summary="The status of a posting, unposting or download",
            responses=responses(200, "The execution; a finished download carries its signed URLs.",
                                404))
def execution(request: Request, principal: Reader, db: ReadDb,
              arn: Annotated[str, Path(alias="executionArn", max_length=4000)]) -> Response:
    return respond(executions.status_document(get_database(request), db, principal.tenant_id, arn,
                                              base_url(request)))


@router.post("/batchDownloading/{tenantId}", operation_id="rhythm_download_batches",
             response_model=RhythmExecutionStarted,
             summary="Download posted batches in the business unit's export format",
             responses=responses(200, _STARTED + " When it succeeds the batches are downloaded.",
                                 409, 413), openapi_extra=_BODY)
def download_batches(principal: Exporter, db: WriteDb, raw: RawBody) -> Response:
    unit_id, batch_ids = executions.batch_request(parse_json(raw))
    started_at = utcnow()
    lock_unit_batches(db, principal.tenant_id, unit_id, batch_ids)
    fmt = BusinessUnitRepository(db, principal.tenant_id).require(unit_id).export_format
    actor = actor_of(principal)
    main, _ = exports.request_export(db, principal.tenant, batch_ids=batch_ids, fmt=fmt,
                                     actor=actor)
    ids = [main.id]
    if fmt != executions.SOURCE_FORMAT:
        source, _ = exports.request_export(db, principal.tenant, batch_ids=batch_ids,
                                           fmt=executions.SOURCE_FORMAT, actor=actor,
                                           record_execution=False)
        ids.append(source.id)
    content = executions.envelope(executions.arn_of(ids), started_at)
    db.commit()
    return respond(content)
