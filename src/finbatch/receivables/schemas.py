"""``/v1`` request and response models of the receivables. Amounts are decimal strings."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from finbatch.schemas_common import AmountText, Input, Instant, Output, Text200

CommerceType = Literal["D", "M", "S"]
Id = Annotated[str, StringConstraints(max_length=64)]
Short = Annotated[str, StringConstraints(max_length=64)]
Text500 = Annotated[str, StringConstraints(max_length=500)]
DecimalText = Annotated[str, StringConstraints(pattern=r"^\d{1,12}(\.\d{1,6})?$", max_length=20)]


class CustomerCreate(Input):
    name: Text200
    code: Short | None = Field(None, description="Account number; assigned when omitted.")
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    external_ref: Text200 | None = Field(None, description="Your system's id: sending it again updates.")


class CustomerUpdate(Input):
    name: Text200 | None = None
    code: Short | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None


class CustomerRead(Output):
    id: str
    code: str
    name: str
    email: str | None
    external_ref: str | None
    created_at: datetime
    modified_at: datetime
    version: int


class TaxCodeCreate(Input):
    code: Short
    rate: Annotated[str, StringConstraints(max_length=20)] = Field(description="e.g. \"0.0825\" for 8.25 %")
    description: Text200 = ""


class TaxCodeUpdate(Input):
    rate: Annotated[str, StringConstraints(max_length=20)] | None = None
    description: Text200 | None = None
    is_active: bool | None = None


class TaxCodeRead(Output):
    code: str
    description: str
    rate: str
    is_active: bool
    created_at: datetime
    version: int


class LineCreate(Input):
    quantity: DecimalText = "1"
    unit_price: DecimalText
    amount: AmountText | None = Field(None, description="Optional; must equal quantity × unit_price rounded.")
    product: Short | None = None
    description: Text500 | None = None
    unit: Annotated[str, StringConstraints(max_length=16)] | None = None
    tax_code: Short | None = None
    gl_account_code: Short | None = Field(None, description="Overrides the posting rule's revenue account.")


class AllocationCreate(Input):
    target_id: Id = Field(description="The invoice or debit memo settled.")
    amount: AmountText


class _TransactionCreate(Input):
    business_unit_id: Short | None = Field(None, description="Required when the tenant has several.")
    customer_id: Id | None = None
    currency: Annotated[str, StringConstraints(min_length=3, max_length=3)] | None = Field(
        None, description="Defaults to the business unit's currency.")
    fx_rate: Annotated[str, StringConstraints(max_length=24)] | None = Field(
        None, description="Base-currency units per unit; required for foreign currencies.")
    date: dt.date | None = Field(
        None, description="Business date; defaults to occurred_at's date in the tenant's zone, or today.")
    occurred_at: Instant | None = None
    batch_id: Id | None = Field(
        None, description="Defaults to the open batch of its business unit, currency and fiscal period.")
    external_ref: Text200 | None = None
    commerce_type: CommerceType | None = None
    description: Text500 | None = None


class InvoiceCreate(_TransactionCreate):
    lines: list[LineCreate] = Field(min_length=1, max_length=1000)
    due_date: dt.date | None = None
    location: Short | None = None
    terms: Short | None = None


class DebitMemoCreate(InvoiceCreate):
    pass


class CreditMemoCreate(_TransactionCreate):
    lines: list[LineCreate] = Field(min_length=1, max_length=1000)
    allocations: list[AllocationCreate] = Field(default_factory=list, max_length=500)


class PaymentCreate(_TransactionCreate):
    amount: AmountText
    fee: AmountText | None = None
    transaction_type: Literal["SP", "PP"] = "SP"
    payee: Text200 | None = Field(None, description="The vendor paid, for a purchase payment (PP).")
    payment_account: Short | None = Field(None, description="GL code of the bank/clearing account.")
    payment_method: Short | None = None
    reference: Text200 | None = None
    cleared_date: dt.date | None = None
    requires_follow_up: bool = False
    allocations: list[AllocationCreate] = Field(default_factory=list, max_length=500)


class RefundCreate(_TransactionCreate):
    amount: AmountText
    payment_id: Id | None = None
    payment_account: Short | None = None
    payment_method: Short | None = None
    reference: Text200 | None = None
    cleared_date: dt.date | None = None
    allocations: list[AllocationCreate] = Field(default_factory=list, max_length=500)


class CreditCreate(_TransactionCreate):
    amount: AmountText
    allocations: list[AllocationCreate] = Field(default_factory=list, max_length=500)


class WriteOffCreate(CreditCreate):
    pass


class TransactionUpdate(Input):
    description: Text500 | None = None
    commerce_type: CommerceType | None = None
    batch_id: Id | None = Field(None, description="Move to another open batch.")
    due_date: dt.date | None = None
    location: Short | None = None
    terms: Short | None = None
    cleared_date: dt.date | None = None
    requires_follow_up: bool | None = None
    payment_method: Short | None = None
    reference: Text200 | None = None


class VoidRequest(Input):
    void_date: dt.date | None = None


class LineRead(Output):
    line_number: int
    product: str | None
    description: str | None
    quantity: str
    unit: str | None
    unit_price: str
    amount: str
    tax_code: str | None
    gl_account_code: str | None


class TaxRead(Output):
    tax_code: str
    description: str
    rate: str
    taxable: str
    tax: str


class AllocationRead(Output):
    target_id: str
    kind: str
    number: int
    amount: str


class SettlementRead(Output):
    transaction_id: str
    kind: str
    number: int
    amount: str


class _TransactionRead(Output):
    id: str
    kind: str
    number: int
    external_ref: str | None
    batch_id: str
    business_unit_id: str
    customer_id: str | None
    currency: str
    fx_rate: str
    date: dt.date
    occurred_at: datetime | None
    fiscal_year_id: str
    fiscal_period: int
    commerce_type: CommerceType | None
    description: str | None
    amount: str
    created_at: datetime
    created_by: str
    modified_at: datetime
    modified_by: str
    version: int


class InvoiceRead(_TransactionRead):
    subtotal: str
    tax_total: str
    lines: list[LineRead]
    taxes: list[TaxRead]
    amount_settled: str
    balance: str
    paid_status: Literal["paid", "partial", "unpaid"]
    due_date: dt.date | None
    location: str | None
    terms: str | None
    void: bool
    void_date: dt.date | None
    settled_by: list[SettlementRead]


class CreditMemoRead(_TransactionRead):
    subtotal: str
    tax_total: str
    lines: list[LineRead]
    taxes: list[TaxRead]
    allocations: list[AllocationRead]
    unallocated: str


class CreditRead(_TransactionRead):
    allocations: list[AllocationRead]
    unallocated: str


class RefundRead(CreditRead):
    transaction_type: str | None
    payment_account: str | None
    payment_method: str | None
    reference: str | None
    cleared_date: dt.date | None
    requires_follow_up: bool
    payment_id: str | None


class PaymentRead(CreditRead):
    transaction_type: Literal["SP", "PP"]
    payment_account: str | None
    payment_method: str | None
    reference: str | None
    cleared_date: dt.date | None
    requires_follow_up: bool
    fee: str
    net_amount: str
    payee: str | None
