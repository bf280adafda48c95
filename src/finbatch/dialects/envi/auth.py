"""``POST /oauth2/token``: Envi's OAuth 2 token endpoint (form-encoded).

- ``grant_type=password`` with ``client_id`` (the organization: a tenant's slug or numeric id),
  ``username`` and ``password`` → a finbatch access token granting that one tenant with the
  user's membership roles there, and a single-use refresh token.
- ``grant_type=refresh_token`` with ``refresh_token`` (and optionally ``client_id``, which must
  then name the token's organization) → a new pair.

The token fixes the organization: every ``/odata`` call acts in the tenant it grants. Failures
are OAuth's ``invalid_request``, ``invalid_grant`` and ``unsupported_grant_type`` codes in the
OData error body, status 400 (RFC 6749 §5.2); a wrong password and "not a member of that
organization" read the same, so neither tells an outsider which organizations exist. A failed
login is committed before the error is raised, so the lockout count sticks.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from finbatch.api.deps import WriteDb
from finbatch.api.responses import dumps
from finbatch.dialects.envi.errors import ERROR_RESPONSES
from finbatch.kit.errors import BadRequest, Unauthenticated
from finbatch.tenancy import repository as tenancy_repo
from finbatch.tenancy import service as tenancy
from finbatch.tenancy.models import Tenant

router = APIRouter(tags=["envi"], responses=ERROR_RESPONSES)

ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
TOKEN_NAME = "envi"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
FormText = Annotated[str | None, Form(max_length=4096)]


def _invalid_grant(message: str, headers: dict[str, str] | None = None) -> BadRequest:
    return BadRequest(message, code="invalid_grant", headers=headers)


def _required(name: str, value: str | None) -> str:
    if not value:
        raise BadRequest(f"'{name}' is required", code="invalid_request",
                         extra={"target": name})
    if "\x00" in value:  # no name holds one, and PostgreSQL refuses it as a parameter
        raise BadRequest(f"'{name}' contains a NUL character", code="invalid_request",
                         extra={"target": name})
    return value


def _tenant(session: Session, client_id: str) -> Tenant | None:
    key = client_id.strip()
    if key.isdigit():
        return tenancy_repo.tenant_by_id(session, int(key)) if len(key) <= 9 else None
    return tenancy_repo.tenant_by_slug(session, key)


def _pair(access, refresh) -> Response:
    body = {"access_token": access.secret, "token_type": "Bearer",
            "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
            "refresh_token": refresh.secret}
    return Response(dumps(body), media_type="application/json", headers=NO_STORE)


@router.post("/oauth2/token", summary="Envi: exchange credentials for a bearer token",
             response_class=Response,
             responses={200: {"description": "`{access_token, token_type, expires_in, "
                                             "refresh_token}`"}})
def token(request: Request, db: WriteDb, grant_type: FormText = None, client_id: FormText = None,
          username: FormText = None, password: FormText = None,
          refresh_token: FormText = None) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise BadRequest("the body must be application/x-www-form-urlencoded",
                         code="invalid_request")
    settings = request.app.state.settings
    refresh_lifetime = timedelta(days=settings.token_ttl_days)
    grant = _required("grant_type", grant_type)
    if grant == "password":
        organization = _required("client_id", client_id)
        user_name = _required("username", username)
        secret = _required("password", password)
        try:
            user = tenancy.login(db, settings, username=user_name, password=secret)
        except Unauthenticated as exc:
            raise _invalid_grant(exc.message, exc.headers) from None
        tenant = _tenant(db, organization)
        roles = tenancy.user_memberships(db, user.id).get(tenant.id) if tenant else None
        if not roles:
            db.commit()
            raise _invalid_grant("the user is not a member of that organization")
        grants = {tenant.id: roles}
        access = tenancy.create_token(db, grants=grants, name=TOKEN_NAME, user_id=user.id,
                                      expires_in=ACCESS_TOKEN_LIFETIME)
        refresh = tenancy.create_token(db, grants=grants, name=TOKEN_NAME, user_id=user.id,
                                       expires_in=refresh_lifetime, kind="refresh")
        db.commit()
        return _pair(access, refresh)
    if grant == "refresh_token":
        secret = _required("refresh_token", refresh_token)
        try:
            access, refresh = tenancy.exchange_refresh_token(
                db, secret, expires_in=ACCESS_TOKEN_LIFETIME, refresh_expires_in=refresh_lifetime)
        except Unauthenticated as exc:
            raise _invalid_grant(exc.message) from None
        if client_id:
            tenant = _tenant(db, _required("client_id", client_id))
            granted = {g.tenant_id for g in tenancy_repo.grants_of(db, access.token.id)}
            if tenant is None or granted != {tenant.id}:
                db.rollback()
                raise _invalid_grant("the refresh token belongs to another organization")
        db.commit()
        return _pair(access, refresh)
    raise BadRequest(f"grant_type '{grant}' is not supported; use password or refresh_token",
                     code="unsupported_grant_type", extra={"target": "grant_type"})
