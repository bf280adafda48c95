from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import StringConstraints

from finbatch.schemas_common import Input, Output, Text200

AccountType = Literal["asset", "liability", "equity", "revenue", "expense"]
AccountCode = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class GLAccountCreate(Input):
    code: AccountCode
    name: Text200
    type: AccountType
    parent_code: AccountCode | None = None
    description: Annotated[str, StringConstraints(max_length=500)] = ""
    is_active: bool = True


class GLAccountUpdate(Input):
    name: Text200 | None = None
    parent_code: AccountCode | None = None
    description: Annotated[str, StringConstraints(max_length=500)] | None = None
    is_active: bool | None = None


class GLAccountRead(Output):
    id: str
    code: str
    name: str
    full_name: str
    type: AccountType
    parent_id: str | None
    parent_code: str | None
    description: str
    is_active: bool
    created_at: datetime
    updated_at: datetime
    version: int
