"""``/v1/gl-accounts``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from finbatch.api.concurrency import IfMatchHeader, etag
from finbatch.api.deps import ReadDb, Reader, SetupAdmin, WriteDb
from finbatch.api.idempotency import Idem, commit_response
from finbatch.api.paging import PageOf, Paging
from finbatch.api.responses import json_response
from finbatch.ledger import accounts
from finbatch.ledger.accounts_repository import GLAccountRepository
from finbatch.ledger.schemas import AccountType, GLAccountCreate, GLAccountRead, GLAccountUpdate

router = APIRouter(tags=["gl accounts"])
AccountId = Annotated[str, Path(max_length=64)]


@router.get("/gl-accounts", response_model=PageOf[GLAccountRead],
            summary="The chart of accounts, ordered by code")
def list_accounts(db: ReadDb, principal: Reader, paging: Paging, active: bool | None = None,
                  type: AccountType | None = None) -> Response:
    repo = GLAccountRepository(db, principal.tenant_id)
    page = repo.page(cursor=paging.cursor, limit=paging.limit, active=active, type=type)
    chart = repo.chart()
    names = accounts.full_names(chart)
    return json_response({"items": [accounts.read(repo, a, names, chart) for a in page.items],
                          "next_cursor": page.next_cursor})


@router.post("/gl-accounts", status_code=201, response_model=GLAccountRead)
def create_account(body: GLAccountCreate, db: WriteDb, principal: SetupAdmin, idem: Idem) -> Response:
    account = accounts.create_account(db, tenant_id=principal.tenant_id, actor=principal.actor,
                                      **body.model_dump())
    repo = GLAccountRepository(db, principal.tenant_id)
    return commit_response(db, idem, accounts.read(repo, account), status_code=201,
                           version=account.version)


@router.get("/gl-accounts/{account_id}", response_model=GLAccountRead)
def get_account(account_id: AccountId, db: ReadDb, principal: Reader) -> Response:
    repo = GLAccountRepository(db, principal.tenant_id)
    account = repo.require(account_id)
    return json_response(accounts.read(repo, account), headers={"ETag": etag(account.version)})


@router.patch("/gl-accounts/{account_id}", response_model=GLAccountRead)
def update_account(account_id: AccountId, body: GLAccountUpdate, db: WriteDb,
                   principal: SetupAdmin, if_match: IfMatchHeader) -> Response:
    account = accounts.update_account(db, tenant_id=principal.tenant_id, account_id=account_id,
                                      changes=body.model_dump(exclude_unset=True),
                                      check_version=if_match.check, actor=principal.actor)
    repo = GLAccountRepository(db, principal.tenant_id)
    return commit_response(db, None, accounts.read(repo, account), version=account.version)
