""".NET wire conventions shared by the JSON, XML and JSV encoders: dates, decimals, booleans.

Design overview
---------------
The vendor systems we imitate are .NET services, so their wire values follow .NET's formatting, not
Python's. This module is the one place that knows those rules; the encoders call it and never
format a date or a decimal themselves.

Dates and times. .NET has three kinds of ``DateTime``; we map them onto Python values like this:

============  ==========================  ===========================================
.NET kind     Python value                written (round-trip "o" form)
============  ==========================  ===========================================
Utc           aware, ``tz`` None/"UTC"    ``2024-03-21T18:00:07.3612586Z``
Local         aware, ``tz`` = IANA name   ``2025-10-23T22:59:37.6959532-04:00`` (offset of
                                          that zone at that instant)
Unspecified   naive                       ``0001-01-01T00:00:00.0000000`` (no designator)
============  ==========================  ===========================================

.NET keeps 100 ns ticks (7 fractional digits); Python keeps microseconds, so the 7th digit we write
is always ``0`` and the 7th digit we read is dropped (truncated, never rounded into the next
second). ``DateTime.MinValue`` is the naive ``datetime.min``.

Decimals. .NET ``decimal`` is exact; so is ``Decimal``. ``float`` never appears here. The shortest
form (``100``, ``12.5``, ``0``) is what XmlSerializer/DataContract and ServiceStack print for the
vendors' values; the JSON-number form adds ``.0`` to integral values, as Json.NET does
(``EnsureDecimalPlace``) and as Saasu's sample shows (``100.0``, ``0.0``).

Parsers raise ``ValueError`` with a message that says which forms are accepted; the encoders turn
that into their own ``WireFormatError`` with the field's path.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Literal

import orjson

from finbatch.kit.clock import zone

#: How the fraction of a second is written: ``always`` 7 digits (``.3612580``), ``never`` (truncated
#: to whole seconds), ``auto`` 7 digits only when the value has a fraction (ServiceStack's UTC rule).
Fraction = Literal["always", "auto", "never"]

#: ``DateTime.MinValue``, the default of a non-nullable .NET ``DateTime``.
MIN_VALUE = datetime.min
MIN_VALUE_TEXT = "0001-01-01T00:00:00.0000000"  # as JSON and XML write it
MIN_VALUE_JSV = "0001-01-01"  # as JSV writes it (midnight → date only)

_UTC_NAMES = frozenset({"UTC", "Etc/UTC"})
_MAX_TEXT = 64  # no legitimate date or number is longer; longer input is refused before any regex


def _clip(text: str) -> str:
    """The offending text for an error message, cut short so hostile input is not echoed back."""
    return text if len(text) <= 40 else text[:37] + "..."


# --------------------------------------------------------------------------------------- writing

def _wall(value: datetime, fraction: Fraction) -> str:
    text = f"{value.year:04d}-{value.month:02d}-{value.day:02d}T" \
           f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if fraction == "always" or (fraction == "auto" and value.microsecond):
        text += f".{value.microsecond:06d}0"
    return text


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"


def _in_frame(value: datetime, tz: str | None) -> tuple[datetime, str]:
    """The wall-clock time to print and the designator after it, per the kind table above.

    Offsets are whole minutes in .NET; a zone offset with seconds (local mean time before ~1900) is
    rounded to the minute and the wall time computed from it, so the text names the same instant.
    """
    if value.tzinfo is None:
        return value, ""
    if tz is None or tz in _UTC_NAMES:
        return value.astimezone(UTC).replace(tzinfo=None), "Z"
    offset = value.astimezone(zone(tz)).utcoffset() or timedelta(0)
    minutes = round(offset.total_seconds() / 60)
    wall = value.astimezone(UTC).replace(tzinfo=None) + timedelta(minutes=minutes)
    return wall, _offset_text(minutes)


def format_datetime(value: datetime, *, tz: str | None = None, fraction: Fraction = "always") -> str:
    """The .NET round-trip ("o") form of ``value``.

    Naive values are written as they are, without a designator (kind Unspecified; ``datetime.min``
    gives ``0001-01-01T00:00:00.0000000``). Aware values are written in UTC with ``Z`` when ``tz``
    is None or ``"UTC"``, otherwise converted to IANA zone ``tz`` and written with its offset.
    Raises ``ValueError`` for an unknown zone and ``OverflowError`` when the conversion leaves
    years 1..9999.
    """
    wall, designator = _in_frame(value, tz)
    return _wall(wall, fraction) + designator


def format_utc(value: datetime, *, fraction: Fraction = "always") -> str:
    """An aware instant in UTC with ``Z``: Saasu's ``2024-03-21T13:00:00Z`` (``fraction="never"``)
    and ``2024-03-21T18:00:07.3612586Z`` (``"always"``). Raises ``ValueError`` for a naive value,
    whose instant is unknown."""
    if value.tzinfo is None:
        raise ValueError("format_utc needs an aware datetime")
    return format_datetime(value, fraction=fraction)


def format_local(value: datetime, tz: str, *, fraction: Fraction = "always") -> str:
    """An aware instant as the wall time of zone ``tz`` with that zone's offset at that instant:
    ``2025-10-23T22:59:37.6959532-04:00``. Raises ``ValueError`` for a naive value."""
    if value.tzinfo is None:
        raise ValueError("format_local needs an aware datetime")
    if tz in _UTC_NAMES:  # a tenant living in UTC: .NET's Local kind still prints an offset
        return _wall(value.astimezone(UTC).replace(tzinfo=None), fraction) + "+00:00"
    wall, designator = _in_frame(value, tz)
    return _wall(wall, fraction) + designator


def format_date(value: date) -> str:
    """A calendar date as ``yyyy-MM-dd`` (a ``datetime`` is cut to its date as written)."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def format_jsv_datetime(value: datetime, *, tz: str | None = None) -> str:
    """ServiceStack's shortest JSV form (``DateTimeSerializer.ToShortestXsdDateTimeString``).

    The value is first placed in its frame (see the kind table; ``tz`` as in ``format_datetime``).
    Midnight exactly → ``yyyy-MM-dd`` (so ``DateTime.MinValue`` is ``0001-01-01``); UTC →
    ``…ssZ`` without a fraction or ``…ss.fffffffZ`` with one; local → 7 digits and the offset;
    naive → 7 digits and no designator (ServiceStack would assume the server's zone; we have none).
    """
    wall, designator = _in_frame(value, tz)
    if wall.hour == wall.minute == wall.second == wall.microsecond == 0:
        return format_date(wall)
    return _wall(wall, "auto" if designator == "Z" else "always") + designator


# --------------------------------------------------------------------------------------- parsing

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?)?", re.ASCII)
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_WCF = re.compile(r"\\?/Date\((-?\d{1,15})([+-]\d{4})?\)\\?/", re.ASCII)
#: The text forms ``parse_datetime`` reads (which include ``parse_date``'s), as one regular
#: expression for documents that state them (``[0-9]`` for ``\d``: the same under ``re.ASCII``,
#: and in JSON Schema's ECMA dialect too). Validity (month 13, too many digits) is still the parser's.
DATETIME_FORMS = "|".join(p.pattern.replace(r"\d", "[0-9]") for p in (_ISO, _US_DATE, _WCF))
_ACCEPTED = ("expected yyyy-MM-ddTHH:mm:ss[.fffffff][Z|±hh:mm], yyyy-MM-dd, MM/dd/yyyy "
             "or /Date(ms±hhmm)/")


def _offset(text: str) -> timezone:
    if text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        raise ValueError(f"'{text}' is not a UTC offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_datetime(text: str) -> datetime:
    """Read any date/time form the vendors' clients send.

    Accepted: ISO 8601 ``yyyy-MM-ddTHH:mm[:ss[.f…]]`` with 0–7 fractional digits (a 7th digit is
    dropped: Python keeps microseconds), followed by ``Z`` (→ aware UTC), an offset ``±hh:mm``,
    ``±hhmm`` or ``±hh`` (→ aware with that fixed offset) or nothing (→ **naive**: the caller
    decides which zone the wall time is in); ``yyyy-MM-dd`` and ``M/d/yyyy`` (→ naive midnight);
    WCF ``/Date(ms)/`` (→ aware UTC) and ``/Date(ms±hhmm)/`` (→ the same instant at that offset).
    Surrounding whitespace is ignored. Raises ``ValueError`` naming the accepted forms.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected a date/time string, got {type(text).__name__}")
    text = text.strip()
    if len(text) > _MAX_TEXT:
        raise ValueError(f"'{_clip(text)}' is not a date/time: too long")
    try:
        if match := _ISO.fullmatch(text):
            year, month, day, hh, mm, ss, frac, off = match.groups()
            if frac is not None and len(frac) > 7:
                raise ValueError(f"'{text}' has more than 7 fractional digits")
            micro = int((frac or "0")[:6].ljust(6, "0"))
            tzinfo = _offset(off) if off else None
            return datetime(int(year), int(month), int(day), int(hh or 0), int(mm or 0),
                            int(ss or 0), micro, tzinfo=tzinfo)
        if match := _US_DATE.fullmatch(text):
            month, day, year = (int(g) for g in match.groups())
            return datetime(year, month, day)
        if match := _WCF.fullmatch(text):
            millis, off = match.groups()
            instant = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(millis))
            return instant.astimezone(_offset(off)) if off else instant
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"'{_clip(text)}' is not a valid date/time: {exc}") from None
    raise ValueError(f"'{_clip(text)}' is not a date/time: {_ACCEPTED}")


def parse_date(text: str) -> date:
    """A calendar date: ``yyyy-MM-dd`` or ``M/d/yyyy`` (Agvance bodies; one- or two-digit month and
    day, as .NET's en-US parsing accepts). A time part is refused: use ``parse_datetime`` and decide
    the zone first. Raises ``ValueError``."""
    if not isinstance(text, str):
        raise ValueError(f"expected a date string, got {type(text).__name__}")
    text = text.strip()
    try:
        if len(text) <= 10 and (match := _ISO.fullmatch(text)):
            return date(*(int(g) for g in match.groups()[:3]))
        if match := _US_DATE.fullmatch(text):
            month, day, year = (int(g) for g in match.groups())
            return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"'{_clip(text)}' is not a valid date: {exc}") from None
    raise ValueError(f"'{_clip(text)}' is not a date: expected yyyy-MM-dd or MM/dd/yyyy")


# re.ASCII: \d must not accept other scripts' digits (int() and Decimal() would read "١٢")
_INT = re.compile(r"[+-]?\d{1,19}", re.ASCII)
#: The text form ``parse_int`` reads, for documents (as ``DATETIME_FORMS``).
INTEGER_FORM = _INT.pattern.replace(r"\d", "[0-9]")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)", re.ASCII)


def parse_bool(text: str) -> bool:
    """``true``/``false`` in any case (JSV writes ``True``), and ``1``/``0`` (``xs:boolean``).
    Surrounding whitespace is ignored. Raises ``ValueError``."""
    lowered = text.strip().lower() if isinstance(text, str) else None
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ValueError(f"'{_clip(str(text))}' is not a boolean: expected true or false")


def parse_int(text: str) -> int:
    """An integer in invariant culture: optional sign, 1–19 digits, no separators or exponent.
    Surrounding whitespace is ignored. Raises ``ValueError``."""
    stripped = text.strip() if isinstance(text, str) else ""
    if not _INT.fullmatch(stripped):
        raise ValueError(f"'{_clip(str(text))}' is not an integer")
    return int(stripped)


def parse_decimal(text: str) -> Decimal:
    """A decimal in invariant culture (``12.50``, ``-3``, ``.5``), exactly, never via float.
    Exponents, thousands separators, NaN and infinities are refused, as .NET's
    ``decimal.Parse(NumberStyles.Number)`` refuses them. Raises ``ValueError``."""
    stripped = text.strip() if isinstance(text, str) else ""
    if len(stripped) > _MAX_TEXT or not _DECIMAL.fullmatch(stripped):
        raise ValueError(f"'{_clip(str(text))}' is not a decimal number")
    return Decimal(stripped)


# -------------------------------------------------------------------------------------- decimals

def format_decimal(value: Decimal | int) -> str:
    """.NET ``decimal`` in shortest form, invariant culture, never an exponent: ``100``, ``12.5``,
    ``0.1``, ``0`` (negative zero too). Exact: no rounding to a context precision. Raises
    ``ValueError`` for NaN or infinity and ``TypeError`` for anything but ``Decimal``/``int``."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"expected Decimal, got {type(value).__name__}")
    if isinstance(value, int):
        return str(value)
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite decimal")
    # format(..., "f") prints every digit without consulting the context (normalize() would round
    # to 28 significant digits), and never uses an exponent.
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_decimal_json(value: Decimal | int) -> str:
    """The JSON-number form: the shortest form, plus ``.0`` when the value is integral (``100.0``,
    ``0.0``, ``12.5``, ``-3.0``). The value is always exact; the ``.0`` marks it as a decimal the
    way Json.NET does. It depends only on the value, not on the scale a ``Decimal`` happens to
    carry, so ``Decimal("100.00")`` and ``Decimal(100)`` both give ``100.0``."""
    text = format_decimal(value)
    return text if "." in text else text + ".0"


def json_decimal(value: Decimal | int) -> orjson.Fragment:
    """``format_decimal_json`` as an orjson fragment: put it in a structure passed to ``orjson``
    and the number is emitted verbatim, never through ``float``."""
    return orjson.Fragment(format_decimal_json(value))

