"""Date arithmetic for deadlines: calendar months clamped to month end, business-day rolls.

Month arithmetic uses ``dateutil.relativedelta``, which clamps to the end of the month
(2024-02-29 + 12 months = 2025-02-28, as CMS requires). The results are cached: a practice's claims
share a few hundred service dates, so a 100,000-claim run does the arithmetic a few thousand times.
"""

from __future__ import annotations

import re
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


# The date order of sentences (Next Action, Why, explain). The engine writes ISO dates while it builds
# a sentence and rewrites them once at the end, so every step function stays simple and the choice is a
# setting (``Settings.text_dates``), never I/O. "mdy": MM/DD/YYYY (the tracker's default), "dmy":
# DD/MM/YYYY (settings.yaml date order: day first), "iso": YYYY-MM-DD (the API default).
TEXT_DATE_ORDERS = ("iso", "mdy", "dmy")
_ISO_IN_TEXT = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


class _Rewritten(dict):
    """ISO date text -> the same date in one order, filled on first use (a practice's sentences share a few
    thousand dates; a dict lookup per date is several times faster than a regex template)."""

    def __init__(self, order: str):
        super().__init__()
        self.order = order

    def __missing__(self, text: str) -> str:
        y, m, d = text[:4], text[5:7], text[8:10]
        out = self[text] = f"{m}/{d}/{y}" if self.order == "mdy" else f"{d}/{m}/{y}"
        return out


_REWRITTEN = {order: _Rewritten(order) for order in ("mdy", "dmy")}
_LOOKUP = {order: (lambda table: lambda m: table[m[0]])(table) for order, table in _REWRITTEN.items()}


def dates_in_order(text: str, order: str) -> str:
    """``text`` with every ISO date written in the given order ("iso" leaves it unchanged)."""
    if order == "iso" or not text or ("-0" not in text and "-1" not in text):  # an ISO month starts with 0 or 1
        return text
    return _ISO_IN_TEXT.sub(_LOOKUP[order], text)


_SAID: dict[tuple[date, str], str] = {}


def say_date(day: date | None, order: str = "iso") -> str:
    """One date in the given order ("(no date)" for None). Remembered: sentences share few dates."""
    if day is None:
        return "(no date)"
    key = (day, order)
    said = _SAID.get(key)
    if said is None:
        said = day.isoformat() if order == "iso" else _REWRITTEN[order][day.isoformat()]
        if len(_SAID) < 1 << 16:
            _SAID[key] = said
    return said
