"""The ribbon buttons (``claimbook.excel.macros``) through the real xlwings API, on an openpyxl-backed engine.

The workbook is a real tracker file (``claimbook.workbook.layout.new_tracker``); ``xw.Book(path)
.set_mock_caller()`` makes it ``xw.Book.caller()``, exactly as RunPython would. What a user sees is
asserted: cells, the Worklist, message boxes, Excel's settings afterwards, and how many times Python
talked to Excel.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw

import claimbook.excel.macros as m
from claimbook import sheets, table
from claimbook.engine import evaluate
from claimbook.errors import TrackerError
from claimbook.model import Claim, Network, Status
from claimbook.rules.loader import default_rules_dir, load_rules, resolve_rules_dir
from claimbook.sample import sample_claims
from tests.xlwings_openpyxl.fixtures import open_caller, xl_engine  # noqa: F401 - pytest fixtures
from tests.xlwings_openpyxl.tracker import claim_row, minimal_tracker, write_tracker

AS_OF = dt.date(2026, 11, 23)
RULES_DIR = str(default_rules_dir())
D = dt.datetime

KNOWN = Claim(  # Medicare allows 12 months from the date of service
    claim_id="K-MEDICARE", payer="Medicare", dos_from=dt.date(2026, 1, 5), patient="Known, Kim",
    submitted=dt.date(2026, 1, 7), status=Status.PENDING, billed=250.0, network=Network.IN,
)


@pytest.fixture(scope="module")
def rules():
    return load_rules(RULES_DIR)


def _tracker(tmp_path, rules, claims, name="ClaimTracker.xlsm", rules_folder=RULES_DIR, **kw) -> Path:
    return write_tracker(tmp_path / name, rules, claims, AS_OF, rules_folder, **kw)


def _claims_table(book):
    t = book.sheets[sheets.CLAIMS].tables[sheets.CLAIMS_TABLE]
    header = t.header_row_range.value
    rows = t.data_body_range.options(ndim=2, dates=dt.date).value
    return header, [dict(zip(header, r)) for r in rows]


def _app_state(book):
    app = book.app
    return app.screen_updating, app.calculation, app.status_bar


# ------------------------------------------------------------------------------------------ refresh
def test_refresh_writes_the_computed_columns(tmp_path, rules, open_caller, xl_engine):
    claims = [KNOWN, *sample_claims(AS_OF, 40)]
    book = open_caller(_tracker(tmp_path, rules, claims))

    m.refresh()

    assert xl_engine.alerts == []
    assert xl_engine.formula_writes == []
    header, rows = _claims_table(book)
    known = next(r for r in rows if r["Claim ID"] == "K-MEDICARE")
    assert known["TF Deadline"] == dt.date(2027, 1, 5)
    assert known["Aging Bucket"] == "120+"
    assert known["Age"] == (AS_OF - dt.date(2026, 1, 5)).days
    assert known["TF Risk"] and known["Next Action"] and known["Why"]
    # Every row agrees with the engine run directly on the same claims.
    expected = {r.claim_id: r for r in evaluate(claims, rules.for_tracker(), AS_OF).results}  # tracker date order
    for row in rows:
        r = expected[row["Claim ID"]]
        assert row["Follow-up Date"] == r.follow_up
        assert row["TF Deadline"] == r.tf_deadline
        assert row["Aging Bucket"] == (r.bucket or None)
        assert row["Priority"] == (r.priority or None)
        assert row["Next Action"] == (r.next_action or None)


def test_refresh_fills_the_worklist_most_urgent_first(tmp_path, rules, open_caller):
    claims = sample_claims(AS_OF, 60)
    book = open_caller(_tracker(tmp_path, rules, claims))

    m.refresh()

    wl = book.sheets[sheets.WORKLIST]
    assert wl["A2"].value.startswith("As of 11/23/2026: today's share is ")
    assert wl["A3"].expand("right").value == list(table.WORKLIST_COLUMNS)
    top = wl["A4:K6"].options(ndim=2, dates=dt.date).value
    by_rank = {r.priority: r for r in evaluate(claims, rules, AS_OF).results if r.priority}
    due_soon = sorted(p for p, r in by_rank.items() if r.follow_up <= AS_OF + dt.timedelta(days=7))
    assert [row[0] for row in top] == [1, 2, 3]  # numbered for the reader, whatever the Priority ranks
    # most urgent first (claims due later than the look-ahead are left off)
    assert [row[1] for row in top] == [by_rank[p].claim_id for p in due_soon[:3]]
    assert top[0][5] == by_rank[due_soon[0]].follow_up  # the Due column is a real date
    # Dashboard and Payers were written too
    assert book.sheets[sheets.DASHBOARD][sheets.DASH_ASOF_CELL].options(dates=dt.date).value == AS_OF
    assert book.sheets[sheets.PAYERS][sheets.PAYERS_FOLDER_CELL].value == str(Path(RULES_DIR))


def test_refresh_restores_excel_settings_and_shows_progress(tmp_path, rules, open_caller):
    book = open_caller(_tracker(tmp_path, rules, sample_claims(AS_OF, 5)))
    book.app.calculation = "semiautomatic"  # whatever the user had is what they get back

    m.refresh()

    assert _app_state(book) == (True, "semiautomatic", False)
    history = book.app.impl.history
    assert ("screen_updating", False) in history and ("calculation", "manual") in history
    progress = [v for k, v in history if k == "status_bar" and v]
    assert progress[0] == "claimbook: refreshing…"
    assert any("computing 5 claims" in v for v in progress)


def test_a_bug_in_the_pipeline_is_one_plain_message_and_settings_are_restored(tmp_path, rules, open_caller,
                                                                             xl_engine, monkeypatch):
    book = open_caller(_tracker(tmp_path, rules, sample_claims(AS_OF, 5)))

    def broken(*args, **kwargs):
        raise KeyError("C26001 Smith, John")  # the message may hold claim data: never shown

    monkeypatch.setattr("claimbook.app.refresh.run_blocks", broken)  # the use case every button calls
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    m.refresh()  # does not raise: RunPython would show the traceback in a popup

    assert _app_state(book) == (True, "automatic", False)
    assert len(xl_engine.alerts) == 1
    alert = xl_engine.alerts[0]
    assert alert["title"] == "claimbook" and alert["mode"] == "critical"
    assert "Something went wrong while refreshing" in alert["prompt"]
    assert "Nothing in the workbook was changed" in alert["prompt"]
    assert "Traceback" not in alert["prompt"] and "Smith" not in alert["prompt"]
    assert xl_engine.writes == 0
    log = Path(alert["prompt"].split("send the file ")[1].split(" to ")[0])
    assert log.parent == tmp_path
    assert "KeyError" in log.read_text() and "Smith" not in log.read_text()


def test_a_claimbook_error_shows_its_message(tmp_path, rules, open_caller, xl_engine, monkeypatch):
    book = open_caller(_tracker(tmp_path, rules, sample_claims(AS_OF, 5)))
    monkeypatch.setattr("claimbook.app.refresh.run_blocks", lambda *a, **k: (_ for _ in ()).throw(
        TrackerError("The Claims table has no Payer column. Add it or rename the header.")))

    m.refresh()

    assert [a["prompt"] for a in xl_engine.alerts] == ["The Claims table has no Payer column. Add it or rename the header."]
    assert _app_state(book) == (True, "automatic", False)


def test_a_broken_rules_folder_is_one_plain_alert_and_nothing_changes(tmp_path, rules, open_caller, xl_engine):
    broken = tmp_path / "broken-rules"
    shutil.copytree(RULES_DIR, broken)
    (broken / "settings.yaml").write_text("settings:\n  look_ahead_days: [7\n", encoding="utf-8")
    book = open_caller(_tracker(tmp_path, rules, sample_claims(AS_OF, 5), rules_folder=str(broken)))

    m.refresh()

    assert len(xl_engine.alerts) == 1
    prompt = xl_engine.alerts[0]["prompt"]
    assert "settings.yaml" in prompt and str(broken) in prompt
    assert "Traceback" not in prompt and 'File "' not in prompt
    assert xl_engine.alerts[0]["mode"] == "critical"
    assert xl_engine.writes == 0
    _, rows = _claims_table(book)
    assert all(r["Next Action"] is None for r in rows)
    assert _app_state(book) == (True, "automatic", False)


def test_text_that_looks_like_a_formula_stays_text(tmp_path, rules, open_caller, xl_engine):
    tricky = Claim(
        claim_id="00123", payer="Aetna", dos_from=AS_OF - dt.timedelta(days=40), patient="=1+2",
        status=Status.NOT_SUBMITTED, billed=120.0, notes='=HYPERLINK("http://evil.example","click")',
    )
    path = _tracker(tmp_path, rules, [tricky, *sample_claims(AS_OF, 5)])
    book = open_caller(path)

    m.refresh()

    assert xl_engine.alerts == []
    assert xl_engine.formula_writes == []  # nothing claimbook wrote became a formula
    _, rows = _claims_table(book)
    row = next(r for r in rows if r["Claim ID"] == "00123")
    assert row["Notes"] == '=HYPERLINK("http://evil.example","click")'
    wl = book.sheets[sheets.WORKLIST]
    wl_rows = wl.range((sheets.WORKLIST_HEADER_ROW + 1, 1)).expand().options(ndim=2).value
    mine = next(r for r in wl_rows if r[2] == "=1+2")
    assert mine[1] == "00123"  # an ID with leading zeros stays text, not the number 123
    book.save()
    ws = openpyxl.load_workbook(path, keep_vba=True)[sheets.WORKLIST]
    cells = [c for r in ws.iter_rows(min_row=4) for c in r if c.value in ("=1+2", "00123")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_engine_does_turn_equals_text_into_formulas(tmp_path, rules, open_caller, xl_engine):
    """The guard above is only proven if writing '=...' unguarded would make a formula."""
    book = open_caller(_tracker(tmp_path, rules, []))
    book.sheets[sheets.WORKLIST]["Z1"].value = "=1+2"
    book.sheets[sheets.WORKLIST]["Z2"].value = "00123"
    assert xl_engine.formula_writes == [(sheets.WORKLIST, "Z1", "=1+2")]
    assert book.sheets[sheets.WORKLIST]["Z2"].value == 123.0


def _run_and_count(engine, book):
    engine.reset_counts()
    m.refresh()
    assert engine.alerts == []
    return engine.reads, engine.writes, list(engine.calls), engine.excel_calls


def _merge_chunks(calls):
    """Calls, with xlwings' own chunks (a write continuing the previous one right below it, over the same
    columns) merged."""
    merged = []
    for kind, sheet, address, cells in calls:
        top = address.split(":")[0]
        if (merged and merged[-1][0] == kind and merged[-1][1] == sheet and merged[-1][4] == top
                and _columns(merged[-1][2]) == _columns(address)):
            merged[-1] = (kind, sheet, merged[-1][2], merged[-1][3] + cells, _below(address))
        else:
            merged.append((kind, sheet, address, cells, _below(address)))
    return [(k, s, n) for k, s, _, n, _ in merged]


def _columns(address):
    from openpyxl.utils.cell import range_boundaries

    c1, _, c2, _ = range_boundaries(address.replace("$", ""))
    return c1, c2


def _below(address):
    from openpyxl.utils.cell import range_boundaries

    c1, _, _, r2 = range_boundaries(address.replace("$", ""))
    return f"${openpyxl.utils.get_column_letter(c1)}${r2 + 1}"


@pytest.mark.slow
def test_calls_to_excel_do_not_grow_with_the_number_of_claims(tmp_path, rules, xl_engine):
    counts = {}
    for n in (10, 10_000):
        path = _tracker(tmp_path, rules, sample_claims(AS_OF, n), name=f"t{n}.xlsm")
        book = xw.Book(str(path))
        book.set_mock_caller()
        xl_engine.max_cells_per_write = None  # no xlwings chunking: the calls the product makes
        plain = _run_and_count(xl_engine, book)
        xl_engine.max_cells_per_write = xw.base_classes.DEFAULT_MAX_CELLS_PER_WRITE  # as on Windows
        chunked = _run_and_count(xl_engine, book)
        counts[n] = plain, chunked
        book.close()

    (r10, w10, _, all10), (cr10, cw10, calls10, _) = counts[10]
    (r10k, w10k, _, all10k), (cr10k, cw10k, calls10k, _) = counts[10_000]
    assert (r10, w10) == (r10k, w10k)
    # Every call into Excel (property reads, lookups, reads and writes), not just the cell reads and writes.
    assert all10 == all10k <= 200
    assert r10 == 5  # Claims header + body, Follow-up Log header + body, Settings
    # With xlwings' 100,000-cell write budget, the only extra calls are xlwings' own chunks.
    assert cr10k == cr10
    writes = [[c for c in _merge_chunks(calls) if c[0] == "write"] for calls in (calls10, calls10k)]
    assert len(writes[1]) == len(writes[0]) and cw10 == w10  # 10 claims: nothing to chunk
    print(f"\ncalls into Excel per refresh: {all10} (10 claims), {all10k} (10,000 claims)")
    print(f"engine calls, 10 claims: {r10} reads / {w10} writes; 10,000 claims: {r10k} reads / {w10k} writes "
          f"(with xlwings' default chunking: {cr10k} reads / {cw10k} writes)")


def test_moved_computed_columns_are_written_per_group(tmp_path, rules, xl_engine):
    inputs = [c.header for c in table.INPUT_COLUMNS]
    computed = list(table.COMPUTED_COLUMNS)
    header = inputs[:3] + computed[:2] + inputs[3:] + computed[2:]  # the user dragged two computed columns
    wb = minimal_tracker(RULES_DIR, claims_header=header)
    ws = wb[sheets.CLAIMS]
    claims = [KNOWN, *sample_claims(AS_OF, 8)]
    for r, c in enumerate(claims, start=2):
        for j, v in enumerate(claim_row(c, header), start=1):
            ws.cell(r, j).value = v
    ws.tables[sheets.CLAIMS_TABLE].ref = f"A1:{openpyxl.utils.get_column_letter(len(header))}{len(claims) + 1}"
    wb[sheets.SETTINGS][sheets.setting_cell("As-of date")].value = D(2026, 11, 23)
    path = tmp_path / "moved.xlsx"
    wb.save(path)
    book = xw.Book(str(path))
    book.set_mock_caller()
    xl_engine.reset_counts()

    m.refresh()

    assert xl_engine.alerts == []
    claims_writes = [c for c in xl_engine.calls if c[0] == "write" and c[1] == sheets.CLAIMS]
    assert len(claims_writes) == 2
    _, rows = _claims_table(book)
    assert rows[0]["Age"] == (AS_OF - KNOWN.dos_from).days and rows[0]["Aging Bucket"] == "120+"
    assert rows[0]["TF Deadline"] == dt.date(2027, 1, 5)
    assert rows[0]["Billed"] == 250.0  # input columns untouched


def test_book_caller_is_looked_up_on_every_call(tmp_path, rules, xl_engine):
    a = xw.Book(str(_tracker(tmp_path, rules, sample_claims(AS_OF, 3), name="a.xlsm")))
    b = xw.Book(str(_tracker(tmp_path, rules, sample_claims(AS_OF, 7), name="b.xlsm")))
    a.set_mock_caller()
    m.refresh()
    b.set_mock_caller()
    m.refresh()
    assert a.sheets[sheets.DASHBOARD][sheets.DASH_REFRESHED_CELL].value.startswith("3 claims")
    assert b.sheets[sheets.DASHBOARD][sheets.DASH_REFRESHED_CELL].value.startswith("7 claims")


# -------------------------------------------------------------------------------- finding the rules
def test_rules_beside_the_workbook_are_used_and_never_the_current_folder(tmp_path, rules, open_caller, monkeypatch):
    beside = tmp_path / "office" / "rules"
    shutil.copytree(RULES_DIR, beside)
    cwd = tmp_path / "cwd"
    shutil.copytree(RULES_DIR, cwd / "rules")
    (cwd / "rules" / "settings.yaml").write_text("not: [valid\n", encoding="utf-8")
    monkeypatch.chdir(cwd)
    book = open_caller(_tracker(tmp_path / "office", rules, sample_claims(AS_OF, 3), rules_folder=""))

    m.refresh()

    assert book.sheets[sheets.PAYERS][sheets.PAYERS_FOLDER_CELL].value == str(beside.resolve())


def test_a_relative_rules_folder_is_relative_to_the_workbook(tmp_path, rules, open_caller, monkeypatch):
    shutil.copytree(RULES_DIR, tmp_path / "office" / "my rules")
    monkeypatch.chdir(tmp_path)
    book = open_caller(_tracker(tmp_path / "office", rules, sample_claims(AS_OF, 3), rules_folder="my rules"))

    m.refresh()

    assert book.sheets[sheets.PAYERS][sheets.PAYERS_FOLDER_CELL].value == str(tmp_path / "office" / "my rules")


def test_a_onedrive_workbook_falls_back_to_the_user_or_built_in_rules(tmp_path, rules, open_caller, xl_engine,
                                                                       monkeypatch):
    shutil.copytree(RULES_DIR, tmp_path / "rules")  # beside the local copy: must not be used for a URL
    monkeypatch.chdir(tmp_path)
    book = open_caller(_tracker(tmp_path, rules, sample_claims(AS_OF, 3), rules_folder=""))
    book.impl.fullname_override = "https://d.docs.live.net/4f1c/Documents/ClaimTracker.xlsm"

    m.refresh()

    assert xl_engine.alerts == []
    assert book.sheets[sheets.PAYERS][sheets.PAYERS_FOLDER_CELL].value == str(resolve_rules_dir(None, None))


def test_a_relative_rules_folder_on_onedrive_asks_for_a_full_path(tmp_path, rules, open_caller, xl_engine):
    book = open_caller(_tracker(tmp_path, rules, sample_claims(AS_OF, 3), rules_folder="rules"))
    book.impl.fullname_override = "https://contoso.sharepoint.com/sites/billing/ClaimTracker.xlsm"

    m.refresh()

    assert len(xl_engine.alerts) == 1 and "full path" in xl_engine.alerts[0]["prompt"]
    assert xl_engine.writes == 0


# -------------------------------------------------------------------------------------- check rules
def test_check_rules_lists_problems_in_a_message_and_on_the_payers_sheet(tmp_path, rules, open_caller, xl_engine):
    broken = tmp_path / "broken-rules"
    shutil.copytree(RULES_DIR, broken)
    (broken / "settings.yaml").write_text("settings:\n  look_ahead_days: [7\n", encoding="utf-8")
    book = open_caller(_tracker(tmp_path, rules, [], rules_folder=str(broken)))

    m.check_rules()

    assert len(xl_engine.alerts) == 1
    prompt = xl_engine.alerts[0]["prompt"]
    assert prompt.startswith(f"The rules in {broken} have 1 error") and "settings.yaml:" in prompt
    assert "Payers sheet" in prompt and "Traceback" not in prompt
    payers = book.sheets[sheets.PAYERS]
    assert payers[sheets.PAYERS_FOLDER_CELL].value == str(broken)
    assert payers[sheets.PAYERS_PROBLEMS_CELL].value.startswith("1 problem")
    assert "settings.yaml" in payers[f"A{sheets.PAYERS_PROBLEM_ROW}"].value
    assert payers[f"A{sheets.PAYERS_TABLE_ROW}"].value  # the rules table was left alone


def test_check_rules_on_good_rules(tmp_path, rules, open_caller, xl_engine):
    open_caller(_tracker(tmp_path, rules, []))
    m.check_rules()
    assert [(a["prompt"], a["mode"]) for a in xl_engine.alerts] == [
        (f"The rules in {Path(RULES_DIR)} have no problems.", "info")]


# ------------------------------------------------------------------------------- explain / follow-up
def _select_claim(book, claim_id):
    header, rows = _claims_table(book)
    i = next(i for i, r in enumerate(rows) if r["Claim ID"] == claim_id)
    book.sheets[sheets.CLAIMS].activate()  # a person clicks on the sheet they see: select needs it active
    book.sheets[sheets.CLAIMS].range((2 + i, 3)).select()


def test_explain_claim_shows_the_why_and_the_dates(tmp_path, rules, open_caller, xl_engine):
    book = open_caller(_tracker(tmp_path, rules, [*sample_claims(AS_OF, 5), KNOWN]))
    m.refresh()
    _select_claim(book, "K-MEDICARE")

    m.explain_claim()

    prompt = xl_engine.alerts[-1]["prompt"]
    assert prompt.startswith("As of 11/23/2026.\nClaim K-MEDICARE - Known, Kim - Medicare")
    assert "Why: " in prompt and "01/05/2027" in prompt and "2027-01-05" not in prompt  # the tracker's date order
    assert "Dates used: Service date 01/05/2026, Submitted 01/07/2026" in prompt
    priority = next(r for r in _claims_table(book)[1] if r["Claim ID"] == "K-MEDICARE")["Priority"]
    assert f"Priority: #{int(priority)} " in prompt  # the rank of the last refresh, not #1 of one claim


def test_explain_claim_outside_the_table_says_what_to_do(tmp_path, rules, open_caller, xl_engine):
    book = open_caller(_tracker(tmp_path, rules, sample_claims(AS_OF, 3)))
    book.sheets[sheets.DASHBOARD].activate()
    book.sheets[sheets.DASHBOARD]["C3"].select()

    m.explain_claim()

    assert len(xl_engine.alerts) == 1
    assert xl_engine.alerts[0]["prompt"].startswith("Click a cell in a claim's row on the Claims sheet")


def test_log_followup_adds_a_prefilled_row_and_selects_it(tmp_path, rules, open_caller, xl_engine):
    book = open_caller(_tracker(tmp_path, rules, [*sample_claims(AS_OF, 5), KNOWN]))
    _select_claim(book, "K-MEDICARE")

    m.log_followup()
    m.log_followup()

    assert xl_engine.alerts == []
    log = book.sheets[sheets.FOLLOWUP_LOG].tables[sheets.LOG_TABLE]
    rows = log.data_body_range.options(ndim=2, dates=dt.date).value
    header = log.header_row_range.value
    assert len(rows) == 2  # the first used the empty table's blank row, the second added one
    entry = dict(zip(header, rows[-1]))
    result = evaluate([KNOWN], rules, AS_OF).results[0]
    assert entry["Date"] == dt.date.today() and entry["Claim ID"] == "K-MEDICARE"
    assert entry["Action Taken"] == result.next_action and entry["Outcome"] is None
    selection = book.app.selection
    assert selection.sheet.name == sheets.FOLLOWUP_LOG
    assert (selection.row, selection.column) == (3, header.index("Outcome") + 1)


def test_log_followup_from_the_worklist(tmp_path, rules, open_caller, xl_engine):
    book = open_caller(_tracker(tmp_path, rules, sample_claims(AS_OF, 20)))
    m.refresh()
    wl = book.sheets[sheets.WORKLIST]
    first_id = wl[f"B{sheets.WORKLIST_HEADER_ROW + 1}"].value
    wl.activate()
    wl[f"E{sheets.WORKLIST_HEADER_ROW + 1}"].select()

    m.log_followup()

    log = book.sheets[sheets.FOLLOWUP_LOG].tables[sheets.LOG_TABLE]
    assert log.data_body_range.options(ndim=2).value[-1][1] == first_id
    assert xl_engine.alerts == []


# ---------------------------------------------------------------------------------- folder and help
def test_open_rules_folder_reports_the_path_on_linux(tmp_path, rules, open_caller, xl_engine, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    open_caller(_tracker(tmp_path, rules, []))
    m.open_rules_folder()
    assert xl_engine.alerts[0]["prompt"].startswith(f"The rules folder is {Path(RULES_DIR)}.")


def test_open_rules_folder_that_does_not_exist(tmp_path, rules, open_caller, xl_engine):
    open_caller(_tracker(tmp_path, rules, [], rules_folder=str(tmp_path / "nope")))
    m.open_rules_folder()
    assert "does not exist" in xl_engine.alerts[0]["prompt"]


def test_show_help_activates_the_how_to_sheet(tmp_path, rules, open_caller, xl_engine):
    book = open_caller(_tracker(tmp_path, rules, []))
    m.show_help()
    assert book.sheets.active.name == sheets.HOWTO
    assert xl_engine.alerts == []


def _own_column_book(tmp_path, header_name, values, mark_others=True):
    inputs = [c.header for c in table.INPUT_COLUMNS]
    header = inputs + list(table.COMPUTED_COLUMNS)
    wb = minimal_tracker(RULES_DIR, claims_header=header)
    ws = wb[sheets.CLAIMS]
    col = header.index(header_name) + 1
    ws.cell(1, col).comment = None  # the practice's own column: no claimbook note on its header
    claims = [KNOWN, *sample_claims(AS_OF, 2)]
    for r, c in enumerate(claims, start=2):
        for j, v in enumerate(claim_row(c, header), start=1):
            ws.cell(r, j).value = v
    for r, v in enumerate(values, start=2):
        ws.cell(r, col).value = v
    ws.tables[sheets.CLAIMS_TABLE].ref = f"A1:{openpyxl.utils.get_column_letter(len(header))}{len(claims) + 1}"
    wb[sheets.SETTINGS][sheets.setting_cell("As-of date")].value = D(2026, 11, 23)
    path = tmp_path / "own.xlsx"
    wb.save(path)
    return path, col


def test_refresh_button_never_overwrites_a_practice_column_named_like_a_computed_one(tmp_path, open_caller,
                                                                                   xl_engine):
    path, col = _own_column_book(tmp_path, "Next Action", ["call the office", None, "wait"])
    book = open_caller(path)

    m.refresh()

    writes = [c for c in xl_engine.calls if c[0] == "write"]
    assert writes == []  # nothing at all was written
    prompt = xl_engine.alerts[0]["prompt"]
    assert prompt.startswith("The Claims column 'Next Action' (column ")
    assert "rename yours (for example to 'Our Next Action')" in prompt and "call the office" not in prompt
    _, rows = _claims_table(book)
    assert [r["Next Action"] for r in rows] == ["call the office", None, "wait"]


def test_refresh_button_takes_over_an_empty_unmarked_computed_column_and_marks_it(tmp_path, open_caller,
                                                                                   xl_engine):
    path, col = _own_column_book(tmp_path, "Priority", [None, None, None])
    book = open_caller(path)

    m.refresh()
    m.refresh()  # marked now, so its values are claimbook's

    assert xl_engine.alerts == []
    header_cell = book.sheets[sheets.CLAIMS].range((1, col))
    assert table.is_claimbook_mark(header_cell.note.text)
    _, rows = _claims_table(book)
    assert sorted(r["Priority"] for r in rows) == [1, 2, 3]


# ------------------------------------------------------- what real Excel does that the engine now enforces
def _empty_table_state(path, *table_names):
    """Save the tables as Excel saves a table with no rows: header plus a blank insert row (insertRow="1")."""
    wb = openpyxl.load_workbook(path, keep_vba=True)
    for ws in wb.worksheets:
        for t in ws.tables.values():
            if t.displayName in table_names:
                t.insertRow = True
    wb.save(path)
    return path


def test_text_excel_would_change_is_written_with_the_text_prefix(tmp_path, rules, open_caller, xl_engine):
    odd = Claim(claim_id="DEC-1", payer="Aetna", dos_from=AS_OF - dt.timedelta(days=40), patient="'Brien, Pat",
                status=Status.NOT_SUBMITTED, billed=120.0)
    assert m._cell("'Brien") == "''Brien"  # Excel keeps one apostrophe only when it gets two
    assert m._cell("Dec-1") == "'Dec-1" and m._cell("5 Jan") == "'5 Jan" and m._cell("(120)") == "'(120)"
    assert m._cell("Decker, Ann") == "Decker, Ann" and m._cell("O'Brien") == "O'Brien"
    book = open_caller(_tracker(tmp_path, rules, [odd, *sample_claims(AS_OF, 3)]))

    m.refresh()

    wl = book.sheets[sheets.WORKLIST]
    wl_rows = wl.range((sheets.WORKLIST_HEADER_ROW + 1, 1)).expand().options(ndim=2).value
    mine = next(r for r in wl_rows if r[1] == "DEC-1")
    assert mine[2] == "'Brien, Pat"  # not "Brien, Pat": Excel would have eaten a single apostrophe
    ws = book.impl.wb[sheets.WORKLIST]
    cell = next(c for r in ws.iter_rows(min_row=4) for c in r if c.value == "DEC-1")
    assert cell.quotePrefix  # written as text, so Excel cannot read it as 1 December


def test_the_engine_refuses_what_excel_refuses(tmp_path, rules, open_caller, xl_engine):
    from tests.xlwings_openpyxl.engine import SelectNotOnActiveSheet, TableResizeError

    book = open_caller(_tracker(tmp_path, rules, sample_claims(AS_OF, 3)))
    book.sheets[sheets.WORKLIST].activate()
    with pytest.raises(SelectNotOnActiveSheet):
        book.sheets[sheets.CLAIMS]["C2"].select()  # COM: "Select method of Range class failed"
    t = book.sheets[sheets.CLAIMS].tables[sheets.CLAIMS_TABLE]
    with pytest.raises(TableResizeError):
        t.resize(book.sheets[sheets.CLAIMS].range((2, 1)).resize(5, 3))  # the header row cannot move
    with pytest.raises(KeyError):
        book.app.alert("?", buttons="retry")  # neither _xlwindows nor _xlmac knows this button


def test_log_followup_into_an_empty_log_table(tmp_path, rules, open_caller, xl_engine):
    """Excel's empty table has no DataBodyRange (None) and no ListRows: the row comes from rows.add()."""
    path = _empty_table_state(_tracker(tmp_path, rules, [*sample_claims(AS_OF, 3), KNOWN]), sheets.LOG_TABLE)
    book = open_caller(path)
    log = book.sheets[sheets.FOLLOWUP_LOG].tables[sheets.LOG_TABLE]
    assert log.data_body_range is None and log.insert_row_range is not None and len(log.rows) == 0
    _select_claim(book, "K-MEDICARE")

    m.log_followup()

    assert xl_engine.alerts == []
    rows = log.data_body_range.options(ndim=2, dates=dt.date).value
    assert len(rows) == 1 and rows[0][1] == "K-MEDICARE"
    assert log.range.shape[0] == 2  # the insert row became the first row: the table did not grow past it


def test_refresh_and_explain_with_an_empty_claims_table(tmp_path, rules, open_caller, xl_engine):
    path = _empty_table_state(_tracker(tmp_path, rules, []), sheets.CLAIMS_TABLE, sheets.LOG_TABLE)
    book = open_caller(path)

    m.refresh()

    assert xl_engine.alerts == []
    assert not [c for c in xl_engine.calls if c[0] == "write" and c[1] == sheets.CLAIMS]
    book.sheets[sheets.CLAIMS].activate()
    book.sheets[sheets.CLAIMS]["C2"].select()
    m.explain_claim()
    assert xl_engine.alerts[-1]["prompt"].startswith("Click a cell in a claim's row")


def test_a_onedrive_workbook_xlwings_maps_to_its_synced_folder_uses_the_rules_there(tmp_path, rules, open_caller,
                                                                                   xl_engine, monkeypatch):
    """xlwings turns a OneDrive address into the synced local file (or raises): the rules beside it count."""
    synced = tmp_path / "OneDrive" / "Documents"
    shutil.copytree(RULES_DIR, synced / "rules")
    monkeypatch.setenv("OneDriveConsumer", str(tmp_path / "OneDrive"))
    book = open_caller(_tracker(synced, rules, sample_claims(AS_OF, 3), rules_folder=""))
    book.impl.fullname_override = "https://d.docs.live.net/4f1c/Documents/ClaimTracker.xlsm"

    m.refresh()

    assert xl_engine.alerts == []
    assert book.sheets[sheets.PAYERS][sheets.PAYERS_FOLDER_CELL].value == str((synced / "rules").resolve())
