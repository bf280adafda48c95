"""Console page of fiscal periods: which batches keep each period from closing, and closing (or
reopening) it through ``fiscal.closing`` — the rule of what may close lives there, not here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from finbatch.api.deps import get_database
from finbatch.batches.repository import BatchRepository
from finbatch.console.auth import CsrfChecked, Operator
from finbatch.console.web import render
from finbatch.fiscal import closing
from finbatch.fiscal.repository import FiscalPeriodRepository, FiscalYearRepository
from finbatch.tenancy.roles import Permission

router = APIRouter()
YearId = Annotated[str, Path(max_length=32)]
Number = Annotated[int, Path(ge=1, le=12)]
#: Blocking batches listed per period (the close refusal names up to 200 itself).
SHOWN = 20


@router.get("/periods", name="console_periods")
def list_periods(request: Request, principal: Operator,
                 fiscal_year_id: Annotated[str | None, Query(max_length=32)] = None,
                 done: Annotated[str | None, Query(max_length=16)] = None) -> Response:
    principal.require(Permission.READ)
    tenant_id = principal.tenant_id
    with get_database(request).reading() as db:
        years = FiscalYearRepository(db, tenant_id).page(cursor=None, limit=100).items
        year_ids = [y.id for y in years]
        chosen = fiscal_year_id if fiscal_year_id in year_ids else (year_ids[-1] if year_ids else None)
        rows = []
        if chosen:
            repo = BatchRepository(db, tenant_id)
            for period in FiscalPeriodRepository(db, tenant_id).of_year(chosen):
                blocking = repo.in_period_not_in(chosen, period.number, closing.SETTLED_STATUSES,
                                                 limit=SHOWN + 1)
                rows.append({"period": period, "blocking": blocking[:SHOWN],
                             "more": len(blocking) > SHOWN})
    return render(request, "periods.html", {"years": year_ids, "chosen": chosen, "rows": rows,
                                            "done": done})


def _act(request: Request, principal, fiscal_year_id: str, number: int, action: str) -> Response:
    principal.require(Permission.CLOSE_PERIODS)
    with get_database(request).write_session() as db:
        run = closing.close_period if action == "close" else closing.reopen_period
        run(db, tenant_id=principal.tenant_id, fiscal_year_id=fiscal_year_id, number=number,
            actor=principal.actor)
        db.commit()
    return RedirectResponse(f"/console/periods?fiscal_year_id={fiscal_year_id}&done={action}",
                            status_code=303)


@router.post("/periods/{fiscal_year_id}/{number}/close", dependencies=[CsrfChecked])
def close(request: Request, fiscal_year_id: YearId, number: Number, principal: Operator) -> Response:
    return _act(request, principal, fiscal_year_id, number, "close")


@router.post("/periods/{fiscal_year_id}/{number}/reopen", dependencies=[CsrfChecked])
def reopen(request: Request, fiscal_year_id: YearId, number: Number, principal: Operator) -> Response:
    return _act(request, principal, fiscal_year_id, number, "reopen")
