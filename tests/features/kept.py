"""After a refresh or an import: what claimbook may have changed, and whether everything else was kept.

claimbook owns, in a refresh: the Claims sheet's XML (only the cells of its computed columns and
<dimension>), the Worklist, Dashboard and Payers sheets' XML, xl/styles.xml, xl/workbook.xml and the
Claims table part. An import may also change the Claims cells it imports, the Claims table's ref, and
add the Import Log and Payments sheets (new sheet and table parts, workbook.xml, the workbook's rels,
[Content_Types].xml). Every other part must come out byte for byte; inside the owned parts the features'
marks must still be there.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from tests.features.common import shared_list
from tests.features.package import MAIN, R, X14, XM, Package, cell_values, split_ref
from tests.features.registry import Mark

GENERATED = ("Worklist", "Dashboard", "Payers")
ADDED_BY_IMPORT = ("Import Log", "Payments")
WRAP = (f'<wrap xmlns="{MAIN}" xmlns:r="{R}" xmlns:x14="{X14}" xmlns:xm="{XM}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">{}</wrap>')


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def owned(pkg: Package, imported: bool) -> set[str]:
    """The parts claimbook may rewrite in this package (read from the package after the run)."""
    claims = pkg.sheet_part("Claims")
    out = {claims, "xl/styles.xml", "xl/workbook.xml", pkg.rel_target(claims, "table")}
    titles = GENERATED + (ADDED_BY_IMPORT if imported else ())
    for title, part, _a in pkg.sheets():
        if title in titles:
            out.add(part)
    if imported:
        out |= {"xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
    return out


def unowned_changes(before: dict[str, bytes], after: Package, imported: bool) -> list[str]:
    """Parts claimbook does not own that are missing, changed, or new after the run."""
    mine = owned(after, imported)
    out = []
    for name, data in before.items():
        if name in mine:
            continue
        if name not in after.parts:
            out.append(f"{name} was removed")
        elif after.parts[name] != data:
            out.append(f"{name} changed")
    for name in after.parts:
        if name not in before and name not in mine:
            if imported and _part_of_added_sheet(after, name):
                continue
            out.append(f"{name} was added")
    return out


def _part_of_added_sheet(pkg: Package, name: str) -> bool:
    """A new part an import may write: the Import Log / Payments sheet, its rels and its table."""
    for title, part, _a in pkg.sheets():
        if title in ADDED_BY_IMPORT:
            reach = {part, Package.rels_name(part)} | {pkg.resolve(part, r["Target"]) for r in pkg.rels(part)
                                                       if r.get("TargetMode") != "External"}
            if name in reach:
                return True
    return False


def references(pkg: Package, part: str) -> set[tuple[str, str]]:
    """(relationship type, target) of every r:id / r:embed reference in a part's XML, so a part whose
    relationships were renumbered still compares equal."""
    rels = {r["Id"]: (r["Type"].rsplit("/", 1)[-1], r["Target"] if r.get("TargetMode") == "External"
                      else pkg.resolve(part, r["Target"])) for r in pkg.rels(part)}
    out = set()
    for el in ET.fromstring(pkg.parts[part]).iter():
        for key, value in el.attrib.items():
            if key.startswith(f"{{{R}}}"):
                out.add(rels.get(value, ("missing relationship", value)))
    return out


def lost_references(before: Package, after: Package, imported: bool) -> list[str]:
    """What the parts claimbook owns pointed at before (sheets, drawings, comments, tables, printer
    settings, pivot caches, external links...) and no longer point at."""
    out = []
    for part in sorted(owned(before, imported)):
        if part in after.parts:
            gone = references(before, part) - references(after, part)
            out += [f"{part} no longer points at {target} ({kind})" for kind, target in sorted(gone)]
    return out


def lost_sheets(before: Package, after: Package) -> list[str]:
    now = {t: a for t, _p, a in after.sheets()}
    return [f"the sheet {t!r} is gone or changed its state/id" for t, _p, a in before.sheets()
            if t not in now or now[t].get("sheetId") != a.get("sheetId")
            or (now[t].get("state") or "visible") != (a.get("state") or "visible")]


# --- marks --------------------------------------------------------------------------------------------

def _matches(want: ET.Element, got: ET.Element) -> bool:
    if want.tag != got.tag:
        return False
    if any(got.get(k) != v for k, v in want.attrib.items()):
        return False
    if (want.text or "").strip() and (want.text or "") != (got.text or ""):
        return False
    kids = list(got)
    return all(any(_matches(w, g) for g in kids) for w in want)


def missing_marks(after: Package, marks: list[Mark]) -> list[str]:
    out = []
    for mark in marks:
        if mark.check is not None:
            problem = mark.check(after)
            if problem:
                out.append(f"{mark.what}: {problem}")
            continue
        if mark.part not in after.parts:
            out.append(f"{mark.what}: {mark.part} is gone")
            continue
        want = ET.fromstring(WRAP.format(mark.fragment))[0]
        root = ET.fromstring(after.parts[mark.part])
        if not any(_matches(want, el) for el in root.iter(want.tag)):
            out.append(f"{mark.what}: not found in {mark.part} (wanted {mark.fragment[:160]})")
    return out


# --- the Claims sheet ---------------------------------------------------------------------------------

def computed_letters(pkg: Package) -> set[str]:
    from claimbook import table

    values = cell_values(pkg.text(pkg.sheet_part("Claims")), shared_list(pkg))
    names = set(table.COMPUTED_COLUMNS)
    return {split_ref(ref)[0] for ref, v in values.items() if split_ref(ref)[1] == 1 and v in names}


def claims_without_computed(pkg: Package, letters: set[str], imported_cells=(), rows_from: int | None = None) -> str:
    """The Claims sheet's XML, canonical, without the computed columns' cells, <dimension> and row spans:
    what a refresh must leave exactly as it was. For an import, also without the cells it imported and the
    rows from ``rows_from`` on (the claims it added)."""
    root = ET.fromstring(pkg.parts[pkg.sheet_part("Claims")])
    for dim in root.findall(f"{{{MAIN}}}dimension"):
        root.remove(dim)
    data = root.find(f"{{{MAIN}}}sheetData")
    for row in list(data):
        if rows_from is not None and int(row.get("r")) >= rows_from:
            data.remove(row)
            continue
        row.attrib.pop("spans", None)
        for c in list(row):
            if (split_ref(c.get("r"))[0] in letters and split_ref(c.get("r"))[1] > 1) or c.get("r") in imported_cells:
                row.remove(c)
    return ET.canonicalize(ET.tostring(root, encoding="unicode"))


def first_difference(a: str, b: str) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"before: ...{a[max(0, at - 120):at + 120]}...\nafter:  ...{b[max(0, at - 120):at + 120]}..."


def computed_values(pkg: Package) -> dict[str, str]:
    letters = computed_letters(pkg)
    values = cell_values(pkg.text(pkg.sheet_part("Claims")), shared_list(pkg))
    return {ref: v for ref, v in values.items() if split_ref(ref)[0] in letters and split_ref(ref)[1] > 1}


def column(pkg: Package, name: str) -> dict[int, str]:
    values = cell_values(pkg.text(pkg.sheet_part("Claims")), shared_list(pkg))
    letter = next((split_ref(r)[0] for r, v in values.items() if split_ref(r)[1] == 1 and v == name), None)
    assert letter, f"no {name} column on the Claims sheet"
    return {split_ref(r)[1]: v for r, v in values.items() if split_ref(r)[0] == letter and split_ref(r)[1] > 1}



def letter_of(pkg: Package, name: str) -> str:
    values = cell_values(pkg.text(pkg.sheet_part("Claims")), shared_list(pkg))
    return next(split_ref(r)[0] for r, v in values.items() if split_ref(r)[1] == 1 and v == name)


def ideal_refresh(path: Path, refreshed_base: Path) -> None:
    """What a refresh that keeps everything does to ``path``: the computed cells of the Claims sheet
    take the values of the same claims refreshed in ``refreshed_base`` (the feature-free tracker, same
    date), every other byte stays. The checks must pass on it (they are not impossible to meet)."""
    import re

    from tests.features.package import set_cells

    done = Package.open(refreshed_base)
    letters = computed_letters(done)
    xml = done.text(done.sheet_part("Claims"))
    cells = [m.group(0) for m in re.finditer(r'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>.*?</c>)', xml, re.S)
             if m.group(1) in letters and int(m.group(2)) > 1]
    pkg = Package.open(path)
    part = pkg.sheet_part("Claims")
    pkg.put(part, set_cells(pkg.text(part), cells))
    pkg.save(path)
