"""Parts Excel itself wrote, grafted into a claimbook tracker, come through a refresh and an import.

The feature corpus (``tests.features``) writes every feature imitating Excel; here the parts come from a
workbook saved by Microsoft Excel (``tests/data/excel/README.md``): Excel 365's pictures in cells (a cell
``<c t="e" vm="1"><v>#VALUE!</v></c>`` whose ``vm`` points into the workbook-level ``xl/metadata.xml``,
whose rich values live in ``xl/richData/*`` and point at the pictures through ``richValueRel``) and a
drawing with a picture over the cells. They are grafted into a tracker as the practice would have them:
the pictures of the source sheet on a sheet of their own ("Photos"), and two insurance-card photos in
cells right of the Claims table, in claim rows, so that rows claimbook rewrites hold Excel's rich-value
cells. A second graft takes Excel's pivots workbook: six sheets, five pivot tables over two pivot caches,
a connection, Power Query's customXml, shared strings and the calculation chain. A refresh and an import
from the command line must then edit the package (the stream edge: the openpyxl edge refuses the
pictures and cannot read Excel's pivot caches) and keep every grafted part byte for byte.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

from claimbook.cli import main
from tests.features import base_tracker
from tests.features.common import claims, edit, widen_dimension
from tests.features.kept import (
    claims_without_computed, column, computed_letters, first_difference, letter_of, parts, unowned_changes,
)
from tests.features.package import CT, RT, Package, col_letter, col_number, set_cells
from tests.package_check import problems

EXCEL = Path(__file__).parent / "data" / "excel"
PICTURES = EXCEL / "pictures_in_cell_and_over_cell.xlsx"
PIVOTS = EXCEL / "pivots.xlsx"
REFRESH_AS_OF, IMPORT_AS_OF = "2026-03-03", "2026-03-04"  # the base tracker was refreshed on 2026-03-02
BOOK = "xl/workbook.xml"
BOOK_PARTS = ("worksheet", "styles", "theme", "sharedStrings")  # the source's own; not grafted


@dataclass
class Graft:
    """What the graft put into the tracker: every part it copied from Excel's file (name -> bytes,
    byte for byte as Excel wrote them), the workbook relationships and content types it added, and the
    in-cell pictures it put on the Claims sheet (cell XML as Excel writes it)."""
    copied: dict[str, bytes] = field(default_factory=dict)
    book_rels: list[tuple[str, str]] = field(default_factory=list)  # (Type, part)
    overrides: dict[str, str] = field(default_factory=dict)  # part -> content type
    photos_sheet: str = ""
    claims_cells: dict[str, str] = field(default_factory=dict)  # ref -> <c .../>
    sheets: dict[str, str] = field(default_factory=dict)  # title -> part, of the sheets grafted
    pivot_caches: set[tuple[str, str]] = field(default_factory=set)  # (cacheId, definition part) in workbook.xml


def _content_types(pkg: Package) -> tuple[dict[str, str], dict[str, str]]:
    ct = pkg.text("[Content_Types].xml")
    overrides = dict(re.findall(r'<Override PartName="/([^"]+)" ContentType="([^"]+)"', ct))
    defaults = {e.lower(): t for e, t in re.findall(r'<Default Extension="([^"]+)" ContentType="([^"]+)"', ct)}
    return overrides, defaults


def _copy(src: Package, pkg: Package, name: str, new_name: str | None, graft: Graft) -> str:
    """Copy one part verbatim (under ``new_name`` when its name is taken), with its content type."""
    new_name = new_name or name
    assert new_name not in pkg.parts, f"{new_name} is already in the tracker"
    pkg.put(new_name, src.parts[name])
    graft.copied[new_name] = src.parts[name]
    overrides, _defaults = _content_types(src)
    if name in overrides:
        pkg.override(new_name, overrides[name])
        graft.overrides[new_name] = overrides[name]
    return new_name


def graft_pictures(pkg: Package) -> Graft:
    """Put the Excel file's in-cell pictures and its picture over cells into the tracker ``pkg``."""
    src = Package.open(PICTURES)
    graft = Graft()
    _overrides, defaults = _content_types(src)
    pkg.default("png", defaults["png"])

    # 1. The workbook-level parts of the pictures in cells, under Excel's names, with their relationship
    #    types; the rich values' own rels (richValueRel -> the PNGs) and the pictures, verbatim.
    for rel in src.rels(BOOK):
        if rel["Type"].rsplit("/", 1)[-1] in BOOK_PARTS:
            continue
        part = src.resolve(BOOK, rel["Target"])
        _copy(src, pkg, part, None, graft)
        pkg.add_rel(BOOK, rel["Type"], part)
        graft.book_rels.append((rel["Type"], part))
        rels = Package.rels_name(part)
        if rels in src.parts:
            _copy(src, pkg, rels, None, graft)
            for r in src.rels(part):
                _copy(src, pkg, src.resolve(part, r["Target"]), None, graft)
    assert {t.rsplit("/", 1)[-1] for t, _p in graft.book_rels} == {
        "sheetMetadata", "richValueRel", "rdRichValue", "rdRichValueStructure", "rdRichValueTypes"}

    # 2. The source's sheet as the practice's "Photos" sheet: its XML as Excel wrote it (the vm cells,
    #    the <drawing r:id="rId1"/>), but not selected (two selected tabs would open grouped in Excel);
    #    its drawing and the picture over the cells under free names, the drawing's XML verbatim.
    sheet_xml = src.text("xl/worksheets/sheet1.xml")
    assert '<c r="A1" t="e" vm="1"><v>#VALUE!</v></c>' in sheet_xml
    assert not re.search(r'<c [^>]*\ss="', sheet_xml)  # no style index: nothing to map to the tracker's styles
    sheet = pkg.add_sheet("Photos", sheet_xml.replace(' tabSelected="1"', ""))
    graft.photos_sheet = sheet
    drawing_src = src.rel_target("xl/worksheets/sheet1.xml", "drawing")
    drawing = _copy(src, pkg, drawing_src, pkg.free_name("xl/drawings/drawing{}.xml"), graft)
    assert pkg.add_rel(sheet, RT + "drawing", drawing) == "rId1"  # the Id Excel's sheet XML names
    image_src = src.rel_target(drawing_src, "image")
    image = _copy(src, pkg, image_src, pkg.free_name("xl/media/image{}.png"), graft)
    assert pkg.add_rel(drawing, RT + "image", image) == "rId1"  # the Id Excel's drawing XML names
    graft.copied[sheet] = pkg.parts[sheet]
    graft.copied[Package.rels_name(sheet)] = pkg.parts[Package.rels_name(sheet)]
    graft.copied[Package.rels_name(drawing)] = pkg.parts[Package.rels_name(drawing)]

    # 3. The insurance-card photos next to two claims: Excel's cells, right of the Claims table with one
    #    empty column between (as tests.features.on_claims puts the practice's own columns), a heading
    #    above them, in claim rows claimbook rewrites.
    c = claims(pkg)
    col = col_letter(col_number(c.last_col) + 2)
    excel_cells = dict(re.findall(r'<c r="(A\d+)"( t="e" vm="\d+"><v>#VALUE!</v></c>)', sheet_xml))
    rows = {c.rows[0]: excel_cells["A1"], c.rows[2]: excel_cells["A3"]}
    graft.claims_cells = {f"{col}{row}": f'<c r="{col}{row}"{rest}' for row, rest in rows.items()}
    cells = [pkg.text_cell(f"{col}1", "Card photo"), *graft.claims_cells.values()]
    edit(pkg, c.part, lambda x: widen_dimension(set_cells(x, cells), f"{col}{max(rows)}"))
    return graft


def graft_pivots(pkg: Package) -> Graft:
    """Put the Excel file's six sheets with their five pivot tables into the tracker ``pkg``: the sheets'
    XML and rels as Excel wrote them under free names (their shared-string indices read Excel's own
    sharedStrings part, copied verbatim: the tracker has none; their style indices are in range of the
    tracker's styles), the pivot tables, the two pivot caches (definitions and records), the connection,
    the Power Query customXml (UTF-16, as Excel writes it) verbatim under Excel's names, the workbook's
    <pivotCaches> with Excel's cacheIds, and the calculation chain with its sheet ids renumbered."""
    src = Package.open(PIVOTS)
    graft = Graft()
    assert "xl/sharedStrings.xml" not in pkg.parts and "xl/calcChain.xml" not in pkg.parts
    cell_xfs = int(re.search(r'<cellXfs count="(\d+)"', pkg.text("xl/styles.xml")).group(1))
    new_ids = {}
    for title, part, attrs in src.sheets():
        xml = src.text(part)
        assert all(int(x) < cell_xfs for x in re.findall(r'<c [^>]*\ss="(\d+)"', xml))
        new = pkg.add_sheet(title, xml.replace(' tabSelected="1"', ""))
        graft.copied[new] = pkg.parts[new]
        graft.sheets[title] = new
        if Package.rels_name(part) in src.parts:
            _copy(src, pkg, Package.rels_name(part), Package.rels_name(new), graft)
        new_ids[attrs["sheetId"]] = next(a["sheetId"] for t, _p, a in pkg.sheets() if t == title)
    for name in src.parts:
        if name.startswith(("xl/pivotTables/", "xl/pivotCache/", "customXml/")) or name in (
                "xl/connections.xml", "xl/sharedStrings.xml"):
            _copy(src, pkg, name, None, graft)
    rids = {}
    for rel in src.rels(BOOK):
        kind = rel["Type"].rsplit("/", 1)[-1]
        if kind in ("worksheet", "styles", "theme", "calcChain"):
            continue
        part = src.resolve(BOOK, rel["Target"])
        rids[rel["Id"]] = part, pkg.add_rel(BOOK, rel["Type"], part)
        graft.book_rels.append((rel["Type"], part))
    caches = re.findall(r'<pivotCache cacheId="(\d+)" r:id="(\w+)"/>', src.text(BOOK))
    assert len(caches) == 2
    pkg.workbook_child("pivotCaches", "<pivotCaches>" + "".join(
        f'<pivotCache cacheId="{cid}" r:id="{rids[rid][1]}"/>' for cid, rid in caches) + "</pivotCaches>")
    graft.pivot_caches = {(cid, rids[rid][0]) for cid, rid in caches}
    chain = re.sub(r'( i=")(\d+)"', lambda m: f'{m.group(1)}{new_ids[m.group(2)]}"', src.text("xl/calcChain.xml"))
    pkg.put("xl/calcChain.xml", chain)
    pkg.override("xl/calcChain.xml", CT + "spreadsheetml.calcChain+xml")
    pkg.add_rel(BOOK, RT + "calcChain", "xl/calcChain.xml")
    graft.copied["xl/calcChain.xml"] = pkg.parts["xl/calcChain.xml"]
    graft.book_rels.append((RT + "calcChain", "xl/calcChain.xml"))
    return graft


def _grafted_tracker(tmp_path: Path, kind: str, graft_parts=graft_pictures) -> tuple[Path, Graft]:
    path = tmp_path / f"Tracker.{kind}"
    path.write_bytes(base_tracker(kind))
    pkg = Package.open(path)
    graft = graft_parts(pkg)
    pkg.save(path)
    return path, graft


# --- the checks: what a user would lose -------------------------------------------------------------------

def lost_parts(path: Path, graft: Graft) -> list[str]:
    """Everything of the grafted pictures that is no longer in the file as it was."""
    pkg = Package.open(path)
    out = []
    for name, data in graft.copied.items():
        if name not in pkg.parts:
            out.append(f"{name} is gone")
        elif pkg.parts[name] != data:
            out.append(f"{name} changed")
    rels = {(r["Type"], pkg.resolve(BOOK, r["Target"])) for r in pkg.rels(BOOK)}
    out += [f"the workbook no longer points at {p} ({t.rsplit('/', 1)[-1]})" for t, p in graft.book_rels
            if (t, p) not in rels]
    overrides, defaults = _content_types(pkg)
    out += [f"{p} lost its content type {t}" for p, t in graft.overrides.items() if overrides.get(p) != t]
    if graft.photos_sheet and defaults.get("png") != "image/png":
        out.append("the PNG pictures lost their content type")
    sheets = {t: p for t, p, _a in pkg.sheets()}
    wanted = dict(graft.sheets, **({"Photos": graft.photos_sheet} if graft.photos_sheet else {}))
    out += [f"the sheet {t!r} is no longer in the workbook" for t, p in wanted.items() if sheets.get(t) != p]
    if graft.pivot_caches:
        rels = {r["Id"]: pkg.resolve(BOOK, r["Target"]) for r in pkg.rels(BOOK)}
        now = {(cid, rels.get(rid)) for cid, rid in re.findall(r'<pivotCache cacheId="(\d+)" r:id="(\w+)"/>',
                                                               pkg.text(BOOK))}
        out += [f"workbook.xml no longer lists the pivot cache {cid} ({p})" for cid, p in graft.pivot_caches - now]
    claims_xml = pkg.text(pkg.sheet_part("Claims"))
    for ref, cell in graft.claims_cells.items():
        if cell not in claims_xml:
            now = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', claims_xml, re.S)
            out.append(f"the in-cell picture {ref} on the Claims sheet is {now.group(0) if now else 'gone'} "
                       f"(was {cell})")
    return out


def _check(path: Path, graft: Graft, before: dict[str, bytes], imported: bool) -> Package:
    assert problems(path) == [], f"not a valid package: {problems(path)}"
    lost = lost_parts(path, graft)
    assert not lost, "Excel's parts were lost: " + "; ".join(lost)
    after = Package.open(path)
    changed = unowned_changes(before, after, imported)
    assert not changed, "parts claimbook does not own were changed: " + "; ".join(changed)
    return after


def run_on_the_stream_edge(monkeypatch, capsys, args: list[str], path: Path) -> None:
    """``claimbook <args>`` as the command line runs it; fails the test if it refuses the file or falls
    back to the openpyxl edge (``run_on_file`` after a ``NeedsUpgrade``): that edge rewrites the whole
    package and refuses a workbook holding pictures it cannot keep."""
    import claimbook.workbook.edge as edge_module

    used = []
    original = edge_module.FileEdge

    def spy(at, *rest, **kwargs):
        if Path(at) == path:
            used.append(at)
        return original(at, *rest, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(edge_module, "FileEdge", spy)
        code = main(args)
    out = capsys.readouterr()
    assert code == 0, f"claimbook {args[0]} refused the tracker: {out.out}{out.err}"
    assert used == [], f"claimbook {args[0]} fell back to the openpyxl edge"


# --- the tests ------------------------------------------------------------------------------------------

GRAFTS = {"pictures": graft_pictures, "pivots": graft_pivots}
CASES = [("pictures", "xlsx"), ("pictures", "xlsm"), ("pivots", "xlsx")]


@pytest.mark.parametrize("what,kind", CASES)
def test_the_grafted_tracker_is_valid_and_openpyxl_reads_it(tmp_path, what, kind):
    path, graft = _grafted_tracker(tmp_path, kind, GRAFTS[what])
    assert problems(path) == []
    assert lost_parts(path, graft) == []
    if what == "pivots":
        # openpyxl 3.1.5 cannot read Excel's own pivots.xlsx (TypeError in a pivot cache's fieldGroup), so
        # it cannot read the tracker either: checked by the package checks and LibreOffice instead.
        assert len(graft.copied) == 32 and len(graft.pivot_caches) == 2
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, keep_vba=kind == "xlsm")
    assert "Claims" in wb.sheetnames
    if what == "pictures":
        assert len(graft.copied) == 13 and len(graft.claims_cells) == 2
        assert "Photos" in wb.sheetnames
        for ref in graft.claims_cells:
            assert wb["Claims"][ref].value == "#VALUE!"  # what a reader without rich values shows


@pytest.mark.parametrize("what,kind", CASES)
def test_a_refresh_and_an_import_keep_excels_parts(tmp_path, what, kind, capsys, monkeypatch):
    path, graft = _grafted_tracker(tmp_path, kind, GRAFTS[what])
    before_pkg = Package.open(path)
    before = parts(path)
    assert problems(path) == [] and lost_parts(path, graft) == []

    # The refresh, as the command line runs it.
    run_on_the_stream_edge(monkeypatch, capsys, ["refresh", str(path), "--as-of", REFRESH_AS_OF], path)
    after = _check(path, graft, before, imported=False)
    letters = computed_letters(before_pkg)
    was, now = claims_without_computed(before_pkg, letters), claims_without_computed(after, letters)
    assert was == now, "the Claims sheet changed outside the computed columns:\n" + first_difference(was, now)
    ages_before, ages_after = column(before_pkg, "Age"), column(after, "Age")
    assert ages_before.keys() == ages_after.keys() and len(ages_before) >= 10
    assert all(int(ages_after[r]) == int(ages_before[r]) + 1 for r in ages_before), "no refresh happened"

    # An import of one new claim, as the command line runs it.
    refreshed = parts(path)
    csv = tmp_path / "new.csv"
    csv.write_text("Claim ID,Patient,Payer,DOS,Billed,Status\nN1,Doe Jane,Aetna,02/02/2026,120.00,Submitted\n")
    run_on_the_stream_edge(monkeypatch, capsys, ["import", str(csv), "--into", str(path), "--as-of", IMPORT_AS_OF], path)
    after = _check(path, graft, refreshed, imported=True)
    ids = column(after, "Claim ID")
    assert "N1" in ids.values() and len(ids) == len(ages_before) + 1
    ages = column(after, "Age")
    assert all(int(ages[r]) == int(ages_before[r]) + 2 for r in ages_before)
    status = letter_of(after, "Status")
    assert after.text(after.sheet_part("Claims")).count(f'<c r="{status}') >= len(ids)


def test_the_checks_catch_a_lost_picture_or_pivot_cache(tmp_path):
    """The checks fail when a part of the pictures, their relationship or their cell is lost, or the
    workbook's list of pivot caches, or a cache's records."""
    for loss in ("metadata part", "richData relationship", "claims cell vm", "drawing changed"):
        path, graft = _grafted_tracker(tmp_path, "xlsx")
        pkg = Package.open(path)
        if loss == "metadata part":
            del pkg.parts["xl/metadata.xml"]
        elif loss == "richData relationship":
            rels = Package.rels_name(BOOK)
            pkg.put(rels, re.sub(r'<Relationship [^>]*richValueRel"[^>]*/>', "", pkg.text(rels)))
        elif loss == "claims cell vm":
            part = pkg.sheet_part("Claims")
            pkg.put(part, pkg.text(part).replace(' vm="1"', "", 1))
        elif loss == "drawing changed":
            pkg.put("xl/drawings/drawing2.xml", pkg.text("xl/drawings/drawing2.xml").replace('descr="red.png"', ""))
        pkg.save(path)
        assert lost_parts(path, graft), loss
    for loss in ("pivotCaches", "pivot cache records"):
        path, graft = _grafted_tracker(tmp_path, "xlsx", graft_pivots)
        pkg = Package.open(path)
        if loss == "pivotCaches":
            pkg.put(BOOK, re.sub(r"<pivotCaches>.*?</pivotCaches>", "", pkg.text(BOOK)))
        else:
            del pkg.parts["xl/pivotCache/pivotCacheRecords1.xml"]
        pkg.save(path)
        assert lost_parts(path, graft), loss


def test_a_fallback_to_the_openpyxl_edge_fails_the_test(tmp_path, capsys, monkeypatch):
    """Were the stream edge to give up (``NeedsUpgrade``), the openpyxl edge would refuse the tracker (it
    cannot keep the pictures): the user could no longer refresh it. The test says so."""
    from claimbook.workbook.stream import StreamEdge
    from claimbook.xlsx import NeedsUpgrade

    path, graft = _grafted_tracker(tmp_path, "xlsx")
    before = path.read_bytes()

    def give_up(self, rules):
        raise NeedsUpgrade("made to fall back by the test")

    monkeypatch.setattr(StreamEdge, "prepare", give_up)
    with pytest.raises(AssertionError, match="refused the tracker|fell back to the openpyxl edge"):
        run_on_the_stream_edge(monkeypatch, capsys, ["refresh", str(path), "--as-of", REFRESH_AS_OF], path)
    assert path.read_bytes() == before and lost_parts(path, graft) == []


@pytest.mark.libreoffice
@pytest.mark.parametrize("what", list(GRAFTS))
def test_libreoffice_opens_the_refreshed_and_imported_tracker(tmp_path, capsys, what):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    path, graft = _grafted_tracker(tmp_path, "xlsx", GRAFTS[what])
    assert main(["refresh", str(path), "--as-of", REFRESH_AS_OF]) == 0
    csv = tmp_path / "new.csv"
    csv.write_text("Claim ID,Patient,Payer,DOS,Billed,Status\nN1,Doe Jane,Aetna,02/02/2026,120.00,Submitted\n")
    assert main(["import", str(csv), "--into", str(path), "--as-of", IMPORT_AS_OF]) == 0
    capsys.readouterr()
    assert lost_parts(path, graft) == []
    out = tmp_path / "pdf"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(out), str(path)],
                   capture_output=True, timeout=600, check=False)
    pdf = out / (path.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 1000
