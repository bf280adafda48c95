"""Workers: claim a job, keep its lease alive, run its handler, record the outcome.

A handler is registered per job kind. ``run(ctx)`` does the work, committing its own units of work
and reporting progress (with a resume point) through ``ctx.progress`` inside them; it returns the
job's result. ``give_up(ctx, error)`` runs when the job fails for good, to undo what it began
(e.g. remove a failed posting's lines and put the batch in ``error``).

Failures: a ``FinbatchError`` (a rule said no) or ``Permanent`` fails the job at once; any other
exception is retried with exponential backoff until ``max_attempts``. A job whose worker died is
claimed again when its lease expires; past ``max_attempts`` it is failed and given up on.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from finbatch.db import Database, is_busy_error
from finbatch.jobs import queue
from finbatch.jobs.models import Job
from finbatch.kit.errors import FinbatchError
from finbatch.tenancy import repository as tenancy_repo
from finbatch.tenancy.auth import TenantContext

log = logging.getLogger("finbatch.jobs")


class Permanent(Exception):
    """A failure that retrying cannot fix."""


class LeaseLost(Exception):
    """Another worker owns the job now (ours expired): stop without touching it."""


@dataclass(slots=True)
class JobContext:
    db: Database
    worker: str
    job_id: str
    tenant: TenantContext
    kind: str
    payload: dict[str, Any]
    checkpoint: str | None
    done: int
    total: int
    attempts: int
    lost: threading.Event = field(default_factory=threading.Event)
    #: What went wrong, for the handler's ``give_up`` (set from a failure carrying ``detail``).
    failure: dict[str, Any] | None = None
    #: Called with (done, total) after each recorded step (the CLI draws its progress bar).
    on_progress: Callable[[int, int], None] | None = None

    def progress(self, session: Session, *, done: int, total: int | None = None,
                 checkpoint: str | None = None) -> None:
        """Record progress in ``session`` (the step's own unit of work, so the resume point
        commits with the work); raises ``LeaseLost`` when the job is no longer ours."""
        if self.lost.is_set() or not queue.record_progress(
                session, _ref(self), self.worker, done=done, total=total, checkpoint=checkpoint):
            raise LeaseLost(self.job_id)
        self.done = done
        if total is not None:
            self.total = total
        if checkpoint is not None:
            self.checkpoint = checkpoint
        if self.on_progress:
            self.on_progress(self.done, self.total)


def _ref(ctx: JobContext) -> Job:
    return Job(tenant_id=ctx.tenant.id, id=ctx.job_id)


class Handler(Protocol):
    def run(self, ctx: JobContext) -> dict[str, Any] | None: ...

    def give_up(self, ctx: JobContext, error: str) -> None: ...


HANDLERS: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    HANDLERS[kind] = handler


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


class Worker:
    def __init__(self, db: Database, *, name: str | None = None, lease: timedelta = queue.DEFAULT_LEASE,
                 poll_seconds: float = 0.5, kinds: list[str] | None = None) -> None:
        self.db = db
        self.name = name or worker_name()
        self.lease = lease
        self.poll_seconds = poll_seconds
        self.kinds = kinds or list(HANDLERS)

    def run_one(self, *, job_id: str | None = None, tenant_id: int | None = None,
                on_progress: Callable[[int, int], None] | None = None) -> bool:
        """Claim and run one due job (or the named one); ``False`` when none was due."""
        try:
            with self.db.unit_of_work() as session:
                job = queue.claim(session, self.name, lease=self.lease, kinds=self.kinds,
                                  job_id=job_id, tenant_id=tenant_id)
                if job is None:
                    return False
                tenant = tenancy_repo.tenant_by_id(session, job.tenant_id)
                ctx = JobContext(self.db, self.name, job.id, TenantContext.of(tenant), job.kind,
                                 dict(job.payload or {}), job.checkpoint, job.progress_done,
                                 job.progress_total, job.attempts, on_progress=on_progress)
                max_attempts = job.max_attempts
        except Exception as exc:  # a busy database: try again next round
            if is_busy_error(exc):
                return False
            raise
        self._execute(ctx, max_attempts)
        return True

    def drain(self, *, limit: int = 10_000) -> int:
        """Run due jobs until none is left (tests, the CLI)."""
        ran = 0
        while ran < limit and self.run_one():
            ran += 1
        return ran

    def run_forever(self, stop: threading.Event) -> None:
        log.info("worker %s started", self.name)
        while not stop.is_set():
            try:
                worked = self.run_one()
            except Exception:  # keep serving; the job's own record says why
                log.exception("worker %s: unexpected error", self.name)
                worked = False
            if not worked:
                stop.wait(self.poll_seconds)
        log.info("worker %s stopped", self.name)

    # --- running one job ---

    def _execute(self, ctx: JobContext, max_attempts: int) -> None:
        handler = HANDLERS.get(ctx.kind)
        if handler is None:
            self._finish_failed(ctx, None, f"no handler for job kind '{ctx.kind}'")
            return
        if ctx.attempts > max_attempts:
            self._finish_failed(ctx, handler, f"gave up after {max_attempts} attempts "
                                              "(the job's worker stopped repeatedly)")
            return
        stopped = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(ctx, stopped), daemon=True,
                                name=f"heartbeat-{ctx.job_id[:8]}")
        beat.start()
        try:
            result = handler.run(ctx)
        except LeaseLost:
            log.warning("job %s: lease lost, leaving it to its new owner", ctx.job_id)
            return
        except (FinbatchError, Permanent) as exc:
            ctx.failure = getattr(exc, "detail", None)
            self._finish_failed(ctx, handler, str(exc))
            return
        except Exception as exc:  # retried with backoff
            log.exception("job %s (%s) attempt %d failed", ctx.job_id, ctx.kind, ctx.attempts)
            if ctx.attempts >= max_attempts:
                self._finish_failed(ctx, handler, f"{type(exc).__name__}: {exc}")
            else:
                with self.db.unit_of_work() as session:
                    queue.fail(session, _ref(ctx), self.name, f"{type(exc).__name__}: {exc}",
                               retry_in=timedelta(seconds=min(300, 2 ** ctx.attempts)))
            return
        finally:
            stopped.set()
            beat.join(timeout=10)
        with self.db.unit_of_work() as session:
            queue.finish(session, _ref(ctx), self.name, result)

    def _finish_failed(self, ctx: JobContext, handler: Handler | None, error: str) -> None:
        if handler is not None:
            handler.give_up(ctx, error)
        with self.db.unit_of_work() as session:
            queue.fail(session, _ref(ctx), self.name, error, retry_in=None,
                       result={"error": error})

    def _heartbeat(self, ctx: JobContext, stopped: threading.Event) -> None:
        interval = max(0.2, self.lease.total_seconds() / 3)
        while not stopped.wait(interval):
            try:
                with self.db.unit_of_work() as session:
                    if not queue.heartbeat(session, _ref(ctx), self.name, lease=self.lease):
                        ctx.lost.set()
                        return
            except Exception:  # a missed beat is retried; the lease is 3 beats long
                log.warning("job %s: heartbeat failed", ctx.job_id, exc_info=True)

def start_embedded(db: Database, count: int, *, lease: timedelta = queue.DEFAULT_LEASE
                   ) -> tuple[list[threading.Thread], threading.Event]:
    """Worker threads (inside ``finbatch serve``, or the ``finbatch worker`` process)."""
    stop = threading.Event()
    threads = []
    for n in range(count):
        worker = Worker(db, name=f"{worker_name()}:w{n}", lease=lease)
        thread = threading.Thread(target=worker.run_forever, args=(stop,), daemon=True,
                                  name=f"finbatch-worker-{n}")
        thread.start()
        threads.append(thread)
    return threads, stop


__all__ = ["HANDLERS", "JobContext", "LeaseLost", "Permanent", "Worker", "register",
           "start_embedded"]
