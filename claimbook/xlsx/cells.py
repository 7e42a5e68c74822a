"""Reading a worksheet's cell values with python-calamine, a fast and well-kept reader (Rust's calamine).

A sheet is read only when its cells are asked for, into small cell objects (``Cell``: the value and its
kind), so reading the Claims sheet of 10,000 claims costs a fraction of a second and of openpyxl's
memory. ``Book`` and ``SheetCells`` offer the few things of an openpyxl workbook that
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

from claimbook.xlsx.parts import local, NS_MAIN, Package, TablePart
from claimbook.xlsx.styles import StyleBook

_REF = re.compile(r"([A-Z]{1,3})(\d+)")


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def split_ref(ref: str) -> tuple[int, int]:
    """(row, column) of "AB12"."""
    m = _REF.match(ref.replace("$", ""))
    if not m:
        raise ValueError(ref)
    return int(m.group(2)), column_index(m.group(1))


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
        self._cell_store: dict[tuple[int, int], Cell] = {}
        self._merged = Merged()

    @property
    def _cells(self) -> dict[tuple[int, int], Cell]:
        if not self._read:
            self._load()
        return self._cell_store

    @property
    def merged_cells(self) -> Merged:
        if not self._read:
            self._load()
        return self._merged

    def _load(self) -> None:
        self._read = True
        pkg = self.book.pkg
        sheet = self.book.values.get_sheet_by_name(self.title)
        read_values(sheet, self._cell_store)
        for (r1, c1), (r2, c2) in sheet.merged_cell_ranges or ():
            ref = f"{_letters(c1 + 1)}{r1 + 1}:{_letters(c2 + 1)}{r2 + 1}"
            self._merged.ranges.append(Range(r1 + 1, c1 + 1, r2 + 1, c2 + 1, ref))
        for part in pkg.related(self.part, "comments"):
            if part in pkg.names:
                for ref, text in read_notes(pkg.read(part)):
                    cell = self._cell_store.get(split_ref(ref))
                    if cell is not None:
                        cell.comment = Note(text)


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
        ws._read, ws._cell_store, ws._merged = True, {}, Merged()
        self.worksheets.append(ws)
        return ws

    def __getitem__(self, name: str) -> SheetCells:
        for ws in self.worksheets:
            if ws.title == name:
                return ws
        raise KeyError(name)


def read_values(sheet, out: dict) -> None:
    """Fill ``out`` with the cells of a python-calamine sheet ((row, column) -> ``Cell``), 1-based like Excel.

    A number comes as int when it is whole (as openpyxl reads "25"); a formula as its last result saved in
    the file (what the office manager sees in Excel); an empty cell is no cell."""
    rows = sheet.to_python(skip_empty_area=False)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            if v == "" or v is None:
                continue
            t = type(v)
            if t is float:
                if v.is_integer() and abs(v) < 1e15:
                    v = int(v)
                out[(r, c)] = Cell(v, "n")
            elif t is str:
                out[(r, c)] = Cell(v, "s")
            elif t is bool:
                out[(r, c)] = Cell(v, "b")
            elif t is int:
                out[(r, c)] = Cell(v, "n")
            elif t is date:  # a date-only format: a datetime at midnight, as openpyxl reads it
                out[(r, c)] = Cell(datetime(v.year, v.month, v.day), "d")
            else:  # datetime, time, timedelta
                out[(r, c)] = Cell(v, "d")


def read_notes(xml: bytes) -> list[tuple[str, str]]:
    """(cell, text) of each note in a comments part."""
    out = []
    root = ET.fromstring(xml)
    for el in root.iter():
        if local(el.tag) == "comment":
            text = "".join(t.text or "" for t in el.iter() if local(t.tag) == "t")
            out.append((el.get("ref") or "", text))
    return out
