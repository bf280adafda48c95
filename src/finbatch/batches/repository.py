"""Queries of AR batches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select

from finbatch.batches.models import ARBatch, ARBatchStat
from finbatch.kit.currencies import EXPONENTS
from finbatch.receivables.models import ARTransaction
from finbatch.repository import Page, TenantRepository, keyset_page, uuid_ids

_INT64 = (-(2**63), 2**63 - 1)


class BatchRepository(TenantRepository[ARBatch]):
    model = ARBatch
    noun = "batch"

    def open_for(self, *, business_unit_id: str, currency: str, fiscal_year_id: str,
                 fiscal_period: int, commerce_type: str | None) -> ARBatch | None:
        """The oldest open transaction batch for an assignment key."""
        commerce = (ARBatch.commerce_type.is_(None) if commerce_type is None
                    else ARBatch.commerce_type == commerce_type)
        return self.session.execute(
            self.scoped().where(ARBatch.status == "open", ARBatch.type == "transaction",
                                ARBatch.business_unit_id == business_unit_id,
                                ARBatch.currency_code == currency,
                                ARBatch.fiscal_year_id == fiscal_year_id,
                                ARBatch.fiscal_period == fiscal_period, commerce)
            .order_by(ARBatch.created_at, ARBatch.id).limit(1)).scalar_one_or_none()

    def open_transaction_batches(self, *, commerce_type: str | None) -> list[ARBatch]:
        """Open transaction batches (of one commerce type, or of any when ``None``), oldest
        first, locked in that order."""
        stmt = self.scoped().where(ARBatch.status == "open", ARBatch.type == "transaction")
        if commerce_type is not None:
            stmt = stmt.where(ARBatch.commerce_type == commerce_type)
        return list(self.session.execute(
            stmt.order_by(ARBatch.created_at, ARBatch.id).with_for_update()).scalars())

    def due_to_close(self, now: datetime, limit: int = 500) -> list[ARBatch]:
        return list(self.session.execute(
            self.scoped().where(ARBatch.status == "open",
                                ARBatch.automatically_close_at.is_not(None),
                                ARBatch.automatically_close_at <= now)
            .order_by(ARBatch.id).limit(limit)).scalars())

    def by_external_id(self, external_id: str) -> ARBatch | None:
        return self.session.execute(
            self.scoped().where(ARBatch.external_id == external_id)).scalar_one_or_none()

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        ids = uuid_ids(ids)
        if not ids:
            return set()
        return set(self.session.execute(
            select(ARBatch.id).where(ARBatch.tenant_id == self.tenant_id,
                                     ARBatch.id.in_(list(ids)))).scalars())

    def many(self, ids: Sequence[str]) -> list[ARBatch]:
        ids = uuid_ids(ids)
        if not ids:
            return []
        return list(self.session.execute(self.scoped().where(ARBatch.id.in_(list(ids)))).scalars())

    def in_period_not_in(self, fiscal_year_id: str, fiscal_period: int,
                         statuses: Sequence[str], *, limit: int) -> list[ARBatch]:
        return list(self.session.execute(self.scoped().where(
            ARBatch.fiscal_year_id == fiscal_year_id, ARBatch.fiscal_period == fiscal_period,
            ARBatch.status.not_in(list(statuses))).order_by(ARBatch.id).limit(limit)).scalars())

    def dependents_of(self, ids: Sequence[str]) -> dict[str, list[str]]:
        """``dependents`` of each existing batch among ``ids`` (missing ones are absent)."""
        ids = list(dict.fromkeys(uuid_ids(ids)))
        out: dict[str, list[str]] = {}
        for start in range(0, len(ids), 500):
            out.update((batch_id, list(dependents or [])) for batch_id, dependents in
                       self.session.execute(select(ARBatch.id, ARBatch.dependents).where(
                           ARBatch.tenant_id == self.tenant_id,
                           ARBatch.id.in_(ids[start:start + 500]))))
        return out

    def transaction_count(self, batch_id: str) -> int:
        return self.session.execute(
            select(func.count()).select_from(ARTransaction)
            .where(ARTransaction.tenant_id == self.tenant_id,
                   ARTransaction.batch_id == batch_id)).scalar_one()

    def page(self, *, cursor: str | None, limit: int, filters: BatchFilter | None = None) -> Page:
        stmt = self.scoped()
        if filters is not None:
            stmt = filters.apply(stmt, self.tenant_id)
        return keyset_page(self.session, stmt, key=[ARBatch.id], cursor=cursor, limit=limit)

    def chronological(self, *, after: tuple[datetime, str] | None, since: datetime | None,
                      closed_only: bool, commerce_type: str | None, offset: int,
                      limit: int) -> list[ARBatch]:
        """YourMembership's list: creation order, then id."""
        stmt = self.scoped()
        if after is not None:
            stmt = stmt.where(or_(ARBatch.created_at > after[0],
                                  and_(ARBatch.created_at == after[0], ARBatch.id > after[1])))
        if since is not None:
            stmt = stmt.where(ARBatch.created_at >= since)
        if closed_only:
            stmt = stmt.where(ARBatch.status != "open")
        if commerce_type:
            stmt = stmt.where(ARBatch.commerce_type == commerce_type)
        return list(self.session.execute(
            stmt.order_by(ARBatch.created_at, ARBatch.id).offset(offset).limit(limit)).scalars())


class BatchFilter:
    """Filters shared by the native list and Rhythm's search: exact fields, enum lists, inclusive
    ranges (either end may be open) and a case-insensitive name substring.

    ``total_range`` is in minor units; ``total_amount_range`` is a decimal amount compared with
    each batch's total in the batch's own currency (10.5 is 1050 cents but 10.5 yen matches no
    whole-yen total), for callers that speak amounts rather than minor units."""

    def __init__(self, *, business_unit_id: str | None = None, fiscal_year_id: str | None = None,
                 fiscal_period: int | None = None, statuses: Sequence[str] | None = None,
                 types: Sequence[str] | None = None, ids: Sequence[str] | None = None,
                 recurring_batch_ids: Sequence[str] | None = None,
                 name_contains: str | None = None,
                 date_range: tuple[date | None, date | None] | None = None,
                 count_range: tuple[int | None, int | None] | None = None,
                 total_range: tuple[int | None, int | None] | None = None,
                 currency: str | None = None, commerce_type: str | None = None,
                 total_amount_range: tuple[Decimal | None, Decimal | None] | None = None) -> None:
        self.__dict__.update({k: v for k, v in locals().items() if k != "self"})

    def apply(self, stmt: Select[Any], tenant_id: int) -> Select[Any]:
        conditions = []
        if self.business_unit_id is not None:
            conditions.append(ARBatch.business_unit_id == self.business_unit_id)
        if self.fiscal_year_id is not None:
            conditions.append(ARBatch.fiscal_year_id == self.fiscal_year_id)
        if self.fiscal_period is not None:
            conditions.append(ARBatch.fiscal_period == self.fiscal_period)
        if self.currency is not None:
            conditions.append(ARBatch.currency_code == self.currency)
        if self.commerce_type is not None:
            conditions.append(ARBatch.commerce_type == self.commerce_type)
        if self.statuses:
            conditions.append(ARBatch.status.in_(list(self.statuses)))
        if self.types:
            conditions.append(ARBatch.type.in_(list(self.types)))
        if self.ids:
            ids = uuid_ids(self.ids)
            conditions.append(ARBatch.id.in_(ids) if ids else false())
        if self.recurring_batch_ids:
            conditions.append(ARBatch.recurring_batch_id.in_(list(self.recurring_batch_ids)))
        if self.name_contains:
            pattern = "%" + _escape_like(self.name_contains.lower()) + "%"
            conditions.append(func.lower(ARBatch.name).like(pattern, escape="\\"))
        if self.date_range:
            low, high = self.date_range
            if low is not None:
                conditions.append(ARBatch.date >= low)
            if high is not None:
                conditions.append(ARBatch.date <= high)
        if self.count_range or self.total_range or self.total_amount_range:
            stmt = stmt.where(*self._derived_ranges(tenant_id))
        return stmt.where(*conditions) if conditions else stmt

    def _derived_ranges(self, tenant_id: int) -> list:
        """``count`` and ``total`` are derived: compare against the statistics rows."""
        def stat(kind: str, column):
            return (select(func.coalesce(func.sum(column), 0))
                    .where(ARBatchStat.tenant_id == tenant_id, ARBatchStat.batch_id == ARBatch.id,
                           ARBatchStat.kind == kind).scalar_subquery())
        out = []
        if self.count_range:
            count = stat("payment", ARBatchStat.count) + stat("refund", ARBatchStat.count)
            low, high = self.count_range
            if low is not None:
                out.append(count >= low)
            if high is not None:
                out.append(count <= high)
        if self.total_range:
            total = stat("payment", ARBatchStat.amount) - stat("refund", ARBatchStat.amount)
            low, high = self.total_range
            if low is not None:
                out.append(total >= low)
            if high is not None:
                out.append(total <= high)
        if self.total_amount_range:
            total = stat("payment", ARBatchStat.amount) - stat("refund", ARBatchStat.amount)
            out.append(_amount_between(total, *self.total_amount_range))
        return out


def _amount_between(total, low: Decimal | None, high: Decimal | None):
    """``low <= total <= high`` with ``total`` in minor units of each batch's currency: one
    branch per currency exponent, the bounds scaled exactly (rounded inwards) to whole units."""
    groups: dict[int, list[str]] = {}
    for code, exponent in EXPONENTS.items():
        groups.setdefault(exponent, []).append(code)
    others = [code for exponent, codes in groups.items() if exponent != 2 for code in codes]
    branches = []
    for exponent in sorted(groups):
        # exponent 2 also covers any code the table does not know
        in_group = (ARBatch.currency_code.not_in(others) if exponent == 2
                    else ARBatch.currency_code.in_(groups[exponent]))
        bounds = []
        if low is not None:
            scaled = int(low.scaleb(exponent).to_integral_value(rounding=ROUND_CEILING))
            bounds.append(false() if scaled > _INT64[1] else total >= max(scaled, _INT64[0]))
        if high is not None:
            scaled = int(high.scaleb(exponent).to_integral_value(rounding=ROUND_FLOOR))
            bounds.append(false() if scaled < _INT64[0] else total <= min(scaled, _INT64[1]))
        branches.append(and_(in_group, *bounds))
    return or_(*branches)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


__all__ = ["BatchFilter", "BatchRepository"]
