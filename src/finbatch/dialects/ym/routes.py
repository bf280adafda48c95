"""YourMembership's routes: FinanceBatches (GET list, POST close/export), export status and
download, and ``Authenticate``; each at ``/Ams/...`` (with an optional format suffix) and at
ServiceStack's predefined ``/{format}/reply/{Operation}``.

Each handler fills the request DTO (``wire.read_request``), authenticates (``auth``), calls the
core (``batches.repository`` for the list, ``receivables.closing`` and ``exports.service`` for
POST) and answers the response DTO in the requested format. Decisions (``dialects/ym.md``):

- GET: creation order then id; after ``StartBatchID`` (exclusive, 400 naming it when unknown) or
  from ``Timestamp`` (inclusive; a zone-less value is the tenant's wall time); ``ClosedOnly`` drops
  open batches; ``PageSize`` 0 → 100, at most 1000; ``PageNumber`` 1-based, 0 → 1. ``ItemCount``
  of a batch is its number of transactions; the top ``ItemCount`` the number listed.
- POST: ``StartBatchID`` → export that batch; otherwise close the open items of ``CommerceType``
  dated on or before ``ClosingDate`` (``DateTime.MinValue`` → today in the tenant's zone) and
  export the closed batches together in one ``ym-items`` file. Nothing to close → 200 with
  ``ItemCount`` 0 and no ``ExportID``. An unchanged batch asked again returns the earlier export,
  so a client whose POST response was lost recovers its ExportID by POSTing the ``StartBatchID``
  it finds in the GET list.
- The request's own fields are echoed in the response, except ``ResponseStatus`` (a success
  carries none). ``ServerTime`` is now in the tenant's zone, ``ServerGmtBias`` its UTC offset in
  minutes (``-240`` for UTC−4).
- Status: ``-1`` FAILURE (failed or expired), ``0`` UNKNOWN, ``1`` WORKING (queued or running),
  ``2`` COMPLETE with ``ExportURI``, an absolute signed link to the download route that needs no
  token and expires. Only ``ym-items`` exports are visible here (others are the native API's).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from finbatch.api.deps import ReadDb, WriteDb, bearer_scheme, get_database
from finbatch.batches import stats as batch_stats
from finbatch.batches.models import ARBatch
from finbatch.batches.repository import BatchRepository
from finbatch.batches.service import require_batch
from finbatch.dialects.common import base_url
from finbatch.dialects.ym import dtos, schemas, wire
from finbatch.dialects.ym.auth import authenticate, require_client_id, ym_principal
from finbatch.dialects.ym.schemas import DEFAULT_PAGE_SIZE, MAX_PAGE_NUMBER, MAX_PAGE_SIZE
from finbatch.exports import service as exports
from finbatch.exports import signing
from finbatch.exports.endpoints import file_response
from finbatch.exports.repository import ExportRepository
from finbatch.formats import dotnet
from finbatch.kit.clock import business_date, utcnow, zone
from finbatch.kit.errors import Forbidden, NotFound, ValidationFailed
from finbatch.receivables import closing
from finbatch.receivables.endpoints import actor_of
from finbatch.tenancy.auth import Principal, TenantContext

router = APIRouter(tags=["yourmembership"])

STATUS_CODES = {"queued": 1, "running": 1, "complete": 2, "failed": -1, "expired": -1}
STATUS_NAMES = {-1: "FAILURE", 0: "UNKNOWN", 1: "WORKING", 2: "COMPLETE"}


async def _raw_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


def _field_error(name: str, message: str, code: str = "ArgumentException") -> ValidationFailed:
    return ValidationFailed.single(name, message, code)


# ------------------------------------------------------------------------------ FinanceBatches

def _commerce_type(value: str | None) -> str | None:
    text = (value or "").strip().upper()
    if text and text not in closing.COMMERCE_TYPES:
        raise _field_error("CommerceType", "must be D (donations), M (dues), S (store) or empty")
    return text or None


def _instant(value: datetime, tz: str) -> datetime:
    """A request date/time as an instant: a zone-less one is the tenant's wall time."""
    return value.replace(tzinfo=zone(tz)) if value.tzinfo is None else value


def _echo(request_dto: dtos.FinanceBatches, tenant: TenantContext) -> dtos.FinanceBatchesResponse:
    fields = {name: getattr(request_dto, name) for name in dtos.ECHOED if name != "ResponseStatus"}
    now = utcnow().astimezone(zone(tenant.timezone))
    offset = now.utcoffset()
    return dtos.FinanceBatchesResponse(
        **fields, ServerTime=now,
        ServerGmtBias=int(offset.total_seconds() // 60) if offset is not None else 0)


def _finance_batches(session, tenant_id: int, rows: list[ARBatch]) -> list[dtos.FinanceBatch]:
    stats = batch_stats.of_batches(session, tenant_id, [b.id for b in rows])
    return [dtos.FinanceBatch(BatchID=b.id, CommerceType=b.commerce_type,
                              ItemCount=sum(stats[b.id].counts.values()),
                              ClosedDate=b.closed_at or dtos.MIN, CreateDateTime=b.created_at)
            for b in rows]


def _list(db, tenant: TenantContext, req: dtos.FinanceBatches) -> dtos.FinanceBatchesResponse:
    if req.PageSize < 0 or req.PageSize > MAX_PAGE_SIZE:
        raise _field_error("PageSize", f"must be between 0 (the default {DEFAULT_PAGE_SIZE}) and "
                                       f"{MAX_PAGE_SIZE}")
    if req.PageNumber < 0 or req.PageNumber > MAX_PAGE_NUMBER:
        # .NET's int; a larger page would also overflow the database's offset (a 500)
        raise _field_error("PageNumber", f"must be between 1 (0 is the first page) and "
                                         f"{MAX_PAGE_NUMBER}")
    size = req.PageSize or DEFAULT_PAGE_SIZE
    page = max(req.PageNumber, 1)
    commerce = _commerce_type(req.CommerceType)
    repo = BatchRepository(db, tenant.id)
    after = None
    if req.StartBatchID:
        start = repo.get(req.StartBatchID.strip())
        if start is None:
            raise _field_error("StartBatchID", f"no batch '{req.StartBatchID[:64]}' in this client")
        after = (start.created_at, start.id)
    since = None
    if req.Timestamp is not None and req.Timestamp != dtos.MIN:
        since = _instant(req.Timestamp, tenant.timezone)
        try:  # the response echoes it in the client's zone: 0001-01-01T00:00Z is before year 1 there
            since.astimezone(zone(tenant.timezone)).astimezone(UTC)
        except OverflowError:
            raise _field_error("Timestamp", "is outside the dates the client's time zone can "
                                            "write") from None
    rows = repo.chronological(after=after, since=since, closed_only=req.ClosedOnly,
                              commerce_type=commerce, offset=(page - 1) * size, limit=size)
    response = _echo(req, tenant)
    response.FinanceBatchList = _finance_batches(db, tenant.id, rows)
    response.ItemCount = len(rows)
    return response


def _closing_day(value: datetime, tz: str) -> date:
    if value == dtos.MIN:
        return business_date(utcnow(), tz)
    if value.tzinfo is None:
        return value.date()  # the tenant's wall time: its date is the business date
    return business_date(value, tz)


def _close_and_export(db, principal: Principal, req: dtos.FinanceBatches
                      ) -> dtos.FinanceBatchesResponse:
    tenant = principal.tenant
    assert tenant is not None
    actor = actor_of(principal)
    if req.StartBatchID:
        try:
            closed = [require_batch(db, tenant.id, req.StartBatchID.strip())]
        except NotFound:
            raise NotFound(f"batch '{req.StartBatchID[:64]}' was not found in ClientID "
                           f"{tenant.id}") from None
        item_count = sum(batch_stats.of_batches(db, tenant.id, [closed[0].id])[closed[0].id]
                         .counts.values())
    else:
        result = closing.close_open_items(db, tenant, commerce_type=_commerce_type(req.CommerceType),
                                          through=_closing_day(req.ClosingDate, tenant.timezone),
                                          actor=actor)
        closed, item_count = result.batches, result.item_count
    response = _echo(req, tenant)
    response.FinanceBatchList = _finance_batches(db, tenant.id, closed)
    response.ItemCount = item_count
    if closed:
        response.BatchID = closed[0].id
        export, _new = exports.request_export(
            db, tenant, batch_ids=[b.id for b in closed], fmt="ym-items",
            options={"unicode": bool(req.Unicode)}, actor=actor)
        response.ExportID = export.id
    return response


def _client_id(text: str) -> int:
    try:
        return dotnet.parse_int(text)
    except ValueError:
        raise _field_error("ClientID", f"'{text[:40]}' is not a whole number",
                           "SerializationException") from None


def finance_batches(request: Request, db, raw: bytes, client_id: str | None) -> Response:
    path = {"ClientID": str(_client_id(client_id))} if client_id is not None else {}
    req = wire.read_request(request, raw, dtos.FinanceBatches, path)
    wire.callback_of(request)  # a bad JSONP name is refused before any work
    principal = ym_principal(request, require_client_id(req.ClientID))
    tenant = principal.tenant
    assert tenant is not None
    if request.method == "POST":
        response = _close_and_export(db, principal, req)
        body = wire.respond(request, response, tz=tenant.timezone)
        db.commit()
        return body
    return wire.respond(request, _list(db, tenant, req), tz=tenant.timezone)


# ----------------------------------------------------------------------------- export status

def export_status(request: Request, db, client_id: str | None, export_id: str | None) -> Response:
    path: dict[str, Any] = {}
    if client_id is not None:
        path["ClientID"] = str(_client_id(client_id))
    if export_id is not None:
        path["ExportID"] = export_id
    req = wire.read_request(request, b"", dtos.ExportStatus, path)
    principal = ym_principal(request, require_client_id(req.ClientID))
    tenant = principal.tenant
    assert tenant is not None
    if not req.ExportID:
        raise _field_error("ExportID", "is required", "NotEmpty")
    export = ExportRepository(db, tenant.id).get(req.ExportID.strip())
    if export is None or export.format != "ym-items":
        raise NotFound(f"export '{req.ExportID[:64]}' was not found in ClientID {tenant.id}")
    code = STATUS_CODES.get(export.status, 0)
    uri = None
    if code == 2:
        expires, signature, _at = signing.signature(get_database(request), tenant.id, export.id)
        uri = (f"{base_url(request)}/Ams/{tenant.id}/Exports/{export.id}/Download"
               f"?expires={expires}&signature={signature}")
    value = dtos.ExportStatusResponse(ExportID=export.id, Status=code, ExportURI=uri,
                                      StatusName=STATUS_NAMES[code])
    return wire.respond(request, value, tz=tenant.timezone)


def download(request: Request, client_id: str, export_id: str) -> Response:
    """The export's file: by the signed link (no token) or with a bearer token and the role."""
    tenant_id = _client_id(client_id)
    database = get_database(request)
    expires, signature = request.query_params.get("expires"), request.query_params.get("signature")
    if signature:
        if not (expires or "").isdigit() or len(expires or "") > 12 or len(signature) > 128 or \
                not signing.verify(database, tenant_id, export_id, int(expires or 0), signature):
            raise Forbidden("the download link is invalid or has expired",
                            code="INVALID_SIGNATURE")
    else:
        ym_principal(request, require_client_id(tenant_id))
    with database.reading() as session:
        export = ExportRepository(session, tenant_id).get(export_id)
    if export is None or export.format != "ym-items":
        raise NotFound(f"export '{export_id[:64]}' was not found in ClientID {tenant_id}")
    return file_response(database, export)


# ------------------------------------------------------------------------------------ routing

_FORMAT_SUFFIXES = ("", ".json", ".xml", ".jsv", ".csv")
_CREDENTIALS = [Depends(bearer_scheme)]


def _register() -> None:
    def list_route(request: Request, db: ReadDb, ClientID: str) -> Response:  # noqa: N803
        return finance_batches(request, db, b"", ClientID)

    def post_route(request: Request, db: WriteDb, raw: RawBody, ClientID: str) -> Response:  # noqa: N803
        return finance_batches(request, db, raw, ClientID)

    def list_reply(request: Request, db: ReadDb) -> Response:
        return finance_batches(request, db, b"", None)

    def post_reply(request: Request, db: WriteDb, raw: RawBody) -> Response:
        return finance_batches(request, db, raw, None)

    def status_route(request: Request, db: ReadDb, ClientID: str, ExportID: str) -> Response:  # noqa: N803
        return export_status(request, db, ClientID, ExportID)

    def status_reply(request: Request, db: ReadDb) -> Response:
        return export_status(request, db, None, None)

    def download_route(request: Request, ClientID: str, ExportID: str) -> Response:  # noqa: N803
        return download(request, ClientID, ExportID)

    def auth_route(request: Request, db: WriteDb, raw: RawBody) -> Response:
        return authenticate(request, db, wire.read_request(request, raw, dtos.Authenticate, {}))

    list_responses = {**schemas.ok(dtos.FinanceBatchesResponse, "Finance batches, oldest first"),
                      **schemas.errors(400, 401, 403, model=dtos.FinanceBatchesResponse)}
    post_responses = {**schemas.ok(dtos.FinanceBatchesResponse, "The closed batches and the ExportID"),
                      **schemas.errors(400, 401, 403, 404, 409, 413, 415,
                                       model=dtos.FinanceBatchesResponse)}
    status_responses = {**schemas.ok(dtos.ExportStatusResponse, "-1 FAILURE, 0 UNKNOWN, 1 WORKING, "
                              "2 COMPLETE (with ExportURI)"),
                        **schemas.errors(400, 401, 403, 404, model=dtos.ExportStatusResponse)}
    for suffix in _FORMAT_SUFFIXES:
        documented = suffix == ""
        router.add_api_route(
            f"/Ams/{{ClientID}}/FinanceBatches{suffix}", list_route, methods=["GET"],
            response_class=Response, dependencies=_CREDENTIALS, include_in_schema=documented,
            responses=list_responses, summary="YM: list finance batches",
            description=schemas.LIST_DESCRIPTION, operation_id=f"ym_list_finance_batches{suffix[1:]}",
            openapi_extra={"parameters": schemas.LIST_PARAMS})
        router.add_api_route(
            f"/Ams/{{ClientID}}/FinanceBatches{suffix}", post_route, methods=["POST"],
            response_class=Response, dependencies=_CREDENTIALS, include_in_schema=documented,
            responses=post_responses, summary="YM: close a batch and/or start its export",
            description=schemas.POST_DESCRIPTION, operation_id=f"ym_post_finance_batches{suffix[1:]}",
            openapi_extra={**schemas.body_doc(dtos.FinanceBatches), "parameters": schemas.COMMON})
        router.add_api_route(
            f"/Ams/{{ClientID}}/Exports/{{ExportID}}/Status{suffix}", status_route,
            methods=["GET"], response_class=Response, dependencies=_CREDENTIALS,
            include_in_schema=documented, responses=status_responses,
            summary="YM: export status (Sa.Export.Status)",
            operation_id=f"ym_export_status{suffix[1:]}", openapi_extra={"parameters": schemas.COMMON})
        router.add_api_route(
            f"/Ams/Authenticate{suffix}", auth_route, methods=["POST"], response_class=Response,
            include_in_schema=documented,
            responses={**schemas.ok(dtos.AuthenticateResponse, "A bearer token for the ClientID"),
                       **schemas.errors(400, model=dtos.AuthenticateResponse),
                       401: {"model": dtos.AuthenticateResponse,
                             "description": "Failed login: FailedLoginReason says why"}},
            summary="YM: authenticate", operation_id=f"ym_authenticate{suffix[1:]}",
            openapi_extra=schemas.body_doc(dtos.Authenticate))
    router.add_api_route(
        "/Ams/{ClientID}/Exports/{ExportID}/Download", download_route, methods=["GET"],
        response_class=Response, summary="YM: the export file (ExportURI)",
        description="The YM invoice-item CSV. With the signed `expires`/`signature` of ExportURI "
                    "no token is needed; otherwise a bearer token with admin or oauthadmin.",
        responses={200: {"content": {"text/csv": {}}},
                   **schemas.errors(400, 401, 403, 404, model=dtos.ErrorResponse)},
        operation_id="ym_export_download")
    for fmt in wire.FORMATS:
        prefix = f"/{fmt}/reply"
        router.add_api_route(f"{prefix}/FinanceBatches", list_reply, methods=["GET"],
                             response_class=Response, include_in_schema=False)
        router.add_api_route(f"{prefix}/FinanceBatches", post_reply, methods=["POST"],
                             response_class=Response, include_in_schema=False)
        router.add_api_route(f"{prefix}/ExportStatus", status_reply, methods=["GET"],
                             response_class=Response, include_in_schema=False)
        router.add_api_route(f"{prefix}/Authenticate", auth_route, methods=["POST"],
                             response_class=Response, include_in_schema=False)

    _lowercase_aliases()


def _lowercase_aliases() -> None:
    """ServiceStack matches routes whatever their case; clients often send ``/ams/...``. The
    lowercase spellings are served too, undocumented (mixed cases other than these two are not)."""
    for route in list(router.routes):
        path = getattr(route, "path", "")
        lowered = "".join(part if part.startswith("{") else part.lower()
                          for part in re.split(r"(\{[^}]+\})", path))
        if lowered != path:
            router.add_api_route(lowered, route.endpoint, methods=sorted(route.methods),
                                 response_class=Response, include_in_schema=False)


_register()
