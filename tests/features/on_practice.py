"""Features on the practice's own sheet ("Practice") that live in its cells and sheet XML, plus the
workbook-level parts they bring (pivot cache, dynamic-array metadata, external link)."""

from __future__ import annotations

import base64
import re

from tests.features.common import MONTHS, USER_SHEET, add_calc_chain, claims, edit, user_sheet, widen_dimension
from tests.features.media import protection_hash
from tests.features.package import CT, R, RT, X14, XM, insert_child, row_attrs, set_cells
from tests.features.registry import Mark, feature
from tests.features.on_claims import add_ext


def _book_mark(fragment: str, what: str) -> Mark:
    return Mark("xl/workbook.xml", fragment, what)


@feature("pivot_table", "Practice, J3 (cache on the Claims sheet's Payer column)",
         "a pivot table counting claims by payer, with its pivot cache definition and records")
def pivot_table(pkg):
    sheet = user_sheet(pkg)
    c = claims(pkg)
    col = c.header["Payer"]
    payers = [c.cell("Payer", r) for r in c.rows]
    items = sorted(set(payers))
    cache = pkg.free_name("xl/pivotCache/pivotCacheDefinition{}.xml")
    records = cache.replace("Definition", "Records")
    table = pkg.free_name("xl/pivotTables/pivotTable{}.xml")
    pkg.put(records, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<pivotCacheRecords xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{R}" '
            f'count="{len(payers)}">' + "".join(f'<r><x v="{items.index(p)}"/></r>' for p in payers)
            + "</pivotCacheRecords>")
    pkg.override(records, CT + "spreadsheetml.pivotCacheRecords+xml")
    pkg.put(cache, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<pivotCacheDefinition xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{R}" '
            'r:id="rId1" refreshedBy="Dana Ruiz" refreshedDate="46357.61" createdVersion="8" refreshedVersion="8" '
            f'minRefreshableVersion="3" recordCount="{len(payers)}"><cacheSource type="worksheet">'
            f'<worksheetSource ref="{col}1:{col}{c.rows[-1]}" sheet="Claims"/></cacheSource><cacheFields count="1">'
            f'<cacheField name="Payer" numFmtId="0"><sharedItems count="{len(items)}">'
            + "".join(f'<s v="{p}"/>' for p in items) + "</sharedItems></cacheField></cacheFields></pivotCacheDefinition>")
    pkg.override(cache, CT + "spreadsheetml.pivotCacheDefinition+xml")
    assert pkg.add_rel(cache, RT + "pivotCacheRecords", records) == "rId1"
    n = len(items)
    pkg.put(table, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<pivotTableDefinition xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'name="PivotTable1" cacheId="3" applyNumberFormats="0" applyBorderFormats="0" applyFontFormats="0" '
            'applyPatternFormats="0" applyAlignmentFormats="0" applyWidthHeightFormats="1" dataCaption="Values" '
            'updatedVersion="8" minRefreshableVersion="3" useAutoFormatting="1" itemPrintTitles="1" createdVersion="8" '
            f'indent="0" outline="1" outlineData="1" multipleFieldFilters="0"><location ref="J3:K{4 + n}" '
            'firstHeaderRow="1" firstDataRow="1" firstDataCol="1"/><pivotFields count="1">'
            f'<pivotField axis="axisRow" dataField="1" showAll="0"><items count="{n + 1}">'
            + "".join(f'<item x="{i}"/>' for i in range(n)) + '<item t="default"/></items></pivotField></pivotFields>'
            f'<rowFields count="1"><field x="0"/></rowFields><rowItems count="{n + 1}">'
            + "".join(f'<i><x v="{i}"/></i>' if i else "<i><x/></i>" for i in range(n))
            + '<i t="grand"><x/></i></rowItems><colItems count="1"><i/></colItems><dataFields count="1">'
            '<dataField name="Count of Payer" fld="0" subtotal="count" baseField="0" baseItem="0"/></dataFields>'
            '<pivotTableStyleInfo name="PivotStyleLight16" showRowHeaders="1" showColHeaders="1" showRowStripes="0" '
            'showColStripes="0" showLastColumn="1"/></pivotTableDefinition>')
    pkg.override(table, CT + "spreadsheetml.pivotTable+xml")
    pkg.add_rel(table, RT + "pivotCacheDefinition", cache)
    pkg.add_rel(sheet, RT + "pivotTable", table)
    rid = pkg.add_rel("xl/workbook.xml", RT + "pivotCacheDefinition", cache)
    pkg.workbook_child("pivotCaches", f'<pivotCaches><pivotCache cacheId="3" r:id="{rid}"/></pivotCaches>')
    cells = [pkg.text_cell("J3", "Row Labels"), pkg.text_cell("K3", "Count of Payer")]
    for i, p in enumerate(items):
        cells += [pkg.text_cell(f"J{4 + i}", p), f'<c r="K{4 + i}"><v>{payers.count(p)}</v></c>']
    cells += [pkg.text_cell(f"J{4 + n}", "Grand Total"), f'<c r="K{4 + n}"><v>{len(payers)}</v></c>']
    edit(pkg, sheet, lambda x: widen_dimension(set_cells(x, cells), f"K{4 + n}"))
    return [_book_mark(f'<pivotCaches><pivotCache xmlns:r="{R}" cacheId="3" r:id="{rid}"/></pivotCaches>',
                       "the workbook's pivotCache entry")]


@feature("sparklines", "Practice, row 10", "sparklines (x14:sparklineGroups in extLst) under the monthly amounts")
def sparklines(pkg):
    sheet = user_sheet(pkg)
    n = 3 + len(MONTHS)
    ext = (f'<ext uri="{{05C60535-1F16-4fd2-B633-F4F36F0B64E0}}" xmlns:x14="{X14}"><x14:sparklineGroups xmlns:xm="{XM}">'
           '<x14:sparklineGroup displayEmptyCellsAs="gap" markers="1"><x14:colorSeries theme="4" tint="-0.499984740745262"/>'
           '<x14:colorNegative theme="5"/><x14:colorAxis rgb="FF000000"/><x14:colorMarkers theme="4" '
           'tint="-0.499984740745262"/><x14:colorFirst theme="4" tint="0.39997558519241921"/><x14:colorLast theme="4" '
           'tint="0.39997558519241921"/><x14:colorHigh theme="4"/><x14:colorLow theme="4"/><x14:sparklines>'
           f"<x14:sparkline><xm:f>{USER_SHEET}!B4:B{n}</xm:f><xm:sqref>B{n + 1}</xm:sqref></x14:sparkline>"
           f"<x14:sparkline><xm:f>{USER_SHEET}!C4:C{n}</xm:f><xm:sqref>C{n + 1}</xm:sqref></x14:sparkline>"
           "</x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext>")
    edit(pkg, sheet, lambda x: add_ext(set_cells(x, [pkg.text_cell(f"A{n + 1}", "Trend")]), ext))
    return []


@feature("merged_cells", "Practice, the title row", "merged cells (A1:F1)")
def merged_cells(pkg):
    sheet = user_sheet(pkg)
    edit(pkg, sheet, lambda x: insert_child(x, "mergeCells", '<mergeCells count="1"><mergeCell ref="A1:F1"/></mergeCells>'))
    return []


@feature("freeze_panes", "Practice", "frozen panes (the first three rows stay in view)")
def freeze_panes(pkg):
    sheet = user_sheet(pkg)
    view = ('<sheetView workbookViewId="0"><pane ySplit="3" topLeftCell="A4" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A4" sqref="A4"/></sheetView>')
    edit(pkg, sheet, lambda x: x.replace('<sheetView workbookViewId="0"/>', view))
    return []


@feature("sheet_protection", "Practice", "sheet protection with a password (SHA-512 hash, salt, spin count)")
def sheet_protection(pkg):
    sheet = user_sheet(pkg)
    salt = bytes(range(7, 23))
    frag = (f'<sheetProtection algorithmName="SHA-512" hashValue="{protection_hash("clinic", salt)}" '
            f'saltValue="{base64.b64encode(salt).decode()}" spinCount="100000" sheet="1" objects="1" scenarios="1" '
            'formatColumns="0" sort="0" autoFilter="0"/>')
    edit(pkg, sheet, lambda x: insert_child(x, "sheetProtection", frag))
    return []


@feature("outline_hidden_rows_columns", "Practice, rows 11-15 and column G",
         "an outline group of detail rows, collapsed (hidden rows), a hidden column and a SUM total")
def outline_hidden_rows_columns(pkg):
    sheet = user_sheet(pkg)
    staff = [("Maria", 41), ("Dana", 37), ("Luis", 29), ("Ana", 18)]
    cells = []
    for i, (name, worked) in enumerate(staff):
        cells += [pkg.text_cell(f"A{11 + i}", name), f'<c r="B{11 + i}"><v>{worked}</v></c>']
    cells += [pkg.text_cell("A15", "Claims worked"), '<c r="B15"><f>SUM(B11:B14)</f><v>125</v></c>',
              pkg.text_cell("G3", "internal")]

    def put(x: str) -> str:
        x = widen_dimension(set_cells(x, cells), "B15")
        for r in range(11, 15):
            x = row_attrs(x, r, 'outlineLevel="1" hidden="1"')
        x = row_attrs(x, 15, 'collapsed="1"')
        x = x.replace('<col min="8" max="8"', '<col min="7" max="7" width="0" hidden="1" customWidth="1"/><col min="8" max="8"')
        return re.sub(r"<sheetFormatPr ", '<sheetFormatPr outlineLevelRow="1" ', x, 1)
    edit(pkg, sheet, put)
    add_calc_chain(pkg, USER_SHEET, ["B15"])
    return []


@feature("data_table", "Practice, A18:B24", "a what-if data table (f t=\"dataTable\") over the collection rate")
def data_table(pkg):
    sheet = user_sheet(pkg)
    billed = sum(m[1] for m in MONTHS)
    n = 3 + len(MONTHS)
    cells = [pkg.text_cell("A18", "Collection rate"), '<c r="B18"><v>0.92</v></c>',
             pkg.text_cell("A19", "Expected"), f'<c r="B19"><f>B18*SUM(B4:B{n})</f><v>{billed * 0.92:g}</v></c>',
             f'<c r="B21"><f>B19</f><v>{billed * 0.92:g}</v></c>']
    for i, rate in enumerate((0.85, 0.9, 0.95)):
        value = f"{billed * rate:g}"
        f = '<f t="dataTable" ref="B22:B24" dt2D="0" dtr="0" r1="B18"/>' if i == 0 else ""
        cells += [f'<c r="A{22 + i}"><v>{rate}</v></c>', f'<c r="B{22 + i}">{f}<v>{value}</v></c>']
    edit(pkg, sheet, lambda x: widen_dimension(set_cells(x, cells), "B24"))
    add_calc_chain(pkg, USER_SHEET, ["B19", "B21"])
    return []


@feature("spill_formula", "Practice, M3 (spilling down)",
         "a dynamic-array =UNIQUE(Claims[Payer]) spill formula (cm attribute, xl/metadata.xml)")
def spill_formula(pkg):
    sheet = user_sheet(pkg)
    c = claims(pkg)
    payers = list(dict.fromkeys(c.cell("Payer", r) for r in c.rows))
    end = 3 + len(payers) - 1
    cells = [f'<c r="M3" cm="1" t="str"><f t="array" ref="M3:M{end}">_xlfn.UNIQUE(Claims[Payer])</f><v>{payers[0]}</v></c>']
    cells += [f'<c r="M{4 + i}" t="str"><v>{p}</v></c>' for i, p in enumerate(payers[1:])]
    edit(pkg, sheet, lambda x: widen_dimension(set_cells(x, cells), f"M{end}"))
    if "xl/metadata.xml" not in pkg.parts:
        pkg.put("xl/metadata.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray"><metadataTypes count="1">'
                '<metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" pasteAll="1" pasteValues="1" '
                'merge="1" splitFirst="1" rowColShift="1" clearFormats="1" clearComments="1" assign="1" coerce="1" '
                'cellMeta="1"/></metadataTypes><futureMetadata name="XLDAPR" count="1"><bk><extLst>'
                '<ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}"><xda:dynamicArrayProperties fDynamic="1" '
                'fCollapsed="0"/></ext></extLst></bk></futureMetadata><cellMetadata count="1"><bk><rc t="1" v="0"/>'
                "</bk></cellMetadata></metadata>")
        pkg.override("xl/metadata.xml", CT + "spreadsheetml.sheetMetadata+xml")
        pkg.add_rel("xl/workbook.xml", RT + "sheetMetadata", "xl/metadata.xml")
    add_calc_chain(pkg, USER_SHEET, ["M3"])
    return []


@feature("external_link", "Practice, B16 (and xl/externalLinks)",
         "a formula reading another workbook (the fee schedule), with the link's cached value")
def external_link(pkg):
    sheet = user_sheet(pkg)
    link = pkg.free_name("xl/externalLinks/externalLink{}.xml")
    pkg.put(link, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{R}">'
            '<externalBook r:id="rId1"><sheetNames><sheetName val="Fees"/></sheetNames><sheetDataSet>'
            '<sheetData sheetId="0"><row r="2"><cell r="B2"><v>185</v></cell></row></sheetData></sheetDataSet>'
            "</externalBook></externalLink>")
    pkg.override(link, CT + "spreadsheetml.externalLink+xml")
    pkg.add_rel(link, RT + "externalLinkPath", "Fee%20Schedule%202026.xlsx", external=True)
    rid = pkg.add_rel("xl/workbook.xml", RT + "externalLink", link)
    pkg.workbook_child("externalReferences", f'<externalReferences><externalReference r:id="{rid}"/></externalReferences>')
    cells = [pkg.text_cell("A16", "Office visit fee"), '<c r="B16"><f>[1]Fees!$B$2</f><v>185</v></c>']
    edit(pkg, sheet, lambda x: set_cells(x, cells))
    add_calc_chain(pkg, USER_SHEET, ["B16"])
    return [_book_mark(f'<externalReferences><externalReference xmlns:r="{R}" r:id="{rid}"/></externalReferences>',
                       "the workbook's externalReference")]


@feature("print_titles", "Practice (defined name _xlnm.Print_Titles)", "print titles (row 3 repeats on every page)")
def print_titles(pkg):
    user_sheet(pkg)
    index = pkg.sheet_index(USER_SHEET)
    name = f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">{USER_SHEET}!$3:$3</definedName>'
    pkg.workbook_child("definedNames", f"<definedNames>{name}</definedNames>")

    def still_there(after) -> str | None:
        want = after.sheet_index(USER_SHEET)
        text = after.text("xl/workbook.xml")
        if re.search(rf'<definedName name="_xlnm.Print_Titles" localSheetId="{want}"\s*>\'?{USER_SHEET}\'?!\$3:\$3<', text):
            return None
        return f"no print titles for the {USER_SHEET} sheet (localSheetId {want}) in workbook.xml"
    return [Mark("xl/workbook.xml", check=still_there, what="Practice's print titles")]
