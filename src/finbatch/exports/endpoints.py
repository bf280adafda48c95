"""``/v1/exports``: request an export, follow it, download it (with a token, or by a signed URL
that needs none), and see where a batch went."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field, StringConstraints
from starlette.responses import Response, StreamingResponse

from finbatch.api.deps import Allowed, ReadDb, Reader, WriteDb, get_database
from finbatch.api.idempotency import Idem, commit_response
from finbatch.api.paging import PageOf, Paging
from finbatch.api.problems import problem_response
from finbatch.api.responses import json_response
from finbatch.batches import service as batches
from finbatch.db import Database
from finbatch.exports import service, signing
from finbatch.exports.catalog import MEDIA_TYPES, ExportFormat
from finbatch.exports.models import Export
from finbatch.exports.repository import ExportRepository
from finbatch.exports.storage import storage_for
from finbatch.kit.clock import iso_utc
from finbatch.kit.errors import Forbidden, NotFound, ValidationFailed
from finbatch.payables.repository import ApBatchRepository
from finbatch.receivables.endpoints import actor_of
from finbatch.schemas_common import Input
from finbatch.tenancy.roles import Permission

router = APIRouter(tags=["exports"])
ExportId = Annotated[str, Path(max_length=64)]
Exporter = Allowed(Permission.EXPORT)


class ExportCreate(Input):
    batch_ids: list[Annotated[str, StringConstraints(max_length=64)]] = Field(
        default_factory=list, max_length=100, description="AR batches (or give ap_batch_ids).")
    ap_batch_ids: list[Annotated[str, StringConstraints(max_length=64)]] = Field(
        default_factory=list, max_length=100, description="AP batches (their posted journal).")
    format: ExportFormat
    force: bool = Field(False, description="Re-export what was exported before (needs a reason).")
    reason: Annotated[str, StringConstraints(max_length=1000)] | None = None
    options: dict[str, Any] = Field(default_factory=dict, description="Format options.")


class ExportedBatch(BaseModel):
    batch_id: str
    batch_version: int
    content_mark: str
    from_entry_id: str | None
    through_entry_id: str | None
    entry_count: int | None


class ExportRead(BaseModel):
    id: str
    status: Literal["queued", "running", "complete", "failed", "expired"]
    format: str
    batch_kind: Literal["ar", "ap"]
    batch_ids: list[str]
    batches: list[ExportedBatch]
    options: dict[str, Any]
    force: bool
    reason: str | None
    requested_by: str
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    expires_at: datetime | None
    row_count: int | None
    byte_size: int | None
    sha256: str | None
    file_name: str | None
    media_type: str | None
    failure_reason: str | None
    download_url: str | None = Field(description="Absolute, signed, needs no token; expires.")
    download_url_expires_at: datetime | None
    job_id: str


def base_url(request: Request) -> str:
    configured = request.app.state.settings.public_url
    return configured.rstrip("/") if configured else str(request.base_url).rstrip("/")


def export_data(db: Database, session, export: Export, url_base: str) -> dict[str, Any]:
    url, url_expires = (signing.signed_url(db, url_base, export.tenant_id, export.id)
                        if export.status == "complete" else (None, None))
    ledger = ExportRepository(session, export.tenant_id).ledger(export.id)
    return {
        "id": export.id, "status": export.status, "format": export.format,
        "batch_kind": export.batch_kind, "batch_ids": export.batch_ids,
        "batches": [{"batch_id": b.batch_id, "batch_version": b.batch_version,
                     "content_mark": b.content_mark, "from_entry_id": b.from_entry_id,
                     "through_entry_id": b.through_entry_id, "entry_count": b.entry_count}
                    for b in ledger],
        "options": export.options, "force": export.force, "reason": export.reason,
        "requested_by": export.requested_by, "created_at": export.created_at,
        "started_at": export.started_at, "completed_at": export.completed_at,
        "expires_at": export.expires_at, "row_count": export.row_count,
        "byte_size": export.byte_size, "sha256": export.sha256, "file_name": export.file_name,
        "media_type": export.media_type, "failure_reason": export.failure_reason,
        "download_url": url, "download_url_expires_at": iso_utc(url_expires), "job_id": export.id}


@router.post("/exports", status_code=202, response_model=ExportRead,
             summary="Export batches to a format (asynchronously)",
             description="A repeat of an earlier request for unchanged batches returns the "
                         "earlier export (200). `force` with a `reason` re-exports.",
             responses={200: {"model": ExportRead, "description": "The earlier export"}})
def create_export(request: Request, body: ExportCreate, db: WriteDb, principal: Exporter,  # type: ignore[valid-type]
                  idem: Idem) -> Response:
    if bool(body.batch_ids) == bool(body.ap_batch_ids):
        raise ValidationFailed.single("batch_ids", "give either batch_ids (AR) or ap_batch_ids (AP)",
                                      "required")
    kind = "ap" if body.ap_batch_ids else "ar"
    export, created = service.request_export(
        db, principal.tenant, batch_ids=body.ap_batch_ids or body.batch_ids, fmt=body.format,
        force=body.force, reason=body.reason, options=body.options, actor=actor_of(principal),
        batch_kind=kind)
    content = export_data(get_database(request), db, export, base_url(request))
    return commit_response(db, idem, content, status_code=202 if created else 200,
                           headers={"Location": f"/v1/exports/{export.id}"})


@router.get("/exports", response_model=PageOf[ExportRead])
def list_exports(request: Request, db: ReadDb, principal: Reader, paging: Paging,
                 status: Literal["queued", "running", "complete", "failed", "expired"] | None = None
                 ) -> Response:
    page = ExportRepository(db, principal.tenant_id).page(cursor=paging.cursor, limit=paging.limit,
                                                          status=status)
    database, url = get_database(request), base_url(request)
    return json_response({"items": [export_data(database, db, e, url) for e in page.items],
                          "next_cursor": page.next_cursor})


@router.get("/exports/{export_id}", response_model=ExportRead)
def get_export(request: Request, export_id: ExportId, db: ReadDb, principal: Reader) -> Response:
    export = ExportRepository(db, principal.tenant_id).require(export_id)
    return json_response(export_data(get_database(request), db, export, base_url(request)))


def _download(database: Database, export: Export) -> Response:
    if export.status == "expired":
        raise NotFound(f"export {export.id} expired: its file was deleted", code="EXPORT_EXPIRED")
    if export.status != "complete" or not export.storage_key:
        raise NotFound(f"export {export.id} is {export.status}: no file yet", code="EXPORT_NOT_READY")
    storage = storage_for(database.settings)
    if not storage.exists(export.storage_key):
        raise NotFound(f"the file of export {export.id} is missing", code="EXPORT_FILE_MISSING")
    return StreamingResponse(storage.stream(export.storage_key), media_type=export.media_type,
                             headers={"Content-Disposition": content_disposition(export.file_name),
                                      "Content-Length": str(export.byte_size),
                                      "ETag": f'"{export.sha256}"',
                                      "X-Content-SHA256": export.sha256 or ""})


#: The file of a complete export as a streamed response (404 while not ready), for other surfaces.
file_response = _download


def content_disposition(name: str | None) -> str:
    """``attachment`` with an ASCII-only fallback and the RFC 5987 form: nothing in a file name can
    break out of the header."""
    name = name or "export"
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:200] or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name[:200], safe='')}"


_FILE = {"description": "The file, in its format's media type",
         "content": {media: {} for media in MEDIA_TYPES}}


@router.get("/exports/{export_id}/download", response_class=Response,
            summary="The export's file (authenticated)", responses={200: _FILE})
def download_export(request: Request, export_id: ExportId, db: ReadDb, principal: Reader) -> Response:
    export = ExportRepository(db, principal.tenant_id).require(export_id)
    return _download(get_database(request), export)


@router.get("/exports/{export_id}/file", response_class=Response,
            summary="The export's file by signed URL (no token)",
            responses={200: _FILE, 403: problem_response("Tampered or expired signature")})
def download_signed(request: Request, export_id: ExportId,
                    tenant: Annotated[int, Query(ge=1, le=2_147_483_647)],
                    expires: Annotated[int, Query(ge=0, le=10**12)],
                    signature: Annotated[str, Query(max_length=128)]) -> Response:
    database = get_database(request)
    if not signing.verify(database, tenant, export_id, expires, signature):
        raise Forbidden("the download link is invalid or has expired", code="INVALID_SIGNATURE")
    with database.reading() as session:
        export = ExportRepository(session, tenant).get(export_id)
    if export is None:
        raise NotFound(f"export '{export_id}' was not found")
    return _download(database, export)


@router.get("/batches/{batch_id}/exports", response_model=PageOf[ExportRead],
            summary="Where and when a batch was exported")
def batch_exports(request: Request, batch_id: Annotated[str, Path(max_length=64)], db: ReadDb,
                  principal: Reader, paging: Paging) -> Response:
    batches.require_batch(db, principal.tenant_id, batch_id)
    page = ExportRepository(db, principal.tenant_id).of_batch(batch_id, cursor=paging.cursor,
                                                              limit=paging.limit)
    database, url = get_database(request), base_url(request)
    return json_response({"items": [export_data(database, db, e, url) for e in page.items],
                          "next_cursor": page.next_cursor})


@router.get("/ap-batches/{batch_id}/exports", response_model=PageOf[ExportRead],
            summary="Where and when an AP batch was exported")
def ap_batch_exports(request: Request, batch_id: Annotated[str, Path(max_length=64)], db: ReadDb,
                     principal: Reader, paging: Paging) -> Response:
    ApBatchRepository(db, principal.tenant_id).require(batch_id)
    page = ExportRepository(db, principal.tenant_id).of_batch(batch_id, cursor=paging.cursor,
                                                              limit=paging.limit)
    database, url = get_database(request), base_url(request)
    return json_response({"items": [export_data(database, db, e, url) for e in page.items],
                          "next_cursor": page.next_cursor})
