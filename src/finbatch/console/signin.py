"""Signing in and out of the console with a user's password.

The password check is ``tenancy.service.authenticate_password`` — the one the OAuth password grant
uses — so failures count towards the same lockout. A user with several tenants names the tenant
(slug) on the form. The form is protected against login CSRF by a pre-session cookie nonce.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from finbatch.api.deps import get_database
from finbatch.console import session as cookies
from finbatch.console.auth import CsrfChecked, secret, set_cookie
from finbatch.console.web import render
from finbatch.kit.errors import Unauthenticated
from finbatch.tenancy import repository as tenancy_repo
from finbatch.tenancy import service as tenancy

router = APIRouter()
HOME = "/console/batches"


def _safe_next(target: str | None) -> str:
    """Only a path inside the console: a sign-in link must not send anyone elsewhere."""
    if target and target.startswith("/console/") and not target.startswith("//") \
            and "\\" not in target and "\n" not in target and "\r" not in target:
        return target
    return HOME


def _form(request: Request, *, next_url: str, username: str = "", tenant: str = "",
          error: str | None = None, status_code: int = 200) -> Response:
    nonce = cookies.new_nonce()
    response = render(request, "sign_in.html", {
        "next_url": next_url, "username": username, "tenant": tenant, "error": error},
        status_code=status_code, csrf=cookies.csrf_token(secret(request), nonce))
    set_cookie(request, response, cookies.PRE_COOKIE, nonce, cookies.PRE_LIFETIME_SECONDS)
    return response


@router.get("/sign-in", name="console_sign_in")
def sign_in_form(request: Request,
                 next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    if cookies.read(secret(request), request.cookies.get(cookies.COOKIE)) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _form(request, next_url=_safe_next(next))


@router.post("/sign-in")
def sign_in(request: Request,
            username: Annotated[str, Form(max_length=150)] = "",
            password: Annotated[str, Form(max_length=1000)] = "",
            tenant: Annotated[str, Form(max_length=63)] = "",
            csrf_token: Annotated[str, Form(max_length=128)] = "",
            next: Annotated[str, Form(max_length=500)] = "") -> Response:
    next_url = _safe_next(next)
    if not cookies.csrf_valid(secret(request), request.cookies.get(cookies.PRE_COOKIE), csrf_token):
        return _form(request, next_url=next_url, username=username, tenant=tenant,
                     error="The sign-in form expired. Please try again.", status_code=403)
    settings = request.app.state.settings
    with get_database(request).write_session() as db:
        try:
            user = tenancy.login(db, settings, username=username.strip(), password=password)
        except Unauthenticated as exc:
            refused = _form(request, next_url=next_url, username=username, tenant=tenant,
                            error=exc.message[:1].upper() + exc.message[1:] + ".", status_code=401)
            refused.headers.update(exc.headers or {})  # a lock's Retry-After, as on every surface
            return refused
        grants = tenancy.user_memberships(db, user.id)
        tenants = {t.slug: t.id for t in tenancy_repo.tenants_by_ids(db, list(grants))}
        db.commit()
    chosen = tenant.strip()
    if chosen:
        tenant_id = tenants.get(chosen)
    else:
        tenant_id = list(tenants.values())[0] if len(tenants) == 1 else None
    if tenant_id is None:
        message = ("You are not a member of that tenant." if chosen else
                   "You belong to several tenants: name the one to work in." if tenants else
                   "Your user is not a member of any tenant.")
        return _form(request, next_url=next_url, username=username, tenant=tenant, error=message,
                     status_code=403)
    value, _ = cookies.issue(secret(request), user_id=user.id, tenant_id=tenant_id,
                             password_hash=user.password_hash)
    response = RedirectResponse(next_url, status_code=303)
    set_cookie(request, response, cookies.COOKIE, value, cookies.LIFETIME_SECONDS)
    response.delete_cookie(cookies.PRE_COOKIE, path="/console")
    return response


@router.post("/sign-out", dependencies=[CsrfChecked])
def sign_out(request: Request) -> Response:
    response = RedirectResponse("/console/sign-in", status_code=303)
    response.delete_cookie(cookies.COOKIE, path="/console")
    return response
