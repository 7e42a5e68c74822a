"""``claimbook refresh`` on real workbook files: user cells, macros and ribbon survive; saves are atomic."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from claimbook import table
from claimbook.cli import main
from claimbook.errors import MissingColumnsError, TrackerError
from claimbook.rules.loader import load_rules
from claimbook.sample import sample_claims
from claimbook.workbook import io, refresh_file

AS_OF = date(2026, 3, 2)
REPO = Path(__file__).resolve().parent.parent
GENERATED = {"Worklist", "Dashboard", "Payers"}
RIBBON = (b'<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui"><ribbon><tabs>'
          b'<tab id="cb" label="claimbook"><group id="g" label="Claims"><button id="r" label="Refresh" '
          b'imageMso="Refresh" onAction="RefreshClick"/></group></tab></tabs></ribbon></customUI>')
UI_REL = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


@pytest.fixture(scope="module")
def rules():
    return load_rules()


# --- building trackers ---------------------------------------------------------------------------------

def fill_tracker(wb, claims, extra_rows=()):
    from claimbook.workbook.demo import fill_claims

    fill_claims(wb, claims, extra_rows)
    return io.find_claims(wb)


def make_tracker(path: Path, rules, n=60, extra_rows=()) -> Path:
    from claimbook.workbook.layout import new_tracker

    wb = new_tracker(rules, as_of=AS_OF)
    fill_tracker(wb, sample_claims(AS_OF, n=n), extra_rows)
    wb.save(path)
    return path


def vba_binary() -> bytes:
    import xlwings

    src = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"
    with zipfile.ZipFile(src) as z:
        return z.read("xl/vbaProject.bin")


def make_xlsm(path: Path, rules, n=40) -> Path:
    """A tracker saved by openpyxl, turned into a macro workbook with a real VBA project and a ribbon."""
    plain = path.with_suffix(".xlsx")
    make_tracker(plain, rules, n)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b"</Types>", b'<Override PartName="/xl/vbaProject.bin" '
                                    b'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Id="rIdVba" Type="{VBA_REL}" '
                                    f'Target="vbaProject.bin"/></Relationships>'.encode())
            elif info.filename == "_rels/.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Id="rIdUI" Type="{UI_REL}" '
                                    f'Target="customUI/customUI.xml"/></Relationships>'.encode())
            dst.writestr(info.filename, data)
        dst.writestr("xl/vbaProject.bin", vba_binary())
        dst.writestr("customUI/customUI.xml", RIBBON)
    plain.unlink()
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def user_cells(path: Path) -> dict:
    """Every cell a user owns: all sheets but the generated ones, minus claimbook's computed columns."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if ws.title in GENERATED:
            continue
        skip = set()
        if ws.title == "Claims":
            place = io.find_claims(wb)
            skip = {place.first_col + i for i in table.map_computed_columns(place.header()).values()}
        for (r, c), cell in ws._cells.items():
            if c in skip and r > 1:
                continue
            if cell.value is not None:
                out[(ws.title, r, c)] = (cell.value, cell.data_type)
    return out


def computed_by_id(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    place = io.find_claims(wb)
    block = io.read_block(place)
    cols = table.map_computed_columns(block.header)
    idc = table.map_input_columns(block.header)["claim_id"]
    return {r[idc]: tuple(r[cols[h]] for h in table.COMPUTED_COLUMNS) for r in block.rows if r[idc]}


def fingerprint(path: Path):
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns


# --- round trip, alignment, idempotence -----------------------------------------------------------------

def test_refresh_keeps_every_user_cell(tmp_path, rules):
    path = make_tracker(tmp_path / "Tracker.xlsx", rules)
    before = user_cells(path)
    out = refresh_file(path, as_of=AS_OF)
    assert out.summary.claims == 60
    assert user_cells(path) == before
    got = computed_by_id(path)
    assert len(got) == 60 and all(v[table.COMPUTED_COLUMNS.index("Age")] is not None for v in got.values())


def test_refresh_writes_values_users_see(tmp_path, rules):
    path = make_tracker(tmp_path / "Tracker.xlsx", rules)
    out = refresh_file(path, as_of=AS_OF)
    wb = openpyxl.load_workbook(path)
    place = io.find_claims(wb)
    cols = table.map_computed_columns(place.header())
    ws = place.ws
    risks = {ws.cell(r, place.first_col + cols["TF Risk"]).value for r in range(2, 62)}
    assert risks <= {None, "Expired", "Critical", "High", "Watch", "OK", "Met"}
    assert all(ws.cell(r, place.first_col + cols["Follow-up Date"]).is_date for r in range(2, 62)
               if ws.cell(r, place.first_col + cols["Follow-up Date"]).value is not None)
    prios = [ws.cell(r, place.first_col + cols["Priority"]).value for r in range(2, 62)]
    assert 0 not in prios
    assert out.worklist.rows and wb["Worklist"]["A2"].value


def test_sort_then_refresh_keeps_results_on_their_rows(tmp_path, rules):
    path = make_tracker(tmp_path / "Tracker.xlsx", rules)
    refresh_file(path, as_of=AS_OF)
    first = computed_by_id(path)
    # The user sorts the table by Payer, descending (whole rows move, computed columns included).
    wb = openpyxl.load_workbook(path)
    place = io.find_claims(wb)
    block = io.read_block(place)
    payer = table.map_input_columns(block.header)["payer"]
    rows = sorted(block.rows, key=lambda r: (str(r[payer]), str(r[0])), reverse=True)
    for i, values in enumerate(rows):
        for j, v in enumerate(values):
            io.put(place.ws, place.first_data_row + i, place.first_col + j, v)
    wb.save(path)
    refresh_file(path, as_of=AS_OF)
    assert computed_by_id(path) == first


def test_two_refreshes_give_identical_files(tmp_path, rules):
    path = make_tracker(tmp_path / "Tracker.xlsx", rules)
    refresh_file(path, as_of=AS_OF)
    once = parts(path)
    refresh_file(path, as_of=AS_OF)
    twice = parts(path)
    assert once.keys() == twice.keys()
    for name in once:
        assert once[name] == twice[name], name
    raw = path.read_bytes()
    refresh_file(path, as_of=AS_OF)
    assert path.read_bytes() == raw  # stable zip timestamps: byte-identical


def test_xlsm_keeps_vba_and_ribbon_byte_for_byte(tmp_path, rules):
    path = make_xlsm(tmp_path / "Tracker.xlsm", rules)
    before = parts(path)
    refresh_file(path, as_of=AS_OF)
    after = parts(path)
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"] == vba_binary()
    assert after["customUI/customUI.xml"] == RIBBON
    assert UI_REL.encode() in after["_rels/.rels"] and b"customUI/customUI.xml" in after["_rels/.rels"]
    assert VBA_REL.encode() in after["xl/_rels/workbook.xml.rels"]
    assert b"macroEnabled" in after["[Content_Types].xml"]
    refresh_file(path, as_of=AS_OF)
    again = parts(path)
    assert again == after


def test_missing_computed_columns_are_added_and_the_table_extended(tmp_path, rules):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Claims"
    ws.append(["Claim #", "Insurance", "Date of Service", "Charges", "Status", "My column"])
    ws.append(["X1", "Medicare", date(2026, 1, 5), 120.0, "sent", "keep me"])
    ws.append(["X2", "Aetna", "2/1/2026", "$80", "Denied", "me too"])
    from openpyxl.worksheet.table import Table

    ws.add_table(Table(displayName="Claims", ref="A1:F3"))
    path = tmp_path / "Own.xlsx"
    wb.save(path)
    refresh_file(path, as_of=AS_OF)
    wb = openpyxl.load_workbook(path)
    ws = wb["Claims"]
    t = ws.tables["Claims"]
    assert t.ref == f"A1:{openpyxl.utils.get_column_letter(6 + len(table.COMPUTED_COLUMNS))}3"
    assert [c.name for c in t.tableColumns][6:] == list(table.COMPUTED_COLUMNS)
    assert ws["F2"].value == "keep me" and ws["G1"].value == "Age" and ws["G2"].value is not None
    for name in ("Worklist", "Dashboard", "Payers", "Settings"):
        assert name in wb.sheetnames


# --- refused files leave the file untouched -------------------------------------------------------------

def _refused(path: Path, fragment: str, capsys=None):
    before = fingerprint(path)
    with pytest.raises(TrackerError) as err:
        refresh_file(path, as_of=AS_OF)
    msg = str(err.value)
    assert fragment in msg and "\n" not in msg
    assert fingerprint(path) == before
    assert [p.name for p in path.parent.iterdir() if "claimbook-" in p.name] == []
    return err.value


def test_open_in_excel_is_refused(tmp_path, rules):
    path = make_tracker(tmp_path / "ClaimTracker.xlsx", rules, n=5)
    (tmp_path / ("~$" + path.name)).write_bytes(b"owner")
    _refused(path, "open in Excel")


def test_locked_file_is_refused(tmp_path, rules, monkeypatch):
    path = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    real_open = open

    def locked(file, mode="r", *a, **kw):
        if Path(str(file)) == path and ("+" in mode or "w" in mode):
            raise PermissionError(13, "Permission denied")
        return real_open(file, mode, *a, **kw)

    monkeypatch.setattr("builtins.open", locked)
    _refused(path, "locked")


def test_corrupt_and_foreign_files_are_refused(tmp_path):
    bad = tmp_path / "Broken.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not really a zip" * 10)
    _refused(bad, "could not be read as an Excel workbook")
    txt = tmp_path / "claims.csv"
    txt.write_text("a,b\n")
    _refused(txt, "claims.csv is a file to import, not a tracker workbook (.xlsx or .xlsm). To bring it into "
                  "your tracker, run: claimbook import claims.csv --into ClaimTracker.xlsm")
    old = tmp_path / "Old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    _refused(old, "not an .xlsx or .xlsm workbook. Save it from Excel as .xlsm")


def test_a_folder_a_csv_and_a_leftover_lock_file_get_plain_advice(tmp_path, rules, capsys):
    folder = tmp_path / "Claims 2026"
    folder.mkdir()
    assert main(["refresh", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"claimbook: {folder} is a folder, not a tracker file. Give the workbook's file name, "
                   f"e.g. {folder / 'ClaimTracker.xlsm'}.")
    (tmp_path / "claims.csv").write_text("Claim ID,Payer,DOS\n")
    assert main(["refresh", str(tmp_path / "claims.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert "claimbook import claims.csv --into ClaimTracker.xlsm" in err and "Save it from Excel" not in err
    path = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    (tmp_path / "~$Tracker.xlsx").write_bytes(b"left over")
    before = fingerprint(path)
    assert main(["refresh", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == ("claimbook: Tracker.xlsx seems to be open in Excel (its lock file ~$Tracker.xlsx is beside it). "
                   "Close Excel and run again; if Excel is not open, ~$Tracker.xlsx is left over from an earlier "
                   "Excel session: delete it (it may be a hidden file) and run again.")
    assert fingerprint(path) == before


def test_truncated_zip_is_refused(tmp_path, rules):
    path = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    path.write_bytes(path.read_bytes()[:-200])
    _refused(path, "could not be read")


def test_not_a_tracker(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Budget"
    wb.active["A1"] = "Rent"
    path = tmp_path / "Budget.xlsx"
    wb.save(path)
    _refused(path, "is not a claim tracker")


def test_missing_required_column(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Claims"
    ws.append(["Claim ID", "Payer", "Amount"])
    ws.append(["A", "Medicare", 5])
    path = tmp_path / "NoDos.xlsx"
    wb.save(path)
    err = _refused(path, "no DOS column")
    assert isinstance(err, MissingColumnsError) and "Claim ID, Payer, Amount" in str(err)


def test_cli_exit_code_and_one_line(tmp_path, rules, capsys):
    path = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    assert main(["refresh", str(path), "--as-of", "2026-03-02"]) == 0
    out = capsys.readouterr().out
    assert "5 claims" in out and "refreshed as of 03/02/2026" in out
    (tmp_path / ("~$" + path.name)).write_bytes(b"x")
    assert main(["refresh", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("claimbook: ") and "open in Excel" in err and "\n" not in err


# --- hostile cells ----------------------------------------------------------------------------------

def test_hostile_cells(tmp_path, rules):
    long_note = "N" * 32767
    H = [c.header for c in table.INPUT_COLUMNS]

    def r(**kw):
        row = [None] * len(H)
        for k, v in kw.items():
            row[H.index(k)] = v
        return row

    extra = [
        r(**{"Claim ID": "H1", "Payer": "Medicare", "DOS": "#N/A", "Billed": "#VALUE!", "Notes": long_note}),
        r(**{"Claim ID": "H2", "Payer": "Aetna", "DOS": "yesterday", "Billed": "lots", "Paid": "-5",
             "Status": "Piad"}),
        [None] * len(H),  # a blank row inside the table
        r(**{"Claim ID": "H3", "Payer": "Medicare", "DOS": "=DATE(2026,1,5)", "Billed": "=100*2",
             "Notes": "=HYPERLINK(\"http://x\")"}),
        r(**{"Claim ID": "H4", "Payer": "=cmd|' /C calc'!A0", "DOS": date(2026, 1, 5), "Billed": 10.0,
             "Patient": "+1 555", "Notes": "@SUM(A1)"}),
        r(**{"Claim ID": "H5", "Payer": "Medicare", "DOS": date(2026, 1, 5), "Notes": "merged"}),
        r(**{"Claim ID": "H6", "Payer": "Medicare", "DOS": date(2026, 1, 5)}),
        r(**{"Claim ID": "H7", "Payer": "Aetna", "DOS": date(9999, 12, 31), "Docs Due": date(9999, 12, 31),
             "Status": "Docs Requested", "Submitted": date(2026, 1, 9)}),
        r(**{"Claim ID": "H8", "Payer": "Aetna", "DOS": date(1926, 1, 5)}),  # a slip for 2026
    ]
    from claimbook.workbook.layout import new_tracker

    wb = new_tracker(rules, as_of=AS_OF)
    place = fill_tracker(wb, sample_claims(AS_OF, n=3), extra)
    ws = place.ws
    notes_col = place.first_col + H.index("Notes")
    first = place.first_data_row + 3
    # Formulas typed in input cells (openpyxl stores "=..." strings as formulas).
    ws.cell(first + 3, place.first_col + H.index("DOS")).value = "=DATE(2026,1,5)"
    ws.cell(first + 3, place.first_col + H.index("Billed")).value = "=100*2"
    ws.cell(first, place.first_col + H.index("DOS")).value = "#N/A"  # a real error cell
    ws.merge_cells(start_row=first + 5, start_column=notes_col, end_row=first + 6, end_column=notes_col)
    path = tmp_path / "Hostile.xlsx"
    wb.save(path)
    before = user_cells(path)

    out = refresh_file(path, as_of=AS_OF)
    assert out.summary.claims == 11
    assert user_cells(path) == before  # formulas, errors, long text, merged cells: as they were
    wb = openpyxl.load_workbook(path)
    ws = wb["Claims"]
    assert ws.cell(first + 3, place.first_col + H.index("DOS")).data_type == "f"
    assert len(ws.cell(first, notes_col).value) == 32767
    got = computed_by_id(path)
    issues = {k: v[table.COMPUTED_COLUMNS.index("Data Issues")] or "" for k, v in got.items()}
    assert "DOS is the error value #N/A" in issues["H1"] and "Billed is the error value #VALUE!" in issues["H1"]
    assert "DOS 'yesterday' is not a date" in issues["H2"] and "Billed 'lots' is not an amount" in issues["H2"]
    assert "negative" in issues["H2"] and "did you mean 'Paid'" in issues["H2"]
    assert "formula" in issues["H3"]
    assert "DOS '12/31/9999' has the year 9999 — check the date" in issues["H7"]
    assert "Docs Due '12/31/9999' has the year 9999" in issues["H7"]
    assert "DOS '01/05/1926' has the year 1926" in issues["H8"]
    blank_row = first + 2
    cols = table.map_computed_columns(io.find_claims(wb).header())
    assert all(ws.cell(blank_row, place.first_col + c).value is None for c in cols.values())
    # Text from outside that looks like a formula never becomes one (generated sheets included).
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                formulas = re.findall(rb"<f[^>]*>(.*?)</f>", z.read(name))
                assert not [f for f in formulas if b"cmd" in f or b"HYPERLINK" in f or b"SUM(A1)" in f]
    assert not any(c.data_type == "f" and "cmd" in str(c.value) for w in wb.worksheets for c in w._cells.values())


# --- saving -------------------------------------------------------------------------------------------

def test_failed_replace_leaves_the_original(tmp_path, rules, monkeypatch):
    path = make_tracker(tmp_path / "Tracker.xlsx", rules, n=10)
    before = fingerprint(path)

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(TrackerError, match="could not be saved"):
        refresh_file(path, as_of=AS_OF)
    assert fingerprint(path) == before
    assert not [p for p in tmp_path.iterdir() if "claimbook-" in p.name]


KILL_SCRIPT = r"""
import os, sys, time
from datetime import date
from claimbook.workbook import io, refresh_file
import openpyxl.writer.excel as ex
import claimbook.xlsx.parts as parts
def slow_save(self):  # the openpyxl edge (the one-time upgrade)
    self.write_data()
    print("writing", flush=True)
    time.sleep(60)  # killed here, mid-save, before the zip is closed
ex.ExcelWriter.save = slow_save
real_write = parts.Package.write
def slow_write(self, target, *args, **kwargs):  # the stream edge (every day)
    with open(target, "wb") as f:
        f.write(self.path.read_bytes()[:1000])  # the new file half written
    print("writing", flush=True)
    time.sleep(60)
parts.Package.write = slow_write
refresh_file(sys.argv[1], as_of=date(2026, 3, 2))
"""


def test_kill_during_save_leaves_the_original(tmp_path, rules):
    path = make_tracker(tmp_path / "Tracker.xlsx", rules, n=30)
    before = fingerprint(path)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(path)], stdout=subprocess.PIPE, env=env)
    try:
        line = proc.stdout.readline()
        assert line.strip() == b"writing"
        assert any("claimbook-" in p.name for p in tmp_path.iterdir())  # the temp file is being written
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert fingerprint(path) == before
    openpyxl.load_workbook(path)  # still a good workbook
    refresh_file(path, as_of=AS_OF)  # and the next refresh cleans up the dead temp file
    assert not [p for p in tmp_path.iterdir() if "claimbook-" in p.name]


def test_backups_rotate(tmp_path, rules):
    path = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    wb = openpyxl.load_workbook(path)
    settings = wb["Settings"]
    for r in range(1, settings.max_row + 1):
        if settings.cell(r, 1).value == "Backups kept":
            settings.cell(r, 2).value = 2
    wb.save(path)
    original = path.read_bytes()
    refresh_file(path, as_of=AS_OF)
    assert (tmp_path / "Tracker.backup-1.xlsx").read_bytes() == original
    first = path.read_bytes()
    refresh_file(path, as_of=date(2026, 3, 3))
    refresh_file(path, as_of=date(2026, 3, 4))
    names = sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name)
    assert names == ["Tracker.backup-1.xlsx", "Tracker.backup-2.xlsx"]
    assert (tmp_path / "Tracker.backup-2.xlsx").read_bytes() != original
    assert first != path.read_bytes()


@pytest.mark.skipif(os.name != "posix", reason="permission bits and symbolic links as on Linux and macOS")
def test_refresh_keeps_the_file_private_and_writes_through_a_link(tmp_path, rules):
    private = make_tracker(tmp_path / "Private.xlsx", rules, n=5)
    private.chmod(0o600)  # patient data only its owner may read
    refresh_file(private, as_of=AS_OF)
    assert oct(private.stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "Private.backup-1.xlsx").stat().st_mode & 0o777) == "0o600"

    shared = tmp_path / "shared"
    shared.mkdir()
    real = make_tracker(shared / "Tracker.xlsx", rules, n=5)
    real.chmod(0o640)
    original = real.read_bytes()
    link = tmp_path / "Tracker.xlsx"
    link.symlink_to(real)
    refresh_file(link, as_of=AS_OF)
    assert link.is_symlink() and link.resolve() == real.resolve()  # still a link to the same file
    assert real.read_bytes() != original and computed_by_id(real)  # the real file was refreshed
    assert oct(real.stat().st_mode & 0o777) == "0o640"
    backup = shared / "Tracker.backup-1.xlsx"
    assert not backup.is_symlink() and backup.read_bytes() == original  # a real copy of the old file
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("Tracker")] == ["Tracker.xlsx"]


def _with_date_formatted_number(path: Path, *values, sheet="Claims") -> list[str]:
    """Put numbers in date-formatted cells of the DOS column (rows 3, 4, ...) of one sheet."""
    wb = openpyxl.load_workbook(path)
    place = io.find_claims(wb)
    col = place.first_col + table.map_input_columns(place.header())["dos_from"]
    ws = wb[sheet] if sheet in wb.sheetnames else wb.create_sheet(sheet)
    coords = []
    for row, value in enumerate(values, start=3):
        cell = ws.cell(row, col)
        cell.value = value
        cell.number_format = "mm/dd/yyyy"
        coords.append(cell.coordinate)
    wb.save(path)
    return coords


@pytest.mark.parametrize("value,said", [
    (10 ** 15, "holds a number formatted as a date but too large (or too small) to be one, "
               "and claimbook would save it as #VALUE!. In Excel, format that cell as Number or Text"),
    (2958466, "holds a number formatted as a date"),
    (60, "holds the date 02/29/1900, a day that did not exist (Excel keeps it for old Lotus files), and claimbook "
         "would save it as 02/28/1900. Correct that date in Excel"),
])
def test_a_date_formatted_number_that_is_no_date_is_refused_not_lost(tmp_path, rules, capsys, value, said):
    """The openpyxl edge (the one-time upgrade of a workbook without claimbook's sheets) would change such a
    cell, so it refuses, in plain words."""
    path = _needs_upgrade(make_tracker(tmp_path / "Tracker.xlsx", rules, n=5))
    [coord] = _with_date_formatted_number(path, value)
    before = fingerprint(path)

    assert main(["refresh", str(path), "--as-of", AS_OF.isoformat()]) == 2

    out = capsys.readouterr()
    assert out.err.startswith(f"claimbook: Tracker.xlsx: cell {coord} on the Claims sheet {said}")
    assert out.err.strip().endswith("the file was not changed.") and len(out.err.strip().splitlines()) == 1
    assert "Warning" not in out.err + out.out and "openpyxl" not in out.err + out.out
    assert fingerprint(path) == before and not [p for p in tmp_path.iterdir() if "backup" in p.name]


@pytest.mark.parametrize("value", [10 ** 15, 2958466, 60])
def test_a_date_formatted_number_that_is_no_date_is_kept_by_the_daily_refresh(tmp_path, rules, value):
    """The daily refresh never rewrites a practice's cell, so the odd number stays exactly as it was."""
    path = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    [coord] = _with_date_formatted_number(path, value)
    part = _claims_part(path)
    cell = re.compile(rb'<c r="' + coord.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)
    with zipfile.ZipFile(path) as z:
        before = cell.search(z.read(part)).group(0)

    assert main(["refresh", str(path), "--as-of", AS_OF.isoformat()]) == 0

    with zipfile.ZipFile(path) as z:
        assert cell.search(z.read(part)).group(0) == before
    ws = openpyxl.load_workbook(path)["Claims"]
    row = int(coord.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    place = io.find_claims(ws.parent)
    issues = ws.cell(row, place.first_col + place.header().index("Data Issues")).value
    assert "DOS" in issues  # the claim was refreshed, and says its date of service is no date it can use


def test_the_lost_date_is_found_on_its_own_sheet(tmp_path, rules):
    path = _needs_upgrade(make_tracker(tmp_path / "Tracker.xlsx", rules, n=5))
    coord, other = _with_date_formatted_number(path, 10 ** 15, 2958466, sheet="Old claims")
    err = _refused(path, f"cell {coord} on the Old claims sheet holds a number formatted as a date")
    assert str(err).endswith(f"The same problem is in Old claims!{other}.")


def _needs_upgrade(path: Path) -> Path:
    """The tracker without its Payers sheet: the next refresh adds it through openpyxl (the one-time upgrade)."""
    wb = openpyxl.load_workbook(path)
    del wb["Payers"]
    wb.save(path)
    return path


def test_settings_as_of_and_rules_folder(tmp_path, rules):
    import shutil

    path = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    shutil.copytree(REPO / "rules", tmp_path / "myrules")
    wb = openpyxl.load_workbook(path)
    s = wb["Settings"]
    for r in range(1, s.max_row + 1):
        if s.cell(r, 1).value == "As-of date":
            s.cell(r, 2).value = date(2026, 2, 1)
        if s.cell(r, 1).value == "Rules folder":
            s.cell(r, 2).value = "myrules"
    wb.save(path)
    out = refresh_file(path)
    assert out.as_of == date(2026, 2, 1)
    assert Path(out.rules_folder).resolve() == (tmp_path / "myrules").resolve()


# --- review fixes: a practice's own columns, content openpyxl would drop, claim IDs with zeros ---------------

def _own_column_tracker(path: Path, rules, header: str, values) -> Path:
    """A practice's Claims sheet (no claimbook sheets yet) with its own column named like a computed one."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Claims"
    ws.append(["Claim ID", "Payer", "DOS", "Billed", header])
    for i, v in enumerate(values):
        ws.append([f"C-{i}", "Aetna", date(2026, 1, 5), 100.0, v])
    wb.save(path)
    return path


@pytest.mark.parametrize("header,values", [("Next Action", ["call Dr. Smith's office", None]),
                                           ("Priority", [1, 2]), ("Follow-up Date", [date(2026, 4, 1), None]),
                                           ("Age", [45, 12])])
def test_refresh_never_overwrites_a_practice_column_named_like_a_computed_one(tmp_path, rules, capsys, header,
                                                                             values):
    path = _own_column_tracker(tmp_path / "Own.xlsx", rules, header, values)
    before = path.read_bytes()

    code = main(["refresh", str(path), "--as-of", AS_OF.isoformat()])

    err = capsys.readouterr().err
    assert code == 2 and path.read_bytes() == before
    assert f"The Claims column '{header}' (column E) holds entries that claimbook did not write" in err
    assert f"rename yours (for example to 'Our {header}')" in err and len(err.strip().splitlines()) == 1
    assert "Smith" not in err  # the message names the column, never what is in it


def test_after_renaming_the_practice_column_claimbook_adds_its_own_beside_it(tmp_path, rules):
    path = _own_column_tracker(tmp_path / "Own.xlsx", rules, "Our Next Action", ["call back", "wait"])
    refresh_file(path, as_of=AS_OF)
    refresh_file(path, as_of=AS_OF)  # its own marked columns are found again
    ws = openpyxl.load_workbook(path)["Claims"]
    header = [c.value for c in ws[1]]
    assert [ws.cell(r, 5).value for r in (2, 3)] == ["call back", "wait"]
    assert header.count("Next Action") == 1
    assert ws.cell(2, header.index("Next Action") + 1).value  # claimbook's column is filled


def test_an_empty_unmarked_computed_column_is_taken_over_and_marked(tmp_path, rules):
    path = _own_column_tracker(tmp_path / "Empty.xlsx", rules, "Priority", [None, None])
    refresh_file(path, as_of=AS_OF)
    ws = openpyxl.load_workbook(path)["Claims"]
    assert ws.cell(2, 5).value == 1 and table.is_claimbook_mark(ws.cell(1, 5).comment.text)
    refresh_file(path, as_of=AS_OF)  # and stays claimbook's once it holds values
    assert openpyxl.load_workbook(path)["Claims"].cell(2, 5).value == 1


def _add_to_sheet(path: Path, sheet_part: str, *, drawing: bytes | None = None, ext: bytes | None = None,
                  vml: bytes | None = None, media: bool = False) -> None:
    """Rewrite a saved workbook with a drawing, a VML part or an x14 extension list on one sheet."""
    src = path.read_bytes()
    tmp = path.with_suffix(".src")
    tmp.write_bytes(src)
    rels = sheet_part.replace("worksheets/", "worksheets/_rels/") + ".rels"
    with zipfile.ZipFile(tmp) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        names = z.namelist()
        rel_xml = z.read(rels) if rels in names else (b'<Relationships xmlns="http://schemas.openxmlformats.org/'
                                                      b'package/2006/relationships"></Relationships>')
        for n in names:
            if n == rels:
                continue
            data = z.read(n)
            if n == sheet_part:
                if drawing is not None:
                    data = data.replace(b"</worksheet>", b'<drawing xmlns:r="http://schemas.openxmlformats.org/'
                                        b'officeDocument/2006/relationships" r:id="rIdX1"/></worksheet>')
                if ext is not None:
                    data = data.replace(b"</worksheet>", ext + b"</worksheet>")
            out.writestr(n, data)
        if drawing is not None:
            out.writestr("xl/drawings/drawing99.xml", drawing)
            rel_xml = rel_xml.replace(b"</Relationships>", b'<Relationship Id="rIdX1" Type="http://schemas.'
                                      b'openxmlformats.org/officeDocument/2006/relationships/drawing" '
                                      b'Target="../drawings/drawing99.xml"/></Relationships>')
        if vml is not None:
            out.writestr("xl/drawings/vmlDrawing99.vml", vml)
            rel_xml = rel_xml.replace(b"</Relationships>", b'<Relationship Id="rIdX2" Type="http://schemas.'
                                      b'openxmlformats.org/officeDocument/2006/relationships/vmlDrawing" '
                                      b'Target="../drawings/vmlDrawing99.vml"/></Relationships>')
        if media:
            out.writestr("xl/media/image1.png", b"\x89PNG\r\n\x1a\n")
        out.writestr(rels, rel_xml)
    tmp.unlink()


_XDR = (b'<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        b'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><xdr:twoCellAnchor>'
        b'<xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff>'
        b'</xdr:from><xdr:to><xdr:col>3</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>4</xdr:row><xdr:rowOff>0'
        b'</xdr:rowOff></xdr:to>%s<xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>')
_PICTURE = _XDR % (b'<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="Logo"/><xdr:cNvPicPr/></xdr:nvPicPr>'
                   b'<xdr:blipFill/><xdr:spPr/></xdr:pic>')
_SHAPE = _XDR % (b'<xdr:sp macro="Module1.Go" textlink=""><xdr:nvSpPr><xdr:cNvPr id="3" name="Button"/>'
                 b'<xdr:cNvSpPr/></xdr:nvSpPr><xdr:spPr/></xdr:sp>')
_X14_VALIDATION = (b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
                   b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations '
                   b'count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:dataValidation '
                   b'type="list"><x14:formula1><xm:f>Lists!$A$1:$A$5</xm:f></x14:formula1><xm:sqref>Z2:Z50</xm:sqref>'
                   b'</x14:dataValidation></x14:dataValidations></ext></extLst>')
_BUTTON_VML = (b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:x="urn:schemas-microsoft-com:office:excel">'
               b'<v:shape id="_x0000_s1025" type="#_x0000_t201"><x:ClientData ObjectType="Button">'
               b'<x:FmlaMacro>[0]!Module1.Go</x:FmlaMacro></x:ClientData></v:shape></xml>')


def _claims_part(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    return f"xl/worksheets/sheet{wb.sheetnames.index('Claims') + 1}.xml"


@pytest.mark.parametrize("what,kwargs,said", [
    ("picture", dict(drawing=_PICTURE, media=True), "pictures or shapes on the Claims sheet"),
    ("shape with a macro", dict(drawing=_SHAPE), "pictures or shapes on the Claims sheet"),
    ("x14 data validation", dict(ext=_X14_VALIDATION), "Excel 2010+ data validation on the Claims sheet"),
    ("form button", dict(vml=_BUTTON_VML), "form buttons or controls on the Claims sheet"),
])
def test_content_openpyxl_would_drop_is_refused_in_plain_words(tmp_path, rules, capsys, what, kwargs, said):
    """Only where openpyxl still saves the file (the one-time upgrade): the daily refresh keeps all of it
    (tests/test_features_kept.py)."""
    path = _needs_upgrade(make_tracker(tmp_path / "Tracker.xlsx", rules, n=5))
    _add_to_sheet(path, _claims_part(path), **kwargs)
    before = path.read_bytes()

    code = main(["refresh", str(path), "--as-of", AS_OF.isoformat()])

    out = capsys.readouterr()
    assert code == 2 and path.read_bytes() == before, what
    assert said in out.err and "Move it to another workbook, or do this from Excel with the Claims ribbon" in out.err
    assert len(out.err.strip().splitlines()) == 1
    assert "Warning" not in out.err + out.out and "openpyxl" not in out.err + out.out  # no raw library text


@pytest.mark.parametrize("what,kwargs", [
    ("picture", dict(drawing=_PICTURE, media=True)),
    ("shape with a macro", dict(drawing=_SHAPE)),
    ("x14 data validation", dict(ext=_X14_VALIDATION)),
    ("form button", dict(vml=_BUTTON_VML)),
])
def test_the_daily_refresh_keeps_what_openpyxl_would_drop(tmp_path, rules, capsys, what, kwargs):
    path = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    part = _claims_part(path)
    _add_to_sheet(path, part, **kwargs)
    with zipfile.ZipFile(path) as z:
        before = {n: z.read(n) for n in z.namelist()}

    assert main(["refresh", str(path), "--as-of", AS_OF.isoformat()]) == 0, what

    with zipfile.ZipFile(path) as z:
        after = {n: z.read(n) for n in z.namelist()}
    kept = [n for n in before if "drawing" in n or "media" in n or n.endswith(".vml") or "_rels/sheet" in n]
    assert kept and all(after[n] == before[n] for n in kept), what
    if "ext" in kwargs:
        assert _X14_VALIDATION in after[part]
    assert after[part] != before[part]  # the computed columns were written


def test_claimbooks_own_dashboard_charts_and_notes_are_kept(tmp_path, rules, capsys):
    path = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    assert io.content_openpyxl_drops(path) == []
    for _ in range(2):  # the charts it drew at the first refresh do not stop the second
        assert main(["refresh", str(path), "--as-of", AS_OF.isoformat()]) == 0
    assert io.content_openpyxl_drops(REPO / "templates" / "ClaimTracker.xlsm") == []
    with zipfile.ZipFile(path) as z:
        assert any(n.startswith("xl/charts/") for n in z.namelist())
    assert "Warning" not in capsys.readouterr().err


def test_a_chart_a_practice_put_on_the_claims_sheet_is_not_dropped_silently(tmp_path, rules):
    path = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    with zipfile.ZipFile(path) as z:
        dash = next(n for n in z.namelist() if n.startswith("xl/drawings/drawing") and n.endswith(".xml"))
        chart_drawing = z.read(dash)
    _add_to_sheet(path, _claims_part(path), drawing=chart_drawing)
    assert io.content_openpyxl_drops(path) == ["charts on the Claims sheet"]


def test_refresh_flags_one_claim_id_written_with_and_without_leading_zeros(tmp_path, rules):
    from claimbook.workbook.layout import new_tracker

    wb = new_tracker(rules, as_of=AS_OF)
    place = io.find_claims(wb)
    header = place.header()
    for r, cid in enumerate(["00123", 123], start=2):
        for h, v in (("Claim ID", cid), ("Payer", "Aetna"), ("DOS", date(2026, 1, 5))):
            place.ws.cell(r, header.index(h) + 1).value = v
    place.ws.tables["Claims"].ref = f"A1:{openpyxl.utils.get_column_letter(len(header))}3"
    path = tmp_path / "Dup.xlsx"
    wb.save(path)
    refresh_file(path, as_of=AS_OF)
    ws = openpyxl.load_workbook(path)["Claims"]
    issues = [ws.cell(r, header.index("Data Issues") + 1).value or "" for r in (2, 3)]
    assert all("appears 2 times" in i for i in issues), issues


def test_claims_typed_below_the_claims_table_get_a_note(tmp_path, rules, capsys):
    """Claims typed under the table in a program that does not stretch it (LibreOffice, a script) are not
    in the table, so they are not read: the refresh says so, with the rows and what to do. A practice's own
    total row under the table (no payer, no date of service) is no claim and gets no note."""
    path = make_tracker(tmp_path / "T.xlsx", rules, n=10)
    wb = openpyxl.load_workbook(path)
    ws = wb["Claims"]
    place = io.find_claims(wb)
    header = place.header()
    col = {h: place.first_col + i for i, h in enumerate(header)}
    below = place.last_row + 1
    ws.cell(below, col["Claim ID"], "Total")
    ws.cell(below, col["Billed"], 1234.5)
    wb.save(path)
    assert main(["refresh", str(path), "--as-of", "2026-03-03"]) == 0
    assert "below the Claims table" not in capsys.readouterr().out

    wb = openpyxl.load_workbook(path)
    ws = wb["Claims"]
    for i, (cid, payer) in enumerate([("N-1", "Aetna"), ("N-2", "Medicare")], start=below + 2):
        ws.cell(i, col["Claim ID"], cid)
        ws.cell(i, col["Payer"], payer)
        ws.cell(i, col["DOS"], date(2026, 2, 2))
    wb.save(path)
    assert main(["refresh", str(path), "--as-of", "2026-03-03"]) == 0
    out = capsys.readouterr().out
    assert (f"The Claims sheet has 2 claims below the Claims table (rows {below + 2} to {below + 3}); claimbook "
            "reads only the table's rows. Stretch the table over them") in out
    assert "10 claims" in out
