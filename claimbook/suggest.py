"""Suggest the nearest valid word for a mistyped one (a rules setting, a payer name, a category)."""

from __future__ import annotations

import difflib
from typing import Iterable


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice closest to ``word`` (ignoring case and spacing), or None when nothing is close.

    >>> did_you_mean("timely_filng", ["timely_filing", "appeal"])
    'timely_filing'
    """
    def norm(s: str) -> str:
        return " ".join(str(s).lower().split())

    by_norm: dict[str, str] = {}
    for choice in choices:
        by_norm.setdefault(norm(choice), choice)
    target = norm(word)
    if not target or not by_norm:
        return None
    if target in by_norm:
        return by_norm[target]
    hits = difflib.get_close_matches(target, list(by_norm), n=1, cutoff=cutoff)
    return by_norm[hits[0]] if hits else None
