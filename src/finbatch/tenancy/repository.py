"""Queries of the tenancy feature."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from finbatch.repository import Page, TenantRepository, keyset_page
from finbatch.tenancy.models import ApiToken, ApiTokenGrant, BusinessUnit, Membership, Tenant, User


def tenant_by_slug(session: Session, slug: str) -> Tenant | None:
    return session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()


def tenant_by_id(session: Session, tenant_id: int) -> Tenant | None:
    return session.get(Tenant, tenant_id)


def tenants_by_ids(session: Session, ids: list[int]) -> list[Tenant]:
    return list(session.execute(select(Tenant).where(Tenant.id.in_(ids)).order_by(Tenant.id)).scalars())


def all_tenant_ids(session: Session, limit: int) -> list[int]:
    return list(session.execute(select(Tenant.id).order_by(Tenant.id).limit(limit)).scalars())


def has_tenants(session: Session) -> bool:
    return session.execute(select(Tenant.id).limit(1)).first() is not None


def next_tenant_id(session: Session) -> int:
    """Numeric ids start at 1000 and grow; demo is 1000 by convention."""
    highest = session.execute(select(func.max(Tenant.id))).scalar()
    return max(1000, (highest or 999) + 1)


def user_by_username(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def memberships_of(session: Session, user_id: str) -> list[Membership]:
    return list(session.execute(select(Membership).where(Membership.user_id == user_id)).scalars())


def grants_of(session: Session, token_id: str) -> list[ApiTokenGrant]:
    return list(session.execute(
        select(ApiTokenGrant).where(ApiTokenGrant.token_id == token_id)).scalars())


def token_by_hash(session: Session, digest: str) -> ApiToken | None:
    return session.execute(select(ApiToken).where(ApiToken.secret_hash == digest)).scalar_one_or_none()


class MembershipRepository(TenantRepository[Membership]):
    model = Membership
    noun = "user"

    def page_users(self, *, cursor: str | None, limit: int) -> Page:
        stmt = (select(User, Membership)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.tenant_id == self.tenant_id))
        return keyset_page(self.session, stmt, key=[User.id], cursor=cursor, limit=limit,
                           scalars=False, key_of=lambda row: [row[0].id])

    def user(self, user_id: str) -> tuple[User, Membership] | None:
        row = self.session.execute(
            select(User, Membership).join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == self.tenant_id, User.id == user_id)).first()
        return (row[0], row[1]) if row else None


class TokenGrantRepository(TenantRepository[ApiTokenGrant]):
    model = ApiTokenGrant
    noun = "token"

    def page_tokens(self, *, cursor: str | None, limit: int) -> Page:
        stmt = (select(ApiToken, ApiTokenGrant)
                .join(ApiTokenGrant, ApiTokenGrant.token_id == ApiToken.id)
                .where(ApiTokenGrant.tenant_id == self.tenant_id, ApiToken.kind == "access"))
        return keyset_page(self.session, stmt, key=[ApiToken.id], cursor=cursor, limit=limit,
                           scalars=False, key_of=lambda row: [row[0].id])

    def token(self, token_id: str) -> tuple[ApiToken, ApiTokenGrant] | None:
        row = self.session.execute(
            select(ApiToken, ApiTokenGrant).join(ApiTokenGrant, ApiTokenGrant.token_id == ApiToken.id)
            .where(ApiTokenGrant.tenant_id == self.tenant_id, ApiToken.id == token_id)).first()
        return (row[0], row[1]) if row else None


class BusinessUnitRepository(TenantRepository[BusinessUnit]):
    model = BusinessUnit
    noun = "business unit"

    def page(self, *, cursor: str | None, limit: int, active: bool | None = None) -> Page:
        stmt = self.scoped()
        if active is not None:
            stmt = stmt.where(BusinessUnit.is_active.is_(active))
        return keyset_page(self.session, stmt, key=[BusinessUnit.id], cursor=cursor, limit=limit)
