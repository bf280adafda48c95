"""``/v1/jobs``: the status, progress and result of long work."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from finbatch.api.deps import ReadDb, Reader
from finbatch.api.paging import PageOf, Paging
from finbatch.api.responses import json_response
from finbatch.jobs.repository import JobRepository
from finbatch.jobs.views import JobRead, job_data

router = APIRouter(tags=["jobs"])


@router.get("/jobs", response_model=PageOf[JobRead], summary="Jobs, newest first")
def list_jobs(db: ReadDb, principal: Reader, paging: Paging,
              kind: Annotated[str | None, Query(max_length=32)] = None,
              status: Literal["queued", "running", "succeeded", "failed"] | None = None) -> Response:
    page = JobRepository(db, principal.tenant_id).page(cursor=paging.cursor, limit=paging.limit,
                                                       kind=kind, status=status)
    return json_response({"items": [job_data(j) for j in page.items], "next_cursor": page.next_cursor})


@router.get("/jobs/{job_id}", response_model=JobRead, summary="A job's status, progress and result")
def get_job(job_id: Annotated[str, Path(max_length=64)], db: ReadDb, principal: Reader) -> Response:
    return json_response(job_data(JobRepository(db, principal.tenant_id).require(job_id)))
