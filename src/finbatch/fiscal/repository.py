from __future__ import annotations

from datetime import date

from sqlalchemy import select

from finbatch.fiscal.models import FiscalPeriod, FiscalYear
from finbatch.repository import Page, TenantRepository, keyset_page


class FiscalYearRepository(TenantRepository[FiscalYear]):
    model = FiscalYear
    noun = "fiscal year"

    def page(self, *, cursor: str | None, limit: int) -> Page:
        return keyset_page(self.session, self.scoped(), key=[FiscalYear.id], cursor=cursor,
                           limit=limit)

    def covering(self, day: date) -> FiscalYear | None:
        return self.session.execute(self.scoped().where(
            FiscalYear.start_date <= day, FiscalYear.end_date >= day)).scalar_one_or_none()

    def overlapping(self, start: date, end: date) -> FiscalYear | None:
        return self.session.execute(self.scoped().where(
            FiscalYear.start_date <= end, FiscalYear.end_date >= start).limit(1)).scalar_one_or_none()


class FiscalPeriodRepository(TenantRepository[FiscalPeriod]):
    model = FiscalPeriod
    noun = "fiscal period"

    def of_year(self, fiscal_year_id: str) -> list[FiscalPeriod]:
        return list(self.session.execute(
            self.scoped().where(FiscalPeriod.fiscal_year_id == fiscal_year_id)
            .order_by(FiscalPeriod.number)).scalars())

    def of_years(self, year_ids: list[str]) -> dict[str, list[FiscalPeriod]]:
        out: dict[str, list[FiscalPeriod]] = {y: [] for y in year_ids}
        if year_ids:
            for period in self.session.execute(
                    self.scoped().where(FiscalPeriod.fiscal_year_id.in_(year_ids))
                    .order_by(FiscalPeriod.fiscal_year_id, FiscalPeriod.number)).scalars():
                out[period.fiscal_year_id].append(period)
        return out

    def lock_shared(self, fiscal_year_id: str, number: int) -> FiscalPeriod | None:
        """The period with a share lock (PostgreSQL): a close of it waits for our commit."""
        return self.session.execute(
            self.scoped().where(FiscalPeriod.fiscal_year_id == fiscal_year_id,
                                FiscalPeriod.number == number)
            .with_for_update(read=True)
        ).scalar_one_or_none()

    def lock(self, fiscal_year_id: str, number: int) -> FiscalPeriod | None:
        return self.session.execute(
            self.scoped().where(FiscalPeriod.fiscal_year_id == fiscal_year_id,
                                FiscalPeriod.number == number).with_for_update()
        ).scalar_one_or_none()


__all__ = ["FiscalPeriodRepository", "FiscalYearRepository", "select"]
