"""Streaming a worksheet's XML with some cells replaced: every other byte of the part is kept.

The sheet's rows are found as text (``<row ...>...</row>``), and only rows with a changed cell are taken
apart and put together again; all other rows, and everything outside ``<sheetData>`` (views, formats,
validations, ignored errors, hyperlinks, drawings, extensions), are copied as they are. Cells are
written the way Excel reads them: text as an inline string (``t="inlineStr"``, never a formula), numbers
and dates (serial numbers under a date style) as ``<v>``, booleans as ``t="b"``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from xml.sax.saxutils import escape

from claimbook.xlsx.cells import column_index

_SHEETDATA = re.compile(rb"<(?:(\w+):)?sheetData\b[^>]*?(/?)>")
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>.*?</(?:\w+:)?c>)", re.S)
_R_ROW = re.compile(rb'\br="(\d+)"')
_R_CELL = re.compile(rb'\br="\$?([A-Z]{1,3})\$?(\d+)"')
_SPANS = re.compile(rb'\s+spans="[^"]*"')
_DIMENSION = re.compile(rb'(<(?:\w+:)?dimension\b[^>]*?\bref=")([^"]*)(")')


def letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def render_cell(prefix: str, row: int, col: int, value, s: int, epoch1904: bool = False) -> bytes:
    """The XML of one cell. ``value`` is text, a number, a bool, a date, or None (the cell keeps its style)."""
    p = prefix
    ref = f"{letters(col)}{row}"
    sa = f' s="{s}"' if s else ""
    if value is None:
        out = f'<{p}c r="{ref}"{sa}/>'
    elif isinstance(value, str):
        space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
        out = f'<{p}c r="{ref}"{sa} t="inlineStr"><{p}is><{p}t{space}>{escape(value)}</{p}t></{p}is></{p}c>'
    elif isinstance(value, bool):
        out = f'<{p}c r="{ref}"{sa} t="b"><{p}v>{int(value)}</{p}v></{p}c>'
    elif isinstance(value, (int, float)):
        out = f'<{p}c r="{ref}"{sa}><{p}v>{_number(value)}</{p}v></{p}c>'
    elif isinstance(value, (date, datetime, time)):
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel

        serial = to_excel(value, CALENDAR_MAC_1904 if epoch1904 else CALENDAR_WINDOWS_1900)
        out = f'<{p}c r="{ref}"{sa}><{p}v>{_number(serial)}</{p}v></{p}c>'
    else:
        raise TypeError(f"no cell for a {type(value).__name__}")
    return out.encode("utf-8")


def _number(v) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def rewrite_sheet(xml: bytes, edits: dict[tuple[int, int], tuple[object, int]], epoch1904: bool = False) -> bytes:
    """The sheet ``xml`` with each cell in ``edits`` ((row, column) -> (value, style index)) written over
    the cell there (or added, in column order; rows added in row order). ``<dimension>`` grows to cover them."""
    m = _SHEETDATA.search(xml)
    if m is None:
        raise ValueError("no sheetData in the worksheet")
    prefix = (m.group(1) or b"").decode()
    prefix = prefix + ":" if prefix else ""
    by_row: dict[int, dict[int, tuple[object, int]]] = {}
    for (r, c), edit in edits.items():
        by_row.setdefault(r, {})[c] = edit
    pending = sorted(by_row)
    out: list[bytes] = [xml[:m.start()]]
    if m.group(2):  # <sheetData/>: no rows yet
        body_start = body_end = m.end()
        tail = xml[m.end():]
        out.append(f"<{prefix}sheetData>".encode())
    else:
        body_start = m.end()
        close = re.compile(rb"</(?:\w+:)?sheetData>").search(xml, body_start)
        if close is None:
            raise ValueError("sheetData is not closed")
        body_end = close.start()
        tail = xml[close.start() + len(close.group(0)):]
        out.append(xml[m.start():m.end()])
    body = xml[body_start:body_end]
    at = 0  # next pending row index
    pos = 0
    row = 0
    for rm in _ROW.finditer(body):
        rr = _R_ROW.search(rm.group(1))
        row = int(rr.group(1)) if rr else row + 1
        while at < len(pending) and pending[at] < row:  # new rows above this one
            out.append(body[pos:rm.start()])
            pos = rm.start()
            out.append(_new_row(prefix, pending[at], by_row[pending[at]], epoch1904))
            at += 1
        if at < len(pending) and pending[at] == row:
            out.append(body[pos:rm.start()])
            out.append(_edit_row(prefix, row, rm, by_row[row], epoch1904))
            pos = rm.end()
            at += 1
    out.append(body[pos:])
    for r in pending[at:]:
        out.append(_new_row(prefix, r, by_row[r], epoch1904))
    out.append(f"</{prefix}sheetData>".encode())
    out.append(tail)
    result = b"".join(out)
    if edits:
        result = _grow_dimension(result, max(r for r, _ in edits), max(c for _, c in edits))
    return result


def _new_row(prefix: str, row: int, cells: dict, epoch1904: bool) -> bytes:
    parts = [f'<{prefix}row r="{row}">'.encode()]
    parts += [render_cell(prefix, row, c, v, s, epoch1904) for c, (v, s) in sorted(cells.items())]
    parts.append(f"</{prefix}row>".encode())
    return b"".join(parts)


def _edit_row(prefix: str, row: int, rm, cells: dict, epoch1904: bool) -> bytes:
    attrs = _SPANS.sub(b"", rm.group(1)).rstrip(b"/").rstrip()
    inner = rm.group(2) or b""
    existing: list[tuple[int, bytes]] = []
    col = 0
    for cm in _CELL.finditer(inner):
        rc = _R_CELL.search(cm.group(1))
        col = column_index(rc.group(1).decode()) if rc else col + 1
        existing.append((col, cm.group(0)))
    merged: dict[int, bytes] = dict(existing)
    if not all(_R_CELL.search(x) for _c, x in existing):  # cells without r: write each one's position
        merged = {c: _with_ref(x, row, c) for c, x in existing}
    for c, (v, s) in cells.items():
        merged[c] = render_cell(prefix, row, c, v, s, epoch1904)
    open_tag = b"<" + prefix.encode() + b"row" + attrs + b">"
    return open_tag + b"".join(merged[c] for c in sorted(merged)) + f"</{prefix}row>".encode()


def _with_ref(cell_xml: bytes, row: int, col: int) -> bytes:
    if _R_CELL.search(cell_xml):
        return cell_xml
    at = cell_xml.index(b"c", 1) + 1
    return cell_xml[:at] + f' r="{letters(col)}{row}"'.encode() + cell_xml[at:]


def _grow_dimension(xml: bytes, max_row: int, max_col: int) -> bytes:
    m = _DIMENSION.search(xml)
    if m is None:
        return xml
    ref = m.group(2).decode()
    first, _, last = ref.partition(":")
    last = last or first
    lm = re.match(r"\$?([A-Z]{1,3})\$?(\d+)", last)
    fm = re.match(r"\$?([A-Z]{1,3})\$?(\d+)", first)
    if not lm or not fm:
        return xml
    r2 = max(int(lm.group(2)), max_row)
    c2 = max(column_index(lm.group(1)), max_col)
    new = f"{fm.group(1)}{fm.group(2)}:{letters(c2)}{r2}".encode()
    return xml[:m.start(2)] + new + xml[m.end(2):]
