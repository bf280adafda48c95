"""Saasu API v2 (seed 002, ``dialects/saasu.md``): payments, and the OAuth token routes.

Modules: ``auth`` (``/authorisation/token``/``refresh`` and who is calling), ``params`` (query
parameters → ``receivables.search.PaymentSearch``), ``render`` (JSON/XML bodies and errors, with
the mapping decisions), ``routes`` (``/Payments``, ``/Payment/{id}``), ``schemas`` (OpenAPI).
The dialect holds no business rule: searching is ``receivables.search``; it only translates.
"""

from __future__ import annotations

from fastapi import APIRouter

from finbatch.api.surfaces import Surface
from finbatch.dialects.saasu.auth import router as auth_router
from finbatch.dialects.saasu.render import render_saasu_error
from finbatch.dialects.saasu.routes import router as payments_router

router = APIRouter()
router.include_router(auth_router)
router.include_router(payments_router)

#: Paths are matched lowercased (``Surface.owns``).
surface = Surface("saasu", ("/payments", "/payment/", "/authorisation/"), render_saasu_error)
