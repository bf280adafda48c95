"""OpenAPI models of Rhythm's posting and downloading routes (the bodies are parsed by
``executions.batch_request``; these document the wire)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from finbatch.dialects.rhythm.schemas import BatchId, DateText, Instant, Number


class RhythmBatchRequest(BaseModel):
    """The batches of one business unit to preview, post, unpost or download."""

    business_unit_id: str = Field(max_length=64)
    batch_ids: list[BatchId] = Field(max_length=100, description=(
        "At most 100; posting, unposting and downloading need at least one."))


class RhythmIneligibleBatch(BaseModel):
    id: str
    name: str | None
    reason: str


class RhythmBatchToPost(BaseModel):
    id: str
    name: str
    date: DateText


class RhythmPostingPreview(BaseModel):
    products: list[str]
    products_without_financial_configuration: list[str]
    ineligible_batches: list[RhythmIneligibleBatch]
    batches_to_post: list[RhythmBatchToPost]


class RhythmExecutionStarted(BaseModel):
    # Rhythm's own wire names, hence the mixed case (N815)
    executionArn: str = Field(  # noqa: N815
        description="The execution to follow on `/executions/{executionArn}`.")
    start_date: Instant
    notification_publishKey: None = Field(  # noqa: N815
        description="Null: no event stream is configured.")
    notification_subscribeKey: None  # noqa: N815
    notification_channel: None


class RhythmExecution(BaseModel):
    executionArn: str  # noqa: N815 (Rhythm's wire name)
    type: Literal["posting", "unposting", "downloading"]
    status: Literal["RUNNING", "SUCCEEDED", "FAILED"]
    start_date: Instant
    stop_date: Instant | None
    batch_ids: list[str]
    error: str | None
    format: str | None = Field(None, description="Downloads: the business unit's export format.")
    uri: str | None = Field(None, description="Downloads: the file, by a signed URL that needs no "
                                              "token, once SUCCEEDED.")
    sourceUri: str | None = Field(  # noqa: N815
        None, description="Downloads: the journal it was made from (gl-json), signed likewise.")
    expires_at: Instant | None = Field(None, description="When the signed URLs stop working.")


class RhythmSubledgerLine(BaseModel):
    line_number: int
    account_id: str
    account_code: str
    account_name: str
    debit: Number
    credit: Number
    txn_debit: Number
    txn_credit: Number
    description: str | None


class RhythmSubledgerEntry(BaseModel):
    """A balanced journal entry: base-currency amounts, and the transaction's own (``txn_*``)."""

    id: str
    number: int
    batch_id: str
    source_kind: str
    source_id: str
    entry_date: DateText
    fiscal_year_id: str
    fiscal_period: int
    currency: str
    base_currency: str
    fx_rate: Number
    description: str
    party_id: str | None
    party_name: str | None
    reverses_entry_id: str | None
    total_debit: Number
    total_credit: Number
    lines: list[RhythmSubledgerLine]
    created_at: Instant


