"""Console pages of AR batches: the list with its period summary and chart, one batch, the live
panel of its jobs, and the lifecycle actions.

Every action calls the service the ``/v1`` endpoint calls (``batches.service``, ``ledger.posting``,
``exports.service``) after the same ``principal.require``; the form's ``version`` plays the part of
``If-Match``, so acting on a stale page is refused instead of applied to a changed batch. After a
change the browser is redirected (POST → redirect → GET), so a reload never repeats an action.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from finbatch.api.deps import get_database
from finbatch.batches import lifecycle
from finbatch.batches import service as batches
from finbatch.batches import stats as batch_stats
from finbatch.batches.repository import BatchFilter, BatchRepository
from finbatch.console import queries
from finbatch.console.auth import CsrfChecked, Operator
from finbatch.console.web import render
from finbatch.exports import service as exports
from finbatch.exports import signing
from finbatch.exports.catalog import FORMATS
from finbatch.exports.repository import ExportRepository
from finbatch.kit.errors import Conflict, ValidationFailed
from finbatch.ledger import posting
from finbatch.ledger.journal_repository import JournalRepository
from finbatch.receivables.endpoints import actor_of
from finbatch.receivables.repository import TransactionRepository
from finbatch.receivables.views import native_transactions
from finbatch.tenancy.auth import Principal
from finbatch.tenancy.models import BusinessUnit
from finbatch.tenancy.roles import Permission

router = APIRouter()
BatchId = Annotated[str, Path(max_length=64)]
PAGE = 50
#: Actions with a button of their own, in the order the page shows them (archive stays in /v1).
BUTTONS = ("close", "reopen", "verify", "post", "unpost")
#: What the console calls each step of the lifecycle it may start.
STARTERS = {"close", "reopen", "post", "unpost"}


@router.get("/batches", name="console_batches")
def list_batches(request: Request, principal: Operator,
                 fiscal_year_id: Annotated[str | None, Query(max_length=32)] = None,
                 fiscal_period: Annotated[str | None, Query(max_length=2)] = None,
                 status: Annotated[str | None, Query(max_length=16)] = None,
                 business_unit_id: Annotated[str | None, Query(max_length=64)] = None,
                 q: Annotated[str | None, Query(max_length=200)] = None,
                 currency: Annotated[str | None, Query(max_length=3)] = None,
                 cursor: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    principal.require(Permission.READ)
    period = int(fiscal_period) if fiscal_period and fiscal_period.isdigit() else None
    status = status if status in lifecycle.STATUSES else None
    filters = BatchFilter(fiscal_year_id=fiscal_year_id or None, fiscal_period=period,
                          statuses=[status] if status else None,
                          business_unit_id=business_unit_id or None, name_contains=q or None)
    tenant = principal.tenant
    with get_database(request).reading() as db:
        page = BatchRepository(db, tenant.id).page(cursor=cursor or None, limit=PAGE,
                                                    filters=filters)
        stats = batch_stats.of_batches(db, tenant.id, [b.id for b in page.items])
        groups = queries.summary(db, tenant.id, fiscal_year_id=fiscal_year_id or None)
        years = queries.fiscal_years(db, tenant.id)
        units = queries.business_units(db, tenant.id)
    currencies = sorted({g.currency for g in groups}) or [tenant.base_currency]
    chart_currency = currency if currency in currencies else (
        tenant.base_currency if tenant.base_currency in currencies else currencies[0])
    args = {"fiscal_year_id": fiscal_year_id or "", "fiscal_period": fiscal_period or "",
            "status": status or "", "business_unit_id": business_unit_id or "", "q": q or ""}
    next_url = (f"{request.url.path}?{urlencode({**args, 'cursor': page.next_cursor})}"
                if page.next_cursor else None)
    return render(request, "batches.html", {
        "batches": [(b, stats[b.id]) for b in page.items], "groups": groups, "years": years,
        "units": units, "statuses": lifecycle.STATUSES, "filters": args, "next_url": next_url,
        "chart": queries.chart_rows(groups, chart_currency), "chart_currency": chart_currency,
        "currencies": currencies})


def _buttons(principal: Principal, status: str) -> list[str]:
    """The actions the lifecycle allows from ``status`` that the user's roles allow (display only:
    the server checks both again when the form arrives)."""
    return [a for a in BUTTONS if status in lifecycle.ACTIONS[a][0]
            and principal.can(batches.ACTION_PERMISSIONS[a])]


@router.get("/batches/{batch_id}", name="console_batch")
def show_batch(request: Request, batch_id: BatchId, principal: Operator,
               done: Annotated[str | None, Query(max_length=32)] = None) -> Response:
    principal.require(Permission.READ)
    tenant = principal.tenant
    with get_database(request).reading() as db:
        batch = batches.require_batch(db, tenant.id, batch_id)
        stats = batch_stats.of_batches(db, tenant.id, [batch.id])[batch.id]
        txns = TransactionRepository(db, tenant.id).page_in_batch(batch.id, cursor=None, limit=200)
        transactions = native_transactions(db, txns.items)
        preview = posting.preview(db, tenant, [batch.id])
        journal = JournalRepository(db, tenant.id)
        entries = journal.page(cursor=None, limit=100, batch_id=batch.id).items
        lines = journal.lines_with_accounts([e.id for e in entries])
        jobs = queries.batch_jobs(db, batch)
        unit = db.get(BusinessUnit, (tenant.id, batch.business_unit_id))
    return render(request, "batch.html", {
        "batch": batch, "stats": stats, "transactions": transactions,
        "more_transactions": txns.next_cursor is not None, "preview": preview,
        "entries": [(e, lines[e.id]) for e in entries], "jobs": jobs,
        "buttons": _buttons(principal, batch.status),
        "can_export": principal.can(Permission.EXPORT) and batch.status in ("posted", "downloaded"),
        "formats": FORMATS, "default_format": unit.export_format if unit else "gl-csv",
        "done": done, "kinds": list(batch_stats.STAT_KEYS)})


@router.get("/batches/{batch_id}/live", name="console_batch_live")
def batch_live(request: Request, batch_id: BatchId, principal: Operator,
               was_running: Annotated[int, Query(ge=0, le=1)] = 0) -> Response:
    """The status and jobs panel that htmx polls while something runs. When the last job ends the
    whole page reloads (``HX-Refresh``) so the buttons match the new status."""
    principal.require(Permission.READ)
    with get_database(request).reading() as db:
        batch = batches.require_batch(db, principal.tenant_id, batch_id)
        jobs = queries.batch_jobs(db, batch)
    running = jobs.running or batch.status == "posting"
    response = render(request, "_live.html", {"batch": batch, "jobs": jobs, "running": running})
    if was_running and not running:
        response.headers["HX-Refresh"] = "true"
    return response


def _locked(db, principal: Principal, batch_id: str, version: int):
    batch = batches.require_batch(db, principal.tenant_id, batch_id, for_update=True)
    if batch.version != version:
        raise Conflict(f"batch {batch.name} changed since the page was loaded (it is now "
                       f"{batch.status}): reload the page and try again", code="STALE_PAGE")
    return batch


def _done(batch_id: str, what: str) -> RedirectResponse:
    return RedirectResponse(f"/console/batches/{batch_id}?done={what}", status_code=303)


@router.post("/batches/{batch_id}/actions/{action}", dependencies=[CsrfChecked])
def act(request: Request, batch_id: BatchId, principal: Operator,
        action: Annotated[str, Path(max_length=16)],
        version: Annotated[int, Form(ge=1)]) -> Response:
    if action not in STARTERS:
        raise ValidationFailed.single("action", f"'{action}' is not a console action", "unknown")
    principal.require(batches.ACTION_PERMISSIONS[action])
    with get_database(request).write_session() as db:
        batch = _locked(db, principal, batch_id, version)
        if action == "post":
            posting.start_posting(db, principal.tenant, batch, actor_of(principal))
        elif action == "unpost":
            posting.start_unposting(db, principal.tenant, batch, actor_of(principal))
        else:
            batches.apply_action(db, principal.tenant, batch, action, actor_of(principal))
        db.commit()
    return _done(batch_id, action)


@router.post("/batches/{batch_id}/verify", dependencies=[CsrfChecked])
def verify(request: Request, batch_id: BatchId, principal: Operator,
           version: Annotated[int, Form(ge=1)],
           control_count: Annotated[str, Form(max_length=20)] = "",
           control_total: Annotated[str, Form(max_length=40)] = "") -> Response:
    principal.require(Permission.VERIFY_BATCHES)
    count_text = control_count.strip()
    if count_text and not count_text.isdigit():
        raise ValidationFailed.single("control_count", "must be a whole number", "invalid")
    with get_database(request).write_session() as db:
        batch = _locked(db, principal, batch_id, version)
        batches.verify_batch(db, principal.tenant, batch, actor_of(principal),
                             control_count=int(count_text) if count_text else None,
                             control_total=control_total.strip() or None)
        db.commit()
    return _done(batch_id, "verify")


@router.post("/batches/{batch_id}/export", dependencies=[CsrfChecked])
def export(request: Request, batch_id: BatchId, principal: Operator,
           format: Annotated[str, Form(max_length=32)],
           force: Annotated[str, Form(max_length=8)] = "",
           reason: Annotated[str, Form(max_length=1000)] = "") -> Response:
    principal.require(Permission.EXPORT)
    if format not in FORMATS:
        raise ValidationFailed.single("format", f"'{format}' is not an export format", "unknown")
    with get_database(request).write_session() as db:
        batches.require_batch(db, principal.tenant_id, batch_id)
        exports.request_export(db, principal.tenant, batch_ids=[batch_id], fmt=format,
                               force=force == "on", reason=reason.strip() or None, options={},
                               actor=actor_of(principal), batch_kind="ar")
        db.commit()
    return _done(batch_id, "export")


@router.get("/exports/{export_id}/download", name="console_download")
def download(request: Request, export_id: Annotated[str, Path(max_length=64)],
             principal: Operator) -> Response:
    """Sends the browser to the export's signed link: the file is served by the one download
    path ``/v1`` has, with its checks (complete, not expired, file present)."""
    principal.require(Permission.READ)
    database = get_database(request)
    with database.reading() as db:
        found = ExportRepository(db, principal.tenant_id).require(export_id)
    url, _expires = signing.signed_url(database, "", principal.tenant_id, found.id)
    return RedirectResponse(url, status_code=303)
