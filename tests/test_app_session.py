"""One session for every front door: the same workbook gets the same rules and the same answers from a
worksheet function, the Refresh button and ``claimbook refresh``."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
import xlwings as xw

import claimbook.excel.macros as m
from claimbook import sheets
from claimbook.app.context import open_session, rules_folder
from claimbook.cli import main
from claimbook.errors import TrackerError
from claimbook.excel import udfs
from claimbook.model import Claim, Network, Status
from claimbook.rules.loader import default_rules_dir, load_rules
from tests.xlwings_openpyxl.fixtures import xl_engine  # noqa: F401 - pytest fixture
from tests.xlwings_openpyxl.tracker import write_tracker

AS_OF = dt.date(2026, 11, 23)
DOS = dt.date(2026, 1, 5)
CLAIM = Claim(claim_id="K-MEDICARE", payer="Medicare", dos_from=DOS, patient="Known, Kim",
              submitted=dt.date(2026, 1, 7), status=Status.PENDING, billed=250.0, network=Network.IN)


def _six_month_medicare(folder):
    """A copy of the built-in rules where Medicare allows 6 months instead of 12."""
    shutil.copytree(default_rules_dir(), folder)
    payer = folder / "payers" / "medicare.yaml"
    text = payer.read_text(encoding="utf-8")
    assert "  limit: 12 months\n" in text
    payer.write_text(text.replace("  limit: 12 months\n", "  limit: 6 months\n", 1), encoding="utf-8")
    return folder


def _tf_deadline_on_claims(rows_header, rows):
    return [dict(zip(rows_header, r)) for r in rows][0]["TF Deadline"]


def test_settings_rules_folder_gives_one_answer_from_a_cell_the_button_and_the_command(tmp_path, xl_engine):
    office = tmp_path / "office"
    office.mkdir()
    shutil.copytree(default_rules_dir(), office / "rules")  # beside the workbook: must NOT win over Settings
    custom = _six_month_medicare(tmp_path / "practice rules")
    built_in = load_rules(default_rules_dir())
    path = write_tracker(office / "ClaimTracker.xlsm", built_in, [CLAIM], AS_OF, str(custom))
    copy = office / "Copy.xlsm"
    shutil.copy(path, copy)

    # `claimbook refresh`
    assert main(["refresh", str(copy)]) == 0
    ws = openpyxl.load_workbook(copy)[sheets.CLAIMS]
    header = [c.value for c in ws[1]]
    from_command = dict(zip(header, [c.value for c in ws[2]]))["TF Deadline"].date()

    # the Refresh button
    book = xw.Book(str(path))
    book.set_mock_caller()
    m.refresh()
    assert xl_engine.alerts == []
    t = book.sheets[sheets.CLAIMS].tables[sheets.CLAIMS_TABLE]
    from_button = _tf_deadline_on_claims(t.header_row_range.value,
                                         t.data_body_range.options(ndim=2, dates=dt.date).value)
    assert book.sheets[sheets.PAYERS][sheets.PAYERS_FOLDER_CELL].value == str(custom)

    # a worksheet function in a cell of the same workbook
    from_cell = udfs.CB_TF_DEADLINE("Medicare", DOS, caller=book.sheets[sheets.CLAIMS]["Z1"])

    six_months = dt.date(2026, 7, 6)  # Jul 5, 2026 is a Sunday: the next business day
    assert from_command == from_button == from_cell == six_months
    # ...and not what the rules beside the workbook (12 months) would say
    assert udfs.CB_TF_DEADLINE("Medicare", DOS, caller=None) == dt.date(2027, 1, 5)


def test_a_cell_uses_the_settings_as_of_date(tmp_path, xl_engine):
    path = write_tracker(tmp_path / "ClaimTracker.xlsm", load_rules(default_rules_dir()), [CLAIM], AS_OF,
                         str(default_rules_dir()))
    book = xw.Book(str(path))
    assert udfs.CB_AGING_BUCKET(dt.date(2026, 11, 1), caller=book.sheets[sheets.CLAIMS]["Z1"]) == "0-30"
    assert udfs.CB_AGING_BUCKET(dt.date(2026, 8, 1), caller=book.sheets[sheets.CLAIMS]["Z1"]) == "91-120"


def test_the_session_resolves_in_the_documented_order(tmp_path):
    book = tmp_path / "office" / "T.xlsm"
    (tmp_path / "office" / "rules").mkdir(parents=True)
    (tmp_path / "office" / "mine").mkdir()
    assert rules_folder(book) == tmp_path / "office" / "rules"  # beside the workbook
    assert rules_folder(book, "mine") == tmp_path / "office" / "mine"  # Settings, relative to the workbook
    assert rules_folder(book, "mine", explicit=str(tmp_path)) == tmp_path  # --rules wins
    with pytest.raises(TrackerError, match="not a full path"):
        rules_folder(None, "mine")  # a relative folder needs a workbook folder
    rows = [["Setting", "Value"], ["Rules folder", str(default_rules_dir())], ["As-of date", "03/04/2026"],
            ["Backups kept", 2]]
    session = open_session(rows, book)
    assert session.rules_folder == default_rules_dir() and session.as_of == dt.date(2026, 3, 4)
    assert session.backups_kept == 2 and session.look_ahead_days == session.rules.settings.look_ahead_days
    assert open_session(rows, book, as_of=AS_OF).as_of == AS_OF


def test_a_row_without_a_claim_id_is_flagged_once_by_the_table_layer():
    from claimbook import table
    from claimbook.blocks import Block
    from claimbook.pipeline import run_blocks

    rules = load_rules(default_rules_dir())
    block = Block(["Claim ID", "Payer", "DOS"], [[None, "Medicare", DOS], ["C1", "Medicare", DOS]], first_row=2)
    read = table.read_claims(block)
    assert read.claims[0].claim_id == "(row 2)"
    assert read.claims[0].issues[-1].startswith("Claim ID is missing")
    out = run_blocks(block, None, rules, AS_OF)
    issues = out.computed[0][table.COMPUTED_COLUMNS.index("Data Issues")]
    assert issues.count("Claim ID is missing") == 1
    assert "Claim ID is missing" not in (out.computed[1][table.COMPUTED_COLUMNS.index("Data Issues")] or "")


def test_both_edges_implement_the_edge_protocol():
    import inspect

    from claimbook.app.edge import Edge
    from claimbook.excel.edge import LiveEdge
    from claimbook.workbook.edge import FileEdge

    wanted = {n: inspect.signature(f) for n, f in vars(Edge).items() if inspect.isfunction(f) and n[0] != "_"}
    assert {"read_claims", "write_blocks", "add_import_log", "save"} <= set(wanted)
    for edge in (FileEdge, LiveEdge):
        for name, sig in wanted.items():
            assert list(inspect.signature(getattr(edge, name)).parameters) == list(sig.parameters), (edge, name)


def test_the_ar_over_tiles_follow_the_aging_buckets():
    from dataclasses import replace

    from claimbook import table
    from claimbook.blocks import Block
    from claimbook.pipeline import run_blocks

    assert table.ar_over_days((30, 60, 90, 120)) == (90, 120)
    rules = load_rules(default_rules_dir())
    wide = replace(rules, settings=replace(rules.settings, bucket_edges=(30, 60, 180, 365)))
    old = dt.date(2026, 3, 1)  # 267 days before AS_OF: over 180, not over 365
    block = Block(["Claim ID", "Payer", "DOS", "Status", "Submitted", "Billed"],
                  [["A", "Medicare", old, "Pending", old, 100.0]])
    kpis = {k.label: k.value for k in run_blocks(block, None, wide, AS_OF).dashboard.kpis}
    assert kpis["AR over 180 days"] == 1.0 and kpis["AR over 365 days"] == 0.0


def test_the_excel_edge_needs_neither_openpyxl_nor_the_command_line():
    import subprocess
    import sys

    code = ("import sys, claimbook.excel.macros, claimbook.excel.udfs; "
            "print(sorted(m for m in sys.modules if m == 'openpyxl' or m.startswith(('claimbook.workbook', "
            "'claimbook.commands'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
