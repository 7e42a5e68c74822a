"""The stream edge (``claimbook.workbook.stream``): a tracker file edited as a zip package.

What a user sees: the same cells as the openpyxl edge reads and writes, every part claimbook does not
own kept byte for byte, a workbook that lacks claimbook's columns upgraded once through openpyxl, and a
package every reader opens.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from claimbook.rules.loader import load_rules
from claimbook.sample import sample_claims
from claimbook.workbook import io
from claimbook.workbook.edge import FileEdge
from claimbook.workbook.refresh import refresh_file
from claimbook.workbook.stream import StreamEdge
from claimbook.xlsx.rewrite import rewrite_sheet

AS_OF = date(2026, 3, 2)
MAIN = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def make_tracker(path: Path, rules, n=40) -> Path:
    from claimbook.workbook.demo import fill_claims
    from claimbook.workbook.layout import new_tracker

    wb = new_tracker(rules, as_of=AS_OF)
    fill_claims(wb, sample_claims(AS_OF, n=n), ())
    wb.save(path)
    return path


def cells(path: Path, sheet: str) -> dict:
    ws = openpyxl.load_workbook(path)[sheet]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def write_parts(path: Path, data: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in data.items():
            z.writestr(name, body)


# --- rewriting a sheet's XML -------------------------------------------------------------------------------

def _sheet_file(tmp_path: Path, xml: bytes) -> dict:
    """Cells openpyxl reads from a workbook whose only sheet is ``xml``."""
    wb = openpyxl.Workbook()
    wb.active.title = "S"
    path = tmp_path / "one.xlsx"
    wb.save(path)
    data = parts(path)
    data["xl/worksheets/sheet1.xml"] = xml
    with zipfile.ZipFile(path, "w") as z:
        for name, body in data.items():
            z.writestr(name, body)
    ws = openpyxl.load_workbook(path)["S"]
    return {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}


def test_rewrite_replaces_adds_and_keeps_cells_in_order(tmp_path):
    xml = (MAIN + b'<dimension ref="A1:C3"/><sheetData><row r="1" spans="1:3"><c r="A1" t="inlineStr"><is><t>Claim'
           b'</t></is></c><c r="C1"><v>5</v></c></row><row r="3"><c r="B3" s="0"/></row></sheetData>'
           b'<ignoredErrors><ignoredError sqref="C1" numberStoredAsText="1"/></ignoredErrors></worksheet>')
    new = rewrite_sheet(xml, {(1, 2): ("=SUM(A1:A9)", None), (2, 1): (date(2026, 1, 2), None), (3, 2): (7.5, 0),
                              (5, 4): ("a < b & c", None), (1, 3): (None, None)})
    assert new.endswith(b'<ignoredErrors><ignoredError sqref="C1" numberStoredAsText="1"/></ignoredErrors></worksheet>')
    assert b'<dimension ref="A1:D5"/>' in new
    got = _sheet_file(tmp_path, new)
    assert got == {"A1": "Claim", "B1": "=SUM(A1:A9)", "A2": 46024, "B3": 7.5, "D5": "a < b & c"}
    assert b'<c r="B1" t="inlineStr"><is><t>=SUM(A1:A9)</t></is></c>' in new  # text, never a formula


def test_rewrite_keeps_prefixes_and_positions_without_r(tmp_path):
    xml = (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
           b'<x:row><x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c><x:c><x:v>2</x:v></x:c></x:row>'
           b'</x:sheetData></x:worksheet>')
    new = rewrite_sheet(xml, {(1, 3): ("c", None), (2, 1): (1, None)})
    assert b"<x:c r=\"C1\" t=\"inlineStr\"><x:is><x:t>c</x:t></x:is></x:c>" in new
    assert _sheet_file(tmp_path, new) == {"A1": "a", "B1": 2, "C1": "c", "A2": 1}


def test_an_empty_sheet_gets_rows(tmp_path):
    new = rewrite_sheet(MAIN + b"<sheetData/></worksheet>", {(2, 2): ("x", None), (1, 1): (True, None)})
    assert _sheet_file(tmp_path, new) == {"A1": True, "B2": "x"}


# --- reading: the same blocks as the openpyxl edge --------------------------------------------------------

def test_reads_the_same_blocks_as_the_openpyxl_edge(tmp_path, rules):
    path = make_tracker(tmp_path / "T.xlsx", rules)
    refresh_file(path, as_of=AS_OF)
    old = FileEdge(path)
    with StreamEdge(path) as new:
        assert new.read_settings() == old.read_settings()
        assert new.read_claims() == old.read_claims()
        assert new.read_log() == old.read_log()
        assert new.read_import_log() == old.read_import_log()
        assert new.read_payments() == old.read_payments()


# --- refreshing: same cells, other parts kept, upgrade once -----------------------------------------------

def test_refresh_writes_what_the_openpyxl_edge_writes_and_keeps_other_parts(tmp_path, rules):
    from claimbook.app.refresh import refresh

    a = make_tracker(tmp_path / "A.xlsx", rules)
    refresh_file(a, as_of=AS_OF)  # the first refresh; the next day is the daily case
    b = tmp_path / "B.xlsx"
    b.write_bytes(a.read_bytes())
    before = parts(b)
    refresh(FileEdge(a), as_of=date(2026, 3, 3))
    refresh_file(b, as_of=date(2026, 3, 3))
    for sheet in ("Claims", "Worklist", "Dashboard", "Payers"):
        assert cells(b, sheet) == cells(a, sheet), sheet
    after = parts(b)
    owned = {"xl/workbook.xml", "xl/styles.xml"} | {n for n in after if n.startswith("xl/worksheets/sheet")}
    assert {n: d for n, d in after.items() if n not in owned} == {n: d for n, d in before.items() if n not in owned}
    claims = openpyxl.load_workbook(b)["Claims"]
    place = io.find_claims(claims.parent)
    follow = place.header().index("Follow-up Date") + place.first_col
    dated = [claims.cell(r, follow) for r in range(2, place.last_row + 1) if claims.cell(r, follow).value]
    assert dated and all(c.is_date for c in dated)  # the office manager sees dates, not serial numbers


def test_a_workbook_without_claimbook_columns_is_upgraded_once(tmp_path, rules):
    path = tmp_path / "Own.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Claims"
    ws.append(["Claim ID", "Payer", "DOS", "Billed", "Status"])
    ws.append(["A1", "Medicare", datetime(2026, 1, 5), 120.0, "Submitted"])
    wb.save(path)
    refresh_file(path, as_of=AS_OF)  # through openpyxl: columns and sheets added
    got = cells(path, "Claims")
    assert got["F1"] == "Age" and "Worklist" in openpyxl.load_workbook(path).sheetnames
    with StreamEdge(path) as edge:
        edge.prepare(rules)  # the next refresh needs no upgrade: it runs on the stream edge


def test_a_sheet_read_in_small_pieces_is_rewritten_the_same(tmp_path):
    from claimbook.xlsx.rewrite import rewrite_chunks

    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="C%d" s="0"/></row>' % (r, r, r, r) for r in range(1, 60))
    xml = MAIN + b'<dimension ref="A1:C59"/><sheetData>' + rows + b"</sheetData><pageMargins/></worksheet>"
    edits = {(r, 3): (f"row {r}", None) for r in range(1, 70, 3)}
    whole = rewrite_sheet(xml, edits)
    for size in (7, 64, 1000):
        pieces = [xml[i:i + size] for i in range(0, len(xml), size)]
        assert b"".join(rewrite_chunks(pieces, edits)) == whole
    got = _sheet_file(tmp_path, whole)
    assert got["C4"] == "row 4" and got["A4"] == 4 and got["C67"] == "row 67" and "C5" not in got


def test_a_macro_tracker_saved_by_openpyxl_declares_every_part(tmp_path):
    """openpyxl leaves the macros and the notes' shapes without a content type; Excel then calls the file
    damaged. The demo tracker (saved through openpyxl) declares them."""
    from claimbook.cli import main
    from tests.package_check import problems

    path = tmp_path / "Demo.xlsm"
    assert main(["demo", "--as-of", "2026-03-02", "--claims", "20", "--out", str(path)]) == 0
    assert problems(path) == []
    with zipfile.ZipFile(path) as z:
        types = z.read("[Content_Types].xml")
    assert b'PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"' in types
    assert b'Extension="vml"' in types


def test_a_formula_written_over_drops_excels_calculation_chain(tmp_path, rules):
    """A formula typed into a computed column is replaced by the value; Excel's calculation chain would
    then name a cell without a formula (Excel reports the file damaged), so it goes, and Excel rebuilds it."""
    import re

    from tests.package_check import problems

    path = make_tracker(tmp_path / "T.xlsx", rules)
    refresh_file(path, as_of=AS_OF)
    data = parts(path)
    from claimbook.xlsx.parts import Package

    with Package(path) as pkg:
        claims = pkg.worksheet("Claims").part
    wb = openpyxl.load_workbook(path)
    place = io.find_claims(wb)
    col = openpyxl.utils.get_column_letter(place.first_col + place.header().index("Priority"))
    data[claims] = re.sub(rb'<c r="' + col.encode() + rb'2"([^>]*?)(/>|>.*?</c>)',
                          b'<c r="' + col.encode() + b'2"><f>1+1</f><v>2</v></c>', data[claims], count=1, flags=re.S)
    data["xl/calcChain.xml"] = (b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                b'<c r="' + col.encode() + b'2" i="2"/></calcChain>')
    data["xl/_rels/workbook.xml.rels"] = data["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdChain" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    data["[Content_Types].xml"] = data["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.calcChain+xml"/></Types>')
    write_parts(path, data)
    assert problems(path) == []

    refresh_file(path, as_of=date(2026, 3, 3))

    after = parts(path)
    assert "xl/calcChain.xml" not in after and b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in after["[Content_Types].xml"] and problems(path) == []
    cell = openpyxl.load_workbook(path)["Claims"][f"{col}2"]
    assert cell.data_type == "n" and isinstance(cell.value, int)  # the rank, not the formula


def test_a_damaged_sheet_is_refused_in_plain_words_and_left_as_it_was(tmp_path, rules, capsys):
    from claimbook.cli import main
    from claimbook.xlsx.parts import Package

    path = make_tracker(tmp_path / "T.xlsx", rules)
    refresh_file(path, as_of=AS_OF)
    with Package(path) as pkg:
        claims = pkg.worksheet("Claims").part
    data = parts(path)
    data[claims] = data[claims][: len(data[claims]) // 2]  # cut off mid-sheet
    write_parts(path, data)
    before = path.read_bytes()

    assert main(["refresh", str(path), "--as-of", "2026-03-03"]) == 2

    err = capsys.readouterr().err
    assert err.startswith("claimbook: T.xlsx could not be read as an Excel workbook (the Claims sheet")
    assert "Open it in Excel to repair it, or use a backup copy." in err and "Traceback" not in err
    assert path.read_bytes() == before


def test_a_tracker_saved_without_the_macros_content_type_gets_it_at_the_next_refresh(tmp_path):
    """Trackers an earlier claimbook saved through openpyxl lack the macros' and notes' content types."""
    from claimbook.cli import main
    from tests.package_check import problems

    path = tmp_path / "Old.xlsm"
    assert main(["demo", "--as-of", "2026-03-02", "--claims", "20", "--out", str(path)]) == 0
    data = parts(path)
    types = data["[Content_Types].xml"]
    types = re.sub(rb'<Override PartName="/xl/vbaProject.bin"[^>]*/>', b"", types)
    data["[Content_Types].xml"] = re.sub(rb'<Default Extension="vml"[^>]*/>', b"", types)
    write_parts(path, data)
    assert len(problems(path)) == 2
    others = {n: d for n, d in parts(path).items() if n != "[Content_Types].xml" and "worksheets" not in n}

    assert main(["refresh", str(path), "--as-of", "2026-03-03"]) == 0

    assert problems(path) == []
    after = parts(path)
    assert all(after[n] == d for n, d in others.items() if n not in ("xl/workbook.xml", "xl/styles.xml"))


def test_edits_kept_by_row_write_what_the_cell_pairs_write(tmp_path):
    """``SheetEdits`` (how the stream edge collects a refresh's cells) and the plain (row, column) ->
    (value, format) form give the same sheet; a format follows its cell, and a later write without one
    drops it."""
    from claimbook.xlsx.rewrite import SheetEdits

    xml = MAIN + b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    pairs = {(1, 2): ("x", None), (3, 1): (datetime(2026, 3, 3, 9, 30), "yyyy-mm-dd hh:mm"), (1, 1): (None, None)}
    edits = SheetEdits(pairs)
    assert (3, 1) in edits and (3, 2) not in edits and len(edits) == 3
    formats = []

    def style(s, value, fmt):
        formats.append(fmt)
        return s

    assert rewrite_sheet(xml, edits, style) == rewrite_sheet(xml, pairs)
    assert sorted(formats, key=str) == [None, None, "yyyy-mm-dd hh:mm"]
    edits.put(3, 1, "again")
    assert edits.formats == {}


def test_a_grid_shares_repeated_values_and_reads_as_openpyxl(tmp_path, rules):
    """The Claims sheet as the stream edge keeps it: a text that repeats is one object, dates are datetimes
    at midnight and whole numbers ints (what openpyxl reads), once for every later read."""
    path = make_tracker(tmp_path / "T.xlsx", rules, n=60)
    refresh_file(path, as_of=AS_OF)
    with StreamEdge(path) as edge:
        rows = edge.wb["Claims"]._cells.rows
    header = rows[0]
    payers = [r[header.index("Payer")] for r in rows[1:] if r[header.index("Payer")]]
    assert len(payers) == 60 and len({id(p) for p in payers}) == len(set(payers)) < 60
    values = [v for r in rows for v in r]
    assert not any(type(v) is date or (type(v) is float and v.is_integer()) for v in values)
    dos = [r[header.index("DOS")] for r in rows[1:]]
    assert all(type(d) is datetime and d.hour == 0 for d in dos)


def test_refresh_and_import_load_no_web_module_and_one_holiday_calendar(tmp_path, rules):
    """A refresh and an import on the stream edge import nothing that speaks HTTP or TLS (no claim data can
    leave through them) and only the holidays module of the calendar in use, not the package's 250
    countries (8 MB at every run)."""
    import subprocess
    import sys

    path = make_tracker(tmp_path / "T.xlsx", rules)
    csv = tmp_path / "new.csv"
    csv.write_text("Claim ID,Patient,Payer,DOS,Billed,Status\nN1,Doe Jane,Aetna,02/02/2026,120.00,Submitted\n")
    code = (
        "import sys, json\n"
        "from datetime import date\n"
        "from claimbook.workbook.refresh import refresh_file\n"
        "from claimbook.workbook.importer import import_files\n"
        f"refresh_file({str(path)!r}, as_of=date(2026, 3, 2))\n"
        f"import_files([{str(csv)!r}], {str(path)!r}, as_of=date(2026, 3, 3))\n"
        "print(json.dumps(sorted(m for m in sys.modules if m in ('ssl', 'http.client', 'urllib.request', "
        "'xml.sax.saxutils') or m.startswith('holidays.countries'))))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '["holidays.countries.united_states"]'
    assert "N1" in str(cells(path, "Claims").values())


def test_an_upgrade_openpyxl_cannot_read_says_so_and_changes_nothing(tmp_path, capsys):
    """Excel's pivots workbook grafted into a tracker (``tests/test_real_excel_parts.py``: openpyxl 3.1
    cannot read Excel's pivot caches) that also lacks a name claimbook adds: the refresh needs the one-time
    upgrade through openpyxl. The message says the file is fine, what failed and what to do; the file is
    left as it was."""
    from claimbook.cli import main
    from tests.test_real_excel_parts import _grafted_tracker, graft_pivots

    path, _graft = _grafted_tracker(tmp_path, "xlsx", graft_pivots)
    data = parts(path)
    data["xl/workbook.xml"] = re.sub(rb'<definedName name="PayerList"[^>]*>[^<]*</definedName>', b"",
                                     data["xl/workbook.xml"])
    assert b'name="PayerList"' not in data["xl/workbook.xml"]
    write_parts(path, data)
    before = path.read_bytes()

    assert main(["refresh", str(path), "--as-of", "2026-03-03"]) == 2

    err = capsys.readouterr().err
    assert "needs a one-time change that claimbook can only make by reading the whole workbook" in err
    assert "pivot tables" in err and "Nothing was changed." in err and "damaged" not in err
    assert "Traceback" not in err
    assert path.read_bytes() == before
