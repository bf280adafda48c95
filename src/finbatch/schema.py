"""Every table of finbatch, imported in one place so ``Base.metadata`` is complete for Alembic and
for the schema tests. A feature that adds tables adds its models module here."""

from __future__ import annotations

import finbatch.api.idempotency  # idempotency_keys
import finbatch.batches.models
import finbatch.counters  # tenant_counters
import finbatch.events.models
import finbatch.exports.models
import finbatch.fiscal.models
import finbatch.jobs.models
import finbatch.ledger.models
import finbatch.payables.models
import finbatch.receivables.models
import finbatch.tenancy.models
from finbatch.orm import BRIDGE_TABLES, GLOBAL_TABLES, Base

#: The modules whose import registers tables on ``Base.metadata``.
MODEL_MODULES = (
    finbatch.api.idempotency, finbatch.batches.models, finbatch.counters, finbatch.events.models,
    finbatch.exports.models,
    finbatch.fiscal.models, finbatch.jobs.models, finbatch.ledger.models, finbatch.receivables.models,
    finbatch.tenancy.models,
)
metadata = Base.metadata

__all__ = ["BRIDGE_TABLES", "GLOBAL_TABLES", "metadata"]
