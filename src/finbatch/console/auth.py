"""Who is using the console: the signed-in user as the same ``Principal`` the ``/v1`` API uses.

Every console page depends on ``Operator``; every POST also on ``csrf_checked``. Permission checks
are ``principal.require(Permission.X)`` — the very calls ``/v1`` makes — so a forged form post by
a viewer is refused exactly as a viewer's token would be, whatever buttons the page showed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from starlette.responses import Response

from finbatch.api.deps import get_database
from finbatch.console import session as cookies
from finbatch.exports.signing import signing_secret
from finbatch.kit.crypto import equal
from finbatch.kit.errors import Forbidden, Unauthenticated
from finbatch.tenancy import repository as tenancy_repo
from finbatch.tenancy import service as tenancy
from finbatch.tenancy.auth import Principal, TenantContext
from finbatch.tenancy.models import User


class SignInRequired(Unauthenticated):
    """No valid session: pages answer with a redirect to the sign-in form (see ``errors``)."""

    code = "CONSOLE_SIGN_IN_REQUIRED"


def secret(request: Request) -> str:
    return signing_secret(get_database(request))


def is_https(request: Request) -> bool:
    public = request.app.state.settings.public_url or ""
    return request.url.scheme == "https" or public.startswith("https://")


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/console", httponly=True,
                        samesite="lax", secure=is_https(request))


def principal_for(request: Request, user_id: str, tenant_id: int, *,
                  stamp: str | None = None, nonce: str = "") -> Principal | None:
    """The user's principal acting in ``tenant_id``, with roles read now; ``None`` when the user is
    gone, inactive, has another password than ``stamp`` was made from, or left the tenant."""
    with get_database(request).reading() as db:
        user = db.get(User, user_id)
        if user is None or not user.is_active:
            return None
        if stamp is not None and not equal(cookies.password_stamp(user.password_hash), stamp):
            return None
        grants = tenancy.user_memberships(db, user.id)
        if tenant_id not in grants:
            return None
        tenants = {t.id: TenantContext.of(t) for t in tenancy_repo.tenants_by_ids(db, list(grants))}
        principal = Principal(token_id=f"console:{nonce}" if nonce else "console",
                              actor=f"user:{user.username}", user_id=user.id, grants=grants,
                              tenants=tenants)
        return principal.in_tenant(tenant_id=tenant_id)


def current_session(request: Request) -> cookies.ConsoleSession:
    found = cookies.read(secret(request), request.cookies.get(cookies.COOKIE))
    if found is None:
        raise SignInRequired("sign in to use the console")
    return found


def operator(request: Request,
             found: Annotated[cookies.ConsoleSession, Depends(current_session)]) -> Principal:
    principal = principal_for(request, found.user_id, found.tenant_id, stamp=found.password_stamp,
                              nonce=found.nonce)
    if principal is None:
        raise SignInRequired("your session has ended: sign in again")
    request.state.console_session = found
    request.state.principal = principal
    return principal


Operator = Annotated[Principal, Depends(operator)]


def csrf_checked(request: Request,
                 found: Annotated[cookies.ConsoleSession, Depends(current_session)],
                 csrf_token: Annotated[str | None, Form(max_length=128)] = None) -> None:
    """Refuse a POST whose form does not carry this session's token (403, nothing done)."""
    if not cookies.csrf_valid(secret(request), found.nonce, csrf_token):
        raise Forbidden("the form has expired or did not come from this console: reload the "
                        "page and try again", code="CSRF_REFUSED")


CsrfChecked = Depends(csrf_checked)
