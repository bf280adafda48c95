"""Rhythm Collect (Finance & Billing), seed 001: ``dialects/rhythm.md`` is the contract.

Design overview:
- ``surface``: the paths Rhythm owns (``/batches/``, ``/batchPosting/``, ``/batchDownloading/``),
  its CORS headers on every response (preflights included), its error body, and the callers
  (``{tenantId}`` is the tenant slug the token must grant).
- ``wire``: JSON in (exact decimals, no float; strings PostgreSQL can store) and out (exact JSON
  numbers), ``fields`` projections, and the seed's field rules for batch writes.
- ``schemas``: the OpenAPI models (batch, envelopes, bulk, patch, search and error bodies).
- ``batches``: the Batches routes; ``operations`` the writes they and ``bulk`` share;
  ``patching`` RFC 6902; ``search`` the search body → the core's ``BatchFilter``.
- ``postings``: the posting and downloading routes (preview, post, unpost, subledger entry,
  download, execution status) over ``ledger.posting`` and ``exports.service``; ``executions``
  their body, the execution envelope, ``executionArn`` and the status document;
  ``posting_schemas`` their OpenAPI models.

Everything here translates: the lifecycle, locks, references, currencies, statistics, posting and
exports are the core's (``batches.service``, ``batches.selection``, ``ledger.posting``,
``exports.service``), and every query is the core's (the repositories).
"""

from __future__ import annotations

from fastapi import FastAPI

from finbatch.api.surfaces import SurfaceRegistry
from finbatch.dialects.rhythm.batches import router as batches_router
from finbatch.dialects.rhythm.postings import router as postings_router
from finbatch.dialects.rhythm.surface import SURFACE, RhythmCors


def install(app: FastAPI, surfaces: SurfaceRegistry) -> None:
    """Mount Rhythm's routes, register its surface (errors) and its CORS middleware."""
    surfaces.register(SURFACE)
    app.include_router(batches_router)
    app.include_router(postings_router)
    app.add_middleware(RhythmCors)


__all__ = ["install"]
