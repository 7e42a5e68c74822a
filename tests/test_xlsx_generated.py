"""The generated sheets written as XML parts (``claimbook.xlsx.generated``), checked against what today's
openpyxl edge writes for the same output, on real trackers; and ``StyleBook``'s additive editing."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.differential import DifferentialStyle

from claimbook import sheets as S
from claimbook.rules.loader import load_rules
from claimbook.xlsx import NeedsUpgrade
from claimbook.xlsx.generated import generated_parts
from claimbook.xlsx.parts import NS_MAIN, Package
from claimbook.xlsx.styles import StyleBook

BUILT = date(2026, 3, 2)  # the demo tracker is refreshed on this day by today's edge...
AS_OF = date(2026, 3, 20)  # ...and refreshed again on this one, by both edges
GENERATED = (S.WORKLIST, S.DASHBOARD, S.PAYERS)
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
NS_CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The demo tracker (macro template, ribbon, 300 sample claims), refreshed once by today's edge."""
    from claimbook.sample import sample_claims
    from claimbook.workbook.demo import write_demo_tracker

    rules = load_rules()
    path = tmp_path_factory.mktemp("demo") / "Demo.xlsm"
    return write_demo_tracker(path, sample_claims(BUILT, n=300), rules, BUILT)


def stream_copy(src: Path, target: Path, as_of: date = AS_OF):
    """``src`` with the generated parts and styles of a refresh on ``as_of`` written into a copy at
    ``target``. Returns (Generated, StyleBook)."""
    from claimbook.workbook.refresh import evaluate_file

    output = evaluate_file(src, as_of=as_of)
    with Package(src) as pkg:
        book = StyleBook(pkg.read(pkg.styles_part()))
        got = generated_parts(pkg, book, output)
        names = _defined_names(pkg.read(pkg.workbook_part), got)
        pkg.write(target, {**got.parts, pkg.styles_part(): book.to_bytes(), pkg.workbook_part: names})
    return got, book


def _defined_names(workbook: bytes, got) -> bytes:
    """workbook.xml with the print areas and the Worklist filter's range set (what the lead's edge does)."""
    def absolute(ref: str) -> str:
        return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))

    for kind, refs in (("Print_Area", got.print_areas), ("_FilterDatabase", got.auto_filters)):
        for sheet, ref in refs.items():
            workbook, n = re.subn(rf"(<definedName [^>]*name=\"_xlnm.{kind}\"[^>]*>'?{sheet}'?!)[^<]*(</definedName>)".encode(),
                                  rb"\g<1>" + absolute(ref).encode() + rb"\g<2>", workbook)
            assert n == 1
    return workbook


def openpyxl_copy(src: Path, target: Path, as_of: date = AS_OF) -> Path:
    from claimbook.workbook.refresh import refresh_file

    shutil.copy(src, target)
    refresh_file(target, as_of=as_of)
    return target


@pytest.fixture(scope="module")
def both(demo, tmp_path_factory):
    folder = tmp_path_factory.mktemp("both")
    got, book = stream_copy(demo, folder / "stream.xlsm")
    return folder / "stream.xlsm", openpyxl_copy(demo, folder / "openpyxl.xlsm"), got, book


def _same_value(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, (int, float)):
        return b == pytest.approx(a, rel=1e-14, abs=1e-12)
    return a == b


def test_every_generated_cell_is_what_the_openpyxl_edge_writes(both):
    stream, old, _got, _book = both
    a, b = openpyxl.load_workbook(stream), openpyxl.load_workbook(old)
    for name in GENERATED:
        wa, wb = a[name], b[name]
        values_a = {k: c.value for k, c in wa._cells.items() if c.value is not None}
        values_b = {k: c.value for k, c in wb._cells.items() if c.value is not None}
        assert values_a.keys() == values_b.keys(), name
        wrong = [(name, k, values_a[k], values_b[k]) for k in values_a if not _same_value(values_a[k], values_b[k])]
        assert wrong == []
        formats = [(name, k, wa._cells[k].number_format, wb._cells[k].number_format) for k in values_a
                   if wa._cells[k].number_format != wb._cells[k].number_format]
        assert formats == []
        assert wa.max_row == wb.max_row and wa.max_column == wb.max_column, name
    wl = a[S.WORKLIST]
    header = [c.value for c in wl[S.WORKLIST_HEADER_ROW]]
    due, stake = header.index("Due") + 1, header.index("At Stake") + 1
    assert isinstance(wl.cell(S.WORKLIST_HEADER_ROW + 1, due).value, date)  # a date, shown as a date
    assert wl.cell(S.WORKLIST_HEADER_ROW + 1, due).number_format == S.DATE_FORMAT
    assert wl.cell(S.WORKLIST_HEADER_ROW + 1, stake).number_format == S.MONEY_FORMAT
    assert a[S.DASHBOARD][S.DASH_ASOF_CELL].value.date() == AS_OF


def test_the_look_is_the_openpyxl_edges(both):
    stream, old, _got, _book = both
    a, b = openpyxl.load_workbook(stream), openpyxl.load_workbook(old)
    wl_a, wl_b = a[S.WORKLIST], b[S.WORKLIST]
    hr = S.WORKLIST_HEADER_ROW
    for col in range(1, wl_b.max_column + 1):
        ca, cb = wl_a.cell(hr, col), wl_b.cell(hr, col)
        assert (ca.font.b, ca.font.color.rgb, ca.fill.fgColor.rgb, ca.alignment.wrap_text) == \
               (cb.font.b, cb.font.color.rgb, cb.fill.fgColor.rgb, cb.alignment.wrap_text) == (True, "00FFFFFF", "002F5597", True)
    # wrapped rows: heights that show all of their text; the header row is 30 points
    rows = range(hr, wl_b.max_row + 1)
    assert [wl_a.row_dimensions[r].height for r in rows] == [wl_b.row_dimensions[r].height for r in rows]
    assert wl_a.row_dimensions[hr].height == 30 and any(wl_a.row_dimensions[r].height > 20 for r in rows)
    # the TF Risk colours: the same ranges, formulas and colours
    def rules(ws):
        return [(str(cf.sqref), r.formula, r.dxf.fill.fgColor.rgb if r.dxf and r.dxf.fill else None,
                 r.dxf.font.color.rgb if r.dxf and r.dxf.font else None) for cf in ws.conditional_formatting
                for r in cf.rules]
    assert rules(wl_a) == rules(wl_b)
    assert ("I4:I5003", ['OR($I4="Expired",$I4="Critical")'], "00FFC7CE", "009C0006") in rules(wl_a)
    assert wl_a.auto_filter.ref == wl_b.auto_filter.ref
    assert {k: (d.width, d.number_format) for k, d in wl_a.column_dimensions.items()} == \
           {k: (d.width, d.number_format) for k, d in wl_b.column_dimensions.items()}
    for name in (S.DASHBOARD, S.PAYERS):  # tiles, matrix totals, the payers table's fonts
        for k, cb in b[name]._cells.items():
            ca = a[name]._cells.get(k)
            if cb.value is None:
                continue
            assert (ca.font.b, ca.font.i, ca.font.sz, ca.font.color and ca.font.color.rgb, ca.fill.fgColor.rgb,
                    ca.alignment.horizontal, bool(ca.alignment.wrap_text), ca.border.left and ca.border.left.style) == \
                   (cb.font.b, cb.font.i, cb.font.sz, cb.font.color and cb.font.color.rgb, cb.fill.fgColor.rgb,
                    cb.alignment.horizontal, bool(cb.alignment.wrap_text), cb.border.left and cb.border.left.style), (name, k)
        assert {r: d.height for r, d in a[name].row_dimensions.items() if d.height} == \
               {r: d.height for r, d in b[name].row_dimensions.items() if d.height}


def test_print_areas_and_filter(both):
    _stream, old, got, _book = both
    b = openpyxl.load_workbook(old)
    for name in (S.WORKLIST, S.DASHBOARD):
        assert got.print_areas[name] == b[name].print_area.rpartition("!")[2].replace("$", "")
    assert got.auto_filters == {S.WORKLIST: b[S.WORKLIST].auto_filter.ref}
    assert got.removed_formulas == {}


def test_everything_else_stays_byte_for_byte(demo, both):
    stream, _old, got, _book = both
    from claimbook.xlsx.xmlscan import scan

    with zipfile.ZipFile(demo) as z0, zipfile.ZipFile(stream) as z1:
        changed = {n for n in z0.namelist() if z0.read(n) != z1.read(n)}
        assert changed <= set(got.parts) | {"xl/styles.xml", "xl/workbook.xml"}  # workbook.xml: print areas
        assert "xl/drawings/drawing1.xml" not in changed and "xl/vbaProject.bin" not in changed
        for part in got.parts:
            before, after = z0.read(part), z1.read(part)
            kids0 = {c.name: before[c.start:c.end] for c in scan(before).children}
            kids1 = {c.name: after[c.start:c.end] for c in scan(after).children}
            assert list(kids1)[:3] == list(kids0)[:3]
            for name in ("sheetPr", "sheetViews", "sheetFormatPr", "printOptions", "pageMargins", "pageSetup",
                         "headerFooter", "drawing", "legacyDrawing", "tableParts"):
                assert kids1.get(name) == kids0.get(name), (part, name)


def test_a_second_refresh_adds_no_format_and_gives_the_same_parts(both, tmp_path):
    stream, _old, got, book = both
    again, book2 = stream_copy(stream, tmp_path / "again.xlsm")
    assert not book2.changed
    assert again.parts == got.parts


def test_the_practices_cells_outside_the_blocks_stay(demo, tmp_path):
    """A note the practice typed beside the Dashboard's tables, and the sheet titles, are kept; a stale
    Worklist row far down is cleared (the worklist clears to the sheet's end, as the openpyxl edge does)."""
    wb = openpyxl.load_workbook(demo, keep_vba=True)
    wb[S.DASHBOARD]["L80"] = "Call Acme's rep on Fridays"
    wb[S.WORKLIST]["C900"] = "stale"
    wb.save(tmp_path / "own.xlsm")
    stream_copy(tmp_path / "own.xlsm", tmp_path / "after.xlsm")
    after = openpyxl.load_workbook(tmp_path / "after.xlsm")
    assert after[S.DASHBOARD]["L80"].value == "Call Acme's rep on Fridays"
    assert after[S.DASHBOARD]["A1"].value.startswith("Dashboard:")
    assert after[S.WORKLIST]["C900"].value is None


def _edit(src: Path, target: Path, edits: dict) -> Path:
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename in edits:
                data = edits[info.filename](data)
            out.writestr(info, data)
    return target


def test_a_missing_generated_sheet_needs_the_upgrade(demo, tmp_path):
    renamed = _edit(demo, tmp_path / "renamed.xlsm",
                    {"xl/workbook.xml": lambda d: d.replace(b'name="Payers"', b'name="Payer rules"')})
    with pytest.raises(NeedsUpgrade, match="Payers"):
        stream_copy(renamed, tmp_path / "out.xlsm")


def _chart_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/charts/chart")}


def test_chart_ranges_are_rewritten_when_they_are_not_this_layouts(demo, tmp_path):
    charts = _chart_parts(demo)
    by_age = next(n for n, d in charts.items() if b"$B$25:" in d)
    moved = _edit(demo, tmp_path / "moved.xlsm", {by_age: lambda d: d.replace(b"$25", b"$31").replace(b"$24", b"$30")})
    got, _book = stream_copy(moved, tmp_path / "out.xlsm")
    assert list(got.parts).count(by_age) == 1 and len([p for p in got.parts if "charts" in p]) == 1
    new = _chart_parts(tmp_path / "out.xlsm")[by_age]
    formulas = [f.text for f in ET.fromstring(new).iter(f"{{{NS_CHART}}}f")]
    rng = S.chart_ranges(5)
    assert [f.rpartition("!")[2] for f in formulas] == [rng.age_categories, rng.age_values]
    assert new.replace(b"$25", b"$31").replace(b"$24", b"$30") == charts[by_age].replace(b"$25", b"$31").replace(b"$24", b"$30")


def test_a_chart_with_another_number_of_age_columns_needs_the_upgrade(demo, tmp_path):
    charts = _chart_parts(demo)
    by_payer = next(n for n, d in charts.items() if d.count(b"<ser>") > 1)
    one_less = _edit(demo, tmp_path / "fewer.xlsm",
                     {by_payer: lambda d: re.sub(rb"<ser>(?:(?!</ser>).)*</ser>", b"", d, count=1, flags=re.S)})
    with pytest.raises(NeedsUpgrade, match="age columns"):
        stream_copy(one_less, tmp_path / "out.xlsm")
    no_charts = _edit(demo, tmp_path / "nocharts.xlsm", {
        "xl/worksheets/_rels/sheet4.xml.rels": lambda d: re.sub(rb"<Relationship [^>]*drawing[^>]*/>", b"", d)})
    with pytest.raises(NeedsUpgrade, match="chart"):
        stream_copy(no_charts, tmp_path / "out2.xlsm")


def _prefixed(data: bytes) -> bytes:
    """The Worklist part as other writers make it: the main namespace prefixed (x:), mc:Ignorable x14ac."""
    data = re.sub(rb"<(/?)([A-Za-z])", rb"<\1x:\2", data)
    data = data.replace(b'<x:worksheet xmlns="', b'<x:worksheet xmlns:mc="' + MC.encode() + b'" xmlns:x14ac="'
                        + X14AC.encode() + b'" mc:Ignorable="x14ac" xmlns:x="', 1)
    return re.sub(rb'<x:row r="(\d+)"', rb'<x:row r="\1" x14ac:dyDescent="0.25"', data)


def test_a_prefixed_part_keeps_its_prefixes_and_declarations(demo, both, tmp_path):
    _stream, old, _got, _book = both
    worklist = Package(demo).worksheet(S.WORKLIST).part
    src = _edit(demo, tmp_path / "prefixed.xlsm", {worklist: _prefixed})
    stream_copy(src, tmp_path / "out.xlsm")
    with zipfile.ZipFile(tmp_path / "out.xlsm") as z:
        part = z.read(worklist)
    assert part.startswith(b'<x:worksheet xmlns:mc="' + MC.encode() + b'" xmlns:x14ac="' + X14AC.encode()
                           + b'" mc:Ignorable="x14ac"')
    assert b"ns0:" not in part and b"<c " not in part and b"<x:c r=" in part and b' x:type=' not in part
    root = ET.fromstring(part)
    assert root.find(f"{{{NS_MAIN}}}conditionalFormatting/{{{NS_MAIN}}}cfRule").get("type") == "expression"
    a, b = openpyxl.load_workbook(tmp_path / "out.xlsm")[S.WORKLIST], openpyxl.load_workbook(old)[S.WORKLIST]
    assert [[c.value for c in r] for r in a.iter_rows()] == [[c.value for c in r] for r in b.iter_rows()]


# --- StyleBook --------------------------------------------------------------------------------------
def _styles(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/styles.xml")


def _section(xml: bytes, name: str) -> ET.Element:
    return ET.fromstring(xml).find(f"{{{NS_MAIN}}}{name}")


def _with_extensions(xml: bytes) -> bytes:
    xml = xml.replace(b'<styleSheet xmlns="', b'<styleSheet xmlns:mc="' + MC.encode() + b'" xmlns:x14ac="'
                      + X14AC.encode() + b'" mc:Ignorable="x14ac" xmlns="', 1)
    return xml.replace(b"</styleSheet>", b'<extLst><ext uri="{EB79DEF2-80B8-43e5-95BD-54CBDDF9020C}" xmlns:x14='
                       b'"http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:slicerStyles '
                       b'defaultSlicerStyle="SlicerStyleLight1"/></ext></extLst></styleSheet>')


def test_stylebook_appends_and_never_renumbers(demo):
    before = _with_extensions(_styles(demo))
    book = StyleBook(before)
    n_xfs, n_fonts = book.count("cellXfs"), book.count("fonts")
    header = book.add_xf(font=Font(name="Calibri", bold=True, color="FFFFFF"), fill=PatternFill("solid", fgColor="2F5597"),
                         alignment=Alignment(wrap_text=True, vertical="center"))
    assert header < n_xfs and not book.changed  # the demo already has the Worklist header's style
    new = book.add_xf(font=Font(name="Arial", size=7, italic=True), fill=PatternFill("solid", fgColor="123456"),
                      border=Border(bottom=Side(style="thick", color="FF0000")), number_format="0.000%",
                      alignment=Alignment(horizontal="right"))
    assert new == n_xfs and book.changed and book.count("fonts") == n_fonts + 1
    assert book.add_xf(font=Font(name="Arial", size=7, italic=True), fill=PatternFill("solid", fgColor="123456"),
                       border=Border(bottom=Side(style="thick", color="FF0000")), number_format="0.000%",
                       alignment=Alignment(horizontal="right")) == new
    money = book.with_number_format(header, S.MONEY_FORMAT)
    dated = book.with_number_format(0, "yyyy-mm-dd hh:mm")
    dxf = book.add_dxf(DifferentialStyle(font=Font(bold=True, color="00B050")))
    after = book.to_bytes()

    assert after.startswith(before[:before.index(b"<numFmts")])  # namespaces and mc:Ignorable as they were
    assert b"<x14:slicerStyles" in after and b"ns0" not in after
    for name in ("numFmts", "fonts", "fills", "borders", "cellXfs", "dxfs", "cellStyleXfs", "cellStyles"):
        old, now = _section(before, name), _section(after, name)
        assert int(now.get("count")) == len(now), name
        assert [ET.tostring(e) for e in now[:len(old)]] == [ET.tostring(e) for e in old], name  # no renumbering
    reread = StyleBook(after)
    assert reread.number_format(new) == "0.000%" and reread.number_format(money) == S.MONEY_FORMAT
    assert reread.is_date(dated) and not reread.is_date(header)
    xfs = _section(after, "cellXfs")
    assert {k: v for k, v in xfs[money].attrib.items() if k not in ("numFmtId", "applyNumberFormat")} == \
           {k: v for k, v in xfs[header].attrib.items() if k not in ("numFmtId", "applyNumberFormat")}
    assert ET.tostring(xfs[money][0]) == ET.tostring(xfs[header][0])  # the same alignment
    assert len(_section(after, "dxfs")) == dxf + 1
    # the same additions on the written styles find them all: nothing more is added
    again = StyleBook(after)
    assert again.add_xf(font=Font(name="Arial", size=7, italic=True), fill=PatternFill("solid", fgColor="123456"),
                        border=Border(bottom=Side(style="thick", color="FF0000")), number_format="0.000%",
                        alignment=Alignment(horizontal="right")) == new
    assert again.with_number_format(header, S.MONEY_FORMAT) == money
    assert again.add_dxf(DifferentialStyle(font=Font(bold=True, color="00B050"))) == dxf
    assert not again.changed and again.to_bytes() == after


def test_stylebook_adds_sections_a_workbook_lacks():
    bare = (f'<styleSheet xmlns="{NS_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
            '</fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
            'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            'borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>").encode()
    book = StyleBook(bare)
    dated = book.with_number_format(0, S.DATE_FORMAT)
    dxf = book.add_dxf(DifferentialStyle(font=Font(bold=True)))
    assert (dated, dxf) == (1, 0)
    root = ET.fromstring(book.to_bytes())
    assert [c.tag.rpartition("}")[2] for c in root] == ["numFmts", "fonts", "fills", "borders", "cellStyleXfs",
                                                        "cellXfs", "cellStyles", "dxfs"]
    assert StyleBook(book.to_bytes()).number_format(1) == S.DATE_FORMAT


# --- LibreOffice -------------------------------------------------------------------------------------
def _pdf(xlsx: Path, outdir: Path) -> Path:
    profile = outdir / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(outdir), str(xlsx)],
                   check=True, capture_output=True, timeout=240)
    return outdir / (xlsx.stem + ".pdf")


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=120).stdout
    return text.split("\f")


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="needs LibreOffice (soffice) and poppler-utils on PATH")
def test_libreoffice_prints_the_same_pages(both, tmp_path):
    """LibreOffice opens the spliced package and prints the Worklist and Dashboard as it prints the
    openpyxl edge's file."""
    stream, old, _got, _book = both
    a, b = _pages(_pdf(stream, tmp_path / "a")), _pages(_pdf(old, tmp_path / "b"))
    assert len(a) == len(b)
    for title in ("Worklist: the claims to work today", "Dashboard: the follow-up backlog"):
        pa = next(p for p in a if p.lstrip().startswith(title))
        pb = next(p for p in b if p.lstrip().startswith(title))
        assert pa == pb
        assert "As of 03/20/2026" in pa or "03/20/2026" in pa


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="needs LibreOffice (soffice) and poppler-utils on PATH")
def test_a_tracker_saved_by_another_program_gets_new_formats_and_still_opens(demo, tmp_path):
    """Saved by LibreOffice (its own styles.xml, prefixes and chart XML): claimbook's formats are appended,
    and LibreOffice prints the Worklist and Dashboard as it prints the openpyxl edge's refresh of it."""
    wb = openpyxl.load_workbook(demo)
    wb.save(tmp_path / "plain.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--norestore", "--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), str(tmp_path / "plain.xlsx")],
                   check=True, capture_output=True, timeout=240)
    foreign = tmp_path / "lo" / "plain.xlsx"
    before = _styles(foreign)
    _got, book = stream_copy(foreign, tmp_path / "stream.xlsx")
    assert book.changed
    after = _styles(tmp_path / "stream.xlsx")
    old, now = _section(before, "cellXfs"), _section(after, "cellXfs")
    assert len(now) > len(old) and [ET.tostring(e) for e in now[:len(old)]] == [ET.tostring(e) for e in old]
    a = _pages(_pdf(tmp_path / "stream.xlsx", tmp_path / "a"))
    b = _pages(_pdf(openpyxl_copy(foreign, tmp_path / "openpyxl.xlsx"), tmp_path / "b"))
    for title in ("Worklist: the claims to work today", "Dashboard: the follow-up backlog"):
        pa = next(p for p in a if p.lstrip().startswith(title))
        pb = next(p for p in b if p.lstrip().startswith(title))
        # the same words (the kept charts' labels sit a space apart from the ones openpyxl rebuilt)
        assert pa.split()[:-6] == pb.split()[:-6]  # the footer's page count aside
        assert "03/20/2026" in pa
