"""Reading an import CSV: rows as csv.DictReader gave them (blank rows skipped, a short row's
missing columns empty, a long row's extra values ignored), line numbers of the file."""

from __future__ import annotations

from datetime import date

from finbatch.receivables.importer import read_records


def test_blank_short_and_long_rows(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(
        "kind,external_ref,customer_code,date,amount,product,quantity,unit_price,tax_code\n"
        "invoice,I-1,C1,2026-03-02,,TEE,2,24.50,ST\n"
        "\n"
        "invoice,I-1,C1,2026-03-02,,MUG,1,12.99\n"          # short: no tax_code
        "payment,P-1,C1,2026-03-05,40.00,,,,,surplus\n"     # long: one value past the header
        "payment,P-2,C1\n")                                 # short: no date, no amount
    errors = []
    records = read_records(path, errors)
    assert errors == []
    assert [(r.tin.kind, r.tin.external_ref, r.lines) for r in records] == [
        ("invoice", "I-1", [2, 4]), ("payment", "P-1", [5]), ("payment", "P-2", [6])]
    invoice, paid, bare = (r.tin for r in records)
    assert [(line.product, line.tax_code) for line in invoice.lines] == [("TEE", "ST"), ("MUG", None)]
    assert (paid.amount, paid.date, paid.lines) == ("40.00", date(2026, 3, 5), [])
    assert (bare.amount, bare.date, records[2].customer_code) == (None, None, "C1")


def test_a_header_without_kind_or_no_header(tmp_path):
    for text in ("external_ref,amount\nX,1.00\n", "", "\nkind\ninvoice\n"):
        path = tmp_path / "bad.csv"
        path.write_text(text)
        errors = []
        assert read_records(path, errors) == []
        assert [(e.line, e.field) for e in errors] == [(1, "kind")]


def test_a_header_that_names_a_column_twice_is_refused(tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("kind,external_ref,customer_code,date,amount,description,description\n"
                    "payment,P-1,C1,2026-03-05,40.00,first\n")
    errors = []
    assert read_records(path, errors) == []
    assert [(e.line, e.field) for e in errors] == [(1, "description")]
    assert "twice" in errors[0].message
