"""``POST /Invoice/GetInvoicesList`` input → an ``InvoiceSearch``.

Body formats (seed 004), chosen by ``Content-Type`` (sniffed when absent: ``<`` means XML):
- JSON (``application/json``, ``text/json``): ``{"InvoiceListRequestItems": [{…}, …]}``;
  property names match case-insensitively (as Json.NET binds them); numbers and booleans may
  also come as strings; ``null`` or an empty body means no items.
- XML (``application/xml``, ``text/xml``): DataContract ``InvoiceListRequest`` in the ``SSI.API``
  namespace (any namespace and element order are read; ``i:nil`` is absent), parsed only through
  ``formats.xmlwire`` (no DTDs or entities).
- Form (``application/x-www-form-urlencoded``): ``InvoiceListRequestItems[0].customerId=…`` or
  ``InvoiceListRequestItems[0][customerId]=…``, or the item fields alone for a single item.
Anything else is a 415.

Semantics (``dialects/agvance.md``): items are OR-ed, their fields AND-ed, an empty field does
not filter. Dates are ``MM/dd/yyyy`` or ``yyyy-MM-dd`` (a date/time is cut to its date);
``transaction*Date`` bound when the invoice was recorded, read in the tenant's time zone;
``invoice*Date`` bound the invoice date; fiscal months are 1..12; ``paidStatus`` is ``Paid``,
``Unpaid`` or ``Partial`` in any case; a void date range matches voided invoices only. Inverted
ranges are valid and match nothing. The window (query) is UTC ``yyyy-MM-ddTHH:mm:ss``; a value
without a zone is UTC; both bounds are inclusive at the precision given (``…T10:00:00`` as the
upper bound includes everything modified during that second).

Every input error is a ``BadRequest`` whose message names each bad field (with its item index).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import orjson

from finbatch.dialects.common import Query
from finbatch.formats import dotnet, xmlwire
from finbatch.kit.clock import business_date, start_of_day
from finbatch.kit.errors import BadRequest, FinbatchError
from finbatch.receivables.search import InvoiceCriteria, InvoiceSearch

ITEMS = "InvoiceListRequestItems"
MAX_ITEMS = 100
MAX_TEXT = 64
TEXT_FIELDS = ("customerId", "locationId", "paidStatus")
DATE_FIELDS = ("transactionStartDate", "transactionEndDate", "invoiceStartDate",
               "invoiceEndDate", "voidStartDate", "voidEndDate")
MONTH_FIELDS = ("fiscalStartMonth", "fiscalEndMonth")
NUMBER_FIELDS = ("startInvoiceNumber", "endInvoiceNumber")
FIELDS = (*TEXT_FIELDS, *DATE_FIELDS, *MONTH_FIELDS, *NUMBER_FIELDS, "voidOnly")
SEED_ORDER = ("customerId", "locationId", "transactionStartDate", "transactionEndDate",
              "invoiceStartDate", "invoiceEndDate", "fiscalStartMonth", "fiscalEndMonth",
              "paidStatus", "voidOnly", "voidStartDate", "voidEndDate", "startInvoiceNumber",
              "endInvoiceNumber")
PAID_STATUSES = {"paid": "paid", "unpaid": "unpaid", "partial": "partial"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FORM_KEY = re.compile(r"invoicelistrequestitems\[(\d{1,3})\](?:\.(\w+)|\[(\w+)\])", re.IGNORECASE)


class UnsupportedMediaType(FinbatchError):
    status, code, title = 415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type"


def bad(message: str) -> BadRequest:
    return BadRequest(message, code="INVALID_REQUEST")


# --- the body → raw items ------------------------------------------------------------------------

def raw_items(content_type: str, body: bytes) -> list[Any]:
    """The request items as untyped dicts, from any of the three body formats."""
    media = content_type.split(";")[0].strip().lower()
    if not body.strip():
        return []
    if not media:
        media = "application/xml" if body.lstrip()[:1] == b"<" else "application/json"
    if media in ("application/json", "text/json"):
        return _json_items(body)
    if media in ("application/xml", "text/xml"):
        return _xml_items(body)
    if media == "application/x-www-form-urlencoded":
        return _form_items(body)
    raise UnsupportedMediaType(f"Content-Type {media[:60]} is not supported: send JSON, XML or "
                               "application/x-www-form-urlencoded")


def _member(data: dict[str, Any], name: str) -> Any:
    lowered = name.lower()
    return next((v for k, v in data.items() if isinstance(k, str) and k.lower() == lowered), None)


def _json_items(body: bytes) -> list[Any]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise bad(f"the body is not valid JSON: {exc}") from None
    if data is None:
        return []
    if not isinstance(data, dict):
        raise bad(f"the body must be a JSON object with {ITEMS}")
    items = _member(data, ITEMS)
    if items is None:
        return []
    if not isinstance(items, list):
        raise bad(f"{ITEMS} must be a list")
    return items


def _xml_items(body: bytes) -> list[Any]:
    tree = xmlwire.read_datacontract(body, lists={ITEMS})
    items = _member(tree, ITEMS) if isinstance(tree, dict) else None
    if items is None or items == "":
        return []
    if not isinstance(items, list):
        raise bad(f"<{ITEMS}> must hold <clsInvoiceListRequestItem> elements")
    return items


def _form_items(body: bytes) -> list[Any]:
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                          max_num_fields=MAX_ITEMS * len(FIELDS) + 10)
    except (UnicodeDecodeError, ValueError) as exc:
        raise bad(f"the form body is not valid: {exc}") from None
    indexed: dict[int, dict[str, str]] = {}
    single: dict[str, str] = {}
    for key, value in pairs:
        if match := _FORM_KEY.fullmatch(key):
            index = int(match.group(1))
            indexed.setdefault(index, {})[match.group(2) or match.group(3)] = value
        elif key.lower() in {f.lower() for f in FIELDS}:
            single[key] = value
    if indexed and single:
        raise bad(f"use either {ITEMS}[i].field keys or the fields of one item, not both")
    if single:
        return [single]
    if len(indexed) > MAX_ITEMS:
        raise bad(f"{ITEMS} holds more than {MAX_ITEMS} items")
    return [indexed[i] for i in sorted(indexed)]


# --- raw items → typed values --------------------------------------------------------------------

def _text(where: str, value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise bad(f"{where} must be text")
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise bad(f"{where} must be text")
    if len(value) > MAX_TEXT:  # measured as sent, as the document's maxLength is
        raise bad(f"{where} is longer than {MAX_TEXT} characters")
    value = value.strip()
    if _CONTROL.search(value):  # PostgreSQL cannot even compare text holding NUL
        raise bad(f"{where} holds control characters")
    return value or None


def _int(where: str, value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool):
        raise bad(f"{where} must be a whole number")
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = dotnet.parse_int(value)
        except ValueError:
            raise bad(f"{where} must be a whole number, not '{value.strip()[:40]}'") from None
    if value is None:
        return None
    if not isinstance(value, int):
        raise bad(f"{where} must be a whole number")
    if not low <= value <= high:
        raise bad(f"{where} must be between {low} and {high}")
    return value


def _bool(where: str, value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        if not value.strip():
            return False
        try:
            return dotnet.parse_bool(value)
        except ValueError:
            pass
    raise bad(f"{where} must be true or false")


def _date(where: str, value: Any, tz: str) -> date | None:
    text = _text(where, value)
    if text is None:
        return None
    try:
        return dotnet.parse_date(text)
    except ValueError:
        pass
    try:
        moment = dotnet.parse_datetime(text)
        return business_date(moment, tz) if moment.tzinfo else moment.date()
    except (ValueError, OverflowError):
        raise bad(f"{where} is not a date: '{text[:40]}' (use MM/dd/yyyy or yyyy-MM-dd)") from None


def _day_start(where: str, day: date | None, tz: str, *, after: bool = False) -> datetime | None:
    if day is None:
        return None
    try:
        return start_of_day(day + timedelta(days=1) if after else day, tz)
    except (OverflowError, ValueError):
        raise bad(f"{where} is outside the supported range of dates") from None


def criteria(raw: Any, index: int, tz: str) -> InvoiceCriteria:
    """One request item → ``InvoiceCriteria``; ``BadRequest`` naming every bad field."""
    prefix = f"{ITEMS}[{index}]."
    if raw is None or raw == "":  # JSON null, or an empty XML item element
        return InvoiceCriteria()
    if not isinstance(raw, dict):
        raise bad(f"{ITEMS}[{index}] must be an object")
    problems: list[tuple[str, str]] = []

    def field(name: str, convert, *args):
        try:
            return convert(prefix + name, _member(raw, name), *args)
        except BadRequest as exc:
            problems.append((name, exc.message))
            return None

    paid = field("paidStatus", _text)
    if paid is not None and paid.lower() not in PAID_STATUSES:
        problems.append(("paidStatus", f"{prefix}paidStatus must be Paid, Unpaid or Partial "
                                       f"(or empty), not '{paid[:40]}'"))
    days = {name: field(name, _date, tz) for name in DATE_FIELDS}
    found = InvoiceCriteria(
        customer_code=field("customerId", _text), location=field("locationId", _text),
        date_from=days["invoiceStartDate"], date_to=days["invoiceEndDate"],
        period_from=field("fiscalStartMonth", _int, 1, 12),
        period_to=field("fiscalEndMonth", _int, 1, 12),
        paid_status=PAID_STATUSES.get(paid.lower()) if paid else None,
        void_only=bool(field("voidOnly", _bool)),
        void_from=days["voidStartDate"], void_to=days["voidEndDate"],
        number_from=field("startInvoiceNumber", _int, 0, 2**63 - 1),
        number_to=field("endInvoiceNumber", _int, 0, 2**63 - 1))
    created_from = created_before = None
    try:
        created_from = _day_start(prefix + "transactionStartDate", days["transactionStartDate"], tz)
        created_before = _day_start(prefix + "transactionEndDate", days["transactionEndDate"], tz,
                                    after=True)
    except BadRequest as exc:
        problems.append(("transactionStartDate", exc.message))
    if problems:  # in the seed's order of the fields
        problems.sort(key=lambda p: SEED_ORDER.index(p[0]))
        raise bad("; ".join(message for _, message in problems))
    return replace(found, created_from=created_from, created_before=created_before)


# --- the window ----------------------------------------------------------------------------------

def _instant(q: Query, name: str) -> datetime | None:
    text = q.get(name)
    if text is None:
        return None
    try:
        moment = dotnet.parse_datetime(text)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise bad(f"{name} is not a date and time: '{text[:40]}' (use yyyy-MM-ddTHH:mm:ss, "
                  "UTC)") from None


def invoice_search(q: Query, content_type: str, body: bytes, tz: str) -> InvoiceSearch:
    """The whole request → ``InvoiceSearch``; ``BadRequest``/``UnsupportedMediaType``."""
    after = _instant(q, "lastModifiedOnOrAfterUtc")
    before = _instant(q, "lastModifiedOnOrBeforeUtc")
    if before is not None:
        try:
            # inclusive at the precision given: the whole second, or the exact instant
            before += timedelta(seconds=1) if before.microsecond == 0 else timedelta(microseconds=1)
        except OverflowError:
            before = None  # 9999-12-31T23:59:59: nothing is modified later
    items = raw_items(content_type, body)
    if len(items) > MAX_ITEMS:
        raise bad(f"{ITEMS} holds {len(items)} items; at most {MAX_ITEMS} are accepted")
    return InvoiceSearch(modified_from=after, modified_before=before,
                         criteria=tuple(criteria(raw, i, tz) for i, raw in enumerate(items)))
