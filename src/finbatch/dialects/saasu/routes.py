"""Saasu's payment routes: ``GET /Payments`` and ``GET /Payment/{id}``.

Each route authenticates (``auth.saasu_principal``), parses Saasu's parameters
(``params.payment_query``), runs the search in the receivables repository and renders
(``render``). Query parameters are parsed by hand because Saasu matches their names
case-insensitively; ``PARAMETERS`` documents them in OpenAPI. The lowercase paths are hidden
aliases, as ASP.NET routes ignore case.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Security
from fastapi.security import APIKeyQuery
from starlette.responses import Response

from finbatch.api.deps import ReadDb, bearer_scheme
from finbatch.dialects.common import Query, base_url
from finbatch.dialects.saasu import render
from finbatch.dialects.saasu.auth import saasu_principal
from finbatch.dialects.saasu.params import DEFAULT_PAGE_SIZE, INT32_MAX, MAX_PAGE_SIZE, payment_query
from finbatch.dialects.saasu.schemas import (
    PaymentTransaction,
    PaymentTransactionSummaryResponse,
    SaasuError,
)
from finbatch.formats import dotnet
from finbatch.kit.errors import BadRequest, NotFound
from finbatch.receivables.search import ReceivablesSearchRepository

router = APIRouter(tags=["saasu"])

ws_access_key = APIKeyQuery(name="WsAccessKey", auto_error=False, scheme_name="WsAccessKey",
                            description="Legacy: a finbatch API token in the query.")
Credentials = [Depends(bearer_scheme), Security(ws_access_key)]


def _query(name: str, schema: dict[str, Any], description: str, *,
           required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema,
            "description": description + " (names match case-insensitively)"}


_DATE = {"type": "string", "format": "date"}
FILE_ID = _query("FileId", {"type": "integer", "minimum": 1, "maximum": INT32_MAX},
                 "The file (tenant numeric id); the token must grant it.", required=True)
PARAMETERS = [
    FILE_ID,
    _query("Page", {"type": "integer", "minimum": 1, "maximum": INT32_MAX, "default": 1},
           "1-based page number."),
    _query("PageSize", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE,
                        "default": DEFAULT_PAGE_SIZE}, "Payments per page."),
    _query("LastModifiedFromDate", _DATE, "Modified on or after (UTC); with LastModifiedToDate."),
    _query("LastModifiedToDate", _DATE, "Modified on or before (UTC); with LastModifiedFromDate."),
    _query("ClearedFromDate", _DATE, "Cleared on or after; with ClearedToDate."),
    _query("ClearedToDate", _DATE, "Cleared on or before; with ClearedFromDate."),
    _query("PaymentFromDate", _DATE, "Paid on or after; with PaymentToDate. Without both: the "
                                     "last month."),
    _query("PaymentToDate", _DATE, "Paid on or before; with PaymentFromDate."),
    _query("ForInvoiceId", {"type": "integer", "minimum": 1},
           "Payments allocated to this invoice number; TransactionType is then ignored."),
    _query("TransactionType", {"type": "string", "enum": ["SP", "PP"]},
           "SP sale payment, PP purchase payment."),
    _query("PaymentAccountId", {"type": "integer", "minimum": 0, "maximum": INT32_MAX},
           "The payment account (see PaymentAccountId in the response)."),
    _query("SortString", {"type": "string", "maxLength": 64},
           "TransactionId (default), TransactionDate, ClearedDate, CreatedDateUtc, "
           "LastModifiedDateUtc or TotalAmount, optionally followed by ' desc'."),
]

_XML = {"application/json": {}, "application/xml": {"schema": {"$ref": "#/components/schemas/SaasuError"}}}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    reasons = {400: "A bad parameter, named in Message", 401: "No valid token",
               403: "The token does not grant that FileId, or its role cannot read",
               404: "No such payment in the file", 405: "Only GET",
               413: "The request is too large", 500: "Unexpected failure"}
    return {s: {"model": SaasuError, "description": reasons[s], "content": _XML} for s in statuses}


def _ok(model: type, description: str) -> dict[int | str, dict[str, Any]]:
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {200: {"model": model, "description": description,
                  "content": {"application/json": {}, "application/xml": {"schema": ref}}}}


LIST_DESCRIPTION = """\
Payment summaries of the file, paged. Saasu's payments are finbatch payments (SP received from
a customer, PP made to a vendor); refunds are not listed (Saasu lists only SP and PP, and a
refund is money going back, which neither type can say). JSON (default) or XML by `Accept`.
"""


@router.get("/Payments", response_class=Response, dependencies=Credentials,
            responses={**_ok(PaymentTransactionSummaryResponse, "A page of payments"),
                       **_errors(400, 401, 403, 405, 413, 500)},
            summary="Saasu: list payments", description=LIST_DESCRIPTION,
            openapi_extra={"parameters": PARAMETERS}, operation_id="saasu_list_payments")
def list_payments(request: Request, db: ReadDb) -> Response:
    q = Query(request)
    principal = saasu_principal(request, q)
    tenant = principal.tenant
    assert tenant is not None
    repo = ReceivablesSearchRepository(db, tenant.id)
    parsed = payment_query(q, tenant, repo.payment_accounts)
    rows, more = repo.payments_page(parsed.search, offset=(parsed.page - 1) * parsed.page_size,
                                    limit=parsed.page_size)
    base = base_url(request)
    links = [render.link("self", f"{base}/Payments?{q.encode(without=['WsAccessKey'])}")]
    if more:
        following = q.encode(without=["WsAccessKey", "Page", "PageSize"],
                             extra=[("Page", str(parsed.page + 1)),
                                    ("PageSize", str(parsed.page_size))])
        links.append(render.link("next", f"{base}/Payments?{following}"))
    return render.respond(request, "PaymentTransactionSummaryResponse",
                          render.summaries(rows, tenant, base, links))


PAYMENT_ID = {"name": "payment_id", "in": "path", "required": True,
              "schema": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
              "description": "The payment's TransactionId."}


@router.get("/Payment/{payment_id}", response_class=Response, dependencies=Credentials,
            responses={**_ok(PaymentTransaction, "The payment with its allocations"),
                       **_errors(400, 401, 403, 404, 405, 413, 500)},
            summary="Saasu: one payment",
            description="The summary fields plus `PaymentItems`: the payment's allocations to "
                        "invoices (`InvoiceTransactionId` is the invoice number).",
            openapi_extra={"parameters": [PAYMENT_ID, FILE_ID]}, operation_id="saasu_get_payment")
def get_payment(request: Request, db: ReadDb) -> Response:
    q = Query(request)
    principal = saasu_principal(request, q)
    tenant = principal.tenant
    assert tenant is not None
    # the id is parsed here, not by FastAPI, so a bad one is Saasu's 400 naming it (and FastAPI
    # documents no 422 this route never answers)
    text = request.path_params["payment_id"]
    try:
        payment_id = dotnet.parse_int(text)
    except ValueError:
        raise BadRequest(f"the payment id must be a whole number; '{text[:40]}' is not",
                         code="INVALID_PARAMETER") from None
    if not 1 <= payment_id <= 2**63 - 1:
        raise BadRequest("the payment id must be a positive number", code="INVALID_PARAMETER")
    txn = ReceivablesSearchRepository(db, tenant.id).payment_by_number(payment_id)
    if txn is None:
        raise NotFound(f"payment {payment_id} was not found in FileId {tenant.id}")
    base = base_url(request)
    self_href = f"{base}/Payment/{payment_id}?FileId={tenant.id}"
    return render.respond(request, "PaymentTransaction",
                          render.detail(db, txn, tenant, base, self_href))


# ASP.NET routes ignore case; the lowercase spellings are served too, undocumented.
router.add_api_route("/payments", list_payments, methods=["GET"], include_in_schema=False,
                     response_class=Response)
router.add_api_route("/payment/{payment_id}", get_payment, methods=["GET"],
                     include_in_schema=False, response_class=Response)
