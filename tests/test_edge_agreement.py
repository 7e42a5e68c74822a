"""Same answers whichever file edge writes the tracker (issue 15).

Each tracker is refreshed (or imported into) twice, from two identical copies: once through today's openpyxl
edge named explicitly (``claimbook.app.refresh.refresh(FileEdge(path))``, which saves) and once through the
command line's front door (``refresh_file`` / ``importer.import_files``, which picks the edge). Read back
with openpyxl, the Claims, Worklist, Dashboard and Payers sheets (and every other sheet) must hold the same
cells: every value and its type (a date stays a date, text that looks like a formula stays text). No cell
is left out: those sheets carry no time stamp (the Dashboard's B3 is the summary line), so two refreshes
on the same as-of date write the same cells. The Import Log's time stamps are the only values that
differ, and only in value, not in place or type; an empty string counts as an empty cell.

For the front door's result a user must also see dates, not serial numbers, in the computed date columns
of the Claims sheet, and the Worklist's color rules must reach every row written.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils.cell import range_boundaries

from claimbook import sheets, table
from claimbook.cli import main
from claimbook.imports.report import IMPORT_LOG_SHEET
from claimbook.rules.loader import load_rules
from claimbook.sample import sample_claims
from claimbook.workbook import io
from tests.test_data_safety import plain_claims_sheet
from tests.test_refresh import AS_OF, REPO, make_tracker, make_xlsm
from tests.xlwings_openpyxl.tracker import write_tracker

NEXT_DAY = AS_OF + timedelta(days=1)  # a next-day refresh of a tracker refreshed on AS_OF
COMPARED = (sheets.CLAIMS, sheets.WORKLIST, sheets.DASHBOARD, sheets.PAYERS)
DATE_COLUMNS = ("Follow-up Date", "TF Deadline", "Appeal Deadline")  # the computed columns that hold dates


@pytest.fixture(scope="module")
def rules():
    return load_rules()


# --- the two ways, and what a user sees ------------------------------------------------------------------

def refresh_by_openpyxl_edge(path: Path, as_of: date):
    from claimbook.app.refresh import refresh
    from claimbook.workbook.edge import FileEdge

    return refresh(FileEdge(path), as_of=as_of).output


def refresh_by_front_door(path: Path, as_of: date):
    from claimbook.workbook.refresh import refresh_file

    return refresh_file(path, as_of=as_of)


def import_by_openpyxl_edge(path: Path, csv: Path, as_of: date):
    from claimbook.app.importing import import_files
    from claimbook.workbook.edge import FileEdge

    return import_files(FileEdge(path), [csv], as_of=as_of)[1].output


def import_by_front_door(path: Path, csv: Path, as_of: date):
    from claimbook.workbook.importer import import_files

    return import_files([csv], path, as_of=as_of)[1]


def cells(wb, names=COMPARED) -> dict[str, dict[str, tuple]]:
    """Every non-empty cell of these sheets: coordinate -> (value, openpyxl data type). An empty string is no
    entry (a user sees an empty cell); the Import Log's time stamps are "<time>" (an import is stamped with
    the time it ran)."""
    assert set(names) <= set(wb.sheetnames), wb.sheetnames
    return {name: {cell.coordinate: ("<time>" if name == IMPORT_LOG_SHEET and isinstance(cell.value, datetime)
                                     else cell.value, cell.data_type)
                   for cell in wb[name]._cells.values() if cell.value not in (None, "")}
            for name in names}


def shape(wb) -> tuple:
    """The sheet names in order and the Claims table's range (an import grows it)."""
    place = io.find_claims(wb)
    return wb.sheetnames, (place.header_row, place.last_row, place.first_col, place.last_col)


def assert_same(a, b) -> None:
    """Workbooks ``a`` (the openpyxl edge's) and ``b`` (the front door's) have the same sheets and hold the
    same cells on every one of them: the four claimbook writes first, then the others (Settings, Follow-up
    Log, How to, Import Log, a practice's own sheets), which it reads or adds to."""
    assert shape(a) == shape(b)
    names = list(COMPARED) + [n for n in a.sheetnames if n not in COMPARED]
    got_a, got_b = cells(a, names), cells(b, names)
    for name in names:
        only_a = {k: v for k, v in got_a[name].items() if got_b[name].get(k) != v}
        only_b = {k: v for k, v in got_b[name].items() if got_a[name].get(k) != v}
        assert only_a == only_b == {}, f"{name}: openpyxl edge {dict(list(only_a.items())[:8])} vs " \
                                       f"front door {dict(list(only_b.items())[:8])}"
        if name in COMPARED:
            assert got_a[name], f"{name} is empty"  # a comparison of nothing would prove nothing


def assert_dates_look_like_dates(wb) -> int:
    """The computed date columns on Claims hold dates in a date format. Returns how many date cells."""
    place = io.find_claims(wb)
    cols = table.map_computed_columns(place.header())
    seen = 0
    for header in DATE_COLUMNS:
        col = place.first_col + cols[header]
        for r in range(place.first_data_row, place.last_row + 1):
            cell = place.ws.cell(r, col)
            if cell.value is None:
                continue
            assert isinstance(cell.value, datetime) and is_date_format(cell.number_format), \
                f"{header} {cell.coordinate}: {cell.value!r} shown as {cell.number_format!r}"
            seen += 1
    return seen


def assert_worklist_colors_cover_rows(wb, n_rows: int) -> None:
    """Every conditional format on the Worklist reaches from its first data row to the last row written."""
    ws = wb[sheets.WORKLIST]
    first, last = sheets.WORKLIST_HEADER_ROW + 1, sheets.WORKLIST_HEADER_ROW + n_rows
    if n_rows:
        assert ws.cell(last, 1).value is not None and ws.cell(last + 1, 1).value in (None, ""), \
            "the Worklist does not end where the refresh said"
    ranges = [str(rng) for cf in ws.conditional_formatting for rng in cf.sqref.ranges]
    assert len(ranges) >= 3, ranges  # TF Risk, Days Overdue, Appeal Deadline
    for rng in ranges:
        _c1, r1, _c2, r2 = range_boundaries(rng)
        assert r1 <= first and r2 >= last, f"Worklist color rule {rng} does not cover rows {first}-{last}"


# --- the trackers ----------------------------------------------------------------------------------------

def demo(folder: Path, rules) -> Path:
    path = folder / "ClaimTracker.xlsm"
    assert main(["demo", "--as-of", AS_OF.isoformat(), "--out", str(path)]) == 0
    return path


def new_tracker_with_claims(folder: Path, rules) -> Path:
    path = make_tracker(folder / "Tracker.xlsx", rules, n=60)
    refresh_by_openpyxl_edge(path, AS_OF)  # in use: refreshed yesterday
    return path


def macro_tracker(folder: Path, rules) -> Path:
    return make_xlsm(folder / "Tracker.xlsm", rules, n=40)


def plain_claims(folder: Path, rules) -> Path:
    return plain_claims_sheet(folder / "Plain.xlsx", n=50)


def hostile_cells(folder: Path, rules) -> Path:
    H = [c.header for c in table.INPUT_COLUMNS]

    def row(**kw):
        out = [None] * len(H)
        for k, v in kw.items():
            out[H.index(k)] = v
        return out

    extra = [
        row(**{"Claim ID": "H1", "Payer": "Medicare", "DOS": "#N/A", "Billed": "#VALUE!", "Notes": "N" * 32767}),
        row(**{"Claim ID": "H2", "Payer": "Aetna", "DOS": "yesterday", "Billed": "lots", "Paid": "-5",
               "Status": "Piad"}),
        [None] * len(H),
        row(**{"Claim ID": "H3", "Payer": "Medicare & Co <x>", "DOS": "=DATE(2026,1,5)", "Billed": "=100*2",
               "Notes": "=HYPERLINK(\"http://x\")"}),
        row(**{"Claim ID": "H4", "Payer": "=cmd|' /C calc'!A0", "DOS": date(2026, 1, 5), "Billed": 10.0,
               "Patient": "Zoë  O'Brien\u00a0\"Jr\"", "Notes": "@SUM(A1)\nsecond line"}),
        row(**{"Claim ID": "H7", "Payer": "Aetna", "DOS": date(9999, 12, 31), "Docs Due": date(9999, 12, 31),
               "Status": "Docs Requested", "Submitted": date(2026, 1, 9)}),
        row(**{"Claim ID": "0042", "Payer": "Aetna", "DOS": date(2026, 1, 5)}),
        row(**{"Claim ID": "42", "Payer": "Aetna", "DOS": date(2026, 1, 6)}),
    ]
    return make_tracker(folder / "Tracker.xlsx", rules, n=20, extra_rows=extra)


def with_follow_up_log(folder: Path, rules) -> Path:
    claims = sample_claims(AS_OF, n=30)
    log = [[datetime(2026, 2, 20 + i), c.claim_id, "Called payer", ("In process", "Denied", "Need records")[i % 3],
            f"REF-{i}", datetime(2026, 3, 3 + 2 * i) if i % 2 else None, "AB"]
           for i, c in enumerate(claims[:8])]
    return write_tracker(folder / "ClaimTracker.xlsx", rules, claims, None, "", log_rows=log)


def with_rules_folder(folder: Path, rules) -> Path:
    shutil.copytree(REPO / "rules", folder / "myrules")
    return write_tracker(folder / "ClaimTracker.xlsx", rules, sample_claims(AS_OF, n=30), None, "myrules")


TRACKERS = [demo, new_tracker_with_claims, macro_tracker, plain_claims, hostile_cells, with_follow_up_log,
            with_rules_folder]


def two_copies(tmp_path: Path, rules, make) -> tuple[Path, Path]:
    """The same tracker twice, side by side (so a rules folder beside it is the same folder for both)."""
    made = make(tmp_path, rules)
    for p in tmp_path.glob("*.backup-*"):
        p.unlink()
    old = made.with_name(f"{made.stem} openpyxl{made.suffix}")
    new = made.with_name(f"{made.stem} front{made.suffix}")
    shutil.copy2(made, old)
    made.rename(new)
    return old, new


# --- the tests -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("make", TRACKERS, ids=[f.__name__ for f in TRACKERS])
def test_a_refresh_writes_the_same_cells_through_either_edge(tmp_path, rules, make):
    old, new = two_copies(tmp_path, rules, make)

    by_old = refresh_by_openpyxl_edge(old, NEXT_DAY)
    by_new = refresh_by_front_door(new, NEXT_DAY)

    assert by_new.summary == by_old.summary and by_new.summary.claims > 0
    assert by_new.rules_folder == by_old.rules_folder
    if make is with_rules_folder:  # the Settings sheet's rules folder was the one used, both ways
        assert Path(by_new.rules_folder).resolve() == (tmp_path / "myrules").resolve()
    wb_old, wb_new = openpyxl.load_workbook(old), openpyxl.load_workbook(new)
    assert_same(wb_old, wb_new)
    if make is not plain_claims:  # the plain sheet's claims have no dates to compute
        assert assert_dates_look_like_dates(wb_new) > 0
    assert_worklist_colors_cover_rows(wb_new, len(by_new.worklist.rows))


def test_an_import_writes_the_same_cells_through_either_edge(tmp_path, rules):
    old, new = two_copies(tmp_path, rules, new_tracker_with_claims)
    ids = [c.claim_id for c in sample_claims(AS_OF, n=60)]
    csv = tmp_path / "export.csv"
    csv.write_text("Claim #,Insurance,Date of Service,Charges,Status,Pt Resp,CARC,Notes\n"
                   f"{ids[0]},,,,Paid,12.50,,paid in full\n"
                   f"{ids[1]},,,,Denied,,CO 50,\"denied, not necessary\"\n"
                   f"{ids[2]},,02/01/2026,,,,,\n"
                   "NEW-1,Medicare,03/01/2026,\"$1,200.00\",sent,,,new\n"
                   "NEW-2,Aetna,2026-02-20,80,Denied,,CO 50,=1+1\n"
                   ",Aetna,2026-02-20,80,Denied,,,no id\n", encoding="utf-8")

    by_old = import_by_openpyxl_edge(old, csv, NEXT_DAY)
    by_new = import_by_front_door(new, csv, NEXT_DAY)

    assert by_new.summary == by_old.summary and by_new.summary.claims == 62
    wb_old, wb_new = openpyxl.load_workbook(old), openpyxl.load_workbook(new)
    assert_same(wb_old, wb_new)  # the Import Log too, but for its time stamps
    log = cells(wb_new, (IMPORT_LOG_SHEET,))[IMPORT_LOG_SHEET].values()
    assert ("NEW-1", "s") in log and ("<time>", "d") in log
    assert assert_dates_look_like_dates(wb_new) > 0
    assert_worklist_colors_cover_rows(wb_new, len(by_new.worklist.rows))
