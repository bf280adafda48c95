"""AR batch use cases.

Design:
- A batch is created ``open``; every later status change goes through ``apply_action``, which
  checks ``batches.lifecycle`` (the one transition table), locks the row, stamps who and when,
  bumps the version and records a ``status_changed`` event.
- Batches in ``lifecycle.LOCKED`` statuses refuse field changes (``Locked``, 409); transactions can
  be added, moved or edited only while their batch is ``open``.
- A batch's business unit, currency, fiscal period and commerce type can change only while it is
  empty: its transactions were assigned by them.
- ``assign_batch`` finds (or opens) the open transaction batch for a transaction's business unit,
  currency, fiscal period and commerce type, under a per-key lock so concurrent creators share one.
- ``automatically_close_at`` is honoured by ``close_due_batches`` (the background sweep) and
  before any assignment, so nothing lands in a batch whose closing time has passed.
- Statistics, ``count`` and ``total`` are never taken from input (see ``batches.stats``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from finbatch import counters
from finbatch.batches import lifecycle
from finbatch.batches import stats as batch_stats
from finbatch.batches.models import BATCH_TYPES, ARBatch
from finbatch.batches.repository import BatchRepository
from finbatch.batches.views import native_batch
from finbatch.events.service import record_change
from finbatch.fiscal import service as fiscal
from finbatch.fiscal.repository import FiscalPeriodRepository
from finbatch.kit import money, validate
from finbatch.kit.clock import utcnow
from finbatch.kit.currencies import symbol
from finbatch.kit.errors import Conflict, ErrorList, InvalidTransition, Locked, NotFound, ValidationFailed
from finbatch.kit.ids import uuid7
from finbatch.tenancy.auth import TenantContext
from finbatch.tenancy.repository import BusinessUnitRepository
from finbatch.tenancy.roles import Permission

KIND = "batch"
AUTO_CLOSE_ACTOR = "system:auto-close"

#: Fields a client may set; everything else is server-owned.
WRITABLE = ("name", "description", "business_unit_id", "currency_code", "currency_symbol",
            "commerce_type", "date", "fiscal_year_id", "fiscal_period", "type",
            "recurring_batch_id", "dependents", "custom_field_values", "automatically_close_at",
            "external_id")
#: The permission each lifecycle action needs when a client asks for it, whether through an action
#: route or by setting ``status`` directly (a Rhythm PUT or PATCH of ``/status``).
ACTION_PERMISSIONS: dict[str, Permission] = {
    "close": Permission.CLOSE_BATCHES, "reopen": Permission.VERIFY_BATCHES,
    "verify": Permission.VERIFY_BATCHES, "post": Permission.POST, "unpost": Permission.POST,
    "download": Permission.EXPORT, "archive": Permission.ARCHIVE,
}
#: Fields fixed once the batch holds transactions.
CONTENT_KEYS = ("business_unit_id", "currency_code", "fiscal_year_id", "fiscal_period",
                "commerce_type")


@dataclass(slots=True)
class Actor:
    """Who acts, for audit fields and events."""

    name: str
    security_context: dict[str, Any] | None = None


def _validate_fields(session: Session, tenant: TenantContext, fields: dict[str, Any],
                     errors: ErrorList, *, creating: bool) -> None:
    if creating or "name" in fields:
        validate.text(errors, "name", fields.get("name"), max_length=200, required=True)
    validate.text(errors, "description", fields.get("description"), max_length=4000)
    if fields.get("currency_code") is not None:
        validate.currency(errors, "currency_code", fields["currency_code"])
    if fields.get("commerce_type") not in (None, "D", "M", "S"):
        errors.add("commerce_type", "must be D, M or S", "invalid")
    if fields.get("type") is not None and fields["type"] not in BATCH_TYPES:
        errors.add("type", f"must be one of {', '.join(BATCH_TYPES)}", "invalid")
    period = fields.get("fiscal_period")
    if period is not None and not (isinstance(period, int) and 1 <= period <= 12):
        errors.add("fiscal_period", "must be an integer from 1 to 12", "out_of_range")
    for name in ("dependents", "custom_field_values"):
        value = fields.get(name)
        if value is not None and not isinstance(value, list):
            errors.add(name, "must be a list", "invalid")
    if fields.get("dependents"):
        if not all(isinstance(d, str) for d in fields["dependents"]):
            errors.add("dependents", "must be a list of batch ids", "invalid")
    for name in ("recurring_batch_id", "external_id"):
        # recurring_batch_id is a String(64) column: a longer value must be refused here, not by
        # the database (PostgreSQL raises; SQLite would store it)
        validate.text(errors, name, fields.get(name),
                      max_length=64 if name == "recurring_batch_id" else 200)
    validate.text(errors, "currency_symbol", fields.get("currency_symbol"), max_length=8)
    if creating:
        for name in ("business_unit_id", "date", "fiscal_year_id", "fiscal_period"):
            if fields.get(name) in (None, ""):
                errors.add(name, "is required", "required")


def _check_references(session: Session, tenant: TenantContext, fields: dict[str, Any],
                      batch_id: str | None) -> None:
    """References to missing objects are conflicts (Rhythm: 409)."""
    if fields.get("business_unit_id") is not None:
        unit = BusinessUnitRepository(session, tenant.id).get(fields["business_unit_id"])
        if unit is None:
            raise Conflict(f"business unit '{fields['business_unit_id']}' does not exist",
                           code="MISSING_REFERENCE")
    if fields.get("fiscal_year_id") is not None and fields.get("fiscal_period") is not None:
        period = FiscalPeriodRepository(session, tenant.id).get(
            (fields["fiscal_year_id"], fields["fiscal_period"]))
        if period is None:
            raise Conflict(f"fiscal period {fields['fiscal_period']} of fiscal year "
                           f"'{fields['fiscal_year_id']}' does not exist", code="MISSING_REFERENCE")
        if period.status == "closed":
            raise Locked(f"fiscal period {fields['fiscal_year_id']}/{fields['fiscal_period']} is "
                         "closed", code="PERIOD_CLOSED")
    dependents = fields.get("dependents") or []
    if dependents:
        if batch_id in dependents:
            raise ValidationFailed.single("dependents", "a batch cannot depend on itself")
        missing = set(dependents) - BatchRepository(session, tenant.id).existing_ids(dependents)
        if missing:
            raise Conflict(f"dependent batches do not exist: {', '.join(sorted(missing))}",
                           code="MISSING_REFERENCE")
    external_id = fields.get("external_id")
    if external_id:
        other = BatchRepository(session, tenant.id).by_external_id(external_id)
        if other is not None and other.id != batch_id:
            raise Conflict(f"another batch has sys_external_id '{external_id}'",
                           code="ALREADY_EXISTS")


def create_batch(session: Session, tenant: TenantContext, fields: dict[str, Any], actor: Actor,
                 *, sys_meta: dict[str, Any] | None = None) -> ARBatch:
    """Create an open batch from the client-writable ``fields`` (others are ignored)."""
    fields = {k: v for k, v in fields.items() if k in WRITABLE}
    errors = ErrorList()
    _validate_fields(session, tenant, fields, errors, creating=True)
    errors.raise_if_any()
    _check_references(session, tenant, fields, None)
    unit = BusinessUnitRepository(session, tenant.id).require(fields["business_unit_id"])
    now = utcnow()
    currency = fields.get("currency_code") or unit.currency
    batch = ARBatch(
        tenant_id=tenant.id, id=uuid7(), name=fields["name"], description=fields.get("description"),
        business_unit_id=unit.id, currency_code=currency,
        currency_symbol=fields.get("currency_symbol") or symbol(currency),
        commerce_type=fields.get("commerce_type"), date=fields["date"],
        fiscal_year_id=fields["fiscal_year_id"], fiscal_period=fields["fiscal_period"],
        type=fields.get("type") or "transaction", status="open",
        recurring_batch_id=fields.get("recurring_batch_id"),
        dependents=list(fields.get("dependents") or []),
        errors=[], custom_field_values=list(fields.get("custom_field_values") or []),
        automatically_close_at=fields.get("automatically_close_at"),
        external_id=fields.get("external_id"), created_at=now, created_by=actor.name,
        modified_at=now, modified_by=actor.name, version=1,
        sys_meta={**(sys_meta or {}), "security_context": actor.security_context or {}})
    session.add(batch)
    session.flush()
    _record(session, batch, "created", actor)
    return batch


def update_batch(session: Session, tenant: TenantContext, batch: ARBatch,
                 changes: dict[str, Any], actor: Actor, *,
                 sys_meta: dict[str, Any] | None = None) -> ARBatch:
    """Apply client-writable ``changes`` to a batch the caller has locked and version-checked.
    A ``status`` in ``changes`` is a lifecycle transition, checked by the table."""
    requested_status = changes.get("status")
    changes = {k: v for k, v in changes.items() if k in WRITABLE}
    changed = {k: v for k, v in changes.items() if getattr(batch, k) != v}
    if changed:
        if lifecycle.is_locked(batch.status):
            raise Locked(f"batch {batch.id} is {batch.status} and locked against changes")
        require_period_open(session, batch)
        errors = ErrorList()
        _validate_fields(session, tenant, changed, errors, creating=False)
        errors.raise_if_any()
        content_changes = [k for k in CONTENT_KEYS if k in changed]
        if content_changes and BatchRepository(session, tenant.id).transaction_count(batch.id):
            raise Conflict(f"{', '.join(content_changes)} cannot change: the batch holds "
                           "transactions assigned by them", code="BATCH_NOT_EMPTY")
        references = dict(changed)
        if "fiscal_year_id" in changed or "fiscal_period" in changed:
            references.setdefault("fiscal_year_id", batch.fiscal_year_id)
            references.setdefault("fiscal_period", batch.fiscal_period)
        _check_references(session, tenant, references, batch.id)
        for key, value in changed.items():
            setattr(batch, key, list(value) if isinstance(value, list) else value)
        if "currency_code" in changed and "currency_symbol" not in changed:
            batch.currency_symbol = symbol(batch.currency_code)
    if sys_meta:
        batch.sys_meta = {**(batch.sys_meta or {}), **sys_meta}
    if changed or sys_meta:
        _touch(batch, actor)
        session.flush()
        _record(session, batch, "updated", actor)
    if requested_status is not None and requested_status != batch.status:
        apply_action(session, tenant, batch, lifecycle.action_for(batch.status, requested_status),
                     actor)
    return batch


def delete_batch(session: Session, tenant: TenantContext, batch: ARBatch, actor: Actor) -> None:
    """Only an open batch without transactions can be deleted."""
    if batch.status != "open" or BatchRepository(session, tenant.id).transaction_count(batch.id):
        batch.sys_meta = {**(batch.sys_meta or {}), "deleted_by_id": actor.name}
        session.flush()
        raise Conflict(f"batch {batch.id} is {batch.status}"
                       + ("" if batch.status != "open" else " and holds transactions")
                       + ": only an open, empty batch can be deleted", code="BATCH_NOT_DELETABLE")
    session.delete(batch)
    session.flush()
    record_change(session, tenant_id=tenant.id, type="deleted", record_kind=KIND,
                  record_id=batch.id, actor=actor.name, data=None)


# --- lifecycle -----------------------------------------------------------------------------------

#: Actions that another feature carries out (posting, unposting, downloading); it registers a
#: handler here so a status change asked for through any API runs the real work.
ACTION_HANDLERS: dict[str, Any] = {}


def apply_action(session: Session, tenant: TenantContext, batch: ARBatch, action: str,
                 actor: Actor, **details: Any) -> ARBatch:
    """Move ``batch`` through ``action`` of the lifecycle table."""
    handler = ACTION_HANDLERS.get(action)
    if handler is not None and not details.get("internal"):
        return handler(session, tenant, batch, actor)
    current = batch.status
    target = lifecycle.check(action, current)
    if action == "reopen" and batch.unposted_at is not None:
        raise InvalidTransition(
            f"cannot reopen batch {batch.id}: it was posted since it was closed (closed → open "
            "is not allowed after a posting)", extra={"from_status": current, "to_status": target})
    if action in ("close", "reopen", "verify", "archive"):
        require_period_open(session, batch)
    now = utcnow()
    stamp = {"close": "closed_at", "verify": "verified_at", "finish_posting": "posted_at",
             "download": "downloaded_at", "archive": "archived_at", "unpost": "unposted_at"}
    if action in stamp:
        setattr(batch, stamp[action], now)
    if action == "reopen":
        batch.closed_at = None
        batch.verified_at = None
    if action == "unpost":
        batch.posted_at = None
        batch.downloaded_at = None
        batch.verified_at = None
    if action in ("post", "finish_posting"):
        batch.errors = []
    if action == "fail_posting":
        batch.errors = list(details.get("errors") or [])
    for key in ("posting_workflow_execution_id", "unposting_workflow_execution_id",
                "downloading_workflow_execution_id"):
        if details.get(key):
            setattr(batch, key, details[key])
    batch.status = target
    _touch(batch, actor, now)
    session.flush()
    _record(session, batch, "status_changed", actor)
    return batch


def verify_batch(session: Session, tenant: TenantContext, batch: ARBatch, actor: Actor, *,
                 control_count: int | None, control_total: str | None) -> ARBatch:
    """closed → verified, when the optional control count and total match the batch's own
    (``count`` = payments + refunds, ``total`` = payments − refunds)."""
    lifecycle.check("verify", batch.status)
    stats = batch_stats.of_batches(session, tenant.id, [batch.id])[batch.id]
    errors = ErrorList()
    if control_count is not None and control_count != stats.count:
        errors.add("control_count", f"is {control_count} but the batch holds {stats.count} "
                                    "payments and refunds", "control_mismatch")
    if control_total is not None:
        try:
            expected = money.parse_minor(control_total, batch.currency_code)
        except money.AmountError as exc:
            errors.add("control_total", str(exc), "invalid_amount")
        else:
            if expected != stats.total:
                errors.add("control_total", f"is {control_total} but the batch total is "
                           f"{money.format_minor(stats.total, batch.currency_code)}",
                           "control_mismatch")
    if errors.errors:
        raise ValidationFailed("the control figures do not match the batch",
                               code="CONTROL_MISMATCH", errors=errors.errors)
    return apply_action(session, tenant, batch, "verify", actor)


def require_period_open(session: Session, batch: ARBatch) -> None:
    """``Locked`` when the batch's fiscal period is closed. The period row is share-locked, so a
    concurrent period close waits for this change (or this change sees the close)."""
    period = FiscalPeriodRepository(session, batch.tenant_id).lock_shared(
        batch.fiscal_year_id, batch.fiscal_period)
    if period is not None and period.status == "closed":
        raise Locked(f"fiscal period {batch.fiscal_year_id}/{batch.fiscal_period} is closed: its "
                     "batches accept no changes", code="PERIOD_CLOSED")


def require_editable(session: Session, batch: ARBatch) -> None:
    """Transactions may be added to, moved out of or changed in ``batch`` only while it is open."""
    if batch.status not in lifecycle.EDITABLE:
        raise Conflict(f"batch {batch.id} is {batch.status}: transactions can be added, moved or "
                       "changed only while it is open", code="BATCH_NOT_OPEN",
                       extra={"batch_status": batch.status})
    require_period_open(session, batch)


def set_execution(session: Session, batch: ARBatch, field: str, execution_id: str,
                  actor: Actor) -> None:
    """Record the job working on the batch (Rhythm's ``*_workflow_execution_id``)."""
    setattr(batch, field, execution_id)
    _touch(batch, actor)
    session.flush()
    _record(session, batch, "updated", actor)


def record_error(session: Session, batch: ARBatch, error: dict[str, Any]) -> None:
    """Add a server-side error to the batch's ``errors[]`` (allowed even when it is locked)."""
    batch.errors = [*(batch.errors or []), error]
    _touch(batch, Actor("system"))
    session.flush()
    _record(session, batch, "updated", Actor("system"))


def _touch(batch: ARBatch, actor: Actor, now: datetime | None = None) -> None:
    batch.version += 1
    batch.modified_at = now or utcnow()
    batch.modified_by = actor.name
    if actor.security_context is not None:
        batch.sys_meta = {**(batch.sys_meta or {}), "security_context": actor.security_context}


def _record(session: Session, batch: ARBatch, event_type: str, actor: Actor) -> None:
    stats = batch_stats.of_batches(session, batch.tenant_id, [batch.id])[batch.id]
    record_change(session, tenant_id=batch.tenant_id, type=event_type, record_kind=KIND,
                  record_id=batch.id, actor=actor.name, data=native_batch(batch, stats))


# --- assignment and auto-close -------------------------------------------------------------------

def assign_batch(session: Session, tenant: TenantContext, *, business_unit_id: str,
                 currency: str, day: date, commerce_type: str | None, actor: Actor) -> ARBatch:
    """The open batch a new transaction of this business unit, currency, business date and
    commerce type goes to; one is opened when none exists."""
    period = fiscal.period_for(session, tenant_id=tenant.id,
                               start_month=tenant.fiscal_year_start_month, day=day,
                               actor=actor.name)
    if period.status == "closed":  # period_for share-locks the row against a concurrent close
        raise Locked(f"fiscal period {period.fiscal_year_id}/{period.number} is closed: it accepts "
                     "no new transactions", code="PERIOD_CLOSED")
    key = (f"assign:{business_unit_id}:{currency}:{period.fiscal_year_id}:{period.number}:"
           f"{commerce_type or '-'}")
    counters.allocate(session, tenant.id, key[:64])  # serialises concurrent assigners of one key
    repo = BatchRepository(session, tenant.id)
    while True:
        batch = repo.open_for(business_unit_id=business_unit_id, currency=currency,
                              fiscal_year_id=period.fiscal_year_id, fiscal_period=period.number,
                              commerce_type=commerce_type)
        if batch is None:
            break
        if batch.automatically_close_at is not None and batch.automatically_close_at <= utcnow():
            apply_action(session, tenant, batch, "close", Actor(AUTO_CLOSE_ACTOR))
            continue
        return batch
    name = f"{business_unit_id} {currency} {period.fiscal_year_id}-{period.number:02d}"
    if commerce_type:
        name += f" {commerce_type}"
    return create_batch(session, tenant, {
        "name": name, "business_unit_id": business_unit_id, "currency_code": currency,
        "commerce_type": commerce_type, "date": period.start_date,
        "fiscal_year_id": period.fiscal_year_id, "fiscal_period": period.number}, actor)


def close_due_batches(session: Session, tenant: TenantContext) -> int:
    """Close every open batch of ``tenant`` whose ``automatically_close_at`` has passed."""
    closed = 0
    for batch in BatchRepository(session, tenant.id).due_to_close(utcnow()):
        try:
            apply_action(session, tenant, batch, "close", Actor(AUTO_CLOSE_ACTOR))
            closed += 1
        except Locked:
            continue  # its period closed meanwhile; the operator decides
    return closed


def dependent_ids(session: Session, tenant_id: int, batch_ids: Sequence[str]) -> list[str]:
    """Every batch that depends on one of ``batch_ids``, directly or through other dependents (a
    batch depends on another when it is listed in that one's ``dependents``). Breadth first, each
    batch once, so cycles end; ids that name no batch are skipped, and the given batches
    themselves are not reported."""
    repo = BatchRepository(session, tenant_id)
    given = list(dict.fromkeys(batch_ids))
    seen = set(given)
    links = repo.dependents_of(given)
    frontier = [child for batch_id in given for child in links.get(batch_id, [])]
    found: list[str] = []
    while frontier:
        candidates = []
        for child in frontier:
            if child not in seen:
                seen.add(child)
                candidates.append(child)
        links = repo.dependents_of(candidates)
        level = [child for child in candidates if child in links]
        found.extend(level)
        frontier = [grandchild for child in level for grandchild in links[child]]
    return found


def require_batch(session: Session, tenant_id: int, batch_id: str, *,
                  for_update: bool = False) -> ARBatch:
    batch = BatchRepository(session, tenant_id).require(batch_id, for_update=for_update)
    if batch is None:
        raise NotFound(f"batch '{batch_id}' was not found")
    return batch


__all__ = ["ACTION_HANDLERS", "ACTION_PERMISSIONS", "Actor", "apply_action", "assign_batch",
           "close_due_batches", "create_batch", "delete_batch", "dependent_ids", "record_error",
           "require_batch", "require_editable", "require_period_open", "set_execution",
           "update_batch", "verify_batch"]
