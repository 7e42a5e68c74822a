"""What several features share: where the Claims table is, the practice's own sheet ("Practice"),
the calculation chain and the sheet's used range."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from tests.features.package import (
    CT, MAIN, Package, RT, cell_values, col_letter, col_number, set_cells, split_ref,
)

USER_SHEET = "Practice"
NOTE_PHRASES = ["Called payer", "Resubmitted", "Waiting on records", "Appeal sent", "Patient to call"]
MONTHS = [("Jun", 41250, 36100), ("Jul", 43980, 39020), ("Aug", 40110, 37950), ("Sep", 45600, 40010),
          ("Oct", 47320, 42880), ("Nov", 44010, 41500)]


def shared_list(pkg: Package) -> list[str]:
    if "xl/sharedStrings.xml" not in pkg.parts:
        return []
    root = ET.fromstring(pkg.parts["xl/sharedStrings.xml"])
    return ["".join(t.text or "" for t in si.iter(f"{{{MAIN}}}t")) for si in root]


@dataclass
class ClaimsSheet:
    part: str
    table: str
    header: dict[str, str]  # column name -> letter
    rows: list[int]  # claim rows
    values: dict[str, str]
    last_col: str  # the table's last column
    header_style: str | None

    def cell(self, column: str, row: int) -> str | None:
        return self.values.get(f"{self.header[column]}{row}")

    def style(self, ref: str, xml: str) -> str:
        m = re.search(rf'<c r="{ref}"[^>]*?\ss="(\d+)"', xml)
        return f' s="{m.group(1)}"' if m else ""


def claims(pkg: Package) -> ClaimsSheet:
    part = pkg.sheet_part("Claims")
    xml = pkg.text(part)
    values = cell_values(xml, shared_list(pkg))
    table = pkg.rel_target(part, "table")
    ref = re.search(r'<table [^>]*\sref="([A-Z]+)1:([A-Z]+)(\d+)"', pkg.text(table))
    last_col, last_row = ref.group(2), int(ref.group(3))
    header = {}
    for n in range(1, col_number(last_col) + 1):
        v = values.get(f"{col_letter(n)}1")
        if v:
            header[v] = col_letter(n)
    rows = [r for r in range(2, last_row + 1) if values.get(f"A{r}")]
    hs = re.search(r'<c r="A1"[^>]*?\ss="(\d+)"', xml)
    return ClaimsSheet(part, table, header, rows, values, last_col, hs.group(1) if hs else None)


def widen_dimension(xml: str, ref: str) -> str:
    """Grow ``<dimension ref>`` to take in cell ``ref`` (as Excel keeps it)."""
    m = re.search(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"\s*/>', xml)
    col, row = split_ref(ref)
    c1, r1 = m.group(1), int(m.group(2))
    c2, r2 = (m.group(3), int(m.group(4))) if m.group(3) else (c1, r1)
    c2 = col_letter(max(col_number(c2), col_number(col)))
    r2 = max(r2, row)
    return xml[:m.start()] + f'<dimension ref="{c1}{r1}:{c2}{r2}"/>' + xml[m.end():]


def add_calc_chain(pkg: Package, sheet: str, refs: list[str]) -> None:
    """List formula cells in xl/calcChain.xml, which Excel writes whenever a workbook has formulas."""
    name = "xl/calcChain.xml"
    if name not in pkg.parts:
        pkg.put(name, f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="{MAIN}"></calcChain>')
        pkg.override(name, CT + "spreadsheetml.calcChain+xml")
        pkg.add_rel("xl/workbook.xml", RT + "calcChain", name)
    sheet_id = next(a["sheetId"] for t, _p, a in pkg.sheets() if t == sheet)
    items = "".join(f'<c r="{r}" i="{sheet_id}"/>' for r in refs)
    pkg.put(name, pkg.text(name).replace("</calcChain>", items + "</calcChain>"))


def user_sheet(pkg: Package) -> str:
    """The practice's own sheet "Practice" (made on first use): a title, a small table of monthly
    billed/collected amounts (for the chart and sparklines) and a list of standard note phrases."""
    for title, part, _a in pkg.sheets():
        if title == USER_SHEET:
            return part
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" '
           'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
           'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" '
           'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
           '<dimension ref="A1:H9"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
           '<sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/>'
           '<cols><col min="1" max="1" width="14.7109375" customWidth="1"/>'
           '<col min="8" max="8" width="22.7109375" customWidth="1"/></cols>'
           '<sheetData></sheetData>'
           '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
    part = pkg.add_sheet(USER_SHEET, xml)
    cells = [pkg.text_cell("A1", "Collections by month"), pkg.text_cell("A3", "Month"),
             pkg.text_cell("B3", "Billed"), pkg.text_cell("C3", "Collected"), pkg.text_cell("H1", "Standard notes")]
    for i, (month, billed, paid) in enumerate(MONTHS):
        r = 4 + i
        cells += [pkg.text_cell(f"A{r}", month), f'<c r="B{r}"><v>{billed}</v></c>', f'<c r="C{r}"><v>{paid}</v></c>']
    for i, phrase in enumerate(NOTE_PHRASES):
        cells.append(pkg.text_cell(f"H{2 + i}", phrase))
    pkg.put(part, set_cells(pkg.text(part), cells))
    return part


def edit(pkg: Package, part: str, fn) -> None:
    pkg.put(part, fn(pkg.text(part)))
