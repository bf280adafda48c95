"""Writers stream: fed entries from a generator, their peak memory does not grow with the count.

``tracemalloc`` traces every Python allocation, so the peak at N entries is compared with the peak
at N/10 (after one small warm-up run, so first-use caches count in neither). A writer that kept
entries, rows or per-file records would show a ratio near 10; a streaming one stays near 1.

``tracemalloc`` counts the allocations of every thread, so the measurement runs in a fresh process:
a worker thread an earlier test left behind must not add its garbage to a writer's peak.
"""

from __future__ import annotations

import multiprocessing
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest

from finbatch.exports.writers.registry import writer_for
from tests.unit.exports.sample import Discard, context, entry, items, line

pytestmark = pytest.mark.slow


def journals(count: int):
    """``count`` fresh two-line entries, made one at a time as the engine's reader would."""
    template = entry(1, [line(1, "acc-bank", "cash", debit=12345, description="Deposit"),
                         line(2, "acc-ar", "receivable", credit=12345)],
                     kind="payment", description="Payment")
    for number in range(1, count + 1):
        yield replace(template, number=number, lines=[replace(x) for x in template.lines])


def invoice_items(count: int):
    template = items()[0]
    for number in range(1, count + 1):
        yield replace(template, invoice_number=number)


def peak(fmt: str, count: int, workdir: Path) -> tuple[int, int]:
    """(peak traced bytes, bytes written) for one export of ``count`` records."""
    ctx = context(workdir)
    records = invoice_items if fmt == "ym-items" else journals
    out = Discard()
    tracemalloc.start()
    try:
        writer = writer_for(fmt)(out, ctx)
        feed = writer.item if writer.source == "items" else writer.entry
        writer.begin()
        for record in records(count):
            feed(record)
        writer.end()
        return tracemalloc.get_traced_memory()[1], out.size
    finally:
        tracemalloc.stop()


def measure(fmt: str, count: int, workdir: Path) -> tuple[tuple[int, int], tuple[int, int]]:
    """Peaks at ``count // 10`` and ``count`` records, after a warm-up run."""
    peak(fmt, 50, workdir / "warm-up")
    return peak(fmt, count // 10, workdir / "small"), peak(fmt, count, workdir / "large")


def check_flat(fmt: str, count: int, tmp_path: Path, *, isolated: bool = True) -> None:
    if isolated:
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            (small, small_size), (large, large_size) = pool.apply(measure, (fmt, count, tmp_path))
    else:
        (small, small_size), (large, large_size) = measure(fmt, count, tmp_path)
    assert large_size > 9 * small_size, "the large run did not write ten times as much"
    assert large <= 1.2 * small, f"{fmt}: peak {large} bytes at {count} vs {small} at {count // 10}"
    assert large < 4 << 20, f"{fmt}: peak {large} bytes"


@pytest.mark.parametrize("fmt", ["qbo-csv", "gl-json", "xero-csv"])
def test_memory_is_flat_over_200000_entries(fmt, tmp_path):
    check_flat(fmt, 200_000, tmp_path)


@pytest.mark.parametrize("fmt", ["gl-csv", "gl-xml", "iif", "intacct-csv", "ym-items"])
def test_memory_is_flat_for_every_other_writer(fmt, tmp_path):
    check_flat(fmt, 20_000, tmp_path)


def test_the_check_catches_a_writer_that_keeps_its_entries(tmp_path, monkeypatch):
    """The measurement has teeth: gl-json made to hold every entry until ``end`` fails it."""
    cls = writer_for("gl-json")
    kept: list = []
    original = cls.entry

    def hoarding_entry(self, record):
        kept.append(record)
        original(self, record)

    monkeypatch.setattr(cls, "entry", hoarding_entry)
    with pytest.raises(AssertionError, match="peak"):
        check_flat("gl-json", 5_000, tmp_path, isolated=False)  # the patch lives in this process
