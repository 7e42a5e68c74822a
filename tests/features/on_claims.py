"""Features a practice adds on the Claims sheet itself, written as Excel writes them."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from tests.features.common import NOTE_PHRASES, USER_SHEET, add_calc_chain, claims, edit, user_sheet, widen_dimension
from tests.features.media import devmode
from tests.features.package import (
    CT, R, RT, X14, XM, col_letter, col_number, declare, insert_child, set_cells,
)
from tests.features.registry import Mark, feature

TC_REL = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
PERSON_REL = "http://schemas.microsoft.com/office/2017/10/relationships/person"
TC_NS = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"


def _cells_mark(part: str, cells: list[str], what: str) -> list[Mark]:
    return [Mark(part, c, what) for c in cells]


@feature("cells_right_of_table", "Claims, columns right of the table",
         "the practice's own columns next to the Claims table (who worked the claim, a count formula)")
def cells_right_of_table(pkg):
    c = claims(pkg)
    first = col_number(c.last_col) + 2  # one empty column between, as people leave it
    who, when, total = col_letter(first), col_letter(first + 1), col_letter(first + 2)
    cells = [pkg.text_cell(f"{who}1", "Worked by"), pkg.text_cell(f"{when}1", "Called on")]
    names = ["Maria", "Dana", "Maria", "Luis"]
    for i, row in enumerate(c.rows[:4]):
        cells += [pkg.text_cell(f"{who}{row}", names[i]), f'<c r="{when}{row}" s="{_date_style(pkg, c)}"><v>{46440 + i}</v></c>']
    cells.append(f'<c r="{total}1"><f>COUNTIF({who}:{who},"Maria")</f><v>2</v></c>')
    edit(pkg, c.part, lambda x: widen_dimension(set_cells(x, cells), f"{total}{c.rows[-1]}"))
    add_calc_chain(pkg, "Claims", [f"{total}1"])
    return _cells_mark(c.part, cells, "a cell right of the Claims table")


def _date_style(pkg, c) -> str:
    """The style index the tracker uses for dates (the DOS column's cells)."""
    xml = pkg.text(c.part)
    return re.search(rf'<c r="{c.header["DOS"]}{c.rows[0]}"[^>]*?\ss="(\d+)"', xml).group(1)


@feature("user_formula_column", "Claims table, a column added at its right end",
         "a calculated column of the practice's own inside the Claims table (Balance = Billed - Paid) "
         "with Excel's cached results and calcChain")
def user_formula_column(pkg):
    c = claims(pkg)
    col = col_letter(col_number(c.last_col) + 1)
    formula = "Claims[[#This Row],[Billed]]-Claims[[#This Row],[Paid]]"
    cells = [pkg.text_cell(f"{col}1", "Balance", int(c.header_style) if c.header_style else None)]
    for row in c.rows:
        billed = float(c.cell("Billed", row) or 0)
        paid = float(c.cell("Paid", row) or 0)
        value = round(billed - paid, 2)
        cells.append(f'<c r="{col}{row}"{c.style(c.header["Billed"] + str(row), pkg.text(c.part))}>'
                     f'<f>{formula}</f><v>{value:g}</v></c>')
    edit(pkg, c.part, lambda x: widen_dimension(set_cells(x, cells), f"{col}{c.rows[-1]}"))

    def grow(table: str) -> str:
        n = int(re.search(r'<tableColumns count="(\d+)"', table).group(1))
        ids = [int(i) for i in re.findall(r'<tableColumn id="(\d+)"', table)]
        table = re.sub(rf'(ref="A1:){c.last_col}(\d+)"', rf'\g<1>{col}\2"', table)
        table = table.replace(f'<tableColumns count="{n}"', f'<tableColumns count="{n + 1}"')
        return table.replace("</tableColumns>", f'<tableColumn id="{max(ids) + 1}" name="Balance">'
                             f'<calculatedColumnFormula>{formula}</calculatedColumnFormula></tableColumn></tableColumns>')
    edit(pkg, c.table, grow)
    add_calc_chain(pkg, "Claims", [f"{col}{r}" for r in c.rows])

    def table_reaches(after) -> str | None:
        ref = re.search(r'<table [^>]*\sref="A1:([A-Z]+)\d+"', after.text(c.table)).group(1)
        return None if ref == col else f"the Claims table now ends at column {ref}, not {col} (Balance)"
    return (_cells_mark(c.part, cells, "the Balance column's formula and cached result")
            + [Mark(c.table, f'<tableColumn name="Balance"><calculatedColumnFormula>{formula}'
                    '</calculatedColumnFormula></tableColumn>', "the table's calculated column"),
               Mark(c.table, check=table_reaches, what="the table still takes in the Balance column")])


@feature("rich_text_in_cell", "Claims, a Notes cell", "rich text (a bold red run, then plain) in a Notes cell")
def rich_text_in_cell(pkg):
    c = claims(pkg)
    ref = f'{c.header["Notes"]}{c.rows[0]}'
    runs = ('<r><rPr><b/><sz val="11"/><color rgb="FFFF0000"/><rFont val="Calibri"/><family val="2"/>'
            '<scheme val="minor"/></rPr><t>URGENT:</t></r><r><rPr><sz val="11"/><color theme="1"/>'
            '<rFont val="Calibri"/><family val="2"/><scheme val="minor"/></rPr>'
            '<t xml:space="preserve"> rep said resubmit with the corrected NPI by Friday</t></r>')
    index = pkg.shared_string(runs)
    cell = f'<c r="{ref}"{c.style(ref, pkg.text(c.part))} t="s"><v>{index}</v></c>'
    edit(pkg, c.part, lambda x: set_cells(x, [cell]))
    return [Mark(c.part, cell, "the Notes cell pointing at its rich-text string")]


def _comments(pkg, c):
    part = pkg.rel_target(c.part, "comments")
    vml = pkg.rel_target(c.part, "vmlDrawing")
    return part, vml


def _vml_prefixes(vml: str) -> dict[str, str]:
    found = {uri: p for p, uri in re.findall(r'xmlns:(\w+)="([^"]+)"', vml)}
    return {"v": found["urn:schemas-microsoft-com:vml"], "o": found["urn:schemas-microsoft-com:office:office"],
            "x": found["urn:schemas-microsoft-com:office:excel"]}


def _note_shape(vml: str, row: int, col: int, visible: bool) -> str:
    p = _vml_prefixes(vml)
    v, o, x = p["v"], p["o"], p["x"]
    ids = [int(i) for i in re.findall(r'_x0000_s(\d+)', vml)] or [1024]
    shown = "visible" if visible else "hidden"
    return (f'<{v}:shape id="_x0000_s{max(ids) + 1}" type="#_x0000_t202" style="position:absolute;'
            f'margin-left:110pt;margin-top:{15 * row}pt;width:144pt;height:58pt;z-index:{max(ids) - 1020};'
            f'visibility:{shown}" fillcolor="#ffffe1" {o}:insetmode="auto"><{v}:fill color2="#ffffe1"/>'
            f'<{v}:shadow on="t" color="black" obscured="t"/><{v}:path {o}:connecttype="none"/>'
            f'<{v}:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></{v}:textbox>'
            f'<{x}:ClientData ObjectType="Note"><{x}:MoveWithCells/><{x}:SizeWithCells/>'
            f'<{x}:Anchor>{col + 1}, 15, {row - 1}, 10, {col + 3}, 15, {row + 3}, 4</{x}:Anchor>'
            f'<{x}:AutoFill>False</{x}:AutoFill><{x}:Row>{row - 1}</{x}:Row><{x}:Column>{col - 1}</{x}:Column>'
            + (f"<{x}:Visible/>" if visible else "") + f"</{x}:ClientData></{v}:shape>")


def _add_comment(pkg, part, author: str, comment: str) -> None:
    text = pkg.text(part)
    authors = re.findall(r"<author>(.*?)</author>", text)
    if author not in authors:
        text = text.replace("</authors>", f"<author>{author}</author></authors>")
        authors.append(author)
    comment = comment.replace("AUTHOR_ID", str(authors.index(author)))
    pkg.put(part, text.replace("</commentList>", comment + "</commentList>"))


def _run(text: str, bold=False) -> str:
    b = "<b/>" if bold else ""
    return (f'<r><rPr>{b}<sz val="9"/><color indexed="81"/><rFont val="Tahoma"/><family val="2"/></rPr>'
            f'<t xml:space="preserve">{text}</t></r>')


@feature("note_always_shown", "Claims, a claim's Claim ID cell",
         "a note (legacy comment) set to 'Show Note', so its VML shape is visible")
def note_always_shown(pkg):
    c = claims(pkg)
    part, vml = _comments(pkg, c)
    row = c.rows[1]
    _add_comment(pkg, part, "Dana Ruiz", f'<comment ref="A{row}" authorId="AUTHOR_ID" shapeId="0"><text>'
                 + _run("Dana Ruiz:", True) + _run("\nPayer lost this one twice. Keep the fax receipt.") + "</text></comment>")
    edit(pkg, vml, lambda x: x.replace("</xml>", _note_shape(x, row, 1, visible=True) + "</xml>"))
    return []  # comments and VML are not claimbook's parts: checked byte for byte


@feature("threaded_comments", "Claims, a claim's Payer cell",
         "an Excel 365 threaded comment with a reply (threadedComments, persons, legacy placeholder note)")
def threaded_comments(pkg):
    c = claims(pkg)
    part, vml = _comments(pkg, c)
    row = c.rows[2]
    ref = f'{c.header["Payer"]}{row}'
    person = "{9A1C3E57-1B2D-4C8E-9F00-6B5D2A7E4C11}"
    first, reply = "{5F3A8C21-7D4B-4E6A-A1B2-C3D4E5F60718}", "{0B7E2D94-3C1A-4F5E-8D6B-A9C8E7F60512}"
    tc = pkg.free_name("xl/threadedComments/threadedComment{}.xml")
    pkg.put(tc, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<ThreadedComments xmlns="{TC_NS}" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<threadedComment ref="{ref}" dT="2026-11-20T15:02:11.52" personId="{person}" id="{first}">'
            '<text>Aetna says this went to the wrong plan. @Luis can you check the card?</text></threadedComment>'
            f'<threadedComment ref="{ref}" dT="2026-11-21T09:14:40.08" personId="{person}" id="{reply}" '
            f'parentId="{first}"><text>Checked: secondary is BCBS. Rebilling today.</text></threadedComment>'
            "</ThreadedComments>")
    pkg.override(tc, "application/vnd.ms-excel.threadedcomments+xml")
    pkg.add_rel(c.part, TC_REL, tc)
    if "xl/persons/person.xml" not in pkg.parts:
        pkg.put("xl/persons/person.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<personList xmlns="{TC_NS}" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f'<person displayName="Dana Ruiz" id="{person}" userId="dana@example-clinic.com" '
                'providerId="PeoplePicker"/></personList>')
        pkg.override("xl/persons/person.xml", "application/vnd.ms-excel.person+xml")
        pkg.add_rel("xl/workbook.xml", PERSON_REL, "xl/persons/person.xml")
    text = pkg.text(part)
    if "xmlns:xr=" not in text:
        text = declare(text, "xr", XR, ignorable=True)
        pkg.put(part, text)
    placeholder = ("[Threaded comment]\n\nYour version of Excel allows you to read this threaded comment; however, "
                   "any edits to it will get removed if the file is opened in a newer version of Excel. Learn more: "
                   "https://go.microsoft.com/fwlink/?linkid=870924\n\nComment:\n    Aetna says this went to the "
                   "wrong plan. @Luis can you check the card?\nReply:\n    Checked: secondary is BCBS. Rebilling today.")
    _add_comment(pkg, part, f"tc={first}", f'<comment ref="{ref}" authorId="AUTHOR_ID" shapeId="0" xr:uid="{first}">'
                 f'<text><t xml:space="preserve">{placeholder}</t></text></comment>')
    edit(pkg, vml, lambda x: x.replace("</xml>", _note_shape(x, row, col_number(c.header["Payer"]), False) + "</xml>"))
    return []


@feature("hyperlinks", "Claims, a Payer cell and a Patient cell",
         "hyperlinks: the payer's portal (external, through the sheet's rels) and a jump to the Follow-up Log")
def hyperlinks(pkg):
    c = claims(pkg)
    rid = pkg.add_rel(c.part, RT + "hyperlink", "https://www.availity.com/", external=True)
    payer, patient = f'{c.header["Payer"]}{c.rows[0]}', f'{c.header["Patient"]}{c.rows[1]}'
    a = f'<hyperlink ref="{payer}" r:id="{rid}" tooltip="Open the payer portal"/>'
    b = f'<hyperlink ref="{patient}" location="\'Follow-up Log\'!A1" display="{escape(c.values[patient])}"/>'
    edit(pkg, c.part, lambda x: insert_child(declare(x, "r", R), "hyperlinks", f"<hyperlinks>{a}{b}</hyperlinks>"))
    return [Mark(c.part, a.replace("r:id", f'xmlns:r="{R}" r:id'), "the external hyperlink (r:id)"),
            Mark(c.part, b, "the hyperlink into the workbook")]


@feature("ignored_errors", "Claims", "ignored-error marks (numbers stored as text in Claim ID and Payer ID)")
def ignored_errors(pkg):
    c = claims(pkg)
    last = c.rows[-1]
    frag = (f'<ignoredErrors><ignoredError sqref="A2:A{last} {c.header["Payer ID"]}2:{c.header["Payer ID"]}{last}" '
            'numberStoredAsText="1"/></ignoredErrors>')
    edit(pkg, c.part, lambda x: insert_child(x, "ignoredErrors", frag))
    return [Mark(c.part, frag, "<ignoredErrors>")]


def add_ext(xml: str, ext: str) -> str:
    return insert_child(xml, "extLst", f"<extLst>{ext}</extLst>")


@feature("x14_data_validation", "Claims, the Notes column",
         "an Excel 2010 drop-down list (x14:dataValidation in extLst) reading another sheet")
def x14_data_validation(pkg):
    c = claims(pkg)
    user_sheet(pkg)
    col = c.header["Notes"]
    ext = (f'<ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" xmlns:x14="{X14}"><x14:dataValidations count="1" '
           f'xmlns:xm="{XM}"><x14:dataValidation type="list" errorStyle="information" allowBlank="1" '
           'showInputMessage="1" showErrorMessage="1" promptTitle="Notes" prompt="Pick a standard note or type your own.">'
           f"<x14:formula1><xm:f>{USER_SHEET}!$H$2:$H${1 + len(NOTE_PHRASES)}</xm:f></x14:formula1>"
           f"<xm:sqref>{col}2:{col}500</xm:sqref></x14:dataValidation></x14:dataValidations></ext>")
    edit(pkg, c.part, lambda x: add_ext(x, ext))
    return [Mark(c.part, ext, "the x14 data validation in extLst")]


@feature("x14_conditional_format", "Claims, the Billed column",
         "an Excel 2010 data bar: a cfRule with an x14:id and its x14:conditionalFormatting in extLst")
def x14_conditional_format(pkg):
    c = claims(pkg)
    col, last = c.header["Billed"], c.rows[-1]
    guid = "{3B8F2A14-6C5D-4E7F-8A9B-0C1D2E3F4A5B}"
    xml = pkg.text(c.part)
    priority = max([int(p) for p in re.findall(r'priority="(\d+)"', xml)] or [0]) + 1
    rule = (f'<conditionalFormatting sqref="{col}2:{col}{last}"><cfRule type="dataBar" priority="{priority}">'
            '<dataBar><cfvo type="min"/><cfvo type="max"/><color rgb="FF638EC6"/></dataBar><extLst>'
            f'<ext uri="{{B025F937-C7B1-47D3-B67F-A62EFF666E3E}}" xmlns:x14="{X14}"><x14:id>{guid}</x14:id></ext>'
            "</extLst></cfRule></conditionalFormatting>")
    ext = (f'<ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}" xmlns:x14="{X14}"><x14:conditionalFormattings>'
           f'<x14:conditionalFormatting xmlns:xm="{XM}"><x14:cfRule type="dataBar" id="{guid}">'
           '<x14:dataBar minLength="0" maxLength="100" gradient="0" border="1" negativeBarBorderColorSameAsPositive="0">'
           '<x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/><x14:borderColor rgb="FF638EC6"/>'
           '<x14:negativeFillColor rgb="FFFF0000"/><x14:negativeBorderColor rgb="FFFF0000"/>'
           '<x14:axisColor rgb="FF000000"/></x14:dataBar></x14:cfRule>'
           f"<xm:sqref>{col}2:{col}{last}</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext>")
    edit(pkg, c.part, lambda x: add_ext(insert_child(x, "conditionalFormatting", rule), ext))
    return [Mark(c.part, rule, "the data bar rule with its x14:id"), Mark(c.part, ext, "the x14 data bar in extLst")]


@feature("printer_settings", "Claims, page setup",
         "the printer chosen for the Claims sheet (xl/printerSettings/*.bin, pageSetup r:id)")
def printer_settings(pkg):
    c = claims(pkg)
    part = pkg.free_name("xl/printerSettings/printerSettings{}.bin")
    pkg.put(part, devmode())
    if 'Extension="bin"' in pkg.text("[Content_Types].xml"):
        pkg.override(part, CT + "spreadsheetml.printerSettings")
    else:  # as Excel writes it: .bin parts are printer settings, the VBA project has its own Override
        pkg.default("bin", CT + "spreadsheetml.printerSettings")
    rid = pkg.add_rel(c.part, RT + "printerSettings", part)

    def setup(x: str) -> str:
        x = declare(x, "r", R)
        return re.sub(r"<pageSetup\b([^>]*?)\s*/>", rf'<pageSetup\1 r:id="{rid}"/>', x, 1)
    edit(pkg, c.part, setup)
    return [Mark(c.part, f'<pageSetup xmlns:r="{R}" r:id="{rid}"/>', "pageSetup's r:id to the printer settings")]
