"""Splicing claimbook's cells into a worksheet part: ``<sheetData>`` merged (the practice's cells outside
the cleared rectangles are copied byte for byte, claimbook's written in), and ``<dimension>``, ``<cols>``,
``<conditionalFormatting>`` and ``<autoFilter>`` replaced when given. Every other element of the part
(sheet views, page setup, header and footer, drawing, comments, tables, extLst...) stays as it was, in the
schema's order (CT_Worksheet)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from claimbook import sheets as S
from claimbook.xlsx import NeedsUpgrade
from claimbook.xlsx.parts import NS_MAIN
from claimbook.xlsx.xmlscan import Node, ScanError, prefix_of, qualify, scan, splice, start_tag

WORKSHEET_ORDER = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr", "sheetProtection",
    "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate", "customSheetViews",
    "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions",
    "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches",
    "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture",
    "oleObjects", "controls", "webPublishItems", "tableParts", "extLst",
)
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")
_SHARED_MASTER = re.compile(rb"<(?:[\w.-]+:)?f\b[^>]*\bt=\"shared\"[^>]*\bref=|<(?:[\w.-]+:)?f\b[^>]*\bref=[^>]*\bt=\"shared\"")
_REF = re.compile(r"([A-Za-z]+)(\d+)")


@dataclass
class SheetEdit:
    """What changes on one sheet. ``cells``: row -> column -> the new ``<c>`` element (text); ``clears``:
    (first row, first col, last row, last col) rectangles whose old cells go; ``heights``: row -> points;
    ``plain_rows_after``: rows below this lose their row formatting (height...); ``cols``: column ->
    (width, style or None) for the columns claimbook sizes; ``conditional``: the new conditional formats
    (``None``: keep the sheet's own); ``autofilter``: the filter's new range (``None``: keep)."""

    cells: dict
    clears: list
    heights: dict = field(default_factory=dict)
    plain_rows_after: int | None = None
    cols: dict | None = None
    conditional: str | None = None
    autofilter: str | None = None


@dataclass
class Scanned:
    data: bytes
    root: Node
    prefix: str  # the part's prefix for the main namespace ("" when it is the default namespace)

    @property
    def p(self) -> str:
        return self.prefix + ":" if self.prefix else ""


def scan_sheet(data: bytes, name: str) -> Scanned:
    try:
        root = scan(data, depth=1, deeper={"sheetData": 2, "cols": 1})
    except ScanError as e:
        raise NeedsUpgrade(f"the {name} sheet's XML cannot be read for splicing: {e}") from e
    prefix = prefix_of(root, NS_MAIN)
    if prefix is None or root.name != "worksheet":
        raise NeedsUpgrade(f"the {name} sheet is not a plain worksheet part")
    return Scanned(data, root, prefix)


def column_widths(sc: Scanned) -> dict[int, float]:
    """Column -> width of the columns the sheet sizes (for the row heights of wrapped text)."""
    out = {}
    cols = sc.root.child("cols")
    for col in cols.children if cols is not None else []:
        width = col.get("width")
        if width is None:
            continue
        lo, hi = int(col.get("min") or 1), int(col.get("max") or 1)
        for c in range(lo, min(hi, 200) + 1):
            out[c] = float(width)
    return out


def col_styles(sc: Scanned) -> dict[int, int]:
    """Column -> its style (``s`` of new cells typed there) for the first 200 columns."""
    out = {}
    cols = sc.root.child("cols")
    for col in cols.children if cols is not None else []:
        if col.get("style") is not None:
            for c in range(int(col.get("min") or 1), min(int(col.get("max") or 1), 200) + 1):
                out[c] = int(col.get("style"))
    return out


def rewrite_sheet(sc: Scanned, edit: SheetEdit, name: str) -> tuple[bytes, list[str]]:
    """The sheet part with ``edit`` spliced in, and the cells whose formulas were cleared (for calcChain)."""
    data, p = sc.data, sc.p
    node = sc.root.child("sheetData")
    rows, removed = _kept_rows(data, node, edit.clears, name) if node is not None else ({}, [])
    for r, cells in edit.cells.items():
        rows.setdefault(r, [[], {}])[1].update(cells)
    body, bounds = [], None
    for r in sorted(rows):
        attrs, cells = rows[r]
        if edit.plain_rows_after is not None and r > edit.plain_rows_after:
            attrs = []
        if r in edit.heights:
            attrs = [(k, v) for k, v in attrs if k not in ("ht", "customHeight")]
            attrs += [("ht", _num(edit.heights[r])), ("customHeight", "1")]
        if not cells and not attrs:
            continue
        head = start_tag(f"{p}row", [("r", str(r)), *attrs], empty=not cells)
        if cells:
            cols = sorted(cells)
            bounds = _grow(bounds, r, cols[0], cols[-1])
            body.append(head.encode() + b"".join(_as_bytes(cells[c]) for c in cols) + f"</{p}row>".encode())
        else:
            body.append(head.encode())
    sd_tag = node.qname if node is not None else f"{p}sheetData"
    sd_head = start_tag(sd_tag, node.attrs if node is not None else [], empty=not body).encode()
    replace = {"sheetData": sd_head + b"".join(body) + (f"</{sd_tag}>".encode() if body else b"")}
    ref = "A1" if bounds is None else f"{S.cell(bounds[2], bounds[0])}:{S.cell(bounds[3], bounds[1])}"
    dim = sc.root.child("dimension")
    replace["dimension"] = start_tag(dim.qname if dim is not None else f"{p}dimension",
                                     [(k, ref if k == "ref" else v) for k, v in (dim.attrs if dim is not None
                                                                                 else [("ref", ref)])],
                                     empty=True).encode()
    if edit.cols is not None:
        replace["cols"] = _cols(sc, edit.cols)
    if edit.conditional is not None:
        replace["conditionalFormatting"] = edit.conditional.encode() if edit.conditional else None
    if edit.autofilter is not None:
        replace["autoFilter"] = _autofilter(sc, edit.autofilter)
    return splice(data, sc.root, replace, WORKSHEET_ORDER), removed


def _as_bytes(x) -> bytes:
    return x if isinstance(x, bytes) else x.encode()


def _num(x: float) -> str:
    from claimbook.xlsx.rewrite import number_text

    return number_text(x)


def _grow(b, r, c1, c2):
    if b is None:
        return [r, r, c1, c2]
    return [min(b[0], r), max(b[1], r), min(b[2], c1), max(b[3], c2)]


def _kept_rows(data: bytes, node: Node, clears: list, name: str) -> tuple[dict, list[str]]:
    """Row -> [row attributes (without r and spans), column -> raw ``<c>`` bytes] of the old cells outside
    the cleared rectangles; and the references of cleared cells that held a formula."""
    rows: dict = {}
    removed: list[str] = []
    r = 0
    for row in node.children:
        if row.name != "row":
            continue
        r = int(row.get("r") or r + 1)
        attrs = [(k, v) for k, v in row.attrs if k not in ("r", "spans")]
        cells: dict = {}
        col = 0
        spans = [c for c in clears if c[0] <= r <= c[2]]
        for c in row.children:
            if c.name != "c":
                continue
            ref = c.get("r")
            if ref:
                m = _REF.match(ref)
                col = S.col_index(m.group(1)) if m else col + 1
            else:
                col += 1
            raw = data[c.start:c.end]
            if any(lo <= col <= hi for _r1, lo, _r2, hi in spans):
                if _FORMULA.search(raw):
                    if _SHARED_MASTER.search(raw):
                        raise NeedsUpgrade(f"a shared formula starts in {name}!{S.cell(col, r)}, which claimbook clears")
                    removed.append(S.cell(col, r))
                continue
            if not ref:  # its place was implied by order; with claimbook's cells around it, say it
                at = len(c.qname) + 1
                raw = raw[:at] + f' r="{S.cell(col, r)}"'.encode() + raw[at:]
            cells[col] = raw
        rows[r] = [attrs, cells]
    return rows, removed


def _cols(sc: Scanned, changes: dict) -> bytes:
    """The ``<cols>`` element with each changed column's width (and style) set, the others as they were."""
    node = sc.root.child("cols")
    ranges = []  # [min, max, attrs without min/max]
    for col in node.children if node is not None else []:
        if col.name == "col":
            ranges.append([int(col.get("min") or 1), int(col.get("max") or 1),
                           [(k, v) for k, v in col.attrs if k not in ("min", "max")]])
    for c, (width, style) in sorted(changes.items()):
        i = next((i for i, rg in enumerate(ranges) if rg[0] <= c <= rg[1]), None)
        if i is None:
            attrs: list = []
            ranges.append([c, c, attrs])
            ranges.sort(key=lambda rg: rg[0])
        else:
            lo, hi, old = ranges.pop(i)
            pieces = [[lo, c - 1, list(old)]] if lo < c else []
            pieces.append([c, c, list(old)])
            if c < hi:
                pieces.append([c + 1, hi, list(old)])
            ranges[i:i] = pieces
            attrs = pieces[1 if lo < c else 0][2]
        _set(attrs, "width", _num(width))
        _set(attrs, "customWidth", "1")
        if style is not None:
            _set(attrs, "style", str(style))
    merged: list = []
    for rg in ranges:
        if merged and merged[-1][1] + 1 == rg[0] and merged[-1][2] == rg[2]:
            merged[-1][1] = rg[1]
        else:
            merged.append(rg)
    p = sc.p
    tag = node.qname if node is not None else f"{p}cols"
    col_tag = qualify(sc.prefix, "col")
    body = "".join(start_tag(col_tag, [("min", str(lo)), ("max", str(hi)), *attrs], empty=True)
                   for lo, hi, attrs in merged)
    return (start_tag(tag, node.attrs if node is not None else []) + body + f"</{tag}>").encode()


def _set(attrs: list, key: str, value: str) -> None:
    for i, (k, _v) in enumerate(attrs):
        if k == key:
            attrs[i] = (k, value)
            return
    attrs.append((key, value))


def _autofilter(sc: Scanned, ref: str) -> bytes:
    """The filter over ``ref``, keeping the practice's filter and sort choices when there is one."""
    node = sc.root.child("autoFilter")
    if node is None:
        return start_tag(f"{sc.p}autoFilter", [("ref", ref)], empty=True).encode()
    attrs = [(k, ref if k == "ref" else v) for k, v in node.attrs]
    if node.empty:
        return start_tag(node.qname, attrs, empty=True).encode()
    return start_tag(node.qname, attrs).encode() + sc.data[node.head_end:node.end]
