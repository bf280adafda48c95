"""Agvance ``AgvInvoice`` bodies from our invoices, credit memos and debit memos, in JSON or
DataContract XML, and Agvance's error bodies.

Mapping (our decisions; Agvance does not publish its detail shapes):
- Records are invoices, credit memos and debit memos. ``InvoiceNumber`` is the per-kind number,
  prefixed ``CM`` for a credit memo and ``FC`` for a debit memo (Agvance's finance charges, the
  debit memos an AR system raises for late fees and interest); ``InvoiceType`` says which.
- A credit memo is a negative invoice, as Agvance shows one: quantities, extended amounts,
  taxable amounts, taxes and totals are negated; what it has applied to invoices is its
  ``AmountPaid`` (negated too) and its paid status says how much of it is used up.
- Header: customer code and name, currency, terms, due date, subtotal, tax, total, amount paid
  (everything that settled it: payments, credits, credit memos, write-offs, net of refunds),
  balance, paid status, void flag and date, fiscal month (our fiscal period) and last
  modification. Line items: line number, product, description, quantity, unit, unit price,
  extended amount, tax code, GL account override. Tax codes: code, description, rate (a
  fraction), taxable amount, tax. Splits: our invoices have one customer, so one split of 100 %.
  Books, blends, deliveries, energy and applicators have no counterpart: always ``[]``.
- Amounts are numbers at the currency's decimals (``100.00``) in JSON and XML alike; quantities,
  prices, rates and percentages in shortest form. Business dates are ``MM/dd/yyyy``; the
  last-modified instant is ``yyyy-MM-ddTHH:mm:ss`` in UTC, the form the window takes, so a client
  can feed it back.
- XML: DataContract, ``SSI.API`` namespace, members in ordinal order, list items named
  ``clsAPIInvoice``, ``clsAPIInvoiceSplit``, ``clsAPIInvoiceLineItem``, ``clsAPIInvoiceTaxCode``.

Errors use the same envelope: ``{"Status": "Error", "Message": …, "Count": "0",
"InvoiceRecords": []}``; FastAPI's 422 becomes a 400 (Web API answers binding errors so).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from finbatch.dialects.common import NumberText, json_bytes, wants_xml
from finbatch.formats import dotnet, xmlwire
from finbatch.kit.clock import as_utc
from finbatch.kit.errors import FinbatchError
from finbatch.kit.money import format_minor
from finbatch.receivables.models import ARTransaction
from finbatch.receivables.repository import TransactionRepository
from finbatch.receivables.search import ReceivablesSearchRepository
from finbatch.receivables.views import paid_status

NAMESPACE = xmlwire.datacontract_namespace("SSI.API")
ITEM_NAMES = {"InvoiceRecords": "clsAPIInvoice", "InvoiceRecordSplitDetails": "clsAPIInvoiceSplit",
              "InvoiceRecordLineItemDetails": "clsAPIInvoiceLineItem",
              "InvoiceTaxCodeDetails": "clsAPIInvoiceTaxCode"}
PREFIXES = {"invoice": "", "credit_memo": "CM", "debit_memo": "FC"}
TYPES = {"invoice": "Invoice", "credit_memo": "CreditMemo", "debit_memo": "FinanceCharge"}
CHUNK = 500
EMPTY_LISTS = ("InvoiceBooksDetails", "InvoiceBlendsDetails", "InvoiceDelivsDetails",
               "InvoiceEnergyDetails", "InvoiceApplicatorDetails")


def _us_date(day: date | None) -> str | None:
    return None if day is None else f"{day.month:02d}/{day.day:02d}/{day.year:04d}"


def _utc_text(instant: datetime) -> str:
    return dotnet.format_datetime(as_utc(instant).replace(tzinfo=None), fraction="never")


def _money(minor: int, currency: str, sign: int) -> NumberText:
    return NumberText(format_minor(sign * minor, currency))


def _number(value: Decimal | int) -> NumberText:
    return NumberText(dotnet.format_decimal(value))


def records(session: Session, tenant_id: int, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The ``clsAPIInvoice`` records of ``ids``, in that order (children loaded per chunk)."""
    search = ReceivablesSearchRepository(session, tenant_id)
    repo = TransactionRepository(session, tenant_id)
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), CHUNK):
        txns = search.in_order(ids[start:start + CHUNK])
        chunk_ids = [t.id for t in txns]
        lines, taxes = repo.lines_of(chunk_ids), repo.taxes_of(chunk_ids)
        memos = [t.id for t in txns if t.kind == "credit_memo"]
        applied = {i: sum(a.amount for a in allocs)
                   for i, allocs in repo.allocations_from(memos).items()}
        customers = search.customers([t.customer_id for t in txns])
        for txn in txns:
            out.append(_record(txn, lines[txn.id], taxes[txn.id], applied.get(txn.id, txn.settled),
                               customers.get(txn.customer_id or "")))
    return out


def _record(txn: ARTransaction, lines, taxes, settled: int, customer) -> dict[str, Any]:
    cur = txn.currency
    sign = -1 if txn.kind == "credit_memo" else 1
    code = customer.code if customer else None
    name = customer.name if customer else None
    header = {
        "CustomerId": code, "CustomerName": name, "Currency": cur,
        "InvoiceType": TYPES[txn.kind], "Terms": txn.terms, "DueDate": _us_date(txn.due_date),
        "SubTotal": _money(txn.subtotal, cur, sign), "TaxAmount": _money(txn.tax_total, cur, sign),
        "Total": _money(txn.amount, cur, sign), "AmountPaid": _money(settled, cur, sign),
        "Balance": _money(txn.amount - settled, cur, sign),
        "PaidStatus": paid_status(txn.amount, settled).capitalize(), "Void": bool(txn.is_void),
        "VoidDate": _us_date(txn.void_date), "FiscalMonth": txn.fiscal_period,
        "LastModifiedUtc": _utc_text(txn.modified_at),
    }
    record: dict[str, Any] = {
        "InvoiceDate": _us_date(txn.date), "InvoiceLocation": txn.location,
        "InvoiceNumber": f"{PREFIXES[txn.kind]}{txn.number}",
        "InvoiceRecordHeaderDetails": header,
        "InvoiceRecordSplitDetails": [{"CustomerId": code, "CustomerName": name,
                                       "Percentage": _number(100)}] if customer else [],
        "InvoiceRecordLineItemDetails": [{
            "LineNumber": line.line_number, "ProductId": line.product,
            "ProductDescription": line.description, "Quantity": _number(sign * line.quantity),
            "Unit": line.unit, "UnitPrice": _number(line.unit_price),
            "ExtendedAmount": _money(line.amount, cur, sign), "TaxCode": line.tax_code,
            "GLAccount": line.gl_account_code} for line in lines],
        "InvoiceTaxCodeDetails": [{
            "TaxCode": tax.tax_code, "Description": tax.description, "Rate": _number(tax.rate),
            "TaxableAmount": _money(tax.taxable, cur, sign), "TaxAmount": _money(tax.tax, cur, sign),
        } for tax in taxes],
    }
    for name_ in EMPTY_LISTS:
        record[name_] = []
    return record


def envelope(status: str, message: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Status": status, "Message": message, "Count": str(len(items)), "InvoiceRecords": items}


def respond(request: Request, body: dict[str, Any], status_code: int = 200,
            headers: dict[str, str] | None = None) -> Response:
    """``body`` as DataContract XML when ``Accept`` prefers XML, else JSON."""
    if wants_xml(request):
        content = xmlwire.write_datacontract("AgvInvoice", body, namespace=NAMESPACE,
                                             item_names=ITEM_NAMES)
        return Response(content, status_code, headers=headers,
                        media_type="application/xml; charset=utf-8")
    return Response(json_bytes(body), status_code, headers=headers,
                    media_type="application/json; charset=utf-8")


def render_agvance_error(request: Request, error: FinbatchError) -> Response:
    """The Agvance surface's error renderer: the ``AgvInvoice`` envelope with ``Status: Error``."""
    status = 400 if error.status == 422 else error.status
    return respond(request, envelope("Error", error.message, []), status, error.headers)
