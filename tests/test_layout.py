"""The tracker layout: a new tracker's sheets, tables, names, drop-downs, colors and charts survive a
save and reload; a practice's own workbook gets what is missing without its cells changing; generated
blocks are written the same every time, and outside text never becomes a formula."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from claimbook import sheets as S
from claimbook import table
from claimbook.errors import ClaimbookError, MissingColumnsError
from claimbook.model import Status
from claimbook.pipeline import Block, Dashboard, Kpi, RefreshOutput, Summary
from claimbook.rules.loader import default_rules_dir, load_rules
from claimbook.workbook import io
from claimbook.workbook.layout import (
    COMPUTED_COLUMNS,
    COMPUTED_NOTE,
    INPUT_COLUMNS,
    ensure_tracker,
    new_tracker,
    write_generated,
)

AS_OF = date(2026, 11, 23)
FORMULA_TEXTS = ("=HYPERLINK(\"http://evil.example\",\"click\")", "+1 555 0100", "@SUM(A1:A9)", "=1+1")


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def saved_tracker(rules, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("layout") / "ClaimTracker.xlsx"
    new_tracker(rules, as_of=AS_OF).save(path)
    return path


@pytest.fixture(scope="module")
def wb(saved_tracker):
    return openpyxl.load_workbook(saved_tracker)


# --- helpers shared with test_render -----------------------------------------------------------------

def demo_tracker(path: Path, rules, as_of: date = AS_OF, n: int = 300):
    """A tracker with ``n`` sample claims, refreshed by the real pipeline (no Excel), saved to ``path``."""
    from claimbook.sample import sample_claims
    from claimbook.workbook.refresh import refresh_workbook

    wb = new_tracker(rules, as_of=as_of)
    place = io.find_claims(wb)
    for i, claim in enumerate(sample_claims(as_of, n=n)):
        for j, v in enumerate(table.claim_to_row(claim)):
            io.put(place.ws, place.first_data_row + i, place.first_col + j, v)
    place.last_row = place.header_row + n
    io.set_table_ref(place)
    output, _rules, _added = refresh_workbook(wb, path, as_of, rules_dir=rules.folder)
    wb.save(path)
    return output


def hand_output(as_of: date = AS_OF, n_payers: int = 3, n_rows: int = 3, buckets=("0-30", "31-60", "61-90", "91-120", "120+")):
    """A RefreshOutput made by hand, with outside text that looks like formulas."""
    header = list(table.WORKLIST_COLUMNS)
    rows = []
    for i in range(n_rows):
        row = {h: None for h in header}
        row.update({
            "#": i + 1, "Claim ID": FORMULA_TEXTS[i % 4], "Patient": f"Patient {i}", "Payer": "Aetna",
            "Next Action": "Call the payer", "Due": date(2026, 11, 20), "Days Overdue": 3, "At Stake": 125.5,
            "TF Risk": ["Critical", "High", "Watch", "OK"][i % 4], "Why": FORMULA_TEXTS[(i + 1) % 4],
        })
        rows.append([row[h] for h in header])
    payers = [f"Payer {k:02d}" for k in range(n_payers)]
    dash = Dashboard(
        buckets=list(buckets), payers=payers,
        dollars=[[100.0 * (k + 1)] * len(buckets) for k in range(n_payers)],
        counts=[[k + 1] * len(buckets) for k in range(n_payers)],
        kpis=[Kpi("Open AR", 1234.5, "money"), Kpi("AR over 90 days", 0.25, "percent", "share"),
              Kpi("Follow-ups overdue", 7, "count")],
    )
    return RefreshOutput(
        as_of=as_of, computed=[], worklist=Block(header, rows), dashboard=dash,
        payers=Block(["Payer", "File"], [["Aetna", "payers/aetna.yaml"], ["=cmd|' /C calc'!A0", "x.yaml"]]),
        rules_folder="C:\\claims\\rules", rules_problems=["rules/payers/aetna.yaml:3: '=bad' is not a period"],
        summary=Summary(claims=10, open=8, due_today=1, overdue=2, critical=1, data_issues=0),
    )


def snapshot(ws) -> dict:
    """Every cell's value and look, by coordinate."""
    return {
        c.coordinate: (c.value, c.data_type, c.number_format, c.font.b, c.font.i, c.fill.fgColor.rgb,
                       c.alignment.wrap_text, c.comment.text if c.comment else None)
        for row in ws.iter_rows() for c in row if c.value is not None or c.has_style
    }


# --- a new tracker ------------------------------------------------------------------------------------

def test_sheets_in_order_with_code_names(wb):
    assert wb.sheetnames == ["Worklist", "Claims", "Follow-up Log", "Dashboard", "Payers", "Settings", "How to"]
    assert [ws.sheet_properties.codeName for ws in wb.worksheets] == [
        "shWorklist", "shClaims", "shLog", "shDashboard", "shPayers", "shSettings", "shHowTo"]
    assert wb.code_name == "ThisWorkbook"
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", ws.sheet_properties.codeName) for ws in wb.worksheets)


def test_claims_table(wb):
    ws = wb["Claims"]
    t = ws.tables["Claims"]
    headers = [*INPUT_COLUMNS, *COMPUTED_COLUMNS]
    assert [c.name for c in t.tableColumns] == headers
    assert [c.value for c in ws[1]][: len(headers)] == headers
    assert t.ref == f"A1:{S.col_letter(len(headers))}2"
    assert t.tableStyleInfo.name.startswith("TableStyle")
    assert ws.freeze_panes == "B2"
    assert ws.column_dimensions["I"].width >= 10  # DOS
    dos = INPUT_COLUMNS.index("DOS") + 1
    billed = INPUT_COLUMNS.index("Billed") + 1
    assert ws.cell(2, dos).number_format == S.DATE_FORMAT
    assert ws.cell(2, billed).number_format == S.MONEY_FORMAT


def test_computed_headers_look_different(wb):
    ws = wb["Claims"]
    first_computed = len(INPUT_COLUMNS) + 1
    inp, comp = ws.cell(1, 1), ws.cell(1, first_computed)
    assert comp.value == COMPUTED_COLUMNS[0]
    assert comp.fill.fgColor.rgb != inp.fill.fgColor.rgb
    assert comp.font.i and not inp.font.i
    for c in range(first_computed, first_computed + len(COMPUTED_COLUMNS)):
        assert ws.cell(1, c).comment is not None
        assert ws.cell(1, c).comment.text == COMPUTED_NOTE
    assert ws.cell(1, 1).comment is None


def test_log_table_and_date_validation(wb):
    ws = wb["Follow-up Log"]
    t = ws.tables["FollowUpLog"]
    assert [c.name for c in t.tableColumns] == list(table.FOLLOWUP_LOG_COLUMNS)
    dates = [dv for dv in ws.data_validations.dataValidation if dv.type == "date"]
    ranges = " ".join(str(dv.sqref) for dv in dates)
    assert "A2:A5000" in ranges and "F2:F5000" in ranges


def _validation(ws, header: str):
    col = S.col_letter([c.value for c in ws[1]].index(header) + 1)
    for dv in ws.data_validations.dataValidation:
        if f"{col}2:{col}5000" in str(dv.sqref).split():
            return dv
    raise AssertionError(f"no validation on {header}")


def test_drop_downs(wb):
    ws = wb["Claims"]
    status = _validation(ws, "Status")
    assert status.type == "list"
    assert status.formula1.strip('"').split(",") == [s.value for s in Status]
    assert len(status.formula1.strip('"').split(",")) == 11
    assert _validation(ws, "Network").formula1 == '"In,Out"'
    assert _validation(ws, "Claim Type").formula1 == '"Professional,Institutional"'
    assert _validation(ws, "Channel").formula1 == '"Electronic,Paper"'
    assert _validation(ws, "Order").formula1 == '"Primary,Secondary"'
    payer = _validation(ws, "Payer")
    assert payer.formula1 == "PayerList" and payer.errorStyle == "information"
    assert _validation(ws, "DOS").type == "date"


def test_payer_list_and_defined_names(wb, rules):
    names = wb.defined_names
    assert names["PayerList"].attr_text == S.PAYER_LIST_FORMULA
    assert names["AsOfDate"].attr_text == "Settings!$B$2"
    assert names["RulesFolder"].attr_text == "Settings!$B$3"
    assert names["LookAheadDays"].attr_text == "Settings!$B$4"
    assert names["BackupsKept"].attr_text == "Settings!$B$5"
    ws = wb["Payers"]
    listed = [ws[f"Z{r}"].value for r in range(2, 2 + len(rules.payers) + 1)]
    assert listed == [p.name for p in (*rules.payers, rules.default)]
    assert ws.column_dimensions["Z"].hidden


def test_settings_sheet(wb, rules):
    ws = wb["Settings"]
    assert [ws.cell(r, 1).value for r in range(2, 6)] == [
        "As-of date", "Rules folder", "Worklist look-ahead days", "Backups kept"]
    assert ws["B4"].value == rules.settings.look_ahead_days
    assert ws["B5"].value == rules.settings.backups_kept
    assert all(len(ws.cell(r, 3).value) > 30 for r in range(2, 6))
    # The table layer reads the same rows.
    settings = table.tracker_settings(io.read_settings_rows(wb))
    assert settings.look_ahead_days == rules.settings.look_ahead_days


def test_conditional_formats(wb):
    ws = wb["Claims"]
    headers = [c.value for c in ws[1]]
    risk = S.col_letter(headers.index("TF Risk") + 1)
    overdue = S.col_letter(headers.index("Days Overdue") + 1)
    ranges = {str(cf.sqref): cf.rules for cf in ws.conditional_formatting}
    formulas = " ".join(f for r in ranges[f"{risk}2:{risk}5000"] for f in r.formula)
    for word in ("Expired", "Critical", "High", "Watch"):
        assert f'"{word}"' in formulas
    fills = {r.dxf.fill.fgColor.rgb[-6:] for r in ranges[f"{risk}2:{risk}5000"]}
    assert len(fills) == 3  # red, orange, yellow
    (rule,) = ranges[f"{overdue}2:{overdue}5000"]
    assert rule.operator == "greaterThan" and rule.formula == ["0"]


def test_dashboard_charts_reference_dashboard_cells(wb):
    ws = wb["Dashboard"]
    assert len(ws._charts) == 2
    refs = []
    for chart in ws._charts:
        assert chart.tagname == "barChart"
        for s in chart.series:
            refs.append(s.val.numRef.f.replace("'", ""))
            refs.append((s.cat.strRef or s.cat.numRef).f.replace("'", ""))
    assert refs and all(r.startswith("Dashboard!$") for r in refs)
    assert "Dashboard!$B$25:$F$25" in refs  # the "All payers" row, one bar per bucket
    assert ws[f"A{S.DASH_MONEY_ROW}"].value == "Payer"
    assert ws[f"A{S.DASH_MONEY_ROW + 1}"].value == S.ALL_PAYERS
    assert [ws.cell(S.DASH_MONEY_ROW, c).value for c in range(2, 8)] == ["0-30", "31-60", "61-90", "91-120", "120+", "Total"]


def test_print_setup_and_how_to(wb):
    for ws in wb.worksheets:
        assert ws.page_setup.paperSize in (1, "1")
    assert wb["Worklist"].page_setup.orientation == "landscape"
    assert wb["Worklist"].sheet_properties.pageSetUpPr.fitToPage
    text = " ".join(str(c.value) for c in wb["How to"]["A"] if c.value)
    for words in ("Worklist", "Follow-up Log", "refresh", "red", "orange", "yellow", "rules", "Data Issues"):
        assert words.lower() in text.lower()


def test_no_x14_content(saved_tracker):
    with zipfile.ZipFile(saved_tracker) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                assert b"x14" not in z.read(name), name


def test_sheets_module_is_pure():
    code = "import claimbook.sheets, sys; print('openpyxl' in sys.modules or 'xlwings' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "False"


# --- generated blocks -----------------------------------------------------------------------------------

def test_block_positions():
    out = hand_output(n_payers=25, n_rows=4)
    blocks = {b.key: b for b in S.generated_blocks(out)}
    assert blocks["worklist.table"].top_left == "A3"
    assert blocks["worklist.table"].values[0] == list(table.WORKLIST_COLUMNS)
    assert blocks["dash.asof"].top_left == "B2" and blocks["dash.asof"].values == [[AS_OF]]
    assert blocks["dash.kpis"].top_left == "A5" and blocks["dash.kpis"].values[1] == [1234.5, 0.25, 7]
    money = blocks["dash.dollars"]
    assert money.top_left == "A23" and blocks["dash.counts"].top_left == "A49"  # each under its title row
    assert money.values[0] == ["Open AR in dollars, by payer and age of claim (days)"]
    backlog = blocks["dash.backlog"]
    assert backlog.top_left == "A9" and len(backlog.values) == 1 + S.PLAN_ROWS + 2  # title, table, 2 notes
    assert backlog.clear_rows == S.DASH_MONEY_ROW - S.DASH_PLAN_ROW  # down to the dollars matrix's title
    assert len(money.values) == 1 + 1 + 1 + S.MAX_PAYER_ROWS  # 25 payers fold into 20 + "Other payers"
    assert money.values[-1][0] == S.OTHER_PAYERS
    assert money.values[-1][1] == pytest.approx(sum(100.0 * (k + 1) for k in range(20, 25)))
    assert money.values[2][0] == S.ALL_PAYERS
    assert money.values[2][-1] == pytest.approx(5 * sum(100.0 * (k + 1) for k in range(25)))
    assert money.clear_rows == S.DASH_COUNT_ROW - S.DASH_MONEY_ROW and money.clear_cols == S.MATRIX_COLS
    assert blocks["payers.table"].top_left == "A16"
    assert blocks["payers.list"].top_left == "Z1"
    assert blocks["payers.problems"].values == [["rules/payers/aetna.yaml:3: '=bad' is not a period"]]
    for b in blocks.values():  # every block is cleared over at least what it writes
        assert b.clear_rows >= len(b.values) and all(b.clear_cols >= len(r) for r in b.values)


def test_many_problems_are_cut_with_a_pointer():
    blocks = S.payers_blocks(Block(["Payer"], []), "rules", [f"problem {i}" for i in range(15)])
    lines = next(b for b in blocks if b.key == "payers.problems").values
    assert len(lines) == S.MAX_PROBLEM_LINES
    assert "6 more" in lines[-1][0]


def test_chart_ranges():
    r = S.chart_ranges(5)
    assert r.age_categories == "$B$24:$F$24" and r.age_values == "$B$25:$F$25"
    assert r.payer_categories == "$A$26:$A$46"  # every payer row, used or not: right for both edges
    assert r.payer_series[0] == ("$B$24", "$B$26:$B$46") and len(r.payer_series) == 5


def test_formula_looking_text_stays_text(rules, tmp_path):
    wb = new_tracker(rules, as_of=AS_OF)
    write_generated(wb, hand_output(), rules)
    path = tmp_path / "t.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        sheet_files = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = b"".join(z.read(n) for n in sheet_files).decode()
    assert "<f>" not in xml and "<f " not in xml
    for text in ("=HYPERLINK", "+1 555 0100", "@SUM(A1:A9)", "=1+1", "=cmd|"):
        assert text in xml.replace("&quot;", '"').replace("&amp;", "&")
    back = openpyxl.load_workbook(path)
    cell = back["Worklist"]["B4"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


def test_write_generated_twice_is_identical(rules):
    wb = new_tracker(rules, as_of=AS_OF)
    write_generated(wb, hand_output(), rules)
    first = {name: snapshot(wb[name]) for name in ("Worklist", "Dashboard", "Payers")}
    write_generated(wb, hand_output(), rules)
    second = {name: snapshot(wb[name]) for name in ("Worklist", "Dashboard", "Payers")}
    assert first == second
    assert len(wb["Dashboard"]._charts) == 2


def test_fast_block_writer_matches_put(rules):
    """The block writer's shortcuts give the cells ``put`` gives: text as text, numbers, dates, booleans."""
    from claimbook.workbook import layout

    wb = new_tracker(rules, as_of=AS_OF)
    values = [["Head", 7, "=1+1", date(2026, 1, 2), True, Status.PAID, 2.5, None],
              ["text", 8, "=SUM(A1)", date(2026, 1, 3), False, Status.DENIED, 3.5, "#N/A"]]
    fmts = (None, S.INT_FORMAT, None, S.DATE_FORMAT, None, None, S.MONEY_FORMAT, None)
    block = S.SheetBlock("Payers", "C40", values, 2, 8, key="test", col_formats=fmts)
    with io.us_date_defaults():
        layout._write_blocks(wb, [block])
    ws = wb.create_sheet("Reference")
    styles = [layout._style_array(ws, fmt=f) for f in fmts]
    with io.us_date_defaults():
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                cell = layout.put(ws, 40 + i, 3 + j, v)
                if cell is not None and styles[j] is not None and (i or not isinstance(v, str)):
                    cell._style = copy.copy(styles[j])
    got = {k: (c.value, c.data_type, c.number_format, c._style) for k, c in wb["Payers"]._cells.items() if k[0] >= 40}
    want = {k: (c.value, c.data_type, c.number_format, c._style) for k, c in ws._cells.items()}
    assert got == want
    assert wb["Payers"]["E41"].data_type == "s" and wb["Payers"]["F41"].number_format == S.DATE_FORMAT
    assert wb["Payers"]._cells[(40, 4)]._style is not wb["Payers"]._cells[(41, 4)]._style  # copies, not shared


def test_block_corners_are_parsed_once():
    b = S.SheetBlock("Worklist", "AB12", [[1]], 1, 1)
    assert (b.row, b.col) == (12, 28)
    assert b.__dict__["row"] == 12  # cached on the block


def test_payers_heading_names_the_as_of_date(rules):
    wb = new_tracker(rules, as_of=AS_OF)
    assert f"{AS_OF:%m/%d/%Y}" in wb["Payers"][S.PAYERS_HEADING_CELL].value
    later = date(2027, 2, 1)
    write_generated(wb, hand_output(as_of=later), rules)
    heading = wb["Payers"][S.PAYERS_HEADING_CELL]
    assert heading.value.startswith("Rules in force on 02/01/2027") and heading.font.b
    ws = wb["Payers"]
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows.replace("$", "") == f"{S.PAYERS_TABLE_ROW}:{S.PAYERS_TABLE_ROW}"


def test_worklist_status_says_what_todays_share_is(rules, tmp_path):
    output = demo_tracker(tmp_path / "demo.xlsx", rules, n=80)
    ws = openpyxl.load_workbook(tmp_path / "demo.xlsx")["Worklist"]
    n = len(output.worklist.rows)
    assert n > 1 and [r[0] for r in output.worklist.rows] == list(range(1, n + 1))
    status = ws[S.WORKLIST_STATUS_CELL].value
    assert status.startswith(f"As of 11/23/2026: today's share is {n} claims, numbered 1 to {n} in the order to "
                             "work them (about ")
    assert "at 3 hours a day; Settings: Follow-up work per day)." in status
    footer = ws.cell(S.worklist_footer_row(n), 1).value
    assert footer.startswith(f"That is today's share. {output.plan.waiting} more claims due by 11/30/2026 wait "
                             "their turn: at this pace they come up over the next ")


def test_how_to_names_the_ribbon_and_the_commands(wb):
    text = " ".join(str(c.value) for c in wb["How to"]["A"] if c.value)
    for words in ("Refresh priorities", "Claims tab", "Check rules", "Open rules folder", "Explain claim",
                  "Log follow-up", "Import remittance", "Help", "claimbook refresh ClaimTracker.xlsm",
                  "claimbook import", "835", "277", "CSV"):
        assert words in text, words
    assert "ClaimTracker.xlsx" not in text and "Refresh button" not in text


def test_claims_sheet_prints_with_titles(wb):
    ws = wb["Claims"]
    assert ws.page_setup.orientation == "landscape" and ws.freeze_panes == "B2"
    assert ws.print_title_rows.replace("$", "") == "1:1" and ws.print_title_cols.replace("$", "") == "A:A"


def test_write_generated_clears_what_a_longer_run_left(rules):
    wb = new_tracker(rules, as_of=AS_OF)
    write_generated(wb, hand_output(n_payers=8, n_rows=30), rules)
    write_generated(wb, hand_output(n_payers=2, n_rows=2), rules)
    ws = wb["Worklist"]
    assert ws["A5"].value == 2 and ws["A6"].value is None and ws["B30"].value is None
    dash = wb["Dashboard"]
    assert dash[f"A{S.DASH_MONEY_ROW + 3}"].value == "Payer 01"
    assert dash[f"A{S.DASH_MONEY_ROW + 4}"].value is None
    (payer_chart,) = [c for c in dash._charts if c.type == "bar"]
    assert payer_chart.series[0].cat.strRef.f.replace("'", "") == "Dashboard!$A$26:$A$46"


def test_charts_follow_the_bucket_count(rules):
    wb = new_tracker(rules, as_of=AS_OF)
    write_generated(wb, hand_output(buckets=("0-30", "31-60", "61-90", "90+")), rules)
    (age_chart,) = [c for c in wb["Dashboard"]._charts if c.type == "col"]
    assert age_chart.series[0].val.numRef.f.replace("'", "") == "Dashboard!$B$25:$E$25"


def test_write_generated_with_real_pipeline(rules, tmp_path):
    output = demo_tracker(tmp_path / "demo.xlsx", rules, n=80)
    back = openpyxl.load_workbook(tmp_path / "demo.xlsx")
    ws = back["Worklist"]
    assert [c.value for c in ws[S.WORKLIST_HEADER_ROW]][: len(table.WORKLIST_COLUMNS)] == list(table.WORKLIST_COLUMNS)
    assert ws.cell(S.WORKLIST_HEADER_ROW + len(output.worklist.rows), 2).value == output.worklist.rows[-1][1]
    dash = back["Dashboard"]
    assert dash["B2"].value.date() == AS_OF
    assert dash["B3"].value == output.summary.line()
    assert dash[f"G{S.DASH_MONEY_ROW + 1}"].value == pytest.approx(
        sum(sum(r) for r in output.dashboard.dollars), abs=0.05)


# --- a practice's own workbook --------------------------------------------------------------------------

def practice_workbook(with_table: bool):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Claims"
    ws.sheet_properties.codeName = "Sheet1"
    header = ["Our notes", "Date of Service", "Insurance", "Claim #", "Patient Name", "Billed Amount", "Flag"]
    rows = [
        ["call back", date(2026, 9, 1), "Aetna", "A-1", "Ann Lee", 120.0, "x"],
        ["=1+1", date(2026, 8, 15), "Medicare", "A-2", "Bo Chan", 90.5, None],
        [None, "8/3/26", "Cigna", "00123", "Cy Diaz", "75", "y"],
    ]
    ws.append(header)
    for r in rows:
        ws.append(r)
    ws["A1"].font = openpyxl.styles.Font(bold=True)
    ws["B2"].number_format = "d-mmm-yy"
    ws["A3"].value = "=1+1"  # a user's own formula stays a formula
    if with_table:
        from openpyxl.worksheet.table import Table

        ws.add_table(Table(displayName="Claims", ref="A1:G4"))
    other = wb.create_sheet("Notes")
    other["A1"] = "keep me"
    return wb


@pytest.mark.parametrize("with_table", [False, True])
def test_ensure_tracker_on_practice_workbook(rules, tmp_path, with_table):
    original = tmp_path / "original.xlsx"
    practice_workbook(with_table).save(original)
    before = {name: snapshot(openpyxl.load_workbook(original)[name]) for name in ("Claims", "Notes")}
    wb = openpyxl.load_workbook(original)
    lines = ensure_tracker(wb, rules)
    assert any("13 claimbook columns" in line and "H to T" in line for line in lines)
    for name in ("Worklist", "Follow-up Log", "Dashboard", "Payers", "Settings", "How to"):
        assert f"Added the '{name}' sheet." in lines
    ws = wb["Claims"]
    assert [ws.cell(1, c).value for c in range(8, 21)] == list(COMPUTED_COLUMNS)
    assert ws.cell(1, 8).comment.text == COMPUTED_NOTE
    path = tmp_path / "practice.xlsx"
    wb.save(path)
    back = openpyxl.load_workbook(path)
    user_cols = {k: v for k, v in snapshot(back["Claims"]).items() if S.split_cell(k)[0] <= 7}
    assert user_cols == before["Claims"]
    assert snapshot(back["Notes"]) == before["Notes"]
    assert back["Claims"]["A3"].data_type == "f"
    assert back["Claims"].sheet_properties.codeName == "Sheet1"  # the user's own sheet keeps its codeName
    if with_table:
        t = back["Claims"].tables["Claims"]
        assert t.ref == "A1:T4"
        assert [c.name for c in t.tableColumns][7:] == list(COMPUTED_COLUMNS)
    assert "PayerList" in back.defined_names
    assert len(back["Dashboard"]._charts) == 2
    # The table layer now finds everything it needs.
    place = io.find_claims(back)
    assert set(table.map_computed_columns(place.header())) == set(COMPUTED_COLUMNS)
    # A second run has nothing to add.
    assert ensure_tracker(back, rules) == []


def test_ensure_tracker_under_a_title_row(rules):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Claims"
    ws["A1"] = "Dr. Smith's claims 2026"
    ws.append([])
    ws.append(["DOS", "Claim ID", "Payer"])
    ws.append([date(2026, 9, 1), "C1", "Aetna"])
    lines = ensure_tracker(wb, rules)
    assert ws["D3"].value == "Age" and ws["A1"].value == "Dr. Smith's claims 2026"
    assert lines[0].startswith("Added 13 claimbook columns")


def test_ensure_tracker_refuses_missing_columns_and_changes_nothing(rules):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Claims"
    ws.append(["Claim ID", "Patient", "DOS"])
    ws.append(["C1", "Ann", date(2026, 1, 5)])
    with pytest.raises(MissingColumnsError, match="Payer"):
        ensure_tracker(wb, rules)
    assert wb.sheetnames == ["Claims"]
    assert ws.max_column == 3


def test_ensure_tracker_on_new_tracker_adds_nothing(rules):
    assert ensure_tracker(new_tracker(rules, as_of=AS_OF), rules) == []


# --- claimbook init ---------------------------------------------------------------------------------------

def test_init_creates_tracker_and_rules(tmp_path, capsys):
    from claimbook.cli import main

    target = tmp_path / "office"
    assert main(["init", str(target)]) == 0
    tracker = target / "ClaimTracker.xlsm"
    assert tracker.is_file()
    assert (target / "rules" / "settings.yaml").is_file()
    assert any((target / "rules" / "payers").glob("*.yaml"))
    out = capsys.readouterr().out
    assert "Next steps" in out and "claimbook refresh" in out
    wb = openpyxl.load_workbook(tracker, keep_vba=True)
    assert wb.sheetnames[0] == "Worklist" and "Claims" in wb["Claims"].tables
    with zipfile.ZipFile(tracker) as z:  # the macro-enabled template, ribbon and all
        assert {"xl/vbaProject.bin", "customUI/customUI.xml"} <= set(z.namelist())
    load_rules(target / "rules")  # the copy loads


def test_init_refuses_to_overwrite(tmp_path, capsys):
    from claimbook.cli import main

    (tmp_path / "rules").mkdir()
    assert main(["init", str(tmp_path)]) == ClaimbookError.exit_code
    err = capsys.readouterr().err
    assert "already exist" in err and "rules" in err
    assert not (tmp_path / "ClaimTracker.xlsm").exists()


def test_a_passed_appeal_deadline_is_shown_in_red_on_the_worklist_and_claims(tmp_path):
    import openpyxl

    from claimbook.cli import main

    out = tmp_path / "demo.xlsx"
    folder = tmp_path / "rules"  # a pace that puts every claim due by the look-ahead on today's Worklist
    shutil.copytree(default_rules_dir(), folder)
    settings = folder / "settings.yaml"
    settings.write_text(settings.read_text().replace("per_day: 3 hours", "per_day: 1000 claims"))
    assert main(["demo", "--as-of", "2026-11-23", "--out", str(out), "--rules", str(folder)]) == 0
    wb = openpyxl.load_workbook(out)
    for name, header_row in ((S.WORKLIST, S.WORKLIST_HEADER_ROW), ("Claims", 1)):
        ws = wb[name]
        header = [c.value for c in ws[header_row]]
        appeal, action = (S.col_letter(header.index(h) + 1) for h in ("Appeal Deadline", "Next Action"))
        rules = [(str(rng.sqref), r.formula[0], r.dxf.font.color.rgb)
                 for rng, rs in ws.conditional_formatting._cf_rules.items()
                 for r in rs if r.formula and str(r.formula[0]).startswith(f"AND(ISNUMBER(${appeal}")]
        assert len(rules) == 1
        rng, formula, color = rules[0]
        marker = "Priority" if "Priority" in header else "#"  # the Worklist's "#": every row is an open claim
        rank = S.col_letter(header.index(marker) + 1)
        # Values only: the date, the claim's priority (open claims) and the refresh's as-of date on the Dashboard.
        assert rng.startswith(f"{appeal}{header_row + 1}:") and f"ISNUMBER(${rank}{header_row + 1})" in formula
        assert "Dashboard!$B$2" in formula and "LEFT(" not in formula
        assert color.endswith("C00000")
        as_of = wb[S.DASHBOARD][S.DASH_ASOF_CELL].value.date()
        red = {row[header.index("Claim ID")] for row in ws.iter_rows(min_row=header_row + 1, values_only=True)
               if row[header.index(marker)] and row[header.index("Appeal Deadline")]
               and row[header.index("Appeal Deadline")].date() < as_of}
        passed = [row for row in ws.iter_rows(min_row=header_row + 1, values_only=True)
                  if str(row[header.index("Next Action")] or "").startswith("Appeal deadline passed")]
        assert {row[header.index("Claim ID")] for row in passed} <= red  # every claim the engine says it of
        assert passed and all(row[header.index("Appeal Deadline")] for row in passed)
