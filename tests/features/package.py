"""An xlsx/xlsm zip package held in memory, edited part by part the way Excel lays its parts out.

Only the standard library: zipfile for the package, text edits for XML (so every byte we do not touch
stays as it was, namespace prefixes included), ElementTree only to read. Used by the feature builders
(``tests.features``) to add office-workbook features to a claimbook tracker without openpyxl.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from claimbook.sheets import col_index as col_number, col_letter  # noqa: F401 - the corpus's cell addresses

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"  # + worksheet, drawing, ...
CT = "application/vnd.openxmlformats-officedocument."  # + spreadsheetml.worksheet+xml, ...

# CT_Worksheet's children in schema order (ECMA-376 Part 1, 18.3.1.99): a new element goes before the
# first existing element that comes after it.
SHEET_ORDER = ("sheetPr dimension sheetViews sheetFormatPr cols sheetData sheetCalcPr sheetProtection "
               "protectedRanges scenarios autoFilter sortState dataConsolidate customSheetViews mergeCells "
               "phoneticPr conditionalFormatting dataValidations hyperlinks printOptions pageMargins pageSetup "
               "headerFooter rowBreaks colBreaks customProperties cellWatches ignoredErrors smartTags drawing "
               "legacyDrawing legacyDrawingHF drawingHF picture oleObjects controls webPublishItems tableParts "
               "extLst").split()
# CT_Workbook's children (18.2.28).
BOOK_ORDER = ("fileVersion fileSharing workbookPr workbookProtection bookViews sheets functionGroups "
              "externalReferences definedNames calcPr oleSize customWorkbookViews pivotCaches smartTagPr "
              "smartTagTypes webPublishing fileRecoveryPr webPublishObjects extLst").split()




def split_ref(ref: str) -> tuple[str, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    return m.group(1), int(m.group(2))


class Package:
    """The parts of one workbook file, in zip order, with helpers for relationships and content types."""

    def __init__(self, data: dict[str, bytes], suffix: str = ".xlsx"):
        self.parts = dict(data)
        self.suffix = suffix

    @classmethod
    def open(cls, path: Path) -> "Package":
        with zipfile.ZipFile(path) as z:
            return cls({n: z.read(n) for n in z.namelist()}, Path(path).suffix.lower())

    def save(self, path: Path) -> Path:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            first = ["[Content_Types].xml"] + [n for n in self.parts if n != "[Content_Types].xml"]
            for name in first:
                z.writestr(name, self.parts[name])
        return path

    # --- parts -------------------------------------------------------------------------------------------
    def text(self, name: str) -> str:
        return self.parts[name].decode("utf-8")

    def put(self, name: str, data: bytes | str) -> None:
        self.parts[name] = data.encode("utf-8") if isinstance(data, str) else data

    def free_name(self, pattern: str) -> str:
        """The first unused part name for a pattern like ``xl/drawings/drawing{}.xml``."""
        i = 1
        while pattern.format(i) in self.parts:
            i += 1
        return pattern.format(i)

    # --- relationships -----------------------------------------------------------------------------------
    @staticmethod
    def rels_name(part: str) -> str:
        folder, name = posixpath.split(part)
        return posixpath.join(folder, "_rels", name + ".rels")

    def rels(self, part: str) -> list[dict]:
        name = self.rels_name(part)
        if name not in self.parts:
            return []
        return [dict(r.attrib) for r in ET.fromstring(self.parts[name])]

    @staticmethod
    def resolve(part: str, target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))

    def add_rel(self, part: str, rel_type: str, target: str, external: bool = False) -> str:
        """Add a relationship from ``part`` (``""`` for the package) and return its new Id. ``target`` is
        a part name (made relative to ``part``, as Excel writes it) or an external address."""
        name = self.rels_name(part) if part else "_rels/.rels"
        if name not in self.parts:
            self.put(name, f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}"></Relationships>')
        ids = set(re.findall(r'Id="([^"]+)"', self.text(name)))
        n = len(ids) + 1
        while f"rId{n}" in ids:
            n += 1
        rid = f"rId{n}"
        if not external:
            target = posixpath.relpath(target, posixpath.dirname(part) or ".")
        mode = ' TargetMode="External"' if external else ""
        rel = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{escape(target, {chr(34): "&quot;"})}"{mode}/>'
        self.put(name, self.text(name).replace("</Relationships>", rel + "</Relationships>"))
        return rid

    def rel_target(self, part: str, rel_type_end: str) -> str | None:
        for r in self.rels(part):
            if r["Type"].endswith("/" + rel_type_end) and r.get("TargetMode") != "External":
                return self.resolve(part, r["Target"])
        return None

    # --- content types -----------------------------------------------------------------------------------
    def override(self, part: str, content_type: str) -> None:
        ct = self.text("[Content_Types].xml")
        if f'PartName="/{part}"' not in ct:
            ct = ct.replace("</Types>", f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>')
            self.put("[Content_Types].xml", ct)

    def default(self, ext: str, content_type: str) -> None:
        ct = self.text("[Content_Types].xml")
        if not re.search(rf'Extension="{ext}"', ct, re.I):
            ct = re.sub(r"(<Types[^>]*>)", rf'\1<Default Extension="{ext}" ContentType="{content_type}"/>', ct, 1)
            self.put("[Content_Types].xml", ct)

    # --- workbook and sheets -----------------------------------------------------------------------------
    def sheets(self) -> list[tuple[str, str, dict]]:
        """(title, part, attributes) of every sheet, in tab order."""
        book = ET.fromstring(self.parts["xl/workbook.xml"])
        ids = {r["Id"]: self.resolve("xl/workbook.xml", r["Target"]) for r in self.rels("xl/workbook.xml")}
        out = []
        for el in book.iter(f"{{{MAIN}}}sheet"):
            out.append((el.get("name"), ids[el.get(f"{{{R}}}id")], dict(el.attrib)))
        return out

    def sheet_part(self, title: str) -> str:
        return next(part for t, part, _a in self.sheets() if t == title)

    def sheet_index(self, title: str) -> int:
        return next(i for i, (t, _p, _a) in enumerate(self.sheets()) if t == title)

    def add_sheet(self, title: str, xml: str, state: str | None = None) -> str:
        part = self.free_name("xl/worksheets/sheet{}.xml")
        self.put(part, xml)
        self.override(part, CT + "spreadsheetml.worksheet+xml")
        rid = self.add_rel("xl/workbook.xml", RT + "worksheet", part)
        book = self.text("xl/workbook.xml")
        ids = [int(x) for x in re.findall(r'<sheet [^>]*sheetId="(\d+)"', book)]
        attr = f' state="{state}"' if state else ""
        book = book.replace("</sheets>", f'<sheet name="{escape(title)}" sheetId="{max(ids) + 1}"{attr} r:id="{rid}"/></sheets>')
        self.put("xl/workbook.xml", book)
        return part

    def workbook_child(self, tag: str, fragment: str) -> None:
        """Insert a top-level element into workbook.xml in schema order (merging into an existing one of
        the same kind when it is a list, like definedNames)."""
        self.put("xl/workbook.xml", insert_child(self.text("xl/workbook.xml"), tag, fragment, BOOK_ORDER))

    # --- shared strings ----------------------------------------------------------------------------------
    def shared_string(self, si_inner: str) -> int:
        """Index of a shared string item (``<t>text</t>`` or rich runs ``<r>...</r>``), adding the
        sharedStrings part the way Excel has it when the workbook has none yet."""
        name = "xl/sharedStrings.xml"
        if name not in self.parts:
            self.put(name, f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" count="0" uniqueCount="0"></sst>')
            self.override(name, CT + "spreadsheetml.sharedStrings+xml")
            self.add_rel("xl/workbook.xml", RT + "sharedStrings", name)
        sst = self.text(name)
        items = re.findall(r"<si>.*?</si>", sst, re.S)
        item = f"<si>{si_inner}</si>"
        if item in items:
            index = items.index(item)
        else:
            index = len(items)
            sst = sst.replace("</sst>", item + "</sst>")
        count = int(re.search(r'count="(\d+)"', sst).group(1)) + 1
        sst = re.sub(r'count="\d+" uniqueCount="\d+"', f'count="{count}" uniqueCount="{len(items) + (index == len(items))}"', sst, 1)
        self.put(name, sst)
        return index

    def text_cell(self, ref: str, text: str, style: int | None = None) -> str:
        s = f' s="{style}"' if style is not None else ""
        preserve = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{ref}"{s} t="s"><v>{self.shared_string(f"<t{preserve}>{escape(text)}</t>")}</v></c>'


# --- XML text edits -----------------------------------------------------------------------------------------

def children(xml: str) -> list[tuple[str, int, int]]:
    """(local name, start, end) of each child element of the root, found by scanning tags (nested
    elements such as a cfRule's own extLst are skipped)."""
    out = []
    depth = 0
    start = name = None
    for m in re.finditer(r"<(/?)([\w:.-]+)[^>]*?(/?)>|<\?[^>]*\?>|<!--.*?-->", xml, re.S):
        if m.group(2) is None:
            continue
        closing, tag, empty = m.group(1), m.group(2), m.group(3)
        local = tag.split(":")[-1]
        local = "controls" if local == "AlternateContent" else local  # Excel wraps <controls> so
        if closing:
            depth -= 1
            if depth == 1:
                out.append((name, start, m.end()))
        else:
            if depth == 1:
                start, name = m.start(), local
                if empty:
                    out.append((name, start, m.end()))
                    continue
            if not empty:
                depth += 1
    return out


def top_level(xml: str, tag: str):
    """(start, end) of the first child of the root named ``tag`` (any prefix), or None."""
    return next(((s, e) for n, s, e in children(xml) if n == tag), None)


def insert_child(xml: str, tag: str, fragment: str, order=SHEET_ORDER) -> str:
    """Put ``fragment`` (an element ``tag``) into the root element at its place in ``order``. A list
    element that is already there (``<definedNames>``, ``<hyperlinks>``, ``<mergeCells>``, ``<extLst>``)
    gets the fragment's children appended instead."""
    existing = top_level(xml, tag)
    if existing and tag in ("definedNames", "hyperlinks", "mergeCells", "extLst", "pivotCaches",
                             "externalReferences", "dataValidations", "cellWatches"):
        inner = re.sub(rf"^<(?:\w+:)?{tag}[^>]*>|</(?:\w+:)?{tag}>$", "", fragment.strip())
        at = xml.rindex("</", existing[0], existing[1])
        xml = xml[:at] + inner + xml[at:]
        return _recount(xml, tag)
    later = set(order[order.index(tag) + 1:])
    positions = [s for n, s, _e in children(xml) if n in later]
    at = min(positions) if positions else xml.rstrip().rfind("</")
    return xml[:at] + fragment + xml[at:]


def _recount(xml: str, tag: str) -> str:
    start, end = top_level(xml, tag)
    head_end = xml.index(">", start)
    head = xml[start:head_end]
    if 'count="' not in head:
        return xml
    body = xml[head_end + 1:end]
    child = {"hyperlinks": "hyperlink", "mergeCells": "mergeCell", "dataValidations": "dataValidation",
             "cellWatches": "cellWatch"}.get(tag)
    if not child:
        return xml
    n = len(re.findall(rf"<{child}[\s/>]", body))
    return xml[:start] + re.sub(r'count="\d+"', f'count="{n}"', head, 1) + xml[head_end:]


def declare(xml: str, prefix: str, uri: str, ignorable: bool = False) -> str:
    """Declare a namespace prefix on the root element (and list it in mc:Ignorable, as Excel does for
    x14ac, xr and friends)."""
    root = re.search(r"<(?!\?)[^>]+>", xml)
    head = root.group(0)
    new = head
    if f"xmlns:{prefix}=" not in head:
        new = new[:-1].rstrip("/") + f' xmlns:{prefix}="{uri}"' + (">" if not head.endswith("/>") else "/>")
    if ignorable:
        if "xmlns:mc=" not in new:
            new = new[:-1] + f' xmlns:mc="{MC}">'
        if "mc:Ignorable=" in new:
            new = re.sub(r'mc:Ignorable="([^"]*)"', lambda m: f'mc:Ignorable="{m.group(1)} {prefix}"'
                         if prefix not in m.group(1).split() else m.group(0), new)
        else:
            new = new[:-1] + f' mc:Ignorable="{prefix}">'
    return xml[:root.start()] + new + xml[root.end():]


def set_cells(sheet_xml: str, cells: list[str]) -> str:
    """Put ``<c r=...>`` elements into sheetData, replacing a cell with the same reference and keeping
    rows and cells in order (creating rows as needed)."""
    for cell in cells:
        ref = re.match(r'<c r="([A-Z]+\d+)"', cell).group(1)
        col, row = split_ref(ref)
        sheet_xml = _set_cell(sheet_xml, row, col_number(col), ref, cell)
    return sheet_xml


def _set_cell(xml: str, row: int, col: int, ref: str, cell: str) -> str:
    if "<sheetData/>" in xml:
        xml = xml.replace("<sheetData/>", "<sheetData></sheetData>")
    data_start = xml.index("<sheetData")
    data_end = xml.index("</sheetData>")
    body = xml[data_start:data_end]
    for m in re.finditer(r'<row r="(\d+)"[^>]*?(/?)>', body):
        r = int(m.group(1))
        if r == row:
            if m.group(2):  # <row .../> -> <row ...>cell</row>
                new = m.group(0)[:-2] + ">" + cell + "</row>"
                return xml[:data_start] + body[:m.start()] + new + body[m.end():] + xml[data_end:]
            end = body.index("</row>", m.end())
            inner = body[m.end():end]
            cells = list(re.finditer(r'<c r="([A-Z]+)\d+"[^>]*?(?:/>|>.*?</c>)', inner, re.S))
            for c in cells:
                if c.group(1) == col_letter(col):
                    inner = inner[:c.start()] + cell + inner[c.end():]
                    break
                if col_number(c.group(1)) > col:
                    inner = inner[:c.start()] + cell + inner[c.start():]
                    break
            else:
                inner += cell
            return xml[:data_start] + body[:m.end()] + inner + body[end:] + xml[data_end:]
        if r > row:
            at = data_start + m.start()
            return xml[:at] + f'<row r="{row}">{cell}</row>' + xml[at:]
    return xml[:data_end] + f'<row r="{row}">{cell}</row>' + xml[data_end:]


def row_attrs(xml: str, row: int, attrs: str) -> str:
    """Add attributes to a row's start tag (creating an empty row if there is none)."""
    m = re.search(rf'<row r="{row}"([^>]*?)(/?)>', xml)
    if not m:
        xml = _set_cell(xml, row, 1, f"A{row}", "")
        m = re.search(rf'<row r="{row}"([^>]*?)(/?)>', xml)
    return xml[:m.start()] + f'<row r="{row}"{m.group(1)} {attrs}{m.group(2)}>' + xml[m.end():]


def cell_values(sheet_xml: str, shared: list[str] | None = None) -> dict[str, str]:
    """Every cell's shown value as text (inline strings, shared strings, numbers)."""
    out = {}
    root = ET.fromstring(sheet_xml)
    for c in root.iter(f"{{{MAIN}}}c"):
        t = c.get("t")
        v = c.find(f"{{{MAIN}}}v")
        if t == "inlineStr":
            out[c.get("r")] = "".join(x.text or "" for x in c.iter(f"{{{MAIN}}}t"))
        elif t == "s" and v is not None and shared is not None:
            out[c.get("r")] = shared[int(v.text)]
        elif v is not None:
            out[c.get("r")] = v.text or ""
    return out
