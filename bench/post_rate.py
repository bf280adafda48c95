"""``post_rate``: journal lines written per second while posting a batch of N/10 transactions,
against ``executemany`` of the same lines into the same table.

Ours: the pending batch is posted as the API does it (``start_posting``), a worker runs the job
(reading the transactions, applying the rules, writing balanced entries chunk by chunk with their
checkpoints, completing the run); the clock stops when the batch is ``posted``.
The limit: the lines that posting wrote, read back as tuples, inserted again with one
``executemany`` of the DBAPI driver into ``journal_lines`` (same table, same indexes and
triggers; fresh entry ids, since lines may never join an existing entry), then rolled back: lines
without their entry can never commit (the foreign key is checked at commit), so the limit's clock
stops before the commit that ours pays for.
"""

from __future__ import annotations

import time

from sqlalchemy import text

from bench import common
from finbatch.batches import service as batches
from finbatch.batches.service import Actor
from finbatch.jobs.handlers import Worker
from finbatch.kit.ids import uuid7
from finbatch.ledger import posting

LINE_COLUMNS = ("tenant_id", "entry_id", "line_number", "account_id", "role", "debit", "credit",
                "txn_debit", "txn_credit", "description", "department", "project")


def post_pending(ctx, db) -> tuple[float, str]:
    started = time.perf_counter()
    with db.unit_of_work() as session:
        batch = batches.require_batch(session, ctx.data.tenant_id, ctx.data.pending_batch_id,
                                      for_update=True)
        job = posting.start_posting(session, ctx.data.tenant, batch, Actor("bench"))
        run_id = job.id
    Worker(db, name="bench-post").drain()
    seconds = time.perf_counter() - started
    with db.reading() as session:
        status = batches.require_batch(session, ctx.data.tenant_id,
                                       ctx.data.pending_batch_id).status
    if status != "posted":
        raise SystemExit(f"post_rate: the batch ended {status}")
    return seconds, run_id


def executemany_limit(ctx, db, run_id: str) -> tuple[float, int]:
    """Seconds to executemany the run's lines again (under new entry ids)."""
    names = ", ".join(LINE_COLUMNS)
    with db.reading() as session:
        rows = session.connection().exec_driver_sql(
            f"SELECT {', '.join('l.' + c for c in LINE_COLUMNS)} FROM journal_lines l "
            "JOIN journal_entries e ON e.tenant_id = l.tenant_id AND e.id = l.entry_id "
            f"WHERE e.tenant_id = {int(ctx.data.tenant_id)} AND e.run_id = "
            f"'{_stored_uuid(ctx, run_id)}'").fetchall()
    fresh: dict = {}
    copies = []
    for row in rows:
        entry = fresh.setdefault(row[1], _stored_uuid(ctx, uuid7()))
        copies.append((row[0], entry, *row[2:]))
    marks = ", ".join(["?" if ctx.engine == "sqlite" else "%s"] * len(LINE_COLUMNS))
    sql = f"INSERT INTO journal_lines ({names}) VALUES ({marks})"
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        with common.Timer() as timer:
            if ctx.engine == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            cursor.executemany(sql, copies)
        raw.rollback()
    finally:
        raw.close()
    return timer.seconds, len(copies)


def _stored_uuid(ctx, value: str) -> str:
    return value.replace("-", "") if ctx.engine == "sqlite" else value


def lines_of_run(db, ctx, run_id: str) -> int:
    with db.reading() as session:
        return session.execute(text(
            "SELECT count(*) FROM journal_lines l JOIN journal_entries e ON e.tenant_id = "
            "l.tenant_id AND e.id = l.entry_id WHERE e.tenant_id = :t AND e.run_id = :r"),
            {"t": ctx.data.tenant_id, "r": _stored_uuid(ctx, run_id)}).scalar_one()


def measure(ctx) -> str:
    db = ctx.db()
    try:
        seconds, run_id = post_pending(ctx, db)
        lines = lines_of_run(db, ctx, run_id)
        limit_seconds, limit_lines = executemany_limit(ctx, db, run_id)
    finally:
        db.dispose()
    ratio = (lines / seconds) / (limit_lines / limit_seconds)
    return common.report("post_rate", ratio, common.rate(lines, seconds) + " lines",
                         common.rate(limit_lines, limit_seconds) + " lines (executemany)", "≥ 0.3")


if __name__ == "__main__":
    from bench.run import main
    main(only=["post_rate"])
