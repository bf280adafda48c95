"""``import_rate``: ``finbatch import`` of a CSV of N/10 transactions, CSV rows per second, against
``sqlite3 .import`` of the same file into a plain table.

Ours is the command's own path, in this process (the CLI adds only its start-up): read the file,
check every row with the API's rules (customers, tax codes, prices, allocations to invoices of the
same file), assign batches, write transactions, lines, taxes, allocations and change events, and
commit — all or nothing. The limit parses the same CSV and inserts its rows as text into a new
table with no constraints, no index and no checks. The file holds invoices on one to three lines
(one CSV row per line) and payments applied to them (``bench.generate.write_import_csv``).
"""

from __future__ import annotations

import subprocess

from bench import common
from bench.generate import write_import_csv
from finbatch.batches.service import Actor
from finbatch.receivables import importer


def run_ours(ctx, path) -> tuple[float, int]:
    db = ctx.db()
    try:
        with common.Timer() as timer:
            report = importer.ImportReport()
            errors: list[importer.RowError] = []
            records = importer.read_records(path, errors)
            with db.unit_of_work() as session:
                importer.import_records(session, ctx.data.tenant, records, actor=Actor("bench"),
                                        skip_invalid=False, report=report)
                if errors or report.errors:
                    raise SystemExit(f"import_rate: the import was refused: "
                                     f"{(errors + report.errors)[:3]}")
    finally:
        db.dispose()
    return timer.seconds, report.created


def run_limit(ctx, path, attempt: int) -> float:
    target = ctx.workdir / f"plain-{attempt}.db"
    command = [common.need("sqlite3"), str(target), f".import --csv {path} plain"]
    with common.Timer() as timer:
        subprocess.run(command, check=True)
    target.unlink()
    return timer.seconds


def measure(ctx) -> str:
    path = ctx.workdir / "import.csv"
    rows = write_import_csv(path, max(ctx.n // 10, 2))
    run_limit(ctx, path, 0)  # the file into the page cache for both
    seconds, created = run_ours(ctx, path)
    limit = min(run_limit(ctx, path, 1), run_limit(ctx, path, 2))
    return common.report("import_rate", limit / seconds,
                         common.rate(rows, seconds) + f" CSV rows ({created:,} transactions)",
                         common.rate(rows, limit) + " CSV rows", "≥ 0.25")


if __name__ == "__main__":
    from bench.run import main
    main(only=["import_rate"])
