"""Small edits of the workbook's own parts, made as text so every namespace, prefix and unknown element
stays as Excel wrote it: defined names (print areas), a new sheet's entry, a table's range, the
calculation settings, the relationships and content types of added or dropped parts.
"""

from __future__ import annotations

import posixpath
import re

from claimbook.xlsx.parts import CT_WORKSHEET, REL_WORKSHEET, rels_name
from claimbook.xlsx.xmlscan import esc_attr, esc_text

_DEFINED = re.compile(rb"<(?:\w+:)?definedName\b([^>]*)>(.*?)</(?:\w+:)?definedName>", re.S)
_ATTR = re.compile(rb'(\w+(?::\w+)?)="([^"]*)"')


def rels_part(part: str) -> str:
    return rels_name(part)


def defined_names(book_xml: bytes) -> set[str]:
    """The workbook-wide defined names (not those local to one sheet)."""
    out = set()
    for m in _DEFINED.finditer(book_xml):
        attrs = dict(_ATTR.findall(m.group(1)))
        if b"localSheetId" not in attrs and b"name" in attrs:
            out.add(attrs[b"name"].decode())
    return out


def _quote_sheet(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) else "'" + name.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))


def set_print_areas(book_xml: bytes, areas: dict[str, str], sheet_names: list[str]) -> bytes:
    """Each sheet's print area (``{"Worklist": "A1:N120"}``) as its ``_xlnm.Print_Area`` name."""
    return set_sheet_names(book_xml, "_xlnm.Print_Area", areas, sheet_names)


def set_filter_ranges(book_xml: bytes, ranges: dict[str, str], sheet_names: list[str]) -> bytes:
    """Each sheet's filter range as its hidden ``_xlnm._FilterDatabase`` name (Excel keeps one per filter)."""
    return set_sheet_names(book_xml, "_xlnm._FilterDatabase", ranges, sheet_names, hidden=True)


def set_sheet_names(book_xml: bytes, defined: str, areas: dict[str, str], sheet_names: list[str],
                    hidden: bool = False) -> bytes:
    """The sheet-level defined name ``defined`` of each sheet in ``areas`` set to that sheet's range."""
    wanted = defined.encode()
    for sheet, ref in areas.items():
        if sheet not in sheet_names:
            continue
        index = str(sheet_names.index(sheet)).encode()
        text = esc_text(f"{_quote_sheet(sheet)}!{_absolute(ref)}").encode()
        done = False

        def swap(m):
            nonlocal done
            attrs = dict(_ATTR.findall(m.group(1)))
            if attrs.get(b"name") == wanted and attrs.get(b"localSheetId") == index:
                done = True
                return m.group(0)[:m.start(2) - m.start(0)] + text + m.group(0)[m.end(2) - m.start(0):]
            return m.group(0)

        book_xml = _DEFINED.sub(swap, book_xml)
        if not done:
            name = (b'<definedName name="' + wanted + b'" localSheetId="' + index + b'"'
                    + (b' hidden="1"' if hidden else b"") + b">" + text + b"</definedName>")
            book_xml = _insert_defined(book_xml, name)
    return book_xml


def _insert_defined(book_xml: bytes, element: bytes) -> bytes:
    close = re.search(rb"</(\w+:)?definedNames>", book_xml)
    if close:
        prefix = close.group(1) or b""
        element = element.replace(b"<definedName", b"<" + prefix + b"definedName").replace(
            b"</definedName>", b"</" + prefix + b"definedName>")
        return book_xml[:close.start()] + element + book_xml[close.start():]
    sheets = re.search(rb"</(\w+:)?sheets>", book_xml)
    prefix = (sheets.group(1) or b"") if sheets else b""
    element = element.replace(b"<definedName", b"<" + prefix + b"definedName").replace(
        b"</definedName>", b"</" + prefix + b"definedName>")
    block = b"<" + prefix + b"definedNames>" + element + b"</" + prefix + b"definedNames>"
    at = sheets.end() if sheets else book_xml.rindex(b"</")
    return book_xml[:at] + block + book_xml[at:]


def calc_on_load(book_xml: bytes) -> bytes:
    """Ask Excel to recalculate when it opens the file (formulas over claimbook's columns), keeping the
    cached results in the file for every other reader."""
    m = re.search(rb"<(\w+:)?calcPr\b([^>]*?)(/?)>", book_xml)
    if m is None:
        close = re.search(rb"</(\w+:)?workbook>", book_xml)
        prefix = (close.group(1) or b"") if close else b""
        # calcPr comes after definedNames (CT_Workbook's order); before what may follow it
        after = re.search(rb"<(\w+:)?(oleSize|customWorkbookViews|pivotCaches|smartTagPr|smartTagTypes|"
                          rb"webPublishing|fileRecoveryPr|webPublishObjects|extLst)\b", book_xml)
        at = after.start() if after else close.start()
        return book_xml[:at] + b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>' + book_xml[at:]
    attrs = m.group(2)
    if re.search(rb'\bfullCalcOnLoad="(1|true)"', attrs):
        return book_xml
    attrs = re.sub(rb'\s+fullCalcOnLoad="[^"]*"', b"", attrs) + b' fullCalcOnLoad="1"'
    return book_xml[:m.start(2)] + attrs + book_xml[m.end(2):]


def set_table_ref(table_xml: bytes, ref: str, autofilter_ref: str) -> bytes:
    """A table part with its range (and its filter's) changed."""
    m = re.search(rb"<(?:\w+:)?table\b[^>]*>", table_xml)
    start = m.group(0)
    new_start = re.sub(rb'(\sref=")[^"]*(")', lambda x: x.group(1) + ref.encode() + x.group(2), start, count=1)
    table_xml = table_xml[:m.start()] + new_start + table_xml[m.end():]
    return re.sub(rb'(<(?:\w+:)?autoFilter\b[^>]*?\sref=")[^"]*(")',
                  lambda x: x.group(1) + autofilter_ref.encode() + x.group(2), table_xml, count=1)


def new_sheet_part(names: set[str]) -> str:
    n = 1
    while f"xl/worksheets/sheet{n}.xml" in names:
        n += 1
    return f"xl/worksheets/sheet{n}.xml"


def new_sheet_xml(widths) -> bytes:
    """A plain worksheet: its first row frozen, column widths, no cells yet."""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData/>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            '</worksheet>').encode()


def add_sheet(book_xml: bytes, rels_xml: bytes, ct_xml: bytes, name: str, part: str, book_part: str):
    """(workbook, its relationships, content types) with a new worksheet ``name`` in ``part`` at the end."""
    ids = set(re.findall(rb'\bId="([^"]*)"', rels_xml))
    n = 1
    while f"rIdCb{n}".encode() in ids:
        n += 1
    rid = f"rIdCb{n}"
    target = posixpath.relpath(part, posixpath.dirname(book_part))
    rel = f'<Relationship Id="{rid}" Type="{REL_WORKSHEET}" Target="{target}"/>'.encode()
    rels_xml = rels_xml.replace(b"</Relationships>", rel + b"</Relationships>")
    sheet_ids = [int(x) for x in re.findall(rb'<(?:\w+:)?sheet\b[^>]*?\ssheetId="(\d+)"', book_xml)]
    close = re.search(rb"</(\w+:)?sheets>", book_xml)
    prefix = (close.group(1) or b"").decode()
    entry = (f'<{prefix}sheet name="{esc_attr(name)}" sheetId="{max(sheet_ids, default=0) + 1}" '
             f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="{rid}"/>').encode()
    book_xml = book_xml[:close.start()] + entry + book_xml[close.start():]
    override = f'<Override PartName="/{part}" ContentType="{CT_WORKSHEET}"/>'.encode()
    ct_xml = ct_xml.replace(b"</Types>", override + b"</Types>")
    return book_xml, rels_xml, ct_xml


def drop_part(rels_xml: bytes, ct_xml: bytes, part: str, book_part: str):
    """(relationships, content types) without the workbook's relationship to ``part`` and its override."""
    target = posixpath.relpath(part, posixpath.dirname(book_part))
    rels_xml = re.sub(rb'<Relationship\b[^>]*\bTarget="/?(?:' + re.escape(target.encode()) + rb"|"
                      + re.escape(part.encode()) + rb')"[^>]*/>', b"", rels_xml)
    ct_xml = re.sub(rb'<Override\b[^>]*\bPartName="/' + re.escape(part.encode()) + rb'"[^>]*/>', b"", ct_xml)
    return rels_xml, ct_xml
