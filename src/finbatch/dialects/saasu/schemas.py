"""Saasu's wire shapes as pydantic models, for the OpenAPI document only: the routes render
their bodies themselves (``render.py``), so amounts stay exact and XML follows XmlSerializer.

Names are Saasu's own (PascalCase, ``_links``); dates are strings in Saasu's forms.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from finbatch.dialects.common import DecimalNumber

DateTimeText = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class _Wire(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class SaasuLink(_Wire):
    """A hypermedia link; ``href`` is absolute. ``title`` is always null (omitted in XML)."""

    model_config = ConfigDict(title="Link")

    rel: str
    href: str
    method: str = "GET"
    title: str | None = None


class PaymentTransactionSummary(_Wire):
    TransactionId: int = Field(description="The payment's number in the file.")
    TransactionDate: DateTimeText = Field(
        description="The payment date: midnight of that day in the file's time zone, in UTC.")
    TransactionType: Literal["SP", "PP"]
    PaymentAccountId: int = Field(
        description="The payment account's GL code when it is a number of 1–9 digits without a "
                    "leading zero; otherwise 1000000000 + CRC-32(code) mod 1000000000; 0 when none.")
    TotalAmount: DecimalNumber = Field(description="The gross amount, fee included.")
    FeeAmount: DecimalNumber
    Summary: str | None
    Reference: str | None
    ClearedDate: DateTimeText | None
    Currency: str
    AutoPopulateFxRate: bool = Field(description="Always false: rates are given, never looked up.")
    FxRate: DecimalNumber = Field(
        description="Base-currency units per unit of the payment's currency; 0 in the base currency.")
    CreatedDateUtc: DateTimeText
    LastModifiedDateUtc: DateTimeText
    LastUpdatedId: str = Field(description="Concurrency token: base64 of the 8-byte record version.")
    RequiresFollowUp: bool
    links: list[SaasuLink] = Field(alias="_links")


class PaymentTransactionSummaryResponse(_Wire):
    PaymentTransactions: list[PaymentTransactionSummary]
    links: list[SaasuLink] = Field(alias="_links", description="`self`, and `next` when another page exists.")


class SaasuPaymentItem(_Wire):
    model_config = ConfigDict(title="PaymentItem")

    InvoiceTransactionId: int = Field(description="The number of the invoice the payment settles.")
    AmountPaid: DecimalNumber


class PaymentTransaction(PaymentTransactionSummary):
    """One payment (``GET /Payment/{id}``): the summary fields plus its allocations to invoices."""

    PaymentItems: list[SaasuPaymentItem]


class SaasuError(_Wire):
    """Every error of ``/Payments`` and ``/Payment/{id}`` (XML: ``<Error><Message>``)."""

    Message: str


Short = Annotated[str, StringConstraints(max_length=4096)]


class TokenRequest(_Wire):
    """OAuth 2 request body (JSON, or form-encoded)."""

    grant_type: Literal["password", "refresh_token"]
    username: Short | None = None
    password: Short | None = None
    scope: Short | None = Field(None, description="`full`, optionally with `fileid:N` entries to "
                                                  "limit the token to those files.")
    refresh_token: Short | None = None


class RefreshRequest(_Wire):
    grant_type: Literal["refresh_token"] = "refresh_token"
    refresh_token: Short


class SaasuTokenResponse(_Wire):
    model_config = ConfigDict(title="TokenResponse")

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str
    scope: str = Field(description="`full` and one `fileid:N` per file the token reaches.")


class SaasuOAuthError(_Wire):
    """OAuth 2 error (RFC 6749 §5.2)."""

    model_config = ConfigDict(title="OAuthError")

    error: str
    error_description: str
