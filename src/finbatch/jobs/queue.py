"""The job queue: enqueue in the caller's transaction, claim with a lease, finish or retry.

Claiming: PostgreSQL takes the oldest due job with ``FOR UPDATE SKIP LOCKED``, so any number of
workers claim concurrently and never the same job; SQLite serialises claimers with ``BEGIN
IMMEDIATE``. A claimed job carries a lease that the running worker extends (heartbeat); a job whose
lease expired (its worker died) is due again and is claimed by the next worker, with its attempt
counted. Every state change is conditional on ``locked_by``, so a worker that lost its lease cannot
overwrite the new owner's work.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from finbatch.jobs.models import Job
from finbatch.kit.clock import utcnow
from finbatch.kit.ids import uuid7

DEFAULT_LEASE = timedelta(seconds=30)


def enqueue(session: Session, *, tenant_id: int, kind: str, payload: dict[str, Any],
            actor: str, total: int = 0, max_attempts: int = 5,
            run_after: datetime | None = None, job_id: str | None = None) -> Job:
    """Add a job in the caller's unit of work: it exists if and only if that work commits."""
    now = utcnow()
    job = Job(tenant_id=tenant_id, id=job_id or uuid7(), kind=kind, status="queued",
              payload=payload, progress_done=0, progress_total=total, attempts=0,
              max_attempts=max_attempts, run_after=run_after or now, created_by=actor,
              created_at=now, updated_at=now)
    session.add(job)
    session.flush()
    return job


def _due(now: datetime):
    return or_(and_(Job.status == "queued", Job.run_after <= now),
               and_(Job.status == "running", Job.lease_expires_at < now))


def claim(session: Session, worker: str, *, lease: timedelta = DEFAULT_LEASE,
          kinds: list[str] | None = None, job_id: str | None = None,
          tenant_id: int | None = None) -> Job | None:
    """Take the oldest due job (or the named one) and lease it to ``worker``. The caller commits."""
    now = utcnow()
    stmt = select(Job.tenant_id, Job.id).where(_due(now))
    if kinds:
        stmt = stmt.where(Job.kind.in_(kinds))
    if job_id is not None:
        stmt = stmt.where(Job.id == job_id, Job.tenant_id == tenant_id)
    stmt = stmt.order_by(Job.run_after, Job.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    row = session.execute(stmt).first()
    if row is None:
        return None
    session.execute(update(Job).where(Job.tenant_id == row.tenant_id, Job.id == row.id).values(
        status="running", locked_by=worker, lease_expires_at=now + lease,
        attempts=Job.attempts + 1, updated_at=now))
    job = session.get(Job, (row.tenant_id, row.id), populate_existing=True)
    if job.started_at is None:
        job.started_at = now
    session.flush()
    return job


def heartbeat(session: Session, job: Job, worker: str, *, lease: timedelta = DEFAULT_LEASE) -> bool:
    """Extend the lease; ``False`` when the job is no longer ours (lease lost)."""
    now = utcnow()
    result = session.execute(update(Job).where(
        Job.tenant_id == job.tenant_id, Job.id == job.id, Job.locked_by == worker,
        Job.status == "running").values(lease_expires_at=now + lease, updated_at=now))
    return result.rowcount == 1


def record_progress(session: Session, job: Job, worker: str, *, done: int, total: int | None = None,
                    checkpoint: str | None = None) -> bool:
    """Progress (and the resume point) in the caller's unit of work; ``False`` if not ours."""
    values: dict[str, Any] = {"progress_done": done, "updated_at": utcnow()}
    if total is not None:
        values["progress_total"] = total
    if checkpoint is not None:
        values["checkpoint"] = checkpoint
    result = session.execute(update(Job).where(
        Job.tenant_id == job.tenant_id, Job.id == job.id, Job.locked_by == worker,
        Job.status == "running").values(**values))
    return result.rowcount == 1


def finish(session: Session, job: Job, worker: str, result: dict[str, Any] | None) -> bool:
    now = utcnow()
    done = session.execute(update(Job).where(
        Job.tenant_id == job.tenant_id, Job.id == job.id, Job.locked_by == worker,
        Job.status == "running").values(
        status="succeeded", result=result, finished_at=now, lease_expires_at=None,
        updated_at=now, progress_done=Job.progress_total))
    return done.rowcount == 1


def fail(session: Session, job: Job, worker: str, error: str, *, retry_in: timedelta | None,
         result: dict[str, Any] | None = None) -> str:
    """Record a failed attempt: back to the queue after ``retry_in``, or ``failed`` for good.
    Returns the job's new status ('' if the job was not ours any more)."""
    now = utcnow()
    status = "queued" if retry_in is not None else "failed"
    values: dict[str, Any] = {"status": status, "last_error": error[:4000], "locked_by": None,
                              "lease_expires_at": None, "updated_at": now}
    if retry_in is not None:
        values["run_after"] = now + retry_in
    else:
        values["finished_at"] = now
        values["result"] = result
    done = session.execute(update(Job).where(
        Job.tenant_id == job.tenant_id, Job.id == job.id, Job.locked_by == worker,
        Job.status == "running").values(**values))
    return status if done.rowcount == 1 else ""
