"""Xero's 300-line limit: larger exports become a zip of CSVs holding whole journals."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta

from finbatch.exports.writers.registry import writer_for
from tests.unit.exports.sample import context, entry, line


def two_line_journals(count: int, start: int = 1):
    for number in range(start, start + count):
        amount = 100 + number  # every journal its own amount, so totals catch a lost one
        yield entry(number, [line(1, "acc-bank", "cash", debit=amount),
                             line(2, "acc-ar", "receivable", credit=amount)],
                    kind="payment", description="Payment", day=date(2026, 1, 1) + timedelta(number % 90))


def run(ctx, journals):
    out = io.BytesIO()
    writer = writer_for("xero-csv")(out, ctx)
    writer.begin()
    for journal in journals:
        writer.entry(journal)
    writer.end()
    return out.getvalue(), writer


def test_a_thousand_two_line_journals_split_into_whole_journals(tmp_path):
    data, writer = run(context(tmp_path), two_line_journals(1000))
    assert writer.file_name("march") == "march.zip"
    assert writer.media_type == "application/zip"
    assert writer.rows == 2000
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        # 2,000 lines at 300 per file (150 whole journals each): 6 full files and one of 200.
        assert names == [f"manual-journals-{i:03d}.csv" for i in range(1, 8)]
        seen: dict[str, str] = {}
        sizes = []
        for name in names:
            rows = list(csv.reader(io.StringIO(archive.read(name).decode(), newline="")))
            assert rows[0][0] == "Narration"
            body = rows[1:]
            sizes.append(len(body))
            journals: dict[tuple[str, str], int] = {}
            for narration, day, *_rest, amount in (r[:6] for r in body):
                journals[(narration, day)] = journals.get((narration, day), 0) + int(
                    amount.replace(".", ""))
                assert seen.setdefault(narration, name) == name, f"{narration} is split across files"
            assert all(total == 0 for total in journals.values()), "a journal in a file does not balance"
            assert all(count_ == 2 for count_ in
                       _count_rows(body).values()), "a journal lost a line"
    assert sizes == [300] * 6 + [200]
    assert len(seen) == 1000
    assert not list(context(tmp_path).workdir.iterdir()), "the part files are cleaned up"


def _count_rows(body):
    counts: dict[str, int] = {}
    for row in body:
        counts[row[0]] = counts.get(row[0], 0) + 1
    return counts


def test_journals_that_do_not_fill_a_file_start_the_next(tmp_path):
    """Three-line journals: 100 fit in 300 lines; with 7-line journals only 42 (294 lines)."""
    def journals(count, size):
        for number in range(1, count + 1):
            lines = [line(i, "acc-bank", "cash", debit=1) for i in range(1, size)]
            yield entry(number, [*lines, line(size, "acc-ar", "receivable", credit=size - 1)])

    data, _ = run(context(tmp_path), journals(100, 7))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        counts = [archive.read(n).decode().count("\r\n") - 1 for n in archive.namelist()]
    assert counts == [294, 294, 112]


def test_a_small_export_stays_one_csv(tmp_path):
    data, writer = run(context(tmp_path), two_line_journals(150))
    assert writer.file_name("march") == "march.csv"
    assert writer.media_type.startswith("text/csv")
    assert data.startswith(b"Narration,Date,") and data.count(b"\r\n") == 301


def test_an_empty_export_is_a_csv_with_its_header(tmp_path):
    data, writer = run(context(tmp_path), [])
    assert data == b"Narration,Date,Description,AccountCode,TaxRate,Amount,TrackingName1," \
                   b"TrackingOption1,TrackingName2,TrackingOption2\r\n"
    assert writer.file_name("x") == "x.csv"


def test_the_zip_is_deterministic(tmp_path):
    first, _ = run(context(tmp_path / "a"), two_line_journals(400))
    second, _ = run(context(tmp_path / "b"), two_line_journals(400))
    assert first == second


def test_the_zip_streams_to_an_output_that_cannot_seek(tmp_path):
    class Pipe:
        def __init__(self):
            self.buffer = bytearray()

        def write(self, data):
            self.buffer += data
            return len(data)

        def flush(self):
            pass

    pipe = Pipe()
    writer = writer_for("xero-csv")(pipe, context(tmp_path))
    writer.begin()
    for journal in two_line_journals(400):
        writer.entry(journal)
    writer.end()
    with zipfile.ZipFile(io.BytesIO(bytes(pipe.buffer))) as archive:
        assert len(archive.namelist()) == 3 and archive.testzip() is None
