"""Rhythm's executions: the request body that starts one, the envelope that answers it, and the
status document of ``GET /batchPosting/{tenantId}/executions/{executionArn}``.

Design (``dialects/rhythm.md``; Rhythm runs these as state machine executions, we run jobs):
- The body is ``{business_unit_id, batch_ids[]}``: at most 100 ids matching ``[\\w|-]+``, a batch
  named twice counts once. Whether the unit and batches exist, belong together and may move is
  the core's to say (``batches.selection``, the lifecycle).
- ``executionArn`` names the core's jobs: a one-batch posting or unposting is exactly its job id
  (the batch's ``posting_``/``unposting_workflow_execution_id``); the core posts one job per batch,
  so several batches give their job ids joined by commas. A download names its export in the
  business unit's format, then, after a comma, the ``gl-json`` export of the same journal that is
  its source JSON (one id when the unit's format is ``gl-json`` itself).
- Status uses Step Functions' names: ``RUNNING`` (a job queued or running), ``SUCCEEDED`` (all
  done), ``FAILED`` (any failed; ``error`` says why). A finished download carries ``uri`` and
  ``sourceUri``: signed URLs that need no token, valid ``URL_TTL``.
- The notification fields are null: finbatch has no event stream to publish executions to.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from finbatch.db import Database
from finbatch.dialects.rhythm.wire import is_id, require_object
from finbatch.exports import signing
from finbatch.exports.models import Export
from finbatch.exports.repository import ExportRepository
from finbatch.jobs.models import Job
from finbatch.jobs.repository import JobRepository
from finbatch.kit.errors import ErrorList, NotFound, ValidationFailed
from finbatch.kit.ids import is_uuid

MAX_BATCHES = 100
#: Rhythm's download links live 15 minutes (its ``batches-downloaded`` event).
URL_TTL = timedelta(minutes=15)
SOURCE_FORMAT = "gl-json"
TYPES = {"post_batch": "posting", "unpost_batch": "unposting", "export": "downloading"}


def batch_request(body: Any, *, allow_empty: bool = False) -> tuple[str, list[str]]:
    """``(business_unit_id, batch_ids)`` of a posting, unposting, download or preview body;
    ``ValidationFailed`` (Rhythm's 400) naming each bad field."""
    body = require_object(body)
    errors = ErrorList()
    unit = body.get("business_unit_id")
    if not isinstance(unit, str) or not 1 <= len(unit) <= 64:
        errors.add("business_unit_id", "is required: a string of 1 to 64 characters", "required")
    ids = body.get("batch_ids")
    if (not isinstance(ids, list) or len(ids) > MAX_BATCHES
            or not all(is_id(item) for item in ids)):
        errors.add("batch_ids", f"must be a list of at most {MAX_BATCHES} batch ids matching "
                                "[\\w|-]+", "invalid")
    elif not ids and not allow_empty:
        errors.add("batch_ids", "name at least one batch", "required")
    if errors.errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors.errors),
                               errors=errors.errors)
    return unit, list(dict.fromkeys(ids))


def envelope(arn: str, start: Any) -> dict[str, Any]:
    """What a request that starts an execution answers."""
    return {"executionArn": arn, "start_date": start, "notification_publishKey": None,
            "notification_subscribeKey": None, "notification_channel": None}


def arn_of(job_ids: list[str]) -> str:
    return ",".join(job_ids)


def _jobs(session: Session, tenant_id: int, arn: str) -> list[Job]:
    """The jobs ``arn`` names, all of one execution type; ``NotFound`` for anything else."""
    ids = arn.split(",")
    missing = NotFound(f"execution '{arn[:200]}' was not found", code="EXECUTION_NOT_FOUND")
    if not 1 <= len(ids) <= MAX_BATCHES + 1 or not all(is_uuid(i) for i in ids):
        raise missing
    repo = JobRepository(session, tenant_id)
    jobs: list[Job] = []
    for job_id in dict.fromkeys(ids):
        job = repo.get(job_id)
        if job is None or job.kind not in TYPES:
            raise missing  # another tenant's, or a job that is no execution (a probe, AP posting)
        jobs.append(job)
    if len({TYPES[job.kind] for job in jobs}) != 1:
        raise missing  # ids of different executions pasted together
    return jobs


def _status(jobs: list[Job]) -> str:
    statuses = {job.status for job in jobs}
    if "failed" in statuses:
        return "FAILED"
    return "SUCCEEDED" if statuses == {"succeeded"} else "RUNNING"


def status_document(database: Database, session: Session, tenant_id: int, arn: str,
                    url_base: str) -> dict[str, Any]:
    """The execution's status, its batches and, for a finished download, its signed URLs."""
    jobs = _jobs(session, tenant_id, arn)
    status = _status(jobs)
    kind = TYPES[jobs[0].kind]
    exports: list[Export] = []
    if kind == "downloading":
        repo = ExportRepository(session, tenant_id)
        exports = [e for job in jobs if (e := repo.get(job.payload.get("export_id"))) is not None]
        if len(exports) != len(jobs) or any(e.batch_kind != "ar" for e in exports):
            # an AP batch's export is Envi's business, not a Rhythm download
            raise NotFound(f"execution '{arn[:200]}' was not found", code="EXECUTION_NOT_FOUND")
        batch_ids = [b for export in exports for b in export.batch_ids]
    else:
        batch_ids = [job.payload.get("batch_id") for job in jobs]
    errors = [job.last_error for job in jobs if job.status == "failed" and job.last_error]
    doc: dict[str, Any] = {
        "executionArn": arn, "type": kind, "status": status,
        "start_date": min(job.created_at for job in jobs),
        "stop_date": max(job.finished_at for job in jobs) if status != "RUNNING" and all(
            job.finished_at for job in jobs) else None,
        "batch_ids": list(dict.fromkeys(batch_ids)),
        "error": "; ".join(errors) or None,
    }
    if kind == "downloading":
        doc.update(_links(database, tenant_id, exports, url_base))
    return doc


def _links(database: Database, tenant_id: int, exports: list[Export],
           url_base: str) -> dict[str, Any]:
    def url(export: Export | None) -> tuple[str | None, Any]:
        if export is None or export.status != "complete":
            return None, None
        return signing.signed_url(database, url_base, tenant_id, export.id, ttl=URL_TTL)

    source = next((e for e in exports if e.format == SOURCE_FORMAT), None)
    uri, expires = url(exports[0] if exports else None)
    source_uri, _ = url(source)
    return {"format": exports[0].format if exports else None, "uri": uri,
            "sourceUri": source_uri, "expires_at": expires}
