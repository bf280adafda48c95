import ast
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finbatch.kit import money
from finbatch.kit.currencies import exponent, is_currency


def test_exponents_follow_iso_4217():
    assert exponent("USD") == 2
    assert exponent("JPY") == 0
    assert exponent("KWD") == 3
    assert exponent("CLF") == 4
    assert not is_currency("XYZ")
    assert not is_currency("usd")


@pytest.mark.parametrize("text,currency,minor", [
    ("1234.50", "USD", 123450), ("1234.5", "USD", 123450), ("0.01", "USD", 1),
    ("-12.34", "USD", -1234), ("1200", "JPY", 1200), ("1.234", "KWD", 1234),
    ("0", "EUR", 0), ("99999999999.99", "USD", 9999999999999),
])
def test_parse_minor_is_exact(text, currency, minor):
    assert money.parse_minor(text, currency) == minor


@pytest.mark.parametrize("text,currency", [
    ("10.005", "USD"), ("1.5", "JPY"), ("1e3", "USD"), ("1,000.00", "USD"), ("abc", "USD"),
    ("", "USD"), ("NaN", "USD"), ("Infinity", "USD"), ("1.2345", "KWD"),
])
def test_parse_minor_refuses_inexact_or_malformed(text, currency):
    with pytest.raises(money.AmountError):
        money.parse_minor(text, currency)


def test_parse_minor_refuses_numbers_and_negative_when_asked():
    with pytest.raises(money.AmountError):
        money.parse_minor(12.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(money.AmountError):
        money.parse_minor("-1.00", "USD", allow_negative=False)


@pytest.mark.parametrize("minor,currency,text", [
    (123450, "USD", "1234.50"), (-5, "USD", "-0.05"), (1200, "JPY", "1200"), (1234, "KWD", "1.234"),
    (0, "USD", "0.00"),
])
def test_format_minor(minor, currency, text):
    assert money.format_minor(minor, currency) == text


@given(st.integers(min_value=-10**18, max_value=10**18),
       st.sampled_from(["USD", "JPY", "KWD", "CLF", "EUR", "BHD"]))
def test_format_minor_is_the_exact_decimal(minor, currency):
    assert money.format_minor(minor, currency) == format(money.to_decimal(minor, currency), "f")


def test_format_shortest():
    assert money.format_shortest(10000, "USD") == "100"
    assert money.format_shortest(1250, "USD") == "12.5"
    assert money.format_shortest(0, "USD") == "0"
    assert money.format_shortest(-5, "USD") == "-0.05"


def test_round_to_minor_rounds_once_half_up():
    assert money.round_to_minor(Decimal("0.125"), "USD") == 13
    assert money.round_to_minor(Decimal("-0.125"), "USD") == -13
    assert money.round_to_minor(Decimal("1234.5"), "JPY") == 1235


def test_convert_uses_one_rounding_step():
    assert money.convert(10000, "EUR", Decimal("1.08345"), "USD") == 10835
    assert money.convert(1000, "USD", Decimal("151.237"), "JPY") == 1512


@given(total=st.integers(min_value=-10**12, max_value=10**12),
       weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=20))
def test_allocate_parts_add_back_to_the_whole(total, weights):
    parts = money.allocate(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    if sum(weights):
        for part, weight in zip(parts, weights, strict=True):
            exact = Decimal(abs(total)) * weight / sum(weights)
            assert abs(abs(part) - exact) < 1


def test_allocate_gives_remainders_to_largest_fractions():
    assert money.allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert money.allocate(-100, [1, 1, 1]) == [-34, -33, -33]
    assert money.allocate(5, [0, 0]) == [3, 2]


@given(st.integers(min_value=-10**15, max_value=10**15),
       st.sampled_from(["USD", "JPY", "KWD", "CLF", "EUR"]))
def test_format_and_parse_round_trip(minor, currency):
    assert money.parse_minor(money.format_minor(minor, currency), currency) == minor


def test_no_float_in_money_code():
    """Money code must never touch binary floating point: no ``float`` name, no float literal."""
    root = Path(__file__).resolve().parents[2] / "src" / "finbatch"
    money_files = {root / "kit" / "money.py", root / "kit" / "currencies.py"}
    money_files |= {p for p in root.rglob("*.py")
                    if re.search(r"(money|amount|posting|journal|allocation|statistics)", p.name)}
    offenders = []
    for path in sorted(money_files):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Name) and node.id == "float") or \
                    (isinstance(node, ast.Constant) and isinstance(node.value, float)):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not offenders, "float in money code: " + ", ".join(offenders)


def test_float_detector_catches_floats(tmp_path):
    """The check above would fail on a float (the test can fail)."""
    tree = ast.parse("x = float(y) * 1.5")
    found = [n for n in ast.walk(tree) if (isinstance(n, ast.Name) and n.id == "float")
             or (isinstance(n, ast.Constant) and isinstance(n.value, float))]
    assert len(found) == 2


@given(st.decimals(min_value=-10**15, max_value=10**15, places=12, allow_nan=False,
                   allow_infinity=False))
def test_canonical_decimal_is_what_the_stored_text_reads_back_as(value):
    # (within the context's 28 digits, which every validated amount, rate and quantity is)
    from finbatch.orm import decimal_text
    canonical = money.canonical_decimal(value)
    assert canonical == value
    assert Decimal(decimal_text(value)) == canonical
    assert format(canonical, "f") == decimal_text(value) == decimal_text(canonical)
    text = format(canonical, "f")
    assert "E" not in text and (text == "0" or "." not in text or not text.endswith("0"))
