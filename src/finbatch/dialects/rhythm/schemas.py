"""OpenAPI models of the Rhythm surface: the batch, its envelopes, the bulk, patch and search
bodies, and the error body.

These models document the wire; handlers parse bodies themselves (``wire``), so that numbers are
never read as ``float``. Request bodies reach the OpenAPI document through ``request_body``
(inlined JSON Schema in ``openapi_extra``), responses through ``response_model`` and
``responses(...)``. A batch in a response has no required property, because ``fields``
projections may leave any of them out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema

from finbatch.batches.models import BATCH_STATUSES, BATCH_TYPES
from finbatch.dialects.rhythm.surface import CORS_HEADERS, PAGING_HEADER
from finbatch.kit.currencies import EXPONENTS

#: An exact decimal written as a JSON number.
Number = Annotated[Decimal, WithJsonSchema({"type": "number"})]
Status = Literal[BATCH_STATUSES]  # type: ignore[valid-type]
BatchType = Literal[BATCH_TYPES]  # type: ignore[valid-type]
DateText = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
Instant = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
BatchId = Annotated[str, StringConstraints(pattern=r"^[\w|-]+$", max_length=64)]
PAGE_SIZE = 100


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class RhythmStatistics(_Out):
    """Counts and totals per transaction kind, derived from the batch's transactions."""

    credit_memo_total: Number
    credit_total: Number
    debit_memo_total: Number
    invoice_total: Number
    number_of_credit_memos: int
    number_of_credits: int
    number_of_debit_memos: int
    number_of_invoices: int
    number_of_payments: int
    number_of_refunds: int
    number_of_write_offs: int
    payment_total: Number
    refund_total: Number
    write_off_total: Number


def _opt(kind: Any) -> Any:
    """A property that may be left out (projections) but is never null."""
    return kind | SkipJsonSchema[None]


class RhythmBatch(_Out):
    """A batch as Rhythm returns it (every field of the seed, in its order)."""

    automatically_close_at: Instant | None = None
    business_unit_id: _opt(str) = None
    closed_at: Instant | None = None
    count: _opt(int) = Field(None, description="Payments + refunds (derived).")
    currency_code: _opt(str) = None
    currency_symbol: str | None = None
    custom_field_values: _opt(list[dict[str, Any]]) = None
    date: _opt(DateText) = None
    dependents: _opt(list[str]) = Field(None, description="Batches that depend on this one.")
    description: str | None = None
    downloaded_at: Instant | None = None
    downloading_workflow_execution_id: str | None = None
    errors: _opt(list[dict[str, Any]]) = None
    fiscal_period: _opt(int) = None
    fiscal_year_id: _opt(str) = None
    id: _opt(str) = None
    name: _opt(str) = None
    posted_at: Instant | None = None
    posting_workflow_execution_id: str | None = None
    recurring_batch_id: str | None = None
    statistics: _opt(RhythmStatistics) = None
    status: _opt(Status) = None
    sys_bulk_load_at: str | None = None
    sys_bulk_load_id: str | None = None
    sys_bulk_load_pk: str | None = None
    sys_bulk_load_record_no: Number | None = None
    sys_bulk_load_source_file: str | None = None
    sys_calculated_field_error: str | None = None
    sys_calculated_field_errors: _opt(list[dict[str, Any]]) = None
    sys_composite_fiscal_period_key: _opt(str) = None
    sys_configuration_snapshot_id: str | None = None
    sys_created_at: _opt(Instant) = None
    sys_created_by_id: _opt(str) = None
    sys_deleted_by_id: str | None = None
    sys_directive: str | None = None
    sys_external_id: str | None = None
    sys_fiscal_period_id: _opt(str) = None
    sys_has_files_in_s3: _opt(bool) = None
    sys_last_bulk_data_operation_id: str | None = None
    sys_last_bulk_data_operation_sys_version: str | None = None
    sys_last_modified_at: _opt(Instant) = None
    sys_last_modified_by_id: _opt(str) = None
    sys_last_security_context: _opt(dict[str, Any]) = None
    sys_locked: _opt(bool) = Field(None, description="Posted, posting, downloaded or archived.")
    sys_snapshot_base_version: Number | None = None
    sys_version: _opt(int) = None
    total: _opt(Number) = Field(None, description="Payments − refunds (derived).")
    type: _opt(BatchType) = None
    unposting_workflow_execution_id: str | None = None


class RhythmPage(BaseModel):
    """A page of a query route; ``LastEvaluatedKey`` is absent on the last page."""

    Count: int
    Items: list[RhythmBatch]
    LastEvaluatedKey: _opt(str) = Field(None, description="Pass back as `exclusiveStartKey`.")


class RhythmSearchPage(BaseModel):
    Items: list[RhythmBatch]
    LastEvaluatedKey: _opt(str) = Field(None, description="Pass back as `exclusiveStartKey`.")


class RhythmChildren(BaseModel):
    children: list[str] = Field(description="Every batch depending on the given ones, recursively.")


class RhythmFieldError(BaseModel):
    field: str
    message: str


class RhythmErrorBody(BaseModel):
    message: str
    errors: list[RhythmFieldError]


class RhythmBulkError(RhythmErrorBody):
    """The result of a failed bulk operation."""

    id: str | None = Field(description="The operation's `id`, when it named one.")
    status_code: int = Field(description="The status the operation alone would have answered.")


class RhythmBulkResponse(BaseModel):
    error_count: int
    success_count: int
    results: list[RhythmBatch | RhythmBulkError | str] = Field(
        description="One per operation, in order: the batch (create, update, patch), the deleted "
                    "batch's id (delete), or the operation's error.")


# --- request bodies ------------------------------------------------------------------------------

_Loose = Annotated[Any, Field(description="Server-owned: accepted and ignored.")]
Text = Annotated[str, StringConstraints(max_length=200)]
Currency = Literal[tuple(sorted(EXPONENTS))]  # type: ignore[valid-type]
InstantZ = Annotated[str, StringConstraints(
    pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$"),
    WithJsonSchema({"type": "string", "format": "date-time",
                    "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$"})]
DateIn = Annotated[str, WithJsonSchema({"type": "string", "format": "date",
                                        "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})]


class RhythmCustomFieldValue(BaseModel):
    boolean_value: bool | None = None
    custom_field_id: Text | None = None
    file_url_value: str | None = None
    list_value: list[str] | None = None
    numeric_value: Number | None = Field(None, description="At most 15 significant digits.")
    string_value: str | None = None
    table_value: list[dict[str, Any]] | None = None


class RhythmBatchInput(BaseModel):
    """A batch to create or to replace. Server-owned fields (statistics, count, total, the
    timestamps of status changes, workflow execution ids, errors and every ``sys_*``) may be sent
    and are ignored. On a replacement, ``status`` asks for a lifecycle transition (409 when the
    lifecycle does not allow it); on a creation it is ignored (a new batch is open)."""

    automatically_close_at: InstantZ | None = None
    business_unit_id: Annotated[str, StringConstraints(max_length=64)]
    currency_code: Currency | None = Field(None, description="ISO 4217; defaults to the business "
                                                             "unit's currency.")
    currency_symbol: Annotated[str, StringConstraints(max_length=8)] | None = None
    custom_field_values: list[RhythmCustomFieldValue] | None = Field(None, max_length=200)
    date: DateIn
    dependents: list[BatchId] | None = Field(None, max_length=1000)
    description: Annotated[str, StringConstraints(max_length=4000)] | None = None
    fiscal_period: int = Field(ge=1, le=12)
    fiscal_year_id: Annotated[str, StringConstraints(max_length=32)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    recurring_batch_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    status: Status | None = None
    type: BatchType | None = None
    closed_at: _Loose = None
    count: _Loose = None
    downloaded_at: _Loose = None
    downloading_workflow_execution_id: _Loose = None
    errors: _Loose = None
    posted_at: _Loose = None
    posting_workflow_execution_id: _Loose = None
    statistics: _Loose = None
    total: _Loose = None
    unposting_workflow_execution_id: _Loose = None


class RhythmBatchCreate(RhythmBatchInput):
    id: None = Field(None, description="Must be absent or null: ids are generated (400 otherwise).")


class RhythmBatchReplace(RhythmBatchInput):
    id: _Loose = None


class RhythmPatchOperation(BaseModel):
    """One RFC 6902 operation. Paths address the batch document; writing a server-owned field is
    a 400, a failed ``test`` a 409, and either way nothing is applied."""

    op: Literal["add", "copy", "move", "remove", "replace", "test"]
    path: str = Field(description="A JSON Pointer, e.g. `/name` or `/custom_field_values/0`.")
    value: Any = Field(None, description="For add, replace and test.")
    from_: str | None = Field(None, alias="from", description="For copy and move.")


class RhythmBulkOperation(BaseModel):
    id: BatchId | None = Field(None, description="The batch to update, patch or delete.")
    object: RhythmBatchReplace | None = Field(None, description="For create and update.")
    operation: Literal["create", "update", "patch", "delete"]
    patch_directives: dict[str, RhythmPatchOperation] | None = Field(
        None, description='For patch: the operations keyed "0", "1", … in order.')


class RhythmBulkRequest(BaseModel):
    # Each operation is judged on its own (dialects/rhythm.md): one that breaks the operation
    # schema (an unknown `operation`, a missing id, not even an object) is that operation's 400
    # in `results`, and the others still run. So the document promises the shape of a good
    # operation (`RhythmBulkOperation`) without claiming the request is refused for a bad one:
    # only a missing `operations` list or more than 100 operations refuse the whole request.
    operations: list[RhythmBulkOperation | Any] = Field(
        max_length=100,
        description="At most 100 (more is a 400 and nothing runs). Each is a "
                    "`RhythmBulkOperation`; one that is not fails on its own, with a 400 as its "
                    "result, and the others still run.")


Range = Annotated[list[str | Number | None], Field(min_length=2, max_length=2)]


class RhythmSearch(BaseModel):
    """Search filters (all optional, combined with AND). Ranges are ``[from, to]``, inclusive;
    either end may be null. Unknown properties are a 400."""

    model_config = ConfigDict(extra="forbid")

    business_unit_id: Annotated[str, StringConstraints(max_length=64)] | None = None
    count: Range | None = None
    date: Range | None = None
    fiscal_period: int | None = Field(None, ge=1, le=12)
    fiscal_year_id: Annotated[str, StringConstraints(max_length=32)] | None = None
    id: list[BatchId] | None = Field(None, max_length=1000)
    name: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        None, description="Contained in the name, any case.")
    recurring_batch_id: list[Annotated[str, StringConstraints(max_length=64)]] | None = Field(
        None, max_length=1000)
    status: list[Literal[tuple(s for s in BATCH_STATUSES if s != "archived")]] | None = None  # type: ignore[misc]
    total: Range | None = None
    type: list[Literal[tuple(t for t in BATCH_TYPES if t != "legacy")]] | None = None  # type: ignore[misc]


# --- OpenAPI helpers -----------------------------------------------------------------------------

def inline_schema(model: type[BaseModel] | Any) -> dict[str, Any]:
    """The JSON Schema of ``model`` (or of a type, via a TypeAdapter) with every ``$ref``
    inlined, so it can sit in ``openapi_extra`` without the component section."""
    from pydantic import TypeAdapter

    schema = (model.model_json_schema() if isinstance(model, type) and issubclass(model, BaseModel)
              else TypeAdapter(model).json_schema())
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return {**resolve(defs[ref[len("#/$defs/"):]]), **resolve(rest)}
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)


def request_body(model: Any, description: str) -> dict[str, Any]:
    return {"requestBody": {"required": True, "description": description,
                            "content": {"application/json": {"schema": inline_schema(model)}}}}


_HEADER_DOCS = {name: {"schema": {"type": "string"}} for name in CORS_HEADERS}
_ERRORS = {
    400: "The request is invalid (a malformed body, a field that breaks a rule).",
    401: "No valid bearer token.",
    403: "The token does not grant this tenant, or its roles do not allow this.",
    404: "No such batch in this tenant.",
    409: "The lifecycle does not allow it, the batch is locked, or a reference is missing.",
    413: "The body is too large.",
    500: "An unexpected error.",
}


def responses(ok: int, description: str, *errors: int, paging_header: bool = False) -> dict:
    """The ``responses`` of a route: its success (with the CORS headers, and the scan route's
    paging header) and each of its errors in Rhythm's error body."""
    headers = dict(_HEADER_DOCS)
    if paging_header:
        headers[PAGING_HEADER] = {"schema": {"type": "string"},
                                  "description": "Present when more items follow: pass it back "
                                                 "as `exclusiveStartKey`."}
    out: dict[int | str, dict] = {ok: {"description": description, "headers": headers}}
    for status in sorted({400, 401, 403, 500, *errors}):
        out[status] = {"model": RhythmErrorBody, "description": _ERRORS[status],
                       "headers": dict(_HEADER_DOCS)}
    # any other client error (405, 412 …) is in the same body; FastAPI's default 422 never
    # happens on this surface (invalid parameters are a 400), and this entry replaces it
    out["4XX"] = {"model": RhythmErrorBody, "description": "Any other client error.",
                  "headers": dict(_HEADER_DOCS)}
    return out
