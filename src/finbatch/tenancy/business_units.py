"""Business units: the entities batches belong to, each with a currency and a download format."""

from __future__ import annotations

from sqlalchemy.orm import Session

from finbatch.events.service import record_change
from finbatch.exports.catalog import FORMATS
from finbatch.kit import validate
from finbatch.kit.clock import utcnow
from finbatch.kit.errors import Conflict, ErrorList
from finbatch.tenancy.models import BusinessUnit
from finbatch.tenancy.repository import BusinessUnitRepository
from finbatch.tenancy.schemas import BusinessUnitRead

KIND = "business_unit"


def _check_format(errors: ErrorList, value: str | None) -> None:
    if value is not None and value not in FORMATS:
        errors.add("export_format", f"must be one of {', '.join(FORMATS)}", "unknown_format")


def create_business_unit(session: Session, *, tenant_id: int, id: str, name: str, currency: str,
                         export_format: str = "iif", actor: str) -> BusinessUnit:
    errors = ErrorList()
    validate.code(errors, "id", id)
    validate.text(errors, "name", name, max_length=200, required=True)
    validate.currency(errors, "currency", currency)
    _check_format(errors, export_format)
    errors.raise_if_any()
    units = BusinessUnitRepository(session, tenant_id)
    if units.get(id) is not None:
        raise Conflict(f"business unit '{id}' already exists", code="ALREADY_EXISTS")
    now = utcnow()
    unit = units.add(BusinessUnit(tenant_id=tenant_id, id=id, name=name, currency=currency,
                                  export_format=export_format, is_active=True, created_at=now,
                                  updated_at=now, version=1))
    record_change(session, tenant_id=tenant_id, type="created", record_kind=KIND, record_id=id,
                  actor=actor, data=read(unit))
    return unit


def update_business_unit(session: Session, *, tenant_id: int, id: str, changes: dict,
                         check_version, actor: str) -> BusinessUnit:
    """Apply ``changes`` (name, export_format, is_active); ``check_version(v)`` raises when the
    caller's If-Match is stale. The currency is fixed: batches already carry it."""
    errors = ErrorList()
    validate.text(errors, "name", changes.get("name"), max_length=200)
    _check_format(errors, changes.get("export_format"))
    errors.raise_if_any()
    unit = BusinessUnitRepository(session, tenant_id).require(id, for_update=True)
    check_version(unit.version)
    for field in ("name", "export_format", "is_active"):
        if changes.get(field) is not None:
            setattr(unit, field, changes[field])
    unit.version += 1
    unit.updated_at = utcnow()
    session.flush()
    record_change(session, tenant_id=tenant_id, type="updated", record_kind=KIND, record_id=id,
                  actor=actor, data=read(unit))
    return unit


def read(unit: BusinessUnit) -> dict:
    return BusinessUnitRead.model_validate(unit).model_dump(mode="json")
