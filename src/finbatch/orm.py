"""ORM foundations shared by every feature: the declarative base, naming conventions, column types.

Conventions: tenant-owned tables put ``tenant_id`` first in the primary key and in every index
(``tests/unit/test_schema.py`` walks the schema to prove it); instants are aware UTC; money is
integer minor units; relationships are never lazy-loaded implicitly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, MetaData, String, TypeDecorator, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase

from finbatch.kit.money import canonical_decimal

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Tables that are not owned by one tenant: identities and tokens are looked up before a tenant is
#: known; instance settings belong to the installation.
GLOBAL_TABLES = frozenset({"tenants", "users", "api_tokens", "instance_settings"})
#: Tables that link a global identity to a tenant. They carry ``tenant_id`` and an index leading
#: with it, and are also indexed from the identity's side (authentication starts there).
BRIDGE_TABLES = frozenset({"memberships", "api_token_grants"})


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC instant on both engines.

    PostgreSQL stores ``timestamptz``; SQLite stores the UTC wall time as text. Naive datetimes are
    refused on the way in so no local time can sneak into storage.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: instants must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class DecimalText(TypeDecorator[Decimal]):
    """An exact decimal that is not money (a quantity, a unit price, an FX or tax rate), stored as
    canonical text: SQLAlchemy's ``Numeric`` passes through float on SQLite."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | str | None, dialect: Any) -> str | None:
        return decimal_text(value)

    def process_result_value(self, value: str | None, dialect: Any) -> Decimal | None:
        return None if value is None else Decimal(value)


def decimal_text(value: Decimal | str | None) -> str | None:
    """What ``DecimalText`` stores for ``value``: the canonical text (no exponent, no trailing
    zeros, one zero for every zero). Reading it back and formatting it with ``"f"`` gives the
    same text again."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(value)
    if not number.is_finite():
        raise ValueError("non-finite decimal refused")
    return format(canonical_decimal(number), "f")


#: JSON documents: ``jsonb`` on PostgreSQL, text on SQLite.
JSONDoc = JSON().with_variant(JSONB(), "postgresql")
class _UUIDText(Uuid):
    """``Uuid(as_uuid=False)`` reading SQLite's 32 hex digits by slicing them into the hyphenated
    form: SQLAlchemy's own reader builds a ``uuid.UUID`` per value to print it, which was a third
    of the database time of a page of invoices with their lines (every row holds two or three)."""

    cache_ok = True

    def result_processor(self, dialect, coltype):
        if dialect.supports_native_uuid and self.native_uuid:
            return super().result_processor(dialect, coltype)
        general = super().result_processor(dialect, coltype)

        def process(value):
            if value is not None and len(value) == 32:
                return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}".lower()
            return general(value)

        return process


#: Identifiers: native ``uuid`` on PostgreSQL, 32 hex characters on SQLite; strings in Python.
UUIDStr = _UUIDText(as_uuid=False)
#: Money in integer minor units.
Minor = BigInteger
