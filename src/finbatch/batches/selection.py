"""The batches a request names for one business unit (posting, unposting, downloading).

Design: a request that acts on several batches "of a business unit" (Rhythm's
``{business_unit_id, batch_ids[]}``) names a unit that must exist and batches that must exist and
belong to it; anything else is a missing or wrong reference, a 409 naming every offender, before
any batch changes. Rows are locked in id order, so two requests naming the same batches in
different orders queue instead of deadlocking.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from finbatch.batches.models import ARBatch
from finbatch.batches.repository import BatchRepository
from finbatch.kit.errors import Conflict
from finbatch.tenancy.repository import BusinessUnitRepository


def require_unit(session: Session, tenant_id: int, business_unit_id: str) -> None:
    """``Conflict`` (``MISSING_REFERENCE``) when the business unit does not exist."""
    if BusinessUnitRepository(session, tenant_id).get(business_unit_id) is None:
        raise Conflict(f"business unit '{business_unit_id}' does not exist",
                       code="MISSING_REFERENCE")


def lock_unit_batches(session: Session, tenant_id: int, business_unit_id: str,
                      batch_ids: list[str]) -> list[ARBatch]:
    """The named batches, locked, in the order named. Raises ``Conflict`` for an unknown unit
    (``MISSING_REFERENCE``), unknown batches (``MISSING_REFERENCE``) or batches of another unit
    (``BUSINESS_UNIT_MISMATCH``)."""
    require_unit(session, tenant_id, business_unit_id)
    repo = BatchRepository(session, tenant_id)
    wanted = list(dict.fromkeys(batch_ids))
    existing = {b.id for b in repo.many(wanted)}
    missing = [b for b in wanted if b not in existing]
    if missing:
        raise Conflict(f"batches do not exist: {', '.join(missing)}", code="MISSING_REFERENCE")
    locked = {batch_id: repo.require(batch_id, for_update=True) for batch_id in sorted(wanted)}
    foreign = [b.id for b in locked.values() if b.business_unit_id != business_unit_id]
    if foreign:
        raise Conflict(f"batches do not belong to business unit '{business_unit_id}': "
                       f"{', '.join(foreign)}", code="BUSINESS_UNIT_MISMATCH")
    return [locked[batch_id] for batch_id in wanted]
