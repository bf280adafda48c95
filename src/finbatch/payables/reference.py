"""AP master data: vendors and their remit-to addresses, facilities and their locations, and the
reference codes (CER numbers, purchasing cards, projects) that purchase orders and invoices name.

Rules:
- Numbers (``vendor_no``, ``remit_to_no``, ``facility_no``, ``location_no``, codes) are unique in
  their scope and never change: exports and the procure-to-pay system reference them.
- A remit-to belongs to one vendor, a location to one facility.
- Records are never deleted; ``is_active = false`` retires them (new documents refuse them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from finbatch.events.service import record_change
from finbatch.kit import validate
from finbatch.kit.clock import utcnow
from finbatch.kit.errors import Conflict, ErrorList, NotFound
from finbatch.kit.ids import uuid7
from finbatch.payables.models import CODE_KINDS, ApCode, Facility, Location, Vendor, VendorRemitTo
from finbatch.payables.repository import (
    ApCodeRepository,
    FacilityRepository,
    LocationRepository,
    RemitToRepository,
    VendorRepository,
)
from finbatch.payables.stamps import Actor, stamp_change, stamp_new

CheckVersion = Callable[[int], None]
COUNTRY = re.compile(r"^[A-Z]{2}$")


def check_number(errors: ErrorList, field: str, value: str | None, max_length: int = 32) -> None:
    if value is None or value == "":
        errors.add(field, "is required", "required")
        return
    validate.code(errors, field, value)
    if len(value) > max_length:
        errors.add(field, f"must be at most {max_length} characters", "too_long")


def _audit(record: Any) -> dict[str, Any]:
    return {"created_at": record.created_at, "created_by": record.created_by_name,
            "updated_at": record.updated_at, "updated_by": record.updated_by_name,
            "version": record.version}


def _apply(record: Any, changes: dict[str, Any], fields: tuple[str, ...]) -> None:
    for name in fields:
        if name in changes and changes[name] is not None:
            setattr(record, name, changes[name])


def _changed(session: Session, record: Any, kind: str, data: dict, actor: Actor,
             event: str = "updated") -> None:
    session.flush()
    record_change(session, tenant_id=record.tenant_id, type=event, record_kind=kind,
                  record_id=record.id, actor=actor.label, data=data)


# --- vendors -------------------------------------------------------------------------------------

def read_vendor(vendor: Vendor) -> dict[str, Any]:
    return {"id": vendor.id, "vendor_no": vendor.vendor_no, "name": vendor.name,
            "is_active": vendor.is_active, **_audit(vendor)}


def create_vendor(session: Session, *, tenant_id: int, vendor_no: str, name: str,
                  is_active: bool = True, actor: Actor) -> Vendor:
    """Raises ``ValidationFailed`` for a malformed number or name, ``Conflict`` for a number
    already used."""
    errors = ErrorList()
    check_number(errors, "vendor_no", vendor_no)
    validate.text(errors, "name", name, max_length=200, required=True)
    errors.raise_if_any()
    vendors = VendorRepository(session, tenant_id)
    if vendors.by_no(vendor_no) is not None:
        raise Conflict(f"vendor number '{vendor_no}' already exists", code="ALREADY_EXISTS")
    vendor = Vendor(tenant_id=tenant_id, id=uuid7(), vendor_no=vendor_no, name=name,
                    is_active=is_active)
    stamp_new(vendor, actor, utcnow())
    vendors.add(vendor)
    _changed(session, vendor, "vendor", read_vendor(vendor), actor, "created")
    return vendor


def update_vendor(session: Session, *, tenant_id: int, vendor_id: str, changes: dict,
                  check_version: CheckVersion, actor: Actor) -> Vendor:
    """Change the name or the active flag (the number is fixed)."""
    errors = ErrorList()
    validate.text(errors, "name", changes.get("name"), max_length=200)
    errors.raise_if_any()
    vendor = VendorRepository(session, tenant_id).require(vendor_id, for_update=True)
    check_version(vendor.version)
    _apply(vendor, changes, ("name", "is_active"))
    stamp_change(vendor, actor, utcnow())
    _changed(session, vendor, "vendor", read_vendor(vendor), actor)
    return vendor


# --- remit-to addresses --------------------------------------------------------------------------

_ADDRESS = ("description", "remit_vendor_no", "address_line1", "address_line2", "city", "region",
            "postal_code", "country")


def read_remit_to(remit: VendorRemitTo) -> dict[str, Any]:
    return {"id": remit.id, "vendor_id": remit.vendor_id, "remit_to_no": remit.remit_to_no,
            **{name: getattr(remit, name) for name in _ADDRESS},
            "is_active": remit.is_active, **_audit(remit)}


def _check_address(errors: ErrorList, values: dict[str, Any], *, creating: bool) -> None:
    validate.text(errors, "description", values.get("description"), max_length=200)
    if values.get("remit_vendor_no"):
        check_number(errors, "remit_vendor_no", values["remit_vendor_no"])
    for name, length in (("address_line1", 200), ("city", 100)):
        validate.text(errors, name, values.get(name), max_length=length,
                      required=creating or name in values)
    for name, length in (("address_line2", 200), ("region", 100), ("postal_code", 20)):
        validate.text(errors, name, values.get(name), max_length=length)
    country = values.get("country")
    if (creating or country is not None) and not COUNTRY.match(country or ""):
        errors.add("country", "must be an ISO 3166-1 alpha-2 code such as 'US'", "invalid_country")


def create_remit_to(session: Session, *, tenant_id: int, vendor_id: str, remit_to_no: str,
                    address_line1: str, city: str, country: str, description: str = "",
                    remit_vendor_no: str | None = None, address_line2: str = "",
                    region: str = "", postal_code: str = "", is_active: bool = True,
                    actor: Actor) -> VendorRemitTo:
    """Add a remit-to address to a vendor. Raises ``NotFound`` for an unknown vendor,
    ``ValidationFailed`` for bad fields, ``Conflict`` when the vendor already has the number."""
    values = {"description": description, "remit_vendor_no": remit_vendor_no,
              "address_line1": address_line1, "address_line2": address_line2, "city": city,
              "region": region, "postal_code": postal_code, "country": country}
    errors = ErrorList()
    check_number(errors, "remit_to_no", remit_to_no)
    _check_address(errors, values, creating=True)
    errors.raise_if_any()
    vendor = VendorRepository(session, tenant_id).require(vendor_id)
    remits = RemitToRepository(session, tenant_id)
    if remits.by_no(vendor.id, remit_to_no) is not None:
        raise Conflict(f"the vendor already has remit-to '{remit_to_no}'", code="ALREADY_EXISTS")
    remit = VendorRemitTo(tenant_id=tenant_id, id=uuid7(), vendor_id=vendor.id,
                          remit_to_no=remit_to_no, is_active=is_active, **values)
    stamp_new(remit, actor, utcnow())
    remits.add(remit)
    _changed(session, remit, "vendor_remit_to", read_remit_to(remit), actor, "created")
    return remit


def update_remit_to(session: Session, *, tenant_id: int, vendor_id: str, remit_to_id: str,
                    changes: dict, check_version: CheckVersion, actor: Actor) -> VendorRemitTo:
    """Change the address, description, remit vendor number or active flag."""
    errors = ErrorList()
    _check_address(errors, changes, creating=False)
    errors.raise_if_any()
    remit = RemitToRepository(session, tenant_id).require(remit_to_id, for_update=True)
    if remit.vendor_id != vendor_id.lower():  # another vendor's address is as absent as none
        raise NotFound(f"remit-to address '{remit_to_id}' was not found")
    check_version(remit.version)
    _apply(remit, changes, (*_ADDRESS, "is_active"))
    stamp_change(remit, actor, utcnow())
    _changed(session, remit, "vendor_remit_to", read_remit_to(remit), actor)
    return remit


# --- facilities and locations --------------------------------------------------------------------

def read_facility(facility: Facility) -> dict[str, Any]:
    return {"id": facility.id, "facility_no": facility.facility_no, "name": facility.name,
            "is_active": facility.is_active, **_audit(facility)}


def create_facility(session: Session, *, tenant_id: int, facility_no: str, name: str,
                    is_active: bool = True, actor: Actor) -> Facility:
    errors = ErrorList()
    check_number(errors, "facility_no", facility_no)
    validate.text(errors, "name", name, max_length=200, required=True)
    errors.raise_if_any()
    facilities = FacilityRepository(session, tenant_id)
    if facilities.by_no(facility_no) is not None:
        raise Conflict(f"facility number '{facility_no}' already exists", code="ALREADY_EXISTS")
    facility = Facility(tenant_id=tenant_id, id=uuid7(), facility_no=facility_no, name=name,
                        is_active=is_active)
    stamp_new(facility, actor, utcnow())
    facilities.add(facility)
    _changed(session, facility, "facility", read_facility(facility), actor, "created")
    return facility


def update_facility(session: Session, *, tenant_id: int, facility_id: str, changes: dict,
                    check_version: CheckVersion, actor: Actor) -> Facility:
    errors = ErrorList()
    validate.text(errors, "name", changes.get("name"), max_length=200)
    errors.raise_if_any()
    facility = FacilityRepository(session, tenant_id).require(facility_id, for_update=True)
    check_version(facility.version)
    _apply(facility, changes, ("name", "is_active"))
    stamp_change(facility, actor, utcnow())
    _changed(session, facility, "facility", read_facility(facility), actor)
    return facility


def read_location(location: Location) -> dict[str, Any]:
    return {"id": location.id, "facility_id": location.facility_id,
            "location_no": location.location_no, "name": location.name,
            "is_active": location.is_active, **_audit(location)}


def create_location(session: Session, *, tenant_id: int, facility_id: str, location_no: str,
                    name: str, is_active: bool = True, actor: Actor) -> Location:
    errors = ErrorList()
    check_number(errors, "location_no", location_no)
    validate.text(errors, "name", name, max_length=200, required=True)
    errors.raise_if_any()
    facility = FacilityRepository(session, tenant_id).require(facility_id)
    locations = LocationRepository(session, tenant_id)
    if locations.by_no(facility.id, location_no) is not None:
        raise Conflict(f"the facility already has location '{location_no}'",
                       code="ALREADY_EXISTS")
    location = Location(tenant_id=tenant_id, id=uuid7(), facility_id=facility.id,
                        location_no=location_no, name=name, is_active=is_active)
    stamp_new(location, actor, utcnow())
    locations.add(location)
    _changed(session, location, "location", read_location(location), actor, "created")
    return location


def update_location(session: Session, *, tenant_id: int, facility_id: str, location_id: str,
                    changes: dict, check_version: CheckVersion, actor: Actor) -> Location:
    errors = ErrorList()
    validate.text(errors, "name", changes.get("name"), max_length=200)
    errors.raise_if_any()
    locations = LocationRepository(session, tenant_id)
    location = locations.require(location_id, for_update=True)
    if location.facility_id != facility_id.lower():
        raise NotFound(f"location '{location_id}' was not found")
    check_version(location.version)
    _apply(location, changes, ("name", "is_active"))
    stamp_change(location, actor, utcnow())
    _changed(session, location, "location", read_location(location), actor)
    return location


# --- reference codes -----------------------------------------------------------------------------

def read_code(code: ApCode) -> dict[str, Any]:
    return {"id": code.id, "kind": code.kind, "code": code.code,
            "description": code.description, "is_active": code.is_active, **_audit(code)}


def create_code(session: Session, *, tenant_id: int, kind: str, code: str,
                description: str = "", is_active: bool = True, actor: Actor) -> ApCode:
    errors = ErrorList()
    if kind not in CODE_KINDS:
        errors.add("kind", f"must be one of {', '.join(CODE_KINDS)}", "unknown_kind")
    check_number(errors, "code", code, max_length=64)
    validate.text(errors, "description", description, max_length=200)
    errors.raise_if_any()
    codes = ApCodeRepository(session, tenant_id)
    if codes.by_code(kind, code) is not None:
        raise Conflict(f"{kind} code '{code}' already exists", code="ALREADY_EXISTS")
    record = ApCode(tenant_id=tenant_id, id=uuid7(), kind=kind, code=code,
                    description=description, is_active=is_active)
    stamp_new(record, actor, utcnow())
    codes.add(record)
    _changed(session, record, "ap_code", read_code(record), actor, "created")
    return record


def update_code(session: Session, *, tenant_id: int, code_id: str, changes: dict,
                check_version: CheckVersion, actor: Actor) -> ApCode:
    errors = ErrorList()
    validate.text(errors, "description", changes.get("description"), max_length=200)
    errors.raise_if_any()
    record = ApCodeRepository(session, tenant_id).require(code_id, for_update=True)
    check_version(record.version)
    _apply(record, changes, ("description", "is_active"))
    stamp_change(record, actor, utcnow())
    _changed(session, record, "ap_code", read_code(record), actor)
    return record
