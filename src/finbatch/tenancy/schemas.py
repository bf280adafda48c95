from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from finbatch.exports.catalog import ExportFormat
from finbatch.schemas_common import CurrencyCode, Input, Output, Text200
from finbatch.tenancy.roles import Role

Slug = Annotated[str, StringConstraints(min_length=1, max_length=63)]
UnitId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class TenantCreate(Input):
    slug: Slug
    name: Text200
    client_id: int | None = Field(
        None, ge=1, le=2_147_483_647,
        description="Numeric id (YM ClientID, Saasu FileId); assigned when omitted.")
    timezone: Annotated[str, StringConstraints(max_length=64)] = "UTC"
    base_currency: CurrencyCode = "USD"
    fiscal_year_start_month: int = Field(1, ge=1, le=12)
    locale: Annotated[str, StringConstraints(max_length=16)] = "en-US"


class TenantUpdate(Input):
    name: Text200 | None = None
    locale: Annotated[str, StringConstraints(max_length=16)] | None = None


class TenantRead(Output):
    slug: str
    id: int
    name: str
    base_currency: str
    timezone: str
    fiscal_year_start_month: int
    locale: str
    created_at: datetime
    updated_at: datetime
    version: int


class UserCreate(Input):
    username: Annotated[str, StringConstraints(min_length=1, max_length=150)]
    password: Annotated[str, StringConstraints(min_length=8, max_length=1024)]
    display_name: Text200 = ""
    roles: list[Role] = Field(min_length=1)


class UserUpdate(Input):
    roles: list[Role] = Field(min_length=1)


class UserRead(Output):
    id: str
    username: str
    display_name: str
    roles: list[Role]
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class TokenCreate(Input):
    name: Text200 = ""
    roles: list[Role] = Field(min_length=1)
    expires_in_days: int | None = Field(None, ge=1, le=3650,
                                        description="Defaults to FINBATCH_TOKEN_TTL_DAYS.")


class TokenRead(Output):
    id: str
    name: str
    roles: list[Role]
    user_id: str | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class TokenCreated(TokenRead):
    token: str = Field(description="The secret. It is shown only in this response.")


class BusinessUnitCreate(Input):
    id: UnitId
    name: Text200
    currency: CurrencyCode
    export_format: ExportFormat = "iif"


class BusinessUnitUpdate(Input):
    name: Text200 | None = None
    export_format: ExportFormat | None = None
    is_active: bool | None = None


class BusinessUnitRead(Output):
    id: str
    name: str
    currency: str
    export_format: str
    is_active: bool
    created_at: datetime
    updated_at: datetime
    version: int
