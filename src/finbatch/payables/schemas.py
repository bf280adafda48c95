"""Request and response bodies of the native ``/v1`` payables API.

Amounts are exact decimal strings (``"1234.50"``) in the tenant's base currency; business dates
are ``YYYY-MM-DD``; instants are UTC with ``Z``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from finbatch.schemas_common import AmountText, Input, Output, Text200

Number = Annotated[str, StringConstraints(min_length=1, max_length=32)]
#: A record id; UUIDs compare in lower case on both engines.
Id = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(str.lower)]
GLCode = Annotated[str, StringConstraints(min_length=1, max_length=32)]
PoType = Literal["Standard", "Return", "Capital"]
CodeKind = Literal["cer", "credit_card", "project"]


class Audited(Output):
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    version: int


# --- vendors, remit-tos, facilities, locations, codes --------------------------------------------

class VendorCreate(Input):
    vendor_no: Number
    name: Text200
    is_active: bool = True


class VendorUpdate(Input):
    name: Text200 | None = None
    is_active: bool | None = None


class VendorRead(Audited):
    id: str
    vendor_no: str
    name: str
    is_active: bool


class RemitToCreate(Input):
    remit_to_no: Number
    description: Text200 = ""
    remit_vendor_no: Number | None = Field(
        None, description="The vendor number payments go under, when not the vendor's own.")
    address_line1: Text200
    address_line2: Text200 = ""
    city: Annotated[str, StringConstraints(max_length=100)]
    region: Annotated[str, StringConstraints(max_length=100)] = ""
    postal_code: Annotated[str, StringConstraints(max_length=20)] = ""
    country: Annotated[str, StringConstraints(min_length=2, max_length=2)] = Field(
        description="ISO 3166-1 alpha-2, e.g. US.")
    is_active: bool = True


class RemitToUpdate(Input):
    description: Text200 | None = None
    remit_vendor_no: Number | None = None
    address_line1: Text200 | None = None
    address_line2: Text200 | None = None
    city: Annotated[str, StringConstraints(max_length=100)] | None = None
    region: Annotated[str, StringConstraints(max_length=100)] | None = None
    postal_code: Annotated[str, StringConstraints(max_length=20)] | None = None
    country: Annotated[str, StringConstraints(min_length=2, max_length=2)] | None = None
    is_active: bool | None = None


class RemitToRead(Audited):
    id: str
    vendor_id: str
    remit_to_no: str
    description: str
    remit_vendor_no: str | None
    address_line1: str
    address_line2: str
    city: str
    region: str
    postal_code: str
    country: str
    is_active: bool


class FacilityCreate(Input):
    facility_no: Number
    name: Text200
    is_active: bool = True


class NameUpdate(Input):
    name: Text200 | None = None
    is_active: bool | None = None


class FacilityRead(Audited):
    id: str
    facility_no: str
    name: str
    is_active: bool


class LocationCreate(Input):
    location_no: Number
    name: Text200
    is_active: bool = True


class LocationRead(Audited):
    id: str
    facility_id: str
    location_no: str
    name: str
    is_active: bool


class ApCodeCreate(Input):
    kind: CodeKind
    code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    description: Text200 = ""
    is_active: bool = True


class ApCodeUpdate(Input):
    description: Text200 | None = None
    is_active: bool | None = None


class ApCodeRead(Audited):
    id: str
    kind: CodeKind
    code: str
    description: str
    is_active: bool


# --- purchase orders -----------------------------------------------------------------------------

class PurchaseOrderCreate(Input):
    po_no: Number
    po_type: PoType
    vendor_id: Id
    facility_id: Id
    location_id: Id
    order_date: date
    cer_id: Id | None = Field(None, description="Required on Capital orders, refused on others.")
    project_id: Id | None = None
    description: Annotated[str, StringConstraints(max_length=500)] = ""


class PurchaseOrderUpdate(Input):
    order_date: date | None = None
    cer_id: Id | None = None
    project_id: Id | None = None
    description: Annotated[str, StringConstraints(max_length=500)] | None = None


class PurchaseOrderRead(Audited):
    id: str
    po_no: str
    po_type: PoType
    vendor_id: str
    facility_id: str
    location_id: str
    order_date: date
    cer_id: str | None
    cer_no: str | None
    project_id: str | None
    project_no: str | None
    description: str


# --- matched invoices ----------------------------------------------------------------------------

class InvoiceLineIn(Input):
    description: Text200 = ""
    gl_code: GLCode
    amount: AmountText


class InvoiceLineRead(Output):
    line_no: int
    description: str
    gl_code: str
    amount: str


class _InvoiceFields(Input):
    vendor_remit_to_id: Id
    credit_card_id: Id | None = None
    reference: Text200 | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None
    invoice_date: date
    invoice_due_date: date | None = None
    tracking_code: Annotated[str, StringConstraints(max_length=64)] | None = None
    invoice_validation_total: AmountText = Field(
        description="The supplier's invoice total: lines + tax + shipping − discount.")
    discount_amount: AmountText = "0"
    tax_amount: AmountText = "0"
    shipping_amount: AmountText = "0"
    tax_expense_amount: AmountText = Field("0", description="Use tax accrued by the buyer.")
    tax_expense_gl_code: GLCode | None = None
    tax_accrual_gl_code: GLCode | None = None
    discount_gl_code: GLCode | None = None
    shipping_gl_code: GLCode | None = None
    offset_gl_code: GLCode | None = Field(None, description="The payable's account, e.g. 2100.")
    tax_code: Annotated[str, StringConstraints(max_length=32)] | None = None
    received_invoice_id: Id | None = None
    lines: list[InvoiceLineIn] = Field(min_length=1, max_length=500)


class MatchedInvoiceCreate(_InvoiceFields):
    purchase_order_id: Id
    invoice_no: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class MatchedInvoiceUpdate(Input):
    invoice_no: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    vendor_remit_to_id: Id | None = None
    credit_card_id: Id | None = None
    reference: Text200 | None = None
    notes: Annotated[str, StringConstraints(max_length=2000)] | None = None
    invoice_date: date | None = None
    invoice_due_date: date | None = None
    tracking_code: Annotated[str, StringConstraints(max_length=64)] | None = None
    invoice_validation_total: AmountText | None = None
    discount_amount: AmountText | None = None
    tax_amount: AmountText | None = None
    shipping_amount: AmountText | None = None
    tax_expense_amount: AmountText | None = None
    tax_expense_gl_code: GLCode | None = None
    tax_accrual_gl_code: GLCode | None = None
    discount_gl_code: GLCode | None = None
    shipping_gl_code: GLCode | None = None
    offset_gl_code: GLCode | None = None
    tax_code: Annotated[str, StringConstraints(max_length=32)] | None = None
    received_invoice_id: Id | None = None
    lines: list[InvoiceLineIn] | None = Field(None, min_length=1, max_length=500)


InvoiceStatus = Literal["Vouchered", "Batched", "Exported"]


class MatchedInvoiceRead(Output):
    id: str
    purchase_order_id: str
    purchase_order_no: str
    sequence_no: int
    po_type: PoType
    facility_id: str
    facility_no: str
    facility_name: str
    location_id: str
    location_no: str
    location_name: str
    vendor_id: str
    vendor_no: str
    vendor_name: str
    invoice_no: str
    status: InvoiceStatus
    status_id: int
    vendor_remit_to_id: str
    remit_to_no: str
    remit_to_description: str
    remit_to_vendor_no: str
    credit_card_id: str | None
    credit_card_code: str | None
    credit_card_description: str | None
    reference: str | None
    notes: str | None
    invoice_date: date
    invoice_due_date: date | None
    tracking_code: str | None
    invoice_validation_total: str
    cer_id: str | None
    cer_no: str | None
    cer_description: str | None
    discount_amount: str
    tax_amount: str
    shipping_amount: str
    tax_expense_amount: str
    tax_expense_gl_code: str | None
    tax_accrual_gl_code: str | None
    discount_gl_code: str | None
    shipping_gl_code: str | None
    offset: str = Field(description="The amount credited to the payable account.")
    offset_gl_code: str | None
    ap_batch_id: str | None
    ap_batch_no: str | None
    tax_code: str | None
    received_invoice_id: str | None
    project_id: str | None
    project_no: str | None
    project_description: str | None
    lines: list[InvoiceLineRead]
    created_at: datetime
    created_by_id: str | None
    created_by_name: str
    updated_at: datetime
    updated_by_id: str | None
    updated_by_name: str
    submitted_at: datetime | None
    submitted_by_id: str | None
    submitted_by_name: str | None
    version: int


# --- AP batches ----------------------------------------------------------------------------------

BatchNo = Annotated[str, StringConstraints(min_length=1, max_length=50)]
BatchStatus = Literal["Pending", "Queued", "Exported"]


class ApBatchCreate(Input):
    batch_no: BatchNo | None = Field(None, description="Numbered AP000001, … when absent.")
    reference: Text200 | None = None


class ApBatchUpdate(Input):
    batch_no: BatchNo | None = None
    reference: Text200 | None = None


class ApBatchInvoices(Input):
    invoice_ids: list[Id] = Field(min_length=1, max_length=1000)


class ApBatchRead(Output):
    id: str
    batch_no: str
    reference: str | None
    status: BatchStatus
    status_id: int
    batch_total: str = Field(description="Derived: the sum of its invoices' totals.")
    invoice_count: int = Field(description="Derived: the number of its invoices.")
    is_scheduled_exporting: bool
    last_exported_at: datetime | None
    created_at: datetime
    created_by_id: str | None
    created_by_name: str
    updated_at: datetime
    updated_by_id: str | None
    updated_by_name: str
    version: int
