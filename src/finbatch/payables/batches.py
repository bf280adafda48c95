"""AP batches: the lifecycle every API drives (Envi's ``SubmitToQueued`` and ``Export``, the
native actions), checked against one transition table.

Statuses: ``Pending`` (new) → ``Queued`` (waiting for a scheduled export) → ``Exported``. The
allowed moves are exactly ``TRANSITIONS`` (dialects/envi.md): Pending → Queued, Pending →
Exported, Queued → Exported, and Exported → Queued (queued again for a scheduled re-export).

Rules:
- ``batch_no`` is unique per tenant; without one the batch is numbered ``AP000001``, ….
- Invoices join a batch while it is ``Pending`` or ``Queued``; only a ``Vouchered`` invoice can
  join (it becomes ``Batched``; the seed's message ``Invoice is NOT in the Vouchered status``
  otherwise). A ``Batched`` invoice can leave again (back to ``Vouchered``).
- Export needs at least one invoice (the seed's ``This Batch cannot be exported because it does
  not contain any invoice.``); it makes the batch's invoices ``Exported``, stamps
  ``last_exported_at`` and clears ``is_scheduled_exporting``. Queueing sets that flag.
- Queueing a batch that is already ``Queued`` is the seed's ``Specified batch exists in the
  Queued status.``; every other move outside the table names both states.
- ``total`` and ``invoice_count`` are always read from the invoices, never stored.
- Every change locks the batch row first, then its invoices in id order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping
from sqlalchemy.orm import Session

from finbatch import counters
from finbatch.events.service import record_change
from finbatch.kit import validate
from finbatch.kit.clock import iso_utc, utcnow
from finbatch.kit.errors import Conflict, ErrorList, FieldError, InvalidTransition, NotFound
from finbatch.kit.ids import uuid7
from finbatch.kit.money import format_minor
from finbatch.payables.invoices import INVOICE_TRANSITIONS, currency_of
from finbatch.payables.invoices import KIND as INVOICE_KIND
from finbatch.payables.models import ApBatch, MatchedInvoice
from finbatch.payables.reference import CheckVersion
from finbatch.payables.repository import (
    ApBatchRepository,
    MatchedInvoiceRepository,
    batch_view,
)
from finbatch.payables.stamps import Actor, stamp_change, stamp_new

KIND = "ap_batch"
MAX_INVOICES_PER_REQUEST = 1000

#: (from, to) → the action that makes it: the only ways an AP batch's status changes.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("Pending", "Queued"): "submit_to_queued",
    ("Pending", "Exported"): "export",
    ("Queued", "Exported"): "export",
    ("Exported", "Queued"): "submit_to_queued",  # queued again for a scheduled re-export
}
#: Statuses in which invoices may join or leave the batch.
OPEN_STATUSES = ("Pending", "Queued")

NOT_VOUCHERED = "Invoice is NOT in the Vouchered status"
EMPTY_BATCH = "This Batch cannot be exported because it does not contain any invoice."
ALREADY_QUEUED = "Specified batch exists in the Queued status."


def _check_move(batch: ApBatch, to: str) -> None:
    """Check ``batch.status → to`` against ``TRANSITIONS``; raises ``InvalidTransition``."""
    if (batch.status, to) not in TRANSITIONS:
        if batch.status == to == "Queued":
            raise InvalidTransition(ALREADY_QUEUED, code="BATCH_ALREADY_QUEUED")
        raise InvalidTransition(f"AP batch '{batch.batch_no}' cannot go from {batch.status} to "
                                f"{to}", code="INVALID_TRANSITION")


def _invoice_move(invoice: MatchedInvoice, to: str) -> None:
    if (invoice.status, to) not in INVOICE_TRANSITIONS:
        raise AssertionError(f"invoice {invoice.id}: {invoice.status} → {to}")
    invoice.status = to


def _check_text(errors: ErrorList, batch_no: str | None, reference: str | None) -> None:
    if batch_no is not None:
        validate.text(errors, "batch_no", batch_no, max_length=50, required=True)
        if batch_no != batch_no.strip():
            errors.add("batch_no", "must not start or end with spaces", "invalid_characters")
    validate.text(errors, "reference", reference, max_length=200)


def _next_number(session: Session, batches: ApBatchRepository) -> str:
    while True:
        number = f"AP{counters.allocate(session, batches.tenant_id, 'ap_batch_no'):06d}"
        if batches.by_no(number) is None:
            return number


def _changed(session: Session, batch: ApBatch, actor: Actor, event: str) -> None:
    session.flush()
    record_change(session, tenant_id=batch.tenant_id, type=event, record_kind=KIND,
                  record_id=batch.id, actor=actor.label,
                  data=batch_read(session, batch.tenant_id, batch.id))


def create_batch(session: Session, *, tenant_id: int, batch_no: str | None = None,
                 reference: str | None = None, actor: Actor) -> ApBatch:
    """A new ``Pending`` batch. Raises ``ValidationFailed`` and ``Conflict`` (number taken)."""
    errors = ErrorList()
    _check_text(errors, batch_no, reference)
    errors.raise_if_any()
    batches = ApBatchRepository(session, tenant_id)
    if batch_no is None:
        batch_no = _next_number(session, batches)
    elif batches.by_no(batch_no) is not None:
        raise Conflict(f"AP batch number '{batch_no}' already exists", code="ALREADY_EXISTS")
    batch = ApBatch(tenant_id=tenant_id, id=uuid7(), batch_no=batch_no, reference=reference,
                    status="Pending", is_scheduled_exporting=False)
    stamp_new(batch, actor, utcnow())
    batches.add(batch)
    _changed(session, batch, actor, "created")
    return batch


def update_batch(session: Session, *, tenant_id: int, batch_id: str, changes: dict,
                 check_version: CheckVersion, actor: Actor) -> ApBatch:
    """Change the number or reference of a batch that is not ``Exported`` (an exported batch
    is known by them in the ledger it went to)."""
    errors = ErrorList()
    _check_text(errors, changes.get("batch_no"), changes.get("reference"))
    errors.raise_if_any()
    batches = ApBatchRepository(session, tenant_id)
    batch = batches.require(batch_id, for_update=True)
    check_version(batch.version)
    if batch.status == "Exported":
        raise Conflict("an Exported AP batch cannot be changed", code="BATCH_EXPORTED")
    new_no = changes.get("batch_no")
    if new_no is not None and new_no != batch.batch_no:
        if batches.by_no(new_no) is not None:
            raise Conflict(f"AP batch number '{new_no}' already exists", code="ALREADY_EXISTS")
        batch.batch_no = new_no
    if "reference" in changes:
        batch.reference = changes["reference"]
    stamp_change(batch, actor, utcnow())
    _changed(session, batch, actor, "updated")
    return batch


def _open_batch(session: Session, tenant_id: int, batch_id: str) -> ApBatch:
    batch = ApBatchRepository(session, tenant_id).require(batch_id, for_update=True)
    if batch.posted_at is not None or batch.posting_job_id is not None:
        raise Conflict(f"AP batch '{batch.batch_no}' is posted (or being posted): its invoices are "
                       "in the journal and it takes no more", code="BATCH_POSTED")
    if batch.status not in OPEN_STATUSES:
        raise Conflict(f"invoices can join or leave an AP batch only while it is Pending or "
                       f"Queued; batch '{batch.batch_no}' is {batch.status}",
                       code="BATCH_NOT_OPEN")
    return batch


def add_invoices(session: Session, *, tenant_id: int, batch_id: str, invoice_ids: list[str],
                 actor: Actor) -> ApBatch:
    """Put ``Vouchered`` invoices into the batch, all or none.

    Raises ``NotFound`` (batch), ``Conflict`` ``BATCH_NOT_OPEN``, ``ValidationFailed`` (empty,
    repeated or unknown ids) and ``Conflict`` ``INVOICE_NOT_VOUCHERED`` (the seed's message)."""
    errors = ErrorList()
    if not invoice_ids:
        errors.add("invoice_ids", "name at least one invoice", "required")
    elif len(invoice_ids) > MAX_INVOICES_PER_REQUEST:
        errors.add("invoice_ids", f"at most {MAX_INVOICES_PER_REQUEST} invoices per request",
                   "too_many")
    seen: set[str] = set()
    for index, invoice_id in enumerate(invoice_ids):
        if invoice_id.lower() in seen:  # UUIDs compare without regard to case
            errors.add(f"invoice_ids.{index}", f"invoice '{invoice_id}' is named twice",
                       "duplicate")
        seen.add(invoice_id.lower())
    errors.raise_if_any()
    batch = _open_batch(session, tenant_id, batch_id)
    found = MatchedInvoiceRepository(session, tenant_id).lock_many(invoice_ids)
    for index, invoice_id in enumerate(invoice_ids):
        if invoice_id not in found:
            errors.add(f"invoice_ids.{index}", f"no matched invoice has id '{invoice_id}'",
                       "unknown_reference")
    errors.raise_if_any()
    wrong = [FieldError(f"invoice_ids.{index}", f"invoice '{found[i].invoice_no}' is "
                        f"{found[i].status}", "not_vouchered")
             for index, i in enumerate(invoice_ids) if found[i].status != "Vouchered"]
    if wrong:
        raise Conflict(NOT_VOUCHERED, code="INVOICE_NOT_VOUCHERED", errors=wrong)
    now = utcnow()
    for invoice_id in invoice_ids:
        invoice = found[invoice_id]
        _invoice_move(invoice, "Batched")
        invoice.ap_batch_id = batch.id
        invoice.submitted_at, invoice.submitted_by_id = now, actor.id
        invoice.submitted_by_name = actor.name
        stamp_change(invoice, actor, now)
    stamp_change(batch, actor, now)
    session.flush()
    for invoice_id in invoice_ids:
        stored_id = found[invoice_id].id
        record_change(session, tenant_id=tenant_id, type="status_changed",
                      record_kind=INVOICE_KIND, record_id=stored_id, actor=actor.label,
                      data={"id": stored_id, "status": "Batched", "ap_batch_id": batch.id})
    _changed(session, batch, actor, "updated")
    return batch


def remove_invoice(session: Session, *, tenant_id: int, batch_id: str, invoice_id: str,
                   actor: Actor) -> ApBatch:
    """Take a ``Batched`` invoice out of an open batch (it is ``Vouchered`` again). Raises
    ``NotFound`` when the invoice is not in this batch."""
    batch = _open_batch(session, tenant_id, batch_id)
    invoice = MatchedInvoiceRepository(session, tenant_id).get_for_update(invoice_id)
    if invoice is None or invoice.ap_batch_id != batch.id:
        raise NotFound(f"matched invoice '{invoice_id}' is not in AP batch '{batch.batch_no}'")
    if invoice.status != "Batched":
        raise Conflict(f"invoice '{invoice.invoice_no}' was exported with the batch and stays in "
                       "it", code="INVOICE_EXPORTED")
    now = utcnow()
    _invoice_move(invoice, "Vouchered")
    invoice.ap_batch_id = None
    invoice.submitted_at = invoice.submitted_by_id = invoice.submitted_by_name = None
    stamp_change(invoice, actor, now)
    stamp_change(batch, actor, now)
    session.flush()
    record_change(session, tenant_id=tenant_id, type="status_changed", record_kind=INVOICE_KIND,
                  record_id=invoice.id, actor=actor.label,
                  data={"id": invoice.id, "status": "Vouchered", "ap_batch_id": None})
    _changed(session, batch, actor, "updated")
    return batch


def submit_to_queued(session: Session, *, tenant_id: int, batch_id: str,
                     actor: Actor) -> ApBatch:
    """Queue the batch for a scheduled export (Envi ``SubmitToQueued``). Raises ``NotFound``
    and ``InvalidTransition`` (``BATCH_ALREADY_QUEUED`` with the seed's message)."""
    batch = ApBatchRepository(session, tenant_id).require(batch_id, for_update=True)
    _check_move(batch, "Queued")
    batch.status = "Queued"
    batch.is_scheduled_exporting = True
    stamp_change(batch, actor, utcnow())
    _changed(session, batch, actor, "status_changed")
    return batch


def export_batch(session: Session, *, tenant_id: int, batch_id: str, actor: Actor) -> ApBatch:
    """Mark the batch ``Exported`` with its invoices (Envi ``Export``). Raises ``NotFound``,
    ``InvalidTransition`` and ``Conflict`` ``BATCH_EMPTY`` (the seed's message).

    The export engine, once it exists, writes the file from
    ``finbatch.payables.posting_source.batch_invoices`` and calls this in the same unit of work.
    """
    batch = ApBatchRepository(session, tenant_id).require(batch_id, for_update=True)
    _check_move(batch, "Exported")
    invoices = MatchedInvoiceRepository(session, tenant_id)
    if invoices.count_in_batch(batch.id) == 0:
        raise Conflict(EMPTY_BATCH, code="BATCH_EMPTY")
    now = utcnow()
    batch.status = "Exported"
    batch.is_scheduled_exporting = False
    batch.last_exported_at = now
    stamp_change(batch, actor, now)
    exported = invoices.mark_batch_exported(batch.id, values={
        "updated_at": now, "updated_by_id": actor.id, "updated_by_name": actor.name})
    for invoice_id in exported:
        record_change(session, tenant_id=tenant_id, type="status_changed",
                      record_kind=INVOICE_KIND, record_id=invoice_id, actor=actor.label,
                      data={"id": invoice_id, "status": "Exported", "ap_batch_id": batch.id})
    _changed(session, batch, actor, "status_changed")
    return batch


# --- reading -------------------------------------------------------------------------------------

def read_batch(row: RowMapping, currency: str) -> dict[str, Any]:
    """The native shape of one row of ``batch_view``."""
    return {
        "id": row["id"], "batch_no": row["batch_no"], "reference": row["reference"],
        "status": row["status"], "status_id": row["status_id"],
        "batch_total": format_minor(row["total"], currency),
        "invoice_count": row["invoice_count"],
        "is_scheduled_exporting": row["is_scheduled_exporting"],
        "last_exported_at": iso_utc(row["last_exported_at"]),
        "created_at": iso_utc(row["created_at"]), "created_by_id": row["created_by_id"],
        "created_by_name": row["created_by_name"], "updated_at": iso_utc(row["updated_at"]),
        "updated_by_id": row["updated_by_id"], "updated_by_name": row["updated_by_name"],
        "version": row["version"],
    }


def batch_read(session: Session, tenant_id: int, batch_id: str) -> dict[str, Any]:
    """One batch in the native shape; ``NotFound`` when absent (or another tenant's)."""
    row = batch_view(session, tenant_id).one(batch_id)
    if row is None:
        raise NotFound(f"AP batch '{batch_id}' was not found")
    return read_batch(row, currency_of(session, tenant_id))
