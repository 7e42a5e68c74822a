"""pytest fixtures for the openpyxl-backed xlwings engine. Import them into a test module:

    from xlwings_openpyxl.fixtures import xl_engine, open_caller  # noqa: F401
"""

from __future__ import annotations

import pytest
import xlwings as xw

from . import activate, deactivate


@pytest.fixture
def xl_engine():
    """The active test engine, freshly reset; the mock caller is removed afterwards."""
    engine = activate()
    try:
        yield engine
    finally:
        deactivate()


@pytest.fixture
def open_caller(xl_engine):
    """``open_caller(path) -> xw.Book``: open a workbook through the engine and make it ``Book.caller()``."""

    def _open(path):
        book = xw.Book(str(path))
        book.set_mock_caller()
        xl_engine.reset_counts()
        return book

    return _open
