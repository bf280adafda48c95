"""Customers and tax codes.

Customer codes (account numbers) are unique per tenant and default to a per-tenant number;
``external_ref`` upserts like transactions. Tax codes carry a rate applied per invoice and code.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from finbatch import counters
from finbatch.events.service import record_change
from finbatch.kit import validate
from finbatch.kit.clock import utcnow
from finbatch.kit.errors import Conflict, ErrorList
from finbatch.kit.ids import uuid7
from finbatch.kit.money import canonical_decimal
from finbatch.receivables.models import Customer, TaxCode
from finbatch.receivables.repository import CustomerRepository, TaxCodeRepository


def customer_data(customer: Customer) -> dict[str, Any]:
    return {"id": customer.id, "code": customer.code, "name": customer.name,
            "email": customer.email, "external_ref": customer.external_ref,
            "created_at": customer.created_at, "modified_at": customer.modified_at,
            "version": customer.version}


def _check_customer(errors: ErrorList, fields: dict[str, Any], *, creating: bool) -> None:
    if creating or "name" in fields:
        validate.text(errors, "name", fields.get("name"), max_length=200, required=True)
    if fields.get("code") is not None:
        validate.code(errors, "code", fields["code"])
    email = fields.get("email")
    validate.text(errors, "email", email, max_length=254)
    if email and ("@" not in email or any(ch.isspace() for ch in email)):
        errors.add("email", "is not an e-mail address", "invalid_email")
    validate.text(errors, "external_ref", fields.get("external_ref"), max_length=200)


def create_customer(session: Session, *, tenant_id: int, fields: dict[str, Any],
                    actor: str) -> tuple[Customer, bool]:
    repo = CustomerRepository(session, tenant_id)
    ref = fields.get("external_ref")
    if ref:
        existing = repo.by_external_ref(ref)
        if existing is not None:
            changes = {k: v for k, v in fields.items() if k != "code" and getattr(existing, k) != v}
            if changes:
                update_customer(session, tenant_id=tenant_id, customer=existing, changes=changes,
                                actor=actor)
            return existing, False
    errors = ErrorList()
    _check_customer(errors, fields, creating=True)
    errors.raise_if_any()
    code = fields.get("code") or str(counters.allocate(session, tenant_id, "customer"))
    if repo.by_code(code) is not None:
        raise Conflict(f"customer code '{code}' is taken", code="ALREADY_EXISTS")
    now = utcnow()
    customer = repo.add(Customer(tenant_id=tenant_id, id=uuid7(), code=code, name=fields["name"],
                                 email=fields.get("email"), external_ref=ref, created_at=now,
                                 modified_at=now, version=1))
    record_change(session, tenant_id=tenant_id, type="created", record_kind="customer",
                  record_id=customer.id, actor=actor, data=customer_data(customer))
    return customer, True


def update_customer(session: Session, *, tenant_id: int, customer: Customer,
                    changes: dict[str, Any], actor: str) -> Customer:
    errors = ErrorList()
    _check_customer(errors, changes, creating=False)
    errors.raise_if_any()
    if changes.get("code") and changes["code"] != customer.code:
        if CustomerRepository(session, tenant_id).by_code(changes["code"]) is not None:
            raise Conflict(f"customer code '{changes['code']}' is taken", code="ALREADY_EXISTS")
    for name in ("code", "name", "email", "external_ref"):
        if name in changes:
            setattr(customer, name, changes[name])
    customer.version += 1
    customer.modified_at = utcnow()
    session.flush()
    record_change(session, tenant_id=tenant_id, type="updated", record_kind="customer",
                  record_id=customer.id, actor=actor, data=customer_data(customer))
    return customer


def tax_code_data(code: TaxCode) -> dict[str, Any]:
    return {"code": code.code, "description": code.description, "rate": format(code.rate, "f"),
            "is_active": code.is_active, "created_at": code.created_at, "version": code.version}


def _parse_rate(errors: ErrorList, text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        rate = Decimal(text)
    except (InvalidOperation, TypeError):
        errors.add("rate", f"'{text}' is not a decimal rate", "invalid_decimal")
        return None
    if not rate.is_finite() or not Decimal(0) <= rate < Decimal(1) or -rate.as_tuple().exponent > 8:
        errors.add("rate", "must be a fraction from 0 to below 1 with at most 8 decimals "
                           "(0.0825 is 8.25 %)", "out_of_range")
        return None
    # the stored, canonical text's value ("0.08250" is 0.0825): the response and the change event
    # are rendered from it, and must say what every later read says
    return canonical_decimal(rate)


def create_tax_code(session: Session, *, tenant_id: int, code: str, rate: str,
                    description: str = "", actor: str) -> TaxCode:
    errors = ErrorList()
    validate.code(errors, "code", code)
    validate.text(errors, "description", description, max_length=200)
    parsed = _parse_rate(errors, rate)
    errors.raise_if_any()
    repo = TaxCodeRepository(session, tenant_id)
    if repo.get(code) is not None:
        raise Conflict(f"tax code '{code}' already exists", code="ALREADY_EXISTS")
    tax = repo.add(TaxCode(tenant_id=tenant_id, code=code, description=description, rate=parsed,
                           is_active=True, created_at=utcnow(), version=1))
    record_change(session, tenant_id=tenant_id, type="created", record_kind="tax_code",
                  record_id=code, actor=actor, data=tax_code_data(tax))
    return tax


def update_tax_code(session: Session, *, tenant_id: int, tax: TaxCode, changes: dict[str, Any],
                    actor: str) -> TaxCode:
    """A rate change applies to invoices priced from now on; existing ones keep their tax lines."""
    errors = ErrorList()
    validate.text(errors, "description", changes.get("description"), max_length=200)
    rate = _parse_rate(errors, changes.get("rate"))
    errors.raise_if_any()
    if rate is not None:
        tax.rate = rate
    for name in ("description", "is_active"):
        if changes.get(name) is not None:
            setattr(tax, name, changes[name])
    tax.version += 1
    session.flush()
    record_change(session, tenant_id=tenant_id, type="updated", record_kind="tax_code",
                  record_id=tax.code, actor=actor, data=tax_code_data(tax))
    return tax
