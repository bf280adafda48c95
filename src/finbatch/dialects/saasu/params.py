"""``GET /Payments`` query parameters → a ``PaymentSearch`` and a page.

Rules (seed 002 and ``dialects/saasu.md``):
- Names match case-insensitively; an empty value counts as absent; unknown names are ignored.
- The three ranges come in pairs, both or neither; half a pair is a 400 naming the missing
  parameter. All bounds are inclusive, at the precision given: a date-only upper bound covers
  its whole day, a date/time without a fraction its whole second. An inverted range is empty.
- Without ``PaymentFromDate``/``PaymentToDate`` the window is the last month: from the same day
  one month ago (clamped to the month's end) to today, in the file's time zone.
- ``LastModified*`` are UTC; a date/time without a zone is read as UTC. ``PaymentFromDate``,
  ``ClearedFromDate`` and their pairs are calendar dates; an instant given for them is read as
  the date it falls on in the file's time zone.
- ``ForInvoiceId`` (an invoice number) makes ``TransactionType`` ignored.
- ``Page`` ≥ 1 (default 1); ``PageSize`` 1..100 (default 25).
- ``SortString`` is one of ``SORT_FIELDS``, optionally followed by `` asc``/`` desc``; ties are
  broken by ``TransactionId``.
Every bad value is a ``BadRequest`` whose message names the parameter.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from finbatch.dialects.common import Query
from finbatch.dialects.saasu.render import codes_for_account_id
from finbatch.formats import dotnet
from finbatch.kit.clock import business_date, utcnow
from finbatch.kit.errors import BadRequest
from finbatch.receivables.search import PaymentSearch
from finbatch.tenancy.auth import TenantContext

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
INT32_MAX = 2_147_483_647

#: SortString field (lowercase) → ``PaymentSearch.sort`` key.
SORT_FIELDS = {
    "transactionid": "number",
    "transactiondate": "date",
    "paymentdate": "date",
    "date": "date",
    "cleareddate": "cleared_date",
    "createddateutc": "created_at",
    "lastmodifieddateutc": "modified_at",
    "lastmodifieddate": "modified_at",
    "totalamount": "amount",
}
_SORT = re.compile(r"([A-Za-z]+)(?:\s+(asc|desc|ascending|descending))?", re.IGNORECASE)


def bad(message: str) -> BadRequest:
    return BadRequest(message, code="INVALID_PARAMETER")


@dataclass(frozen=True, slots=True)
class PaymentQuery:
    search: PaymentSearch
    page: int
    page_size: int


def parse_int(q: Query, name: str, *, low: int, high: int, default: int | None = None) -> int | None:
    text = q.get(name)
    if text is None:
        return default
    try:
        value = dotnet.parse_int(text)
    except ValueError:
        raise bad(f"{name} must be a whole number; '{text[:40]}' is not") from None
    if not low <= value <= high:
        raise bad(f"{name} must be between {low} and {high}")
    return value


def _parse(q: Query, name: str) -> tuple[datetime, bool] | None:
    """The value as parsed, and whether it was a date without a time."""
    text = q.get(name)
    if text is None:
        return None
    try:
        dotnet.parse_date(text)
        date_only = True
    except ValueError:
        date_only = False
    try:
        return dotnet.parse_datetime(text), date_only
    except ValueError:
        raise bad(f"{name} is not a date: '{text[:40]}' (use yyyy-MM-dd or an ISO 8601 "
                  "date and time)") from None


def _pair(q: Query, low: str, high: str) -> tuple[tuple[datetime, bool], tuple[datetime, bool]] | None:
    first, second = _parse(q, low), _parse(q, high)
    if first is None and second is None:
        return None
    if second is None:
        raise bad(f"{high} is required when {low} is given (give both or neither)")
    if first is None:
        raise bad(f"{low} is required when {high} is given (give both or neither)")
    return first, second


def _day(value: datetime, tz: str) -> date:
    return business_date(value, tz) if value.tzinfo is not None else value.date()


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _days(q: Query, low: str, high: str, tz: str) -> tuple[date, date] | None:
    pair = _pair(q, low, high)
    if pair is None:
        return None
    try:
        start, end = _day(pair[0][0], tz), _day(pair[1][0], tz)
    except (OverflowError, ValueError):
        raise bad(f"{low}/{high} are outside the supported range of dates") from None
    return start, end  # an inverted range is valid and matches nothing


def month_before(day: date) -> date:
    """The same day one month earlier, clamped to that month's last day (31 Mar → 28/29 Feb)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _sort(q: Query) -> tuple[str, bool]:
    text = q.get("SortString")
    if text is None:
        return "number", False
    match = _SORT.fullmatch(text)
    key = SORT_FIELDS.get(match.group(1).lower()) if match else None
    if key is None:
        names = ", ".join(["TransactionId", "TransactionDate", "ClearedDate", "CreatedDateUtc",
                           "LastModifiedDateUtc", "TotalAmount"])
        raise bad(f"SortString '{text[:40]}' is not supported: use one of {names}, "
                  "optionally followed by ' desc'")
    return key, (match.group(2) or "").lower().startswith("desc")


def payment_query(q: Query, tenant: TenantContext,
                  known_accounts: Callable[[], list[str]]) -> PaymentQuery:
    """Parse the list parameters (``FileId`` and ``WsAccessKey`` are the caller's business).
    ``known_accounts`` lists the tenant's payment account codes, needed only to match a
    ``PaymentAccountId`` derived from a non-numeric code."""
    page = parse_int(q, "Page", low=1, high=INT32_MAX, default=1)
    page_size = parse_int(q, "PageSize", low=1, high=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE)
    tz = tenant.timezone
    payment_days = _days(q, "PaymentFromDate", "PaymentToDate", tz)
    if payment_days is None:
        today = business_date(utcnow(), tz)
        payment_days = (month_before(today), today)
    cleared_days = _days(q, "ClearedFromDate", "ClearedToDate", tz)
    modified = _pair(q, "LastModifiedFromDate", "LastModifiedToDate")
    modified_from = modified_before = None
    if modified is not None:
        (start, _), (end, end_is_date) = modified
        try:
            modified_from = _utc(start)
            # inclusive at the precision given: the whole day of a date, the whole second of a
            # date/time without a fraction, else the very instant
            step = timedelta(days=1) if end_is_date else \
                timedelta(seconds=1) if end.microsecond == 0 else timedelta(microseconds=1)
            modified_before = _utc(end) + step
        except (OverflowError, ValueError):
            raise bad("LastModifiedFromDate/LastModifiedToDate are outside the supported range "
                      "of dates") from None
    for_invoice = parse_int(q, "ForInvoiceId", low=1, high=2**63 - 1)
    transaction_type = None
    if for_invoice is None and (text := q.get("TransactionType")) is not None:
        transaction_type = text.upper()
        if transaction_type not in ("SP", "PP"):
            raise bad(f"TransactionType must be SP (sale payment) or PP (purchase payment), "
                      f"not '{text[:40]}'")
    accounts = None
    account_id = parse_int(q, "PaymentAccountId", low=0, high=INT32_MAX)
    if account_id is not None:
        accounts = codes_for_account_id(account_id, known_accounts)
    sort, descending = _sort(q)
    search = PaymentSearch(
        date_from=payment_days[0], date_to=payment_days[1],
        cleared_from=cleared_days[0] if cleared_days else None,
        cleared_to=cleared_days[1] if cleared_days else None,
        modified_from=modified_from, modified_before=modified_before,
        transaction_type=transaction_type, for_invoice_number=for_invoice,
        payment_accounts=accounts, sort=sort, descending=descending)
    return PaymentQuery(search, page, page_size)
