"""Demo step: accounts payable for a small hospital group.

Vendors with remit-to addresses, two facilities with locations, CER/project/purchasing-card
codes, purchase orders of every type (Standard, Return, Capital), matched invoices in every
status (Vouchered, Batched, Exported) charged to the demo chart (expenses 6300/6400, use tax
6500 accrued to 2200, inventory 1200, capital equipment 1500, payable 2100), and AP batches in
every status (Pending, Queued, Exported). Every record is looked up by its number first, so the
step can run again without duplicating anything.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from finbatch.db import Database
from finbatch.payables import batches, invoices, orders, reference
from finbatch.payables.repository import (
    ApBatchRepository,
    ApCodeRepository,
    FacilityRepository,
    LocationRepository,
    MatchedInvoiceRepository,
    PurchaseOrderRepository,
    RemitToRepository,
    VendorRepository,
)
from finbatch.payables.stamps import Actor
from finbatch.tenancy.auth import TenantContext

ACTOR = Actor.system("system:demo")

#: vendor no, name, (remit-to no, description, street, city, region, postal code, remit vendor)
VENDORS = [
    ("MED-100", "Medline Industries", ("01", "Lockbox", "PO Box 92301", "Chicago", "IL", "60675",
                                       None)),
    ("CAR-200", "Cardinal Health", ("01", "Remittance", "PO Box 70539", "Chicago", "IL", "60673",
                                    "CAR-200-R")),
    ("STR-300", "Stryker Instruments", ("01", "Accounts Receivable", "PO Box 93276", "Chicago",
                                        "IL", "60673", None)),
]
#: facility no, name, [(location no, name)]
FACILITIES = [
    ("GH", "Demo General Hospital", [("OR", "Operating Rooms"), ("CS", "Central Supply")]),
    ("NC", "Demo North Clinic", [("MAIN", "Main Clinic")]),
]
#: kind, code, description
CODES = [
    ("cer", "CER-2026-001", "MRI suite upgrade"),
    ("project", "PRJ-ICU", "ICU renovation"),
    ("credit_card", "PCARD-01", "Materials management purchasing card"),
]
#: po no, type, vendor, facility, location, order date, CER, project
PURCHASE_ORDERS = [
    ("PO-26001", "Standard", "MED-100", "GH", "CS", date(2026, 1, 5), None, None),
    ("PO-26002", "Standard", "CAR-200", "NC", "MAIN", date(2026, 1, 12), None, "PRJ-ICU"),
    ("PO-26003", "Capital", "STR-300", "GH", "OR", date(2026, 1, 20), "CER-2026-001", None),
    ("PO-26004", "Return", "MED-100", "GH", "CS", date(2026, 2, 2), None, None),
]
#: invoice no, po no, invoice date, lines [(description, GL, amount)], extra fields
INVOICES = [
    ("M-1001", "PO-26001", date(2026, 1, 14),
     [("Nitrile exam gloves", "6300", "1250.00"), ("Suture kits (stock)", "1200", "480.00")],
     {"tax_amount": "103.80", "shipping_amount": "45.00", "tax_expense_gl_code": "6500",
      "shipping_gl_code": "6300"}),
    ("C-2001", "PO-26002", date(2026, 1, 21),
     [("IV sets", "6300", "860.40"), ("Bed rail repair parts", "6400", "312.55")],
     {"discount_amount": "23.45", "discount_gl_code": "6300", "credit_card": "PCARD-01"}),
    ("S-3001", "PO-26003", date(2026, 2, 3),
     [("Surgical table", "1500", "48500.00")],
     {"tax_expense_amount": "3031.25", "tax_expense_gl_code": "6500",
      "tax_accrual_gl_code": "2200", "tax_code": "USE-IL"}),
    ("M-1002", "PO-26001", date(2026, 2, 10),
     [("Isolation gowns", "6300", "725.00")], {}),
    ("M-CR-1", "PO-26004", date(2026, 2, 12),
     [("Returned gowns (damaged)", "6300", "-145.00")], {}),
    ("C-2002", "PO-26002", date(2026, 2, 18),
     [("Infusion pump service", "6400", "1480.00")], {"shipping_amount": "0.00"}),
    ("M-1003", "PO-26001", date(2026, 3, 2),
     [("Sterile drapes", "6300", "389.90"), ("Wound dressings (stock)", "1200", "210.10")], {}),
]
#: batch no, reference, target status, invoice numbers
BATCHES = [
    ("AP-2026-01", "January payables", "Exported", ["M-1001", "C-2001"]),
    ("AP-2026-02", "Capital equipment", "Queued", ["S-3001"]),
    ("AP-2026-03", "February payables", "Pending", ["M-1002", "M-CR-1"]),
]


def _master_data(session: Session, tenant_id: int) -> None:
    vendors = VendorRepository(session, tenant_id)
    remits = RemitToRepository(session, tenant_id)
    for vendor_no, name, (remit_no, text, street, city, region, postal, remit_vendor) in VENDORS:
        vendor = vendors.by_no(vendor_no) or reference.create_vendor(
            session, tenant_id=tenant_id, vendor_no=vendor_no, name=name, actor=ACTOR)
        if remits.by_no(vendor.id, remit_no) is None:
            reference.create_remit_to(session, tenant_id=tenant_id, vendor_id=vendor.id,
                                      remit_to_no=remit_no, description=text,
                                      address_line1=street, city=city, region=region,
                                      postal_code=postal, country="US",
                                      remit_vendor_no=remit_vendor, actor=ACTOR)
    facilities = FacilityRepository(session, tenant_id)
    locations = LocationRepository(session, tenant_id)
    for facility_no, name, places in FACILITIES:
        facility = facilities.by_no(facility_no) or reference.create_facility(
            session, tenant_id=tenant_id, facility_no=facility_no, name=name, actor=ACTOR)
        for location_no, location_name in places:
            if locations.by_no(facility.id, location_no) is None:
                reference.create_location(session, tenant_id=tenant_id, facility_id=facility.id,
                                          location_no=location_no, name=location_name,
                                          actor=ACTOR)
    codes = ApCodeRepository(session, tenant_id)
    for kind, code, description in CODES:
        if codes.by_code(kind, code) is None:
            reference.create_code(session, tenant_id=tenant_id, kind=kind, code=code,
                                  description=description, actor=ACTOR)


def _purchase_orders(session: Session, tenant_id: int) -> None:
    vendors = VendorRepository(session, tenant_id)
    facilities = FacilityRepository(session, tenant_id)
    locations = LocationRepository(session, tenant_id)
    codes = ApCodeRepository(session, tenant_id)
    purchase_orders = PurchaseOrderRepository(session, tenant_id)
    for po_no, po_type, vendor_no, facility_no, location_no, day, cer, project in PURCHASE_ORDERS:
        if purchase_orders.by_no(po_no) is not None:
            continue
        facility = facilities.by_no(facility_no)
        orders.create_purchase_order(
            session, tenant_id=tenant_id, po_no=po_no, po_type=po_type,
            vendor_id=vendors.by_no(vendor_no).id, facility_id=facility.id,
            location_id=locations.by_no(facility.id, location_no).id, order_date=day,
            cer_id=codes.by_code("cer", cer).id if cer else None,
            project_id=codes.by_code("project", project).id if project else None,
            description=f"Demo {po_type.lower()} order", actor=ACTOR)


def _invoices(session: Session, tenant_id: int) -> None:
    purchase_orders = PurchaseOrderRepository(session, tenant_id)
    remits = RemitToRepository(session, tenant_id)
    codes = ApCodeRepository(session, tenant_id)
    matched = MatchedInvoiceRepository(session, tenant_id)
    for invoice_no, po_no, day, lines, extra in INVOICES:
        order = purchase_orders.by_no(po_no)
        if matched.by_vendor_invoice_no(order.vendor_id, invoice_no) is not None:
            continue
        fields = dict(extra)
        card = fields.pop("credit_card", None)
        total = _total(lines, fields)
        invoices.create_invoice(
            session, tenant_id=tenant_id, purchase_order_id=order.id, invoice_no=invoice_no,
            vendor_remit_to_id=remits.by_no(order.vendor_id, "01").id,
            credit_card_id=codes.by_code("credit_card", card).id if card else None,
            invoice_date=day, invoice_due_date=date.fromordinal(day.toordinal() + 30),
            invoice_validation_total=total, offset_gl_code="2100",
            reference=f"{po_no} / {invoice_no}",
            lines=[{"description": text, "gl_code": gl, "amount": amount}
                   for text, gl, amount in lines],
            **fields, actor=ACTOR)


def _total(lines: list[tuple[str, str, str]], fields: dict[str, str]) -> str:
    """The invoice's printed total, computed as the supplier would (exactly, in Decimal)."""
    total = sum((Decimal(amount) for _text, _gl, amount in lines), Decimal(0))
    total += Decimal(fields.get("tax_amount", "0")) + Decimal(fields.get("shipping_amount", "0"))
    total -= Decimal(fields.get("discount_amount", "0"))
    return str(total)


def _batches(session: Session, tenant_id: int) -> None:
    batch_repo = ApBatchRepository(session, tenant_id)
    purchase_orders = PurchaseOrderRepository(session, tenant_id)
    matched = MatchedInvoiceRepository(session, tenant_id)
    vendor_of = {invoice_no: purchase_orders.by_no(po_no).vendor_id
                 for invoice_no, po_no, *_rest in INVOICES}
    for batch_no, text, target, invoice_nos in BATCHES:
        batch = batch_repo.by_no(batch_no) or batches.create_batch(
            session, tenant_id=tenant_id, batch_no=batch_no, reference=text, actor=ACTOR)
        waiting = [invoice.id for invoice in (matched.by_vendor_invoice_no(vendor_of[no], no)
                                              for no in invoice_nos)
                   if invoice.status == "Vouchered"]
        if waiting and batch.status in batches.OPEN_STATUSES:
            batches.add_invoices(session, tenant_id=tenant_id, batch_id=batch.id,
                                 invoice_ids=waiting, actor=ACTOR)
        if target == "Queued" and batch.status == "Pending":
            batches.submit_to_queued(session, tenant_id=tenant_id, batch_id=batch.id, actor=ACTOR)
        if target == "Exported" and batch.status != "Exported":
            batches.export_batch(session, tenant_id=tenant_id, batch_id=batch.id, actor=ACTOR)


def load_payables(db: Database, tenant: TenantContext) -> None:
    with db.unit_of_work() as session:
        _load(session, tenant)


def _load(session: Session, tenant: TenantContext) -> None:
    _master_data(session, tenant.id)
    _purchase_orders(session, tenant.id)
    _invoices(session, tenant.id)
    _batches(session, tenant.id)
