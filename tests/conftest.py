"""Shared test setup.

CI sets CLAIMBOOK_REQUIRE_LIBREOFFICE=1 after installing LibreOffice: then a missing soffice or
python3-uno fails the run instead of quietly skipping the tests that open the workbook in LibreOffice.
"""

from __future__ import annotations

import os

import pytest


def pytest_sessionstart(session):
    from tests.test_ovba import _uno_python

    if os.environ.get("CLAIMBOOK_REQUIRE_LIBREOFFICE") == "1" and _uno_python() is None:
        pytest.exit("CLAIMBOOK_REQUIRE_LIBREOFFICE=1 but soffice or python3-uno is missing", returncode=1)
