"""Checking a ``TransactionIn`` and turning it into stored values: the rules every path shares.

The API path and the bulk importer apply exactly these rules; they differ only in how reference
data is found. ``DbLookups`` queries (and caches within one unit of work); the importer hands in
``Lookups`` filled once for a whole file, so validating a row costs no query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from finbatch.kit import money, validate
from finbatch.kit.clock import business_date, utcnow
from finbatch.kit.errors import ErrorList
from finbatch.kit.ids import is_uuid
from finbatch.ledger.accounts_repository import GLAccountRepository
from finbatch.receivables import allocations, pricing
from finbatch.receivables.inputs import TransactionIn
from finbatch.receivables.models import COMMERCE_TYPES, LINE_KINDS, RECEIVABLE_KINDS, TaxCode
from finbatch.receivables.repository import CustomerRepository, TaxCodeRepository, TransactionRepository
from finbatch.tenancy.auth import TenantContext
from finbatch.tenancy.models import BusinessUnit
from finbatch.tenancy.repository import BusinessUnitRepository

MAX_AMOUNT = 10**17  # minor units; far beyond any real transaction, far below 64-bit overflow


@dataclass(slots=True)
class Lookups:
    """Reference data a transaction is checked against."""

    units: dict[str, BusinessUnit] = field(default_factory=dict)
    customers: set[str] = field(default_factory=set)
    #: GL code → account type
    accounts: dict[str, str] = field(default_factory=dict)
    tax_codes: dict[str, TaxCode] = field(default_factory=dict)
    #: payment id → customer id
    payments: dict[str, str | None] = field(default_factory=dict)

    def unit(self, unit_id: str) -> BusinessUnit | None:
        return self.units.get(unit_id)

    def active_units(self) -> list[BusinessUnit]:
        return [u for u in self.units.values() if u.is_active][:2]

    def has_customer(self, customer_id: str) -> bool:
        return customer_id in self.customers

    def account_type(self, code: str) -> str | None:
        return self.accounts.get(code)

    def taxes(self, codes: set[str]) -> dict[str, TaxCode]:
        return {c: self.tax_codes[c] for c in codes if c in self.tax_codes}

    def payment_customer(self, payment_id: str) -> tuple[bool, str | None]:
        return (payment_id in self.payments, self.payments.get(payment_id))


class DbLookups(Lookups):
    """Lookups that query the database, for one transaction at a time."""

    def __init__(self, session: Session, tenant_id: int) -> None:
        super().__init__()
        self.session = session
        self.tenant_id = tenant_id

    def unit(self, unit_id: str) -> BusinessUnit | None:
        return BusinessUnitRepository(self.session, self.tenant_id).get(unit_id)

    def active_units(self) -> list[BusinessUnit]:
        return BusinessUnitRepository(self.session, self.tenant_id).page(
            cursor=None, limit=2, active=True).items

    def has_customer(self, customer_id: str) -> bool:
        return is_uuid(customer_id) and \
            CustomerRepository(self.session, self.tenant_id).get(customer_id) is not None

    def account_type(self, code: str) -> str | None:
        account = GLAccountRepository(self.session, self.tenant_id).by_code(code)
        return account.type if account else None

    def taxes(self, codes: set[str]) -> dict[str, TaxCode]:
        return TaxCodeRepository(self.session, self.tenant_id).many(codes)

    def payment_customer(self, payment_id: str) -> tuple[bool, str | None]:
        payment = TransactionRepository(self.session, self.tenant_id).of_kind("payment", payment_id) \
            if is_uuid(payment_id) else None
        return (payment is not None, payment.customer_id if payment else None)


@dataclass(slots=True)
class Resolved:
    """Input checked and turned into stored values."""

    business_unit_id: str
    currency: str
    fx_rate: Decimal
    day: date
    amount: int
    fee: int
    priced: pricing.Priced | None
    allocations: list[tuple[str, int]]


def resolve(tin: TransactionIn, tenant: TenantContext, lookups: Lookups,
            errors: ErrorList) -> Resolved | None:
    """Check ``tin`` against the rules of ``receivables.service``; problems go to ``errors``."""
    kind = tin.kind
    validate.text(errors, "external_ref", tin.external_ref, max_length=200)
    validate.text(errors, "description", tin.description, max_length=500)
    for name in ("location", "terms", "payment_method"):
        validate.text(errors, name, getattr(tin, name), max_length=64)
    validate.text(errors, "reference", tin.reference, max_length=200)
    validate.text(errors, "payee", tin.payee, max_length=200)
    if tin.commerce_type is not None and tin.commerce_type not in COMMERCE_TYPES:
        errors.add("commerce_type", "must be D, M or S", "invalid")
    if tin.date is not None and tin.occurred_at is not None:
        errors.add("date", "give either date or occurred_at, not both", "conflicting")
    unit = _unit(tin, lookups, errors)
    currency = tin.currency or (unit.currency if unit else tenant.base_currency)
    validate.currency(errors, "currency", currency)
    if any(e.field == "currency" for e in errors.errors):
        return None
    fx_rate = _fx_rate(tin, currency, tenant, errors)
    _party(tin, lookups, errors)
    amount, priced = _amount(tin, currency, lookups, errors)
    fee = _fee(tin, amount, currency, errors)
    _payment_fields(tin, lookups, errors)
    if kind not in RECEIVABLE_KINDS:
        for name in ("due_date", "location", "terms"):
            if getattr(tin, name) is not None:
                errors.add(name, f"a {kind.replace('_', ' ')} has no {name.replace('_', ' ')}",
                           "not_allowed")
    if kind == "payment" and tin.transaction_type == "PP" and tin.allocations:
        errors.add("allocations", "a purchase payment settles payables, not receivables",
                   "not_allowed")
    parsed_allocations = allocations.parse(tin.allocations, kind, currency, errors)
    # occurred_at is bounded by its schema (schemas_common.Instant), so it has a date in any zone
    day = tin.date or business_date(tin.occurred_at or utcnow(), tenant.timezone)
    if unit is None:
        return None
    return Resolved(unit.id, currency, fx_rate, day, amount, fee, priced, parsed_allocations)


def _unit(tin: TransactionIn, lookups: Lookups, errors: ErrorList) -> BusinessUnit | None:
    if tin.business_unit_id is not None:
        unit = lookups.unit(tin.business_unit_id)
        if unit is None:
            errors.add("business_unit_id", f"no business unit '{tin.business_unit_id}'", "unknown")
            return None
    else:
        active = lookups.active_units()
        if len(active) != 1:
            errors.add("business_unit_id", "is required (the tenant has several business units)"
                       if active else "is required: create a business unit first", "required")
            return None
        unit = active[0]
    if not unit.is_active:
        errors.add("business_unit_id", f"business unit '{unit.id}' is inactive", "inactive")
    return unit


def _fx_rate(tin: TransactionIn, currency: str, tenant: TenantContext,
             errors: ErrorList) -> Decimal:
    fx_rate = Decimal(1)
    if tin.fx_rate is not None:
        try:
            fx_rate = money.parse_rate(tin.fx_rate)
        except money.AmountError as exc:
            errors.add("fx_rate", str(exc), "invalid_rate")
    if currency == tenant.base_currency and fx_rate != 1:
        errors.add("fx_rate", f"must be 1 for the base currency {currency}", "invalid_rate")
    elif currency != tenant.base_currency and tin.fx_rate is None:
        errors.add("fx_rate", f"is required for {currency} (base currency {tenant.base_currency})",
                   "required")
    return fx_rate


def _party(tin: TransactionIn, lookups: Lookups, errors: ErrorList) -> None:
    if tin.kind == "payment" and tin.transaction_type not in (None, "SP", "PP"):
        errors.add("transaction_type", "must be SP (sale payment) or PP (purchase payment)",
                   "invalid")
    if tin.kind == "payment" and tin.transaction_type == "PP":
        if tin.customer_id is not None:
            errors.add("customer_id", "a purchase payment (PP) has a payee, not a customer",
                       "not_allowed")
        if not tin.payee:
            errors.add("payee", "is required for a purchase payment (PP)", "required")
    elif tin.customer_id is None:
        errors.add("customer_id", "is required", "required")
    elif not lookups.has_customer(tin.customer_id):
        errors.add("customer_id", f"no customer '{tin.customer_id}'", "unknown")


def _amount(tin: TransactionIn, currency: str, lookups: Lookups,
            errors: ErrorList) -> tuple[int, pricing.Priced | None]:
    kind = tin.kind
    if kind in LINE_KINDS:
        if tin.amount is not None:
            errors.add("amount", "is computed from the lines; do not send it", "not_allowed")
        codes = lookups.taxes({line.tax_code for line in tin.lines if line.tax_code})
        priced = pricing.price(tin.lines, currency, codes, errors)
        for index, line in enumerate(tin.lines):
            if line.gl_account_code and lookups.account_type(line.gl_account_code) is None:
                errors.add(f"lines.{index}.gl_account_code",
                           f"no GL account '{line.gl_account_code}'", "unknown_account")
        amount = priced.total
    else:
        priced = None
        amount = 0
        if tin.lines:
            errors.add("lines", f"a {kind.replace('_', ' ')} has no lines", "not_allowed")
        if tin.amount is None:
            errors.add("amount", "is required", "required")
        else:
            try:
                amount = money.parse_minor(tin.amount, currency, allow_negative=False)
            except money.AmountError as exc:
                errors.add("amount", str(exc), "invalid_amount")
            else:
                if amount == 0:
                    errors.add("amount", "must be greater than zero", "out_of_range")
    if amount > MAX_AMOUNT:
        errors.add("amount", "is too large", "out_of_range")
    return amount, priced


def _fee(tin: TransactionIn, amount: int, currency: str, errors: ErrorList) -> int:
    if tin.fee is None:
        return 0
    if tin.kind != "payment":
        errors.add("fee", "only payments carry a fee", "not_allowed")
        return 0
    try:
        fee = money.parse_minor(tin.fee, currency, allow_negative=False)
    except money.AmountError as exc:
        errors.add("fee", str(exc), "invalid_amount")
        return 0
    if fee > amount:
        errors.add("fee", "must not exceed the amount", "out_of_range")
    return fee


def _payment_fields(tin: TransactionIn, lookups: Lookups, errors: ErrorList) -> None:
    if tin.payment_account is not None:
        if tin.kind not in ("payment", "refund"):
            errors.add("payment_account", "only payments and refunds have a payment account",
                       "not_allowed")
        elif lookups.account_type(tin.payment_account) != "asset":
            errors.add("payment_account", f"no asset GL account '{tin.payment_account}'",
                       "unknown_account")
    if tin.payment_id is not None:
        if tin.kind != "refund":
            errors.add("payment_id", "only refunds refer to a payment", "not_allowed")
            return
        found, customer = lookups.payment_customer(tin.payment_id)
        if not found:
            errors.add("payment_id", f"no payment '{tin.payment_id}'", "unknown")
        elif customer != tin.customer_id:
            errors.add("payment_id", "is a payment of another customer", "other_customer")
