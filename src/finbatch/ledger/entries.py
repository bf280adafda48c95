"""From a transaction to a balanced journal entry (pure: no database).

Each transaction becomes legs in its own currency (SPEC §5; roles in ``ledger.rules``), whose
debits equal their credits by construction. Base-currency amounts are converted once for the whole
entry (``total × fx_rate``, one rounding) and that base total is split over each side's legs by the
largest-remainder method, so the base debits equal the base credits exactly, whatever the rounding
of each leg. Legs of zero are dropped; a transaction of zero posts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from finbatch.kit import money
from finbatch.ledger.rules import Account, RuleBook

KIND_LABELS = {"invoice": "Invoice", "debit_memo": "Debit memo", "credit_memo": "Credit memo",
               "payment": "Payment", "refund": "Refund", "credit": "Credit",
               "write_off": "Write-off"}


@dataclass(slots=True)
class Source:
    """The columns of a transaction that posting reads."""

    id: str
    kind: str
    number: int
    transaction_type: str | None
    business_unit_id: str
    commerce_type: str | None
    currency: str
    fx_rate: Decimal
    date: date
    amount: int
    fee: int
    payment_account: str | None
    party_id: str | None
    party_name: str | None
    description: str | None
    lines: list[tuple[str | None, int, str | None, str | None]] = field(default_factory=list)
    """(product, amount, gl_account_code, description) per line"""
    taxes: list[tuple[str, int]] = field(default_factory=list)
    """(tax code, tax) per tax line"""

    @property
    def rule_kind(self) -> str:
        return "purchase_payment" if self.kind == "payment" and self.transaction_type == "PP" else self.kind

    @property
    def label(self) -> str:
        """The entry's description: kind, number, party and the transaction's own memo."""
        base = f"{KIND_LABELS.get(self.kind, self.kind)} {self.number}"
        if self.party_name:
            base = f"{base} {self.party_name}"
        return f"{base}: {self.description}" if self.description else base


@dataclass(frozen=True, slots=True)
class Missing:
    """A configuration gap: no account for a role (or an unknown override code)."""

    kind: str
    role: str
    product: str | None = None
    commerce_type: str | None = None
    business_unit_id: str | None = None
    account_code: str | None = None

    def describe(self) -> str:
        scope = ", ".join(f"{k} {v}" for k, v in (("product", self.product),
                                                  ("commerce type", self.commerce_type),
                                                  ("business unit", self.business_unit_id)) if v)
        if self.account_code:
            return (f"{self.kind}: GL account '{self.account_code}' ({self.role}) does not exist "
                    "or is inactive")
        return f"{self.kind}: no {self.role.replace('_', ' ')} account" + (f" for {scope}" if scope else "")


@dataclass(slots=True)
class Leg:
    account: Account
    debit: bool
    amount: int
    description: str | None = None
    role: str = ""


def legs_for(src: Source, book: RuleBook) -> tuple[list[Leg], list[Missing]]:
    """The legs of ``src`` in its own currency, or what configuration is missing."""
    legs: list[Leg] = []
    missing: list[Missing] = []
    kind = src.rule_kind
    scope = {"commerce_type": src.commerce_type, "business_unit_id": src.business_unit_id}

    def fixed(role: str, debit: bool, amount: int, description: str | None = None,
              account: Account | None = None) -> None:
        if amount == 0:
            return
        account = account or book.account(kind, role, **scope)
        if account is None:
            missing.append(Missing(kind, role, commerce_type=src.commerce_type,
                                   business_unit_id=src.business_unit_id))
            return
        legs.append(Leg(account, debit, amount, description, role))

    if src.kind in ("invoice", "debit_memo", "credit_memo"):
        revenue_debit = src.kind == "credit_memo"
        fixed("receivable", not revenue_debit, src.amount)
        for product, amount, override, description in src.lines:
            if amount == 0:
                continue
            if override:
                role, account = "revenue", book.by_code.get(override)
                if account is None or not account.is_active:
                    missing.append(Missing(kind, "revenue", product=product, account_code=override))
                    continue
            else:
                role, account = book.revenue_account(kind, product=product, **scope)
                if account is None:
                    missing.append(Missing(kind, role, product=product, **scope))
                    continue
            legs.append(Leg(account, revenue_debit, amount, description or product, role))
        for tax_code, tax in src.taxes:
            if tax == 0:
                continue
            account = book.account(kind, "tax_payable", product=tax_code, **scope)
            if account is None:
                missing.append(Missing(kind, "tax_payable", product=tax_code, **scope))
                continue
            legs.append(Leg(account, revenue_debit, tax, f"Tax {tax_code}", "tax_payable"))
    elif kind == "payment":
        cash = book.by_code.get(src.payment_account) if src.payment_account else None
        fixed("cash", True, src.amount - src.fee, account=cash)
        fixed("merchant_fees", True, src.fee, "Merchant fee")
        fixed("receivable", False, src.amount)
    elif kind == "purchase_payment":
        cash = book.by_code.get(src.payment_account) if src.payment_account else None
        fixed("payable", True, src.amount)
        fixed("cash", False, src.amount, account=cash)
    elif kind == "refund":
        cash = book.by_code.get(src.payment_account) if src.payment_account else None
        fixed("receivable", True, src.amount)
        fixed("cash", False, src.amount, account=cash)
    elif kind == "credit":
        fixed("allowances", True, src.amount)
        fixed("receivable", False, src.amount)
    elif kind == "write_off":
        fixed("write_off", True, src.amount)
        fixed("receivable", False, src.amount)
    return legs, missing


def base_amounts(legs: list[Leg], currency: str, fx_rate: Decimal,
                 base_currency: str) -> list[int]:
    """Each leg's amount in the base currency, debits and credits balancing exactly."""
    if currency == base_currency:
        return [leg.amount for leg in legs]
    debit_total = sum(leg.amount for leg in legs if leg.debit)
    base_total = money.convert(debit_total, currency, fx_rate, base_currency)
    out = [0] * len(legs)
    for side in (True, False):
        positions = [i for i, leg in enumerate(legs) if leg.debit is side]
        parts = money.allocate(base_total, [legs[i].amount for i in positions])
        for position, part in zip(positions, parts, strict=True):
            out[position] = part
    return out


#: Column order of the tuples ``line_rows`` and ``entry_row`` make (``JournalRepository.write``).
LINE_COLUMNS = ("tenant_id", "entry_id", "line_number", "account_id", "role", "debit", "credit",
                "txn_debit", "txn_credit", "description", "department", "project")
ENTRY_COLUMNS = ("tenant_id", "id", "number", "run_id", "batch_id", "batch_kind", "source_kind",
                 "source_id", "entry_date", "fiscal_year_id", "fiscal_period", "currency",
                 "fx_rate", "description", "party_id", "party_name", "reverses_entry_id",
                 "created_at")


def line_rows(tenant_id: int, entry_id: str, legs: list[Leg], base: list[int],
              reverse: bool = False) -> list[tuple]:
    """The journal lines of one entry, as tuples in ``LINE_COLUMNS`` order."""
    rows = []
    for number, (leg, amount) in enumerate(zip(legs, base, strict=True), 1):
        debit = leg.debit is not reverse
        rows.append((tenant_id, entry_id, number, leg.account.id, leg.role,
                     amount if debit else 0, 0 if debit else amount,
                     leg.amount if debit else 0, 0 if debit else leg.amount,
                     (leg.description or "")[:500] or None, None, None))
    return rows


def entry_row(*, tenant_id: int, id: str, number: int, run_id: str, batch_id: str,
              source_kind: str, source_id: str, entry_date: date, fiscal_year_id: str,
              fiscal_period: int, currency: str, fx_rate: Decimal, description: str,
              party_id: str | None, party_name: str | None, created_at: datetime,
              batch_kind: str = "ar", reverses_entry_id: str | None = None) -> tuple:
    """One journal entry as a tuple in ``ENTRY_COLUMNS`` order."""
    return (tenant_id, id, number, run_id, batch_id, batch_kind, source_kind, source_id,
            entry_date, fiscal_year_id, fiscal_period, currency, fx_rate, description[:500],
            party_id, party_name, reverses_entry_id, created_at)
