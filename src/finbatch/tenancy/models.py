"""Tables of the tenancy feature.

``tenants``, ``users`` and ``api_tokens`` are global: a bearer token or a username must be found
before any tenant is known. What a user or token may do *in* a tenant lives in tenant-owned rows
(``memberships``, ``api_token_grants``), so removing a tenant's grants cuts every path into it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from finbatch.orm import Base, UTCDateTime, UUIDStr


class Tenant(Base):
    __tablename__ = "tenants"
    __table_args__ = (
        CheckConstraint("fiscal_year_start_month BETWEEN 1 AND 12", name="fiscal_start_month"),
    )

    #: The numeric id: YourMembership's ClientID and Saasu's FileId.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    base_currency: Mapped[str] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64))
    fiscal_year_start_month: Mapped[int] = mapped_column(Integer)
    #: Drives date formats in exports meant for people (e.g. QuickBooks Online's MM/DD/YYYY).
    locale: Mapped[str] = mapped_column(String(16), default="en-US")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    #: argon2id hash (never the password).
    password_hash: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Membership(Base):
    """A user's roles in one tenant (a bridge: found by tenant, and by user at login)."""

    __tablename__ = "memberships"
    __table_args__ = (Index(None, "user_id", "tenant_id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(UUIDStr, ForeignKey("users.id"), primary_key=True)
    #: Comma-separated role names (see ``finbatch.tenancy.roles``).
    roles: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A bearer token. Only the SHA-256 of the secret is stored; the secret is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(UUIDStr, primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: The user the token acts for, when it came from a password login.
    user_id: Mapped[str | None] = mapped_column(UUIDStr, ForeignKey("users.id"), nullable=True)
    #: ``access`` for bearer tokens, ``refresh`` for OAuth refresh tokens.
    kind: Mapped[str] = mapped_column(String(16), default="access")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApiTokenGrant(Base):
    """What one token may do in one tenant (a bridge: found by token on every request, and by
    tenant when an admin lists tokens)."""

    __tablename__ = "api_token_grants"
    __table_args__ = (Index(None, "tenant_id", "token_id"),)

    token_id: Mapped[str] = mapped_column(UUIDStr, ForeignKey("api_tokens.id", ondelete="CASCADE"),
                                          primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    roles: Mapped[str] = mapped_column(String(100))


class BusinessUnit(Base):
    """The entity a batch belongs to (Rhythm's ``business_unit_id``), with its currency and the
    export format its downloads use."""

    __tablename__ = "business_units"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    export_format: Mapped[str] = mapped_column(String(32), default="iif")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class InstanceSetting(Base):
    """Installation-wide values generated at first use (e.g. the URL-signing secret)."""

    __tablename__ = "instance_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


