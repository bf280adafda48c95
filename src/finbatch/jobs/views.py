"""How a job looks on ``/v1/jobs``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from finbatch.jobs.models import Job


class JobProgress(BaseModel):
    done: int
    total: int


class JobRead(BaseModel):
    id: str
    kind: str
    status: Literal["queued", "running", "succeeded", "failed"]
    progress: JobProgress
    result: dict[str, Any] | None
    attempts: int
    max_attempts: int
    last_error: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    payload: dict[str, Any]


def job_data(job: Job) -> dict[str, Any]:
    return {"id": job.id, "kind": job.kind, "status": job.status,
            "progress": {"done": job.progress_done, "total": job.progress_total},
            "result": job.result, "attempts": job.attempts, "max_attempts": job.max_attempts,
            "last_error": job.last_error, "created_by": job.created_by,
            "created_at": job.created_at, "started_at": job.started_at,
            "finished_at": job.finished_at, "payload": job.payload or {}}
