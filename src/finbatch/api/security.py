"""Security headers on every response, and the CORS policy set by ``FINBATCH_CORS_ORIGINS``.

Headers: ``nosniff`` (a JSON or CSV body is never sniffed into HTML), no referrer, no framing
(clickjacking), and a ``Content-Security-Policy`` that lets an API response load nothing at all.
HTML pages (the API docs, the console) set their own policy or get only ``frame-ancestors``, since
they must load their scripts and styles. ``Strict-Transport-Security`` is sent when the request
came over HTTPS (directly or as the proxy's ``X-Forwarded-Proto`` says).

CORS: Starlette's ``CORSMiddleware`` with the configured origins, for every path except those of a
surface that brings its own CORS contract (Rhythm's seed fixes its headers, preflights included);
with no origins configured, browsers get no cross-origin access at all.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
PAGE_POLICY = "frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"


def _https(scope: Scope) -> bool:
    if scope.get("scheme") == "https":
        return True
    for name, value in scope.get("headers", []):
        if name == b"x-forwarded-proto":
            return value.split(b",")[0].strip().lower() == b"https"
    return False


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = _https(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                html = headers.get("content-type", "").startswith("text/html")
                headers.setdefault("content-security-policy", PAGE_POLICY if html else API_POLICY)
                if https:
                    headers.setdefault("strict-transport-security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ScopedCORS:
    """``CORSMiddleware`` for the paths ``applies`` accepts; the others pass straight through."""

    def __init__(self, app: ASGIApp, origins: list[str], applies: Callable[[str], bool]) -> None:
        self.app = app
        self.applies = applies
        self.cors = CORSMiddleware(
            app, allow_origins=origins, allow_credentials="*" not in origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key",
                           "Finbatch-Tenant", "Accept"],
            expose_headers=["ETag", "Location", "Retry-After", "Link"], max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.applies(scope["path"]):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def parse_origins(value: str) -> list[str]:
    """``FINBATCH_CORS_ORIGINS``: comma-separated origins, or ``*``."""
    return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
