"""Each rule rejects a crafted bad record with its reason, naming the entry and the rule, and a
rejected record leaves nothing of itself in the output."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal

import pytest
from pydantic import ValidationError

from finbatch.exports.writers.base import ExportRejected
from finbatch.exports.writers.registry import writer_for
from tests.unit.exports.sample import (
    ACCOUNTS,
    JOURNAL_FORMATS,
    context,
    entries,
    entry,
    items,
    line,
)


def good():
    return entries()[1]  # the payment, entry 18


def reject(fmt, ctx, bad, *, rule, number, words=()):
    """Feed a good entry, then ``bad`` (which must be rejected for ``rule``), then finish: the
    output must be exactly what the good entry alone gives."""
    feed = "item" if fmt == "ym-items" else "entry"
    first = items()[0] if fmt == "ym-items" else good()
    clean = io.BytesIO()
    writer = writer_for(fmt)(clean, ctx)
    writer.begin()
    getattr(writer, feed)(first)
    writer.end()

    out = io.BytesIO()
    writer = writer_for(fmt)(out, ctx)
    writer.begin()
    getattr(writer, feed)(first)
    with pytest.raises(ExportRejected) as caught:
        getattr(writer, feed)(bad)
    rows = writer.rows
    writer.end()
    assert caught.value.rule == rule
    assert caught.value.entry == number
    message = str(caught.value)
    assert f"entry {number}: " in message and f"(rule: {rule})" in message
    for word in words:
        assert word in message
    assert out.getvalue() == clean.getvalue(), "the rejected record left something in the output"
    assert rows == writer.rows
    return caught.value


@pytest.mark.parametrize("fmt", JOURNAL_FORMATS)
def test_unbalanced_entry(fmt, tmp_path):
    bad = entry(40, [line(1, "acc-ar", "receivable", debit=10000),
                     line(2, "acc-dues", "revenue", credit=9999)])
    reject(fmt, context(tmp_path), bad, rule="balanced entry", number=40, words=["10000", "9999"])


@pytest.mark.parametrize("fmt", JOURNAL_FORMATS)
def test_unbalanced_in_the_transaction_currency(fmt, tmp_path):
    bad = entry(41, [line(1, "acc-ar", "receivable", debit=1000, txn_debit=900),
                     line(2, "acc-dues", "revenue", credit=1000, txn_credit=901)],
                currency="EUR", fx_rate="1.1")
    reject(fmt, context(tmp_path), bad, rule="balanced entry", number=41)


@pytest.mark.parametrize("fmt", JOURNAL_FORMATS)
def test_single_line_entry(fmt, tmp_path):
    bad = entry(42, [line(1, "acc-ar", "receivable")])
    reject(fmt, context(tmp_path), bad, rule="balanced entry", number=42)


@pytest.mark.parametrize("fmt", JOURNAL_FORMATS)
def test_unknown_account(fmt, tmp_path):
    bad = entry(43, [line(1, "acc-ar", "receivable", debit=500),
                     line(2, "acc-nowhere", "revenue", credit=500)])
    reject(fmt, context(tmp_path), bad, rule="known account", number=43,
           words=["line 2", "not in the chart"])


@pytest.mark.parametrize("fmt", JOURNAL_FORMATS)
def test_inactive_account(fmt, tmp_path):
    bad = entry(44, [line(1, "acc-ar", "receivable", debit=500),
                     line(2, "acc-old", "revenue", credit=500)])
    reject(fmt, context(tmp_path), bad, rule="known account", number=44,
           words=["4999", "Revenue:Old Revenue", "inactive"])


@pytest.mark.parametrize("fmt", ["iif", "qbo-csv", "xero-csv", "intacct-csv"])
def test_negative_amount(fmt, tmp_path):
    """Balanced, but with negative amounts: the packages take sides, never signs, in these
    columns (IIF and Xero would silently flip the side)."""
    bad = entry(45, [line(1, "acc-bank", "cash", debit=-500),
                     line(2, "acc-fees", "merchant_fees", credit=-500)])
    reject(fmt, context(tmp_path), bad, rule="no negative amounts", number=45, words=["line 1"])


@pytest.mark.parametrize("fmt", ["qbo-csv", "intacct-csv"])
def test_both_sides_on_one_line(fmt, tmp_path):
    bad = entry(46, [line(1, "acc-bank", "cash", debit=500, credit=100),
                     line(2, "acc-fees", "merchant_fees", credit=400)])
    reject(fmt, context(tmp_path), bad, rule="one side per line", number=46)


# --- IIF -------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad_name", ["Revenue:Du\tes", "Revenue:Dues\n", "Revenue:\r\nDues"])
def test_iif_tab_or_line_break_in_an_account_name(bad_name, tmp_path):
    accounts = dict(ACCOUNTS)
    accounts["acc-dues"] = replace(accounts["acc-dues"], full_name=bad_name)
    bad = entry(47, [line(1, "acc-ar", "receivable", debit=500),
                     line(2, "acc-dues", "revenue", credit=500)])
    reject("iif", context(tmp_path, accounts=accounts), bad, rule="no tabs or line breaks",
           number=47, words=["ACCNT", "line 2"])


def test_iif_account_name_windows_1252_lacks(tmp_path):
    accounts = dict(ACCOUNTS)
    accounts["acc-dues"] = replace(accounts["acc-dues"], full_name="Revenue:Składki")
    bad = entry(48, [line(1, "acc-ar", "receivable", debit=500),
                     line(2, "acc-dues", "revenue", credit=500)])
    reject("iif", context(tmp_path, accounts=accounts), bad, rule="Windows-1252 reference",
           number=48, words=["ACCNT"])


def test_iif_tab_in_a_class(tmp_path):
    bad = entry(49, [line(1, "acc-ar", "receivable", debit=500),
                     line(2, "acc-dues", "revenue", credit=500, department="ME\tM")])
    reject("iif", context(tmp_path), bad, rule="no tabs or line breaks", number=49, words=["CLASS"])


def test_iif_free_text_keeps_its_row(tmp_path):
    """Tabs and line breaks in NAME and MEMO become spaces instead of shifting columns."""
    ok = entry(50, [line(1, "acc-ar", "receivable", debit=500, description="two\r\nlines\tand tab"),
                    line(2, "acc-dues", "revenue", credit=500)], party="Tab\tCustomer\nInc")
    out = io.BytesIO()
    writer = writer_for("iif")(out, context(tmp_path))
    writer.begin()
    writer.entry(ok)
    writer.end()
    rows = out.getvalue().decode("cp1252").split("\r\n")
    assert rows[3].split("\t")[5:] == ["Tab Customer Inc", "", "5.00", "50", "two lines and tab"]
    assert all(len(r.split("\t")) == 10 for r in rows[3:5])


@pytest.mark.parametrize("fmt", ["iif", "qbo-csv"])
@pytest.mark.parametrize("role", ["receivable", "payable"])
def test_missing_name_on_an_ar_or_ap_line(fmt, role, tmp_path):
    account = "acc-ar" if role == "receivable" else "acc-ap"
    bad = entry(51, [line(1, account, role, debit=500), line(2, "acc-dues", "revenue", credit=500)],
                party=None)
    reject(fmt, context(tmp_path), bad, rule="name on A/R and A/P lines", number=51,
           words=[role, "line 1"])
    blank = replace(bad, party_name="   ")
    reject(fmt, context(tmp_path), blank, rule="name on A/R and A/P lines", number=51)


def test_qbo_name_only_on_ar_and_ap_lines(tmp_path):
    """Lines of other roles need no Name, so an entry without a party passes."""
    ok = entry(52, [line(1, "acc-bank", "cash", debit=500), line(2, "acc-dues", "revenue", credit=500)],
               party=None)
    out = io.BytesIO()
    writer = writer_for("qbo-csv")(out, context(tmp_path))
    writer.begin()
    writer.entry(ok)
    writer.end()
    assert writer.rows == 2


# --- Intacct ---------------------------------------------------------------------------------

def test_intacct_description_over_30_characters(tmp_path):
    ctx = context(tmp_path, {"description": "{description}"})
    bad = replace(good(), number=53, description="A description of thirty-one ch.")
    assert len(bad.description) == 31
    reject("intacct-csv", ctx, bad, rule="field length", number=53,
           words=["DESCRIPTION", "31 characters", "allows 30"])
    fits = replace(bad, description=bad.description[:30])
    writer = writer_for("intacct-csv")(io.BytesIO(), ctx)
    writer.begin()
    writer.entry(fits)


def test_intacct_neutralised_description_counts_its_apostrophe(tmp_path):
    ctx = context(tmp_path, {"description": "{description}"})
    bad = replace(good(), number=54, description="=" + "x" * 29)
    reject("intacct-csv", ctx, bad, rule="field length", number=54, words=["31 characters"])


@pytest.mark.parametrize("symbol", ["GENERAL", "GJ123", "  "])
def test_intacct_journal_symbol(symbol, tmp_path):
    out = io.BytesIO()
    writer = writer_for("intacct-csv")(out, context(tmp_path, {"journal": symbol}))
    with pytest.raises(ExportRejected) as caught:
        writer.begin()
    assert caught.value.rule in ("field length", "required field")
    assert "JOURNAL" in str(caught.value)
    assert out.getvalue() == b"", "nothing is written before the options are known to be good"


# --- Xero ------------------------------------------------------------------------------------

def many_lines(number: int, count: int):
    lines = [line(i, "acc-bank", "cash", debit=100) for i in range(1, count)]
    return entry(number, [*lines, line(count, "acc-ar", "receivable", credit=100 * (count - 1))])


def test_xero_journal_over_300_lines(tmp_path):
    reject("xero-csv", context(tmp_path), many_lines(55, 301), rule="lines per file", number=55,
           words=["301 lines", "at most 300"])


def test_xero_journal_of_exactly_300_lines_fits_one_file(tmp_path):
    out = io.BytesIO()
    writer = writer_for("xero-csv")(out, context(tmp_path))
    writer.begin()
    writer.entry(many_lines(56, 300))
    writer.end()
    assert writer.file_name("x") == "x.csv" and writer.rows == 300


def test_xero_journal_over_a_smaller_file_size(tmp_path):
    reject("xero-csv", context(tmp_path, {"lines_per_file": 10}), many_lines(57, 11),
           rule="lines per file", number=57, words=["at most 10"])


# --- XML and YM ------------------------------------------------------------------------------

@pytest.mark.parametrize("char", ["\x00", "\x08", "\x1b", "\ufffe", "\ud800"])
def test_xml_rejects_characters_xml_cannot_carry(char, tmp_path):
    bad = replace(good(), number=58, description=f"bell{char}")
    reject("gl-xml", context(tmp_path), bad, rule="XML characters", number=58,
           words=["description", f"U+{ord(char):04X}"])


def test_ym_unknown_currency(tmp_path):
    bad = replace(items()[0], invoice_number=2001, currency="XXX")
    reject("ym-items", context(tmp_path), bad, rule="known currency", number=2001, words=["XXX"])


def test_ym_non_finite_quantity(tmp_path):
    bad = replace(items()[0], invoice_number=2002, quantity=Decimal("NaN"))
    reject("ym-items", context(tmp_path), bad, rule="exact decimals", number=2002,
           words=["Quantity"])


# --- options ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("fmt", "options", "words"), [
    ("qbo-csv", {"colour": "red"}, "colour"),
    ("gl-csv", {"unicode": True}, "unicode"),
    ("xero-csv", {"narration": "{description}"}, "{number}"),
    ("xero-csv", {"narration": "{{number}} {description}"}, "{number}"),
    ("xero-csv", {"narration": "{number} {description.__class__}"}, "placeholder"),
    ("xero-csv", {"narration": "{number} {nope}"}, "placeholder"),
    ("xero-csv", {"narration": "{number!r}"}, "placeholder"),
    ("xero-csv", {"lines_per_file": 301}, "300"),
    ("intacct-csv", {"description": "{kind} {number:>40}"}, "placeholder"),
    ("intacct-csv", {"description": "{kind"}, "template"),
    ("intacct-csv", {"foreign_amounts": "both"}, "transaction"),
    ("ym-items", {"unicode": "perhaps"}, "unicode"),
])
def test_bad_options_are_refused(fmt, options, words, tmp_path):
    with pytest.raises(ValidationError) as caught:
        writer_for(fmt)(io.BytesIO(), context(tmp_path, options))
    assert words in str(caught.value)
