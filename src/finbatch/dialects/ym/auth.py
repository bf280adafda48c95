"""YourMembership authentication: ``POST /Ams/Authenticate`` and who is calling a YM route.

- ``Authenticate`` takes ``ClientID`` (the tenant's numeric id) and ``Username``/``Password`` of a
  finbatch user who is a member of that tenant, or ``ConsumerKey``/``ConsumerSecret`` where the
  secret is an existing finbatch API token granting that tenant (the key is only echoed: our
  tokens carry their own identity). It answers a bearer token (and a single-use refresh token)
  granting that one tenant with the user's roles there; ``SessionId`` is the token's id.
- A failed login is 401 with ``FailedLoginReason``: ``InvalidCredentials``, ``InvalidClient``
  (the user or token has no access to that ClientID) or ``AccountLockedOut`` (with
  ``Retry-After``). A wrong password is committed before answering, so the lockout counts it.
- Every FinanceBatches/Exports route needs ``Authorization: Bearer <token>`` (401 without a valid
  one), a grant of the ClientID in the path (403 otherwise: an unknown ClientID is the same 403,
  so ids cannot be probed) and one of the roles ``admin`` or ``oauthadmin``: ``oauthadmin`` is
  our ``admin`` (``tenancy.roles.ROLE_ALIASES``), so the check is for ``admin`` (403
  ``Invalid Role``).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from finbatch.api.deps import authenticate_request
from finbatch.dialects.ym import dtos, wire
from finbatch.kit.errors import Forbidden, Unauthenticated, ValidationFailed
from finbatch.tenancy import service as tenancy
from finbatch.tenancy.auth import Principal, authenticate_bearer, bearer_from_header
from finbatch.tenancy.roles import Role

ACCESS_LIFETIME = timedelta(hours=1)
TOKEN_NAME = "ym"
INT32_MAX = 2**31 - 1


def require_client_id(value: int) -> int:
    if not 1 <= value <= INT32_MAX:
        raise ValidationFailed.single("ClientID", "must be a positive whole number naming the "
                                      "client", "ArgumentException")
    return value


def ym_principal(request: Request, client_id: int) -> Principal:
    """The caller acting in ``client_id`` with the admin role (see the module overview)."""
    principal = authenticate_request(request, bearer_from_header(request.headers.get("authorization")))
    require_client_id(client_id)
    try:
        principal = principal.in_tenant(tenant_id=client_id)
    except Forbidden:
        raise Forbidden(f"this token has no access to ClientID {client_id}",
                        code="TENANT_FORBIDDEN") from None
    assert principal.tenant is not None
    request.state.ym_tz = principal.tenant.timezone  # errors from here on render in its zone
    if Role.ADMIN not in principal.roles:
        raise Forbidden("Invalid Role", code="ROLE_FORBIDDEN")
    return principal


def _failed(request: Request, body: dtos.Authenticate, reason: str, message: str,
            headers: dict[str, str] | None = None) -> Response:
    status = dtos.ResponseStatus(ErrorCode="Unauthorized", Message=message,
                                 Meta={"Code": "LOGIN_FAILED", "Reason": reason})
    value = dtos.AuthenticateResponse(ClientID=body.ClientID, UserName=body.Username,
                                      FailedLoginReason=reason, ResponseStatus=status)
    return wire.respond(request, value, tz="UTC", status=401, headers=headers)


def authenticate(request: Request, db: Session, body: dtos.Authenticate) -> Response:
    require_client_id(body.ClientID)
    settings = request.app.state.settings
    if body.Username or body.Password:
        if not (body.Username and body.Password):
            raise ValidationFailed.single("Password" if body.Username else "Username",
                                          "is required", "NotEmpty")
        try:
            user = tenancy.login(db, settings, username=body.Username, password=body.Password)
        except Unauthenticated as exc:
            reason = exc.extra.get("reason", "InvalidCredentials")
            return _failed(request, body, reason, exc.message, exc.headers)
        roles = tenancy.user_memberships(db, user.id).get(body.ClientID)
        user_id, user_name = user.id, user.username
    elif body.ConsumerKey or body.ConsumerSecret:
        try:
            principal = authenticate_bearer(db, body.ConsumerSecret)
        except Unauthenticated as exc:
            return _failed(request, body, "InvalidCredentials", exc.message)
        roles = principal.grants.get(body.ClientID)
        user_id, user_name = principal.user_id, body.ConsumerKey
    else:
        raise ValidationFailed.single("Username", "give Username and Password, or ConsumerKey "
                                      "and ConsumerSecret", "NotEmpty")
    if not roles:
        db.commit()
        return _failed(request, body, "InvalidClient",
                       f"no access to ClientID {body.ClientID}")
    grants = {body.ClientID: roles}
    access = tenancy.create_token(db, grants=grants, name=TOKEN_NAME, user_id=user_id,
                                  expires_in=ACCESS_LIFETIME)
    refresh = tenancy.create_token(db, grants=grants, name=TOKEN_NAME, user_id=user_id,
                                   expires_in=timedelta(days=settings.token_ttl_days),
                                   kind="refresh")
    value = dtos.AuthenticateResponse(ClientID=body.ClientID, UserId=user_id, UserName=user_name,
                                      SessionId=access.token.id, BearerToken=access.secret,
                                      RefreshToken=refresh.secret)
    db.commit()
    return wire.respond(request, value, tz="UTC", headers={"Cache-Control": "no-store"})
