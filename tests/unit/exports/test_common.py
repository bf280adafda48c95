"""The helpers the writers share: locale date order, one-line text, templates, the CSV sink."""

from __future__ import annotations

import io
from datetime import date

import pytest

from finbatch.exports.writers.common import (
    CsvSink,
    check_template,
    dmy,
    is_us_locale,
    locale_date,
    mdy,
    one_line,
    render_template,
)


@pytest.mark.parametrize(("locale", "us"), [
    ("en-US", True), ("en_US", True), ("es-US", True), ("en-us", True), ("en-Latn-US", True),
    ("en-GB", False), ("en-CA", False), ("fr-FR", False), ("en", False), ("", False), (None, False),
])
def test_us_locales(locale, us):
    assert is_us_locale(locale) is us


def test_date_styles():
    day = date(2026, 3, 4)
    assert mdy(day) == "03/04/2026" and dmy(day) == "04/03/2026"
    assert locale_date(day, "en-US") == "03/04/2026" and locale_date(day, "de-DE") == "04/03/2026"
    assert mdy(date(987, 1, 2)) == "01/02/0987"


def test_one_line():
    assert one_line("a\tb\r\nc\nd\re") == "a b c d e"
    assert one_line("a\u2028b\x85c") == "a b c"
    assert one_line(None) == ""


def test_templates():
    assert check_template("{kind} {number}") == "{kind} {number}"
    assert render_template("  {kind} {number} ", {"kind": "invoice", "number": 7}) == "invoice 7"
    assert render_template("{{literal}} {number}", {"number": 7}) == "{literal} 7"
    for bad in ["{number.real}", "{kind[0]}", "{0}", "{}", "{number:>9}", "{kind!s}", "{unknown}",
                "{kind"]:
        with pytest.raises(ValueError):
            check_template(bad)


def test_csv_sink_flushes_as_it_goes_and_encodes():
    out = io.BytesIO()
    sink = CsvSink(out, encoding="cp1252", errors="replace")
    sink.row(["Zoë", "Łódź", 'say "hi"', "a,b", "x\ny"])
    assert out.getvalue() == b""  # buffered
    sink.flush()
    assert out.getvalue() == b'Zo\xeb,?\xf3d?,"say ""hi""","a,b","x\ny"\r\n'
    for _ in range(5000):
        sink.row(["x" * 20])
    assert len(out.getvalue()) > 1 << 16, "the sink flushed once its buffer passed 64 KiB"


def test_csv_sink_bom_once():
    out = io.BytesIO()
    sink = CsvSink(out, bom=True)
    sink.row(["a"])
    sink.flush()
    sink.row(["b"])
    sink.flush()
    assert out.getvalue() == b"\xef\xbb\xbfa\r\nb\r\n"

