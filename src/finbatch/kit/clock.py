"""Time: aware UTC instants, business dates in a tenant's zone, and a clock tests can freeze."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class Clock:
    """Source of the current instant. ``freeze`` pins it (per process) for tests and golden files."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None
        self._lock = threading.Lock()

    def now(self) -> datetime:
        frozen = self._frozen
        return frozen if frozen is not None else datetime.now(UTC)

    @contextmanager
    def freeze(self, instant: datetime) -> Iterator[None]:
        if instant.tzinfo is None:
            raise ValueError("freeze needs an aware datetime")
        with self._lock:
            previous, self._frozen = self._frozen, instant.astimezone(UTC)
        try:
            yield
        finally:
            self._frozen = previous

    def advance(self, delta: timedelta) -> None:
        """Move a frozen clock forward."""
        if self._frozen is None:
            raise RuntimeError("advance needs a frozen clock")
        self._frozen += delta


clock = Clock()


def utcnow() -> datetime:
    return clock.now()


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; raises ``ValueError`` for names that are not IANA zones."""
    if not is_timezone(name):
        raise ValueError(f"'{name}' is not an IANA time zone")
    return ZoneInfo(name)


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def is_timezone(name: str) -> bool:
    if not isinstance(name, str) or name not in _zone_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def business_date(instant: datetime, tz: str) -> date:
    """The calendar date of ``instant`` in zone ``tz`` (00:16 on 1 March local is March)."""
    if instant.tzinfo is None:
        raise ValueError("business_date needs an aware datetime")
    try:
        return instant.astimezone(zone(tz)).date()
    except OverflowError as exc:  # year 1 or 9999 shifted past the calendar's ends
        raise ValueError("the instant is outside the representable calendar") from exc


def start_of_day(day: date, tz: str) -> datetime:
    """The UTC instant at which ``day`` begins in zone ``tz``."""
    try:
        return datetime(day.year, day.month, day.day, tzinfo=zone(tz)).astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the date is outside the representable calendar") from exc


def as_utc(instant: datetime) -> datetime:
    """Normalise an aware datetime to UTC; a naive one is taken to be UTC already (database reads)."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def iso_utc(instant: datetime | None) -> str | None:
    """ISO 8601 with a ``Z`` suffix and microseconds only when present."""
    if instant is None:
        return None
    if instant.tzinfo is not UTC:  # database reads are UTC already: no conversion (~1 µs each)
        instant = as_utc(instant)
    return instant.isoformat().replace("+00:00", "Z")
