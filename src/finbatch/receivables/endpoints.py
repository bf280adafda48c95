"""``/v1`` routes of the receivables: customers, tax codes and one route family per transaction
kind (built by ``_kind_routes`` so the seven kinds cannot drift apart).

No ``from __future__ import annotations`` here: the route factory annotates parameters with
classes held in local variables, which FastAPI must see as objects, not strings.
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from starlette.responses import Response

from finbatch.api.concurrency import IfMatchHeader, etag
from finbatch.api.deps import Bookkeeper, ReadDb, Reader, SetupAdmin, WriteDb
from finbatch.api.idempotency import Idem, commit_response
from finbatch.api.paging import PageOf, Paging
from finbatch.api.responses import json_response
from finbatch.batches.service import Actor
from finbatch.kit.errors import NotFound
from finbatch.receivables import customers as customer_service
from finbatch.receivables import service
from finbatch.receivables.inputs import AllocationIn, LineIn, TransactionIn
from finbatch.receivables.repository import (
    CustomerRepository,
    TaxCodeRepository,
    TransactionFilter,
    TransactionRepository,
)
from finbatch.receivables.schemas import (
    CreditCreate,
    CreditMemoCreate,
    CreditMemoRead,
    CreditRead,
    CustomerCreate,
    CustomerRead,
    CustomerUpdate,
    DebitMemoCreate,
    InvoiceCreate,
    InvoiceRead,
    PaymentCreate,
    PaymentRead,
    RefundCreate,
    RefundRead,
    TaxCodeCreate,
    TaxCodeRead,
    TaxCodeUpdate,
    TransactionUpdate,
    VoidRequest,
    WriteOffCreate,
)
from finbatch.receivables.views import native_transaction, native_transactions
from finbatch.schemas_common import IsoDate, IsoDateTime
from finbatch.tenancy.auth import Principal

router = APIRouter()
RecordId = Annotated[str, Path(max_length=64)]


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.actor, {"actor": principal.actor, "token_id": principal.token_id})


# --- customers -----------------------------------------------------------------------------------


@router.get("/customers", response_model=PageOf[CustomerRead], tags=["customers"])
def list_customers(db: ReadDb, principal: Reader, paging: Paging,
                   search: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    page = CustomerRepository(db, principal.tenant_id).page(cursor=paging.cursor,
                                                            limit=paging.limit, search=search)
    return json_response({"items": [customer_service.customer_data(c) for c in page.items],
                          "next_cursor": page.next_cursor})


@router.post("/customers", status_code=201, response_model=CustomerRead, tags=["customers"],
             responses={200: {"model": CustomerRead, "description": "Updated by external_ref"}})
def create_customer(body: CustomerCreate, db: WriteDb, principal: Bookkeeper, idem: Idem) -> Response:
    customer, created = customer_service.create_customer(
        db, tenant_id=principal.tenant_id, fields=body.model_dump(exclude_none=True),
        actor=principal.actor)
    return commit_response(db, idem, customer_service.customer_data(customer),
                           status_code=201 if created else 200, version=customer.version)


@router.get("/customers/{customer_id}", response_model=CustomerRead, tags=["customers"])
def get_customer(customer_id: RecordId, db: ReadDb, principal: Reader) -> Response:
    customer = CustomerRepository(db, principal.tenant_id).require(customer_id)
    return json_response(customer_service.customer_data(customer),
                         headers={"ETag": etag(customer.version)})


@router.patch("/customers/{customer_id}", response_model=CustomerRead, tags=["customers"])
def update_customer(customer_id: RecordId, body: CustomerUpdate, db: WriteDb,
                    principal: Bookkeeper, if_match: IfMatchHeader) -> Response:
    customer = CustomerRepository(db, principal.tenant_id).require(customer_id, for_update=True)
    if_match.check(customer.version)
    customer_service.update_customer(db, tenant_id=principal.tenant_id, customer=customer,
                                     changes=body.model_dump(exclude_unset=True),
                                     actor=principal.actor)
    return commit_response(db, None, customer_service.customer_data(customer),
                           version=customer.version)


# --- tax codes -----------------------------------------------------------------------------------


@router.get("/tax-codes", response_model=PageOf[TaxCodeRead], tags=["tax codes"])
def list_tax_codes(db: ReadDb, principal: Reader) -> Response:
    codes = TaxCodeRepository(db, principal.tenant_id).all()
    return json_response({"items": [customer_service.tax_code_data(c) for c in codes],
                          "next_cursor": None})


@router.post("/tax-codes", status_code=201, response_model=TaxCodeRead, tags=["tax codes"])
def create_tax_code(body: TaxCodeCreate, db: WriteDb, principal: SetupAdmin, idem: Idem) -> Response:
    tax = customer_service.create_tax_code(db, tenant_id=principal.tenant_id, code=body.code,
                                           rate=body.rate, description=body.description,
                                           actor=principal.actor)
    return commit_response(db, idem, customer_service.tax_code_data(tax), status_code=201,
                           version=tax.version)


@router.patch("/tax-codes/{code}", response_model=TaxCodeRead, tags=["tax codes"])
def update_tax_code(code: Annotated[str, Path(max_length=64)], body: TaxCodeUpdate, db: WriteDb,
                    principal: SetupAdmin, if_match: IfMatchHeader) -> Response:
    tax = TaxCodeRepository(db, principal.tenant_id).require(code, for_update=True)
    if_match.check(tax.version)
    customer_service.update_tax_code(db, tenant_id=principal.tenant_id, tax=tax,
                                     changes=body.model_dump(exclude_unset=True),
                                     actor=principal.actor)
    return commit_response(db, None, customer_service.tax_code_data(tax), version=tax.version)


# --- transactions --------------------------------------------------------------------------------


def to_input(kind: str, body: BaseModel) -> TransactionIn:
    fields: dict[str, Any] = body.model_dump(exclude_none=True)
    fields["lines"] = [LineIn(**line) for line in fields.pop("lines", [])]
    fields["allocations"] = [AllocationIn(**a) for a in fields.pop("allocations", [])]
    return TransactionIn(kind=kind, **fields)


def _kind_routes(kind: str, plural: str, create_model: type[BaseModel],
                 read_model: type[BaseModel]) -> None:
    noun = kind.replace("_", " ")
    tags = [plural.replace("-", " ")]

    def list_transactions(
        db: ReadDb, principal: Reader, paging: Paging,
        batch_id: Annotated[str | None, Query(max_length=64)] = None,
        customer_id: Annotated[str | None, Query(max_length=64)] = None,
        date_from: IsoDate | None = None, date_to: IsoDate | None = None,
        modified_since: IsoDateTime | None = None,
        paid_status: Literal["paid", "partial", "unpaid"] | None = None,
        commerce_type: Literal["D", "M", "S"] | None = None,
        external_ref: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Response:
        filters = TransactionFilter(batch_id=batch_id, customer_id=customer_id,
                                    date_from=date_from, date_to=date_to,
                                    modified_since=modified_since, paid_status=paid_status,
                                    commerce_type=commerce_type, external_ref=external_ref)
        page = TransactionRepository(db, principal.tenant_id).page_rows(
            kind, cursor=paging.cursor, limit=paging.limit, filters=filters)
        return json_response({"items": native_transactions(db, page.items),
                              "next_cursor": page.next_cursor})

    def create(body: create_model, db: WriteDb, principal: Bookkeeper, idem: Idem) -> Response:  # type: ignore[valid-type]
        txn, created = service.create_transaction(db, principal.tenant, to_input(kind, body),
                                                  actor_of(principal))
        return commit_response(db, idem, native_transaction(db, txn),
                               status_code=201 if created else 200, version=txn.version)

    def get(record_id: RecordId, db: ReadDb, principal: Reader) -> Response:
        txn = service.require_transaction(db, principal.tenant_id, kind, record_id)
        return json_response(native_transaction(db, txn), headers={"ETag": etag(txn.version)})

    def update(record_id: RecordId, body: TransactionUpdate, db: WriteDb, principal: Bookkeeper,
               if_match: IfMatchHeader) -> Response:
        txn = TransactionRepository(db, principal.tenant_id).of_kind(kind, record_id, for_update=True)
        if txn is None:
            raise NotFound(f"{noun} '{record_id}' was not found")
        if_match.check(txn.version)
        service.update_transaction(db, principal.tenant, txn, body.model_dump(exclude_unset=True),
                                   actor_of(principal))
        return commit_response(db, None, native_transaction(db, txn), version=txn.version)

    def delete(record_id: RecordId, db: WriteDb, principal: Bookkeeper,
               if_match: IfMatchHeader) -> Response:
        txn = service.require_transaction(db, principal.tenant_id, kind, record_id)
        if_match.check(txn.version)
        service.delete_transaction(db, principal.tenant, txn, actor_of(principal))
        db.commit()
        return Response(status_code=204)

    path = f"/{plural}"
    router.add_api_route(path, list_transactions, methods=["GET"], tags=tags,
                         response_model=PageOf[read_model], summary=f"List {noun}s",
                         operation_id=f"list_{kind}s")
    router.add_api_route(path, create, methods=["POST"], status_code=201, tags=tags,
                         response_model=read_model, summary=f"Create a {noun}",
                         description="With an `external_ref` already known, updates that record "
                                     "instead (200), or changes nothing when the input is the same.",
                         responses={200: {"model": read_model}}, operation_id=f"create_{kind}")
    router.add_api_route(path + "/{record_id}", get, methods=["GET"], tags=tags,
                         response_model=read_model, summary=f"Get a {noun}",
                         operation_id=f"get_{kind}")
    router.add_api_route(path + "/{record_id}", update, methods=["PATCH"], tags=tags,
                         response_model=read_model, summary=f"Change or move a {noun}",
                         operation_id=f"update_{kind}")
    router.add_api_route(path + "/{record_id}", delete, methods=["DELETE"], tags=tags,
                         status_code=204, response_class=Response, summary=f"Delete a {noun}",
                         operation_id=f"delete_{kind}")


KINDS = [
    ("invoice", "invoices", InvoiceCreate, InvoiceRead),
    ("debit_memo", "debit-memos", DebitMemoCreate, InvoiceRead),
    ("credit_memo", "credit-memos", CreditMemoCreate, CreditMemoRead),
    ("payment", "payments", PaymentCreate, PaymentRead),
    ("refund", "refunds", RefundCreate, RefundRead),
    ("credit", "credits", CreditCreate, CreditRead),
    ("write_off", "write-offs", WriteOffCreate, CreditRead),
]
for _kind, _plural, _create, _read in KINDS:
    _kind_routes(_kind, _plural, _create, _read)


def _void(kind: str, plural: str) -> None:
    def void(record_id: RecordId, body: VoidRequest, db: WriteDb, principal: Bookkeeper,
             if_match: IfMatchHeader) -> Response:
        txn = service.require_transaction(db, principal.tenant_id, kind, record_id)
        if_match.check(txn.version)
        txn = service.void_invoice(db, principal.tenant, txn, body.void_date, actor_of(principal))
        return commit_response(db, None, native_transaction(db, txn), version=txn.version)

    router.add_api_route(f"/{plural}/{{record_id}}/void", void, methods=["POST"],
                         tags=[plural.replace("-", " ")], response_model=InvoiceRead,
                         summary=f"Void an unsettled {kind.replace('_', ' ')}",
                         operation_id=f"void_{kind}")


_void("invoice", "invoices")
_void("debit_memo", "debit-memos")
