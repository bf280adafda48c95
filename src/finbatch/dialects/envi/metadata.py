"""Envi's ``$metadata`` (CSDL, EDMX 4.0) and service document, generated from the same entity
types that drive the query options, so a standard OData client can bind."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from starlette.requests import Request

from finbatch.dialects.envi.entities import NAMESPACE, batch_entity, invoice_entity
from finbatch.formats.odata_csdl import (
    BoundAction,
    EntitySet,
    Navigation,
    csdl_document,
    service_document,
)


def _model() -> tuple[list[EntitySet], list[Navigation], list[BoundAction]]:
    batch, invoice = batch_entity(), invoice_entity()
    sets = [EntitySet("Batches", batch), EntitySet("MatchedInvoices", invoice)]
    navigations = [Navigation(batch, "invoices", invoice, True, "Batches", "MatchedInvoices")]
    actions = [BoundAction("Export", batch), BoundAction("SubmitToQueued", batch)]
    return sets, navigations, actions


@lru_cache(maxsize=1)
def metadata_document() -> bytes:
    sets, navigations, actions = _model()
    return csdl_document(namespace=NAMESPACE, entity_sets=sets, navigations=navigations,
                         actions=actions)


def services(root: str) -> dict[str, Any]:
    return service_document(root, _model()[0])


def service_root(request: Request) -> str:
    """The absolute URL of ``/odata`` (``FINBATCH_PUBLIC_URL`` when set, else the request's)."""
    public = request.app.state.settings.public_url
    base = public.rstrip("/") if public else str(request.base_url).rstrip("/")
    return f"{base}/odata"
