"""Workbook-level features: defined names, a hidden sheet, custom document properties, a theme of the
practice's own, customXml parts (SharePoint), and a ribbon (customUI) kept inside an .xlsx."""

from __future__ import annotations

import re

from tests.features.common import NOTE_PHRASES, USER_SHEET, user_sheet
from tests.features.package import CT, MAIN, R, RT, set_cells
from tests.features.registry import Mark, feature


@feature("defined_names", "workbook.xml", "the practice's own defined names (a constant with a comment, a range)")
def defined_names(pkg):
    user_sheet(pkg)
    a = '<definedName name="FollowUpTarget" comment="Days before we chase a payer">14</definedName>'
    b = f'<definedName name="StandardNotes">{USER_SHEET}!$H$2:$H${1 + len(NOTE_PHRASES)}</definedName>'
    pkg.workbook_child("definedNames", f"<definedNames>{a}{b}</definedNames>")
    return [Mark("xl/workbook.xml", a, "FollowUpTarget"), Mark("xl/workbook.xml", b, "StandardNotes")]


@feature("hidden_sheet", "a sheet 'Lists' (hidden)", "a hidden sheet of the practice's own")
def hidden_sheet(pkg):
    part = pkg.add_sheet("Lists", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         f'<worksheet xmlns="{MAIN}" xmlns:r="{R}"><dimension ref="A1:A4"/><sheetViews><sheetView '
                         'workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/><sheetData></sheetData>'
                         '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                         "</worksheet>", state="hidden")
    cells = [pkg.text_cell(f"A{i + 1}", t) for i, t in enumerate(["Reason", "Eligibility", "Coding", "Timely filing"])]
    pkg.put(part, set_cells(pkg.text(part), cells))
    return [Mark("xl/workbook.xml", '<sheets><sheet name="Lists" state="hidden"/></sheets>', "the hidden Lists sheet")]


@feature("custom_doc_properties", "docProps/custom.xml", "custom document properties (File > Info > Properties)")
def custom_doc_properties(pkg):
    vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    pkg.put("docProps/custom.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            f'xmlns:vt="{vt}"><property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="Practice">'
            '<vt:lpwstr>Riverside Family Medicine</vt:lpwstr></property><property '
            'fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="Reviewed"><vt:bool>true</vt:bool></property>'
            '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="4" name="Review date">'
            "<vt:filetime>2026-11-30T00:00:00Z</vt:filetime></property></Properties>")
    pkg.override("docProps/custom.xml", CT + "custom-properties+xml")
    pkg.add_rel("", RT + "custom-properties", "docProps/custom.xml")
    return []


@feature("theme", "xl/theme/theme1.xml", "a theme of the practice's own (colours and fonts)")
def theme(pkg):
    text = pkg.text("xl/theme/theme1.xml")
    text = re.sub(r'(<a:theme [^>]*name=")[^"]*"', r'\1Riverside"', text, 1)
    text = re.sub(r'(<a:clrScheme name=")[^"]*"', r'\1Riverside"', text, 1)
    text = re.sub(r"(<a:accent1>\s*)<a:srgbClr val=\"[0-9A-Fa-f]{6}\"\s*/>", r'\1<a:srgbClr val="2E7D32"/>', text, 1)
    text = re.sub(r"(<a:accent2>\s*)<a:srgbClr val=\"[0-9A-Fa-f]{6}\"\s*/>", r'\1<a:srgbClr val="00838F"/>', text, 1)
    text = re.sub(r'(<a:majorFont>\s*<a:latin typeface=")[^"]*"', r'\1Georgia"', text, 1)
    assert "Riverside" in text and "2E7D32" in text and "Georgia" in text, "theme layout not as expected"
    pkg.put("xl/theme/theme1.xml", text)
    return []


@feature("custom_xml", "customXml/ (SharePoint metadata)", "customXml data parts and their properties")
def custom_xml(pkg):
    item = pkg.free_name("customXml/item{}.xml")
    props = item.replace("item", "itemProps")
    pkg.put(item, '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<p:properties '
            'xmlns:p="http://schemas.microsoft.com/office/2006/metadata/properties" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:pc="http://schemas.microsoft.com/office/infopath/2007/PartnerControls"><documentManagement>'
            '<Department xmlns="0c7d6e2b-1f4a-4b8e-9b3d-5a6c7e8f9a0b">Billing</Department>'
            "</documentManagement></p:properties>")
    pkg.put(props, '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<ds:datastoreItem '
            'ds:itemID="{6A1B2C3D-4E5F-4071-8293-A4B5C6D7E8F9}" '
            'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs>'
            '<ds:schemaRef ds:uri="http://schemas.microsoft.com/office/2006/metadata/properties"/>'
            '<ds:schemaRef ds:uri="http://schemas.microsoft.com/office/infopath/2007/PartnerControls"/>'
            "</ds:schemaRefs></ds:datastoreItem>")
    pkg.override(props, CT + "customXmlProperties+xml")
    pkg.add_rel(item, RT + "customXmlProps", props)
    pkg.add_rel("xl/workbook.xml", RT + "customXml", item)
    return []


CUSTOM_UI_2010 = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"


@feature("ribbon_in_xlsx", "customUI/customUI14.xml in an .xlsx",
         "a ribbon tab (customUI, built-in commands only) kept in a plain .xlsx tracker", base="xlsx")
def ribbon_in_xlsx(pkg):
    pkg.put("customUI/customUI14.xml", '<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui">'
            '<ribbon><tabs><tab id="tabClinic" label="Clinic"><group id="grpSort" label="Sort and find">'
            '<control idMso="SortAscendingExcel" size="large"/><control idMso="FindDialogExcel" size="large"/>'
            '</group><group id="grpPrint" label="Print"><control idMso="FilePrintQuick" size="large"/></group>'
            "</tab></tabs></ribbon></customUI>")
    pkg.add_rel("", CUSTOM_UI_2010, "customUI/customUI14.xml")
    return []
