"""A test engine for xlwings backed by openpyxl (see ``engine.py``), registered as ``"openpyxl"``.

    from xlwings_openpyxl import activate
    engine = activate()          # registers once, makes it xlwings' active engine, resets state
    book = xw.Book(path)         # real xlwings API from here on
    book.set_mock_caller()

Fixtures for pytest are in ``fixtures.py``.
"""

from __future__ import annotations

import xlwings as xw

from .engine import ENGINE, CellError, Engine

NAME = Engine.name


def activate() -> Engine:
    """Register the engine with xlwings (once per process), make it active, and reset its state."""
    if NAME not in xw.engines.engines_by_name:
        xw.engines.add(xw.main.Engine(impl=ENGINE))
    xw.engines.active = xw.engines[NAME]
    ENGINE.reset()
    return ENGINE


def deactivate() -> None:
    """Drop the mock caller, close everything and leave xlwings without an active engine again."""
    if hasattr(xw.Book, "_mock_caller"):
        del xw.Book._mock_caller
    ENGINE.reset()
    if xw.engines.active is not None and xw.engines.active.name == NAME:
        xw.engines.active = None


__all__ = ["ENGINE", "CellError", "Engine", "activate", "deactivate"]
