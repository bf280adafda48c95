import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from finbatch.fiscal import calendar
from finbatch.kit.clock import business_date, clock, is_timezone, iso_utc, start_of_day
from finbatch.kit.cursors import CursorError, decode_cursor, encode_cursor
from finbatch.kit.ids import is_uuid, uuid7
from finbatch.tenancy.roles import Permission, Role, allows, parse_roles


def test_business_date_is_local_calendar_date():
    # 00:16 on 1 March in New York is 05:16 UTC; in Auckland it is 11:16 UTC on 28 February
    assert business_date(datetime(2026, 3, 1, 5, 16, tzinfo=UTC), "America/New_York") == date(2026, 3, 1)
    assert business_date(datetime(2026, 2, 28, 11, 16, tzinfo=UTC), "Pacific/Auckland") == date(2026, 3, 1)
    assert business_date(datetime(2026, 2, 28, 11, 16, tzinfo=UTC), "UTC") == date(2026, 2, 28)
    with pytest.raises(ValueError):
        business_date(datetime(2026, 3, 1), "UTC")


def test_start_of_day_in_zone():
    assert start_of_day(date(2026, 3, 1), "America/New_York") == datetime(2026, 3, 1, 5, tzinfo=UTC)


def test_timezones():
    assert is_timezone("America/New_York")
    assert not is_timezone("Mars/Olympus")
    assert not is_timezone("../../etc/passwd")


def test_clock_freezes():
    instant = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with clock.freeze(instant):
        assert clock.now() == instant
        clock.advance(timedelta(seconds=5))
        assert clock.now() == instant + timedelta(seconds=5)
    assert clock.now() != instant


def test_uuid7_is_time_ordered_and_unique():
    ids = [uuid7() for _ in range(5000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(is_uuid(i) and i[14] == "7" for i in ids[:10])
    # canonical text: what uuid.UUID prints, version 7, RFC 9562 variant
    assert all(str(uuid.UUID(i)) == i and uuid.UUID(i).version == 7
               and uuid.UUID(i).variant == uuid.RFC_4122 for i in ids)


def test_cursors_round_trip_and_reject_tampering():
    cursor = encode_cursor(["abc", 42])
    assert decode_cursor(cursor, arity=2) == ["abc", 42]
    for bad in ("garbage", cursor + "!!", "c1.", "c1.W10", encode_cursor(["a"])):
        with pytest.raises(CursorError):
            decode_cursor(bad, arity=2)


def test_roles():
    assert parse_roles("admin, viewer") == {Role.ADMIN, Role.VIEWER}
    assert parse_roles(["oauthadmin"]) == {Role.ADMIN}
    with pytest.raises(ValueError):
        parse_roles("root")
    assert allows(frozenset({Role.VIEWER}), Permission.READ)
    assert not allows(frozenset({Role.VIEWER}), Permission.WRITE_TRANSACTIONS)
    assert allows(frozenset({Role.ACCOUNTANT}), Permission.POST)
    assert not allows(frozenset({Role.CLERK}), Permission.POST)
    assert not allows(frozenset({Role.ACCOUNTANT}), Permission.SETUP)


@pytest.mark.parametrize("year,start,first,last", [
    (2026, 1, date(2026, 1, 1), date(2026, 12, 31)),
    (2026, 7, date(2025, 7, 1), date(2026, 6, 30)),
    (2026, 10, date(2025, 10, 1), date(2026, 9, 30)),
])
def test_fiscal_year_bounds(year, start, first, last):
    assert calendar.year_bounds(year, start) == (first, last)
    assert calendar.period_bounds(year, start, 1)[0] == first
    assert calendar.period_bounds(year, start, 12)[1] == last


def test_fiscal_periods_of_dates():
    assert calendar.fiscal_year_of(date(2025, 7, 1), 7) == 2026
    assert calendar.fiscal_year_of(date(2025, 6, 30), 7) == 2025
    assert calendar.period_of(date(2025, 7, 15), 7) == 1
    assert calendar.period_of(date(2026, 6, 15), 7) == 12
    assert calendar.period_bounds(2024, 1, 2) == (date(2024, 2, 1), date(2024, 2, 29))


def test_iso_utc_writes_every_instant_in_utc_with_a_z():
    plus_two = timezone(timedelta(hours=2))
    assert iso_utc(datetime(2026, 3, 2, 10, 11, 12, 500000, tzinfo=UTC)) == "2026-03-02T10:11:12.500000Z"
    assert iso_utc(datetime(2026, 3, 2, 10, 11, 12, tzinfo=UTC)) == "2026-03-02T10:11:12Z"
    assert iso_utc(datetime(2026, 3, 2, 1, 0, tzinfo=plus_two)) == "2026-03-01T23:00:00Z"
    assert iso_utc(datetime(2026, 3, 2, 1, 0, tzinfo=timezone(timedelta(0)))) == "2026-03-02T01:00:00Z"
    assert iso_utc(datetime(2026, 3, 2, 1, 0)) == "2026-03-02T01:00:00Z"  # naive: a database read
    assert iso_utc(None) is None
