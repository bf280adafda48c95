"""Export use cases: request an export, render it in a job, expire old files.

Rules (SPEC §6):
- Journal formats export posted journal entries; a batch without a journal is refused (409).
  ``ym-items`` exports a batch's invoice items once the batch is no longer open.
- An export holds AR batches or AP batches (``batch_kind``); an AP batch exports its posted journal
  (``ledger.ap_posting``) and, once the file is complete, a ``Queued`` one becomes ``Exported``
  with its invoices (Envi's rule, ``payables.batches.export_batch``).
- The export ledger remembers, per batch and format, the journal range each export carried. An
  export without ``force`` carries the entries not yet exported in that format (first time: all;
  after an unposting: the reversing entries, and any new posting). With ``force`` and a ``reason``
  (recorded) it carries the batch's whole journal again.
- The same request for unchanged batches (same format, options and content marks) returns the
  earlier export instead of making a new one.
- The job writes the file under a temporary name, hashing it as it goes, and renames it into
  place when complete; then the export is ``complete`` and its posted batches become ``downloaded``.
  A failure (a writer's validation included) leaves no file and says why.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import ValidationError
from sqlalchemy.orm import Session

from finbatch.batches import service as batches
from finbatch.batches.repository import BatchRepository
from finbatch.batches.service import Actor
from finbatch.events.service import record_change
from finbatch.exports import fast_gl_csv, source
from finbatch.exports.catalog import FORMATS
from finbatch.exports.models import Export, ExportBatch
from finbatch.exports.repository import ExportRepository
from finbatch.exports.storage import storage_for
from finbatch.exports.writers.base import ExportRejected
from finbatch.exports.writers.registry import writer_for
from finbatch.jobs import queue
from finbatch.jobs.worker import JobContext, Permanent, register
from finbatch.kit.clock import utcnow
from finbatch.kit.errors import Conflict, ErrorList, FieldError, ValidationFailed
from finbatch.kit.ids import uuid7
from finbatch.kit.jsonutil import dumps
from finbatch.ledger import posting
from finbatch.payables import batches as ap_batches
from finbatch.payables.repository import ApBatchRepository
from finbatch.payables.stamps import Actor as ApActor
from finbatch.tenancy.auth import TenantContext

SYSTEM = Actor("system:export")
MAX_BATCHES = 100
LIVE = ("queued", "running", "complete")


def is_journal_format(fmt: str) -> bool:
    return writer_for(fmt).source == "journal"


@dataclass(slots=True)
class BatchRef:
    """What an export needs of a batch, AR or AP."""

    id: str
    name: str
    business_unit_id: str
    status: str
    version: int
    kind: str


def _lock_batches(session: Session, tenant_id: int, ids: list[str], kind: str) -> dict[str, BatchRef]:
    """The named batches of ``kind``, locked; ``ValidationFailed`` naming any unknown id."""
    found: dict[str, BatchRef] = {}
    if kind == "ap":
        repo = ApBatchRepository(session, tenant_id)
        for batch_id in ids:
            batch = repo.get_for_update(batch_id)
            if batch is not None:
                found[batch_id] = BatchRef(batch.id, batch.batch_no, "AP", batch.status,
                                           batch.version, "ap")
    else:
        existing = {b.id for b in BatchRepository(session, tenant_id).many(ids)}
        for batch_id in ids:
            if batch_id in existing:
                batch = batches.require_batch(session, tenant_id, batch_id, for_update=True)
                found[batch_id] = BatchRef(batch.id, batch.name, batch.business_unit_id,
                                           batch.status, batch.version, "ar")
    unknown = [b for b in ids if b not in found]
    if unknown:
        field = "ap_batch_ids" if kind == "ap" else "batch_ids"
        raise ValidationFailed.single(field, f"no such batch: {', '.join(unknown)}", "unknown")
    return found


def request_export(session: Session, tenant: TenantContext, *, batch_ids: list[str], fmt: str,
                   force: bool = False, reason: str | None = None,
                   options: dict[str, Any] | None = None, actor: Actor,
                   batch_kind: str = "ar", record_execution: bool = True) -> tuple[Export, bool]:
    """The export for this request: an earlier one with the same content, or a new queued one.
    Returns it and whether it is new. ``record_execution=False`` leaves the batches'
    ``downloading_workflow_execution_id`` alone (a companion export of another one)."""
    options = dict(options or {})
    errors = ErrorList()
    if fmt not in FORMATS:
        errors.add("format", f"must be one of {', '.join(FORMATS)}", "unknown_format")
    if not batch_ids:
        errors.add("batch_ids", "name at least one batch", "required")
    elif len(batch_ids) > MAX_BATCHES:
        errors.add("batch_ids", f"at most {MAX_BATCHES} batches", "too_many")
    if len(set(batch_ids)) != len(batch_ids):
        errors.add("batch_ids", "names a batch twice", "duplicate")
    if force and not (reason or "").strip():
        errors.add("reason", "a forced re-export needs a reason (it is recorded)", "required")
    if reason is not None and len(reason) > 1000:
        errors.add("reason", "must be at most 1000 characters", "too_long")
    errors.raise_if_any()
    writer = writer_for(fmt)
    try:
        # canonical options (defaults filled in): the same request spelled two ways is one request
        options = writer.Options.model_validate(options).model_dump(mode="json")
    except ValidationError as exc:
        raise ValidationFailed("invalid export options", errors=[
            FieldError("options." + ".".join(str(p) for p in err["loc"]), err["msg"], err["type"])
            for err in exc.errors()]) from None
    if batch_kind == "ap" and writer.source != "journal":
        raise ValidationFailed.single("format", f"{fmt} exports AR invoice items; AP batches export "
                                      "their journal", "unsupported_format")
    found = _lock_batches(session, tenant.id, batch_ids, batch_kind)
    exports = ExportRepository(session, tenant.id)
    plan = [_plan_batch(exports, found[batch_id], position, writer.source, fmt, force)
            for position, batch_id in enumerate(batch_ids)]
    fingerprint = hashlib.sha256(dumps(
        [fmt, batch_kind, options, [(p["batch_id"], p["content_mark"]) for p in plan]])).hexdigest()
    if not force:
        earlier = exports.by_fingerprint(fingerprint, LIVE)
        if earlier is not None:
            return earlier, False
        empty = [p["batch_id"] for p in plan if p["entry_count"] == 0]
        if writer.source == "journal" and len(empty) == len(plan):
            raise Conflict(f"nothing new to export to {fmt}: the journal of "
                           f"{', '.join(empty)} was exported in that format already; force a "
                           "re-export with a reason to produce it again", code="NOTHING_TO_EXPORT")
    export_id = uuid7()
    now = utcnow()
    export = Export(tenant_id=tenant.id, id=export_id, format=fmt, batch_kind=batch_kind,
                    status="queued", batch_ids=list(batch_ids), options=options, force=force,
                    reason=reason if force else None, fingerprint=fingerprint,
                    requested_by=actor.name, created_at=now)
    session.add(export)
    session.flush()
    for item in plan:
        session.add(ExportBatch(tenant_id=tenant.id, export_id=export_id, batch_kind=batch_kind,
                                **item))
    if batch_kind == "ar" and record_execution:
        for batch_id in batch_ids:
            batches.set_execution(session, batches.require_batch(session, tenant.id, batch_id),
                                  "downloading_workflow_execution_id", export_id, actor)
    total = sum(p["entry_count"] or 0 for p in plan)
    queue.enqueue(session, tenant_id=tenant.id, kind="export", job_id=export_id,
                  payload={"export_id": export_id}, actor=actor.name, total=total)
    _record(session, export, "created", actor)
    return export, True


def _plan_batch(exports: ExportRepository, batch: BatchRef, position: int, kind: str, fmt: str,
                force: bool) -> dict[str, Any]:
    base = {"batch_id": batch.id, "position": position, "batch_version": batch.version}
    if kind == "items":
        if batch.status == "open":
            raise Conflict(f"batch {batch.id} is open: close it before exporting its items",
                           code="BATCH_NOT_EXPORTABLE")
        count = exports.items_mark(batch.id)
        return {**base, "content_mark": count, "from_entry_id": None, "through_entry_id": None,
                "entry_count": int(count.split(":")[0])}
    through, total = exports.journal_mark(batch.id)
    if through is None:
        noun = "AP batch" if batch.kind == "ap" else "batch"
        raise Conflict(f"{noun} {batch.id} ({batch.name}) is {batch.status} and has no journal: "
                       "post it before exporting it", code="BATCH_NOT_EXPORTABLE",
                       extra={"batch_status": batch.status})
    after = None if force else exports.last_through(batch.id, fmt)
    count = total if after is None else exports.entries_between(batch.id, after, through)
    return {**base, "content_mark": through, "from_entry_id": after, "through_entry_id": through,
            "entry_count": count}


# --- the job -------------------------------------------------------------------------------------

class _HashingFile:
    """Counts and hashes what a writer writes on its way to the file."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.raw.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self.raw.flush()


def file_stem(tenant: TenantContext, export: Export, first_batch: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", first_batch).strip("-")[:60] or "batch"
    return f"{tenant.slug}-{export.format}-{safe}-{export.id[:8]}"


class ExportJob:
    def run(self, ctx: JobContext) -> dict[str, Any]:
        tid = ctx.tenant.id
        export_id = ctx.payload["export_id"]
        with ctx.db.unit_of_work() as session:
            export = ExportRepository(session, tid).require(export_id)
            export.status, export.started_at = "running", export.started_at or utcnow()
        storage = storage_for(ctx.db.settings)
        workdir = Path(tempfile.mkdtemp(prefix="finbatch-export-"))
        temp: Path | None = None
        try:
            with ctx.db.reading() as session:
                export = ExportRepository(session, tid).require(export_id)
                ledger = ExportRepository(session, tid).ledger(export_id)
                batch_rows = _batch_refs(session, tid, export)
                writer_class = writer_for(export.format)
                context = source.context(session, ctx.tenant, export.options, workdir)
                key = f"{tid}/{export_id}/{export.format}"
                temp = storage.temp_path(key, ctx.attempts)
                with open(temp, "wb") as raw:
                    out = _HashingFile(raw)
                    writer = writer_class(out, context)
                    rows = self._render(ctx, session, writer, ledger, batch_rows, out)
                    out.flush()
                stem = file_stem(ctx.tenant, export, batch_rows[export.batch_ids[0]].name)
                # read after end(): a writer may change them (Xero's split becomes a zip)
                name, media_type = writer.file_name(stem), writer.media_type
        except BaseException as exc:
            if temp is not None:
                storage.discard(temp)  # never leave a partial file behind
            if isinstance(exc, ExportRejected):
                raise Permanent(str(exc)) from exc
            raise
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        storage_key = f"{tid}/{export_id}/{name}"
        storage.commit(temp, storage_key)
        with ctx.db.unit_of_work() as session:
            export = ExportRepository(session, tid).require(export_id, for_update=True)
            now = utcnow()
            export.status, export.completed_at = "complete", now
            export.expires_at = now + timedelta(days=ctx.db.settings.export_retention_days)
            export.row_count, export.byte_size = rows, out.size
            export.sha256, export.file_name = out.sha256.hexdigest(), name
            export.media_type, export.storage_key = media_type, storage_key
            for batch_id in export.batch_ids:
                _mark_exported(session, ctx.tenant, export, batch_id)
            session.flush()
            _record(session, export, "status_changed", SYSTEM)
        return {"export_id": export_id, "rows": rows, "bytes": out.size,
                "sha256": out.sha256.hexdigest(), "file_name": name}

    def _render(self, ctx: JobContext, session: Session, writer, ledger: list[ExportBatch],
                batch_rows: dict[str, BatchRef], out: _HashingFile) -> int:
        tid = ctx.tenant.id
        if fast_gl_csv.applies(writer):
            return fast_gl_csv.render(session, ctx, writer, ledger, batch_rows, out)
        writer.begin()
        done = 0
        for item in ledger:
            batch = batch_rows[item.batch_id]
            records = (source.items(session, tid, batch) if writer.source == "items" else
                       source.journal(session, tid, batch, item.from_entry_id, item.through_entry_id))
            for record in records:
                (writer.item if writer.source == "items" else writer.entry)(record)
                done += 1
                if done % 20000 == 0:
                    with ctx.db.unit_of_work() as progress_session:
                        ctx.progress(progress_session, done=done)
        writer.end()
        return writer.rows

    def give_up(self, ctx: JobContext, error: str) -> None:
        with ctx.db.unit_of_work() as session:
            export = ExportRepository(session, ctx.tenant.id).get(ctx.payload["export_id"])
            if export is not None:
                export.status, export.failure_reason = "failed", error[:4000]
                export.completed_at = utcnow()
                session.flush()
                _record(session, export, "status_changed", SYSTEM)


def _batch_refs(session: Session, tenant_id: int, export: Export) -> dict[str, BatchRef]:
    if export.batch_kind == "ap":
        repo = ApBatchRepository(session, tenant_id)
        return {b: BatchRef(row.id, row.batch_no, "AP", row.status, row.version, "ap")
                for b in export.batch_ids if (row := repo.get(b)) is not None}
    return {b.id: BatchRef(b.id, b.name, b.business_unit_id, b.status, b.version, "ar")
            for b in BatchRepository(session, tenant_id).many(export.batch_ids)}


def _mark_exported(session: Session, tenant: TenantContext, export: Export, batch_id: str) -> None:
    """A finished export moves a posted AR batch to ``downloaded`` and a queued AP batch to
    ``Exported`` (with its invoices)."""
    if export.batch_kind == "ap":
        batch = ApBatchRepository(session, tenant.id).get_for_update(batch_id)
        if batch is not None and batch.status != "Exported":
            ap_batches.export_batch(session, tenant_id=tenant.id, batch_id=batch_id,
                                    actor=ApActor.system(SYSTEM.name))
        return
    batch = batches.require_batch(session, tenant.id, batch_id, for_update=True)
    if batch.status == "posted":
        # the export recorded when it was requested stays: of two overlapping exports the later
        # request is the batch's last download, and a companion export (a download's source
        # JSON) finishing first must not take the place of the file it accompanies
        batches.apply_action(session, tenant, batch, "download", SYSTEM, internal=True,
                             downloading_workflow_execution_id=(
                                 batch.downloading_workflow_execution_id or export.id))


def expire_exports(session: Session, settings, tenant_id: int) -> int:
    """Delete the files of exports past their retention; they become ``expired``."""
    storage = storage_for(settings)
    expired = 0
    for export in ExportRepository(session, tenant_id).due_to_expire(utcnow()):
        if export.storage_key:
            storage.delete(export.storage_key)
        export.status = "expired"
        expired += 1
        _record(session, export, "status_changed", SYSTEM)
    session.flush()
    return expired


def _record(session: Session, export: Export, event_type: str, actor: Actor) -> None:
    record_change(session, tenant_id=export.tenant_id, type=event_type, record_kind="export",
                  record_id=export.id, actor=actor.name,
                  data={"id": export.id, "format": export.format, "status": export.status,
                        "batch_kind": export.batch_kind,
                        "batch_ids": export.batch_ids, "force": export.force,
                        "reason": export.reason, "sha256": export.sha256,
                        "failure_reason": export.failure_reason})


register("export", ExportJob())
posting.EXPORT_CHECKS.append(
    lambda session, batch: ExportRepository(session, batch.tenant_id).was_exported(batch.id))
