"""Trust with the office's files (issue 12): import never writes over cells, one writer at a time, bounded
resources, no cell contents in messages, nothing silent, deterministic saves, the mark of the web kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from claimbook.cli import main
from claimbook.errors import TrackerError
from claimbook.imports import sizes
from claimbook.rules.loader import load_rules
from claimbook.workbook import io, limits, lock, refresh_file, zone
from claimbook.workbook.importer import import_files
from tests.test_refresh import AS_OF, REPO, fingerprint, make_tracker, make_xlsm

ENV = dict(os.environ, PYTHONPATH=str(REPO))


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def new_claims_csv(path: Path, ids) -> Path:
    return write_csv(path, "Claim ID,Payer,DOS,Billed\n" + "".join(f"{i},Aetna,01/05/2026,120.00\n" for i in ids))


def cli(capsys, *args) -> tuple[int, str]:
    code = main([*map(str, args)])
    out = capsys.readouterr()
    return code, out.out + out.err


def claim_ids(path: Path) -> list:
    wb = openpyxl.load_workbook(path)
    block = io.read_block(io.find_claims(wb))
    return [r[0] for r in block.rows]


# --- 1. never overwrite -----------------------------------------------------------------------------------

def test_import_refuses_to_write_over_notes_below_the_table_naming_the_cells(tmp_path, rules, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)  # the table ends at row 6
    wb = openpyxl.load_workbook(tracker)
    ws = wb["Claims"]
    ws["A9"] = "NOTE-MARKER-5521 call the payer"
    ws["A10"] = "NOTE-MARKER-5522"
    wb.save(tracker)
    before = fingerprint(tracker)
    csv = new_claims_csv(tmp_path / "new.csv", [f"X30{i}" for i in range(1, 6)])

    code, shown = cli(capsys, "import", csv, "--into", tracker, "--as-of", AS_OF)

    assert code == 2
    assert ("Tracker.xlsx: the Claims table needs 5 more rows for the new claims, but cells A9 and A10 below it "
            "(rows 7 to 11) are in use, and claimbook never writes over your cells.") in shown
    assert "Nothing was changed." in shown and "MARKER" not in shown
    assert fingerprint(tracker) == before
    # With room made (the notes moved down, as Insert in Excel does), the same import goes through.
    wb = openpyxl.load_workbook(tracker)
    wb["Claims"].move_range("A9:A10", rows=10)
    wb.save(tracker)
    code, shown = cli(capsys, "import", csv, "--into", tracker, "--as-of", AS_OF)
    assert code == 0, shown
    ws = openpyxl.load_workbook(tracker)["Claims"]
    assert [ws.cell(r, 1).value for r in range(7, 12)] == ["X301", "X302", "X303", "X304", "X305"]
    assert ws["A19"].value == "NOTE-MARKER-5521 call the payer" and ws["A20"].value == "NOTE-MARKER-5522"


def test_a_few_new_claims_fit_above_notes_further_down(tmp_path, rules):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    wb = openpyxl.load_workbook(tracker)
    wb["Claims"]["A9"] = "keep me"
    wb.save(tracker)
    import_files([new_claims_csv(tmp_path / "two.csv", ["X301", "X302"])], tracker, as_of=AS_OF)
    ws = openpyxl.load_workbook(tracker)["Claims"]
    assert [ws.cell(r, 1).value for r in (7, 8, 9)] == ["X301", "X302", "keep me"]
    assert ws.tables["Claims"].ref.endswith("8")


def _with_totals_row(path: Path) -> tuple[int, int]:
    """Give the Claims table a totals row (label, an A1 SUBTOTAL and a structured one); (billed col, row)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Claims"]
    t = ws.tables["Claims"]
    place = io.find_claims(wb)
    header = place.header()
    billed = header.index("Billed") + 1
    last = place.last_row
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(billed)
    row = last + 1
    ws.cell(row, 1).value = "Total"
    ws.cell(row, billed).value = f"=SUBTOTAL(109,{letter}2:{letter}{last})"
    ws.cell(row, 3).value = "=SUBTOTAL(103,Claims[Payer])"
    t.totalsRowCount = 1
    t.tableColumns[0].totalsRowLabel = "Total"
    t.tableColumns[billed - 1].totalsRowFunction = "custom"
    t.ref = f"A1:{get_column_letter(place.last_col)}{row}"
    if t.autoFilter is not None:
        t.autoFilter.ref = f"A1:{get_column_letter(place.last_col)}{last}"
    wb.save(path)
    return billed, row


def test_import_keeps_the_totals_row_last_with_its_ranges_extended(tmp_path, rules, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    billed, row = _with_totals_row(tracker)
    assert row == 7
    csv = new_claims_csv(tmp_path / "new.csv", ["X301", "X302", "X303"])

    code, shown = cli(capsys, "import", csv, "--into", tracker, "--as-of", AS_OF)

    assert code == 0, shown
    wb = openpyxl.load_workbook(tracker)
    ws = wb["Claims"]
    t = ws.tables["Claims"]
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(billed)
    assert t.totalsRowCount == 1 and t.ref.endswith(f"{row + 3}")
    assert [ws.cell(r, 1).value for r in range(7, 11)] == ["X301", "X302", "X303", "Total"]
    assert ws.cell(10, billed).value == f"=SUBTOTAL(109,{letter}2:{letter}9)"
    assert ws.cell(10, 3).value == "=SUBTOTAL(103,Claims[Payer])"
    assert ws.cell(7, billed).value == 120.0  # a claim where "Total" was, its Billed a number
    assert io.read_block(io.find_claims(wb)).rows[-1][0] == "X303"  # the totals row is no claim


def test_a_totals_row_with_notes_right_below_it_is_refused(tmp_path, rules, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    _with_totals_row(tracker)
    wb = openpyxl.load_workbook(tracker)
    wb["Claims"]["B8"] = "signed off"
    wb.save(tracker)
    before = fingerprint(tracker)
    code, shown = cli(capsys, "import", new_claims_csv(tmp_path / "n.csv", ["X301"]), "--into", tracker,
                      "--as-of", AS_OF)
    assert code == 2 and "cell B8 below it (row 8) is in use" in shown and "signed off" not in shown
    assert fingerprint(tracker) == before


def test_extend_ranges_only_touches_ranges_over_the_data_rows():
    from claimbook.workbook.grow import extend_ranges

    assert extend_ranges("=SUBTOTAL(109,M2:M6)", "Claims", 2, 6, 9) == "=SUBTOTAL(109,M2:M9)"
    assert extend_ranges("=SUM($M$2:$M$6)/Claims!N2:N6", "Claims", 2, 6, 9) == "=SUM($M$2:$M$9)/Claims!N2:N9"
    assert extend_ranges("=SUM(Other!M2:M6)+SUM(M3:M6)+M6", "Claims", 2, 6, 9) == "=SUM(Other!M2:M6)+SUM(M3:M6)+M6"


# --- 2. one writer at a time ------------------------------------------------------------------------------

def _run(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "claimbook.cli", *map(str, args)], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("delay", [0.0, 0.3, 0.8])
def test_import_and_refresh_at_the_same_time_neither_is_undone(tmp_path, rules, delay):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=400)
    csv = new_claims_csv(tmp_path / "new.csv", ["X901", "X902", "X903"])
    imp = _run("import", csv, "--into", tracker, "--as-of", "2026-03-02")
    time.sleep(delay)
    ref = _run("refresh", tracker, "--as-of", "2026-03-03")
    (iout, ierr), (rout, rerr) = imp.communicate(timeout=300), ref.communicate(timeout=300)
    assert imp.returncode == 0, ierr
    assert ref.returncode == 0, rerr  # the refresh waited for the import's lock, then read its result
    assert "No such file" not in ierr + rerr
    ids = claim_ids(tracker)
    assert {"X901", "X902", "X903"} <= set(ids) and len(ids) == 403
    log = openpyxl.load_workbook(tracker)["Import Log"]
    assert any(c.value == "new.csv" for c in log["B"])
    assert not lock.lock_path(tracker).exists()


def test_two_refreshes_at_once_both_finish_and_neither_says_no_such_file(tmp_path, rules):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=300)
    first, second = _run("refresh", tracker, "--as-of", "2026-03-02"), _run("refresh", tracker, "--as-of", "2026-03-03")
    (_, err1), (_, err2) = first.communicate(timeout=300), second.communicate(timeout=300)
    assert (first.returncode, second.returncode) == (0, 0), err1 + err2
    assert "No such file" not in err1 + err2
    assert not [p for p in tmp_path.iterdir() if "claimbook" in p.name]  # no lock, no temp file left


HOLD = r"""
import sys, time
from claimbook.workbook.lock import writer_lock
with writer_lock(sys.argv[1], "import"):
    print("holding", flush=True)
    time.sleep(30)
"""


def test_a_second_writer_waits_then_stops_with_a_plain_message(tmp_path, rules, monkeypatch, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    before = fingerprint(tracker)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tracker)], env=ENV, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        monkeypatch.setattr(lock, "WAIT_SECONDS", 0.6)
        t0 = time.monotonic()
        code, shown = cli(capsys, "refresh", tracker, "--as-of", AS_OF)
        assert 0.5 < time.monotonic() - t0 < 20
    finally:
        holder.kill()
        holder.wait()
    assert code == 2
    assert shown.startswith("claimbook: Tracker.xlsx is being changed by another claimbook command (import, started ")
    assert f"on this computer, process {holder.pid})" in shown and ".Tracker.xlsx.claimbook.lock" in shown
    assert fingerprint(tracker) == before
    # The holder was killed: its lock is stale (dead process on this computer) and is taken over at once.
    assert lock.lock_path(tracker).exists()
    refresh_file(tracker, as_of=AS_OF)
    assert not lock.lock_path(tracker).exists()


def test_an_old_lock_from_another_computer_is_taken_over_a_fresh_one_is_not(tmp_path, rules, monkeypatch):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    path = lock.lock_path(tracker)
    path.write_text(json.dumps({"pid": 1, "host": "front-desk-pc", "time": "2026-03-02T08:00:00",
                                "command": "refresh"}))
    monkeypatch.setattr(lock, "WAIT_SECONDS", 0.3)
    with pytest.raises(TrackerError, match=r"\(refresh, started 08:00 on front-desk-pc, process 1\)"):
        refresh_file(tracker, as_of=AS_OF)
    old = time.time() - lock.STALE_SECONDS - 5
    os.utime(path, (old, old))
    refresh_file(tracker, as_of=AS_OF)
    assert not path.exists()


def test_a_tracker_open_in_excel_is_still_refused(tmp_path, rules, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    (tmp_path / "~$Tracker.xlsx").write_bytes(b"x")
    code, shown = cli(capsys, "import", new_claims_csv(tmp_path / "n.csv", ["X1"]), "--into", tracker)
    assert code == 2 and "open in Excel" in shown


def test_a_lost_race_says_the_same_as_a_busy_tracker_never_no_such_file(tmp_path, rules, monkeypatch):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    real = os.replace

    def lost(src, dst):
        if str(dst).endswith("Tracker.xlsx"):
            raise FileNotFoundError(2, "No such file or directory")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", lost)
    with pytest.raises(TrackerError) as err:
        refresh_file(tracker, as_of=AS_OF)
    assert str(err.value).startswith("Tracker.xlsx is being changed by another claimbook command.")
    assert "No such file" not in str(err.value)


def test_a_killed_saves_temp_file_goes_at_the_next_run_even_without_a_save(tmp_path, rules):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    csv = new_claims_csv(tmp_path / "n.csv", ["X1"])
    import_files([csv], tracker, as_of=AS_OF)
    dead = tmp_path / ".Tracker.claimbook-4999999.tmp.xlsx"
    dead.write_bytes(b"half a zip")
    reports, output = import_files([csv], tracker, as_of=AS_OF)  # already imported: nothing is saved
    assert output is None and reports[0].kind == "(skipped)"
    assert not dead.exists()


# --- 3. bounded resources ---------------------------------------------------------------------------------

MEASURE = r"""
import json, resource, subprocess, sys, time
t0 = time.perf_counter()
done = subprocess.run([sys.executable, "-m", "claimbook.cli", *sys.argv[1:]], capture_output=True, text=True)
print(json.dumps({"seconds": time.perf_counter() - t0, "code": done.returncode, "out": done.stdout + done.stderr,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def measure(*args) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, *map(str, args)], env=ENV, capture_output=True, text=True,
                          timeout=600)
    return json.loads(done.stdout)


def plain_claims_sheet(path: Path, n: int = 50) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Claims"
    ws.append(["Claim ID", "Payer", "DOS", "Billed", "Status"])
    for i in range(n):
        ws.append([f"P{i:04d}", "Aetna", f"01/{i % 28 + 1:02d}/2026", 100.0 + i, "Submitted"])
    wb.save(path)
    return path


@pytest.mark.parametrize("where", ["A", "XFD"])
def test_a_stray_cell_at_the_last_row_costs_nothing(tmp_path, where):
    path = plain_claims_sheet(tmp_path / "Plain.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Claims"][f"{where}1048576"] = "stray"
    wb.save(path)

    got = measure("refresh", path, "--as-of", "2026-03-02")

    assert got["code"] == 0, got["out"]
    assert got["seconds"] < 60 and got["peak_mb"] < 1500, got
    assert "50 claims" in got["out"]
    if where == "A":
        assert ("The Claims sheet has 1 row with entries from row 1,048,576 on, more than 1,000 blank rows below "
                "the last claim (row 51); claimbook does not read them as claims.") in got["out"]
    ws = openpyxl.load_workbook(path)["Claims"]
    assert ws[f"{where}1048576"].value == "stray" and ws.max_row == 1048576
    assert ws["A51"].value == "P0049" and ws.cell(1, 6).value  # computed columns were added beside the claims


def test_a_workbook_past_the_cell_limit_is_refused_before_loading(tmp_path, rules, monkeypatch, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=40)
    monkeypatch.setattr(limits, "MAX_CELLS", 500)
    before = fingerprint(tracker)
    code, shown = cli(capsys, "refresh", tracker)
    assert code == 2
    assert shown.startswith("claimbook: Tracker.xlsx is too large for claimbook: it has more than 500 cells with "
                            "something in them, and claimbook's limit is 500. Move older claims to an archive")
    assert fingerprint(tracker) == before


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path, rules, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    with zipfile.ZipFile(tracker, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * 50_000_000)
    code, shown = cli(capsys, "refresh", tracker)
    assert code == 2 and "a part inside it unpacks to" in shown and "booby-trapped" in shown


def test_count_tags_counts_cells_and_rows_across_pieces():
    import io as _io

    xml = (b'<?xml version="1.0"?><worksheet xmlns="x"><cols><col min="1"/></cols><sheetData>'
           + b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c><c r="B%d" s="1"/></row>' % (i, i, i) for i in range(1, 3001))
           + b"</sheetData></worksheet>")
    assert limits.count_tags(_io.BytesIO(xml)) == (6000, 3000)
    prefixed = xml.replace(b"<worksheet", b"<x:worksheet").replace(b"<c ", b"<x:c ").replace(b"<row ", b"<x:row ")
    assert limits.count_tags(_io.BytesIO(prefixed)) == (6000, 3000)


def test_a_csv_past_the_row_limit_is_refused_while_streaming(tmp_path, rules, monkeypatch, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    before = fingerprint(tracker)
    monkeypatch.setattr(sizes, "MAX_CSV_ROWS", 100)
    csv = new_claims_csv(tmp_path / "big.csv", [f"B{i}" for i in range(150)])
    code, shown = cli(capsys, "import", csv, "--into", tracker)
    assert code == 2 and "big.csv: refused, nothing was imported — it has more than 100 rows of claims" in shown
    assert fingerprint(tracker) == before


def test_an_import_past_the_claims_limit_is_refused(tmp_path, rules, monkeypatch, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    before = fingerprint(tracker)
    monkeypatch.setattr(sizes, "MAX_CLAIMS", 8)
    code, shown = cli(capsys, "import", new_claims_csv(tmp_path / "n.csv", [f"N{i}" for i in range(5)]),
                      "--into", tracker)
    assert code == 2 and "This import would take the Claims table past 8 claims, the most claimbook keeps" in shown
    assert fingerprint(tracker) == before


# --- 4. no cell contents in messages ----------------------------------------------------------------------

MARK = "QX7MARK"


def test_no_error_path_shows_a_cell_value(tmp_path, rules, capsys):
    """A recognisable marker in every value that reaches an error or note; it never appears in output."""
    shown = []
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    # a CSV with the marker in bad dates, amounts, statuses, a repeated claim, long text, an unknown column
    bad = write_csv(tmp_path / "bad.csv",
                    f"Claim ID,Payer,DOS,Billed,Status,Notes,{MARK}col\n"
                    f"M1,Aetna {MARK},{MARK}-date,{MARK}$,{MARK}status,{MARK * 5000},x\n"
                    f"M2,Aetna,05.03.2024,1,Paid,ok,y\n"
                    f"M3,Aetna,01/02/2026,1,Paid,{MARK} one,z\nM3,Aetna,01/02/2026,2,Paid,{MARK} two,z\n")
    shown.append(cli(capsys, "import", bad, "--into", tracker, "--as-of", AS_OF)[1])
    # an unclosed quote after a marker
    shown.append(cli(capsys, "import", write_csv(tmp_path / "q.csv", f'Claim ID,Payer,DOS,Notes\nQ1,A,1/2/2026,"{MARK}\n'
                                                 "Q2,A,1/2/2026,x\n"), "--into", tracker)[1])
    # a date-formatted number that is no date (the README's account-number example)
    wb = openpyxl.load_workbook(tracker)
    ws = wb["Claims"]
    ws["A40"] = 987654321012
    ws["A40"].number_format = "mm/dd/yyyy"
    ws["B41"] = f"{MARK} below the table"
    wb.save(tracker)
    shown.append(cli(capsys, "refresh", tracker)[1])
    # cells below the table in the way of new claims, and a practice column named like claimbook's
    tracker2 = make_tracker(tmp_path / "T2.xlsx", rules, n=5)
    wb = openpyxl.load_workbook(tracker2)
    wb["Claims"]["A8"] = f"{MARK} note"
    wb.save(tracker2)
    shown.append(cli(capsys, "import", new_claims_csv(tmp_path / "n.csv", [f"{MARK}1", f"N{MARK}"]),
                     "--into", tracker2)[1])
    text = "\n".join(shown)
    assert "refused" in text and "987654321012" not in text and "below it" in text
    # Claim IDs may be named (they are how a person finds the row), and so may a column heading. The import
    # notes of issue 9 name an unknown payer name or status word, with the line to add to import.yaml: that
    # is the practice's vocabulary, not patient data, and is left to them. Every other marker is cell contents.
    without_ids = (text.replace(f"{MARK}1", "").replace(f"N{MARK}", "").replace(f"{MARK}col", "")
                   .replace(f"Aetna {MARK}", "").replace(f"{MARK}status", ""))
    assert MARK not in without_ids, [line for line in without_ids.splitlines() if MARK in line]


# --- 5. nothing silent ------------------------------------------------------------------------------------

def test_cut_text_two_payer_columns_and_dates_that_read_both_ways_are_listed(tmp_path, rules, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=3)
    csv = write_csv(tmp_path / "eu.csv", "Claim ID,Payer,DOS,Notes,Payer\n"
                    f"E1,Aetna,05.03.2024,{'n' * 40000},Cigna\n"
                    "E2,Aetna,06.03.2024,short,Cigna\n")
    code, shown = cli(capsys, "import", csv, "--into", tracker, "--as-of", AS_OF)
    assert code == 0, shown
    assert "2 columns are read as Payer (columns 2 and 5 of the file, counting from the left): only column 2" in shown
    assert ("row 2 (claim E1): Notes has 40,000 characters, more than the 32,767 a cell can hold, so it was cut to "
            "fit") in shown
    assert ("DOS on rows 2, 3: day or month first? Both parts are 12 or less; read month first, but nothing in the "
            "file or the settings says which. If wrong, set date_order in import.yaml and import again with --again"
            ) in shown
    log = openpyxl.load_workbook(tracker)["Import Log"]
    summary = next(r for r in log.iter_rows(values_only=True) if r[1] == "eu.csv" and r[2])
    assert "2 columns are read as Payer" in summary[11] and "day or month first?" in summary[11]
    assert "cut to fit" in summary[11]


def test_a_date_settled_by_the_columns_other_values_is_not_flagged(tmp_path, rules, capsys):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=3)
    csv = write_csv(tmp_path / "us.csv", "Claim ID,Payer,DOS\nU1,Aetna,05/03/2024\nU2,Aetna,05/23/2024\n")
    code, shown = cli(capsys, "import", csv, "--into", tracker, "--as-of", AS_OF)
    assert code == 0 and "day or month first" not in shown


# --- 6. deterministic saves -------------------------------------------------------------------------------

def test_the_same_input_saves_to_the_same_bytes_in_any_process(tmp_path, rules):
    xlsm = make_xlsm(tmp_path / "Tracker.xlsm", rules, n=10)
    outs = []
    for seed in ("1", "2", "3"):
        copy = tmp_path / f"copy{seed}" / "Tracker.xlsm"
        copy.parent.mkdir()
        copy.write_bytes(xlsm.read_bytes())
        env = dict(ENV, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-m", "claimbook.cli", "refresh", str(copy), "--as-of", "2026-03-02"],
                              env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outs.append(copy.read_bytes())
    assert outs[0] == outs[1] == outs[2]


# --- 7. the mark of the web -------------------------------------------------------------------------------

MARK_OF_THE_WEB = b"[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://mail.example.com/\r\n"


@pytest.fixture
def streams(monkeypatch):
    fake: dict[str, bytes] = {}
    monkeypatch.setattr(zone, "read_stream", lambda p: fake.get(os.path.realpath(p)))
    monkeypatch.setattr(zone, "write_stream", lambda p, data: fake.__setitem__(os.path.realpath(p), data))
    return fake


def test_a_tracker_that_came_by_email_keeps_its_mark_after_refresh_and_import(tmp_path, rules, streams):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    streams[os.path.realpath(tracker)] = MARK_OF_THE_WEB
    refresh_file(tracker, as_of=AS_OF)
    assert streams[os.path.realpath(tracker)] == MARK_OF_THE_WEB
    streams.clear()
    streams[os.path.realpath(tracker)] = MARK_OF_THE_WEB
    import_files([new_claims_csv(tmp_path / "n.csv", ["Z1"])], tracker, as_of=AS_OF)
    assert streams[os.path.realpath(tracker)] == MARK_OF_THE_WEB
    assert "Z1" in claim_ids(tracker)


def test_a_tracker_without_the_mark_gets_none(tmp_path, rules, streams):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    refresh_file(tracker, as_of=AS_OF)
    assert streams == {}


def test_a_mark_that_cannot_be_kept_stops_the_save(tmp_path, rules, monkeypatch):
    tracker = make_tracker(tmp_path / "Tracker.xlsx", rules, n=5)
    before = fingerprint(tracker)
    monkeypatch.setattr(zone, "read_stream", lambda p: MARK_OF_THE_WEB)

    def no_streams(p, data):
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(zone, "write_stream", no_streams)
    with pytest.raises(TrackerError, match="could not keep that mark"):
        refresh_file(tracker, as_of=AS_OF)
    assert fingerprint(tracker) == before


def test_on_linux_there_is_no_stream_to_read():
    if os.name == "nt":
        pytest.skip("Windows has the stream")
    assert zone._read_stream(Path(__file__)) is None
