"""Reusable ``Annotated`` dependencies: the database sessions and the calling principal.

``ReadDb``/``WriteDb`` give one session per request (a writing one begins ``IMMEDIATE`` on SQLite);
the endpoint commits through ``finbatch.api.idempotency.commit_response`` so the effect and its
stored response land in one transaction. ``Allowed(Permission.X)`` authenticates the bearer token,
selects the tenant (the only one the token grants, or the ``Finbatch-Tenant`` header) and checks
the role.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from finbatch.db import Database
from finbatch.tenancy.auth import Principal, authenticate_bearer
from finbatch.tenancy.roles import Permission

bearer_scheme = HTTPBearer(auto_error=False, description="An API token: `finbatch token create`.")


def get_database(request: Request) -> Database:
    return request.app.state.db


def _read_session(request: Request) -> Iterator[Session]:
    session = get_database(request).read_session()
    try:
        yield session
    finally:
        session.close()


def _write_session(request: Request) -> Iterator[Session]:
    session = get_database(request).write_session()
    try:
        yield session
    finally:
        session.close()


ReadDb = Annotated[Session, Depends(_read_session)]
WriteDb = Annotated[Session, Depends(_write_session)]


def authenticate_request(request: Request, token: str | None) -> Principal:
    """The principal of a bearer token, looked up in a short reading session of its own, counted
    against the token's and its tenants' rate limits: every surface authenticates here."""
    with get_database(request).reading() as session:
        principal = authenticate_bearer(session, token)
    settings = request.app.state.settings
    limits = [(f"token:{principal.token_id}", settings.rate_limit_per_minute)]
    limits += [(f"tenant:{tenant_id}", settings.tenant_rate_limit_per_minute)
               for tenant_id in sorted(principal.grants)]
    request.app.state.rate_limiter.check(limits)
    return principal


def authenticate(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Principal:
    """The principal of the request's bearer credentials (``authenticate_request``)."""
    return authenticate_request(request, credentials.credentials if credentials else None)


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    finbatch_tenant: Annotated[str | None, Header(
        description="The tenant to act in (slug or numeric id) when the token grants several.",
        max_length=63)] = None,
) -> Principal:
    principal = authenticate(request, credentials)
    if finbatch_tenant:
        key = finbatch_tenant.strip()
        if key.isdigit():
            return principal.in_tenant(tenant_id=int(key))
        return principal.in_tenant(slug=key)
    return principal.only_tenant()


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


class _Allowed:
    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, principal: CurrentPrincipal) -> Principal:
        # a coroutine: a plain method would cost a worker thread round trip per request for a
        # set lookup
        principal.require(self.permission)
        return principal


def Allowed(permission: Permission):  # noqa: N802 - reads like a type in signatures
    """``principal: Allowed(Permission.POST)`` — the caller, checked for ``permission``."""
    return Annotated[Principal, Depends(_Allowed(permission))]


Reader = Allowed(Permission.READ)
Bookkeeper = Allowed(Permission.WRITE_TRANSACTIONS)
SetupAdmin = Allowed(Permission.SETUP)
Administrator = Allowed(Permission.ADMINISTER)
