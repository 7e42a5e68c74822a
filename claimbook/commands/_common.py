"""Small helpers shared by the subcommands."""

from __future__ import annotations

from datetime import date

from claimbook.errors import ClaimbookError


def parse_as_of(text: str | None) -> date | None:
    """``--as-of`` as YYYY-MM-DD (or MM/DD/YYYY); None when not given."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        from datetime import datetime

        return datetime.strptime(text, "%m/%d/%Y").date()
    except ValueError:
        raise ClaimbookError(f"--as-of '{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-11-23") from None
