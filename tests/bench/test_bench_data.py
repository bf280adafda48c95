"""The benchmarks' data set and their like-for-like comparisons, at a small N on both engines.

``make bench`` is not part of the suite (its figures are read, not asserted), but what it stands
on is: the generator must build a posted, balanced journal through the real posting job, and the
export figure's limit (the database CLI) must write the same rows and cells as our export, or the
ratio compares unlike things.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from types import SimpleNamespace

import pytest
from bench.common import BenchDatabase
from bench.export_speed import limit_command, run_ours
from bench.generate import database_for, generate
from sqlalchemy import func, select, text

from finbatch.ledger.models import JournalLine

pytestmark = pytest.mark.slow

N = 480


def _bench_database(engine_name: str, url: str) -> BenchDatabase:
    if engine_name == "sqlite":
        return BenchDatabase("sqlite", url, url.removeprefix("sqlite:///"))
    return BenchDatabase("postgresql", url)


def test_the_data_set_is_posted_balanced_and_exported_like_its_limit(engine_name, database_url,
                                                                      tmp_path):
    data = generate(database_url, N, progress=lambda message: None)
    assert data.transactions == N and len(data.posted_batch_ids) == 24
    assert data.pending_transactions == N // 10
    db = database_for(database_url, tmp_path / "exports")
    try:
        with db.reading() as session:
            debit, credit, lines = session.execute(
                select(func.sum(JournalLine.debit), func.sum(JournalLine.credit), func.count())
                .where(JournalLine.tenant_id == data.tenant_id)).one()
            assert lines == data.journal_lines > 2 * N and debit == credit > 0
            if engine_name == "sqlite":  # postings of a few hundred lines still gather statistics
                analysed = set(session.execute(text("SELECT tbl FROM sqlite_stat1")).scalars())
                assert {"journal_entries", "journal_lines"} <= analysed
        ctx = SimpleNamespace(engine=engine_name, data=data, workdir=tmp_path,
                              database=_bench_database(engine_name, database_url))
        _, rows = run_ours(ctx, db, force=False)
    finally:
        db.dispose()
    assert rows == data.journal_lines
    command = limit_command(ctx)
    if not shutil.which(command[0]):
        pytest.skip(f"{command[0]} is not installed: the limit cannot be compared")
    limit = subprocess.run(command, capture_output=True, check=True).stdout.decode()
    files = sorted((tmp_path / "exports").rglob("*.csv"))
    ours = [row for path in files for row in list(csv.reader(io.StringIO(path.read_text())))[1:]]
    assert sorted(ours) == sorted(csv.reader(io.StringIO(limit)))
