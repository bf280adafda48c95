"""Rhythm's search body → the core's ``BatchFilter``.

Rules of the body (seed, and ``dialects/rhythm.md``): ``business_unit_id``, ``fiscal_year_id``
and ``fiscal_period`` match exactly; ``name`` is contained, in any case; ``id``,
``recurring_batch_id``, ``status`` (no ``archived``) and ``type`` (no ``legacy``) are lists of
allowed values; ``count``, ``date`` and ``total`` are ``[from, to]`` ranges, inclusive, either end
null. The body is checked against this allow-list: an unknown property is a 400 rather than a
filter silently dropped (which would return more than was asked). ``total`` is an amount in each
batch's own currency (the core compares it at each currency's exponent).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from finbatch.batches.lifecycle import STATUSES
from finbatch.batches.models import BATCH_TYPES
from finbatch.batches.repository import BatchFilter
from finbatch.dialects.rhythm.wire import INT64, integer, is_id, parse_date, require_object
from finbatch.formats.dotnet import parse_decimal
from finbatch.kit.errors import ErrorList, ValidationFailed

SEARCH_STATUSES = tuple(s for s in STATUSES if s != "archived")
SEARCH_TYPES = tuple(t for t in BATCH_TYPES if t != "legacy")
MAX_LIST = 1000
_AMOUNT_DIGITS = 18  # an amount beyond 10^18 matches no batch total; refuse it plainly

FIELDS = ("business_unit_id", "count", "date", "fiscal_period", "fiscal_year_id", "id", "name",
          "recurring_batch_id", "status", "total", "type")


def search_filter(body: Any) -> BatchFilter:
    """The filter a search body asks for; ``ValidationFailed`` (400) naming every bad field."""
    body = require_object(body)
    errors = ErrorList()
    for name in body:
        if name not in FIELDS:
            errors.add(name, f"is not a search field (known: {', '.join(FIELDS)})", "unknown_field")
    text = {name: _text(errors, name, body.get(name), limit)
            for name, limit in (("business_unit_id", 64), ("fiscal_year_id", 32), ("name", 200))}
    period = body.get("fiscal_period")
    if period is not None:
        period = integer(period)
        if period is None or not 1 <= period <= 12:
            errors.add("fiscal_period", "must be an integer from 1 to 12", "out_of_range")
            period = None
    ids = _list(errors, "id", body.get("id"), is_id, "batch ids matching [\\w|-]+")
    recurring = _list(errors, "recurring_batch_id", body.get("recurring_batch_id"),
                      lambda v: isinstance(v, str) and len(v) <= 64,
                      "strings of at most 64 characters")
    statuses = _list(errors, "status", body.get("status"), SEARCH_STATUSES.__contains__,
                     "statuses among " + ", ".join(SEARCH_STATUSES))
    types = _list(errors, "type", body.get("type"), SEARCH_TYPES.__contains__,
                  "types among " + ", ".join(SEARCH_TYPES))
    count_range = _range(errors, "count", body.get("count"), _count, "integers")
    date_range = _range(errors, "date", body.get("date"), parse_date, "dates written YYYY-MM-DD")
    total_range = _range(errors, "total", body.get("total"), _amount, "decimal amounts")
    if errors.errors:
        message = (f"{errors.errors[0].field}: {errors.errors[0].message}" if len(errors.errors) == 1
                   else f"{len(errors.errors)} search fields are invalid")
        raise ValidationFailed(message, errors=errors.errors)
    return BatchFilter(business_unit_id=text["business_unit_id"],
                       fiscal_year_id=text["fiscal_year_id"], fiscal_period=period,
                       name_contains=text["name"], ids=ids, recurring_batch_ids=recurring,
                       statuses=statuses, types=types, count_range=count_range,
                       date_range=date_range, total_amount_range=total_range)


def _text(errors: ErrorList, name: str, value: Any, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        errors.add(name, f"must be a string of at most {limit} characters", "invalid")
        return None
    return value


def _list(errors: ErrorList, name: str, value: Any, valid, what: str) -> list | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > MAX_LIST or not all(map(valid, value)):
        errors.add(name, f"must be a list of at most {MAX_LIST} {what}", "invalid")
        return None
    return value or None


def _range(errors: ErrorList, name: str, value: Any, parse, what: str) -> tuple | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2:
        errors.add(name, f"must be a [from, to] pair of {what} (either may be null)", "invalid")
        return None
    bounds = []
    for end in value:
        parsed = None if end is None else parse(end)
        if end is not None and parsed is None:
            errors.add(name, f"must be a [from, to] pair of {what} (either may be null)", "invalid")
            return None
        bounds.append(parsed)
    return None if bounds == [None, None] else (bounds[0], bounds[1])


def _count(value: Any) -> int | None:
    """An integer, as a JSON number or a string (the seed types the range as strings)."""
    if isinstance(value, str):
        value = _decimal(value)
    return integer(value)


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, str):
        value = _decimal(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value) if INT64[0] <= value <= INT64[1] else None
    if not isinstance(value, Decimal) or value.adjusted() > _AMOUNT_DIGITS:
        return None
    return value


def _decimal(text: str) -> Decimal | None:
    """A plain decimal string (``12``, ``-3.50``); no exponents, separators or spaces inside."""
    try:
        return parse_decimal(text)
    except ValueError:
        return None
