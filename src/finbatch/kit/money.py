"""Exact money.

Amounts live as integer *minor units* of their currency (cents for USD, yen for JPY, fils for KWD)
and are computed with ``Decimal``. A value is rounded once, with ``MONEY_ROUNDING``, when it is
turned into minor units; splits use the largest-remainder method so the parts add back to the whole.
No ``float`` may appear here: a test greps this package for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from finbatch.kit.currencies import exponent

#: The one rounding mode used when a computed amount becomes minor units.
MONEY_ROUNDING = ROUND_HALF_UP

_AMOUNT_TEXT = re.compile(r"^[+-]?(\d{1,19})(?:\.(\d{1,18}))?$")


class AmountError(ValueError):
    """An amount that is not a plain decimal, or has more decimals than its currency allows."""


def parse_minor(text: str, currency: str, *, allow_negative: bool = True) -> int:
    """Parse a decimal string (``"1234.50"``) into minor units of ``currency``, exactly.

    Raises ``AmountError`` when the text is not a plain decimal (no exponent, no thousands
    separator), is negative while ``allow_negative`` is false, or carries more decimal places
    than the currency's exponent (``"10.005"`` USD): input is never rounded silently.
    """
    if not isinstance(text, str):
        raise AmountError("must be a string holding a decimal, e.g. \"12.50\"")
    match = _AMOUNT_TEXT.match(text.strip())
    if not match:
        raise AmountError(f"'{text}' is not a decimal amount")
    value = Decimal(text.strip())
    if value < 0 and not allow_negative:
        raise AmountError("must not be negative")
    return decimal_to_minor_exact(value, currency)


def decimal_to_minor_exact(value: Decimal, currency: str) -> int:
    """``Decimal`` → minor units, refusing values that need rounding."""
    exp = exponent(currency)
    scaled = value.scaleb(exp)
    if scaled != scaled.to_integral_value():
        raise AmountError(f"has more than {exp} decimal places for {currency}")
    return int(scaled)


def round_to_minor(value: Decimal, currency: str) -> int:
    """The single rounding step: a computed ``Decimal`` amount → minor units."""
    exp = exponent(currency)
    try:
        return int(value.scaleb(exp).quantize(Decimal(1), rounding=MONEY_ROUNDING))
    except InvalidOperation as exc:  # NaN or infinity
        raise AmountError(f"'{value}' is not a finite amount") from exc


def to_decimal(minor: int, currency: str) -> Decimal:
    """Minor units → ``Decimal`` carrying exactly the currency's decimal places."""
    exp = exponent(currency)
    return Decimal(minor).scaleb(-exp) if exp else Decimal(minor)


def format_minor(minor: int, currency: str) -> str:
    """Minor units → the canonical decimal string (``"1234.50"``, JPY ``"1200"``, KWD ``"1.234"``)."""
    exp = exponent(currency)
    if exp == 0:
        return str(minor)
    # the digits split by slicing: half the time of divmod and a nested format spec, and a
    # document of the change feed formats a dozen amounts
    sign = ""
    if minor < 0:
        sign, minor = "-", -minor
    digits = str(minor)
    if len(digits) <= exp:
        digits = digits.rjust(exp + 1, "0")
    return f"{sign}{digits[:-exp]}.{digits[-exp:]}"


def format_shortest(minor: int, currency: str) -> str:
    """Minor units → shortest exact decimal (``"100"``, ``"12.5"``), the .NET ``decimal`` style."""
    text = format_minor(minor, currency)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def allocate(total: int, weights: Sequence[int | Decimal]) -> list[int]:
    """Split ``total`` minor units in proportion to ``weights`` so the parts add up to ``total``.

    Largest-remainder method: each part gets the floor of its exact share, then the units left
    over go one by one to the parts with the largest remainders (ties to the earliest part).
    Negative totals split symmetrically. All-zero weights split evenly.
    """
    if not weights:
        raise ValueError("allocate needs at least one weight")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    ws = [Decimal(w) for w in weights]
    weight_sum = sum(ws)
    if weight_sum == 0:
        ws = [Decimal(1)] * len(ws)
        weight_sum = Decimal(len(ws))
    shares = [magnitude * w / weight_sum for w in ws]
    parts = [int(s) for s in shares]  # floor: shares are non-negative
    leftover = magnitude - sum(parts)
    order = sorted(range(len(ws)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in order[:leftover]:
        parts[i] += 1
    return [sign * p for p in parts]


def convert(minor: int, from_currency: str, rate: Decimal, to_currency: str) -> int:
    """Convert minor units with ``rate`` (units of ``to_currency`` per unit of ``from_currency``),
    rounding once."""
    return round_to_minor(to_decimal(minor, from_currency) * rate, to_currency)


def parse_rate(text: str) -> Decimal:
    """A positive exchange rate given as a decimal string (at most 12 decimal places), without
    the trailing zeros it was typed with (``"1.5000"`` → ``1.5``): what its column stores and
    reads back, so a document rendered from the value in hand (a creating response, a change
    event) says what every later read says."""
    if not isinstance(text, str) or not re.match(r"^\d{1,9}(?:\.\d{1,12})?$", text.strip()):
        raise AmountError("must be a positive decimal string with at most 12 decimal places")
    rate = Decimal(text.strip())
    if rate <= 0:
        raise AmountError("must be greater than zero")
    return canonical_decimal(rate)


def canonical_decimal(value: Decimal) -> Decimal:
    """``value`` without trailing zeros or exponent (``2.50`` → ``2.5``, ``1E+2`` → ``100``, any
    zero → ``0``): what an exact-decimal column's canonical text (``orm.decimal_text``) reads back
    as. A value rendered before it is stored must be this one, or its document says another text
    than every later read. (``normalize()`` alone would make 100 ``1E+2``.)"""
    return Decimal(format(value.normalize(), "f")) if value != 0 else Decimal(0)
