"""``POST /Invoice/GetInvoicesList``: authenticate, parse (``request``), search
(``receivables.search``), render (``render``).

Auth: ``Authorization: Bearer <token>``; the token fixes the tenant, so a token granting several
tenants is refused with 403 (Agvance has no way to name one); the token's role must read. The
body is parsed by hand (JSON, XML or form), so ``openapi_extra`` documents it; the query window
is matched case-insensitively, as ASP.NET binds it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from finbatch.api.deps import ReadDb, authenticate_request, bearer_scheme
from finbatch.dialects.agvance import render
from finbatch.dialects.agvance.request import invoice_search
from finbatch.dialects.agvance.schemas import AgvInvoice, ClsInvoiceListRequest, ClsInvoiceListRequestItem
from finbatch.dialects.common import Query, inline_schema
from finbatch.kit.errors import Forbidden
from finbatch.receivables.search import ReceivablesSearchRepository
from finbatch.tenancy.auth import Principal, bearer_from_header
from finbatch.tenancy.roles import Permission

router = APIRouter(tags=["agvance"])


def agvance_principal(request: Request) -> Principal:
    token = bearer_from_header(request.headers.get("authorization"))
    principal = authenticate_request(request, token)
    if len(principal.tenants) != 1:
        raise Forbidden("this token grants several tenants; Agvance needs a token for exactly one",
                        code="TENANT_REQUIRED")
    principal = principal.only_tenant()
    principal.require(Permission.READ)
    return principal


async def _raw_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]

_WINDOW = "UTC date and time, yyyy-MM-ddTHH:mm:ss without a zone; inclusive; empty: unbounded " \
          "(the name matches case-insensitively)."
_REQUEST_SCHEMA = inline_schema(ClsInvoiceListRequest)
#: A JSON body may also be ``null``: Json.NET binds it to no request, which means no items (every
#: invoice in the window), and the route reads it so (``request._json_items``).
_JSON_SCHEMA = {"anyOf": [_REQUEST_SCHEMA, {"type": "null"}]}
_XML_SCHEMA = {**_REQUEST_SCHEMA, "xml": {"name": "InvoiceListRequest",
                                          "namespace": render.NAMESPACE}}
_FORM_SCHEMA = {**inline_schema(ClsInvoiceListRequestItem),
                "description": "The fields of one item; several items as "
                               "InvoiceListRequestItems[i].field=…"}


#: What a window bound accepts (``request._instant``): nothing (unbounded), a date and time without
#: a zone (the documented form), with one, or a date; RFC 3339's date-time alone refused the first two.
_WINDOW_SCHEMA: dict[str, Any] = {"type": "string", "anyOf": [
    {"maxLength": 0},
    {"pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?$"},
    {"format": "date-time"},
    {"format": "date"},
]}


def _window(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": _WINDOW_SCHEMA,
            "description": description + _WINDOW}


OPENAPI: dict[str, Any] = {
    "parameters": [_window("lastModifiedOnOrAfterUtc", "Modified on or after: "),
                   _window("lastModifiedOnOrBeforeUtc", "Modified on or before: ")],
    "requestBody": {"required": False, "content": {
        "application/json": {"schema": _JSON_SCHEMA},
        "text/json": {"schema": _JSON_SCHEMA},
        "application/xml": {"schema": _XML_SCHEMA},
        "text/xml": {"schema": _XML_SCHEMA},
        "application/x-www-form-urlencoded": {"schema": _FORM_SCHEMA},
    }},
}

_REF = {"$ref": "#/components/schemas/AgvInvoice"}
_REASONS = {200: "The invoices (`Status: Success`)",
            400: "A bad parameter or body, named in `Message` (`Status: Error`)",
            401: "No valid bearer token", 403: "The token grants several tenants, or cannot read",
            405: "Only POST", 413: "The body is too large", 415: "An unsupported Content-Type",
            500: "Unexpected failure"}
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": AgvInvoice, "description": reason,
             "content": {"application/json": {}, "text/json": {"schema": _REF},
                         "application/xml": {"schema": _REF}, "text/xml": {"schema": _REF}}}
    for status, reason in _REASONS.items()}

DESCRIPTION = """\
Invoices of the token's tenant modified within the window, filtered by the request items: each
item's fields are AND-ed, the items OR-ed; the union has no duplicates and is ordered by invoice
number. No items: every invoice in the window. Credit memos appear as `CM<number>` with negative
amounts and debit memos (finance charges) as `FC<number>`; `InvoiceType` says which. JSON
(default) or DataContract XML by `Accept`.
"""


@router.post("/Invoice/GetInvoicesList", response_class=Response, responses=RESPONSES,
             dependencies=[Depends(bearer_scheme)], summary="Agvance: list invoices",
             description=DESCRIPTION, openapi_extra=OPENAPI, operation_id="agvance_invoices_list")
def get_invoices_list(request: Request, db: ReadDb, raw: RawBody) -> Response:
    principal = agvance_principal(request)
    tenant = principal.tenant
    assert tenant is not None
    search = invoice_search(Query(request), request.headers.get("content-type", ""), raw,
                            tenant.timezone)
    ids = ReceivablesSearchRepository(db, tenant.id).invoice_ids(search)
    items = render.records(db, tenant.id, ids)
    return render.respond(request, render.envelope("Success", "", items))


# ASP.NET routes ignore case; the lowercase spelling is served too, undocumented.
router.add_api_route("/invoice/getinvoiceslist", get_invoices_list, methods=["POST"],
                     include_in_schema=False, response_class=Response)
