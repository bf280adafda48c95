"""Saasu bodies from our payments, in JSON or XmlSerializer XML, and Saasu's error bodies.

Mapping (``dialects/saasu.md`` and our decisions):
- ``TransactionId`` is the payment's per-tenant number; ``TransactionType`` its SP/PP type.
- ``TransactionDate``/``ClearedDate`` are business dates, written as Saasu writes its dates:
  the instant the day begins in the file's time zone, in UTC without a fraction (the seed's
  ``2024-03-21T13:00:00Z`` is midnight in Sydney). Created/modified: 7 fractional digits, ``Z``.
- ``PaymentAccountId`` is the payment account's GL code when that is a number of 1–9 digits
  without a leading zero; any other code maps to ``1000000000 + crc32(code) % 1000000000`` (a
  range no numeric code reaches, stable across restarts); no account is 0.
- ``LastUpdatedId`` is base64 of the record version as 8 big-endian bytes (the shape of the SQL
  Server rowversion Saasu exposes): it changes exactly when the record does.
- ``TotalAmount`` is the gross amount, ``FeeAmount`` the fee; ``FxRate`` is 0 for a payment in
  the base currency (as the seed shows) and our rate (base units per unit) otherwise;
  ``AutoPopulateFxRate`` is always false.
- ``PaymentItems`` (detail only) are the payment's allocations to invoices; allocations to debit
  memos are left out, because Saasu knows only invoices and a debit memo's number would name
  another invoice.
- JSON amounts are numbers with their exact value (``100.0``, via ``formats.dotnet``); XML is
  XmlSerializer style: ``_links`` first, ``xsi:nil`` nulls, null link titles omitted, shortest
  decimals.

Errors: ``{"Message": "..."}`` (XML ``<Error><Message>``) on every status of the payment routes,
FastAPI's 422 included (it becomes a 400, as Web API answers binding errors); OAuth's
``{error, error_description}`` on ``/authorisation/*``.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from finbatch.dialects.common import json_bytes, wants_xml
from finbatch.formats import dotnet, xmlwire
from finbatch.kit.clock import start_of_day
from finbatch.kit.errors import FinbatchError
from finbatch.kit.money import to_decimal
from finbatch.receivables.models import ARTransaction
from finbatch.receivables.repository import TransactionRepository
from finbatch.tenancy.auth import TenantContext

ACCOUNT_HASH_BASE = 1_000_000_000
ITEM_NAMES = {"_links": "Link", "PaymentTransactions": "PaymentTransactionSummary",
              "PaymentItems": "PaymentItem"}
OAUTH_CODES = frozenset({"invalid_request", "invalid_client", "invalid_grant", "invalid_scope",
                         "unauthorized_client", "unsupported_grant_type"})


def payment_account_id(code: str | None) -> int:
    if not code:
        return 0
    if code.isascii() and code.isdigit() and len(code) <= 9 and not code.startswith("0"):
        return int(code)
    return ACCOUNT_HASH_BASE + zlib.crc32(code.encode("utf-8")) % ACCOUNT_HASH_BASE


def codes_for_account_id(account_id: int, known: Callable[[], list[str]]) -> list[str | None]:
    """The GL codes (``None``: no account) whose ``PaymentAccountId`` is ``account_id``."""
    if account_id == 0:
        return [None]
    if account_id < ACCOUNT_HASH_BASE:
        return [str(account_id)]
    return [c for c in known() if payment_account_id(c) == account_id]


def last_updated_id(version: int) -> str:
    return base64.b64encode(version.to_bytes(8, "big", signed=False)).decode("ascii")


def date_text(day: date | None, tz: str) -> str | None:
    if day is None:
        return None
    try:
        return dotnet.format_utc(start_of_day(day, tz), fraction="never")
    except OverflowError:  # the first or last day .NET can hold: midnight UTC instead
        return f"{dotnet.format_date(day)}T00:00:00Z"


def link(rel: str, href: str) -> dict[str, Any]:
    return {"rel": rel, "href": href, "method": "GET", "title": None}


def summary(txn: ARTransaction, tenant: TenantContext, base: str) -> dict[str, Any]:
    cur = txn.currency
    return {
        "TransactionId": txn.number,
        "TransactionDate": date_text(txn.date, tenant.timezone),
        "TransactionType": txn.transaction_type or "SP",
        "PaymentAccountId": payment_account_id(txn.payment_account),
        "TotalAmount": to_decimal(txn.amount, cur),
        "FeeAmount": to_decimal(txn.fee, cur),
        "Summary": txn.description,
        "Reference": txn.reference,
        "ClearedDate": date_text(txn.cleared_date, tenant.timezone),
        "Currency": cur,
        "AutoPopulateFxRate": False,
        "FxRate": Decimal(0) if cur == tenant.base_currency else Decimal(txn.fx_rate),
        "CreatedDateUtc": dotnet.format_utc(txn.created_at),
        "LastModifiedDateUtc": dotnet.format_utc(txn.modified_at),
        "LastUpdatedId": last_updated_id(txn.version),
        "RequiresFollowUp": bool(txn.requires_follow_up),
        "_links": [link("detail", f"{base}/Payment/{txn.number}?FileId={tenant.id}")],
    }


def summaries(txns: Sequence[ARTransaction], tenant: TenantContext, base: str,
              links: list[dict[str, Any]]) -> dict[str, Any]:
    return {"PaymentTransactions": [summary(t, tenant, base) for t in txns], "_links": links}


def detail(session: Session, txn: ARTransaction, tenant: TenantContext, base: str,
           self_href: str) -> dict[str, Any]:
    repo = TransactionRepository(session, tenant.id)
    allocations = repo.allocations_from([txn.id])[txn.id]
    targets = repo.kinds_of([a.target_id for a in allocations])
    body = summary(txn, tenant, base)
    body.pop("_links")
    body["PaymentItems"] = [
        {"InvoiceTransactionId": targets[a.target_id][1],
         "AmountPaid": to_decimal(a.amount, txn.currency)}
        for a in allocations if targets.get(a.target_id, ("", 0))[0] == "invoice"]
    body["_links"] = [link("self", self_href)]
    return body


def respond(request: Request, root: str, body: dict[str, Any], status_code: int = 200,
            headers: dict[str, str] | None = None) -> Response:
    """``body`` as XML when ``Accept`` prefers it, else JSON."""
    if wants_xml(request):
        content = xmlwire.write_xmlserializer(root, body, item_names=ITEM_NAMES,
                                              omit_nulls={"title"}, first=["_links"])
        return Response(content, status_code, headers=headers,
                        media_type="application/xml; charset=utf-8")
    return Response(json_bytes(body), status_code, headers=headers,
                    media_type="application/json; charset=utf-8")


def _oauth_code(error: FinbatchError) -> str:
    if error.code in OAUTH_CODES:
        return error.code
    if error.status in (400, 404, 405, 413, 415, 422):
        return "invalid_request"
    if error.status == 401:
        return "invalid_client"
    if error.status == 403:
        return "unauthorized_client"
    if error.status in (429, 503):
        return "temporarily_unavailable"
    return "server_error"


def render_saasu_error(request: Request, error: FinbatchError) -> Response:
    """The Saasu surface's error renderer (see the module docstring)."""
    status = 400 if error.status == 422 else error.status
    if request.url.path.lower().startswith("/authorisation"):
        body = {"error": _oauth_code(error), "error_description": error.message}
        return Response(json_bytes(body), status, headers=error.headers,
                        media_type="application/json; charset=utf-8")
    return respond(request, "Error", {"Message": error.message}, status, error.headers)
