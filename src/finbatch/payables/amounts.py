"""The amounts of a matched invoice: parsed exactly, signed consistently, and balanced.

Rules (each broken one is a field error, all reported together):
- Amounts are decimal strings (or ``Decimal``) with at most the currency's decimals; they become
  integer minor units with no rounding at all.
- A ``Return`` purchase order's invoice is a credit: every amount is zero or negative and every
  line negative. Other invoices: every amount zero or positive and every line positive.
- ``invoice_validation_total`` (the total printed on the supplier's invoice) must equal
  sum(lines) + tax + shipping − discount: a matched invoice balances to the cent.
- ``tax_expense_amount`` (use tax the buyer accrues itself) is outside that total.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from finbatch.kit.errors import ErrorList
from finbatch.kit.money import AmountError, decimal_to_minor_exact, format_minor, parse_minor

#: The invoice's amounts besides its lines and total, with the sign rule they share.
CHARGES = ("discount_amount", "tax_amount", "shipping_amount", "tax_expense_amount")


@dataclass(frozen=True, slots=True)
class InvoiceAmounts:
    lines: tuple[int, ...]
    validation_total: int
    discount_amount: int
    tax_amount: int
    shipping_amount: int
    tax_expense_amount: int

    @property
    def computed_total(self) -> int:
        return sum(self.lines) + self.tax_amount + self.shipping_amount - self.discount_amount


def to_minor(errors: ErrorList, field: str, value: str | Decimal | None, currency: str,
             *, credit: bool) -> int:
    """``value`` in minor units (0 when absent); a field error when it is malformed, too
    precise or of the wrong sign."""
    if value is None:
        return 0
    try:
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise AmountError(f"'{value}' is not a finite amount")
            minor = decimal_to_minor_exact(value, currency)
        else:
            minor = parse_minor(value, currency)
    except AmountError as exc:
        errors.add(field, str(exc), "invalid_amount")
        return 0
    if credit and minor > 0:
        errors.add(field, "must be zero or negative on a Return purchase order's invoice",
                   "wrong_sign")
    elif not credit and minor < 0:
        errors.add(field, "must be zero or positive (only Return orders have credits)",
                   "wrong_sign")
    return minor


def check_invoice_amounts(errors: ErrorList, *, currency: str, credit: bool,
                          lines: list[str | Decimal], validation_total: str | Decimal,
                          charges: dict[str, str | Decimal | None]) -> InvoiceAmounts:
    """Parse and check every amount; the caller raises ``errors`` afterwards."""
    line_minors = []
    for index, amount in enumerate(lines):
        field = f"lines.{index}.amount"
        minor = to_minor(errors, field, amount, currency, credit=credit)
        if minor == 0 and amount is not None and not any(e.field == field for e in errors.errors):
            errors.add(field, "must not be zero", "zero_amount")
        line_minors.append(minor)
    total = to_minor(errors, "invoice_validation_total", validation_total, currency, credit=credit)
    parsed = {name: to_minor(errors, name, charges.get(name), currency, credit=credit)
              for name in CHARGES}
    amounts = InvoiceAmounts(tuple(line_minors), total, **parsed)
    if not errors.errors and amounts.computed_total != total:
        errors.add("invoice_validation_total",
                   f"must equal the lines plus tax and shipping less discount "
                   f"({format_minor(amounts.computed_total, currency)})", "unbalanced")
    return amounts
