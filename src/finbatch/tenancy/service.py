"""Tenancy use cases: tenants, users, memberships, API tokens, password logins.

Rules:
- A tenant's slug and numeric id are unique; base currency is ISO 4217; time zone is IANA.
- Usernames are global (like e-mail addresses); a user's roles are per tenant (membership).
- Tokens are random, shown once, stored as SHA-256, expire, and grant roles in one or more tenants.
  A token can only be created with roles its creator holds in that tenant.
- Password logins lock the user for ``login_lockout_seconds`` after ``login_max_failures``
  consecutive failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from finbatch.events.service import record_change
from finbatch.kit import validate
from finbatch.kit.clock import utcnow
from finbatch.kit.crypto import new_token, token_hash
from finbatch.kit.errors import Conflict, ErrorList, Forbidden, NotFound, Unauthenticated
from finbatch.kit.ids import uuid7
from finbatch.tenancy import repository as repo
from finbatch.tenancy.auth import TOKEN_PREFIX, Principal
from finbatch.tenancy.models import ApiToken, ApiTokenGrant, Membership, Tenant, User
from finbatch.tenancy.passwords import hash_password, verify_password
from finbatch.tenancy.roles import Role, format_roles, parse_roles, within

REFRESH_PREFIX = "fbr_"


def _check_roles(errors: ErrorList, field: str, roles: list[str] | str) -> frozenset[Role]:
    try:
        parsed = parse_roles(roles)
    except ValueError as exc:
        errors.add(field, str(exc), "unknown_role")
        return frozenset()
    if not parsed:
        errors.add(field, "at least one role is required", "required")
    return parsed


# --- tenants -------------------------------------------------------------------------------------

def create_tenant(session: Session, *, slug: str, name: str, client_id: int | None = None,
                  timezone: str = "UTC", base_currency: str = "USD",
                  fiscal_year_start_month: int = 1, locale: str = "en-US",
                  actor: str = "system") -> Tenant:
    errors = ErrorList()
    validate.slug(errors, "slug", slug)
    validate.text(errors, "name", name, max_length=200, required=True)
    validate.timezone(errors, "timezone", timezone)
    validate.currency(errors, "base_currency", base_currency)
    validate.month(errors, "fiscal_year_start_month", fiscal_year_start_month)
    if client_id is not None and not 1 <= client_id <= 2_147_483_647:
        errors.add("client_id", "must be a positive 32-bit integer", "out_of_range")
    errors.raise_if_any()
    if repo.tenant_by_slug(session, slug):
        raise Conflict(f"a tenant with slug '{slug}' already exists", code="TENANT_EXISTS")
    if client_id is not None and repo.tenant_by_id(session, client_id):
        raise Conflict(f"a tenant with numeric id {client_id} already exists", code="TENANT_EXISTS")
    now = utcnow()
    tenant = Tenant(id=client_id if client_id is not None else repo.next_tenant_id(session),
                    slug=slug, name=name, base_currency=base_currency, timezone=timezone,
                    fiscal_year_start_month=fiscal_year_start_month, locale=locale,
                    created_at=now, updated_at=now, version=1)
    session.add(tenant)
    session.flush()
    record_change(session, tenant_id=tenant.id, type="created", record_kind="tenant",
                  record_id=tenant.slug, actor=actor, data=tenant_data(tenant))
    return tenant


def create_tenant_as(session: Session, principal: Principal, **fields) -> Tenant:
    """Create a tenant from the API: the calling token (and its user) become its admins, so the
    creator can set it up at once."""
    tenant = create_tenant(session, actor=principal.actor, **fields)
    session.add(ApiTokenGrant(tenant_id=tenant.id, token_id=principal.token_id,
                              roles=Role.ADMIN.value))
    if principal.user_id:
        session.add(Membership(tenant_id=tenant.id, user_id=principal.user_id,
                               roles=Role.ADMIN.value, created_at=tenant.created_at))
    session.flush()
    return tenant


def update_tenant(session: Session, tenant: Tenant, *, name: str | None = None,
                  locale: str | None = None, actor: str) -> Tenant:
    """Only the display name and locale change after creation: the zone, currency and fiscal
    calendar are facts every stored business date and amount already depends on."""
    errors = ErrorList()
    validate.text(errors, "name", name, max_length=200)
    validate.text(errors, "locale", locale, max_length=16)
    errors.raise_if_any()
    if name:
        tenant.name = name
    if locale:
        tenant.locale = locale
    tenant.version += 1
    tenant.updated_at = utcnow()
    session.flush()
    record_change(session, tenant_id=tenant.id, type="updated", record_kind="tenant",
                  record_id=tenant.slug, actor=actor, data=tenant_data(tenant))
    return tenant


def tenant_data(tenant: Tenant) -> dict:
    return {"slug": tenant.slug, "id": tenant.id, "name": tenant.name,
            "base_currency": tenant.base_currency, "timezone": tenant.timezone,
            "fiscal_year_start_month": tenant.fiscal_year_start_month, "locale": tenant.locale}


def require_tenant(session: Session, key: str) -> Tenant:
    """A tenant by slug or numeric id (CLI arguments)."""
    tenant = repo.tenant_by_id(session, int(key)) if key.isdigit() else repo.tenant_by_slug(session, key)
    if tenant is None:
        raise NotFound(f"tenant '{key}' was not found")
    return tenant


def only_tenant(session: Session) -> Tenant:
    """The installation's tenant when there is exactly one (CLI convenience)."""
    tenants = repo.tenants_by_ids(session, repo.all_tenant_ids(session, limit=2))
    if len(tenants) != 1:
        raise NotFound("several tenants exist: name one with --tenant" if tenants
                       else "no tenant exists yet")
    return tenants[0]


# --- users ---------------------------------------------------------------------------------------

def create_user(session: Session, *, tenant_id: int, username: str, password: str,
                roles: list[str] | str, display_name: str = "", actor: str = "system") -> User:
    """Create a user with roles in ``tenant_id``. An existing username gets the membership added
    only when no password is being set for it elsewhere: usernames are global."""
    errors = ErrorList()
    validate.text(errors, "username", username, max_length=150, required=True)
    validate.text(errors, "display_name", display_name, max_length=200)
    if len(password or "") < 8:
        errors.add("password", "must be at least 8 characters", "too_short")
    elif len(password) > 1024:
        errors.add("password", "must be at most 1024 characters", "too_long")
    parsed = _check_roles(errors, "roles", roles)
    errors.raise_if_any()
    if repo.user_by_username(session, username):
        raise Conflict(f"username '{username}' is taken", code="USERNAME_TAKEN")
    now = utcnow()
    user = User(id=uuid7(), username=username, display_name=display_name,
                password_hash=hash_password(password), is_active=True, failed_logins=0,
                created_at=now, updated_at=now, version=1)
    session.add(user)
    session.flush()
    session.add(Membership(tenant_id=tenant_id, user_id=user.id, roles=format_roles(parsed),
                           created_at=now))
    session.flush()
    record_change(session, tenant_id=tenant_id, type="created", record_kind="user",
                  record_id=user.id, actor=actor,
                  data={"id": user.id, "username": username, "roles": sorted(r.value for r in parsed)})
    return user


def set_user_roles(session: Session, *, tenant_id: int, user_id: str, roles: list[str],
                   actor: str) -> Membership:
    errors = ErrorList()
    parsed = _check_roles(errors, "roles", roles)
    errors.raise_if_any()
    membership = repo.MembershipRepository(session, tenant_id).require(user_id)
    membership.roles = format_roles(parsed)
    session.flush()
    record_change(session, tenant_id=tenant_id, type="updated", record_kind="user",
                  record_id=user_id, actor=actor, data={"id": user_id, "roles": sorted(roles)})
    return membership


def authenticate_password(session: Session, *, username: str, password: str,
                          max_failures: int, lockout_seconds: int) -> User:
    """The user behind a username and password, or ``Unauthenticated`` with ``extra['reason']``
    ``InvalidCredentials`` or ``AccountLockedOut``. Failures count towards a lockout, which sticks
    only if the failure is committed: sign-in paths call ``login``, which does."""
    if not username or "\x00" in username or len(username) > 150 or "\x00" in (password or ""):
        raise Unauthenticated("invalid username or password", code="INVALID_CREDENTIALS",
                              extra={"reason": "InvalidCredentials"})
    user = repo.user_by_username(session, username)
    now = utcnow()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        retry_after = int((user.locked_until - now).total_seconds()) + 1
        raise Unauthenticated("the account is locked after repeated failed logins",
                              code="ACCOUNT_LOCKED",
                              extra={"reason": "AccountLockedOut", "retry_after": retry_after},
                              headers={"Retry-After": str(retry_after)})
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= max_failures:
                user.locked_until = now + timedelta(seconds=lockout_seconds)
                user.failed_logins = 0
            session.flush()
        raise Unauthenticated("invalid username or password", code="INVALID_CREDENTIALS",
                              extra={"reason": "InvalidCredentials"})
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    session.flush()
    return user


def login(session: Session, settings, *, username: str, password: str) -> User:
    """``authenticate_password`` with the installation's lockout settings, for every sign-in
    path (console, token endpoints): a failure is committed before it is raised, so the count
    towards the lockout sticks whatever the caller then does with its transaction."""
    try:
        return authenticate_password(session, username=username, password=password,
                                     max_failures=settings.login_max_failures,
                                     lockout_seconds=settings.login_lockout_seconds)
    except Unauthenticated:
        session.commit()
        raise


def user_memberships(session: Session, user_id: str) -> dict[int, frozenset[Role]]:
    return {m.tenant_id: parse_roles(m.roles) for m in repo.memberships_of(session, user_id)}


# --- tokens --------------------------------------------------------------------------------------

@dataclass(slots=True)
class IssuedToken:
    secret: str
    token: ApiToken


def create_token(session: Session, *, grants: dict[int, list[str] | str | frozenset[Role]],
                 name: str = "", user_id: str | None = None,
                 expires_in: timedelta, kind: str = "access") -> IssuedToken:
    """Issue a token granting ``grants`` (tenant id → roles); the secret is returned once."""
    errors = ErrorList()
    validate.text(errors, "name", name, max_length=200)
    if expires_in <= timedelta(0):
        errors.add("expires_in", "must be positive", "out_of_range")
    elif expires_in > timedelta(days=3650):
        errors.add("expires_in", "must be at most 10 years", "out_of_range")
    parsed: dict[int, frozenset[Role]] = {}
    for tenant_id, roles in grants.items():
        parsed[tenant_id] = roles if isinstance(roles, frozenset) else _check_roles(errors, "roles", roles)
    if not grants:
        errors.add("tenant", "a token must grant at least one tenant", "required")
    errors.raise_if_any()
    secret = new_token(TOKEN_PREFIX if kind == "access" else REFRESH_PREFIX)
    now = utcnow()
    token = ApiToken(id=uuid7(), secret_hash=token_hash(secret), name=name, user_id=user_id,
                     kind=kind, created_at=now, expires_at=now + expires_in)
    session.add(token)
    session.flush()
    for tenant_id, roles in parsed.items():
        session.add(ApiTokenGrant(tenant_id=tenant_id, token_id=token.id, roles=format_roles(roles)))
    session.flush()
    return IssuedToken(secret, token)


def create_token_as(session: Session, principal: Principal, *, roles: list[str], name: str,
                    expires_in: timedelta) -> IssuedToken:
    """A token for the principal's tenant with at most the principal's own roles there."""
    errors = ErrorList()
    parsed = _check_roles(errors, "roles", roles)
    errors.raise_if_any()
    if not within(parsed, principal.roles):
        raise Forbidden("a token cannot carry roles its creator does not hold",
                        code="ROLE_FORBIDDEN")
    issued = create_token(session, grants={principal.tenant_id: parsed}, name=name,
                          user_id=principal.user_id, expires_in=expires_in)
    record_change(session, tenant_id=principal.tenant_id, type="created", record_kind="token",
                  record_id=issued.token.id, actor=principal.actor,
                  data={"id": issued.token.id, "name": name, "roles": sorted(r.value for r in parsed)})
    return issued


def revoke_token(session: Session, *, tenant_id: int, token_id: str, actor: str) -> None:
    found = repo.TokenGrantRepository(session, tenant_id).token(token_id)
    if found is None:
        raise NotFound(f"token '{token_id}' was not found")
    token, _grant = found
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        record_change(session, tenant_id=tenant_id, type="deleted", record_kind="token",
                      record_id=token_id, actor=actor, data=None)


def exchange_refresh_token(session: Session, refresh_secret: str, *, expires_in: timedelta,
                           refresh_expires_in: timedelta) -> tuple[IssuedToken, IssuedToken]:
    """OAuth refresh: the refresh token is single-use; a new access and refresh pair is issued
    with the same grants."""
    token = repo.token_by_hash(session, token_hash(refresh_secret))
    now = utcnow()
    if token is None or token.kind != "refresh" or token.revoked_at is not None or token.expires_at <= now:
        raise Unauthenticated("the refresh token is not valid", code="INVALID_GRANT",
                              extra={"reason": "InvalidCredentials"})
    grants = {g.tenant_id: parse_roles(g.roles) for g in repo.grants_of(session, token.id)}
    if token.user_id is not None:
        # a refresh gives what a new login would: the user's current roles in the tenants the
        # token covered (removed memberships and changed roles take effect; an inactive user
        # gets nothing)
        user = session.get(User, token.user_id)
        current = user_memberships(session, token.user_id) if user and user.is_active else {}
        grants = {tid: current[tid] for tid in grants if current.get(tid)}
        if not grants:
            raise Unauthenticated("the refresh token no longer grants any access",
                                  code="INVALID_GRANT", extra={"reason": "InvalidCredentials"})
    token.revoked_at = now
    access = create_token(session, grants=grants, name=token.name, user_id=token.user_id,
                          expires_in=expires_in)
    refresh = create_token(session, grants=grants, name=token.name, user_id=token.user_id,
                           expires_in=refresh_expires_in, kind="refresh")
    return access, refresh
