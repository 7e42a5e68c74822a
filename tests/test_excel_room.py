"""The ribbon's import through the xlwings test engine: never over cells below the Claims table, and a totals
row stays the table's last row (issue 12)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

import claimbook.excel.macros as m
from claimbook import sheets
from claimbook.rules.loader import default_rules_dir, load_rules
from tests.test_excel_import import IDS, claim
from tests.xlwings_openpyxl.fixtures import open_caller, xl_engine  # noqa: F401 - pytest fixtures
from tests.xlwings_openpyxl.tracker import write_tracker

AS_OF = dt.date(2024, 4, 1)
RULES_DIR = str(default_rules_dir())


@pytest.fixture(scope="module")
def rules():
    return load_rules(RULES_DIR)


def tracker(tmp_path: Path, rules, below=None, totals=False) -> Path:
    path = write_tracker(tmp_path / "ClaimTracker.xlsm", rules, [claim(c) for c in IDS], AS_OF, RULES_DIR)
    wb = openpyxl.load_workbook(path, keep_vba=True)
    ws = wb[sheets.CLAIMS]
    t = ws.tables[sheets.CLAIMS_TABLE]
    last = 1 + len(IDS)  # row 8
    if totals:
        header = [c.value for c in ws[1]]
        billed = header.index("Billed")
        ws.cell(last + 1, 1).value = "Total"
        ws.cell(last + 1, billed + 1).value = f"=SUBTOTAL(109,{sheets.CLAIMS_TABLE}[Billed])"
        t.tableColumns[0].totalsRowLabel = "Total"
        t.tableColumns[billed].totalsRowFunction = "sum"
        t.totalsRowCount = 1
        first, end = t.ref.split(":")
        t.ref = f"{first}:{''.join(ch for ch in end if ch.isalpha())}{last + 1}"
    for address, value in (below or {}).items():
        ws[address] = value
    wb.save(path)
    return path


def csv(tmp_path: Path, ids) -> Path:
    path = tmp_path / "new.csv"
    path.write_text("Claim ID,Payer,DOS,Billed\n" + "".join(f"{i},Aetna,2/1/2024,80\n" for i in ids), encoding="utf-8")
    return path


def test_cells_below_the_table_stop_the_import_before_anything_is_written(tmp_path, rules, open_caller, xl_engine,
                                                                          monkeypatch):
    path = tracker(tmp_path, rules, below={"A11": "NOTE-MARKER-88 fax sent", "C12": "NOTE-MARKER-89"})
    new = csv(tmp_path, ["N1", "N2", "N3", "N4"])
    monkeypatch.setattr(m, "_pick_files", lambda book: [new])
    book = open_caller(path)

    m.import_remittance()

    assert xl_engine.writes == 0
    [alert] = xl_engine.alerts
    assert alert["mode"] == "critical"
    assert ("the Claims table needs 4 more rows for the new claims, but cells A11 and C12 below it (rows 9 to 12) "
            "are in use, and claimbook never writes over your cells") in alert["prompt"]
    assert "MARKER" not in alert["prompt"] and "Some sheets" not in alert["prompt"]
    ws = book.sheets[sheets.CLAIMS]
    assert ws["A11"].value == "NOTE-MARKER-88 fax sent" and ws["A9"].value is None


def test_new_claims_fit_when_the_rows_below_are_free(tmp_path, rules, open_caller, xl_engine, monkeypatch):
    path = tracker(tmp_path, rules, below={"A12": "keep me"})
    new = csv(tmp_path, ["N1", "N2", "N3"])
    monkeypatch.setattr(m, "_pick_files", lambda book: [new])
    book = open_caller(path)

    m.import_remittance()

    assert xl_engine.alerts[-1]["mode"] == "info", xl_engine.alerts[-1]["prompt"]
    ws = book.sheets[sheets.CLAIMS]
    assert [ws.range((r, 1)).value for r in (9, 10, 11, 12)] == ["N1", "N2", "N3", "keep me"]


def test_the_totals_row_stays_the_tables_last_row(tmp_path, rules, open_caller, xl_engine, monkeypatch):
    path = tracker(tmp_path, rules, totals=True)
    new = csv(tmp_path, ["N1", "N2"])
    monkeypatch.setattr(m, "_pick_files", lambda book: [new])
    book = open_caller(path)

    m.import_remittance()

    assert xl_engine.alerts[-1]["mode"] == "info", xl_engine.alerts[-1]["prompt"]
    t = book.sheets[sheets.CLAIMS].tables[sheets.CLAIMS_TABLE]
    assert t.show_totals
    totals = t.totals_row_range
    assert totals.row == 11 and totals[0, 0].value == "Total"
    header = t.header_row_range.value
    assert totals[0, header.index("Billed")].formula == "=SUBTOTAL(109,Claims[Billed])"
    ids = [r[0] for r in t.data_body_range.value]
    assert ids[-2:] == ["N1", "N2"] and "Total" not in ids
