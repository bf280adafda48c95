"""``/v1`` purchase orders, matched invoices and AP batches (and, through ``router``, the master
data of ``setup_endpoints``).

Permissions: reading needs ``read``; purchase orders, invoices, creating and filling AP batches
need ``write_transactions`` (clerks and up); queueing and exporting a batch need ``export``
(accountants and admins), since both send the batch on to the ledger.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import AfterValidator
from starlette.responses import Response

from finbatch.api.concurrency import IfMatchHeader, etag
from finbatch.api.deps import Allowed, Bookkeeper, ReadDb, Reader, WriteDb
from finbatch.api.idempotency import Idem, commit_response
from finbatch.api.paging import PageOf, Paging
from finbatch.api.responses import json_response
from finbatch.payables import batches, invoices, orders
from finbatch.payables.invoices import currency_of
from finbatch.payables.repository import (
    ApBatchRepository,
    PurchaseOrderRepository,
    batch_view,
    invoice_view,
)
from finbatch.payables.schemas import (
    ApBatchCreate,
    ApBatchInvoices,
    ApBatchRead,
    ApBatchUpdate,
    BatchStatus,
    InvoiceStatus,
    MatchedInvoiceCreate,
    MatchedInvoiceRead,
    MatchedInvoiceUpdate,
    PoType,
    PurchaseOrderCreate,
    PurchaseOrderRead,
    PurchaseOrderUpdate,
)
from finbatch.payables.setup_endpoints import router as setup_router
from finbatch.payables.stamps import Actor
from finbatch.tenancy.roles import Permission

router = APIRouter()
router.include_router(setup_router)
RecordId = Annotated[str, Path(max_length=64), AfterValidator(str.lower)]
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
FilterId = Annotated[str | None, Query(pattern=UUID_PATTERN, description="A UUID."),
                     AfterValidator(lambda v: v.lower() if v else v)]
Exporter = Allowed(Permission.EXPORT)


# --- purchase orders -----------------------------------------------------------------------------

@router.get("/purchase-orders", response_model=PageOf[PurchaseOrderRead], tags=["purchase orders"])
def list_purchase_orders(db: ReadDb, principal: Reader, paging: Paging,
                         vendor_id: FilterId = None, po_type: PoType | None = None) -> Response:
    page = PurchaseOrderRepository(db, principal.tenant_id).page(
        cursor=paging.cursor, limit=paging.limit, vendor_id=vendor_id, po_type=po_type)
    return json_response({"items": orders.read_purchase_orders(db, page.items),
                          "next_cursor": page.next_cursor})


@router.post("/purchase-orders", status_code=201, response_model=PurchaseOrderRead,
             tags=["purchase orders"])
def create_purchase_order(body: PurchaseOrderCreate, db: WriteDb, principal: Bookkeeper,
                          idem: Idem) -> Response:
    order = orders.create_purchase_order(db, tenant_id=principal.tenant_id,
                                         actor=Actor.of(principal), **body.model_dump())
    return commit_response(db, idem, orders.read_purchase_order(db, order), status_code=201,
                           version=order.version)


@router.get("/purchase-orders/{order_id}", response_model=PurchaseOrderRead,
            tags=["purchase orders"])
def get_purchase_order(order_id: RecordId, db: ReadDb, principal: Reader) -> Response:
    order = PurchaseOrderRepository(db, principal.tenant_id).require(order_id)
    return json_response(orders.read_purchase_order(db, order),
                         headers={"ETag": etag(order.version)})


@router.patch("/purchase-orders/{order_id}", response_model=PurchaseOrderRead,
              tags=["purchase orders"])
def update_purchase_order(order_id: RecordId, body: PurchaseOrderUpdate, db: WriteDb,
                          principal: Bookkeeper, if_match: IfMatchHeader) -> Response:
    order = orders.update_purchase_order(db, tenant_id=principal.tenant_id, order_id=order_id,
                                         changes=body.model_dump(exclude_unset=True),
                                         check_version=if_match.check, actor=Actor.of(principal))
    return commit_response(db, None, orders.read_purchase_order(db, order), version=order.version)


# --- matched invoices ----------------------------------------------------------------------------

def _invoice_changes(body: MatchedInvoiceUpdate | MatchedInvoiceCreate, **exclude) -> dict:
    changes = body.model_dump(exclude_unset=isinstance(body, MatchedInvoiceUpdate), **exclude)
    if changes.get("lines") is not None:
        changes["lines"] = [dict(line) for line in changes["lines"]]
    return changes


@router.get("/matched-invoices", response_model=PageOf[MatchedInvoiceRead],
            tags=["matched invoices"], summary="Matched supplier invoices, oldest first")
def list_invoices(db: ReadDb, principal: Reader, paging: Paging,
                  status: InvoiceStatus | None = None, ap_batch_id: FilterId = None,
                  vendor_id: FilterId = None, purchase_order_id: FilterId = None) -> Response:
    view = invoice_view(db, principal.tenant_id)
    page = view.page(cursor=paging.cursor, limit=paging.limit, where=view.matching(
        status=status, ap_batch_id=ap_batch_id, vendor_id=vendor_id,
        purchase_order_id=purchase_order_id))
    return json_response({"items": invoices.read_invoices(db, principal.tenant_id, page.items),
                          "next_cursor": page.next_cursor})


@router.post("/matched-invoices", status_code=201, response_model=MatchedInvoiceRead,
             tags=["matched invoices"], summary="Enter a matched invoice (status Vouchered)")
def create_invoice(body: MatchedInvoiceCreate, db: WriteDb, principal: Bookkeeper,
                   idem: Idem) -> Response:
    invoice = invoices.create_invoice(db, tenant_id=principal.tenant_id,
                                      actor=Actor.of(principal), **_invoice_changes(body))
    return commit_response(db, idem, invoices.invoice_read(db, principal.tenant_id, invoice.id),
                           status_code=201, version=invoice.version)


@router.get("/matched-invoices/{invoice_id}", response_model=MatchedInvoiceRead,
            tags=["matched invoices"])
def get_invoice(invoice_id: RecordId, db: ReadDb, principal: Reader) -> Response:
    content = invoices.invoice_read(db, principal.tenant_id, invoice_id)
    return json_response(content, headers={"ETag": etag(content["version"])})


@router.patch("/matched-invoices/{invoice_id}", response_model=MatchedInvoiceRead,
              tags=["matched invoices"], summary="Change a Vouchered invoice")
def update_invoice(invoice_id: RecordId, body: MatchedInvoiceUpdate, db: WriteDb,
                   principal: Bookkeeper, if_match: IfMatchHeader) -> Response:
    invoice = invoices.update_invoice(db, tenant_id=principal.tenant_id, invoice_id=invoice_id,
                                      changes=_invoice_changes(body),
                                      check_version=if_match.check, actor=Actor.of(principal))
    return commit_response(db, None, invoices.invoice_read(db, principal.tenant_id, invoice.id),
                           version=invoice.version)


# --- AP batches ----------------------------------------------------------------------------------

def _batch(db, tenant_id: int, batch_id: str) -> dict:
    return batches.batch_read(db, tenant_id, batch_id)


def _done(db, idem, principal, batch) -> Response:
    return commit_response(db, idem, _batch(db, principal.tenant_id, batch.id),
                           version=batch.version)


@router.get("/ap-batches", response_model=PageOf[ApBatchRead], tags=["ap batches"])
def list_batches(db: ReadDb, principal: Reader, paging: Paging,
                 status: BatchStatus | None = None) -> Response:
    view = batch_view(db, principal.tenant_id)
    page = view.page(cursor=paging.cursor, limit=paging.limit, where=view.matching(status=status))
    currency = currency_of(db, principal.tenant_id)
    return json_response({"items": [batches.read_batch(row, currency) for row in page.items],
                          "next_cursor": page.next_cursor})


@router.post("/ap-batches", status_code=201, response_model=ApBatchRead, tags=["ap batches"],
             summary="Open an AP batch (status Pending)")
def create_batch(body: ApBatchCreate, db: WriteDb, principal: Bookkeeper, idem: Idem) -> Response:
    batch = batches.create_batch(db, tenant_id=principal.tenant_id, actor=Actor.of(principal),
                                 **body.model_dump())
    return commit_response(db, idem, _batch(db, principal.tenant_id, batch.id), status_code=201,
                           version=batch.version)


@router.get("/ap-batches/{batch_id}", response_model=ApBatchRead, tags=["ap batches"])
def get_batch(batch_id: RecordId, db: ReadDb, principal: Reader) -> Response:
    content = _batch(db, principal.tenant_id, batch_id)
    return json_response(content, headers={"ETag": etag(content["version"])})


@router.patch("/ap-batches/{batch_id}", response_model=ApBatchRead, tags=["ap batches"])
def update_batch(batch_id: RecordId, body: ApBatchUpdate, db: WriteDb, principal: Bookkeeper,
                 if_match: IfMatchHeader) -> Response:
    batch = batches.update_batch(db, tenant_id=principal.tenant_id, batch_id=batch_id,
                                 changes=body.model_dump(exclude_unset=True),
                                 check_version=if_match.check, actor=Actor.of(principal))
    return _done(db, None, principal, batch)


@router.get("/ap-batches/{batch_id}/invoices", response_model=PageOf[MatchedInvoiceRead],
            tags=["ap batches"])
def list_batch_invoices(batch_id: RecordId, db: ReadDb, principal: Reader,
                        paging: Paging) -> Response:
    ApBatchRepository(db, principal.tenant_id).require(batch_id)
    view = invoice_view(db, principal.tenant_id)
    page = view.page(cursor=paging.cursor, limit=paging.limit,
                     where=view.matching(ap_batch_id=batch_id))
    return json_response({"items": invoices.read_invoices(db, principal.tenant_id, page.items),
                          "next_cursor": page.next_cursor})


@router.post("/ap-batches/{batch_id}/invoices", response_model=ApBatchRead, tags=["ap batches"],
             summary="Add Vouchered invoices (they become Batched), all or none")
def add_invoices(batch_id: RecordId, body: ApBatchInvoices, db: WriteDb, principal: Bookkeeper,
                 idem: Idem) -> Response:
    batch = batches.add_invoices(db, tenant_id=principal.tenant_id, batch_id=batch_id,
                                 invoice_ids=body.invoice_ids, actor=Actor.of(principal))
    return _done(db, idem, principal, batch)


@router.delete("/ap-batches/{batch_id}/invoices/{invoice_id}", response_model=ApBatchRead,
               tags=["ap batches"], summary="Take a Batched invoice out (it is Vouchered again)")
def remove_invoice(batch_id: RecordId, invoice_id: RecordId, db: WriteDb,
                   principal: Bookkeeper) -> Response:
    batch = batches.remove_invoice(db, tenant_id=principal.tenant_id, batch_id=batch_id,
                                   invoice_id=invoice_id, actor=Actor.of(principal))
    return _done(db, None, principal, batch)


@router.post("/ap-batches/{batch_id}/submit-to-queued", response_model=ApBatchRead,
             tags=["ap batches"], summary="Queue the batch for a scheduled export")
def submit_to_queued(batch_id: RecordId, db: WriteDb, principal: Exporter, idem: Idem) -> Response:
    batch = batches.submit_to_queued(db, tenant_id=principal.tenant_id, batch_id=batch_id,
                                     actor=Actor.of(principal))
    return _done(db, idem, principal, batch)


@router.post("/ap-batches/{batch_id}/export", response_model=ApBatchRead, tags=["ap batches"],
             summary="Mark the batch and its invoices Exported")
def export_batch(batch_id: RecordId, db: WriteDb, principal: Exporter, idem: Idem) -> Response:
    batch = batches.export_batch(db, tenant_id=principal.tenant_id, batch_id=batch_id,
                                 actor=Actor.of(principal))
    return _done(db, idem, principal, batch)
