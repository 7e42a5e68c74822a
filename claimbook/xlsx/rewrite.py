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

from claimbook.sheets import col_index, col_letter
from claimbook.xlsx.xmlscan import esc_text

_SHEETDATA = re.compile(rb"<(?:(\w+):)?sheetData\b[^>]*?(/?)>")
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
# A cell, with its column letters and style index (lookaheads: the attributes may come in any order).
_CELL = re.compile(rb'<(?:\w+:)?c\b(?:(?=[^>]*?\sr="\$?([A-Z]{1,3})\$?\d+"))?(?:(?=[^>]*?\ss="(\d+)"))?[^>]*?'
                   rb"(?:/>|>.*?</(?:\w+:)?c>)", re.S)
_CELL_R = re.compile(rb'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?[^>]*?(?:/>|>.*?</c>)', re.S)  # as Excel writes cells
_COLUMNS: dict[bytes, int] = {}
_R_ROW = re.compile(rb'\br="(\d+)"')
_R_CELL = re.compile(rb'\br="\$?([A-Z]{1,3})\$?(\d+)"')
_COL = re.compile(rb"<(?:\w+:)?col\b([^>]*)/?>")
_SPANS = re.compile(rb'\s+spans="[^"]*"')
_DIMENSION = re.compile(rb'(<(?:\w+:)?dimension\b[^>]*?\bref=")([^"]*)(")')


def render_cell(prefix: str, row: int, col: int, value, s: int, epoch1904: bool = False) -> bytes:
    """The XML of one cell. ``value`` is text, a number, a bool, a date, or None (the cell keeps its style)."""
    p = prefix
    if type(value) is float and (value != value or value in (_INF, -_INF)):
        value = None  # no cell holds "not a number"
    ref = _letters_s(col) + str(row)
    sa = f' s="{s}"' if s else ""
    t = type(value)
    if t is str:
        if "&" in value or "<" in value or ">" in value:
            value = esc_text(value)
        space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() or "\n" in value else ""
        out = f'<{p}c r="{ref}"{sa} t="inlineStr"><{p}is><{p}t{space}>{value}</{p}t></{p}is></{p}c>'
    elif t is int or t is float:
        out = f'<{p}c r="{ref}"{sa}><{p}v>{number_text(value)}</{p}v></{p}c>'
    elif value is None:
        out = f'<{p}c r="{ref}"{sa}/>'
    elif t is bool:
        out = f'<{p}c r="{ref}"{sa} t="b"><{p}v>{int(value)}</{p}v></{p}c>'
    elif isinstance(value, (date, datetime, time)):
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, to_excel

        serial = to_excel(value, CALENDAR_MAC_1904 if epoch1904 else CALENDAR_WINDOWS_1900)
        out = f'<{p}c r="{ref}"{sa}><{p}v>{number_text(serial)}</{p}v></{p}c>'
    elif isinstance(value, (int, float)):  # a subclass (an IntEnum, numpy's float64)
        return render_cell(prefix, row, col, float(value) if isinstance(value, float) else int(value), s, epoch1904)
    else:
        raise TypeError(f"no cell for a {t.__name__}")
    return out.encode("utf-8")


_INF = float("inf")
_LETTER_TEXT: dict[int, str] = {}


def _letters_s(col: int) -> str:
    got = _LETTER_TEXT.get(col)
    if got is None:
        got = _LETTER_TEXT[col] = col_letter(col)
    return got


def number_text(v) -> str:
    """A number as openpyxl writes it (16 significant digits; Excel keeps 15)."""
    if type(v) is int:
        return str(v)
    return "%.16g" % v


def keep_style(s: int, value, number_format) -> int:
    return s


class SheetEdits:
    """The cells to write in one sheet: row -> column -> value (None clears the value and keeps the
    cell's format), and the number format of the few cells that get their own (the Import Log's times).
    Kept by row, the order the sheet is written in: the 70,000 cells a next-day refresh of 10,000 claims
    writes cost no (row, column) key or (value, format) pair each."""

    __slots__ = ("rows", "formats")

    def __init__(self, cells: dict | None = None):
        self.rows: dict[int, dict[int, object]] = {}
        self.formats: dict[tuple[int, int], str] = {}
        for (r, c), (value, fmt) in (cells or {}).items():
            self.put(r, c, value, fmt)

    def put(self, row: int, col: int, value, fmt: str | None = None) -> None:
        cells = self.rows.get(row)
        if cells is None:
            cells = self.rows[row] = {}
        cells[col] = value
        if fmt is not None:
            self.formats[(row, col)] = fmt
        elif self.formats:
            self.formats.pop((row, col), None)

    def __contains__(self, cell) -> bool:
        row = self.rows.get(cell[0])
        return row is not None and cell[1] in row

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __len__(self) -> int:
        return sum(len(cells) for cells in self.rows.values())


def rewrite_sheet(xml: bytes, edits: "SheetEdits | dict", style=keep_style, epoch1904: bool = False) -> bytes:
    """The sheet ``xml`` with the ``edits`` written (``rewrite_chunks``), in one piece."""
    return b"".join(rewrite_chunks([xml], edits, style, epoch1904))


_SHEETDATA_END = re.compile(rb"</(?:\w+:)?sheetData>")
_ROW_END = re.compile(rb"</(?:\w+:)?row>")


def rewrite_chunks(source, edits: "SheetEdits | dict", style=keep_style, epoch1904: bool = False):
    """A sheet's XML, read from ``source`` (pieces of bytes, e.g. read from the zip a megabyte at a time)
    and given back in pieces, with each cell in ``edits`` (``SheetEdits``, or a dict (row, column) ->
    (value, number format or None)) written over the cell there (or added, in column order; rows added
    in row order); ``<dimension>`` grows to cover them. Unchanged rows are passed on as they are, and only the rows of
    one piece are held at a time.

    A written cell keeps the style of the cell it replaces; a new cell takes the style of the nearest
    cell above it that this rewrite saw (Excel's table growth copies the row above), else its column's.
    ``style(s, value, number_format)`` may then change it (a date needs a date format)."""
    pieces = iter(source)
    buf = b""
    m = None
    for piece in pieces:  # up to the start of sheetData (views, columns: small)
        buf += piece
        m = _SHEETDATA.search(buf)
        if m is not None:
            break
    if m is None:
        raise ValueError("no sheetData in the worksheet")
    prefix = (m.group(1) or b"").decode()
    prefix = prefix + ":" if prefix else ""
    if not isinstance(edits, SheetEdits):
        edits = SheetEdits(edits)
    styler = _Styler(_col_styles(buf[:m.start()]), style, edits.formats)
    by_row = edits.rows
    pending = sorted(by_row)
    head = buf[:m.start()]
    if by_row:
        head = _grow_dimension(head, pending[-1], max(max(cells) for cells in by_row.values()))
    yield head
    yield f"<{prefix}sheetData>".encode()
    state = {"at": 0, "row": 0, "last": b""}
    if m.group(2):  # <sheetData/>: no rows yet
        yield from _add_rows(prefix, pending, state, by_row, styler, epoch1904)
        yield f"</{prefix}sheetData>".encode()
        yield buf[m.end():]
        yield from pieces
        return
    buf = buf[m.end():]
    while True:
        close = _SHEETDATA_END.search(buf)
        if close is not None:
            yield from _pass_rows(buf, 0, close.start(), prefix, pending, state, by_row, styler, epoch1904)
            yield from _add_rows(prefix, pending, state, by_row, styler, epoch1904)
            yield f"</{prefix}sheetData>".encode()
            yield buf[close.end():]
            yield from pieces
            return
        upto = _last_row_end(buf, prefix)
        if upto:
            yield from _pass_rows(buf, 0, upto, prefix, pending, state, by_row, styler, epoch1904)
            buf = buf[upto:]
        piece = next(pieces, None)
        if piece is None:
            raise ValueError("sheetData is not closed")
        buf += piece


def _last_row_end(buf: bytes, prefix: str) -> int:
    """Where the last complete row of ``buf`` ends (0: none yet)."""
    if not prefix:
        at = buf.rfind(b"</row>")
        return at + 6 if at >= 0 else 0
    ends = list(_ROW_END.finditer(buf))
    return ends[-1].end() if ends else 0


def _pass_rows(buf: bytes, first: int, last: int, prefix: str, pending: list, state: dict, by_row: dict, styler,
               epoch1904: bool):
    """The rows of ``buf[first:last]``, those with edits rewritten, new rows put in their place."""
    pos = first
    for start, end, attrs, inner in _rows(buf, prefix, first, last):
        rr = _R_ROW.search(attrs)
        row = state["row"] = int(rr.group(1)) if rr else state["row"] + 1
        at = state["at"]
        while at < len(pending) and pending[at] < row:  # new rows above this one
            yield buf[pos:start]
            pos = start
            styler.donor(state["last"])
            yield _new_row(prefix, pending[at], by_row[pending[at]], styler, epoch1904)
            at += 1
        if at < len(pending) and pending[at] == row:
            yield buf[pos:start]
            yield _edit_row(prefix, row, attrs, inner, by_row[row], styler, epoch1904)
            pos = end
            at += 1
        state["at"] = at
        state["last"] = inner
    yield buf[pos:last]


def _add_rows(prefix: str, pending: list, state: dict, by_row: dict, styler, epoch1904: bool):
    """The new rows below the sheet's last row."""
    for r in pending[state["at"]:]:
        styler.donor(state["last"])
        yield _new_row(prefix, r, by_row[r], styler, epoch1904)
        state["last"] = b""
    state["at"] = len(pending)


class _Styler:
    """The style of each written cell: its own, else the nearest seen above it, else its column's."""

    def __init__(self, col_styles: dict[int, int], style, formats: dict | None = None):
        self.col_styles = col_styles
        self.style = style
        self.formats = formats or {}
        self.above: dict[int, int] = {}  # column -> style of the last cell seen in it

    def seen(self, styles: dict[int, int]) -> None:
        self.above.update(styles)

    def donor(self, inner: bytes) -> None:
        """Before a new row: the styles of the existing row above it (read once)."""
        if inner:
            self.seen(_cells(inner, False)[1])

    def __call__(self, row: int, col: int, s: int | None, value) -> int:
        fmt = self.formats.get((row, col)) if self.formats else None
        if s is None:
            s = self.above.get(col, self.col_styles.get(col, 0))
        return self.style(s, value, fmt)


def _new_row(prefix: str, row: int, cells: dict, styler, epoch1904: bool) -> bytes:
    parts = [f'<{prefix}row r="{row}">'.encode()]
    parts += [render_cell(prefix, row, c, v, styler(row, c, None, v), epoch1904) for c, v in sorted(cells.items())]
    parts.append(f"</{prefix}row>".encode())
    return b"".join(parts)


def _rows(body: bytes, prefix: str, first: int, last: int):
    """(start, end, attributes, content or b"") of each row element in ``body[first:last]`` (sheetData's)."""
    if prefix:  # a sheet written with prefixed names (rare): the general expression
        for rm in _ROW.finditer(body, first, last):
            yield rm.start(), rm.end(), rm.group(1), rm.group(2) or b""
        return
    find = body.find
    i = find(b"<row", first, last)
    while i >= 0:
        j = find(b">", i)
        if body[j - 1:j] == b"/":
            yield i, j + 1, body[i + 4:j - 1], b""
            end = j + 1
        else:
            k = find(b"</row>", j)
            yield i, k + 6, body[i + 4:j], body[j + 1:k]
            end = k + 6
        i = find(b"<row", end, last)


def _edit_row(prefix: str, row: int, attrs: bytes, inner: bytes, cells: dict, styler, epoch1904: bool) -> bytes:
    """The row with ``cells`` written. Cells left of the first written column are kept as one piece of text
    (Excel keeps a row's cells in column order), the others are taken apart and put back in order."""
    attrs = _SPANS.sub(b"", attrs).rstrip(b"/").rstrip()
    fast = not prefix and inner.count(b"<c ") == inner.count(b'<c r="') and b"<c>" not in inner and b"<c/>" not in inner
    if fast:
        done = _replace_in_place(row, inner, cells, styler, epoch1904)
        if done is not None:
            return b"<row" + attrs + b">" + done + b"</row>"
    split = _split(inner, row, min(cells)) if fast else 0
    existing, styles, positioned = _cells(inner[split:], fast)
    styler.seen(styles)
    merged: dict[int, bytes] = dict(existing)
    if not positioned:  # cells without r: write each one's position
        merged = {c: _with_ref(x, row, c) for c, x in existing}
    for c, v in cells.items():
        merged[c] = render_cell(prefix, row, c, v, styler(row, c, styles.get(c), v), epoch1904)
    open_tag = b"<" + prefix.encode() + b"row" + attrs + b">"
    return open_tag + inner[:split] + b"".join(merged[c] for c in sorted(merged)) + f"</{prefix}row>".encode()


def _replace_in_place(row: int, inner: bytes, cells: dict, styler, epoch1904: bool) -> bytes | None:
    """The row's cells with each written cell replaced where it stands, found by its reference (the usual
    case: every written cell is there already). None when one is not there: the row is then taken apart."""
    number = str(row).encode()
    spans = []
    for c in sorted(cells):
        at = inner.find(b'<c r="' + _letters_b(c) + number + b'"')
        if at < 0:
            return None
        head_end = inner.index(b">", at)
        end = head_end + 1 if inner[head_end - 1:head_end] == b"/" else inner.index(b"</c>", head_end) + 4
        sm = _S_IN_TAG.search(inner, at, head_end)
        spans.append((at, end, c, int(sm.group(1)) if sm else 0))
    out = []
    pos = 0
    for at, end, c, s in spans:
        styler.above[c] = s
        value = cells[c]
        out.append(inner[pos:at])
        out.append(render_cell("", row, c, value, styler(row, c, s, value), epoch1904))
        pos = end
    out.append(inner[pos:])
    return b"".join(out)


_S_IN_TAG = re.compile(rb'\ss="(\d+)"')


def _split(inner: bytes, row: int, first: int) -> int:
    """Where the row's first cell at or right of column ``first`` starts (0 when none is found nearby)."""
    number = str(row).encode()
    for c in range(first, first + 64):
        at = inner.find(b'<c r="' + _letters_b(c) + number + b'"')
        if at >= 0:
            return at
    return 0


def _letters_b(col: int) -> bytes:
    got = _LETTERS.get(col)
    if got is None:
        got = _LETTERS[col] = col_letter(col).encode()
    return got


_LETTERS: dict[int, bytes] = {}


def _cells(inner: bytes, fast: bool) -> tuple[list[tuple[int, bytes]], dict[int, int], bool]:
    """(column, cell XML) of each cell, column -> style index, and whether every cell says its position."""
    existing: list[tuple[int, bytes]] = []
    styles: dict[int, int] = {}
    col = 0
    positioned = True
    for cm in (_CELL_R.finditer(inner) if fast else _CELL.finditer(inner)):
        letters_ = cm.group(1)
        if letters_ is None:
            col += 1
            positioned = False
        else:
            col = _COLUMNS.get(letters_) or _COLUMNS.setdefault(letters_, col_index(letters_.decode()))
        existing.append((col, cm.group(0)))
        styles[col] = int(cm.group(2)) if cm.group(2) else 0
    return existing, styles, positioned


def _col_styles(head: bytes) -> dict[int, int]:
    """Column -> style index of the sheet's ``<col style=...>`` ranges."""
    out = {}
    for m in _COL.finditer(head):
        attrs = dict(re.findall(rb'(\w+)="([^"]*)"', m.group(1)))
        if b"style" in attrs and attrs.get(b"min", b"").isdigit():
            lo = int(attrs[b"min"])
            hi = int(attrs.get(b"max", attrs[b"min"]))
            for c in range(lo, min(hi, lo + 200) + 1):
                out[c] = int(attrs[b"style"])
    return out


def _with_ref(cell_xml: bytes, row: int, col: int) -> bytes:
    if _R_CELL.search(cell_xml):
        return cell_xml
    at = cell_xml.index(b"c", 1) + 1
    return cell_xml[:at] + f' r="{col_letter(col)}{row}"'.encode() + cell_xml[at:]


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
    c2 = max(col_index(lm.group(1)), max_col)
    new = f"{fm.group(1)}{fm.group(2)}:{col_letter(c2)}{r2}".encode()
    return xml[:m.start(2)] + new + xml[m.end(2):]
