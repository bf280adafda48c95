"""The ``probe`` job: a diagnostic that proves workers run (operators can queue one to check a
deployment). Each execution advances a counter named after the job, so "each job ran exactly once"
is observable: every probe's counter must read 1."""

from __future__ import annotations

from typing import Any

from finbatch import counters
from finbatch.jobs.worker import JobContext, register


def counter_name(job_id: str) -> str:
    return f"probe:{job_id}"


class Probe:
    def run(self, ctx: JobContext) -> dict[str, Any]:
        with ctx.db.unit_of_work() as session:
            runs = counters.allocate(session, ctx.tenant.id, counter_name(ctx.job_id))
            ctx.progress(session, done=1, total=1)
        return {"worker": ctx.worker, "execution": runs}

    def give_up(self, ctx: JobContext, error: str) -> None:
        return None


register("probe", Probe())
