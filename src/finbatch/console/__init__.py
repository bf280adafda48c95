"""The operator console: server-rendered pages at ``/console`` over the core services.

Modules: ``session`` (signed cookie, CSRF tokens), ``auth`` (the signed-in user as a ``Principal``),
``web`` (templates, formatting, headers), ``queries`` (read-only summaries), ``signin``,
``batches``, ``periods`` (pages and actions), ``errors`` (the console's error surface). Templates
and the vendored htmx live beside them. No business rule lives here: pages read through the
repositories and act through the services the ``/v1`` endpoints call, with the same permissions.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from starlette.responses import RedirectResponse
from starlette.staticfiles import StaticFiles

from finbatch.api.surfaces import SurfaceRegistry
from finbatch.console import batches, errors, periods, signin
from finbatch.console.web import STATIC_DIR


def install(app: FastAPI, surfaces: SurfaceRegistry) -> None:
    router = APIRouter(prefix="/console", include_in_schema=False)

    @router.get("")
    @router.get("/")
    def home() -> RedirectResponse:
        return RedirectResponse("/console/batches", status_code=303)

    for module in (signin, batches, periods):
        router.include_router(module.router)
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=STATIC_DIR), name="console_static")
    surfaces.register(errors.surface)
