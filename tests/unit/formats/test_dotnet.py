"""The .NET wire conventions: date/time and decimal vectors, both directions."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from finbatch.formats import dotnet

NY = "America/New_York"
# 2025-10-23T22:59:37.695953 in New York (EDT, -04:00)
INSTANT = datetime(2025, 10, 24, 2, 59, 37, 695953, tzinfo=UTC)


# ------------------------------------------------------------------------------ formatting dates

@pytest.mark.parametrize(("value", "tz", "fraction", "expected"), [
    (INSTANT, NY, "always", "2025-10-23T22:59:37.6959530-04:00"),
    (datetime(2025, 1, 15, 12, 0, tzinfo=UTC), NY, "always", "2025-01-15T07:00:00.0000000-05:00"),
    (INSTANT, None, "always", "2025-10-24T02:59:37.6959530Z"),
    (INSTANT, "UTC", "always", "2025-10-24T02:59:37.6959530Z"),
    (datetime(2024, 3, 21, 13, 0, tzinfo=UTC), None, "never", "2024-03-21T13:00:00Z"),
    (datetime(2024, 3, 21, 18, 0, 7, 361258, tzinfo=UTC), None, "always", "2024-03-21T18:00:07.3612580Z"),
    (datetime(2024, 3, 21, 13, 0, tzinfo=UTC), None, "auto", "2024-03-21T13:00:00Z"),
    (datetime(2024, 3, 21, 13, 0, 0, 5, tzinfo=UTC), None, "auto", "2024-03-21T13:00:00.0000050Z"),
    (datetime.min, None, "always", "0001-01-01T00:00:00.0000000"),
    (datetime(2024, 3, 21, 13, 0), NY, "always", "2024-03-21T13:00:00.0000000"),  # naive: as is
    # a zone offset with seconds (New York's local mean time) is rounded to the minute, same instant
    (datetime(1850, 1, 1, 12, tzinfo=UTC), NY, "always", "1850-01-01T07:04:00.0000000-04:56"),
])
def test_format_datetime(value, tz, fraction, expected):
    assert dotnet.format_datetime(value, tz=tz, fraction=fraction) == expected


def test_min_value_constants():
    assert dotnet.format_datetime(dotnet.MIN_VALUE) == dotnet.MIN_VALUE_TEXT == "0001-01-01T00:00:00.0000000"
    assert dotnet.format_jsv_datetime(dotnet.MIN_VALUE) == dotnet.MIN_VALUE_JSV == "0001-01-01"


def test_saasu_styles():
    assert dotnet.format_utc(datetime(2024, 3, 21, 13, tzinfo=UTC), fraction="never") == "2024-03-21T13:00:00Z"
    assert dotnet.format_utc(datetime(2024, 3, 22, 0, tzinfo=timezone(timedelta(hours=11))),
                             fraction="never") == "2024-03-21T13:00:00Z"
    assert dotnet.format_utc(datetime(2024, 3, 21, 18, 0, 7, 361258, tzinfo=UTC)) == "2024-03-21T18:00:07.3612580Z"
    with pytest.raises(ValueError, match="aware"):
        dotnet.format_utc(datetime(2024, 3, 21))


def test_format_local():
    assert dotnet.format_local(INSTANT, NY) == "2025-10-23T22:59:37.6959530-04:00"
    assert dotnet.format_local(INSTANT, "UTC") == "2025-10-24T02:59:37.6959530+00:00"
    assert dotnet.format_local(INSTANT, "Asia/Kolkata", fraction="never") == "2025-10-24T08:29:37+05:30"
    with pytest.raises(ValueError, match="aware"):
        dotnet.format_local(datetime(2024, 3, 21), NY)
    with pytest.raises(ValueError, match="IANA"):
        dotnet.format_local(INSTANT, "Mars/Olympus")


@pytest.mark.parametrize(("value", "tz", "expected"), [
    (datetime.min, None, "0001-01-01"),
    (datetime(2024, 3, 21), None, "2024-03-21"),
    (datetime(2024, 3, 21, tzinfo=UTC), None, "2024-03-21"),
    (datetime(2024, 3, 21, 13, tzinfo=UTC), None, "2024-03-21T13:00:00Z"),
    (datetime(2024, 3, 21, 13, 0, 0, 123000, tzinfo=UTC), None, "2024-03-21T13:00:00.1230000Z"),
    (INSTANT, NY, "2025-10-23T22:59:37.6959530-04:00"),
    (datetime(2025, 10, 23, 4, tzinfo=UTC), NY, "2025-10-23"),  # midnight in New York
    (datetime(2024, 3, 21, 13, 30), None, "2024-03-21T13:30:00.0000000"),
])
def test_format_jsv_datetime(value, tz, expected):
    assert dotnet.format_jsv_datetime(value, tz=tz) == expected


def test_format_date():
    assert dotnet.format_date(date(1, 1, 1)) == "0001-01-01"
    assert dotnet.format_date(date(2024, 3, 21)) == "2024-03-21"


# --------------------------------------------------------------------------------- parsing dates

MINUS4 = timezone(timedelta(hours=-4))


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-10-23T22:59:37.6959532-04:00", datetime(2025, 10, 23, 22, 59, 37, 695953, tzinfo=MINUS4)),
    ("2025-10-23T22:59:37.695-04:00", datetime(2025, 10, 23, 22, 59, 37, 695000, tzinfo=MINUS4)),
    ("2025-10-23T22:59:37.6-0400", datetime(2025, 10, 23, 22, 59, 37, 600000, tzinfo=MINUS4)),
    ("2025-10-23T22:59:37-04", datetime(2025, 10, 23, 22, 59, 37, tzinfo=MINUS4)),
    ("2024-03-21T13:00:00Z", datetime(2024, 3, 21, 13, tzinfo=UTC)),
    ("2024-03-21T18:00:07.3612586Z", datetime(2024, 3, 21, 18, 0, 7, 361258, tzinfo=UTC)),
    ("2024-03-21T18:00:07.9999999Z", datetime(2024, 3, 21, 18, 0, 7, 999999, tzinfo=UTC)),  # truncated
    ("2024-03-21T13:00:00", datetime(2024, 3, 21, 13)),  # no zone: naive, the caller decides
    ("2024-03-21T13:00", datetime(2024, 3, 21, 13)),
    ("2024-03-21 13:00:00", datetime(2024, 3, 21, 13)),
    ("0001-01-01T00:00:00.0000000", datetime.min),
    ("0001-01-01", datetime.min),
    ("2024-03-21", datetime(2024, 3, 21)),
    ("03/21/2024", datetime(2024, 3, 21)),
    ("3/5/2024", datetime(2024, 3, 5)),
    ("  2024-03-21  ", datetime(2024, 3, 21)),
    ("/Date(1234567890123)/", datetime(2009, 2, 13, 23, 31, 30, 123000, tzinfo=UTC)),
    ("/Date(1234567890123-0500)/",
     datetime(2009, 2, 13, 18, 31, 30, 123000, tzinfo=timezone(timedelta(hours=-5)))),
    ("\\/Date(0+0100)\\/", datetime(1970, 1, 1, 1, tzinfo=timezone(timedelta(hours=1)))),
    ("/Date(-62135596800000)/", datetime(1, 1, 1, tzinfo=UTC)),
])
def test_parse_datetime(text, expected):
    parsed = dotnet.parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == expected.utcoffset()


def test_wcf_offset_names_the_same_instant():
    assert dotnet.parse_datetime("/Date(1234567890123-0500)/") == dotnet.parse_datetime("/Date(1234567890123)/")


@pytest.mark.parametrize(("text", "message"), [
    ("", "not a date/time"),
    ("yesterday", "not a date/time"),
    ("2024-13-01", "not a valid date/time"),
    ("2024-02-30T00:00:00Z", "not a valid date/time"),
    ("2024-03-21T25:00:00", "not a valid date/time"),
    ("2024-03-21T13:00:00.12345678Z", "more than 7 fractional digits"),
    ("2024-03-21T13:00:00+15:00", "not a valid date/time"),
    ("21.03.2024", "expected yyyy-MM-dd"),
    ("2024-03-21T13:00:00" + "0" * 200, "too long"),
])
def test_parse_datetime_errors(text, message):
    with pytest.raises(ValueError, match=message):
        dotnet.parse_datetime(text)


def test_parse_datetime_error_does_not_echo_huge_input():
    with pytest.raises(ValueError) as caught:
        dotnet.parse_datetime("x" * 10_000)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-03-21", date(2024, 3, 21)), ("03/21/2024", date(2024, 3, 21)), ("3/5/2024", date(2024, 3, 5)),
    ("0001-01-01", date(1, 1, 1)),
])
def test_parse_date(text, expected):
    assert dotnet.parse_date(text) == expected


@pytest.mark.parametrize("text", ["2024-03-21T00:00:00", "21/03/2024", "2024-3-21", "", "13/01/2024"])
def test_parse_date_errors(text):
    with pytest.raises(ValueError, match="date"):
        dotnet.parse_date(text)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1),
                    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-4)), timezone(timedelta(hours=5, minutes=30))])),
       st.sampled_from([None, NY, "Asia/Kolkata", "Australia/Sydney", "UTC"]))
def test_format_then_parse_is_the_same_instant(value, tz):
    assert dotnet.parse_datetime(dotnet.format_datetime(value, tz=tz)) == value
    # JSV drops the zone at midnight: reading it back in the same zone gives the same instant
    parsed = dotnet.parse_datetime(dotnet.format_jsv_datetime(value, tz=tz))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(tz or "UTC"))
    assert parsed == value


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
def test_naive_round_trip(value):
    assert dotnet.parse_datetime(dotnet.format_datetime(value)) == value


# ------------------------------------------------------------------------------------ scalars

@pytest.mark.parametrize(("text", "expected"), [
    ("True", True), ("true", True), ("TRUE", True), ("False", False), ("false", False),
    ("1", True), ("0", False), (" true ", True),
])
def test_parse_bool(text, expected):
    assert dotnet.parse_bool(text) is expected


@pytest.mark.parametrize("text", ["yes", "", "T", "truth", "2"])
def test_parse_bool_errors(text):
    with pytest.raises(ValueError, match="boolean"):
        dotnet.parse_bool(text)


def test_parse_int():
    assert dotnet.parse_int("0") == 0
    assert dotnet.parse_int("-42") == -42
    assert dotnet.parse_int("+7") == 7
    assert dotnet.parse_int(" 12 ") == 12
    for bad in ["", "1.0", "1e3", "1,000", "0x10", "9" * 20, "١٢"]:
        with pytest.raises(ValueError, match="integer"):
            dotnet.parse_int(bad)


def test_parse_decimal():
    assert dotnet.parse_decimal("12.50") == Decimal("12.50")
    assert dotnet.parse_decimal("-3") == Decimal(-3)
    assert dotnet.parse_decimal(".5") == Decimal("0.5")
    assert dotnet.parse_decimal("5.") == Decimal(5)
    assert dotnet.parse_decimal("0.1") == Decimal("0.1")  # exact, not 0.1000000000000000055…
    for bad in ["", "1e3", "NaN", "Infinity", "1,000.00", "--1", ".", "1" * 100]:
        with pytest.raises(ValueError, match="decimal"):
            dotnet.parse_decimal(bad)


# ----------------------------------------------------------------------------------- decimals

@pytest.mark.parametrize(("value", "shortest", "json"), [
    (Decimal("100"), "100", "100.0"),
    (Decimal("100.00"), "100", "100.0"),
    (Decimal("1E+2"), "100", "100.0"),
    (Decimal("12.50"), "12.5", "12.5"),
    (Decimal("3.3"), "3.3", "3.3"),
    (Decimal("0.1"), "0.1", "0.1"),
    (Decimal("0"), "0", "0.0"),
    (Decimal("0.00"), "0", "0.0"),
    (Decimal("-0.00"), "0", "0.0"),
    (Decimal("-3"), "-3", "-3.0"),
    (Decimal("0.0000001"), "0.0000001", "0.0000001"),  # never an exponent
    (Decimal("1E-10"), "0.0000000001", "0.0000000001"),
    (Decimal("79228162514264337593543950335"), "79228162514264337593543950335",
     "79228162514264337593543950335.0"),  # decimal.MaxValue
    (Decimal("1.234567890123456789012345678901234567890"), "1.23456789012345678901234567890123456789",
     "1.23456789012345678901234567890123456789"),  # no rounding to 28 digits
    (10, "10", "10.0"),
])
def test_decimal_forms(value, shortest, json):
    assert dotnet.format_decimal(value) == shortest
    assert dotnet.format_decimal_json(value) == json


def test_decimal_refusals():
    for bad in [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")]:
        with pytest.raises(ValueError, match="finite"):
            dotnet.format_decimal(bad)
    with pytest.raises(TypeError):
        dotnet.format_decimal(True)
    with pytest.raises(TypeError):
        dotnet.format_decimal("1.5")


def test_json_decimal_is_emitted_verbatim_by_orjson():
    body = orjson.dumps({"TotalAmount": dotnet.json_decimal(Decimal("100.00")),
                         "FxRate": dotnet.json_decimal(Decimal(0)),
                         "Big": dotnet.json_decimal(Decimal("12345678901234567890.123456789"))})
    assert body == b'{"TotalAmount":100.0,"FxRate":0.0,"Big":12345678901234567890.123456789}'


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_forms_keep_the_exact_value(value):
    assert Decimal(dotnet.format_decimal(value)) == value
    assert Decimal(dotnet.format_decimal_json(value)) == value
    assert "E" not in dotnet.format_decimal(value).upper()


def test_no_float_in_formats():
    """Wire formats carry money: no ``float`` name and no float literal anywhere in them."""
    root = Path(__file__).resolve().parents[3] / "src" / "finbatch" / "formats"
    offenders = [f"{path.name}:{node.lineno}"
                 for path in sorted(root.glob("*.py"))
                 for node in ast.walk(ast.parse(path.read_text()))
                 if (isinstance(node, ast.Name) and node.id == "float")
                 or (isinstance(node, ast.Constant) and isinstance(node.value, float))]
    assert not offenders, offenders
