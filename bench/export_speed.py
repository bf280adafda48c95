"""``export_sqlite`` / ``export_pg``: a ``gl-csv`` export of every journal line, end to end, against
the database's own CSV output of the same columns of the same rows.

Ours: the export is requested through the service (as the API does), a worker runs the job, the
file is written, hashed and committed to storage; the clock stops when the export is complete.
The limit: the ``sqlite3`` CLI in ``-csv`` mode (or ``psql`` running ``COPY (…) TO STDOUT CSV``)
selecting the same twenty columns, formatted the same way (decimal amounts, hyphenated UUIDs),
from the same tables and file, into a file. Both run twice; the best of each counts.
"""

from __future__ import annotations

import subprocess
import time

from bench import common
from finbatch.batches.service import Actor
from finbatch.exports import service as exports
from finbatch.exports.repository import ExportRepository
from finbatch.jobs.handlers import Worker

ACTOR = Actor("bench")


def _sqlite_uuid(column: str) -> str:
    return (f"substr({column}, 1, 8) || '-' || substr({column}, 9, 4) || '-' || "
            f"substr({column}, 13, 4) || '-' || substr({column}, 17, 4) || '-' || "
            f"substr({column}, 21, 12)")


def _sqlite_amount(column: str) -> str:
    return f"printf('%d.%02d', {column} / 100, {column} % 100)"


def limit_query(engine: str, tenant_id: int) -> str:
    """The twenty gl-csv columns of every visible journal line of the tenant."""
    joins = ("FROM journal_entries e "
             "JOIN posting_runs r ON r.tenant_id = e.tenant_id AND r.id = e.run_id "
             "AND r.status = 'complete' "
             "JOIN journal_lines l ON l.tenant_id = e.tenant_id AND l.entry_id = e.id "
             "JOIN gl_accounts a ON a.tenant_id = l.tenant_id AND a.id = l.account_id "
             "JOIN ar_batches b ON b.tenant_id = e.tenant_id AND b.id = e.batch_id "
             f"WHERE e.tenant_id = {int(tenant_id)} ORDER BY e.batch_id, e.id, l.line_number")
    if engine == "sqlite":
        columns = ["'bench'", _sqlite_uuid("e.batch_id"), "b.name", _sqlite_uuid("e.id"),
                   "e.number", "e.source_kind", _sqlite_uuid("e.source_id"), "e.entry_date",
                   "a.code", "a.name", "l.department", "l.project",
                   "coalesce(l.description, e.description)", _sqlite_amount("l.debit"),
                   _sqlite_amount("l.credit"), "'USD'", "e.currency",
                   _sqlite_amount("l.txn_debit"), _sqlite_amount("l.txn_credit"), "e.fx_rate"]
    else:
        def amount(column: str) -> str:
            return f"round({column}::numeric / 100, 2)::text"
        columns = ["'bench'", "e.batch_id::text", "b.name", "e.id::text", "e.number::text",
                   "e.source_kind", "e.source_id::text", "to_char(e.entry_date, 'YYYY-MM-DD')",
                   "a.code", "a.name", "l.department", "l.project",
                   "coalesce(l.description, e.description)", amount("l.debit"),
                   amount("l.credit"), "'USD'", "e.currency", amount("l.txn_debit"),
                   amount("l.txn_credit"), "e.fx_rate"]
    return f"SELECT {', '.join(columns)} {joins}"


def limit_command(ctx) -> list[str]:
    """The database CLI writing the same CSV to its standard output."""
    query = limit_query(ctx.engine, ctx.data.tenant_id)
    if ctx.engine == "sqlite":
        return [common.need("sqlite3"), "-csv", str(ctx.database.path), query]
    return [common.need("psql", "postgresql-client"), "-X", "-q", "-d", ctx.database.psql_dsn,
            "-c", f"COPY ({query}) TO STDOUT (FORMAT csv)"]


def run_limit(ctx) -> tuple[float, int]:
    """Seconds and rows of the database CLI writing the same CSV into a file."""
    out = ctx.workdir / "limit.csv"
    command = limit_command(ctx)
    with open(out, "wb") as handle, common.Timer() as timer:
        subprocess.run(command, stdout=handle, check=True)
    with open(out, "rb") as handle:
        rows = sum(1 for _ in handle)
    out.unlink()
    return timer.seconds, rows


def run_ours(ctx, db, *, force: bool) -> tuple[float, int]:
    """Seconds from the request to the completed export, and its rows."""
    started = time.perf_counter()
    with db.unit_of_work() as session:
        export, _ = exports.request_export(
            session, ctx.data.tenant, batch_ids=ctx.data.posted_batch_ids, fmt="gl-csv",
            force=force, reason="benchmark re-run" if force else None, actor=ACTOR)
        export_id = export.id
    Worker(db, name="bench-export").drain()
    seconds = time.perf_counter() - started
    with db.reading() as session:
        done = ExportRepository(session, ctx.data.tenant_id).require(export_id)
        if done.status != "complete":
            raise SystemExit(f"export failed: {done.failure_reason}")
        return seconds, done.row_count


def measure(ctx) -> str:
    name = "export_sqlite" if ctx.engine == "sqlite" else "export_pg"
    db = ctx.db()
    try:
        # the limit first and last: its first run also warms the page cache for ours
        first_limit = run_limit(ctx)
        ours = min(run_ours(ctx, db, force=False), run_ours(ctx, db, force=True))
        limit = min(first_limit, run_limit(ctx))
    finally:
        db.dispose()
    rows = ctx.data.journal_lines
    if ours[1] != rows or limit[1] != rows:
        raise SystemExit(f"{name}: row counts differ: ours {ours[1]}, limit {limit[1]}, "
                         f"journal {rows}")
    ratio = (rows / ours[0]) / (rows / limit[0])
    return common.report(name, ratio, common.rate(rows, ours[0]) + " rows",
                         common.rate(rows, limit[0]) + " rows", "≥ 0.5" if ctx.engine == "sqlite"
                         else "≥ 0.7")


if __name__ == "__main__":
    from bench.run import main
    main(only=["export_speed"])
