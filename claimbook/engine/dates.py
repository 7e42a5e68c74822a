"""Date arithmetic for deadlines: calendar months clamped to month end, business-day rolls.

Month arithmetic uses ``dateutil.relativedelta``, which clamps to the end of the month
(2024-02-29 + 12 months = 2025-02-28, as CMS requires). The results are cached: a practice's claims
share a few hundred service dates, so a 100,000-claim run does the arithmetic a few thousand times.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from claimbook.rules.schema import Period

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=1 << 16)
def add_period(start: date, period: Period) -> date:
    """``start`` plus a rules period.

    Args:
      start: the anchor date (date of service, through date, primary EOB date...).
      period: ``Period(days=90)``, ``Period(months=12)`` or ``Period(months=6, month_end=True)``
        ("6 months after the month of service": the last day of that month).
    Returns:
      The last day of the period (the deadline), before any business-day roll.
    """
    if period.month_end:
        return start + relativedelta(months=period.months, day=31)
    if period.months:
        return start + relativedelta(months=period.months) + timedelta(days=period.days)
    return start + timedelta(days=period.days)


def next_business_day(day: date, holidays: frozenset[date]) -> date:
    """``day`` itself when it is a business day, else the next weekday that is not a holiday."""
    while day.weekday() >= 5 or day in holidays:
        day += ONE_DAY
    return day


@lru_cache(maxsize=1 << 14)
def add_business_days(start: date, days: int, holidays: frozenset[date]) -> date:
    """``start`` plus ``days`` business days (weekends and holidays skipped). Cached: remittances
    cluster on a few hundred dates."""
    day = start
    left = days
    while left > 0:
        day += ONE_DAY
        if day.weekday() < 5 and day not in holidays:
            left -= 1
    return day


def iso(day: date | None) -> str:
    return day.isoformat() if day else "(no date)"
