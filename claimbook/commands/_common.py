"""Small helpers shared by the subcommands."""

from __future__ import annotations

from datetime import date

from claimbook.errors import ClaimbookError


EARLIEST, LATEST = date(1990, 1, 1), date(2099, 12, 31)


def parse_as_of(text: str | None) -> date | None:
    """``--as-of`` as YYYY-MM-DD (or MM/DD/YYYY), between 1990 and 2099; None when not given."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        try:
            from datetime import datetime

            day = datetime.strptime(text, "%m/%d/%Y").date()
        except ValueError:
            raise ClaimbookError(f"--as-of '{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-11-23") from None
    if not EARLIEST <= day <= LATEST:
        raise ClaimbookError(f"--as-of {day.isoformat()} is out of range: use a date between 1990 and 2099")
    return day


def print_problems(problems) -> None:
    if not problems:
        return
    n = len(problems)
    print(f"{n} rules/settings note{'s' if n != 1 else ''}:")
    for p in problems[:20]:
        print(f"  {p}")
    if n > 20:
        print(f"  ... and {n - 20} more: run 'claimbook rules check' to see them all.")
