"""Fiscal calendar arithmetic (pure).

A fiscal year is named for the calendar year in which it *ends*: with a July start, FY2026 runs
from 1 July 2025 to 30 June 2026; with a January start, FY2026 is calendar 2026. Period 1 is the
first month of the fiscal year.
"""

from __future__ import annotations

from datetime import date, timedelta


def year_bounds(year: int, start_month: int) -> tuple[date, date]:
    if start_month == 1:
        return date(year, 1, 1), date(year, 12, 31)
    return date(year - 1, start_month, 1), date(year, start_month, 1) - timedelta(days=1)


def fiscal_year_of(day: date, start_month: int) -> int:
    if start_month == 1:
        return day.year
    return day.year + 1 if day.month >= start_month else day.year


def period_of(day: date, start_month: int) -> int:
    """The period number (1..12) that contains ``day``."""
    return (day.month - start_month) % 12 + 1


def period_bounds(year: int, start_month: int, number: int) -> tuple[date, date]:
    first, _ = year_bounds(year, start_month)
    month_index = first.month - 1 + (number - 1)
    start = date(first.year + month_index // 12, month_index % 12 + 1, 1)
    next_index = month_index + 1
    end = date(first.year + next_index // 12, next_index % 12 + 1, 1) - timedelta(days=1)
    return start, end


def default_year_id(year: int) -> str:
    return f"FY{year}"


def year_from_id(year_id: str) -> int | None:
    """``FY2026`` → 2026; ``None`` for ids that do not follow the convention."""
    if year_id.upper().startswith("FY") and year_id[2:].isdigit() and len(year_id) == 6:
        return int(year_id[2:])
    return None
