"""Purchase orders: what was ordered from which vendor, for which facility and location.

Rules:
- ``po_no`` is unique per tenant; ``po_type`` is ``Standard``, ``Return`` or ``Capital``.
- The vendor, facility and location must exist and be active; the location must belong to the
  facility. They never change once the order exists (its invoices were matched against them).
- A ``Capital`` order needs an active CER (capital expenditure request) code; other orders carry
  none. A project code, when given, must be an active ``project`` code.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from finbatch.events.service import record_change
from finbatch.kit import validate
from finbatch.kit.clock import utcnow
from finbatch.kit.errors import Conflict, ErrorList
from finbatch.kit.ids import uuid7
from finbatch.payables.models import PO_TYPES, ApCode, PurchaseOrder
from finbatch.payables.reference import CheckVersion, check_number
from finbatch.payables.repository import (
    ApCodeRepository,
    FacilityRepository,
    LocationRepository,
    PurchaseOrderRepository,
    VendorRepository,
)
from finbatch.payables.stamps import Actor, stamp_change, stamp_new

KIND = "purchase_order"


def read_purchase_orders(session: Session, orders: list[PurchaseOrder]) -> list[dict[str, Any]]:
    """The native shape of purchase orders, their codes read in one query."""
    if not orders:
        return []
    codes = ApCodeRepository(session, orders[0].tenant_id).by_ids(
        [o.cer_id for o in orders] + [o.project_id for o in orders])
    return [_read(order, codes) for order in orders]


def read_purchase_order(session: Session, order: PurchaseOrder) -> dict[str, Any]:
    return read_purchase_orders(session, [order])[0]


def _read(order: PurchaseOrder, codes: dict[str, ApCode]) -> dict[str, Any]:
    cer, project = codes.get(order.cer_id or ""), codes.get(order.project_id or "")
    return {
        "id": order.id, "po_no": order.po_no, "po_type": order.po_type,
        "vendor_id": order.vendor_id, "facility_id": order.facility_id,
        "location_id": order.location_id, "order_date": order.order_date,
        "cer_id": order.cer_id, "cer_no": cer.code if cer else None,
        "project_id": order.project_id, "project_no": project.code if project else None,
        "description": order.description, "created_at": order.created_at,
        "created_by": order.created_by_name, "updated_at": order.updated_at,
        "updated_by": order.updated_by_name, "version": order.version,
    }


def _active(errors: ErrorList, field: str, record: Any, noun: str, value: str) -> Any:
    if record is None:
        errors.add(field, f"no {noun} has id '{value}'", "unknown_reference")
    elif not record.is_active:
        errors.add(field, f"{noun} '{value}' is inactive", "inactive")
    return record


def _code(errors: ErrorList, codes: ApCodeRepository, field: str, kind: str,
          code_id: str | None) -> ApCode | None:
    if code_id is None:
        return None
    code = codes.get(code_id)
    if code is not None and code.kind != kind:
        code = None  # a project code named as a CER is as unknown as a missing one
    _active(errors, field, code, f"{kind} code", code_id)
    return code


def _check_codes(errors: ErrorList, codes: ApCodeRepository, po_type: str,
                 cer_id: str | None, project_id: str | None) -> tuple[str | None, str | None]:
    """The CER and project codes' ids (as stored) after checking them."""
    cer = None
    if po_type == "Capital" and cer_id is None:
        errors.add("cer_id", "a Capital purchase order needs a CER number", "required")
    if po_type != "Capital" and cer_id is not None:
        errors.add("cer_id", "only Capital purchase orders carry a CER number", "not_allowed")
    else:
        cer = _code(errors, codes, "cer_id", "cer", cer_id)
    project = _code(errors, codes, "project_id", "project", project_id)
    return (cer.id if cer else None), (project.id if project else None)


def create_purchase_order(session: Session, *, tenant_id: int, po_no: str, po_type: str,
                          vendor_id: str, facility_id: str, location_id: str, order_date: date,
                          cer_id: str | None = None, project_id: str | None = None,
                          description: str = "", actor: Actor) -> PurchaseOrder:
    """Raises ``ValidationFailed`` naming every bad field (unknown or inactive references
    included) and ``Conflict`` when ``po_no`` is taken."""
    errors = ErrorList()
    check_number(errors, "po_no", po_no)
    if po_type not in PO_TYPES:
        errors.add("po_type", f"must be one of {', '.join(PO_TYPES)}", "unknown_type")
    validate.text(errors, "description", description, max_length=500)
    vendor = _active(errors, "vendor_id", VendorRepository(session, tenant_id).get(vendor_id),
                     "vendor", vendor_id)
    facility = _active(errors, "facility_id",
                       FacilityRepository(session, tenant_id).get(facility_id), "facility",
                       facility_id)
    location = _active(errors, "location_id", LocationRepository(session, tenant_id).get(location_id),
                       "location", location_id)
    if location is not None and facility is not None and location.facility_id != facility.id:
        errors.add("location_id", "the location belongs to another facility", "wrong_facility")
    cer_id, project_id = _check_codes(errors, ApCodeRepository(session, tenant_id), po_type,
                                      cer_id, project_id)
    errors.raise_if_any()
    orders = PurchaseOrderRepository(session, tenant_id)
    if orders.by_no(po_no) is not None:
        raise Conflict(f"purchase order '{po_no}' already exists", code="ALREADY_EXISTS")
    order = PurchaseOrder(tenant_id=tenant_id, id=uuid7(), po_no=po_no, po_type=po_type,
                          vendor_id=vendor.id, facility_id=facility.id, location_id=location.id,
                          order_date=order_date, cer_id=cer_id, project_id=project_id,
                          description=description)
    stamp_new(order, actor, utcnow())
    orders.add(order)
    record_change(session, tenant_id=tenant_id, type="created", record_kind=KIND,
                  record_id=order.id, actor=actor.label, data=read_purchase_order(session, order))
    return order


def update_purchase_order(session: Session, *, tenant_id: int, order_id: str, changes: dict,
                          check_version: CheckVersion, actor: Actor) -> PurchaseOrder:
    """Change the description, order date, CER or project (never the type, vendor, facility or
    location)."""
    order = PurchaseOrderRepository(session, tenant_id).require(order_id, for_update=True)
    check_version(order.version)
    errors = ErrorList()
    validate.text(errors, "description", changes.get("description"), max_length=500)
    cer_id = changes["cer_id"] if "cer_id" in changes else order.cer_id
    project_id = changes["project_id"] if "project_id" in changes else order.project_id
    cer_id, project_id = _check_codes(errors, ApCodeRepository(session, tenant_id),
                                      order.po_type, cer_id, project_id)
    errors.raise_if_any()
    order.cer_id, order.project_id = cer_id, project_id
    for name in ("description", "order_date"):
        if changes.get(name) is not None:
            setattr(order, name, changes[name])
    stamp_change(order, actor, utcnow())
    session.flush()
    record_change(session, tenant_id=tenant_id, type="updated", record_kind=KIND,
                  record_id=order.id, actor=actor.label, data=read_purchase_order(session, order))
    return order
