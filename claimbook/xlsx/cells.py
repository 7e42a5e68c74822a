"""Reading a worksheet's cells from its XML, streamed, as openpyxl would read them.

A sheet is read only when its cells are asked for, and into small cell objects (``Cell``: the value, the
data type and the style index), so reading the Claims sheet of 10,000 claims costs a fraction of a
second and a fraction of openpyxl's memory. ``Book`` and ``SheetCells`` offer the few things of an
openpyxl workbook that ``claimbook.workbook.places`` reads (``worksheets``, ``sheetnames``, ``title``,
``_cells``, ``tables``), so the stream edge finds and reads its blocks with the same code as the
openpyxl edge and gets the same values: numbers as int or float as written, dates by the cell's number
format (1900 or 1904 calendar), shared and inline strings as plain text, a formula as its text ("=...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from claimbook.xlsx.parts import local, NS_MAIN, Package, TablePart
from claimbook.xlsx.styles import StyleBook

_REF = re.compile(r"([A-Z]{1,3})(\d+)")


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
    """One cell as read: ``_value`` and ``data_type`` as openpyxl would have them, and its style index."""

    __slots__ = ("_value", "data_type", "s", "comment")

    def __init__(self, value, data_type: str, s: int):
        self._value = value
        self.data_type = data_type
        self.s = s
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
        self.col_styles: dict[int, int] = {}
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
        read_cells(pkg.open(self.part), self.book.strings, self.book.styles, self.book.epoch1904,
                   self._cell_store, self.col_styles, self._merged.ranges)
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
        self._strings: list[str] | None = None
        book = ET.fromstring(pkg.read(pkg.workbook_part))
        pr = book.find(f"{{{NS_MAIN}}}workbookPr")
        self.epoch1904 = pr is not None and (pr.get("date1904") or "").lower() in ("1", "true")
        self.worksheets = [SheetCells(self, s.name, s.part) for s in pkg.sheets()
                           if s.kind == "worksheet" and s.part in pkg.names]

    @property
    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = self.pkg.shared_strings()
        return self._strings

    @property
    def sheetnames(self) -> list[str]:
        return [ws.title for ws in self.worksheets]

    def __contains__(self, name: str) -> bool:
        return name in self.sheetnames

    def add_sheet(self, name: str, part: str) -> SheetCells:
        """A new, empty worksheet (its part is written by the caller)."""
        ws = SheetCells.__new__(SheetCells)
        ws.book, ws.title, ws.part, ws.tables = self, name, part, {}
        ws._read, ws._cell_store, ws.col_styles, ws._merged = True, {}, {}, Merged()
        self.worksheets.append(ws)
        return ws

    def __getitem__(self, name: str) -> SheetCells:
        for ws in self.worksheets:
            if ws.title == name:
                return ws
        raise KeyError(name)


def read_cells(stream, strings: list[str], styles: StyleBook, epoch1904: bool, out: dict, col_styles: dict,
               merged: list) -> None:
    """Fill ``out`` with the cells of a worksheet XML stream ((row, column) -> ``Cell``)."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

    epoch = CALENDAR_MAC_1904 if epoch1904 else CALENDAR_WINDOWS_1900
    dates, durations = styles.date_styles(), styles.duration_styles()
    shared: dict[str, tuple[str, str]] = {}  # shared formula id -> (master cell, formula)
    row = 0
    col = 0
    for _event, el in ET.iterparse(stream, events=("end",)):
        tag = el.tag
        name = tag[tag.rfind("}") + 1:]
        if name == "c":
            ref = el.get("r")
            if ref:
                m = _REF.match(ref)
                col = column_index(m.group(1))
                row = int(m.group(2))
            else:
                col += 1
            t = el.get("t") or "n"
            s = int(el.get("s") or 0)
            v = f = None
            text_el = None
            for child in el:
                cname = local(child.tag)
                if cname == "v":
                    v = child.text
                elif cname == "f":
                    f = child
                elif cname == "is":
                    text_el = child
            if f is not None:
                value = _formula(f, ref or "", shared)
                out[(row, col)] = Cell(value, "f", s)
                continue
            if t == "n":
                if v is None:
                    value, dt = None, "n"
                else:
                    value, dt = (float(v) if ("." in v or "E" in v or "e" in v) else int(v)), "n"
                    if s in dates:
                        try:
                            value, dt = from_excel(value, epoch, timedelta=s in durations), "d"
                        except (ValueError, OverflowError):
                            pass  # a number formatted as a date that is none: kept as the number
            elif t == "s":
                value, dt = (strings[int(v)] if v is not None and int(v) < len(strings) else None), "s"
            elif t == "inlineStr":
                value = "".join(x.text or "" for x in text_el.iter() if local(x.tag) == "t") if text_el is not None else None
                dt = "s"
            elif t == "str":
                value, dt = v, "s"
            elif t == "b":
                value, dt = (bool(int(v)) if v is not None else None), "b"
            elif t == "e":
                value, dt = v, "e"
            elif t == "d":
                value, dt = (from_ISO8601(v) if v else None), "d"
            else:
                value, dt = v, "n"
            out[(row, col)] = Cell(value, dt, s)
        elif name == "row":
            r = el.get("r")
            row = int(r) if r else row + 1
            col = 0
            el.clear()
        elif name == "col":
            if el.get("style"):
                for c in range(int(el.get("min") or 1), int(el.get("max") or el.get("min") or 1) + 1):
                    col_styles[c] = int(el.get("style"))
        elif name == "mergeCell":
            ref = el.get("ref") or ""
            if ":" in ref:
                a, b = ref.split(":", 1)
                (r1, c1), (r2, c2) = split_ref(a), split_ref(b)
                merged.append(Range(r1, c1, r2, c2, ref))
        elif name == "sheetData":
            el.clear()


def _formula(f, ref: str, shared: dict) -> object:
    """What openpyxl reads for a formula cell: "=" + its text; a shared formula's other cells translated."""
    kind = f.get("t")
    text = f.text
    if kind == "shared":
        si = f.get("si") or ""
        if text:
            shared[si] = (ref, text)
        elif si in shared and ref:
            from openpyxl.formula.translate import Translator

            master, formula = shared[si]
            try:
                return Translator("=" + formula, master).translate_formula(ref)
            except Exception:  # noqa: BLE001 - a formula openpyxl cannot translate reads as it is
                return "=" + formula
    if kind == "array":
        from openpyxl.worksheet.formula import ArrayFormula

        return ArrayFormula(f.get("ref") or ref, "=" + (text or ""))
    if kind == "dataTable":
        return "=(formula)"
    return "=" + (text or "") if text is not None else "="


def read_notes(xml: bytes) -> list[tuple[str, str]]:
    """(cell, text) of each note in a comments part."""
    out = []
    root = ET.fromstring(xml)
    for el in root.iter():
        if local(el.tag) == "comment":
            text = "".join(t.text or "" for t in el.iter() if local(t.tag) == "t")
            out.append((el.get("ref") or "", text))
    return out
