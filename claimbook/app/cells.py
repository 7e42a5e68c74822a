"""The worksheet functions' use case: rows of cell arguments in, one answer per row out.

The functions in ``claimbook.excel.udfs`` build a Claims-like block from their arguments and call
``answers``; the session (``claimbook.app.context``) is the same one the Refresh button and
``claimbook refresh`` resolve for that workbook, so a cell and a refresh use the same rules folder, the
same date order and the same as-of date. Rules are loaded once per process per folder and again when a
rules file changes (``load_cached``), because Excel calls a function for every cell it recalculates.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from claimbook import table
from claimbook.blocks import Block

_LOCK = threading.Lock()
_CACHE: dict[str, tuple[tuple, object]] = {}  # folder -> (files' sizes and times, Rules)


def answers(session, block: Block, pick) -> list:
    """``pick(claim, result)`` for every row of a Claims-like block (None for blank rows)."""
    from claimbook.engine import evaluate

    read = table.read_claims(block, session.day_first)
    claims = [c for c in read.claims if c is not None]
    results = iter(evaluate(claims, session.rules.for_tracker(), session.as_of).results)  # tracker date order
    return [None if c is None else pick(c, next(results)) for c in read.claims]


def _stamp(folder: Path) -> tuple:
    """Names, sizes and modification times of the rules files: changes when any file changes."""
    found = []
    for sub in (folder, folder / "payers"):
        try:
            with os.scandir(sub) as it:
                for entry in it:
                    if entry.name.endswith((".yaml", ".yml")):
                        st = entry.stat()
                        found.append((entry.path, st.st_size, st.st_mtime_ns))
        except OSError:
            pass
    return tuple(sorted(found))


def load_cached(folder):
    """The rules in ``folder``, loaded once per process and again when a rules file changes."""
    from claimbook.rules.loader import load_rules

    folder = Path(folder).resolve()
    stamp = _stamp(folder)
    with _LOCK:
        cached = _CACHE.get(str(folder))
        if cached and cached[0] == stamp:
            return cached[1]
        rules = load_rules(folder)
        _CACHE[str(folder)] = (stamp, rules)
        return rules
