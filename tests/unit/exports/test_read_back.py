"""Every format, parsed back with a reader of its own kind, carries exactly the sample's money.

The readers here are deliberately independent of the writers (csv, json, ElementTree, a plain
tab split for IIF, zipfile for Xero's split) and sum with ``Decimal`` from the text written.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from finbatch.exports.writers.gl_csv import COLUMNS as GL_COLUMNS
from finbatch.exports.writers.gl_xml import escape
from tests.unit.exports.sample import TOTAL_BASE, TOTAL_BY_CURRENCY, context, entries, render


def csv_rows(data: bytes, encoding: str = "utf-8") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode(encoding), newline="")))


def split_sides(amounts) -> tuple[Decimal, Decimal]:
    """Signed amounts → (debits, credits) as positive totals."""
    amounts = list(amounts)
    return (sum((a for a in amounts if a > 0), Decimal(0)),
            -sum((a for a in amounts if a < 0), Decimal(0)))


def read_gl_csv(data):
    rows = csv_rows(data)
    return sum(Decimal(r["debit"]) for r in rows), sum(Decimal(r["credit"]) for r in rows)


def read_gl_json(data):
    rows = json.loads(data, parse_float=lambda text: pytest.fail(f"a JSON number: {text}"))
    return sum(Decimal(r["debit"]) for r in rows), sum(Decimal(r["credit"]) for r in rows)


def read_gl_xml(data):
    root = ElementTree.fromstring(data)
    assert root.tag == "journal"
    lines = root.findall("line")
    return (sum(Decimal(line.findtext("debit")) for line in lines),
            sum(Decimal(line.findtext("credit")) for line in lines))


def read_iif(data):
    text = data.decode("cp1252")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    headers, amounts, block = {}, [], None
    for row in text.split("\r\n")[:-1]:
        cells = row.split("\t")
        if cells[0].startswith("!"):
            headers[cells[0][1:]] = cells[1:]
            continue
        assert len(cells) - 1 == len(headers[cells[0]]), f"row has other columns than its header: {row}"
        record = dict(zip(headers[cells[0]], cells[1:], strict=True))
        if cells[0] == "TRNS":
            assert block is None
            block = [Decimal(record["AMOUNT"])]
        elif cells[0] == "SPL":
            block.append(Decimal(record["AMOUNT"]))
        else:
            assert cells[0] == "ENDTRNS" and sum(block) == 0, "an IIF block does not sum to 0"
            amounts += block
            block = None
    assert block is None
    return split_sides(amounts)


def read_qbo(data):
    rows = csv_rows(data)
    for r in rows:
        assert (r["Debits"] == "") != (r["Credits"] == ""), "one of Debits/Credits per row"
    return (sum(Decimal(r["Debits"] or 0) for r in rows),
            sum(Decimal(r["Credits"] or 0) for r in rows))


def read_xero(data):
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            rows = [r for name in archive.namelist() for r in csv_rows(archive.read(name))]
    else:
        rows = csv_rows(data)
    return split_sides(Decimal(r["Amount"]) for r in rows)


def read_intacct(data):
    """(debits, credits) per currency: blank CURRENCY is the base currency."""
    debits, credits = defaultdict(Decimal), defaultdict(Decimal)
    for r in csv_rows(data):
        currency = r["CURRENCY"] or "USD"
        debits[currency] += Decimal(r["DEBIT"] or 0)
        credits[currency] += Decimal(r["CREDIT"] or 0)
    return dict(debits), dict(credits)


BASE_READERS = {"gl-csv": read_gl_csv, "gl-json": read_gl_json, "gl-xml": read_gl_xml,
                "iif": read_iif, "qbo-csv": read_qbo, "xero-csv": read_xero}


@pytest.mark.parametrize("fmt", sorted(BASE_READERS))
def test_totals_read_back_exactly(fmt, tmp_path):
    data, _ = render(fmt, context(tmp_path))
    assert BASE_READERS[fmt](data) == (TOTAL_BASE, TOTAL_BASE)


def test_totals_read_back_from_the_xero_zip(tmp_path):
    data, writer = render("xero-csv", context(tmp_path, {"lines_per_file": 5}))
    assert data.startswith(b"PK") and writer.file_name("x") == "x.zip"
    assert read_xero(data) == (TOTAL_BASE, TOTAL_BASE)


def test_intacct_totals_per_currency(tmp_path):
    data, _ = render("intacct-csv", context(tmp_path))
    assert read_intacct(data) == (TOTAL_BY_CURRENCY, TOTAL_BY_CURRENCY)
    data, _ = render("intacct-csv", context(tmp_path, {"foreign_amounts": "base"}))
    assert read_intacct(data) == ({"USD": TOTAL_BASE}, {"USD": TOTAL_BASE})


def test_sample_totals_match_the_entries():
    """The hand-written totals agree with the sample's lines (guards the fixture itself)."""
    lines = [line for e in entries() for line in e.lines]
    assert sum(line.debit for line in lines) == sum(line.credit for line in lines) == TOTAL_BASE * 100


def test_gl_json_and_gl_xml_carry_the_same_records_as_gl_csv(tmp_path):
    """The three lossless formats agree value for value (gl-csv without neutralisation, since
    JSON and XML are not neutralised; None is an empty cell in CSV and XML)."""
    ctx = context(tmp_path, {"neutralize_formulas": False})
    as_csv = csv_rows(render("gl-csv", ctx)[0])
    as_json = json.loads(render("gl-json", ctx)[0])
    root = ElementTree.fromstring(render("gl-xml", ctx)[0])
    as_xml = [{child.tag: child.text or "" for child in line} for line in root.findall("line")]
    assert [list(r) for r in as_json] == [list(r) for r in as_xml] == [GL_COLUMNS] * len(as_csv)
    normalised = [{k: "" if v is None else str(v) for k, v in r.items()} for r in as_json]
    assert normalised == as_xml == as_csv
    assert as_xml[1]["description"] == 'Dues, "Gold" tier\nannual'


def test_xml_escape_round_trips():
    text = 'a & b < c > d "e" \'f\' \r\n\tg ]]> h'
    parsed = ElementTree.fromstring(f"<x>{escape(text)}</x>").text
    assert parsed == text
