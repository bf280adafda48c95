"""``/v1`` routes of posting: rules, preview, post, unpost, and the journal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field, StringConstraints
from starlette.responses import Response

from finbatch.api.concurrency import IfMatchHeader, etag
from finbatch.api.deps import Allowed, ReadDb, Reader, SetupAdmin, WriteDb
from finbatch.api.idempotency import Idem, commit_response
from finbatch.api.paging import PageOf, Paging
from finbatch.api.problems import problem_response
from finbatch.api.responses import json_response
from finbatch.batches import service as batches
from finbatch.batches import stats as batch_stats
from finbatch.batches.schemas import BatchRead
from finbatch.batches.views import native_batch
from finbatch.jobs.views import JobRead, job_data
from finbatch.kit.errors import NotFound
from finbatch.kit.money import format_minor
from finbatch.ledger import ap_posting, posting, rules
from finbatch.ledger.accounts_repository import GLAccountRepository
from finbatch.ledger.journal_repository import JournalRepository
from finbatch.ledger.models import ROLES, RULE_KINDS
from finbatch.ledger.views import entry_documents
from finbatch.receivables.endpoints import actor_of
from finbatch.schemas_common import Input
from finbatch.tenancy.roles import Permission

router = APIRouter()
Short = Annotated[str, StringConstraints(max_length=64)]
Poster = Allowed(Permission.POST)

# --- posting rules -------------------------------------------------------------------------------


class PostingRuleCreate(Input):
    kind: Literal[RULE_KINDS]  # type: ignore[valid-type]
    role: Literal[ROLES]  # type: ignore[valid-type]
    account_code: Short
    product: Short | None = Field(
        None, description="Narrow to one product (or, for tax_payable, one tax code).")
    commerce_type: Literal["D", "M", "S"] | None = None
    business_unit_id: Short | None = None


class PostingRuleUpdate(Input):
    account_code: Short


class PostingRuleRead(BaseModel):
    id: str
    kind: str
    role: str
    product: str | None
    commerce_type: str | None
    business_unit_id: str | None
    account_id: str
    account_code: str
    account_name: str
    created_at: datetime
    updated_at: datetime
    version: int


def _accounts(db, tenant_id: int) -> dict[str, tuple[str, str]]:
    return {i: (c, n) for i, (c, n, _p) in GLAccountRepository(db, tenant_id).chart().items()}


@router.get("/posting-rules", response_model=PageOf[PostingRuleRead], tags=["posting rules"])
def list_rules(db: ReadDb, principal: Reader, paging: Paging,
               kind: Annotated[str | None, Query(max_length=32)] = None) -> Response:
    page = rules.PostingRuleRepository(db, principal.tenant_id).page(
        cursor=paging.cursor, limit=paging.limit, kind=kind)
    accounts = _accounts(db, principal.tenant_id)
    return json_response({"items": [rules.rule_data(r, accounts) for r in page.items],
                          "next_cursor": page.next_cursor})


@router.post("/posting-rules", status_code=201, response_model=PostingRuleRead, tags=["posting rules"])
def create_rule(body: PostingRuleCreate, db: WriteDb, principal: SetupAdmin, idem: Idem) -> Response:
    rule = rules.create_rule(db, tenant_id=principal.tenant_id, actor=principal.actor,
                             **body.model_dump())
    return commit_response(db, idem, rules.rule_data(rule, _accounts(db, principal.tenant_id)),
                           status_code=201, version=rule.version)


@router.get("/posting-rules/{rule_id}", response_model=PostingRuleRead, tags=["posting rules"])
def get_rule(rule_id: Annotated[str, Path(max_length=64)], db: ReadDb, principal: Reader) -> Response:
    rule = rules.PostingRuleRepository(db, principal.tenant_id).require(rule_id)
    return json_response(rules.rule_data(rule, _accounts(db, principal.tenant_id)),
                         headers={"ETag": etag(rule.version)})


@router.patch("/posting-rules/{rule_id}", response_model=PostingRuleRead, tags=["posting rules"])
def update_rule(rule_id: Annotated[str, Path(max_length=64)], body: PostingRuleUpdate, db: WriteDb,
                principal: SetupAdmin, if_match: IfMatchHeader) -> Response:
    rule = rules.update_rule(db, tenant_id=principal.tenant_id, rule_id=rule_id,
                             account_code=body.account_code, check_version=if_match.check,
                             actor=principal.actor)
    return commit_response(db, None, rules.rule_data(rule, _accounts(db, principal.tenant_id)),
                           version=rule.version)


@router.delete("/posting-rules/{rule_id}", status_code=204, response_class=Response,
               tags=["posting rules"])
def delete_rule(rule_id: Annotated[str, Path(max_length=64)], db: WriteDb,
                principal: SetupAdmin) -> Response:
    rules.delete_rule(db, tenant_id=principal.tenant_id, rule_id=rule_id, actor=principal.actor)
    db.commit()
    return Response(status_code=204)


# --- preview, post, unpost -----------------------------------------------------------------------


class PreviewRequest(Input):
    batch_ids: list[Short] = Field(min_length=1, max_length=100)


class MissingConfiguration(BaseModel):
    kind: str
    role: str
    product: str | None
    commerce_type: str | None
    business_unit_id: str | None
    account_code: str | None
    description: str
    batch_ids: list[str]


class IneligibleBatch(BaseModel):
    id: str
    name: str | None
    reason: str


class BatchToPost(BaseModel):
    id: str
    name: str
    date: date


class PostingPreview(BaseModel):
    products: list[str]
    products_without_financial_configuration: list[str]
    missing_configuration: list[MissingConfiguration]
    ineligible_batches: list[IneligibleBatch]
    batches_to_post: list[BatchToPost]


class JobStarted(BaseModel):
    job: JobRead
    batch: BatchRead


@router.post("/batches/posting-preview", response_model=PostingPreview, tags=["posting"],
             summary="What posting these batches would do")
def posting_preview(body: PreviewRequest, db: ReadDb, principal: Reader) -> Response:
    return json_response(posting.preview(db, principal.tenant, body.batch_ids))


def _started(db, idem, job, batch) -> Response:
    stats = batch_stats.of_batches(db, batch.tenant_id, [batch.id])[batch.id]
    content: dict[str, Any] = {"job": job_data(job), "batch": native_batch(batch, stats)}
    return commit_response(db, idem, content, status_code=202,
                           headers={"Location": f"/v1/jobs/{job.id}"})


@router.post("/batches/{batch_id}/post", status_code=202, response_model=JobStarted,
             tags=["posting"], summary="Post a closed or verified batch (asynchronously)",
             responses={409: problem_response("The lifecycle does not allow it"),
                        422: problem_response("GL configuration is missing")})
def post_batch(batch_id: Annotated[str, Path(max_length=64)], db: WriteDb, principal: Poster,  # type: ignore[valid-type]
               idem: Idem, if_match: IfMatchHeader) -> Response:
    batch = batches.require_batch(db, principal.tenant_id, batch_id, for_update=True)
    if_match.check(batch.version)
    job = posting.start_posting(db, principal.tenant, batch, actor_of(principal))
    return _started(db, idem, job, batch)


@router.post("/batches/{batch_id}/unpost", status_code=202, response_model=JobStarted,
             tags=["posting"], summary="Unpost a posted batch (asynchronously)")
def unpost_batch(batch_id: Annotated[str, Path(max_length=64)], db: WriteDb, principal: Poster,  # type: ignore[valid-type]
                 idem: Idem, if_match: IfMatchHeader) -> Response:
    batch = batches.require_batch(db, principal.tenant_id, batch_id, for_update=True)
    if_match.check(batch.version)
    job = posting.start_unposting(db, principal.tenant, batch, actor_of(principal))
    return _started(db, idem, job, batch)


# --- journal -------------------------------------------------------------------------------------


class JournalLineRead(BaseModel):
    line_number: int
    account_id: str
    account_code: str
    account_name: str
    debit: str
    credit: str
    txn_debit: str
    txn_credit: str
    description: str | None


class JournalEntryRead(BaseModel):
    id: str
    number: int
    batch_id: str
    source_kind: str
    source_id: str
    entry_date: date
    fiscal_year_id: str
    fiscal_period: int
    currency: str
    base_currency: str
    fx_rate: str
    description: str
    party_id: str | None
    party_name: str | None
    reverses_entry_id: str | None
    total_debit: str
    total_credit: str
    lines: list[JournalLineRead]
    created_at: datetime


def _entries(db, tenant, entries) -> list[dict[str, Any]]:
    return entry_documents(db, tenant, entries, format_minor)


@router.get("/journal-entries", response_model=PageOf[JournalEntryRead], tags=["journal"],
            summary="Posted journal entries, with their lines")
def list_journal(db: ReadDb, principal: Reader, paging: Paging,
                 batch_id: Annotated[str | None, Query(max_length=64)] = None,
                 source_id: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    page = JournalRepository(db, principal.tenant_id).page(
        cursor=paging.cursor, limit=paging.limit, batch_id=batch_id, source_id=source_id)
    return json_response({"items": _entries(db, principal.tenant, page.items),
                          "next_cursor": page.next_cursor})


@router.get("/journal-entries/{entry_id}", response_model=JournalEntryRead, tags=["journal"])
def get_journal_entry(entry_id: Annotated[str, Path(max_length=64)], db: ReadDb,
                      principal: Reader) -> Response:
    entry = JournalRepository(db, principal.tenant_id).visible(entry_id) \
        if len(entry_id) == 36 else None
    if entry is None:
        raise NotFound(f"journal entry '{entry_id}' was not found")
    return json_response(_entries(db, principal.tenant, [entry])[0])


class ApJobStarted(BaseModel):
    job: JobRead


@router.post("/ap-batches/{batch_id}/post", status_code=202, response_model=ApJobStarted,
             tags=["posting"], summary="Post a Queued or Exported AP batch (asynchronously)",
             responses={409: problem_response("Not postable (status, empty, posted already)"),
                        422: problem_response("GL configuration is missing")})
def post_ap_batch(batch_id: Annotated[str, Path(max_length=64)], db: WriteDb, principal: Poster,  # type: ignore[valid-type]
                  idem: Idem) -> Response:
    job = ap_posting.start_ap_posting(db, principal.tenant, batch_id, actor_of(principal))
    return commit_response(db, idem, {"job": job_data(job)}, status_code=202,
                           headers={"Location": f"/v1/jobs/{job.id}"})
