"""Pydantic building blocks shared by the ``/v1`` schemas."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator


class Input(BaseModel):
    """Request bodies: unknown fields are an error (a typo must not be silently ignored), and no
    text may carry a NUL character (no database stores one faithfully)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


#: An exact decimal amount as a JSON string, e.g. ``"1234.50"``; never a JSON number.
AmountText = Annotated[str, StringConstraints(pattern=r"^-?\d{1,19}(\.\d{1,18})?$", max_length=40)]
Text200 = Annotated[str, StringConstraints(max_length=200)]
CurrencyCode = Annotated[str, StringConstraints(min_length=3, max_length=3)]
