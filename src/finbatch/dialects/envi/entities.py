"""Envi's entity types: the seed's property lists, in the seed's order, mapped onto the fields of
the payables views, and the rendering of one row as Envi shows it.

These tuples are the allow-list of everything an Envi client can select, filter, sort or search,
and the source of ``$metadata``. Money is rendered as a JSON number holding the exact decimal
(never through a binary float); business dates as midnight UTC date-times; instants in UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import orjson
from sqlalchemy import ColumnElement

from finbatch.formats.odata import EntityType, Kind, Property
from finbatch.kit.clock import iso_utc
from finbatch.kit.money import format_shortest

NAMESPACE = "Envi"
S, I32, B, G, D, T, DATE = (Kind.STRING, Kind.INT32, Kind.BOOLEAN, Kind.GUID, Kind.DECIMAL,
                            Kind.DATETIME, Kind.DATE)

#: AP batch properties (seed 003, "Get the list of AP Batches"): name, kind, view field.
BATCH_PROPERTIES: tuple[tuple[str, Kind, str], ...] = (
    ("apBatchId", G, "id"),
    ("batchNo", S, "batch_no"),
    ("reference", S, "reference"),
    ("batchStatusId", I32, "status_id"),
    ("batchStatus", S, "status"),
    ("batchTotal", D, "total"),
    ("invoiceCount", I32, "invoice_count"),
    ("isScheduledExporting", B, "is_scheduled_exporting"),
    ("lastExportDate", T, "last_exported_at"),
    ("dateCreated", T, "created_at"),
    ("createdBy", G, "created_by_id"),
    ("createdByUserName", S, "created_by_name"),
    ("lastUpdated", T, "updated_at"),
    ("lastUpdatedBy", G, "updated_by_id"),
    ("lastUpdatedByUserName", S, "updated_by_name"),
)

#: Matched invoice properties (seed 003, "Get invoices from the specified AP Batch").
INVOICE_PROPERTIES: tuple[tuple[str, Kind, str], ...] = (
    ("apMatchedInvoiceId", G, "id"),
    ("purchaseOrderId", G, "purchase_order_id"),
    ("purchaseOrderNo", S, "purchase_order_no"),
    ("sequenceNo", I32, "sequence_no"),
    ("poType", S, "po_type"),
    ("facilityId", G, "facility_id"),
    ("facilityNo", S, "facility_no"),
    ("facilityName", S, "facility_name"),
    ("locationId", G, "location_id"),
    ("locationNo", S, "location_no"),
    ("locationName", S, "location_name"),
    ("vendorId", G, "vendor_id"),
    ("vendorNo", S, "vendor_no"),
    ("vendorName", S, "vendor_name"),
    ("invoiceNo", S, "invoice_no"),
    ("matchedInvoiceStatusId", I32, "status_id"),
    ("matchedInvoiceStatus", S, "status"),
    ("vendorRemitToId", G, "vendor_remit_to_id"),
    ("remitToNo", S, "remit_to_no"),
    ("remitToDescription", S, "remit_to_description"),
    ("remitToVendorNo", S, "remit_to_vendor_no"),
    ("creditCardIDId", G, "credit_card_id"),
    ("creditCardID", S, "credit_card_code"),
    ("creditCardIDDescription", S, "credit_card_description"),
    ("reference", S, "reference"),
    ("notes", S, "notes"),
    ("invoiceDate", DATE, "invoice_date"),
    ("invoiceDueDate", DATE, "invoice_due_date"),
    ("trackingCode", S, "tracking_code"),
    ("invoiceValidationTotal", D, "validation_total"),
    ("cerNoId", G, "cer_id"),
    ("cerNo", S, "cer_no"),
    ("cerNoDescription", S, "cer_description"),
    ("discountAmount", D, "discount_amount"),
    ("taxAmount", D, "tax_amount"),
    ("shippingAmount", D, "shipping_amount"),
    ("taxExpenseGLCode", S, "tax_expense_gl_code"),
    ("taxAccrualGLCode", S, "tax_accrual_gl_code"),
    ("discountGLCode", S, "discount_gl_code"),
    ("taxExpenseAmount", D, "tax_expense_amount"),
    ("apBatchId", G, "ap_batch_id"),
    ("apBatchNo", S, "ap_batch_no"),
    ("taxCode", S, "tax_code"),
    ("receivedInvoiceId", G, "received_invoice_id"),
    ("offset", D, "offset"),
    ("offsetGLCode", S, "offset_gl_code"),
    ("createdBy", G, "created_by_id"),
    ("createdByUserName", S, "created_by_name"),
    ("dateCreated", T, "created_at"),
    ("lastUpdated", T, "updated_at"),
    ("lastUpdatedBy", G, "updated_by_id"),
    ("lastUpdatedByUserName", S, "updated_by_name"),
    ("dateSubmitted", T, "submitted_at"),
    ("submittedBy", G, "submitted_by_id"),
    ("submittedByUserName", S, "submitted_by_name"),
    ("projectNoId", G, "project_id"),
    ("projectNo", S, "project_no"),
    ("projectNoDescription", S, "project_description"),
)

#: Properties that are never null.
_BATCH_REQUIRED = frozenset({"apBatchId", "batchNo", "batchStatusId", "batchStatus", "batchTotal",
                             "invoiceCount", "isScheduledExporting", "dateCreated", "lastUpdated",
                             "createdByUserName", "lastUpdatedByUserName"})
_INVOICE_REQUIRED = frozenset({
    "apMatchedInvoiceId", "purchaseOrderId", "purchaseOrderNo", "sequenceNo", "poType",
    "facilityId", "facilityNo", "facilityName", "locationId", "locationNo", "locationName",
    "vendorId", "vendorNo", "vendorName", "invoiceNo", "matchedInvoiceStatusId",
    "matchedInvoiceStatus", "vendorRemitToId", "remitToNo", "remitToDescription",
    "remitToVendorNo", "invoiceDate", "invoiceValidationTotal", "discountAmount", "taxAmount",
    "shippingAmount", "taxExpenseAmount", "offset", "createdByUserName", "dateCreated",
    "lastUpdated", "lastUpdatedByUserName"})


def _entity(name: str, key: str, spec: tuple[tuple[str, Kind, str], ...],
            required: frozenset[str], fields: Mapping[str, ColumnElement[Any]] | None,
            exponent: int) -> EntityType:
    properties = tuple(
        Property(prop, kind, fields[field] if fields is not None else None,
                 nullable=prop not in required,
                 exponent=exponent if kind is Kind.DECIMAL else 0,
                 # Envi documents these as date-time; they hold a business date
                 edm_type=Kind.DATETIME.value if kind is Kind.DATE else None)
        for prop, kind, field in spec)
    return EntityType(NAMESPACE, name, key, properties)


def batch_entity(fields: Mapping[str, ColumnElement[Any]] | None = None,
                 exponent: int = 2) -> EntityType:
    """``Envi.ApBatch`` over the fields of ``payables.repository.batch_view`` (``None``: for
    ``$metadata``, nothing queryable)."""
    return _entity("ApBatch", "apBatchId", BATCH_PROPERTIES, _BATCH_REQUIRED, fields, exponent)


def invoice_entity(fields: Mapping[str, ColumnElement[Any]] | None = None,
                   exponent: int = 2) -> EntityType:
    """``Envi.ApMatchedInvoice`` over the fields of ``payables.repository.invoice_view``."""
    return _entity("ApMatchedInvoice", "apMatchedInvoiceId", INVOICE_PROPERTIES, _INVOICE_REQUIRED,
                   fields, exponent)


def render(row: Mapping[str, Any], spec: tuple[tuple[str, Kind, str], ...], currency: str,
           select: tuple[str, ...] | None = None) -> dict[str, Any]:
    """One view row as Envi's JSON object (only the ``select``ed properties when given)."""
    wanted = set(select) if select else None
    out: dict[str, Any] = {}
    for prop, kind, field in spec:
        if wanted is not None and prop not in wanted:
            continue
        value = row[field]
        if value is None:
            out[prop] = None
        elif kind is Kind.DECIMAL:
            out[prop] = orjson.Fragment(format_shortest(value, currency).encode())
        elif kind is Kind.DATE:
            out[prop] = f"{value.isoformat()}T00:00:00Z" if isinstance(value, date) else value
        elif kind is Kind.DATETIME:
            out[prop] = iso_utc(value)
        else:
            out[prop] = value
    return out
