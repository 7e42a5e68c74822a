"""Reading a worksheet's cell values with python-calamine, a fast and well-kept reader (Rust's calamine).

A sheet is read only when its cells are asked for, and kept as rows of values (calamine's, settled once:
whole numbers as int, dates as datetime, each repeated text one object); the small cell objects
openpyxl's readers expect (``Cell``: the value and its kind) are made when asked for (``Grid``), so
reading the Claims sheet of 10,000 claims costs a fraction of a second and of openpyxl's memory.
``Book`` and ``SheetCells`` offer the few things of an openpyxl workbook that
``claimbook.workbook.places`` reads (``worksheets``, ``sheetnames``, ``title``, ``_cells``, ``tables``,
``merged_cells``), so the stream edge finds and reads its blocks with the same code as the openpyxl
edge and gets the same values: whole numbers as int, dates by the cell's number format (1900 or 1904
calendar), shared, inline and rich strings as plain text. A formula reads as its result saved in the
file (openpyxl reads its text), which is what the office manager sees in Excel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from xml.etree import ElementTree as ET

from claimbook.errors import TrackerError
from claimbook.sheets import col_index, col_letter
from claimbook.xlsx import NeedsUpgrade
from claimbook.xlsx.parts import local, NS_MAIN, Package, TablePart
from claimbook.xlsx.styles import StyleBook

_REF = re.compile(r"([A-Z]{1,3})(\d+)")


def split_ref(ref: str) -> tuple[int, int]:
    """(row, column) of "AB12"."""
    m = _REF.match(ref.replace("$", ""))
    if not m:
        raise ValueError(ref)
    return int(m.group(2)), col_index(m.group(1))


class Cell:
    """One cell as read: ``_value`` and ``data_type`` as openpyxl would have them (its note, if any)."""

    __slots__ = ("_value", "data_type", "comment")

    def __init__(self, value, data_type: str):
        self._value = value
        self.data_type = data_type
        self.comment = None

    @property
    def value(self):
        return self._value


@dataclass
class Note:
    text: str


@dataclass
class Table:
    """An Excel table as ``places`` reads one (openpyxl's names)."""

    part: TablePart

    @property
    def name(self):
        return self.part.name

    @property
    def displayName(self):  # noqa: N802 - openpyxl's name
        return self.part.display_name

    @property
    def ref(self):
        return self.part.ref

    @property
    def totalsRowCount(self):  # noqa: N802 - openpyxl's name
        return self.part.totals_row_count


@dataclass
class Range:
    min_row: int
    min_col: int
    max_row: int
    max_col: int
    coord: str


@dataclass
class Merged:
    ranges: list = field(default_factory=list)


class SheetCells:
    """One worksheet: its title, tables, and (read on first use) its cells, column styles and merged areas."""

    def __init__(self, book: "Book", name: str, part: str):
        self.book = book
        self.title = name
        self.part = part
        self.tables = {t.name: Table(t) for t in book.pkg.tables(part)}
        self._read = False
        self._cell_store = Grid([])
        self._merged = Merged()
        self.formulas: set[tuple[int, int]] = set()  # cells holding a formula (read with the values)

    @property
    def _cells(self) -> Grid:
        if not self._read:
            self._load()
        return self._cell_store

    def forget(self) -> None:
        """Let go of the cells read (after the last read, before a save)."""
        self._cell_store = Grid([])
        self._read = True

    @property
    def merged_cells(self) -> Merged:
        if not self._read:
            self._load()
        return self._merged

    def _load(self) -> None:
        self._read = True
        pkg = self.book.pkg
        rows, cols = used_extent(pkg, self.part)
        if rows * cols > MAX_GRID:
            raise NeedsUpgrade(f"{self.title}: {rows:,} rows by {cols:,} columns read as a grid", advice=(
                f"A cell far right of or below the data on the {self.title} sheet makes it too large to read: "
                "in Excel, press Ctrl+End on that sheet to find it, delete the rows or columns up to it, save, "
                "and run again."))
        try:
            sheet = self.book.values.get_sheet_by_name(self.title)
            self._cell_store = Grid(_settle(sheet.to_python(skip_empty_area=False)))
            merged = sheet.merged_cell_ranges or ()
            del sheet  # calamine's own copy of the cells
            with pkg.open(self.part) as f:
                for key, value in unread_cells(iter(lambda: f.read(1 << 20), b""), self.formulas).items():
                    self._cell_store.set_plain(key, value)
        except Exception as err:  # noqa: BLE001 - calamine's and zlib's errors all mean "this sheet is damaged"
            raise TrackerError(
                f"{pkg.path.name} could not be read as an Excel workbook (the {self.title} sheet: "
                f"{type(err).__name__}): the file may be damaged. Open it in Excel to repair it, or use a "
                "backup copy.") from None
        for (r1, c1), (r2, c2) in merged:
            ref = f"{col_letter(c1 + 1)}{r1 + 1}:{col_letter(c2 + 1)}{r2 + 1}"
            self._merged.ranges.append(Range(r1 + 1, c1 + 1, r2 + 1, c2 + 1, ref))
        for part in pkg.related(self.part, "comments"):
            if part in pkg.names:
                for ref, text in read_notes(pkg.read(part)):
                    self._cell_store.notes[split_ref(ref)] = Note(text)


# Values are read as a grid from A1 to the last used cell: a few cells far away (a stray entry in column
# XFD or row 1,048,576) would make that grid billions of cells, so such a sheet is read by the openpyxl
# edge, which keeps only the cells that exist. 6,000,000 is 150,000 claims of 40 columns.
MAX_GRID = 6_000_000
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]*)"')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d+)"')


def used_extent(pkg: Package, part: str) -> tuple[int, int]:
    """(last row, last column) of a worksheet: from its ``<dimension>`` (Excel, openpyxl and LibreOffice
    write one), else from its cells, streamed."""
    with pkg.open(part) as f:
        head = f.read(4096)
    m = _DIMENSION.search(head)
    if m is not None:
        last = m.group(1).decode().split(":")[-1].replace("$", "")
        try:
            return split_ref(last)
        except ValueError:
            pass
    rows = cols = 0
    keep = b""
    with pkg.open(part) as f:
        while piece := f.read(1 << 20):
            buf = keep + piece
            for cm in _CELL_REF.finditer(buf):
                rows, cols = max(rows, int(cm.group(2))), max(cols, col_index(cm.group(1).decode()))
            keep = buf[-200:]
    return rows, cols


# Searched one by one (an alternation is ten times slower); Excel's, openpyxl's and LibreOffice's sheets
# use no prefix, others may.
_ODD = (re.compile(rb"<f[\s>/]"), re.compile(rb' t="e"'))
_ODD_PREFIXED = (re.compile(rb"<(?:\w+:)?f[\s>/]"), re.compile(rb'\st="e"'))
_CELL_CLOSE = re.compile(rb"</(?:\w+:)?c>")


def unread_cells(source, formulas: set | None = None) -> dict[tuple[int, int], str]:
    """What calamine leaves empty but openpyxl reads, from a sheet's XML in pieces: an error cell's value
    ("#N/A": the claim then says its DOS is an error, not that it is missing) and a formula that has no
    result saved in the file (its text, "=DATE(2026,1,5)", as openpyxl reads it). Both marks sit at the
    start of their cell (``t="e"`` in its tag, ``<f>`` its first child), so the cell starts just before.
    ``formulas`` receives (row, column) of every formula cell."""
    out: dict[tuple[int, int], str] = {}
    keep = b""
    odd = None
    for piece in source:
        buf = keep + piece
        if odd is None:
            odd = _ODD if re.search(rb"<worksheet\b", buf[:1000]) else _ODD_PREFIXED
        done = 0
        cut = None
        for m in sorted((m for pattern in odd for m in pattern.finditer(buf)), key=lambda m: m.start()):
            if m.start() < done:
                continue
            start = max(buf.rfind(b"<c ", 0, m.start()), buf.rfind(b":c ", 0, m.start()))
            if buf[start:start + 1] == b":":
                start = buf.rfind(b"<", 0, start)
            close = _CELL_CLOSE.search(buf, m.start())
            if start < 0 or close is None:  # the cell goes on in the next piece
                cut = max(start, done)
                break
            found = _odd_value(buf[start:close.end()], formulas)
            if found is not None:
                out[found[0]] = found[1]
            done = close.end()
        keep = buf[cut:] if cut is not None else buf[max(done, len(buf) - 256):]
    return out


def _odd_value(fragment: bytes, formulas: set | None = None):
    """((row, column), value) of an error cell or a formula cell without a saved result, else None."""
    text = fragment.decode("utf-8", "replace")
    text = re.sub(r"<(/?)\w+:", r"<\1", text)  # one cell: its prefix does not matter
    try:
        el = ET.fromstring(re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", text))
    except ET.ParseError:
        return None
    ref = el.get("r")
    if not ref:
        return None
    v = el.find("v")
    f = el.find("f")
    if f is not None and formulas is not None:
        formulas.add(split_ref(ref))
    if el.get("t") == "e" and f is None:
        return split_ref(ref), (v.text or "") if v is not None else ""
    if f is not None and (v is None or not (v.text or "")):
        return split_ref(ref), "=" + (f.text or "") if f.text else None
    return None


class Book:
    """The worksheets of a package, read lazily (what ``places`` needs of an openpyxl workbook)."""

    def __init__(self, pkg: Package):
        self.pkg = pkg
        styles = pkg.styles_part()
        self.styles = StyleBook(pkg.read(styles) if styles else None)
        book = ET.fromstring(pkg.read(pkg.workbook_part))
        pr = book.find(f"{{{NS_MAIN}}}workbookPr")
        self.epoch1904 = pr is not None and (pr.get("date1904") or "").lower() in ("1", "true")
        self._values = None
        self.worksheets = [SheetCells(self, s.name, s.part) for s in pkg.sheets()
                           if s.kind == "worksheet" and s.part in pkg.names]

    @property
    def values(self):
        """The workbook opened by python-calamine (a fast reader of cell values, in Rust), on first use."""
        if self._values is None:
            from python_calamine import CalamineWorkbook

            with open(self.pkg.path, "rb") as f:
                self._values = CalamineWorkbook.from_filelike(f)
        return self._values

    @property
    def sheetnames(self) -> list[str]:
        return [ws.title for ws in self.worksheets]

    def __contains__(self, name: str) -> bool:
        return name in self.sheetnames

    def add_sheet(self, name: str, part: str) -> SheetCells:
        """A new, empty worksheet (its part is written by the caller)."""
        ws = SheetCells.__new__(SheetCells)
        ws.book, ws.title, ws.part, ws.tables = self, name, part, {}
        ws._read, ws._cell_store, ws._merged, ws.formulas = True, Grid([]), Merged(), set()
        self.worksheets.append(ws)
        return ws

    def __getitem__(self, name: str) -> SheetCells:
        for ws in self.worksheets:
            if ws.title == name:
                return ws
        raise KeyError(name)


def _plain(v):
    """A calamine value as openpyxl reads it: "" is no value, a whole number an int, a date a datetime."""
    t = type(v)
    if t is str:
        return v if v else None
    if t is float:
        return int(v) if v.is_integer() and abs(v) < 1e15 else v
    if t is date:
        return datetime(v.year, v.month, v.day)
    return v


def _settle(rows: list[list]) -> list[list]:
    """calamine's rows, changed in place into what the readers use, once: a whole number as an int and a
    date as a datetime at midnight (as openpyxl reads them), and each text or date that repeats as one
    object. A Claims sheet of 10,000 claims holds 250,000 texts of which 18,000 differ (payers, statuses,
    buckets, the computed sentences): shared, they cost a tenth of the memory."""
    seen: dict = {}  # text -> text, date -> datetime (a str never equals a date)
    share = seen.setdefault
    for row in rows:
        for i, v in enumerate(row):
            t = type(v)
            if t is str:
                if v:
                    row[i] = share(v, v)
            elif t is float:
                if v.is_integer() and abs(v) < 1e15:
                    row[i] = int(v)
            elif t is date:
                d = seen.get(v)
                if d is None:
                    d = seen[v] = datetime(v.year, v.month, v.day)
                row[i] = d
    return rows


class Grid:
    """A sheet's values as python-calamine read them (rows of values from A1, "" for an empty cell),
    offered as openpyxl's cell store: ``(row, column) -> Cell``, only for cells with a value. Cells are
    made when asked for, so a sheet of 10,000 claims costs the values and nothing per cell on top."""

    def __init__(self, rows: list[list]):
        self.rows = rows
        self.notes: dict[tuple[int, int], Note] = {}

    def _cell(self, r: int, c: int, v) -> Cell:
        t = type(v)
        if t is float:
            cell = Cell(int(v) if v.is_integer() and abs(v) < 1e15 else v, "n")  # "25" reads as 25, as openpyxl reads it
        elif t is str:
            cell = Cell(v, "s")
        elif t is bool:
            cell = Cell(v, "b")
        elif t is int:
            cell = Cell(v, "n")
        elif t is date:  # a date-only format: a datetime at midnight, as openpyxl reads it
            cell = Cell(datetime(v.year, v.month, v.day), "d")
        else:  # datetime, time, timedelta
            cell = Cell(v, "d")
        if self.notes:
            cell.comment = self.notes.get((r, c))
        return cell

    def get(self, key, default=None):
        r, c = key
        rows = self.rows
        if 0 < r <= len(rows):
            row = rows[r - 1]
            if 0 < c <= len(row):
                v = row[c - 1]
                if v != "" and v is not None:
                    return self._cell(r, c, v)
        return default

    def __getitem__(self, key):
        cell = self.get(key)
        if cell is None:
            raise KeyError(key)
        return cell

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def __setitem__(self, key, cell) -> None:
        self.set_plain(key, cell._value)

    # ---- the same, without a cell object per value (what the stream edge and ``places`` use most)
    def plain(self, key):
        """The value at (row, column) as openpyxl reads it, or None."""
        r, c = key
        rows = self.rows
        if 0 < r <= len(rows):
            row = rows[r - 1]
            if 0 < c <= len(row):
                v = row[c - 1]
                return None if v == "" else v
        return None

    def set_plain(self, key, value) -> None:
        """Put a value, settled as the values read are (``_settle``)."""
        r, c = key
        rows = self.rows
        while len(rows) < r:
            rows.append([])
        row = rows[r - 1]
        if len(row) < c:
            row.extend([""] * (c - len(row)))
        value = _plain(value)
        row[c - 1] = value if value is not None else ""

    def block_rows(self, first_row: int, last_row: int, first_col: int, last_col: int) -> list[list]:
        """The values of a rectangle, row by row, as openpyxl reads them (None for an empty cell)."""
        width = last_col - first_col + 1
        out = []
        for r in range(first_row, last_row + 1):
            row = self.rows[r - 1] if r <= len(self.rows) else []
            values = [None if v == "" else v for v in row[first_col - 1:last_col]]
            if len(values) < width:
                values.extend([None] * (width - len(values)))
            out.append(values)
        return out

    def items_in(self, first_row: int, last_row: int, first_col: int, last_col: int):
        """((row, column), cell) of the cells with a value in a rectangle, in reading order."""
        cell = self._cell
        for r in range(max(first_row, 1), min(last_row, len(self.rows)) + 1):
            for c, v in enumerate(self.rows[r - 1][first_col - 1:last_col], start=first_col):
                if v != "" and v is not None:
                    yield (r, c), cell(r, c, v)

    def entry_rows(self, first_col: int, last_col: int, after: int, upto: int | None) -> list[int]:
        """Rows below ``after`` (to ``upto``) with an entry in the columns, in order."""
        from claimbook.table import is_blank

        last = len(self.rows) if upto is None else min(upto, len(self.rows))
        found = []
        for r in range(after + 1, last + 1):
            for v in self.rows[r - 1][first_col - 1:last_col]:
                if v != "" and v is not None and not is_blank(_plain(v)):
                    found.append(r)
                    break
        return found

    def items(self):
        cell = self._cell
        for r, row in enumerate(self.rows, start=1):
            for c, v in enumerate(row, start=1):
                if v != "" and v is not None:
                    yield (r, c), cell(r, c, v)

    def __iter__(self):
        for r, row in enumerate(self.rows, start=1):
            for c, v in enumerate(row, start=1):
                if v != "" and v is not None:
                    yield r, c

    def values(self):
        for _key, cell in self.items():
            yield cell

    def __len__(self) -> int:
        return sum(1 for row in self.rows for v in row if v != "" and v is not None)

    def __bool__(self) -> bool:
        return any(v != "" and v is not None for row in self.rows for v in row)


def read_notes(xml: bytes) -> list[tuple[str, str]]:
    """(cell, text) of each note in a comments part."""
    out = []
    root = ET.fromstring(xml)
    for el in root.iter():
        if local(el.tag) == "comment":
            text = "".join(t.text or "" for t in el.iter() if local(t.tag) == "t")
            out.append((el.get("ref") or "", text))
    return out
