"""Shared test setup.

CI sets CLAIMBOOK_REQUIRE_LIBREOFFICE=1 after installing LibreOffice: then a missing soffice or
python3-uno fails the run instead of quietly skipping the tests that open the workbook in LibreOffice.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def _uno_available() -> bool:
    if shutil.which("soffice") is None:
        return False
    for python in ("/usr/bin/python3", shutil.which("python3")):
        if python and subprocess.run([python, "-c", "import uno"], capture_output=True).returncode == 0:
            return True
    return False


def pytest_sessionstart(session):
    if os.environ.get("CLAIMBOOK_REQUIRE_LIBREOFFICE") == "1" and not _uno_available():
        pytest.exit("CLAIMBOOK_REQUIRE_LIBREOFFICE=1 but soffice or python3-uno is missing", returncode=1)
