"""Who is calling: bearer tokens → a principal with per-tenant roles.

Every API surface (the native API and each dialect) authenticates through ``authenticate_bearer``
and scopes through ``Principal.in_tenant``; only the rendering of failures differs per surface.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from finbatch.kit.clock import utcnow
from finbatch.kit.crypto import equal, token_hash
from finbatch.kit.errors import Forbidden, Unauthenticated
from finbatch.tenancy.models import ApiToken, ApiTokenGrant, Tenant, User
from finbatch.tenancy.roles import Permission, Role, allows, parse_roles

TOKEN_PREFIX = "fbt_"


@dataclass(frozen=True, slots=True)
class TenantContext:
    """The facts about a tenant that nearly every request needs."""

    id: int
    slug: str
    name: str
    base_currency: str
    timezone: str
    fiscal_year_start_month: int
    locale: str

    @classmethod
    def of(cls, tenant: Tenant) -> TenantContext:
        return cls(tenant.id, tenant.slug, tenant.name, tenant.base_currency, tenant.timezone,
                   tenant.fiscal_year_start_month, tenant.locale)


@dataclass(frozen=True, slots=True)
class Principal:
    token_id: str
    actor: str
    user_id: str | None
    #: Roles per tenant id.
    grants: dict[int, frozenset[Role]] = field(default_factory=dict)
    #: The tenants behind ``grants``, by id.
    tenants: dict[int, TenantContext] = field(default_factory=dict)
    #: The tenant this request acts in, once chosen.
    tenant: TenantContext | None = None

    @property
    def roles(self) -> frozenset[Role]:
        return self.grants.get(self.tenant.id, frozenset()) if self.tenant else frozenset()

    @property
    def tenant_id(self) -> int:
        if self.tenant is None:
            raise RuntimeError("no tenant selected for this principal")
        return self.tenant.id

    def in_tenant(self, *, tenant_id: int | None = None, slug: str | None = None) -> Principal:
        """Act in the named tenant; ``Forbidden`` when the token has no grant there."""
        for ctx in self.tenants.values():
            if (tenant_id is not None and ctx.id == tenant_id) or (slug is not None and ctx.slug == slug):
                return replace(self, tenant=ctx)
        raise Forbidden("this token has no access to that tenant", code="TENANT_FORBIDDEN")

    def only_tenant(self) -> Principal:
        """Act in the token's tenant when it grants exactly one."""
        if len(self.tenants) == 1:
            return replace(self, tenant=next(iter(self.tenants.values())))
        raise Forbidden("this token grants several tenants and this request does not say which "
                        "(the native API takes a Finbatch-Tenant header)", code="TENANT_REQUIRED")

    def can(self, permission: Permission) -> bool:
        return allows(self.roles, permission)

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise Forbidden(f"the token's roles do not allow '{permission.value}'",
                            code="ROLE_FORBIDDEN")


def bearer_from_header(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, credentials = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return credentials.strip()


def authenticate_bearer(session: Session, token: str | None) -> Principal:
    """The principal behind ``token``; ``Unauthenticated`` when unknown, expired or revoked."""
    if not token:
        raise Unauthenticated("a bearer token is required", headers={"WWW-Authenticate": "Bearer"})
    digest = token_hash(token)
    connection = session.connection()
    row = connection.execute(_TOKEN, {"digest": digest}).first()
    if row is None or not equal(row.secret_hash, digest):
        raise Unauthenticated("the token is not valid", code="INVALID_TOKEN",
                              headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if row.revoked_at is not None:
        raise Unauthenticated("the token was revoked", code="TOKEN_REVOKED",
                              headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if row.expires_at <= utcnow():
        raise Unauthenticated("the token has expired", code="TOKEN_EXPIRED",
                              headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    grants: dict[int, frozenset[Role]] = {}
    tenants: dict[int, TenantContext] = {}
    for roles, *tenant in connection.execute(_GRANTS, {"token_id": row.id}):
        context = TenantContext(*tenant)
        grants[context.id] = parse_roles(roles)
        tenants[context.id] = context
    actor = f"user:{row.username}" if row.username else f"token:{row.name or row.id}"
    return Principal(token_id=row.id, actor=actor, user_id=row.user_id,
                     grants=grants, tenants=tenants)


# The two reads of every authenticated request, as column reads built once: loading ORM
# objects, and building the statements, per request cost more than the queries themselves.
# Nothing is cached between requests: a revoked or expired token is refused at once.
_TOKEN = (select(ApiToken.id, ApiToken.secret_hash, ApiToken.name, ApiToken.user_id,
                 ApiToken.revoked_at, ApiToken.expires_at, User.username)
          .outerjoin(User, User.id == ApiToken.user_id)
          .where(ApiToken.secret_hash == bindparam("digest"), ApiToken.kind == "access"))
#: The grant's roles, then ``TenantContext``'s fields in order.
_GRANTS = (select(ApiTokenGrant.roles, Tenant.id, Tenant.slug, Tenant.name, Tenant.base_currency,
                  Tenant.timezone, Tenant.fiscal_year_start_month, Tenant.locale)
           .join(Tenant, Tenant.id == ApiTokenGrant.tenant_id)
           .where(ApiTokenGrant.token_id == bindparam("token_id")))
