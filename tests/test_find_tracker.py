"""``explain``, ``refresh`` and ``import`` without a tracker name use the one tracker in the current folder.

Real trackers (``claimbook demo --out``) in real folders, next to what a practice folder also holds: Excel's
lock file, claimbook's backups, other workbooks. What is asserted is what the office manager sees.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from claimbook import sheets as S
from claimbook.cli import main

AS_OF = "2026-11-23"


@pytest.fixture(scope="module")
def demo_tracker(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("made") / "ClaimTracker.xlsm"
    assert main(["demo", "--as-of", AS_OF, "--out", str(path)]) == 0
    return path


@pytest.fixture
def office(tmp_path, demo_tracker, monkeypatch) -> Path:
    """A practice folder: the tracker, an Excel lock file, a backup, another workbook and a hidden temp file."""
    shutil.copy(demo_tracker, tmp_path / "ClaimTracker.xlsm")
    (tmp_path / "~$Budget.xlsx").write_bytes(b"\x00lock")  # Budget.xlsx is open in Excel
    shutil.copy(demo_tracker, tmp_path / "ClaimTracker.backup-1.xlsm")
    shutil.copy(demo_tracker, tmp_path / ".ClaimTracker.claimbook-99.tmp.xlsm")
    budget = openpyxl.Workbook()
    budget.active.title = "Claims"  # a Claims sheet alone does not make a workbook a tracker
    budget.save(tmp_path / "Budget.xlsx")
    (tmp_path / "notes.txt").write_text("hello")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_explain_reads_the_tracker_in_the_current_folder(office, capsys):
    assert main(["explain", "C26005", "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Using ClaimTracker.xlsm, the claim tracker in this folder.\nAs of 11/23/2026:\nClaim C26005")
    # The same as naming it.
    assert main(["explain", "C26005", "ClaimTracker.xlsm", "--as-of", AS_OF]) == 0
    assert out.split("\n", 1)[1] == capsys.readouterr().out
    # A claim only the practice's tracker has (not in the demo sample) is found in it.
    wb = openpyxl.load_workbook(office / "ClaimTracker.xlsm", keep_vba=True)
    ws = wb[S.CLAIMS]
    ws.cell(2, 1).value = "24100"
    wb.save(office / "ClaimTracker.xlsm")
    assert main(["explain", "24100", "--as-of", AS_OF]) == 0
    assert "Claim 24100 - " in capsys.readouterr().out


def test_refresh_without_a_file_refreshes_the_tracker_here(office, capsys):
    before = (office / "ClaimTracker.xlsm").stat().st_mtime_ns
    assert main(["refresh", "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Using ClaimTracker.xlsm, the claim tracker in this folder.\n"
                          "ClaimTracker.xlsm refreshed as of 11/23/2026: 300 claims")
    assert (office / "ClaimTracker.xlsm").stat().st_mtime_ns != before
    assert (office / "ClaimTracker.backup-2.xlsm").exists()  # the usual backups were kept, the older one moved up
    assert (office / "Budget.xlsx").exists() and (office / "~$Budget.xlsx").read_bytes() == b"\x00lock"


def test_import_without_into_brings_the_file_into_the_tracker_here(office, capsys):
    (office / "export.csv").write_text("Claim ID,Payer,DOS,Billed\nNEW-1,Medicare,11/02/2026,150.00\n")
    assert main(["import", "export.csv", "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Using ClaimTracker.xlsm, the claim tracker in this folder.\n")
    ws = openpyxl.load_workbook(office / "ClaimTracker.xlsm")[S.CLAIMS]
    assert "NEW-1" in [c.value for c in ws["A"]]


def test_no_tracker_here_says_what_to_type(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "~$ClaimTracker.xlsm").write_bytes(b"\x00lock")
    assert main(["explain", "24100"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"claimbook: There is no claim tracker in this folder ({tmp_path}). Run the command in the folder that "
        "holds your tracker, or name it: claimbook explain 24100 ClaimTracker.xlsm (or, for the demo sample: "
        "claimbook explain 24100 --demo)")
    assert main(["refresh"]) == 2
    assert capsys.readouterr().err.strip().endswith("or name it: claimbook refresh ClaimTracker.xlsm")
    assert main(["import", "x.csv"]) == 2
    assert capsys.readouterr().err.strip().endswith("or name it: claimbook import FILE --into ClaimTracker.xlsm")


def test_several_trackers_here_are_named(office, demo_tracker, capsys):
    shutil.copy(demo_tracker, office / "Demo.xlsx")
    before = (office / "ClaimTracker.xlsm").read_bytes()
    assert main(["refresh"]) == 2
    assert capsys.readouterr().err.strip() == (
        "claimbook: This folder has 2 claim trackers (ClaimTracker.xlsm, Demo.xlsx). Name the one to use: "
        "claimbook refresh ClaimTracker.xlsm")
    assert (office / "ClaimTracker.xlsm").read_bytes() == before


def test_the_demo_sample_stays_reachable_with_demo(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no tracker here: --demo does not look for one
    assert main(["explain", "C26005", "--demo", "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert out.startswith("As of 11/23/2026:\nClaim C26005") and "Using" not in out


def test_init_names_import_in_its_next_steps(tmp_path, capsys):
    assert main(["init", str(tmp_path / "office")]) == 0
    out = capsys.readouterr().out
    tracker = tmp_path / "office" / "ClaimTracker.xlsm"
    assert f'claimbook import FILE --into "{tracker}"' in out
    assert "export from" in out and "remittance (835)" in out
    # ... and in that folder, the commands find the tracker init made.
    from claimbook.commands._tracker import find_tracker

    assert find_tracker("x", tracker.parent) == tracker


def test_a_damaged_workbook_is_not_taken_for_a_tracker(tmp_path):
    from claimbook.commands._tracker import is_tracker

    (tmp_path / "broken.xlsm").write_bytes(b"PK\x03\x04 not really a zip")
    assert not is_tracker(tmp_path / "broken.xlsm")
    assert not is_tracker(tmp_path / "missing.xlsx")
    wb = openpyxl.Workbook()
    for name in ("Claims", "Settings"):
        wb.create_sheet(name)
    wb.save(tmp_path / "own.xlsx")
    assert is_tracker(tmp_path / "own.xlsx")
