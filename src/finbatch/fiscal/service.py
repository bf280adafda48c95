"""Fiscal years: creation with their twelve periods, and the period a business date falls in.

Rules:
- Years do not overlap; a year's periods are consecutive calendar months starting at the tenant's
  fiscal-year start month.
- ``period_for`` creates the covering fiscal year on first use (status open), so transactions of a
  new year never fail for want of a calendar; an operator can still create years ahead of time.
- Closing a period (posting issue) is the only status change; it lives in the ledger feature.
- Creating a year holds the tenant's ``fiscal-years`` counter row (a row lock on PostgreSQL, the
  write lock on SQLite), so concurrent first transactions of a new year create it once instead of
  racing to the primary key.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from finbatch import counters
from finbatch.events.service import record_change
from finbatch.fiscal import calendar
from finbatch.fiscal.models import FiscalPeriod, FiscalYear
from finbatch.fiscal.repository import FiscalPeriodRepository, FiscalYearRepository
from finbatch.fiscal.schemas import FiscalPeriodRead, FiscalYearRead
from finbatch.kit import validate
from finbatch.kit.clock import utcnow
from finbatch.kit.errors import Conflict, ErrorList, NotFound

KIND = "fiscal_year"


def create_fiscal_year(session: Session, *, tenant_id: int, start_month: int, year: int,
                       id: str | None = None, actor: str) -> FiscalYear:
    errors = ErrorList()
    if id is not None:
        validate.code(errors, "id", id)
    errors.raise_if_any()
    _serialise_creation(session, tenant_id)
    year_id = id or calendar.default_year_id(year)
    years = FiscalYearRepository(session, tenant_id)
    if years.get(year_id) is not None:
        raise Conflict(f"fiscal year '{year_id}' already exists", code="ALREADY_EXISTS")
    start, end = calendar.year_bounds(year, start_month)
    clash = years.overlapping(start, end)
    if clash is not None:
        raise Conflict(f"fiscal year {year_id} ({start}..{end}) would overlap {clash.id}",
                       code="FISCAL_YEAR_OVERLAP")
    now = utcnow()
    fiscal_year = years.add(FiscalYear(tenant_id=tenant_id, id=year_id, start_date=start,
                                       end_date=end, created_at=now, updated_at=now, version=1))
    for number in range(1, 13):
        p_start, p_end = calendar.period_bounds(year, start_month, number)
        session.add(FiscalPeriod(tenant_id=tenant_id, fiscal_year_id=year_id, number=number,
                                 start_date=p_start, end_date=p_end, status="open", version=1))
    session.flush()
    record_change(session, tenant_id=tenant_id, type="created", record_kind=KIND,
                  record_id=year_id, actor=actor, data=read(session, fiscal_year))
    return fiscal_year


def _serialise_creation(session: Session, tenant_id: int) -> None:
    counters.allocate(session, tenant_id, "fiscal-years")


def period_for(session: Session, *, tenant_id: int, start_month: int, day: date,
               actor: str) -> FiscalPeriod:
    """The fiscal period containing ``day``, creating its fiscal year on first use."""
    years = FiscalYearRepository(session, tenant_id)
    fiscal_year = years.covering(day)
    if fiscal_year is None:
        _serialise_creation(session, tenant_id)
        fiscal_year = years.covering(day)  # created by the writer we waited for?
    if fiscal_year is None:
        fiscal_year = create_fiscal_year(session, tenant_id=tenant_id, start_month=start_month,
                                         year=calendar.fiscal_year_of(day, start_month),
                                         actor=actor)
    number = (day.year - fiscal_year.start_date.year) * 12 + day.month - fiscal_year.start_date.month + 1
    period = FiscalPeriodRepository(session, tenant_id).lock_shared(fiscal_year.id, number)
    if period is None:
        raise NotFound(f"fiscal period {fiscal_year.id}/{number} was not found")
    return period


def is_period_closed(session: Session, tenant_id: int, fiscal_year_id: str, number: int) -> bool:
    period = FiscalPeriodRepository(session, tenant_id).get((fiscal_year_id, number))
    return period is not None and period.status == "closed"


def read(session: Session, fiscal_year: FiscalYear,
         periods: list[FiscalPeriod] | None = None) -> dict:
    if periods is None:
        periods = FiscalPeriodRepository(session, fiscal_year.tenant_id).of_year(fiscal_year.id)
    period_reads = [FiscalPeriodRead.model_validate(p) for p in periods]
    status = "closed" if periods and all(p.status == "closed" for p in periods) else "open"
    return FiscalYearRead(id=fiscal_year.id, start_date=fiscal_year.start_date,
                          end_date=fiscal_year.end_date, status=status, periods=period_reads,
                          created_at=fiscal_year.created_at, version=fiscal_year.version
                          ).model_dump(mode="json")
