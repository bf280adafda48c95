"""``/v1/fiscal-years``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from finbatch.api.concurrency import etag
from finbatch.api.deps import Allowed, ReadDb, Reader, SetupAdmin, WriteDb
from finbatch.api.idempotency import Idem, commit_response
from finbatch.api.paging import PageOf, Paging
from finbatch.api.problems import problem_response
from finbatch.api.responses import json_response
from finbatch.fiscal import closing, service
from finbatch.fiscal.repository import FiscalPeriodRepository, FiscalYearRepository
from finbatch.fiscal.schemas import FiscalPeriodRead, FiscalYearCreate, FiscalYearRead
from finbatch.tenancy.roles import Permission

router = APIRouter(tags=["fiscal years"])
YearId = Annotated[str, Path(max_length=32)]


@router.get("/fiscal-years", response_model=PageOf[FiscalYearRead])
def list_fiscal_years(db: ReadDb, principal: Reader, paging: Paging) -> Response:
    page = FiscalYearRepository(db, principal.tenant_id).page(cursor=paging.cursor,
                                                              limit=paging.limit)
    periods = FiscalPeriodRepository(db, principal.tenant_id).of_years([y.id for y in page.items])
    return json_response({"items": [service.read(db, y, periods[y.id]) for y in page.items],
                          "next_cursor": page.next_cursor})


@router.post("/fiscal-years", status_code=201, response_model=FiscalYearRead,
             summary="Create a fiscal year with its twelve open periods")
def create_fiscal_year(body: FiscalYearCreate, db: WriteDb, principal: SetupAdmin,
                       idem: Idem) -> Response:
    year = service.create_fiscal_year(db, tenant_id=principal.tenant_id,
                                      start_month=principal.tenant.fiscal_year_start_month,
                                      year=body.year, id=body.id, actor=principal.actor)
    return commit_response(db, idem, service.read(db, year), status_code=201, version=year.version)


@router.get("/fiscal-years/{fiscal_year_id}", response_model=FiscalYearRead)
def get_fiscal_year(fiscal_year_id: YearId, db: ReadDb, principal: Reader) -> Response:
    year = FiscalYearRepository(db, principal.tenant_id).require(fiscal_year_id)
    return json_response(service.read(db, year), headers={"ETag": etag(year.version)})


@router.get("/fiscal-years/{fiscal_year_id}/periods", response_model=PageOf[FiscalPeriodRead])
def list_periods(fiscal_year_id: YearId, db: ReadDb, principal: Reader) -> Response:
    FiscalYearRepository(db, principal.tenant_id).require(fiscal_year_id)
    periods = FiscalPeriodRepository(db, principal.tenant_id).of_year(fiscal_year_id)
    return json_response({"items": [FiscalPeriodRead.model_validate(p).model_dump(mode="json")
                                    for p in periods], "next_cursor": None})


PeriodCloser = Allowed(Permission.CLOSE_PERIODS)
PeriodNumber = Annotated[int, Path(ge=1, le=12)]


@router.post("/fiscal-years/{fiscal_year_id}/periods/{number}/close", response_model=FiscalPeriodRead,
             summary="Close a period whose batches are all posted",
             responses={409: problem_response("Unposted batches keep the period open (listed)")})
def close_period(fiscal_year_id: YearId, number: PeriodNumber, db: WriteDb,
                 principal: PeriodCloser) -> Response:  # type: ignore[valid-type]
    period = closing.close_period(db, tenant_id=principal.tenant_id, fiscal_year_id=fiscal_year_id,
                                  number=number, actor=principal.actor)
    db.commit()
    return json_response(FiscalPeriodRead.model_validate(period).model_dump(mode="json"))


@router.post("/fiscal-years/{fiscal_year_id}/periods/{number}/reopen",
             response_model=FiscalPeriodRead, summary="Reopen a closed period")
def reopen_period(fiscal_year_id: YearId, number: PeriodNumber, db: WriteDb,
                  principal: PeriodCloser) -> Response:  # type: ignore[valid-type]
    period = closing.reopen_period(db, tenant_id=principal.tenant_id,
                                   fiscal_year_id=fiscal_year_id, number=number,
                                   actor=principal.actor)
    db.commit()
    return json_response(FiscalPeriodRead.model_validate(period).model_dump(mode="json"))
