"""Searches of the receivables that the vendor dialects need (Saasu's payment list, Agvance's
invoice list), kept next to ``repository.py`` so every ``select(...)`` stays in a repository.

Design overview
---------------
A dialect parses its vendor's parameters into one of the plain criteria objects below, in our
terms (business dates, UTC instants, per-kind numbers, GL codes, customer codes); this module
turns them into queries. Every bound is half-open or inclusive exactly as its field name says
(``*_from`` inclusive, ``*_to`` inclusive for calendar dates, ``*_before`` exclusive for
instants), so the dialect decides once what "inclusive" means for its vendor's text forms.

- ``PaymentSearch`` pages payments by offset (Saasu's ``Page``/``PageSize``) over a total order:
  the requested sort key, then the per-tenant payment number, which is unique.
- ``InvoiceSearch`` ORs several ``InvoiceCriteria`` (each one ANDs its fields) into one
  ``WHERE``, so the union has no duplicates by construction, ordered by (number, kind).

"Settled" of a credit memo is the total it has applied (the sum of its allocations); of an
invoice or debit memo, the ``settled`` column. Paid means settled ≥ amount, partial means
0 < settled < amount, unpaid means nothing settled on a non-zero amount (the same rule as
``views.paid_status``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select

from finbatch.receivables.models import ARAllocation, ARTransaction, Customer
from finbatch.repository import TenantRepository

#: Sort keys of ``PaymentSearch.sort`` → column.
PAYMENT_SORT_KEYS = {
    "number": ARTransaction.number,
    "date": ARTransaction.date,
    "cleared_date": ARTransaction.cleared_date,
    "created_at": ARTransaction.created_at,
    "modified_at": ARTransaction.modified_at,
    "amount": ARTransaction.amount,
}

#: Kinds the invoice search can list, and their rank when numbers tie.
INVOICE_LIST_KINDS = ("invoice", "credit_memo", "debit_memo")


@dataclass(frozen=True, slots=True)
class PaymentSearch:
    """Filters of a payment list; ``None`` does not filter."""

    date_from: date | None = None
    date_to: date | None = None
    cleared_from: date | None = None
    cleared_to: date | None = None
    modified_from: datetime | None = None
    modified_before: datetime | None = None
    #: ``SP`` or ``PP``.
    transaction_type: str | None = None
    #: Payments with an allocation to the invoice with this number.
    for_invoice_number: int | None = None
    #: Payment account GL codes to match (``None`` in the list matches payments without one).
    payment_accounts: Sequence[str | None] | None = None
    sort: str = "number"
    descending: bool = False


@dataclass(frozen=True, slots=True)
class InvoiceCriteria:
    """One combination of invoice filters, AND-ed; ``None`` does not filter."""

    customer_code: str | None = None
    location: str | None = None
    #: Recorded between these instants (``created_at``).
    created_from: datetime | None = None
    created_before: datetime | None = None
    #: Business (invoice) date range, inclusive.
    date_from: date | None = None
    date_to: date | None = None
    #: Fiscal period range (1..12), inclusive.
    period_from: int | None = None
    period_to: int | None = None
    #: ``paid``, ``partial`` or ``unpaid``.
    paid_status: str | None = None
    void_only: bool = False
    #: Void date range, inclusive; it matches only voided records.
    void_from: date | None = None
    void_to: date | None = None
    #: Per-kind number range, inclusive.
    number_from: int | None = None
    number_to: int | None = None


@dataclass(frozen=True, slots=True)
class InvoiceSearch:
    """The last-modified window (``modified_from`` inclusive, ``modified_before`` exclusive) and
    the criteria whose matches are united; no criteria means every record in the window."""

    modified_from: datetime | None = None
    modified_before: datetime | None = None
    criteria: Sequence[InvoiceCriteria] = field(default_factory=tuple)
    kinds: Sequence[str] = INVOICE_LIST_KINDS


class ReceivablesSearchRepository(TenantRepository[ARTransaction]):
    model = ARTransaction
    noun = "transaction"

    # --- payments --------------------------------------------------------------------------------

    def payments_page(self, search: PaymentSearch, *, offset: int,
                      limit: int) -> tuple[list[ARTransaction], bool]:
        """One page of payments and whether another page follows."""
        t = ARTransaction
        stmt = self.scoped().where(t.kind == "payment")
        conditions = self._payment_conditions(search)
        if conditions is None:
            return [], False
        stmt = stmt.where(*conditions)
        column = PAYMENT_SORT_KEYS[search.sort]
        if search.descending:
            order = [column.desc().nulls_last(), t.number.desc()]
        else:
            order = [column.asc().nulls_first(), t.number.asc()]
        if search.sort == "number":
            order = order[1:]
        rows = list(self.session.execute(
            stmt.order_by(*order).offset(offset).limit(limit + 1)).scalars())
        return rows[:limit], len(rows) > limit

    def _payment_conditions(self, search: PaymentSearch) -> list[ColumnElement[bool]] | None:
        t = ARTransaction
        out: list[ColumnElement[bool]] = []
        if search.date_from is not None:
            out.append(t.date >= search.date_from)
        if search.date_to is not None:
            out.append(t.date <= search.date_to)
        if search.cleared_from is not None:
            out.append(t.cleared_date >= search.cleared_from)
        if search.cleared_to is not None:
            out.append(t.cleared_date <= search.cleared_to)
        if search.modified_from is not None:
            out.append(t.modified_at >= search.modified_from)
        if search.modified_before is not None:
            out.append(t.modified_at < search.modified_before)
        if search.transaction_type is not None:
            out.append(t.transaction_type == search.transaction_type)
        if search.payment_accounts is not None:
            codes = [c for c in search.payment_accounts if c is not None]
            either = []
            if codes:
                either.append(t.payment_account.in_(codes))
            if None in search.payment_accounts:
                either.append(t.payment_account.is_(None))
            if not either:
                return None
            out.append(or_(*either))
        if search.for_invoice_number is not None:
            target = select(ARTransaction.id).where(
                ARTransaction.tenant_id == self.tenant_id, ARTransaction.kind == "invoice",
                ARTransaction.number == search.for_invoice_number)
            paid = select(ARAllocation.source_id).where(
                ARAllocation.tenant_id == self.tenant_id, ARAllocation.target_id.in_(target))
            out.append(t.id.in_(paid))
        return out

    def payment_by_number(self, number: int) -> ARTransaction | None:
        return self.session.execute(self.scoped().where(
            ARTransaction.kind == "payment", ARTransaction.number == number)).scalar_one_or_none()

    def payment_accounts(self) -> list[str]:
        """The distinct payment account codes the tenant's payments use."""
        return list(self.session.execute(
            select(ARTransaction.payment_account).distinct().where(
                ARTransaction.tenant_id == self.tenant_id, ARTransaction.kind == "payment",
                ARTransaction.payment_account.is_not(None))
            .order_by(ARTransaction.payment_account)).scalars())

    # --- invoices --------------------------------------------------------------------------------

    def _settled(self) -> ColumnElement[int]:
        applied = (select(func.coalesce(func.sum(ARAllocation.amount), 0))
                   .where(ARAllocation.tenant_id == ARTransaction.tenant_id,
                          ARAllocation.source_id == ARTransaction.id)
                   .scalar_subquery())
        return case((ARTransaction.kind == "credit_memo", applied), else_=ARTransaction.settled)

    def _criteria(self, c: InvoiceCriteria) -> ColumnElement[bool]:
        t = ARTransaction
        out: list[ColumnElement[bool]] = []
        if c.customer_code is not None:
            out.append(t.customer_id.in_(select(Customer.id).where(
                Customer.tenant_id == self.tenant_id, Customer.code == c.customer_code)))
        if c.location is not None:
            out.append(t.location == c.location)
        if c.created_from is not None:
            out.append(t.created_at >= c.created_from)
        if c.created_before is not None:
            out.append(t.created_at < c.created_before)
        if c.date_from is not None:
            out.append(t.date >= c.date_from)
        if c.date_to is not None:
            out.append(t.date <= c.date_to)
        if c.period_from is not None:
            out.append(t.fiscal_period >= c.period_from)
        if c.period_to is not None:
            out.append(t.fiscal_period <= c.period_to)
        if c.paid_status is not None:
            settled = self._settled()
            if c.paid_status == "paid":
                out.append(settled >= t.amount)
            elif c.paid_status == "partial":
                out.append(and_(settled > 0, settled < t.amount))
            elif c.paid_status == "unpaid":
                out.append(and_(settled == 0, t.amount > 0))
            else:
                raise ValueError(f"unknown paid status {c.paid_status!r}")
        if c.void_only:
            out.append(t.is_void.is_(True))
        if c.void_from is not None:
            out.append(t.void_date >= c.void_from)
        if c.void_to is not None:
            out.append(t.void_date <= c.void_to)
        if c.number_from is not None:
            out.append(t.number >= c.number_from)
        if c.number_to is not None:
            out.append(t.number <= c.number_to)
        return and_(*out) if out else t.id.is_not(None)

    def invoice_ids(self, search: InvoiceSearch) -> list[str]:
        """Ids of the matching records, ordered by number and then kind (invoice, credit memo,
        debit memo): the union of the criteria, each record once."""
        t = ARTransaction
        kinds = [k for k in search.kinds if k in INVOICE_LIST_KINDS]
        if not kinds:
            return []
        stmt = select(t.id).where(t.tenant_id == self.tenant_id, t.kind.in_(kinds))
        if search.modified_from is not None:
            stmt = stmt.where(t.modified_at >= search.modified_from)
        if search.modified_before is not None:
            stmt = stmt.where(t.modified_at < search.modified_before)
        if search.criteria:
            stmt = stmt.where(or_(false(), *(self._criteria(c) for c in search.criteria)))
        rank = case({k: i for i, k in enumerate(INVOICE_LIST_KINDS)}, value=t.kind)
        return list(self.session.execute(stmt.order_by(t.number, rank)).scalars())

    def in_order(self, ids: Sequence[str]) -> list[ARTransaction]:
        """The records with ``ids``, in the order given."""
        if not ids:
            return []
        rows = {r.id: r for r in self.session.execute(
            self.scoped().where(ARTransaction.id.in_(list(ids)))).scalars()}
        return [rows[i] for i in ids if i in rows]

    def customers(self, ids: Sequence[str | None]) -> dict[str, Customer]:
        wanted = sorted({i for i in ids if i})
        if not wanted:
            return {}
        return {c.id: c for c in self.session.execute(
            select(Customer).where(Customer.tenant_id == self.tenant_id,
                                   Customer.id.in_(wanted))).scalars()}
