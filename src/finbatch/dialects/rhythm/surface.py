"""The Rhythm surface: its paths, CORS headers, error body, callers and responses.

Design:
- Every response under Rhythm's paths carries the seed's three CORS headers (and exposes
  ``X-Last-Evaluated-Key``, the scan route's paging header): ``RhythmCors`` adds them to whatever
  the application sends, and ``render_error`` adds them to error responses too, because some
  errors (an oversized body, an unexpected failure) are answered outside the routing stack.
  CORS preflights (``OPTIONS`` with ``Access-Control-Request-Method``) are answered by
  ``RhythmCors`` itself (204), before routing and without a token; another ``OPTIONS`` is a 405
  like any method a path does not have.
- Errors render as ``{"message", "errors": [{"field", "message"}]}``. The core's 422 (a field
  breaks a rule) is Rhythm's 400 ("invalid"); every other status passes through.
- ``{tenantId}`` is the tenant slug: the caller's token must grant it (403 otherwise, 401 without a
  valid token) and its roles must allow the route's permission (403).
- Handlers that take a body read it raw (``RawBody``) and parse it with ``wire.parse_json`` after
  the caller is known, so a bad token is a 401 whatever the body, and numbers never pass through
  ``float``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from finbatch.api.deps import authenticate, bearer_scheme
from finbatch.api.surfaces import Surface
from finbatch.dialects.rhythm.wire import dumps
from finbatch.kit.errors import FinbatchError
from finbatch.tenancy.auth import Principal
from finbatch.tenancy.roles import Permission

#: Paths of the Rhythm surface, lower-cased (``Surface.owns`` compares lower-cased paths).
PREFIXES = ("/batches/", "/batchposting/", "/batchdownloading/")
PAGING_HEADER = "X-Last-Evaluated-Key"
CORS_HEADERS = {
    "Access-Control-Allow-Headers": "Authorization,Content-Type",
    "Access-Control-Allow-Methods": "DELETE,GET,OPTIONS,PATCH,POST,PUT",
    # bearer tokens, never cookies: any origin may call
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": PAGING_HEADER,
}
MEDIA_TYPE = "application/json"


def error_status(error: FinbatchError) -> int:
    return 400 if error.status == 422 else error.status


def error_body(error: FinbatchError) -> dict[str, Any]:
    return {"message": error.message,
            "errors": [{"field": e.field, "message": e.message} for e in error.errors]}


def render_error(_request: Request, error: FinbatchError) -> Response:
    return Response(dumps(error_body(error)), status_code=error_status(error),
                    media_type=MEDIA_TYPE, headers={**error.headers, **CORS_HEADERS})


SURFACE = Surface("rhythm", PREFIXES, render_error, headers=dict(CORS_HEADERS))


class RhythmCors:
    """ASGI middleware: CORS headers on every response of the surface; preflights answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not SURFACE.owns(scope["path"]):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and any(
                name == b"access-control-request-method" for name, _ in scope.get("headers", [])):
            await Response(status_code=204, headers=CORS_HEADERS)(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in CORS_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_cors)


# --- callers -------------------------------------------------------------------------------------

TenantSlug = Annotated[str, Path(alias="tenantId", max_length=63,
                                 description="The tenant's slug; the token must grant it.")]


def _caller(permission: Permission):
    def caller(request: Request, tenant_slug: TenantSlug,
               credentials: Annotated[HTTPAuthorizationCredentials | None,
                                      Depends(bearer_scheme)]) -> Principal:
        principal = authenticate(request, credentials).in_tenant(slug=tenant_slug)
        principal.require(permission)
        return principal

    return Annotated[Principal, Depends(caller)]


#: Any role of the tenant (reads).
Reader = _caller(Permission.READ)
#: Roles that edit open batches (admin, accountant, clerk); lifecycle moves check their own.
Writer = _caller(Permission.WRITE_TRANSACTIONS)
#: Roles that post and unpost (admin, accountant).
Poster = _caller(Permission.POST)
#: Roles that export (admin, accountant): downloading.
Exporter = _caller(Permission.EXPORT)


async def _raw_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


def respond(content: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(content), status_code=status_code, media_type=MEDIA_TYPE,
                    headers=headers)
