"""The wire layer alone (no database): exact numbers in and out, unstorable input refused, and
no binary float anywhere in the dialect."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from finbatch.dialects import rhythm
from finbatch.dialects.rhythm.wire import batch_fields, dumps, parse_json, project
from finbatch.kit.errors import BadRequest, ValidationFailed


def test_numbers_are_read_as_exact_decimals():
    body = parse_json(b'{"a": 0.1, "b": 12.50, "c": 3, "d": 1e2, "e": -0.0}')
    assert body == {"a": Decimal("0.1"), "b": Decimal("12.50"), "c": 3, "d": Decimal("1E+2"),
                    "e": Decimal("-0.0")}
    assert all(type(v) in (Decimal, int) for v in body.values())


def test_numbers_are_written_exactly():
    assert dumps({"t": Decimal("12.50"), "z": Decimal("0"), "big": Decimal("12345678901234567.89"),
                  "n": 3}) == b'{"t":12.5,"z":0.0,"big":12345678901234567.89,"n":3}'


@pytest.mark.parametrize("raw", [b"", b"  ", b"{", b"NaN", b'{"a": Infinity}', b'{"a": -Infinity}',
                                 b'"\\u0000"', b'{"\\u0000": 1}', b'["\\ud800"]', b"\xff\xfe",
                                 b"[" * 40 + b"]" * 40, b"[" * 100000, b"1" * 5000])
def test_unreadable_or_unstorable_bodies_are_a_400(raw):
    with pytest.raises(BadRequest):
        parse_json(raw)


def test_a_utf8_bom_is_allowed():
    assert parse_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


def test_projection_keeps_the_documents_order_and_ignores_unknown_names():
    doc = {"a": 1, "b": 2, "c": 3}
    assert list(project(doc, "c, a,zzz")) == ["a", "c"]
    assert project(doc, None) is doc and project(doc, " ") is doc
    assert project(doc, "zzz") == {}


def test_batch_fields_on_create_and_replace():
    body = {"name": "N", "business_unit_id": "MAIN", "date": "2026-02-01",
            "fiscal_year_id": "FY2026", "fiscal_period": Decimal("2.0"), "status": "closed",
            "total": 5, "sys_external_id": "x", "colour": "red"}
    created, status = batch_fields(body, mode="create")
    assert status is None and created["fiscal_period"] == 2
    assert set(created) == {"name", "business_unit_id", "date", "fiscal_year_id", "fiscal_period"}
    replaced, status = batch_fields(body, mode="replace")
    assert status == "closed"
    assert replaced["description"] is None and replaced["dependents"] == []
    assert "currency_code" not in replaced and "type" not in replaced
    with pytest.raises(ValidationFailed) as failed:
        batch_fields({"id": "x", "fiscal_period": True, "automatically_close_at": "2026-01-01"},
                     mode="create")
    fields = {e.field for e in failed.value.errors}
    assert fields == {"id", "name", "business_unit_id", "date", "fiscal_year_id", "fiscal_period",
                      "automatically_close_at"}


def test_no_float_in_the_dialect():
    """Amounts cross this package: no ``float`` name and no float literal anywhere in it."""
    offenders = []
    for path in Path(rhythm.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Name) and node.id == "float") or \
                    (isinstance(node, ast.Constant) and isinstance(node.value, float)):
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, "float in the Rhythm dialect: " + ", ".join(offenders)
