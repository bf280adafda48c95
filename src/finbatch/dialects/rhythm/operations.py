"""Rhythm's batch writes (create, replace, patch, delete), shared by the single routes and the
bulk route, each a translation onto ``batches.service``.

- Create: the body's writable fields; an ``id`` is a 400; ``status`` and every server-owned field
  are ignored (a new batch is open).
- Replace (PUT): a full replacement of the writable fields (see ``wire.batch_fields``); a
  ``status`` that differs is a lifecycle transition, asked of the core, which checks it (409).
- Patch: RFC 6902 on the batch document as the client sees it (``patching``), then the same as a
  replacement.
- A field whose new value is the current one is not sent to the core, so a replacement that
  changes nothing changes nothing (no new version) and is allowed even on a locked batch; a real
  change to a locked batch is the core's 409.
- A status change needs the permission of its lifecycle action (archive: admin; verify, reopen:
  accountant; …), on top of the write permission of the route.
Services flush; the caller commits.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from finbatch.batches import lifecycle, service
from finbatch.batches import stats as batch_stats
from finbatch.batches.models import ARBatch
from finbatch.dialects.rhythm.patching import apply_patch
from finbatch.dialects.rhythm.wire import (
    batch_fields,
    document,
    dumps,
    require_object,
    same,
    stored,
)
from finbatch.receivables.endpoints import actor_of
from finbatch.tenancy.auth import Principal
from finbatch.tenancy.roles import Permission


def read(session: Session, batch: ARBatch) -> dict[str, Any]:
    """The batch document, amounts as ``Decimal``."""
    return read_many(session, batch.tenant_id, [batch])[0]


def read_many(session: Session, tenant_id: int, batches: list[ARBatch]) -> list[dict[str, Any]]:
    stats = batch_stats.of_batches(session, tenant_id, [b.id for b in batches])
    return [document(batch, stats[batch.id]) for batch in batches]


def create(session: Session, principal: Principal, body: Any) -> ARBatch:
    fields, _status = batch_fields(require_object(body), mode="create")
    return service.create_batch(session, principal.tenant, stored(fields), actor_of(principal))


def replace(session: Session, principal: Principal, batch_id: str, body: Any) -> ARBatch:
    fields, status = batch_fields(require_object(body), mode="replace")
    batch = service.require_batch(session, principal.tenant_id, batch_id, for_update=True)
    return _update(session, principal, batch, fields, status)


def patch(session: Session, principal: Principal, batch_id: str, operations: Any) -> ARBatch:
    batch = service.require_batch(session, principal.tenant_id, batch_id, for_update=True)
    # the document exactly as the client reads it: amounts and stored numbers as Decimal
    current = json.loads(dumps(read(session, batch)), parse_float=Decimal)
    patched = apply_patch(current, operations)
    fields, status = batch_fields(patched, mode="replace")
    return _update(session, principal, batch, fields, status)


def delete(session: Session, principal: Principal, batch_id: str) -> str:
    """The deleted batch's id. Only an open, empty batch can be deleted (the core's 409)."""
    batch = service.require_batch(session, principal.tenant_id, batch_id, for_update=True)
    service.delete_batch(session, principal.tenant, batch, actor_of(principal))
    return batch_id


def _update(session: Session, principal: Principal, batch: ARBatch, fields: dict[str, Any],
            status: str | None) -> ARBatch:
    changes = {name: value for name, value in stored(fields).items()
               if not same(value, getattr(batch, name))}
    if status is not None and status != batch.status:
        action = lifecycle.action_for(batch.status, status)  # 409 when no action leads there
        principal.require(service.ACTION_PERMISSIONS.get(action, Permission.ADMINISTER))
        changes["status"] = status
    return service.update_batch(session, principal.tenant, batch, changes, actor_of(principal))
