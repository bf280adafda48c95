"""Pydantic building blocks shared by the ``/v1`` schemas."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    field_validator,
)


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


_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _not_a_number(value: Any) -> Any:
    """Pydantic reads a number (or a numeric string: every query value is a string) as a Unix
    timestamp, so ``?date_from=0.0`` silently meant 1970-01-01; a date must be written as one."""
    if isinstance(value, int | float) and not isinstance(value, bool) or \
            isinstance(value, str) and _NUMBER.fullmatch(value):
        raise ValueError("must be an ISO 8601 date or date and time, not a number")
    return value


_FIRST_DAY, _LAST_DAY = date(1, 1, 2), date(9999, 12, 30)


def _in_every_zone(value: datetime) -> datetime:
    """An instant must have a calendar date in every zone it may be shown or booked in: the
    edges of the calendar (0001-01-01T00:00Z seen from a zone behind UTC) have none, and Python
    cannot even convert them, so they are refused here rather than failing later as a 500."""
    try:
        day = value.astimezone(UTC).date() if value.tzinfo is not None else value.date()
    except OverflowError:
        day = None
    if day is None or not _FIRST_DAY <= day <= _LAST_DAY:
        raise ValueError(f"must fall between {_FIRST_DAY} and {_LAST_DAY} (UTC)")
    return value


#: Query parameters: a date or an instant as ISO 8601 text only.
IsoDate = Annotated[date, BeforeValidator(_not_a_number)]
IsoDateTime = Annotated[datetime, BeforeValidator(_not_a_number), AfterValidator(_in_every_zone)]
#: Request bodies: an instant with its offset, inside the calendar in every zone.
Instant = Annotated[AwareDatetime, BeforeValidator(_not_a_number), AfterValidator(_in_every_zone)]
