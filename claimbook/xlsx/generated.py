"""The generated sheets (Worklist, Dashboard, Payers) as XML parts, for the streaming file edge.

The look is defined once, in ``claimbook.workbook.generated``: the same writers ``write_generated`` calls
fill a scratch openpyxl workbook, and its sheets are translated here into the tracker's own parts. Each
scratch cell's style becomes a cell style of the tracker (``StyleBook.add_xf``, appended only when the
tracker has no identical one); text is an inline string (never a formula), a date a serial number in a
date style. The cells are spliced into the existing sheet parts (``sheetxml``): the practice's cells
outside claimbook's blocks, the sheet views, page setup, drawing (a logo beside the charts), comments and
everything else stay as they were. The Dashboard's charts are only touched when their cell ranges are not
those of this output's bucket count (``charts``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel

from claimbook import sheets as S
from claimbook.xlsx import NeedsUpgrade
from claimbook.xlsx.charts import chart_parts
from claimbook.xlsx.parts import NS_MAIN
from claimbook.xlsx.sheetxml import SheetEdit, Scanned, col_styles, column_widths, rewrite_sheet, scan_sheet
from claimbook.xlsx.rewrite import number_text
from claimbook.xlsx.styles import StyleBook
from claimbook.xlsx.xmlscan import Writer, esc_text, start_tag

GENERATED = (S.WORKLIST, S.DASHBOARD, S.PAYERS)


@dataclass
class Generated:
    """The new parts (zip name -> bytes: the three sheet parts, and chart parts whose ranges changed), the
    print areas to set (sheet -> "A1:K12"), the Worklist's filter range (sheet -> ref, for the hidden
    ``_xlnm._FilterDatabase`` name), and the cells of ours whose formulas were cleared (sheet -> refs:
    then ``xl/calcChain.xml`` must go)."""

    parts: dict[str, bytes] = field(default_factory=dict)
    print_areas: dict[str, str] = field(default_factory=dict)
    auto_filters: dict[str, str] = field(default_factory=dict)
    removed_formulas: dict[str, list[str]] = field(default_factory=dict)


def generated_parts(pkg, book: StyleBook, output, rules=None) -> Generated:
    """The Worklist, Dashboard and Payers parts of ``pkg`` with ``output`` written into them, as the
    openpyxl edge's ``write_generated`` would write them. New cell formats are added to ``book`` (write
    ``book.to_bytes()`` as the styles part when ``book.changed``). Raises ``NeedsUpgrade`` when a generated
    sheet or the Dashboard's charts are missing, or a part cannot be spliced. ``rules`` is not needed (the
    upgrade adds missing sheets); it is taken so both edges are called alike."""
    found = {}
    for name in GENERATED:
        sheet = pkg.worksheet(name)
        if sheet is None or sheet.part not in pkg.names:
            raise NeedsUpgrade(f"the tracker has no {name} sheet")
        found[name] = (sheet.part, scan_sheet(pkg.read(sheet.part), name))
    wb, blocks, nb = scratch_workbook(output, column_widths(found[S.PAYERS][1]))
    cells = _Cells(book, wb, date1904=_date1904(pkg))
    out = Generated()
    clears: dict[str, list] = {name: [] for name in GENERATED}
    for b in blocks:
        clears[b.sheet].append((b.row, b.col, b.row + b.clear_rows - 1, b.col + b.clear_cols - 1))
    hr, n_rows = S.WORKLIST_HEADER_ROW, len(output.worklist.rows)
    for name in GENERATED:
        part, sc = found[name]
        ws = wb[name]
        edit = SheetEdit(cells.sheet(ws, sc), clears[name], heights={
            r: d.height for r, d in ws.row_dimensions.items() if d.height is not None})
        if name == S.WORKLIST:
            edit.plain_rows_after = hr + n_rows
            edit.cols = _worklist_cols(ws, sc, book)
            edit.conditional = _conditional(ws, sc, book)
            edit.autofilter = ws.auto_filter.ref
            out.auto_filters[name] = ws.auto_filter.ref
        data, removed = rewrite_sheet(sc, edit, name)
        out.parts[part] = data
        if removed:
            out.removed_formulas[name] = removed
        area = ws.print_area
        if area:
            out.print_areas[name] = area.rpartition("!")[2].replace("$", "")
    out.parts.update(chart_parts(pkg, found[S.DASHBOARD][0], nb))
    return out


def scratch_workbook(output, payers_widths: dict[int, float] | None = None):
    """A new openpyxl workbook with the three generated sheets written by the openpyxl edge's writers
    (same blocks, styles, heights, column formats, conditional formats, filter and print areas); the
    Payers columns sized like the tracker's (row heights depend on them). Returns (wb, blocks, buckets)."""
    from openpyxl import Workbook

    from claimbook.workbook import generated as G
    from claimbook.workbook.writing import us_date_defaults

    wb = Workbook()
    wb.active.title = S.WORKLIST
    wb.create_sheet(S.DASHBOARD)
    wb.create_sheet(S.PAYERS)
    for c, width in (payers_widths or {}).items():
        wb[S.PAYERS].column_dimensions[S.col_letter(c)].width = width
    blocks = S.generated_blocks(output)
    nb = min(len(output.dashboard.buckets), S.MAX_BUCKETS)
    with us_date_defaults():
        G._write_blocks(wb, blocks)
        G._finish_generated(wb, nb, list(output.worklist.header), len(output.worklist.rows))
    return wb, blocks, nb


def _date1904(pkg) -> bool:
    import re

    m = re.search(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=\"(1|true)\"", pkg.read(pkg.workbook_part))
    return m is not None


class _Cells:
    """Scratch cells as ``<c>`` elements of the tracker, their styles mapped once per distinct style."""

    def __init__(self, book: StyleBook, wb, date1904: bool):
        self.book, self.wb = book, wb
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        self.xfs: dict[tuple, int] = {}

    def xf(self, style) -> int:
        key = tuple(style) if style is not None else (0,) * 9
        xf = self.xfs.get(key)
        if xf is None:
            wb = self.wb
            font, fill, border, num, prot, align = key[:6]
            fmt = BUILTIN_FORMATS.get(num) if num < 164 else wb._number_formats[num - 164]
            xf = self.xfs[key] = self.book.add_xf(
                font=wb._fonts[font] if font else None, fill=wb._fills[fill] if fill else None,
                border=wb._borders[border] if border else None, number_format=fmt,
                alignment=wb._alignments[align] if align else None,
                protection=wb._protections[prot] if prot else None, quote_prefix=bool(key[7]))
        return xf

    def sheet(self, ws, sc: Scanned) -> dict[int, dict[int, str]]:
        p = sc.p
        rows: dict[int, dict[int, str]] = {}
        for (r, c), cell in ws._cells.items():
            rows.setdefault(r, {})[c] = self.cell(cell, S.cell(c, r), p)
        return rows

    def cell(self, cell, ref: str, p: str) -> str:
        s = self.xf(cell._style)
        v = cell._value
        if v is None or v == "":  # openpyxl writes an empty text as an empty cell too
            return f'<{p}c r="{ref}" s="{s}"/>' if s else f'<{p}c r="{ref}"/>'
        if isinstance(v, bool):
            return f'<{p}c r="{ref}"{_s(s)} t="b"><{p}v>{int(v)}</{p}v></{p}c>'
        if isinstance(v, (int, float)) and cell.data_type == "n":
            if isinstance(v, float) and not math.isfinite(v):
                return f'<{p}c r="{ref}"{_s(s)}/>'
            return f'<{p}c r="{ref}"{_s(s)}><{p}v>{number_text(v)}</{p}v></{p}c>'
        if isinstance(v, (date, datetime)):
            if not self.book.is_date(s):
                s = self.book.with_number_format(s, S.DATE_FORMAT)
            return f'<{p}c r="{ref}"{_s(s)}><{p}v>{number_text(to_excel(v, self.epoch))}</{p}v></{p}c>'
        text = str(v)
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return (f'<{p}c r="{ref}"{_s(s)} t="inlineStr"><{p}is><{p}t{space}>{esc_text(text)}</{p}t></{p}is>'
                f"</{p}c>")


def _s(s: int) -> str:
    return f' s="{s}"' if s else ""


def _worklist_cols(ws, sc: Scanned, book: StyleBook) -> dict[int, tuple]:
    """The Worklist's column widths, and its date and money columns' number formats kept on the columns'
    own styles (as openpyxl's ``number_format`` on a column does)."""
    own = col_styles(sc)
    out = {}
    for letter, dim in ws.column_dimensions.items():
        if dim.width is None or not dim.customWidth:
            continue
        c = S.col_index(letter)
        fmt = dim.number_format if dim.has_style else None
        style = book.with_number_format(own.get(c, 0), fmt) if fmt and fmt != "General" else None
        out[c] = (dim.width, style)
    return out


def _conditional(ws, sc: Scanned, book: StyleBook) -> str:
    """The scratch sheet's conditional formats as elements of the tracker, their formats in its dxfs."""
    writer = Writer(sc.root, NS_MAIN)
    out = []
    for cf in ws.conditional_formatting:
        rules = []
        for rule in cf.rules:
            rule.dxfId = book.add_dxf(rule.dxf) if rule.dxf is not None else None
            rules.append(writer.write(rule.to_tree()))
        tag = f"{sc.p}conditionalFormatting"
        out.append(start_tag(tag, [("sqref", str(cf.sqref))]) + "".join(rules) + f"</{tag}>")
    return "".join(out)
