"""``/v1`` batch models: Rhythm's batch fields, amounts as decimal strings."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from finbatch.schemas_common import AmountText, Input, Instant, Output, Text200

BatchStatus = Literal["open", "closed", "verified", "posting", "posted", "downloaded", "error",
                      "archived"]
BatchType = Literal["transaction", "deferred revenue", "cost of goods sold", "legacy"]
Short = Annotated[str, StringConstraints(max_length=64)]


class BatchCreate(Input):
    name: Text200
    business_unit_id: Short
    date: dt.date
    fiscal_year_id: Annotated[str, StringConstraints(max_length=32)]
    fiscal_period: int = Field(ge=1, le=12)
    description: Annotated[str, StringConstraints(max_length=4000)] | None = None
    currency_code: Annotated[str, StringConstraints(min_length=3, max_length=3)] | None = None
    currency_symbol: Annotated[str, StringConstraints(max_length=8)] | None = None
    commerce_type: Literal["D", "M", "S"] | None = None
    type: BatchType = "transaction"
    recurring_batch_id: Text200 | None = None
    dependents: list[Short] = Field(default_factory=list, max_length=1000)
    custom_field_values: list[dict[str, Any]] = Field(default_factory=list, max_length=200)
    automatically_close_at: Instant | None = None
    external_id: Text200 | None = Field(None, description="Rhythm's sys_external_id.")


class BatchUpdate(Input):
    name: Text200 | None = None
    description: Annotated[str, StringConstraints(max_length=4000)] | None = None
    business_unit_id: Short | None = None
    date: dt.date | None = None
    fiscal_year_id: Annotated[str, StringConstraints(max_length=32)] | None = None
    fiscal_period: int | None = Field(None, ge=1, le=12)
    currency_code: Annotated[str, StringConstraints(min_length=3, max_length=3)] | None = None
    currency_symbol: Annotated[str, StringConstraints(max_length=8)] | None = None
    commerce_type: Literal["D", "M", "S"] | None = None
    type: BatchType | None = None
    recurring_batch_id: Text200 | None = None
    dependents: list[Short] | None = Field(None, max_length=1000)
    custom_field_values: list[dict[str, Any]] | None = Field(None, max_length=200)
    automatically_close_at: Instant | None = None
    external_id: Text200 | None = None


class VerifyRequest(Input):
    control_count: int | None = Field(None, ge=0, description="Expected payments + refunds.")
    control_total: AmountText | None = Field(None, description="Expected payments − refunds.")


class BatchStatistics(BaseModel):
    credit_memo_total: str
    credit_total: str
    debit_memo_total: str
    invoice_total: str
    number_of_credit_memos: int
    number_of_credits: int
    number_of_debit_memos: int
    number_of_invoices: int
    number_of_payments: int
    number_of_refunds: int
    number_of_write_offs: int
    payment_total: str
    refund_total: str
    write_off_total: str


class BatchRead(Output):
    id: str
    name: str
    description: str | None
    business_unit_id: str
    currency_code: str
    currency_symbol: str | None
    commerce_type: str | None
    date: dt.date
    fiscal_year_id: str
    fiscal_period: int
    type: BatchType
    status: BatchStatus
    count: int = Field(description="Payments + refunds (derived).")
    total: str = Field(description="Payments − refunds (derived).")
    statistics: BatchStatistics
    transaction_count: int
    dependents: list[str]
    errors: list[dict[str, Any]]
    custom_field_values: list[dict[str, Any]]
    recurring_batch_id: str | None
    automatically_close_at: datetime | None
    closed_at: datetime | None
    verified_at: datetime | None
    posted_at: datetime | None
    unposted_at: datetime | None
    downloaded_at: datetime | None
    archived_at: datetime | None
    posting_workflow_execution_id: str | None
    unposting_workflow_execution_id: str | None
    downloading_workflow_execution_id: str | None
    sys_locked: bool
    sys_external_id: str | None
    sys_created_at: datetime
    sys_created_by_id: str
    sys_last_modified_at: datetime
    sys_last_modified_by_id: str
    sys_version: int
    sys_fiscal_period_id: str
    sys_composite_fiscal_period_key: str
    sys_bulk_load_at: str | None
    sys_bulk_load_id: str | None
    sys_bulk_load_pk: str | None
    sys_bulk_load_record_no: int | None
    sys_bulk_load_source_file: str | None
    sys_calculated_field_error: str | None
    sys_calculated_field_errors: list[dict[str, Any]]
    sys_configuration_snapshot_id: str | None
    sys_deleted_by_id: str | None
    sys_directive: str | None
    sys_has_files_in_s3: bool
    sys_last_bulk_data_operation_id: str | None
    sys_last_bulk_data_operation_sys_version: str | None
    sys_last_security_context: dict[str, Any]
    sys_snapshot_base_version: int | None
    version: int
