"""Pricing of line items and taxes, exactly.

- A line's amount is ``quantity × unit_price`` rounded once to the currency's minor unit; a line
  that states its own amount must agree with that product to the minor unit.
- Tax is computed per tax code on the sum of that code's line amounts (``taxable × rate``, rounded
  once), so many small lines do not accumulate rounding.
- subtotal = Σ line amounts; total = subtotal + Σ taxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from finbatch.kit import money
from finbatch.kit.errors import ErrorList
from finbatch.receivables.inputs import LineIn
from finbatch.receivables.models import TaxCode

MAX_LINES = 1000
MAX_QUANTITY = Decimal("1000000000")


@dataclass(slots=True)
class PricedLine:
    line_number: int
    product: str | None
    description: str | None
    quantity: Decimal
    unit: str | None
    unit_price: Decimal
    amount: int
    tax_code: str | None
    gl_account_code: str | None


@dataclass(slots=True)
class PricedTax:
    tax_code: str
    description: str
    rate: Decimal
    taxable: int
    tax: int


@dataclass(slots=True)
class Priced:
    lines: list[PricedLine]
    taxes: list[PricedTax]
    subtotal: int
    tax_total: int

    @property
    def total(self) -> int:
        return self.subtotal + self.tax_total


def _decimal(errors: ErrorList, field: str, text: str, *, max_places: int) -> Decimal | None:
    try:
        value = Decimal(text) if isinstance(text, str) else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or "e" in text.lower():
        errors.add(field, f"'{text}' is not a decimal number", "invalid_decimal")
        return None
    if -value.as_tuple().exponent > max_places:
        errors.add(field, f"has more than {max_places} decimal places", "too_precise")
        return None
    return value


def price(lines: list[LineIn], currency: str, tax_codes: dict[str, TaxCode],
          errors: ErrorList) -> Priced:
    if not lines:
        errors.add("lines", "at least one line is required", "required")
    if len(lines) > MAX_LINES:
        errors.add("lines", f"at most {MAX_LINES} lines", "too_many")
    priced: list[PricedLine] = []
    taxable: dict[str, int] = {}
    for index, line in enumerate(lines):
        where = f"lines.{index}"
        quantity = _decimal(errors, f"{where}.quantity", line.quantity, max_places=6)
        unit_price = _decimal(errors, f"{where}.unit_price", line.unit_price, max_places=6)
        if quantity is not None and not Decimal(0) < quantity <= MAX_QUANTITY:
            errors.add(f"{where}.quantity", "must be greater than 0 and at most 1000000000",
                       "out_of_range")
            quantity = None
        if unit_price is not None and unit_price < 0:
            errors.add(f"{where}.unit_price", "must not be negative", "negative")
            unit_price = None
        for name in ("product", "unit", "tax_code", "gl_account_code"):
            value = getattr(line, name)
            if value is not None and len(value) > (16 if name == "unit" else 64):
                errors.add(f"{where}.{name}", "is too long", "too_long")
        if line.description is not None and len(line.description) > 500:
            errors.add(f"{where}.description", "must be at most 500 characters", "too_long")
        if line.tax_code is not None:
            code = tax_codes.get(line.tax_code)
            if code is None or not code.is_active:
                errors.add(f"{where}.tax_code", f"no active tax code '{line.tax_code}'",
                           "unknown_tax_code")
        if quantity is None or unit_price is None:
            continue
        computed = money.round_to_minor(quantity * unit_price, currency)
        amount = computed
        if line.amount is not None:
            try:
                amount = money.parse_minor(line.amount, currency, allow_negative=False)
            except money.AmountError as exc:
                errors.add(f"{where}.amount", str(exc), "invalid_amount")
                continue
            if amount != computed:
                errors.add(f"{where}.amount", f"{line.amount} is not quantity × unit_price "
                           f"({money.format_minor(computed, currency)})", "amount_mismatch")
                continue
        priced.append(PricedLine(index + 1, line.product, line.description, quantity, line.unit,
                                 unit_price, amount, line.tax_code, line.gl_account_code))
        if line.tax_code is not None:
            taxable[line.tax_code] = taxable.get(line.tax_code, 0) + amount
    taxes = []
    for code_name in sorted(taxable):
        code = tax_codes.get(code_name)
        if code is None:
            continue
        base = taxable[code_name]
        tax = money.round_to_minor(money.to_decimal(base, currency) * code.rate, currency)
        taxes.append(PricedTax(code_name, code.description, code.rate, base, tax))
    return Priced(priced, taxes, sum(p.amount for p in priced), sum(t.tax for t in taxes))
