"""The application factory: mounts ``/v1``, the health probes and (as they arrive) every dialect
and the console; installs the error renderers and the middleware."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.requests import Request

from finbatch import __version__, maintenance
from finbatch.api import health
from finbatch.api.idempotency import Replay, replay_handler
from finbatch.api.limits import BodySizeLimit
from finbatch.api.prefix_router import PrefixRouter
from finbatch.api.problems import PROBLEM_RESPONSES, install_error_handlers, render_problem
from finbatch.api.ratelimit import RateLimiter
from finbatch.api.security import ScopedCORS, SecurityHeaders, parse_origins
from finbatch.api.strict_query import strict_query
from finbatch.api.surfaces import Surface, SurfaceRegistry
from finbatch.batches.endpoints import router as batches_router
from finbatch.config import Settings, get_settings
from finbatch.console import install as install_console
from finbatch.db import Database
from finbatch.dialects import agvance, rhythm, saasu, ym
from finbatch.dialects.envi.auth import router as envi_auth_router
from finbatch.dialects.envi.errors import HEADERS as ENVI_HEADERS
from finbatch.dialects.envi.errors import render_envi_error
from finbatch.dialects.envi.routes import router as envi_router
from finbatch.events.endpoints import router as events_router
from finbatch.exports.endpoints import router as exports_router
from finbatch.fiscal.endpoints import router as fiscal_router
from finbatch.jobs.endpoints import router as jobs_router
from finbatch.jobs.handlers import start_embedded
from finbatch.ledger.endpoints import router as ledger_router
from finbatch.ledger.posting_endpoints import router as posting_router
from finbatch.payables.endpoints import router as payables_router
from finbatch.receivables.endpoints import router as receivables_router
from finbatch.tenancy.endpoints import router as tenancy_router

DESCRIPTION = """\
finbatch's native API. Amounts are JSON strings holding exact decimals at the currency's
exponent. Lists are cursor-paged (`limit`, `cursor` → `items`, `next_cursor`). Errors are RFC 9457
problem details with a stable `code`. POSTs that create records or start jobs accept an
`Idempotency-Key`; updates accept `If-Match` with the `ETag` of the version they are based on.
"""


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    db = database or Database(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        upkeep = maintenance.start(db) if settings.embedded_workers > 0 else None
        workers, stop_workers = start_embedded(db, settings.embedded_workers)
        yield
        stop_workers.set()
        for thread in workers:
            thread.join(timeout=10)
        if upkeep is not None:
            upkeep[1].set()
            upkeep[0].join(timeout=5)
        if database is None:
            db.dispose()

    app = FastAPI(title="finbatch", version=__version__, description=DESCRIPTION,
                  lifespan=lifespan, openapi_url="/openapi.json", docs_url="/docs",
                  redoc_url=None)
    app.state.settings = settings
    app.state.db = db
    app.state.rate_limiter = RateLimiter()

    surfaces = SurfaceRegistry(Surface("native", ("/v1/",), render_problem))
    surfaces.register(Surface("envi", ("/odata/", "/oauth2/"), render_envi_error, ENVI_HEADERS))
    surfaces.register(saasu.surface)
    surfaces.register(agvance.surface)
    surfaces.register(ym.surface)
    app.state.surfaces = surfaces
    install_error_handlers(app, surfaces)
    app.add_exception_handler(Replay, replay_handler)

    v1 = PrefixRouter(prefix="/v1", responses=PROBLEM_RESPONSES,
                      dependencies=[Depends(strict_query)])
    for router in (tenancy_router, fiscal_router, ledger_router, receivables_router,
                   posting_router, batches_router, exports_router, jobs_router, events_router,
                   payables_router):
        v1.include_router(router)
    app.include_router(v1)
    app.include_router(envi_router)
    app.include_router(envi_auth_router)
    app.include_router(saasu.router)
    app.include_router(agvance.router)
    app.include_router(ym.router)
    app.include_router(health.router)
    rhythm.install(app, surfaces)
    install_console(app, surfaces)

    async def reject(scope, receive, send, error) -> None:
        request = Request(scope, receive)
        await surfaces.for_path(request.url.path).render_error(request, error)(scope, receive, send)

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, reject=reject)
    origins = parse_origins(settings.cors_origins)
    if origins:
        def without_own_cors(path: str) -> bool:
            own = surfaces.for_path(path).headers
            return not any(name.lower().startswith("access-control-") for name in own)

        app.add_middleware(ScopedCORS, origins=origins, applies=without_own_cors)
    app.add_middleware(SecurityHeaders)  # outermost: every response, errors and 413s included
    return app
