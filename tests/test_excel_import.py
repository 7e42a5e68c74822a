"""The ribbon's "Import remittance" button (``macros.import_remittance``) through the real xlwings API on the
openpyxl-backed test engine: the file picker is replaced, everything after it is the product's code."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import xlwings as xw

import claimbook.excel.macros as m
from claimbook import sheets
from claimbook.model import Claim, Network, Order, Status
from claimbook.rules.loader import default_rules_dir, load_rules
from claimbook.sample import sample_claims
from tests.xlwings_openpyxl.fixtures import open_caller, xl_engine  # noqa: F401 - pytest fixtures
from tests.xlwings_openpyxl.tracker import write_tracker

DATA = Path(__file__).parent / "data" / "x12"
AS_OF = dt.date(2024, 4, 1)
RULES_DIR = str(default_rules_dir())
IDS = [f"CLM-100{i}" for i in range(1, 8)]


@pytest.fixture(scope="module")
def rules():
    return load_rules(RULES_DIR)


def claim(cid: str, **kw) -> Claim:
    base = dict(payer="Acme Health Plan", dos_from=dt.date(2024, 2, 20), patient="Doe, Jane",
                submitted=dt.date(2024, 2, 26), status=Status.SUBMITTED, billed=200.0, network=Network.IN,
                order=Order.PRIMARY)
    base.update(kw)
    return Claim(claim_id=cid, **base)


def tracker(tmp_path, rules, filler=0, name="ClaimTracker.xlsm") -> Path:
    claims = [claim(c) for c in IDS] + list(sample_claims(AS_OF, filler))
    return write_tracker(tmp_path / name, rules, claims, AS_OF, RULES_DIR)


def pick(monkeypatch, *names):
    monkeypatch.setattr(m, "_pick_files", lambda book: [DATA / n for n in names])


def rows_by_id(book) -> dict:
    t = book.sheets[sheets.CLAIMS].tables[sheets.CLAIMS_TABLE]
    header = t.header_row_range.value
    return {r[0]: dict(zip(header, r)) for r in t.data_body_range.options(ndim=2, dates=dt.date).value}


def import_log(book) -> list[list]:
    return book.sheets["Import Log"].used_range.options(ndim=2).value


def test_import_remittance_updates_the_claims_logs_every_change_and_refreshes(tmp_path, rules, open_caller,
                                                                               xl_engine, monkeypatch):
    book = open_caller(tracker(tmp_path, rules))
    pick(monkeypatch, "era_denials.835")

    m.import_remittance()

    assert xl_engine.formula_writes == []
    assert len(xl_engine.alerts) == 1 and xl_engine.alerts[0]["mode"] == "info"
    prompt = xl_engine.alerts[0]["prompt"]
    assert "era_denials.835 — remittance (835): 7 claims updated" in prompt
    assert "1 not in the tracker (CLM-9999)" in prompt and "2 provider-level adjustments" in prompt
    rows = rows_by_id(book)
    assert (rows["CLM-1001"]["Paid"], rows["CLM-1001"]["Status"], rows["CLM-1001"]["Remit Date"]) == \
        (150.0, "Paid", dt.date(2024, 3, 15))
    assert (rows["CLM-1002"]["Status"], rows["CLM-1002"]["Denial Codes"]) == ("Denied", "CO-50 N115")
    assert rows["CLM-1005"]["Denial Codes"] == "CO-16 MA130"
    assert rows["CLM-1006"]["Patient Resp"] == 120.0 and rows["CLM-1006"]["Denial Codes"] == "PR-1; PR-2; PR-3"
    assert (rows["CLM-1007"]["Paid"], rows["CLM-1007"]["Status"]) == (250.0, "Partially Paid")
    assert "CLM-9999" not in rows  # listed, not added
    # The refresh ran: a CO-50 denial is worked as an appeal, with its deadline.
    assert "appeal" in rows["CLM-1002"]["Next Action"].lower() and rows["CLM-1002"]["Appeal Deadline"]
    assert "original" in rows["CLM-1004"]["Next Action"].lower()
    log = import_log(book)
    assert log[0][:4] == ["Imported", "File", "SHA-256", "Kind"]
    digest = hashlib.sha256((DATA / "era_denials.835").read_bytes()).hexdigest()
    assert log[1][1:7] == ["era_denials.835", digest, "835", 0, 7, 1]
    assert ["CLM-1002", "Status", "Submitted", "Denied"] == log[[r[7:9] for r in log].index(["CLM-1002", "Status"])][7:11]
    assert any(r[8] == "(provider adjustment)" and "WO (overpayment recovery) 25.50" in r[11] for r in log)
    assert any(r[11] and "CLM-9999" in r[11] for r in log)


def test_importing_the_same_file_again_changes_nothing(tmp_path, rules, open_caller, xl_engine, monkeypatch):
    book = open_caller(tracker(tmp_path, rules))
    pick(monkeypatch, "era_denials.835")
    m.import_remittance()
    before_rows, before_log = rows_by_id(book), import_log(book)
    xl_engine.reset_counts()

    m.import_remittance()

    assert xl_engine.writes == 0
    assert rows_by_id(book) == before_rows and import_log(book) == before_log
    assert "already imported" in xl_engine.alerts[-1]["prompt"] and "Nothing was changed" in xl_engine.alerts[-1]["prompt"]


def test_a_malformed_file_changes_nothing_and_shows_one_alert(tmp_path, rules, open_caller, xl_engine, monkeypatch):
    book = open_caller(tracker(tmp_path, rules))
    before = rows_by_id(book)
    pick(monkeypatch, "malformed_truncated.835")

    m.import_remittance()

    assert xl_engine.writes == 0
    assert len(xl_engine.alerts) == 1 and xl_engine.alerts[0]["mode"] == "critical"
    prompt = xl_engine.alerts[0]["prompt"]
    assert "malformed_truncated.835" in prompt and "segment" in prompt and "Traceback" not in prompt
    assert "Some sheets" not in prompt
    assert rows_by_id(book) == before and "Import Log" not in [s.name for s in book.sheets]
    assert (book.app.screen_updating, book.app.calculation) == (True, "automatic")


def test_a_batch_with_a_malformed_file_imports_the_good_ones_and_says_so_in_one_alert(
        tmp_path, rules, open_caller, xl_engine, monkeypatch):
    """Issue 10: one bad file no longer blocks the batch; the message box lists it first, with its reason."""
    book = open_caller(tracker(tmp_path, rules))
    pick(monkeypatch, "era_denials.835", "malformed_truncated.835")

    m.import_remittance()

    assert len(xl_engine.alerts) == 1
    prompt = xl_engine.alerts[0]["prompt"]
    first = prompt.splitlines()[0]
    assert first.startswith("malformed_truncated.835 — REFUSED, nothing was imported from it:") and "segment" in first
    assert "era_denials.835 — remittance (835)" in prompt
    assert "1 of 2 files refused: the other files were imported." in prompt
    assert rows_by_id(book)["CLM-1001"]["Status"] == "Paid"
    assert any(r[1] == "malformed_truncated.835" and r[3] == "(refused)" and r[2] is None for r in import_log(book))
    assert "Payments" in [s.name for s in book.sheets]


def test_cancelling_the_picker_does_nothing(tmp_path, rules, open_caller, xl_engine, monkeypatch):
    open_caller(tracker(tmp_path, rules))
    monkeypatch.setattr(m, "_pick_files", lambda book: [])
    m.import_remittance()
    assert xl_engine.alerts == [] and xl_engine.writes == 0 and xl_engine.reads == 0


def test_reversal_correction_and_277_through_the_button(tmp_path, rules, open_caller, xl_engine, monkeypatch):
    claims = [claim("CLM-3001", billed=300.0), claim("CLM-5001"), claim("CLM-5002"), claim("CLM-6007"),
              claim("CLM-6004", status=Status.ACCEPTED)]
    book = open_caller(write_tracker(tmp_path / "t.xlsm", rules, claims, AS_OF, RULES_DIR))
    pick(monkeypatch, "era_original.835", "era_reversal_correction.835", "ack_277ca.277", "status_277.277")

    m.import_remittance()

    assert xl_engine.alerts[-1]["mode"] == "info", xl_engine.alerts
    rows = rows_by_id(book)
    assert (rows["CLM-3001"]["Paid"], rows["CLM-3001"]["Patient Resp"]) == (200.0, 40.0)  # not 440
    assert rows["CLM-5001"]["Status"] == "Accepted" and rows["CLM-5001"]["Accepted"] == dt.date(2024, 3, 10)
    assert rows["CLM-5002"]["Status"] == "Rejected"
    assert rows["CLM-6004"]["Status"] == "Paid"
    assert "Not found at payer" in rows["CLM-6007"]["Notes"]


@pytest.mark.slow
def test_calls_to_excel_do_not_grow_with_the_number_of_claims(tmp_path, rules, xl_engine, monkeypatch):
    pick(monkeypatch, "era_denials.835")
    counts = {}
    for n in (10, 3000):
        book = xw.Book(str(tracker(tmp_path, rules, filler=n, name=f"t{n}.xlsm")))
        book.set_mock_caller()
        xl_engine.max_cells_per_write = None  # the calls the product makes, without xlwings' chunking
        xl_engine.max_cells_per_read = None
        xl_engine.reset_counts()
        m.import_remittance()
        assert xl_engine.alerts[-1]["mode"] == "info"
        reads, writes = xl_engine.reads, xl_engine.writes
        xl_engine.reset_counts()
        m.refresh()
        counts[n] = (reads - xl_engine.reads, writes - xl_engine.writes)  # the import's own calls
        book.close()
    assert counts[10] == counts[3000]
    reads, writes = counts[10]
    # Claims header and body (no Import Log yet); the Settings rows are read once, for the import and the
    # refresh after it, so the refresh's count includes them.
    assert reads == 2
    # The seven claims are adjacent rows: one write per run of changed cells in each of the six changed
    # columns (Paid, Patient Resp, Status, Denial Codes, Remit Date, Notes), then one for the Import Log.
    assert writes <= 6 * 2 + 1


# ------------------------------------------------------------------------------------ the file picker
def test_windows_picker_asks_excel_and_returns_the_paths(tmp_path, rules, open_caller, monkeypatch):
    book = open_caller(tracker(tmp_path, rules))
    monkeypatch.setattr(sys, "platform", "win32")
    asked = []

    def get_open_filename(*args, **kwargs):
        asked.append((args, kwargs))
        return (str(DATA / "era_denials.835"), str(DATA / "status_277.277"))

    book.app.api.GetOpenFilename = get_open_filename
    assert m._pick_files(book) == [DATA / "era_denials.835", DATA / "status_277.277"]
    assert asked[0][1] == {"MultiSelect": True} and "*.835" in asked[0][0][0]
    book.app.api.GetOpenFilename = lambda *a, **k: False  # Cancel
    assert m._pick_files(book) == []


def test_macos_picker_uses_osascript(tmp_path, rules, open_caller, monkeypatch):
    book = open_caller(tracker(tmp_path, rules))
    monkeypatch.setattr(sys, "platform", "darwin")
    runs = []

    def fake_run(cmd, **kw):
        runs.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, stdout="/Users/me/era 1.835\n/Users/me/b.277\n", stderr="")

    monkeypatch.setattr(subprocess, "run", fake_run)
    assert m._pick_files(book) == [Path("/Users/me/era 1.835"), Path("/Users/me/b.277")]
    assert runs[0][0] == "osascript" and "multiple selections allowed" in runs[0][2]
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: subprocess.CompletedProcess(cmd, 1, "", "User canceled. (-128)"))
    assert m._pick_files(book) == []


def test_macos_picker_error_other_than_cancel_is_explained(tmp_path, rules, open_caller, xl_engine, monkeypatch):
    """Only osascript's -128 is Cancel; a refused permission (-1743) says what to do and changes nothing."""
    open_caller(tracker(tmp_path, rules))
    monkeypatch.setattr(sys, "platform", "darwin")
    refused = ("36:120: execution error: Not authorized to send Apple events to System Events. (-1743)\n")
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: subprocess.CompletedProcess(cmd, 1, "", refused))
    m.import_remittance()
    assert len(xl_engine.alerts) == 1
    text = xl_engine.alerts[0]["prompt"]
    assert "The file dialog could not be opened; nothing was imported." in text
    assert "Not authorized to send Apple events to System Events. (-1743)" in text
    assert "Privacy & Security > Automation" in text and "claimbook import FILE --into TRACKER" in text
    assert xl_engine.writes == 0

    def missing(cmd, **kw):
        raise FileNotFoundError(2, "No such file or directory", "osascript")

    monkeypatch.setattr(subprocess, "run", missing)
    xl_engine.alerts.clear()
    m.import_remittance()
    assert "The file dialog could not be opened (FileNotFoundError)" in xl_engine.alerts[0]["prompt"]


def test_new_claims_into_an_empty_claims_table(tmp_path, rules, open_caller, xl_engine, monkeypatch):
    """Excel's empty table (insert row only, no DataBodyRange): the import resizes it, then writes the rows."""
    import openpyxl

    path = write_tracker(tmp_path / "ClaimTracker.xlsm", rules, [], AS_OF, RULES_DIR)
    wb = openpyxl.load_workbook(path, keep_vba=True)
    wb[sheets.CLAIMS].tables[sheets.CLAIMS_TABLE].insertRow = True
    wb.save(path)
    csv = tmp_path / "new.csv"
    csv.write_text("Claim ID,Payer,DOS,Patient\nN1,Cigna,1/2/2024,'Brien\nN2,Aetna,1/3/2024,Roe\n", encoding="utf-8")
    monkeypatch.setattr(m, "_pick_files", lambda book: [csv])
    book = open_caller(path)
    assert book.sheets[sheets.CLAIMS].tables[sheets.CLAIMS_TABLE].data_body_range is None

    m.import_remittance()

    assert xl_engine.formula_writes == []
    rows = rows_by_id(book)
    assert sorted(rows) == ["N1", "N2"]
    assert rows["N1"]["Patient"] == "'Brien" and rows["N1"]["DOS"] == dt.date(2024, 1, 2)
