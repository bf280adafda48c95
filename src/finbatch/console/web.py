"""Rendering console pages: the Jinja2 environment, its filters and the headers every page carries.

Amounts reach templates as minor units with their currency and are formatted here from ``Decimal``
at the currency's exponent (never ``float``); instants are shown in the tenant's zone. Templates
autoescape everything. The Content-Security-Policy allows scripts and styles from the console's own
static folder only (htmx is vendored there).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from finbatch.console import session as cookies
from finbatch.console.auth import secret
from finbatch.kit import money
from finbatch.kit.clock import as_utc, zone
from finbatch.tenancy.auth import Principal
from finbatch.tenancy.roles import Permission

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"

HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
                               "base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def amount(minor: int | None, currency: str) -> str:
    """``123456`` USD → ``1,234.56``; exact, with the currency's own number of decimals."""
    if minor is None:
        return ""
    return format(money.to_decimal(int(minor), currency), ",")


def _instant(value: datetime | None, tz: str) -> str:
    if value is None:
        return ""
    return as_utc(value).astimezone(zone(tz)).strftime("%Y-%m-%d %H:%M %Z")


env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)
env.filters["amount"] = amount


def render(request: Request, template: str, context: dict[str, Any], *, status_code: int = 200,
           principal: Principal | None = None, csrf: str | None = None) -> HTMLResponse:
    principal = principal or getattr(request.state, "principal", None)
    tz = principal.tenant.timezone if principal is not None and principal.tenant else "UTC"
    page = env.get_template(template).render(
        request=request, principal=principal, csrf=csrf or _csrf(request),
        can=(lambda name: principal is not None and principal.can(Permission(name))),
        instant=lambda value: _instant(value, tz), **context)
    return HTMLResponse(page, status_code=status_code, headers=HEADERS)


def _csrf(request: Request) -> str:
    found = getattr(request.state, "console_session", None)
    if found is None:
        return ""
    return cookies.csrf_token(secret(request), found.nonce)
