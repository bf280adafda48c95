from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from finbatch.schemas_common import Input, Output


class FiscalYearCreate(Input):
    year: int = Field(ge=1900, le=2999, description="The calendar year in which the fiscal year ends.")
    id: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = Field(
        None, description="Defaults to `FY<year>`.")


class FiscalPeriodRead(Output):
    fiscal_year_id: str
    number: int
    start_date: date
    end_date: date
    status: Literal["open", "closed"]
    closed_at: datetime | None
    closed_by: str | None


class FiscalYearRead(Output):
    id: str
    start_date: date
    end_date: date
    status: Literal["open", "closed"] = Field(description="`closed` once all twelve periods are.")
    periods: list[FiscalPeriodRead]
    created_at: datetime
    version: int
