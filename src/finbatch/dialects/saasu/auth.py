"""Saasu authentication: the OAuth 2 token routes, and the principal of a payment request.

Token routes (``POST /authorisation/token``, ``POST /authorisation/refresh``):
- Body JSON (what Saasu's SDK sends) or form-encoded (what generic OAuth clients send).
- ``grant_type=password``: ``username``/``password`` of a finbatch user → an access token that
  grants every file (tenant) the user is a member of, with the user's roles there, and a
  single-use refresh token. A ``scope`` naming ``fileid:N`` entries limits the token to those
  files (each must be one of the user's: otherwise ``invalid_scope``); ``full`` is accepted and
  changes nothing. The response ``scope`` is ``full`` plus one ``fileid:N`` per granted file.
- ``grant_type=refresh_token`` (the default on ``/authorisation/refresh``) → a new pair with the
  same grants; the old refresh token is spent.
- Failures are 400 with OAuth's codes (RFC 6749 §5.2): ``invalid_request`` (a field missing or
  malformed), ``unsupported_grant_type``, ``invalid_grant`` (wrong or locked credentials, a bad
  refresh token, a user without files), ``invalid_scope``. A wrong password is committed before
  the error is raised, so the failed-login count sticks and the lockout works.

Payment requests: ``Authorization: Bearer <token>``, or the legacy ``WsAccessKey=<token>`` in the
query (any finbatch API token); then ``FileId`` (required) names the tenant, which the token must
grant: an unknown or ungranted file is the same 403, so file ids cannot be probed. 401 without a
valid token.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from finbatch.api.deps import WriteDb, authenticate_request
from finbatch.dialects.common import Query, inline_schema, json_bytes
from finbatch.dialects.saasu.params import INT32_MAX
from finbatch.dialects.saasu.schemas import (
    RefreshRequest,
    SaasuOAuthError,
    SaasuTokenResponse,
    TokenRequest,
)
from finbatch.formats import dotnet
from finbatch.kit.errors import BadRequest, Forbidden, Unauthenticated
from finbatch.tenancy import repository as tenancy_repo
from finbatch.tenancy import service as tenancy
from finbatch.tenancy.auth import Principal, bearer_from_header
from finbatch.tenancy.roles import Permission, Role

router = APIRouter(tags=["saasu"])

ACCESS_TOKEN_LIFETIME = timedelta(hours=3)
TOKEN_NAME = "saasu"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
FORM = "application/x-www-form-urlencoded"


def _oauth(message: str, code: str, headers: dict[str, str] | None = None) -> BadRequest:
    return BadRequest(message, code=code, headers={**NO_STORE, **(headers or {})})


async def _raw_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


def _fields(request: Request, body: bytes) -> dict[str, Any]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == FORM:
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20))
        except (UnicodeDecodeError, ValueError):
            raise _oauth("the form body is not valid", "invalid_request") from None
    if media not in ("", "application/json", "text/json"):
        raise _oauth(f"the body must be JSON or {FORM}, not {media[:60]}", "invalid_request")
    try:
        data = orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError as exc:
        raise _oauth(f"the body is not valid JSON: {exc}", "invalid_request") from None
    if not isinstance(data, dict):
        raise _oauth("the body must be a JSON object", "invalid_request")
    return data


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    """NUL cannot be stored or compared by PostgreSQL; no credential holds one."""
    for name, value in data.items():
        if isinstance(value, str) and "\x00" in value:
            raise _oauth(f"{name[:40]} holds a NUL character", "invalid_request")
    return data


def _validated(model, data: dict[str, Any]):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        code = "unsupported_grant_type" if where == "grant_type" and data.get("grant_type") \
            else "invalid_request"
        raise _oauth(f"{where}: {first.get('msg', 'is invalid')}", code) from None


def _scope(grants: dict[int, Any]) -> str:
    return " ".join(["full", *(f"fileid:{tenant_id}" for tenant_id in sorted(grants))])


def _requested_files(scope: str | None) -> set[int] | None:
    """The files a ``scope`` asks for (``None``: every file of the user)."""
    wanted: set[int] = set()
    for part in (scope or "").split():
        if part.lower() == "full":
            continue
        prefix, _, number = part.partition(":")
        if prefix.lower() != "fileid" or not number.isascii() or not number.isdigit() \
                or len(number) > 10:
            raise _oauth(f"scope entry '{part[:40]}' is not 'full' or 'fileid:N'", "invalid_scope")
        wanted.add(int(number))
    return wanted or None


def _issue(db: Session, grants: dict[int, frozenset[Role]], user_id: str | None,
           refresh_lifetime: timedelta) -> Response:
    access = tenancy.create_token(db, grants=grants, name=TOKEN_NAME, user_id=user_id,
                                  expires_in=ACCESS_TOKEN_LIFETIME)
    refresh = tenancy.create_token(db, grants=grants, name=TOKEN_NAME, user_id=user_id,
                                   expires_in=refresh_lifetime, kind="refresh")
    db.commit()
    return _pair(access.secret, refresh.secret, grants)


def _pair(access: str, refresh: str, grants: dict[int, Any]) -> Response:
    body = {"access_token": access, "token_type": "Bearer",
            "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
            "refresh_token": refresh, "scope": _scope(grants)}
    return Response(json_bytes(body), media_type="application/json; charset=utf-8",
                    headers=NO_STORE)


def _password_grant(request: Request, db: Session, body: TokenRequest) -> Response:
    if not body.username:
        raise _oauth("username is required", "invalid_request")
    if not body.password:
        raise _oauth("password is required", "invalid_request")
    settings = request.app.state.settings
    wanted = _requested_files(body.scope)
    try:
        user = tenancy.login(db, settings, username=body.username, password=body.password)
    except Unauthenticated as exc:
        raise _oauth(exc.message, "invalid_grant", exc.headers) from None
    memberships = tenancy.user_memberships(db, user.id)
    if wanted is not None:
        missing = sorted(wanted - set(memberships))
        if missing:
            db.commit()
            raise _oauth("the user has no access to "
                         + ", ".join(f"fileid:{n}" for n in missing), "invalid_scope")
        memberships = {k: v for k, v in memberships.items() if k in wanted}
    if not memberships:
        db.commit()
        raise _oauth("the user has no access to any file", "invalid_grant")
    return _issue(db, memberships, user.id, timedelta(days=settings.token_ttl_days))


def _refresh_grant(request: Request, db: Session, refresh_token: str | None) -> Response:
    if not refresh_token:
        raise _oauth("refresh_token is required", "invalid_request")
    settings = request.app.state.settings
    try:
        access, refresh = tenancy.exchange_refresh_token(
            db, refresh_token, expires_in=ACCESS_TOKEN_LIFETIME,
            refresh_expires_in=timedelta(days=settings.token_ttl_days))
    except Unauthenticated as exc:
        raise _oauth(exc.message, "invalid_grant") from None
    grants = {g.tenant_id: g.roles for g in tenancy_repo.grants_of(db, access.token.id)}
    db.commit()
    return _pair(access.secret, refresh.secret, grants)


def _body_doc(model) -> dict[str, Any]:
    schema = inline_schema(model)
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": schema}, FORM: {"schema": schema}}}}


_TOKEN_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": SaasuTokenResponse, "description": "The token pair"},
    400: {"model": SaasuOAuthError, "description": "A failed grant (RFC 6749 §5.2)"},
    405: {"model": SaasuOAuthError, "description": "Only POST"},
    413: {"model": SaasuOAuthError, "description": "The body is too large"},
    500: {"model": SaasuOAuthError, "description": "Unexpected failure"},
}


@router.post("/authorisation/token", response_class=Response, responses=_TOKEN_RESPONSES,
             summary="Saasu: OAuth 2 password (or refresh) grant",
             openapi_extra=_body_doc(TokenRequest), operation_id="saasu_token")
def token(request: Request, db: WriteDb, raw: RawBody) -> Response:
    body = _validated(TokenRequest, _checked(_fields(request, raw)))
    if body.grant_type == "password":
        return _password_grant(request, db, body)
    return _refresh_grant(request, db, body.refresh_token)


@router.post("/authorisation/refresh", response_class=Response, responses=_TOKEN_RESPONSES,
             summary="Saasu: exchange a refresh token for a new pair",
             openapi_extra=_body_doc(RefreshRequest), operation_id="saasu_refresh")
def refresh(request: Request, db: WriteDb, raw: RawBody) -> Response:
    body = _validated(RefreshRequest, _checked(_fields(request, raw)))
    return _refresh_grant(request, db, body.refresh_token)


# --- payment requests ----------------------------------------------------------------------------

def saasu_principal(request: Request, q: Query) -> Principal:
    """The caller acting in the file named by ``FileId`` with read access (see module doc)."""
    token = bearer_from_header(request.headers.get("authorization")) or q.get("WsAccessKey")
    principal = authenticate_request(request, token)
    text = q.get("FileId")
    if text is None:
        raise BadRequest("FileId is required", code="INVALID_PARAMETER")
    try:
        file_id = dotnet.parse_int(text)
    except ValueError:
        raise BadRequest(f"FileId must be a whole number; '{text[:40]}' is not",
                         code="INVALID_PARAMETER") from None
    if not 1 <= file_id <= INT32_MAX:
        raise BadRequest(f"FileId must be between 1 and {INT32_MAX}", code="INVALID_PARAMETER")
    try:
        principal = principal.in_tenant(tenant_id=file_id)
    except Forbidden:
        raise Forbidden(f"this token has no access to FileId {file_id}",
                        code="TENANT_FORBIDDEN") from None
    principal.require(Permission.READ)
    return principal
