"""Tables of accounts payable: vendors and their remit-to addresses, facilities and locations,
purchase orders, matched supplier invoices with their distribution lines, and AP batches.

Every table is tenant-owned: ``tenant_id`` leads each key, index and foreign key. Amounts are
integer minor units of the tenant's base currency (Envi carries no currency; AP is single-currency
per tenant). ``*_by_id`` is the acting user's id, or the API token's id when no user stands behind
it; ``*_by_name`` is the name shown to people at the time (Envi's ``createdByUserName``).
An AP batch's total and invoice count are never stored: they are read from its invoices.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from finbatch.orm import Base, Minor, UTCDateTime, UUIDStr

PO_TYPES = ("Standard", "Return", "Capital")
#: Matched invoice statuses and their Envi ``matchedInvoiceStatusId``.
INVOICE_STATUSES = {"Vouchered": 1, "Batched": 2, "Exported": 3}
#: AP batch statuses and their Envi ``batchStatusId``.
BATCH_STATUSES = {"Pending": 1, "Queued": 2, "Exported": 3}
#: Kinds of AP reference codes: capital expenditure requests, purchasing cards, projects.
CODE_KINDS = ("cer", "credit_card", "project")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class _Audited:
    """Who created and last changed a record, and when; ``version`` is its ETag."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[str | None] = mapped_column(UUIDStr, nullable=True)
    created_by_name: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[str | None] = mapped_column(UUIDStr, nullable=True)
    updated_by_name: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)


class Vendor(_Audited, Base):
    __tablename__ = "vendors"
    __table_args__ = (UniqueConstraint("tenant_id", "vendor_no"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    #: Envi ``vendorNo``: the supplier's code.
    vendor_no: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class VendorRemitTo(_Audited, Base):
    """Where a vendor is paid. ``remit_vendor_no`` is the vendor number payments go under when
    it differs from the vendor's own (a factor or a parent company)."""

    __tablename__ = "vendor_remit_tos"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "vendor_id"], ["vendors.tenant_id", "vendors.id"]),
        UniqueConstraint("tenant_id", "vendor_id", "remit_to_no"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    vendor_id: Mapped[str] = mapped_column(UUIDStr)
    remit_to_no: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(200), default="")
    remit_vendor_no: Mapped[str | None] = mapped_column(String(32), nullable=True)
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    #: ISO 3166-1 alpha-2.
    country: Mapped[str] = mapped_column(String(2))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Facility(_Audited, Base):
    __tablename__ = "facilities"
    __table_args__ = (UniqueConstraint("tenant_id", "facility_no"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    facility_no: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Location(_Audited, Base):
    """A department or storeroom of a facility that goods are delivered to."""

    __tablename__ = "locations"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "facility_id"],
                             ["facilities.tenant_id", "facilities.id"]),
        UniqueConstraint("tenant_id", "facility_id", "location_no"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    facility_id: Mapped[str] = mapped_column(UUIDStr)
    location_no: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class ApCode(_Audited, Base):
    """A reference code: a capital expenditure request (CER) number, a purchasing card (only
    its label: finbatch never stores card numbers) or a project number."""

    __tablename__ = "ap_codes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "code"),
        CheckConstraint(_in("kind", CODE_KINDS), name="kind_values"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class PurchaseOrder(_Audited, Base):
    """A purchase order: what was ordered from which vendor for which facility and location.
    A ``Capital`` order carries an approved CER; a ``Return`` order's invoices are credits."""

    __tablename__ = "purchase_orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "po_no"),
        ForeignKeyConstraint(["tenant_id", "vendor_id"], ["vendors.tenant_id", "vendors.id"]),
        ForeignKeyConstraint(["tenant_id", "facility_id"],
                             ["facilities.tenant_id", "facilities.id"]),
        ForeignKeyConstraint(["tenant_id", "location_id"], ["locations.tenant_id", "locations.id"]),
        ForeignKeyConstraint(["tenant_id", "cer_id"], ["ap_codes.tenant_id", "ap_codes.id"]),
        ForeignKeyConstraint(["tenant_id", "project_id"], ["ap_codes.tenant_id", "ap_codes.id"]),
        Index(None, "tenant_id", "vendor_id"),
        CheckConstraint(_in("po_type", PO_TYPES), name="po_type_values"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    po_no: Mapped[str] = mapped_column(String(32))
    po_type: Mapped[str] = mapped_column(String(16))
    vendor_id: Mapped[str] = mapped_column(UUIDStr)
    facility_id: Mapped[str] = mapped_column(UUIDStr)
    location_id: Mapped[str] = mapped_column(UUIDStr)
    order_date: Mapped[date] = mapped_column(Date)
    cer_id: Mapped[str | None] = mapped_column(UUIDStr, nullable=True)
    project_id: Mapped[str | None] = mapped_column(UUIDStr, nullable=True)
    description: Mapped[str] = mapped_column(String(500), default="")


class ApBatch(_Audited, Base):
    """An AP batch (Envi's ``AP Batch``). Its lifecycle is ``finbatch.payables.batches``'s."""

    __tablename__ = "ap_batches"
    __table_args__ = (
        UniqueConstraint("tenant_id", "batch_no"),
        Index(None, "tenant_id", "status"),
        CheckConstraint(_in("status", BATCH_STATUSES), name="status_values"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    batch_no: Mapped[str] = mapped_column(String(50))
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    #: True while the batch waits in ``Queued`` for a scheduled export.
    is_scheduled_exporting: Mapped[bool] = mapped_column(Boolean, default=False)
    last_exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Set when its journal is written (``finbatch.ledger.ap_posting``); a posted batch takes no
    #: more invoices.
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    posting_job_id: Mapped[str | None] = mapped_column(UUIDStr, nullable=True)


class MatchedInvoice(_Audited, Base):
    """A supplier invoice matched to its purchase order and vouchered for payment.

    Amounts (all signed alike: positive, or negative for a ``Return`` order's credit):
    ``validation_total`` = sum(lines) + tax + shipping − discount. ``tax_expense_amount`` is use
    tax the buyer accrues itself (debit ``tax_expense_gl_code``, credit ``tax_accrual_gl_code``);
    it is not owed to the vendor.
    """

    __tablename__ = "matched_invoices"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "purchase_order_id"],
                             ["purchase_orders.tenant_id", "purchase_orders.id"]),
        ForeignKeyConstraint(["tenant_id", "vendor_id"], ["vendors.tenant_id", "vendors.id"]),
        ForeignKeyConstraint(["tenant_id", "vendor_remit_to_id"],
                             ["vendor_remit_tos.tenant_id", "vendor_remit_tos.id"]),
        ForeignKeyConstraint(["tenant_id", "credit_card_id"], ["ap_codes.tenant_id", "ap_codes.id"]),
        ForeignKeyConstraint(["tenant_id", "ap_batch_id"], ["ap_batches.tenant_id", "ap_batches.id"]),
        # a vendor's invoice number is entered once: the classic double payment starts here
        UniqueConstraint("tenant_id", "vendor_id", "invoice_no"),
        UniqueConstraint("tenant_id", "purchase_order_id", "sequence_no"),
        Index(None, "tenant_id", "ap_batch_id"),
        Index(None, "tenant_id", "status"),
        CheckConstraint(_in("status", INVOICE_STATUSES), name="status_values"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    purchase_order_id: Mapped[str] = mapped_column(UUIDStr)
    #: The invoice's number among the invoices of its purchase order (1, 2, …).
    sequence_no: Mapped[int] = mapped_column(Integer)
    #: The purchase order's vendor, kept here so invoice numbers are unique per vendor.
    vendor_id: Mapped[str] = mapped_column(UUIDStr)
    invoice_no: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    vendor_remit_to_id: Mapped[str] = mapped_column(UUIDStr)
    credit_card_id: Mapped[str | None] = mapped_column(UUIDStr, nullable=True)
    reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    notes: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    invoice_date: Mapped[date] = mapped_column(Date)
    invoice_due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    tracking_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    validation_total: Mapped[int] = mapped_column(Minor)
    discount_amount: Mapped[int] = mapped_column(Minor, default=0)
    tax_amount: Mapped[int] = mapped_column(Minor, default=0)
    shipping_amount: Mapped[int] = mapped_column(Minor, default=0)
    tax_expense_amount: Mapped[int] = mapped_column(Minor, default=0)
    tax_expense_gl_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    tax_accrual_gl_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    discount_gl_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    shipping_gl_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: The payable's account (Envi ``offsetGLCode``); posting rules supply it when absent.
    offset_gl_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    tax_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: The scanned invoice document in the procure-to-pay system.
    received_invoice_id: Mapped[str | None] = mapped_column(UUIDStr, nullable=True)
    ap_batch_id: Mapped[str | None] = mapped_column(UUIDStr, nullable=True)
    #: When and by whom the invoice was submitted into its AP batch.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_by_id: Mapped[str | None] = mapped_column(UUIDStr, nullable=True)
    submitted_by_name: Mapped[str | None] = mapped_column(String(200), nullable=True)


class MatchedInvoiceLine(Base):
    """One distribution line of a matched invoice: the amount charged to one GL account
    (an expense such as 6300, inventory 1200 or capital equipment 1500)."""

    __tablename__ = "matched_invoice_lines"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "invoice_id"],
                             ["matched_invoices.tenant_id", "matched_invoices.id"]),
        CheckConstraint("line_no >= 1", name="line_no_positive"),
    )

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    description: Mapped[str] = mapped_column(String(200), default="")
    gl_code: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(Minor)
