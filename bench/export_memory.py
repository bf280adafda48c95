"""``export_memory``: peak resident memory of a process exporting every journal line (N) against
the same process exporting a tenth of them (the first tenth of the batches), ``gl-csv``.

Each export runs in a fresh process (``python -m bench.export_memory URL TENANT EXPORT_DIR
BATCH…``), the two at once. Each requests the export as the API does, runs that job with a worker
and reports its own peak RSS (``VmHWM``). Memory that does not grow with the data is the goal: rows
stream from the database to the file in bounded chunks. The ratio is limit/ours as for any cost, so
1.0 means the same peak at N as at N/10.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from bench import common

#: Peak memory only: ``bench.run`` starts the HTTP servers while this runs.
MEASURES_TIME = False


def _child(url: str, tenant_id: int, export_dir: Path, batch_ids: list[str]) -> dict:
    from bench.generate import database_for
    from finbatch.batches.service import Actor
    from finbatch.exports import service as exports
    from finbatch.exports.repository import ExportRepository
    from finbatch.jobs.handlers import Worker
    from finbatch.tenancy import repository as tenancy_repo
    from finbatch.tenancy.auth import TenantContext

    db = database_for(url, export_dir)
    with db.unit_of_work() as session:
        tenant = TenantContext.of(tenancy_repo.tenant_by_id(session, tenant_id))
        export, _ = exports.request_export(session, tenant, batch_ids=batch_ids, fmt="gl-csv",
                                           force=True, reason="memory benchmark",
                                           actor=Actor("bench"))
        export_id = export.id
    # its own job only (the job is the export's id): the other process's export runs beside it,
    # and a claim that meets its write (a busy SQLite database) is tried again
    worker = Worker(db, name=f"bench-memory-{len(batch_ids)}")
    deadline = time.monotonic() + 60
    while not worker.run_one(job_id=export_id, tenant_id=tenant_id):
        if time.monotonic() > deadline:
            raise SystemExit(f"export_memory: export {export_id} could not be claimed")
        time.sleep(0.1)
    with db.reading() as session:
        done = ExportRepository(session, tenant_id).require(export_id)
        rows, status = done.row_count, done.status
    db.dispose()
    return {"rows": rows, "status": status, "peak_kib": common.peak_rss_kib()}


def _start(ctx, batch_ids: list[str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "bench.export_memory", ctx.database.url,
               str(ctx.data.tenant_id), str(ctx.workdir / "exports"), *batch_ids]
    return subprocess.Popen(command, cwd=common.ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _result(process: subprocess.Popen) -> dict:
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"export_memory: the export process failed:\n{err[-2000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    if result["status"] != "complete":
        raise SystemExit(f"export_memory: the export ended {result['status']}")
    return result


def measure(ctx) -> str:
    batches = ctx.data.posted_batch_ids
    tenth = batches[:max(1, round(len(batches) / 10))]
    # Both at once: each process's peak is its own, whatever the other does (time is not
    # measured here), and the pair takes the time of the larger one.
    small, full = _start(ctx, tenth), _start(ctx, batches)
    small, full = _result(small), _result(full)
    ratio = small["peak_kib"] / full["peak_kib"]
    return common.report(
        "export_memory", ratio,
        f"{full['peak_kib'] / 1024:.0f} MiB peak for {full['rows']:,} rows",
        f"{small['peak_kib'] / 1024:.0f} MiB peak for {small['rows']:,} rows",
        "≥ 0.83, i.e. peak at N ≤ 1.2 × peak at N/10")


if __name__ == "__main__":
    if len(sys.argv) > 4:  # the child process
        print(json.dumps(_child(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4:])))
    else:
        from bench.run import main
        main(only=["export_memory"])
