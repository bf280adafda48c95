"""Envi's OData routes for AP batches (seed 003, dialects/envi.md): parse, call the payables
services, render. No business rule lives here.

- Every call may send ``api-version`` (header, or query parameter; default ``1.0``); any other
  version is a 400. The bearer token fixes the organization; a token granting several tenants is
  refused (400), as the seed's "organization mismatch".
- Permissions: reading needs ``read``; creating a batch and adding invoices need
  ``write_transactions``; ``SubmitToQueued`` and ``Export`` need ``export``.
- Lists take ``$filter`` (``eq``/``contains``), ``$orderby``, ``$top`` (default 20, at most
  5000), ``$skip``, ``$search``, ``$select``, ``$count`` and ``$format``; ``/Batches`` and
  ``/MatchedInvoices`` answer ``{@odata.context, @odata.count, value, @odata.nextLink}``, a
  batch's ``/invoices`` answers the seed's ``{items, nextPageLink, count}`` (``nextPageLink`` null
  on the last page).
- ``POST /Batches`` answers 204 with ``Location``/``OData-EntityId``, or 201 and the batch with
  ``Prefer: return=representation``. Actions answer 204.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from finbatch.api.deps import ReadDb, WriteDb, authenticate, bearer_scheme
from finbatch.api.responses import dumps
from finbatch.dialects.envi.entities import (
    BATCH_PROPERTIES,
    INVOICE_PROPERTIES,
    batch_entity,
    invoice_entity,
    render,
)
from finbatch.dialects.envi.errors import ERROR_RESPONSES, HEADERS
from finbatch.dialects.envi.metadata import metadata_document, service_root, services
from finbatch.formats import odata, odata_urls
from finbatch.kit.currencies import exponent
from finbatch.kit.errors import BadRequest, NotFound
from finbatch.kit.jsonutil import loads
from finbatch.odata_query import order_by, where_clause
from finbatch.payables import batches
from finbatch.payables.repository import View, batch_view, invoice_view
from finbatch.payables.stamps import Actor
from finbatch.tenancy.auth import Principal
from finbatch.tenancy.roles import Permission

router = APIRouter(prefix="/odata", tags=["envi"], responses=ERROR_RESPONSES)

SUPPORTED_VERSIONS = ("1.0",)
BATCH_SET, INVOICE_SET = "Batches", "MatchedInvoices"
MAX_BODY_ITEMS = 1000


# --- request plumbing ----------------------------------------------------------------------------

def api_version(request: Request, api_version: Annotated[str | None, Header(
        description="The requested API version (default 1.0).", max_length=32)] = None) -> str:
    query = request.query_params.getlist("api-version")
    if len(query) > 1:
        raise BadRequest("api-version was given more than once.",
                         code="UNSUPPORTED_API_VERSION", extra={"target": "api-version"})
    version = (api_version or (query[0] if query else None) or "1.0").strip()
    if version not in SUPPORTED_VERSIONS:
        raise BadRequest(f"The HTTP resource that matches the request URI '{request.url.path}' "
                         f"does not support the API version '{version}'.",
                         code="UNSUPPORTED_API_VERSION", extra={"target": "api-version"})
    return version


ApiVersion = Annotated[str, Depends(api_version)]


class _Caller:
    """The principal of the bearer token, acting in the one organization it grants."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, request: Request, _version: ApiVersion,
                 credentials: Annotated[HTTPAuthorizationCredentials | None,
                                        Depends(bearer_scheme)]) -> Principal:
        principal = authenticate(request, credentials)
        if len(principal.tenants) != 1:
            raise BadRequest("the token must grant exactly one organization: get one from "
                             "/oauth2/token", code="ORGANIZATION_MISMATCH")
        principal = principal.only_tenant()
        principal.require(self.permission)
        return principal


def Caller(permission: Permission):  # noqa: N802 - reads like a type in signatures
    return Annotated[Principal, Depends(_Caller(permission))]


Reader = Caller(Permission.READ)
Clerk = Caller(Permission.WRITE_TRANSACTIONS)
Exporter = Caller(Permission.EXPORT)


def _key(text: str, name: str) -> str:
    key = odata_urls.parse_key(text, name)
    if key is None:
        raise BadRequest(f"The key '{text}' is not a valid GUID.", code="INVALID_KEY",
                         extra={"target": name})
    return key


def _absent() -> NotFound:
    return NotFound("Specified ID is absent in the system.")


def _json(content: Any, status_code: int = 200, metadata: str = "minimal",
          headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(content), status_code=status_code,
                    media_type=f"application/json; odata.metadata={metadata}",
                    headers={**HEADERS, **(headers or {})})


def _no_content(headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=204, headers={**HEADERS, **(headers or {})})


def _currency(principal: Principal) -> str:
    """AP amounts are in the organization's base currency."""
    assert principal.tenant is not None  # a _Caller always selects the tenant
    return principal.tenant.base_currency


def _params(request: Request) -> list[tuple[str, str]]:
    return request.query_params.multi_items()


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise BadRequest("the request body is empty", code="MALFORMED_JSON")
    try:
        return loads(raw)
    except ValueError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}", code="MALFORMED_JSON") from None


# --- reading -------------------------------------------------------------------------------------

Spec = tuple[tuple[str, Any, str], ...]


def _annotations(root: str, entity_set: str, entity: odata.EntityType, key: str) -> dict:
    return {"@odata.type": f"#{entity.qualified_name}",
            "@odata.id": f"{root}/{entity_set}({key})", "@odata.editLink": f"{entity_set}({key})"}


def _options(request: Request, entity: odata.EntityType) -> odata.QueryOptions:
    return odata.parse_query(_params(request), entity, accept=request.headers.get("accept"))


def _rows(request: Request, view: View, entity: odata.EntityType, principal: Principal,
          spec: Spec, entity_set: str, options: odata.QueryOptions,
          scope: Any = None) -> tuple[list, int]:
    """Run the query options over ``view``: the rendered rows and the total matching."""
    where = where_clause(options, entity)
    if scope is not None:
        where = scope if where is None else scope & where
    total = view.count(where)
    rows = view.find(where=where, order_by=order_by(options, entity), offset=options.skip,
                     limit=options.top) if options.top else []
    root = service_root(request)
    items = []
    for row in rows:
        item = render(row, spec, _currency(principal), options.select)
        if options.metadata == "full":
            item = {**_annotations(root, entity_set, entity, row["id"]), **item}
        items.append(item)
    return items, total


def _collection(request: Request, view: View, entity: odata.EntityType, principal: Principal,
                spec: Spec, entity_set: str) -> Response:
    options = _options(request, entity)
    items, total = _rows(request, view, entity, principal, spec, entity_set, options)
    body: dict[str, Any] = {}
    if options.metadata != "none":
        body["@odata.context"] = odata_urls.context_url(service_root(request), entity_set,
                                                   select=options.select)
    body["@odata.count"] = total
    body["value"] = items
    link = odata_urls.next_link(_url(request), _params(request), options, total)
    if link:
        body["@odata.nextLink"] = link
    return _json(body, metadata=options.metadata)


def _url(request: Request) -> str:
    return f"{service_root(request).removesuffix('/odata')}{request.url.path}"


def _single(request: Request, view: View, entity: odata.EntityType, principal: Principal,
            spec: Spec, entity_set: str, key: str) -> Response:
    # options first: bad input is a 400 whether or not the entity exists
    options = odata.parse_query(_params(request), entity, allowed=odata.ENTITY_OPTIONS,
                                accept=request.headers.get("accept"))
    row = view.one(_key(key, entity.key))
    if row is None:
        raise _absent()
    root = service_root(request)
    body: dict[str, Any] = {}
    if options.metadata != "none":
        body["@odata.context"] = odata_urls.context_url(root, entity_set, select=options.select,
                                                   entity=True)
    if options.metadata == "full":
        body.update(_annotations(root, entity_set, entity, row["id"]))
    body.update(render(row, spec, _currency(principal), options.select))
    return _json(body, metadata=options.metadata)


def _batches(db: Session, principal: Principal) -> tuple[View, odata.EntityType]:
    view = batch_view(db, principal.tenant_id)
    return view, batch_entity(view.fields, exponent(_currency(principal)))


def _invoices(db: Session, principal: Principal) -> tuple[View, odata.EntityType]:
    view = invoice_view(db, principal.tenant_id)
    return view, invoice_entity(view.fields, exponent(_currency(principal)))


BatchKey = Annotated[str, Path(max_length=200, description="The batch's GUID.")]
_Text = odata.MAX_OPTION_LENGTH


def _entity_options(
    select: Annotated[str | None, Query(alias="$select", max_length=_Text,
                                        description="Comma-separated properties.")] = None,
    format_: Annotated[str | None, Query(alias="$format", max_length=200, description=(
        "application/json;odata.metadata=minimal|none|full"))] = None,
) -> None:
    """Documents the options in OpenAPI; ``odata.parse_query`` reads the raw parameters (so
    that a repeated option is caught)."""


def _collection_options(
    _entity: Annotated[None, Depends(_entity_options)],
    filter_: Annotated[str | None, Query(alias="$filter", max_length=_Text, description=(
        "eq and contains(property,'text'), combined with and/or and parentheses; at most "
        "100 expressions."))] = None,
    orderby: Annotated[str | None, Query(alias="$orderby", max_length=_Text,
                                         description="At most 5 items, asc/desc.")] = None,
    top: Annotated[str | None, Query(alias="$top", max_length=_Text,
                                     description="Default 20, at most 5000.")] = None,
    skip: Annotated[str | None, Query(alias="$skip", max_length=_Text)] = None,
    search: Annotated[str | None, Query(alias="$search", max_length=_Text, description=(
        "Case-insensitive (A-Z) match in every string property."))] = None,
    count: Annotated[str | None, Query(alias="$count", max_length=5)] = None,
) -> None:
    """Documents the collection options in OpenAPI (see ``_entity_options``)."""


CollectionOptions = Annotated[None, Depends(_collection_options)]
EntityOptions = Annotated[None, Depends(_entity_options)]


@router.get("/Batches", summary="Envi: the AP batches of the organization")
def list_batches(request: Request, db: ReadDb, principal: Reader,
                 _options: CollectionOptions) -> Response:
    view, entity = _batches(db, principal)
    return _collection(request, view, entity, principal, BATCH_PROPERTIES, BATCH_SET)


@router.get("/Batches({key})", summary="Envi: one AP batch")
def get_batch(key: BatchKey, request: Request, db: ReadDb, principal: Reader,
              _options: EntityOptions) -> Response:
    view, entity = _batches(db, principal)
    return _single(request, view, entity, principal, BATCH_PROPERTIES, BATCH_SET, key)


def _batch_invoices(key: str, request: Request, db: Session, principal: Principal) -> Response:
    view, entity = _invoices(db, principal)
    options = _options(request, entity)
    batch_id = _key(key, "apBatchId")
    if batch_view(db, principal.tenant_id).one(batch_id) is None:
        raise _absent()
    items, total = _rows(request, view, entity, principal, INVOICE_PROPERTIES, INVOICE_SET,
                         options, scope=view.fields["ap_batch_id"] == batch_id)
    return _json({"items": items,
                  "nextPageLink": odata_urls.next_link(_url(request), _params(request), options, total),
                  "count": total}, metadata=options.metadata)


@router.get("/Batches({key})/invoices", summary="Envi: the invoices of an AP batch")
def list_batch_invoices(key: BatchKey, request: Request, db: ReadDb, principal: Reader,
                        _options: CollectionOptions) -> Response:
    return _batch_invoices(key, request, db, principal)


@router.get("/Batches({key})/Invoices", include_in_schema=False)
def list_batch_invoices_capitalised(key: BatchKey, request: Request, db: ReadDb,
                                    principal: Reader, _options: CollectionOptions) -> Response:
    return _batch_invoices(key, request, db, principal)


@router.get("/MatchedInvoices", summary="Envi: matched invoices (read only)")
def list_invoices(request: Request, db: ReadDb, principal: Reader,
                  _options: CollectionOptions) -> Response:
    view, entity = _invoices(db, principal)
    return _collection(request, view, entity, principal, INVOICE_PROPERTIES, INVOICE_SET)


@router.get("/MatchedInvoices({key})", summary="Envi: one matched invoice")
def get_invoice(key: BatchKey, request: Request, db: ReadDb, principal: Reader,
                _options: EntityOptions) -> Response:
    view, entity = _invoices(db, principal)
    return _single(request, view, entity, principal, INVOICE_PROPERTIES, INVOICE_SET, key)


# --- writing -------------------------------------------------------------------------------------

_BATCH_NAMES = {name for name, _kind, _field in BATCH_PROPERTIES}
_INVOICE_NAMES = {name for name, _kind, _field in INVOICE_PROPERTIES}


def _check_names(body: dict, known: set[str], type_name: str) -> None:
    for name in body:
        if name not in known and not name.startswith("@odata."):
            raise BadRequest(f"The property '{name}' does not exist on type 'Envi.{type_name}'.",
                             code="UNKNOWN_PROPERTY", extra={"target": name})


def _text(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a string.", code="INVALID_VALUE",
                         extra={"target": name})
    return value


def _prefers_representation(prefer: str | None) -> bool:
    return any(part.strip().lower() == "return=representation"
               for part in (prefer or "").split(","))


@router.post("/Batches", status_code=204, response_class=Response,
             summary="Envi: create an AP batch (status Pending)")
async def create_batch(request: Request, db: WriteDb, principal: Clerk,
                       prefer: Annotated[str | None, Header(max_length=200)] = None) -> Response:
    body = await _body(request)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object {batchNo, reference}",
                         code="INVALID_BODY")
    _check_names(body, _BATCH_NAMES, "ApBatch")
    # the database work runs off the event loop, like a plain route's
    return await run_in_threadpool(_create, request, db, principal, body, prefer)


def _create(request: Request, db: Session, principal: Principal, body: dict,
            prefer: str | None) -> Response:
    batch = batches.create_batch(db, tenant_id=principal.tenant_id,
                                 batch_no=_text(body, "batchNo"),
                                 reference=_text(body, "reference"), actor=Actor.of(principal))
    location = f"{service_root(request)}/{BATCH_SET}({batch.id})"
    headers = {"Location": location, "OData-EntityId": location}
    if _prefers_representation(prefer):
        view, entity = _batches(db, principal)
        row = view.one(batch.id)
        content = {"@odata.context": odata_urls.context_url(service_root(request), BATCH_SET,
                                                       entity=True),
                   **render(row, BATCH_PROPERTIES, _currency(principal))}
        db.commit()
        return _json(content, status_code=201,
                     headers={**headers, "Preference-Applied": "return=representation"})
    db.commit()
    return _no_content(headers)


def _invoice_ids(body: Any) -> list[str]:
    """``{apMatchedInvoiceId}``, or a JSON array of ids (or of such objects)."""
    items = body if isinstance(body, list) else [body]
    if not items or len(items) > MAX_BODY_ITEMS:
        raise BadRequest(f"name between 1 and {MAX_BODY_ITEMS} invoices", code="INVALID_BODY")
    ids = []
    for item in items:
        if isinstance(item, dict):
            _check_names(item, _INVOICE_NAMES, "ApMatchedInvoice")
            item = item.get("apMatchedInvoiceId")
        if not isinstance(item, str):
            raise BadRequest("each invoice must be named by its apMatchedInvoiceId (a string)",
                             code="INVALID_BODY", extra={"target": "apMatchedInvoiceId"})
        ids.append(item)
    return ids


async def _add_invoices(key: str, request: Request, db: Session, principal: Principal) -> Response:
    batch_id = _key(key, "apBatchId")
    ids = _invoice_ids(await _body(request))
    return await run_in_threadpool(_act, db, batches.add_invoices, tenant_id=principal.tenant_id,
                                   batch_id=batch_id, invoice_ids=ids, actor=Actor.of(principal))


@router.post("/Batches({key})/Invoices", status_code=204, response_class=Response,
             summary="Envi: add Vouchered invoices to an AP batch (they become Batched)")
async def add_invoices(key: BatchKey, request: Request, db: WriteDb, principal: Clerk) -> Response:
    return await _add_invoices(key, request, db, principal)


@router.post("/Batches({key})/invoices", status_code=204, response_class=Response,
             include_in_schema=False)
async def add_invoices_lowercase(key: BatchKey, request: Request, db: WriteDb,
                                 principal: Clerk) -> Response:
    return await _add_invoices(key, request, db, principal)


@router.post("/Batches({key})/Export", status_code=204, response_class=Response,
             summary="Envi: mark an AP batch Exported")
def export_batch(key: BatchKey, db: WriteDb, principal: Exporter) -> Response:
    return _act(db, batches.export_batch, tenant_id=principal.tenant_id,
                batch_id=_key(key, "apBatchId"), actor=Actor.of(principal))


@router.post("/Batches({key})/SubmitToQueued", status_code=204, response_class=Response,
             summary="Envi: queue an AP batch for a scheduled export")
def submit_to_queued(key: BatchKey, db: WriteDb, principal: Exporter) -> Response:
    return _act(db, batches.submit_to_queued, tenant_id=principal.tenant_id,
                batch_id=_key(key, "apBatchId"), actor=Actor.of(principal))


def _act(db: Session, action: Callable[..., Any], **arguments: Any) -> Response:
    """Run a batch action (its only ``NotFound`` is the batch's: the seed's 404 message)."""
    try:
        action(db, **arguments)
    except NotFound:
        raise _absent() from None
    db.commit()
    return _no_content()


# --- metadata ------------------------------------------------------------------------------------

@router.get("/$metadata", summary="Envi: the CSDL (EDMX 4.0) of the entity sets",
            response_class=Response)
def metadata(_version: ApiVersion) -> Response:
    return Response(metadata_document(), media_type="application/xml", headers=HEADERS)


@router.get("", summary="Envi: the OData service document")
@router.get("/", include_in_schema=False)
def service_document(request: Request, _version: ApiVersion) -> Response:
    return _json(services(service_root(request)))
