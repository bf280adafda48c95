"""Read models the console needs and ``/v1`` has no endpoint for: batch counts and totals grouped by
fiscal period, status and currency, and a batch's running jobs.

Only reads. Totals are built from ``ar_batch_stats`` into ``BatchStats``, so a group's ``total``
and ``transactions`` mean exactly what a batch's do on ``/v1`` (payments − refunds; every kind).
Amounts are never added across currencies.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finbatch.batches.models import ARBatch, ARBatchStat
from finbatch.batches.stats import BatchStats
from finbatch.exports.models import Export
from finbatch.exports.repository import ExportRepository
from finbatch.fiscal.closing import SETTLED_STATUSES
from finbatch.jobs.models import Job


@dataclass(slots=True)
class Group:
    fiscal_year_id: str
    fiscal_period: int
    status: str
    currency: str
    batches: int = 0
    stats: BatchStats = field(default_factory=BatchStats)

    @property
    def settled(self) -> bool:
        """Whether these batches let their period close (the rule is ``fiscal.closing``'s)."""
        return self.status in SETTLED_STATUSES


def summary(session: Session, tenant_id: int, *, fiscal_year_id: str | None = None) -> list[Group]:
    """One group per (period, status, currency) holding any batch, in period then status order."""
    key = (ARBatch.fiscal_year_id, ARBatch.fiscal_period, ARBatch.status, ARBatch.currency_code)
    scope = [ARBatch.tenant_id == tenant_id]
    if fiscal_year_id:
        scope.append(ARBatch.fiscal_year_id == fiscal_year_id)
    groups: dict[tuple, Group] = {}
    for *k, count in session.execute(select(*key, func.count()).where(*scope).group_by(*key)):
        groups[tuple(k)] = Group(*k, batches=int(count))
    stat_rows = session.execute(
        select(*key, ARBatchStat.kind, func.sum(ARBatchStat.count), func.sum(ARBatchStat.amount))
        .join(ARBatchStat, (ARBatchStat.tenant_id == ARBatch.tenant_id)
              & (ARBatchStat.batch_id == ARBatch.id))
        .where(*scope).group_by(*key, ARBatchStat.kind))
    for fy, period, status, currency, kind, count, amount in stat_rows:
        group = groups[(fy, period, status, currency)]
        group.stats.counts[kind] = int(count or 0)
        group.stats.amounts[kind] = int(amount or 0)
    order = {s: i for i, s in enumerate(("open", "closed", "verified", "error", "posting", "posted",
                                          "downloaded", "archived"))}
    return sorted(groups.values(), key=lambda g: (g.fiscal_year_id, g.fiscal_period,
                                                  order.get(g.status, 99), g.currency))


def fiscal_years(session: Session, tenant_id: int) -> list[str]:
    return list(session.execute(select(ARBatch.fiscal_year_id).where(ARBatch.tenant_id == tenant_id)
                                .distinct().order_by(ARBatch.fiscal_year_id)).scalars())


def business_units(session: Session, tenant_id: int) -> list[str]:
    return list(session.execute(select(ARBatch.business_unit_id)
                                .where(ARBatch.tenant_id == tenant_id)
                                .distinct().order_by(ARBatch.business_unit_id)).scalars())


@dataclass(slots=True)
class BatchJobs:
    """The jobs working on a batch: its posting or unposting and the exports carrying it."""

    posting: Job | None
    unposting: Job | None
    exports: list[Export]

    @property
    def running(self) -> bool:
        jobs = [self.posting, self.unposting]
        return (any(j is not None and j.status in ("queued", "running") for j in jobs)
                or any(e.status in ("queued", "running") for e in self.exports))


def batch_jobs(session: Session, batch: ARBatch, *, exports_limit: int = 50) -> BatchJobs:
    def job(job_id: str | None) -> Job | None:
        return session.get(Job, (batch.tenant_id, job_id)) if job_id else None

    exports = ExportRepository(session, batch.tenant_id).of_batch(
        batch.id, cursor=None, limit=exports_limit).items
    return BatchJobs(job(batch.posting_workflow_execution_id),
                     job(batch.unposting_workflow_execution_id), list(exports))


BAR_WIDTH = 600


def chart_rows(groups: list[Group], currency: str) -> list[dict]:
    """Per period, the total of each status in ``currency``, scaled against the largest period."""
    periods: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    for g in groups:
        if g.currency == currency:
            periods[(g.fiscal_year_id, g.fiscal_period)][g.status] = g.stats.total
    peak = max((sum(abs(v) for v in row.values()) for row in periods.values()), default=0)
    rows = []
    for (fy, period), by_status in sorted(periods.items()):
        segments, x = [], 0
        for status, total in by_status.items():
            # integer pixels of a BAR_WIDTH-wide bar: the largest period fills it
            width = abs(total) * BAR_WIDTH // peak if peak else 0
            segments.append({"status": status, "total": total, "x": x, "width": width})
            x += width
        rows.append({"fiscal_year_id": fy, "fiscal_period": period, "segments": segments,
                     "total": sum(by_status.values()), "end": x})
    return rows
