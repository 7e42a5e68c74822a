"""An xlwings engine backed by an openpyxl workbook file, for tests on machines without Excel.

It implements xlwings' BSD engine interface (``xlwings/base_classes.py``) far enough for claimbook's
Excel entry points, so tests run the *real* ``xw.Book`` / ``Sheet`` / ``Range`` / ``Table`` code,
``xw.Book.caller()`` and ``set_mock_caller()`` against a workbook file. Nothing from ``xlwings.pro``.

It approximates what COM does on Windows (it does not replace a check in real Excel):

- numbers read as ``float``; date cells as ``datetime``; error cells (``#N/A``) as ``None`` (or the
  error text with ``err_to_str=True``); formula cells read as ``None`` (there is no calculation engine);
- writing ``None`` / ``""`` clears a cell; a string starting with ``=`` becomes a formula (recorded in
  ``engine.formula_writes``), as do ``+``/``-`` strings that are not numbers; a string that looks like a
  number is stored as a number (Excel parses text written through ``.Value`` as if typed); a leading
  apostrophe stores the rest as text, as in Excel;
- ``app.properties(...)`` works for ``screen_updating``, ``calculation``, ``status_bar``,
  ``display_alerts``, ``enable_events``, ``interactive``; every set is recorded in ``app.history``;
- ``app.alert`` records ``{prompt, title, buttons, mode}`` in ``engine.alerts`` and answers from
  ``engine.alert_answers`` (default ``"ok"``);
- like COM, it refuses what Excel refuses: ``Range.select()`` off the active sheet, ``alert`` buttons or
  modes the desktop engines do not know, ``Table.resize`` moving the header row; ``book.fullname`` of a
  web address goes through ``xlwings.utils.fullname_url_to_local_path`` (local path or XlwingsError);
  an empty table saved with ``insertRow="1"`` has no ``data_body_range`` and no rows, as in Excel;
- value chunking: the engine keeps xlwings' default cell budgets (like the Windows engine) unless
  ``engine.max_cells_per_write`` / ``engine.max_cells_per_read`` are changed (``None`` disables).

Every engine-level call that reads cell values (``raw_value``/``formula`` get) adds 1 to
``engine.reads``; every call that writes or clears cells (``raw_value``/``formula`` set,
``clear_contents``, ``clear``, a table row added) adds 1 to ``engine.writes``. ``engine.calls`` logs
``(kind, sheet, address, cells)`` for each. ``book.save()`` writes the file (``keep_vba`` for .xlsm).

``engine.excel_calls`` counts every call xlwings makes into the engine objects (App, Book, Sheet, Range,
Table, ...): each public method or property it uses, and ``len``/``iter``/``in``/``[]`` on a collection.
Setting a property counts too. On Windows each of those is at least one COM call into Excel (0.1-1 ms), so this is the number to keep
small; calls the engine makes to itself are not counted.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import sys

import openpyxl
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries
from xlwings import base_classes

MAX_ROWS = 1_048_576
MAX_COLS = 16_384

_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


class CellError(str):
    """An error cell's text (``#N/A``) as the raw read hands it to ``clean_value_data``."""


class SelectNotOnActiveSheet(Exception):
    """COM error 1004 of ``Range.Select`` on a sheet that is not active."""


class TableResizeError(Exception):
    """COM error of ``ListObject.Resize``: the header row must stay where it is."""


def _a1(row, col, row_abs=True, col_abs=True):
    return f"{'$' if col_abs else ''}{get_column_letter(col)}{'$' if row_abs else ''}{row}"


# --------------------------------------------------------------------------------------------- engine
class Engine:
    """The engine object xlwings sees as ``app.engine.impl``. Holds the counters tests assert on."""

    name = "openpyxl"
    type = "desktop"  # like COM: scalar writes are filled in one call

    def __init__(self):
        self._pids = itertools.count(40_000)
        self.max_cells_per_read = base_classes.DEFAULT_MAX_CELLS_PER_READ
        self.max_cells_per_write = base_classes.DEFAULT_MAX_CELLS_PER_WRITE
        self.coerce_numeric_text = True
        self.reset()

    def reset(self):
        self._apps: list[App] = []
        self.excel_calls = 0
        self.reads = 0
        self.writes = 0
        self.calls: list[tuple[str, str, str, int]] = []
        self.alerts: list[dict] = []
        self.alert_answers: list[str] = []  # popped front first; "ok" when empty
        self.formula_writes: list[tuple[str, str, str]] = []  # (sheet, address, text)

    def reset_counts(self):
        self.reads = 0
        self.writes = 0
        self.calls = []
        self.excel_calls = 0

    def _count(self, kind, rng, cells):
        if kind == "read":
            self.reads += 1
        else:
            self.writes += 1
        self.calls.append((kind, rng._ws.title, rng.address, cells))

    @property
    def apps(self):
        return Apps(self)

    # Conversion hooks used by xlwings' conversion stages (same signatures as the Windows engine).
    @staticmethod
    def prepare_xl_data_element(x, options=None):
        if x is None:
            return ""
        if isinstance(x, float) and x != x:  # NaN
            return ""
        return x

    @staticmethod
    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):
        out = []
        for row in data:
            new = []
            for v in row:
                if v is None or v == "":
                    new.append(empty_as)
                elif isinstance(v, CellError):
                    new.append(str(v) if err_to_str else None)
                elif isinstance(v, bool):
                    new.append(v)
                elif isinstance(v, dt.datetime):
                    new.append(
                        datetime_builder(
                            year=v.year, month=v.month, day=v.day, hour=v.hour, minute=v.minute,
                            second=v.second, microsecond=v.microsecond, tzinfo=None,
                        )
                    )
                elif isinstance(v, dt.date):
                    new.append(datetime_builder(year=v.year, month=v.month, day=v.day, hour=0, minute=0,
                                                second=0, microsecond=0, tzinfo=None))
                elif isinstance(v, (int, float)):
                    v = float(v)
                    new.append(number_builder(v) if number_builder is not None else v)
                else:
                    new.append(v)
            out.append(new)
        return out


ENGINE = Engine()


# ----------------------------------------------------------------------------------------------- apps
class Apps(base_classes.Apps):
    def __init__(self, engine):
        self.engine = engine

    def keys(self):
        return [a.pid for a in self.engine._apps]

    def add(self, spec=None, add_book=None, xl=None, visible=None):
        app = App(self.engine)
        self.engine._apps.insert(0, app)  # the new app becomes the active one
        if add_book:
            app.books.add()
        return app

    @staticmethod
    def cleanup():
        pass

    def __iter__(self):
        return iter(list(self.engine._apps))

    def __len__(self):
        return len(self.engine._apps)

    def __getitem__(self, pid):
        for a in self.engine._apps:
            if a.pid == pid:
                return a
        raise KeyError(pid)


class App(base_classes.App):
    def __init__(self, engine):
        self.engine = engine
        self._pid = next(engine._pids)
        self._books: list[Book] = []
        self._active_book: Book | None = None
        self.state = {
            "visible": False,
            "screen_updating": True,
            "display_alerts": True,
            "enable_events": True,
            "interactive": True,
            "calculation": "automatic",
            "status_bar": False,  # False: Excel controls the status bar
            "cut_copy_mode": None,
        }
        self.history: list[tuple[str, object]] = []  # every property set, in order

    def _set(self, key, value):
        self.history.append((key, value))
        self.state[key] = value

    @property
    def xl(self):
        return self

    api = xl

    @property
    def selection(self):
        book = self._active_book
        return book._selection_range() if book else None

    def activate(self, steal_focus=False):
        apps = self.engine._apps
        apps.remove(self)
        apps.insert(0, self)

    def quit(self):
        if self in self.engine._apps:
            self.engine._apps.remove(self)
        self._books.clear()

    def kill(self):
        self.quit()

    visible = property(lambda s: s.state["visible"], lambda s, v: s._set("visible", v))
    screen_updating = property(lambda s: s.state["screen_updating"], lambda s, v: s._set("screen_updating", v))
    display_alerts = property(lambda s: s.state["display_alerts"], lambda s, v: s._set("display_alerts", v))
    enable_events = property(lambda s: s.state["enable_events"], lambda s, v: s._set("enable_events", v))
    interactive = property(lambda s: s.state["interactive"], lambda s, v: s._set("interactive", v))
    status_bar = property(lambda s: s.state["status_bar"], lambda s, v: s._set("status_bar", v))
    cut_copy_mode = property(lambda s: s.state["cut_copy_mode"], lambda s, v: s._set("cut_copy_mode", v))

    @property
    def calculation(self):
        return self.state["calculation"]

    @calculation.setter
    def calculation(self, value):
        if value not in ("automatic", "manual", "semiautomatic"):
            raise ValueError(f"calculation must be automatic, manual or semiautomatic, not {value!r}")
        self._set("calculation", value)

    @property
    def startup_path(self):
        return ""

    def calculate(self):
        pass

    @property
    def version(self):
        return "16.0"

    @property
    def books(self):
        return Books(self)

    @property
    def hwnd(self):
        return self._pid

    @property
    def path(self):
        return ""

    @property
    def pid(self):
        return self._pid

    def run(self, macro, args):
        raise NotImplementedError("VBA macros do not run in the openpyxl test engine")

    def alert(self, prompt, title, buttons, mode, callback):
        # _xlwindows/_xlmac look both up in fixed dicts: anything else is a KeyError there.
        if buttons not in (None, "ok", "ok_cancel", "yes_no", "yes_no_cancel"):
            raise KeyError(buttons)
        if mode not in (None, "info", "critical"):
            raise KeyError(mode)
        self.engine.alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})
        return self.engine.alert_answers.pop(0) if self.engine.alert_answers else "ok"


# ---------------------------------------------------------------------------------------------- books
class Books(base_classes.Books):
    def __init__(self, app):
        self.app = app

    @property
    def api(self):
        return self.app._books

    @property
    def active(self):
        return self.app._active_book

    def __call__(self, name_or_index):
        books = self.app._books
        if isinstance(name_or_index, int):
            if not 1 <= name_or_index <= len(books):
                raise KeyError(name_or_index)
            return books[name_or_index - 1]
        for b in books:
            if b.name.lower() == str(name_or_index).lower():
                return b
        raise KeyError(name_or_index)

    def __len__(self):
        return len(self.app._books)

    def __iter__(self):
        return iter(list(self.app._books))

    def add(self):
        n = sum(1 for b in self.app._books if not b._path) + 1
        book = Book(self.app, openpyxl.Workbook(), None, f"Book{n}")
        self.app._books.append(book)
        self.app._active_book = book
        return book

    def open(self, fullname, *args, **kwargs):
        fullname = os.path.realpath(os.fspath(fullname))
        if not os.path.exists(fullname):
            raise FileNotFoundError(f"No such file: '{fullname}'")
        for b in self.app._books:
            if b._path == fullname:
                return b
        keep_vba = fullname.lower().endswith((".xlsm", ".xltm", ".xlam"))
        wb = openpyxl.load_workbook(fullname, keep_vba=keep_vba)
        book = Book(self.app, wb, fullname, os.path.basename(fullname))
        self.app._books.append(book)
        self.app._active_book = book
        return book


class Book(base_classes.Book):
    def __init__(self, app, wb, path, name):
        self._app = app
        self.wb = wb
        self._path = path
        self._name = name
        self.fullname_override: str | None = None  # e.g. an https:// OneDrive name
        self.selections: dict[str, str] = {}  # sheet title -> A1 address of the selection
        self.saved_to: list[str] = []

    @property
    def api(self):
        return self.wb

    def json(self):
        raise NotImplementedError()

    @property
    def name(self):
        return self._name

    @property
    def sheets(self):
        return Sheets(self)

    @property
    def app(self):
        return self._app

    def close(self):
        if self in self._app._books:
            self._app._books.remove(self)
        if self._app._active_book is self:
            self._app._active_book = self._app._books[0] if self._app._books else None

    def save(self, path=None, password=None):
        target = os.path.realpath(os.fspath(path)) if path else self._path
        if target is None:
            target = os.path.join(os.getcwd(), self._name + ".xlsx")
        self.wb.save(target)
        self.saved_to.append(target)
        if path:
            self._path, self._name = target, os.path.basename(target)

    @property
    def fullname(self):
        """As _xlwindows/_xlmac: a OneDrive/SharePoint web address is mapped to the local synced file by
        ``xlwings.utils.fullname_url_to_local_path`` (XlwingsError when it cannot be): xlwings never
        hands the URL itself to the caller."""
        name = self.fullname_override if self.fullname_override is not None else (self._path or self._name)
        if "://" in name:
            import xlwings
            from xlwings.utils import fullname_url_to_local_path, read_config_sheet

            config = read_config_sheet(xlwings.Book(impl=self))
            key = "WIN" if os.name == "nt" else "MAC"
            return fullname_url_to_local_path(
                url=name,
                sheet_onedrive_consumer_config=config.get(f"ONEDRIVE_CONSUMER_{key}"),
                sheet_onedrive_commercial_config=config.get(f"ONEDRIVE_COMMERCIAL_{key}"),
                sheet_sharepoint_config=config.get(f"SHAREPOINT_{key}"),
            )
        return name

    @property
    def names(self):
        return Names(self, None)

    def activate(self):
        self._app._active_book = self
        self._app.activate()

    def to_pdf(self, path, quality):
        raise NotImplementedError()

    # helpers
    def _selection_range(self):
        ws = self.wb.active
        addr = self.selections.get(ws.title, "A1")
        return Sheet(self, ws).range(addr)


# --------------------------------------------------------------------------------------------- sheets
class Sheets(base_classes.Sheets):
    def __init__(self, book):
        self.book = book

    @property
    def api(self):
        return self.book.wb.worksheets

    @property
    def active(self):
        return Sheet(self.book, self.book.wb.active)

    def __call__(self, name_or_index):
        wb = self.book.wb
        if isinstance(name_or_index, int):
            if not 1 <= name_or_index <= len(wb.worksheets):
                raise KeyError(name_or_index)
            return Sheet(self.book, wb.worksheets[name_or_index - 1])
        for ws in wb.worksheets:
            if ws.title.lower() == str(name_or_index).lower():
                return Sheet(self.book, ws)
        raise KeyError(name_or_index)

    def __contains__(self, name):
        return any(ws.title.lower() == str(name).lower() for ws in self.book.wb.worksheets)

    def __len__(self):
        return len(self.book.wb.worksheets)

    def __iter__(self):
        for ws in list(self.book.wb.worksheets):
            yield Sheet(self.book, ws)

    def add(self, before=None, after=None, name=None):
        wb = self.book.wb
        if before is not None:
            index = wb.worksheets.index(before.ws)
        elif after is not None:
            index = wb.worksheets.index(after.ws) + 1
        else:
            index = wb.worksheets.index(wb.active)
        ws = wb.create_sheet(title=name, index=index)
        wb.active = ws
        return Sheet(self.book, ws)


class Sheet(base_classes.Sheet):
    def __init__(self, book, ws):
        self._book = book
        self.ws = ws

    @property
    def api(self):
        return self.ws

    @property
    def name(self):
        return self.ws.title

    @name.setter
    def name(self, value):
        self.ws.title = value

    @property
    def names(self):
        return Names(self._book, self)

    @property
    def book(self):
        return self._book

    @property
    def index(self):
        return self._book.wb.worksheets.index(self.ws) + 1

    def range(self, arg1, arg2=None):
        box1 = self._box(arg1)
        if isinstance(arg1, tuple) and len(arg1) == 4:
            return Range(self, *box1)
        if arg2 is None:
            return Range(self, *box1)
        box2 = self._box(arg2)
        r1 = min(box1[0], box2[0])
        c1 = min(box1[1], box2[1])
        r2 = max(box1[0] + box1[2] - 1, box2[0] + box2[2] - 1)
        c2 = max(box1[1] + box1[3] - 1, box2[1] + box2[3] - 1)
        return Range(self, r1, c1, r2 - r1 + 1, c2 - c1 + 1)

    def _box(self, arg):
        """(row, col, nrows, ncols) for an argument of Sheet.range."""
        if isinstance(arg, Range):
            return arg.row, arg.column, arg._nrows, arg._ncols
        if isinstance(arg, tuple):
            if len(arg) == 4:
                return arg
            if 0 in arg:
                raise IndexError("Attempted to access 0-based Range. xlwings/Excel Ranges are 1-based.")
            return arg[0], arg[1], 1, 1
        if isinstance(arg, str):
            text = arg.replace("$", "").strip()
            if "!" in text:
                sheet_part, text = text.rsplit("!", 1)
                if sheet_part.strip("'") != self.ws.title:
                    raise ValueError(f"{arg!r} is not on sheet {self.ws.title!r}")
            target = self._book_names_lookup(text)
            if target is not None:
                return target
            if re.fullmatch(r"[A-Za-z]{1,3}:[A-Za-z]{1,3}", text):
                a, b = text.split(":")
                c1, c2 = sorted((column_index_from_string(a), column_index_from_string(b)))
                return 1, c1, MAX_ROWS, c2 - c1 + 1
            if re.fullmatch(r"\d+:\d+", text):
                a, b = sorted(int(x) for x in text.split(":"))
                return a, 1, b - a + 1, MAX_COLS
            c1, r1, c2, r2 = range_boundaries(text)
            return r1, c1, r2 - r1 + 1, c2 - c1 + 1
        raise ValueError(f"Invalid range argument {arg!r}")

    def _book_names_lookup(self, text):
        if re.fullmatch(r"[A-Za-z]{1,3}\d+(:[A-Za-z]{1,3}\d+)?", text):
            return None
        try:
            name = Names(self._book, None)(text)
        except KeyError:
            return None
        rng = name.refers_to_range
        if rng._sheet.ws is not self.ws:
            raise ValueError(f"The name {text!r} is on another sheet")
        return rng.row, rng.column, rng._nrows, rng._ncols

    @property
    def cells(self):
        return Range(self, 1, 1, MAX_ROWS, MAX_COLS)

    def activate(self):
        self._book.wb.active = self.ws
        self._book.activate()

    def select(self):
        self.activate()

    def clear_contents(self):
        self.used_range.clear_contents()

    def clear(self):
        self.used_range.clear()

    def clear_formats(self):
        pass

    def autofit(self, axis=None):
        pass

    def delete(self):
        self._book.wb.remove(self.ws)

    @property
    def tables(self):
        return Tables(self)

    @property
    def used_range(self):
        ws = self.ws
        return Range(self, ws.min_row, ws.min_column, ws.max_row - ws.min_row + 1, ws.max_column - ws.min_column + 1)

    @property
    def visible(self):
        return self.ws.sheet_state == "visible"

    @visible.setter
    def visible(self, value):
        self.ws.sheet_state = "visible" if value else "hidden"


# ---------------------------------------------------------------------------------------------- range
class Range(base_classes.Range):
    def __init__(self, sheet, row, col, nrows, ncols):
        self._sheet = sheet
        self._ws = sheet.ws
        self._row, self._col, self._nrows, self._ncols = row, col, nrows, ncols
        self.options = {}

    @property
    def _engine(self):
        return self._sheet._book._app.engine

    @property
    def coords(self):
        return self._ws, self._row, self._col, self._nrows, self._ncols

    @property
    def api(self):
        return self if (self._nrows and self._ncols) else None

    @property
    def max_cells_per_read(self):
        return self._engine.max_cells_per_read

    @property
    def max_cells_per_write(self):
        return self._engine.max_cells_per_write

    @property
    def sheet(self):
        return self._sheet

    def __len__(self):
        return self._nrows * self._ncols

    @property
    def row(self):
        return self._row

    @property
    def column(self):
        return self._col

    @property
    def shape(self):
        return self._nrows, self._ncols

    @property
    def note(self):
        """The top-left cell's note (an openpyxl comment), or None."""
        comment = self._ws.cell(self._row, self._col).comment
        return _Note(self._ws.cell(self._row, self._col)) if comment is not None else None

    def add_note(self, text):
        from openpyxl.comments import Comment

        self._engine._count("write", self, 1)
        self._ws.cell(self._row, self._col).comment = Comment(text, "claimbook")
        return _Note(self._ws.cell(self._row, self._col))

    def _cells(self):
        ws = self._ws
        for r in range(self._row, self._row + self._nrows):
            yield [ws.cell(r, c) for c in range(self._col, self._col + self._ncols)]

    def _bounded_rows(self):
        """Rows of cells, but only inside the sheet's used area (whole-column reads stay cheap)."""
        ws = self._ws
        last_row = min(self._row + self._nrows - 1, max(ws.max_row, self._row))
        last_col = min(self._col + self._ncols - 1, max(ws.max_column, self._col))
        return last_row, last_col

    @staticmethod
    def _read_cell(cell):
        if cell.data_type == "f":
            return None  # no calculation engine: a formula's result is unknown here
        if cell.data_type == "e":
            return CellError(cell.value)
        return cell.value

    @property
    def raw_value(self):
        if not self.api:
            return None
        self._engine._count("read", self, len(self))
        if self._nrows == 1 and self._ncols == 1:
            return self._read_cell(self._ws.cell(self._row, self._col))
        last_row, last_col = self._bounded_rows()
        out = []
        ws = self._ws
        for r in range(self._row, self._row + self._nrows):
            if r > last_row:
                out.append([None] * self._ncols)
                continue
            row = [self._read_cell(ws.cell(r, c)) for c in range(self._col, last_col + 1)]
            row.extend([None] * (self._ncols - len(row)))
            out.append(row)
        return out

    @raw_value.setter
    def raw_value(self, data):
        if not self.api:
            return
        self._engine._count("write", self, len(self))
        if not isinstance(data, (list, tuple)):
            data = [[data] * self._ncols for _ in range(self._nrows)]  # Excel fills a scalar
        elif data and not isinstance(data[0], (list, tuple)):
            data = [list(data)]
        for r_off, row in enumerate(data[: self._nrows]):
            for c_off, value in enumerate(row[: self._ncols]):
                self._write_cell(self._ws.cell(self._row + r_off, self._col + c_off), value)
        self._fill_insert_rows()

    def _fill_insert_rows(self):
        """A value written into an empty table's insert row makes it the table's first row, as in Excel."""
        for t in self._ws.tables.values():
            if not t.insertRow:
                continue
            c1, r1, c2, r2 = range_boundaries(t.ref)
            row = r1 + (0 if t.headerRowCount == 0 else 1)
            if (self._row <= row < self._row + self._nrows and self._col <= c2 and c1 < self._col + self._ncols
                    and any(self._ws.cell(row, c).value is not None for c in range(c1, c2 + 1))):
                t.insertRow = None

    def _write_cell(self, cell, value):
        """Store one value the way Excel treats a value written through Range.Value."""
        cell.quotePrefix = False
        if value is None or value == "":
            cell.value = None
            return
        if isinstance(value, str):
            if value.startswith("'"):
                cell.value = value[1:]
                cell.data_type = "s"
                cell.quotePrefix = True
                return
            if self._engine.coerce_numeric_text and _NUMBER.match(value):
                cell.value = float(value)
                return
            if value.startswith("=") and len(value) > 1 or value.startswith(("+", "-")) and len(value) > 1:
                text = value if value.startswith("=") else "=" + value
                cell.value = text
                cell.data_type = "f"
                self._engine.formula_writes.append((self._ws.title, cell.coordinate, value))
                return
            cell.value = value
            cell.data_type = "s"  # never let openpyxl guess (e.g. "#N/A" stays text here)
            return
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        cell.value = value

    def clear_contents(self):
        if not self.api:
            return
        self._engine._count("write", self, len(self))
        last_row, last_col = self._bounded_rows()
        for r in range(self._row, last_row + 1):
            for c in range(self._col, last_col + 1):
                cell = self._ws.cell(r, c)
                cell.value = None
                cell.quotePrefix = False

    def clear(self):
        self.clear_contents()

    def clear_formats(self):
        pass

    @property
    def formula(self):
        if not self.api:
            return None
        self._engine._count("read", self, len(self))

        def f(cell):
            if cell.value is None:
                return ""
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                return str(cell.value)
            return str(cell.value)

        rows = [[f(c) for c in row] for row in self._cells()]
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    @formula.setter
    def formula(self, value):
        self.raw_value = value

    formula2 = formula

    @property
    def has_array(self):
        return False

    @property
    def number_format(self):
        formats = {c.number_format for row in self._cells() for c in row}
        return formats.pop() if len(formats) == 1 else None

    @number_format.setter
    def number_format(self, value):
        for row in self._cells():
            for c in row:
                c.number_format = value

    def get_address(self, row_absolute, col_absolute, external):
        first = _a1(self._row, self._col, row_absolute, col_absolute)
        if self._nrows == 1 and self._ncols == 1:
            addr = first
        else:
            addr = first + ":" + _a1(self._row + self._nrows - 1, self._col + self._ncols - 1, row_absolute, col_absolute)
        if external:
            return f"[{self._sheet._book.name}]{self._ws.title}!{addr}"
        return addr

    @property
    def address(self):
        return self.get_address(True, True, False)

    def __call__(self, *args):
        if len(args) == 1:
            k = args[0] - 1
            r, c = divmod(k, self._ncols)
            return Range(self._sheet, self._row + r, self._col + c, 1, 1)
        if len(args) == 2:
            return Range(self._sheet, self._row + args[0] - 1, self._col + args[1] - 1, 1, 1)
        raise ValueError("Invalid arguments")

    def end(self, direction):
        ws = self._ws
        r, c = self._row, self._col
        dr, dc = {"down": (1, 0), "up": (-1, 0), "right": (0, 1), "left": (0, -1),
                  "d": (1, 0), "u": (-1, 0), "r": (0, 1), "l": (0, -1)}[direction.lower()]

        def filled(rr, cc):
            return 1 <= rr <= MAX_ROWS and 1 <= cc <= MAX_COLS and ws.cell(rr, cc).value not in (None, "")

        limit_r, limit_c = max(ws.max_row, r) + 1, max(ws.max_column, c) + 1
        if filled(r, c) and filled(r + dr, c + dc):
            while filled(r + dr, c + dc):
                r, c = r + dr, c + dc
        else:
            r, c = r + dr, c + dc
            while 1 <= r <= limit_r and 1 <= c <= limit_c and not filled(r, c):
                r, c = r + dr, c + dc
            if not (1 <= r <= limit_r and 1 <= c <= limit_c):
                r = min(max(r, 1), MAX_ROWS if dr > 0 else r)
                c = min(max(c, 1), MAX_COLS if dc > 0 else c)
                r = MAX_ROWS if dr > 0 else (1 if dr < 0 else self._row)
                c = MAX_COLS if dc > 0 else (1 if dc < 0 else self._col)
        return Range(self._sheet, r, c, 1, 1)

    def select(self):
        """Like COM's Range.Select: only on the active sheet of the active workbook (else Excel raises
        "Select method of Range class failed"); it does not switch sheets for you."""
        book = self._sheet._book
        if book._app._active_book is not book or book.wb.active is not self._ws:
            raise SelectNotOnActiveSheet(
                f"Select method of Range class failed: {self._ws.title!r} is not the active sheet "
                "(activate the sheet first)")
        book.selections[self._ws.title] = self.address.replace("$", "")

    @property
    def table(self):
        for t in Tables(self._sheet):
            r = t.range
            if r.row <= self._row < r.row + r._nrows and r.column <= self._col < r.column + r._ncols:
                return t
        return None

    @property
    def name(self):
        return None

    def autofit(self, axis=None):
        pass

    @property
    def column_width(self):
        return None

    @column_width.setter
    def column_width(self, value):
        pass

    @property
    def rows(self):
        return Range(self._sheet, self._row, self._col, self._nrows, self._ncols)

    @property
    def columns(self):
        return Range(self._sheet, self._row, self._col, self._nrows, self._ncols)

    @property
    def current_region(self):
        return self.expand("table")

    @property
    def merge_cells(self):
        return False


# --------------------------------------------------------------------------------------------- tables
class _Note:
    """A cell note (openpyxl comment), as xlwings' Note impl."""

    def __init__(self, cell):
        self.cell = cell

    @property
    def api(self):
        return self.cell.comment

    @property
    def text(self):
        return self.cell.comment.text

    @text.setter
    def text(self, value):
        self.cell.comment.text = value

    def delete(self):
        self.cell.comment = None


class Tables(base_classes.Tables):
    def __init__(self, sheet):
        self.sheet = sheet

    @property
    def api(self):
        return self.sheet.ws.tables

    @property
    def parent(self):
        return self.sheet

    def _all(self):
        return list(self.sheet.ws.tables.values())

    def __call__(self, key):
        tables = self._all()
        if isinstance(key, int):
            if not 1 <= key <= len(tables):
                raise KeyError(key)
            return Table(self.sheet, tables[key - 1])
        for t in tables:
            if t.displayName.lower() == str(key).lower():
                return Table(self.sheet, t)
        raise KeyError(key)

    def __len__(self):
        return len(self._all())

    def __iter__(self):
        for t in self._all():
            yield Table(self.sheet, t)

    def __contains__(self, key):
        return any(t.displayName.lower() == str(key).lower() for t in self._all())


class Table(base_classes.Table):
    def __init__(self, sheet, xl):
        self.sheet = sheet
        self.xl = xl

    @property
    def api(self):
        return self.xl

    @property
    def name(self):
        return self.xl.displayName

    display_name = name

    @property
    def parent(self):
        return self.sheet

    def _bounds(self):
        c1, r1, c2, r2 = range_boundaries(self.xl.ref)
        return r1, c1, r2, c2

    @property
    def _header_rows(self):
        return 1 if (self.xl.headerRowCount is None or self.xl.headerRowCount) else 0

    @property
    def _totals_rows(self):
        return self.xl.totalsRowCount or 0

    @property
    def range(self):
        r1, c1, r2, c2 = self._bounds()
        return Range(self.sheet, r1, c1, r2 - r1 + 1, c2 - c1 + 1)

    @property
    def header_row_range(self):
        if not self._header_rows:
            return None
        r1, c1, r2, c2 = self._bounds()
        return Range(self.sheet, r1, c1, 1, c2 - c1 + 1)

    @property
    def _empty(self):
        """Excel's empty table (no ListRows): one blank "insert row" under the header, ``insertRow="1"``
        in the file. DataBodyRange is then Nothing and InsertRowRange is that row."""
        return bool(self.xl.insertRow)

    @property
    def data_body_range(self):
        r1, c1, r2, c2 = self._bounds()
        top = r1 + self._header_rows
        bottom = r2 - self._totals_rows
        if bottom < top or self._empty:
            return None
        return Range(self.sheet, top, c1, bottom - top + 1, c2 - c1 + 1)

    @property
    def insert_row_range(self):
        if not self._empty:
            return None
        r1, c1, r2, c2 = self._bounds()
        return Range(self.sheet, r1 + self._header_rows, c1, 1, c2 - c1 + 1)

    @property
    def totals_row_range(self):
        if not self._totals_rows:
            return None
        r1, c1, r2, c2 = self._bounds()
        return Range(self.sheet, r2, c1, 1, c2 - c1 + 1)

    @property
    def show_headers(self):
        return bool(self._header_rows)

    @property
    def show_totals(self):
        return bool(self._totals_rows)

    _SUBTOTAL = {"sum": 109, "average": 101, "count": 103, "countNums": 102, "max": 104, "min": 105,
                 "stdDev": 107, "var": 110}

    @show_totals.setter
    def show_totals(self, value):
        """ListObject.ShowTotals. Off: the totals row is emptied and leaves the table. On: a row below the
        data becomes the totals row, filled from what the table remembers per column (label, SUBTOTAL
        function or custom formula), as Excel does; it takes in what is there (claimbook checks first)."""
        r1, c1, r2, c2 = self._bounds()
        ws = self.sheet.ws
        if bool(value) == self.show_totals:
            return
        if not value:
            for c in range(c1, c2 + 1):
                if (r2, c) in ws._cells:
                    ws._cells[(r2, c)].value = None
            self.xl.totalsRowCount = None
            self.xl.ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2 - 1}"
        else:
            row = r2 + 1
            name = self.xl.displayName
            for i, col in enumerate(self.xl.tableColumns):
                cell = ws.cell(row, c1 + i)
                if col.totalsRowLabel:
                    cell.value = col.totalsRowLabel
                elif col.totalsRowFunction == "custom" and col.totalsRowFormula is not None:
                    cell.value = "=" + str(getattr(col.totalsRowFormula, "attr_text", col.totalsRowFormula))
                elif col.totalsRowFunction in self._SUBTOTAL:
                    cell.value = f"=SUBTOTAL({self._SUBTOTAL[col.totalsRowFunction]},{name}[{col.name}])"
            self.xl.totalsRowCount = 1
            self.xl.ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{row}"
        self.sheet._book._app.engine._count("write", self.range, len(self.range))
        if self.xl.autoFilter is not None:
            self.xl.autoFilter.ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2 if value else r2 - 1}"

    @property
    def columns(self):
        return TableColumns(self)

    @property
    def rows(self):
        return TableRows(self)

    def resize(self, range):
        """ListObject.Resize: the header row must stay in the same row and the new range must overlap the
        table (Excel raises otherwise); the table does not move cells, it takes in what is there."""
        range = getattr(range, "impl", range)  # main.Table.resize hands over the xlwings Range
        r1, c1, r2, c2 = self._bounds()
        if range._sheet.ws is not self.sheet.ws:
            raise TableResizeError("A table can only be resized on its own sheet")
        if self._header_rows and range.row != r1:
            raise TableResizeError(f"The header row must stay in row {r1} (got row {range.row})")
        if (range.column > c2 or range.column + range._ncols - 1 < c1
                or range.row + range._nrows - 1 <= r1 - 1 + self._header_rows):
            raise TableResizeError("The new range must overlap the table and keep at least one row")
        self.xl.ref = range.address.replace("$", "")
        self.xl.insertRow = None  # the rows it now spans are table rows
        if self.xl.autoFilter is not None:
            self.xl.autoFilter.ref = self.xl.ref


class TableRow(base_classes.TableRow):
    def __init__(self, table, index):
        self.table = table
        self._index = index

    @property
    def index(self):
        return self._index

    @property
    def range(self):
        body = self.table.data_body_range
        return Range(self.table.sheet, body.row + self._index - 1, body.column, 1, body._ncols)


class TableRows(base_classes.TableRows):
    def __init__(self, table):
        self.table = table

    @property
    def parent(self):
        return self.table

    @property
    def column_count(self):
        r1, c1, r2, c2 = self.table._bounds()
        return c2 - c1 + 1

    def __len__(self):
        body = self.table.data_body_range
        return body._nrows if body else 0  # an empty table (insert row only) has no ListRows

    def __call__(self, key):
        if not 1 <= key <= len(self):
            raise KeyError(key)
        return TableRow(self.table, key)

    def __iter__(self):
        for i in range(1, len(self) + 1):
            yield TableRow(self.table, i)

    def add(self, values, index):
        """Append (or insert before ``index``) one row, shifting cells below the table down."""
        table = self.table
        ws = table.sheet.ws
        r1, c1, r2, c2 = table._bounds()
        if table._empty:  # ListRows.Add on an empty table turns the insert row into the first row
            table.xl.insertRow = None
            row = TableRow(table, 1)
            rng = row.range
            table.sheet._book._app.engine._count("write", rng, len(rng))
            for c_off in range(c2 - c1 + 1):
                rng._write_cell(ws.cell(rng.row, c1 + c_off), None if values is None else values[c_off])
            return row
        n = len(self)
        position = n + 1 if index is None else index
        body_top = r1 + table._header_rows
        new_row = body_top + position - 1
        below = r2 + 1
        # Excel shifts the cells below the table (within the table's columns) down by one row.
        if any(ws.cell(r, c).value is not None for r in range(below, ws.max_row + 1) for c in range(c1, c2 + 1)) or position <= n:
            ws.move_range(f"{get_column_letter(c1)}{new_row}:{get_column_letter(c2)}{max(ws.max_row, new_row)}", rows=1)
        table.xl.ref = f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2 + 1}"
        if table.xl.autoFilter is not None:
            table.xl.autoFilter.ref = table.xl.ref
        row = TableRow(table, position)
        rng = row.range
        table.sheet._book._app.engine._count("write", rng, len(rng))
        for c_off in range(c2 - c1 + 1):
            rng._write_cell(ws.cell(new_row, c1 + c_off), None if values is None else values[c_off])
        return row


class TableColumn(base_classes.TableColumn):
    def __init__(self, table, index):
        self.table = table
        self._index = index

    @property
    def name(self):
        return self.table.xl.tableColumns[self._index - 1].name

    @property
    def index(self):
        return self._index

    @property
    def range(self):
        r = self.table.range
        return Range(self.table.sheet, r.row, r.column + self._index - 1, r._nrows, 1)

    @property
    def data_body_range(self):
        body = self.table.data_body_range
        if body is None:
            return None
        return Range(self.table.sheet, body.row, body.column + self._index - 1, body._nrows, 1)


class TableColumns(base_classes.TableColumns):
    def __init__(self, table):
        self.table = table

    def __len__(self):
        return len(self.table.xl.tableColumns)

    def __call__(self, key):
        if isinstance(key, int):
            if not 1 <= key <= len(self):
                raise KeyError(key)
            return TableColumn(self.table, key)
        for i, col in enumerate(self.table.xl.tableColumns, start=1):
            if col.name.lower() == str(key).lower():
                return TableColumn(self.table, i)
        raise KeyError(key)

    def __iter__(self):
        for i in range(1, len(self) + 1):
            yield TableColumn(self.table, i)

    def __contains__(self, key):
        return any(c.name.lower() == str(key).lower() for c in self.table.xl.tableColumns)


# ---------------------------------------------------------------------------------------------- names
class Names(base_classes.Names):
    def __init__(self, book, sheet):
        self.book = book
        self.sheet = sheet  # None: workbook scope

    def _dict(self):
        if self.sheet is None:
            return self.book.wb.defined_names
        return self.sheet.ws.defined_names

    @property
    def api(self):
        return self._dict()

    def __call__(self, name_or_index):
        d = self._dict()
        if isinstance(name_or_index, int):
            keys = list(d.keys())
            if not 1 <= name_or_index <= len(keys):
                raise KeyError(name_or_index)
            return Name(self.book, d[keys[name_or_index - 1]])
        for key, dn in d.items():
            if key.lower() == str(name_or_index).lower():
                return Name(self.book, dn)
        raise KeyError(name_or_index)

    def snapshot(self):
        return [(key, Name(self.book, dn)) for key, dn in self._dict().items()]

    def contains(self, name_or_index):
        try:
            self(name_or_index)
        except KeyError:
            return False
        return True

    def __len__(self):
        return len(self._dict())

    def add(self, name, refers_to):
        from openpyxl.workbook.defined_name import DefinedName

        dn = DefinedName(name, attr_text=refers_to.lstrip("="))
        self._dict()[name] = dn
        return Name(self.book, dn)


class Name(base_classes.Name):
    def __init__(self, book, dn):
        self.book = book
        self.dn = dn

    @property
    def api(self):
        return self.dn

    @property
    def name(self):
        return self.dn.name

    @property
    def refers_to(self):
        return "=" + self.dn.attr_text

    @property
    def refers_to_range(self):
        for title, ref in self.dn.destinations:
            sheet = Sheets(self.book)(title)
            c1, r1, c2, r2 = range_boundaries(ref.replace("$", ""))
            return Range(sheet, r1, c1, r2 - r1 + 1, c2 - c1 + 1)
        raise ValueError(f"The name {self.dn.name} does not refer to a range")

    def delete(self):
        self.book.wb.defined_names.pop(self.dn.name, None)


# ------------------------------------------------------------------------------- counting Excel calls
_SPECIAL = ("__call__", "__len__", "__iter__", "__contains__", "__getitem__")


def _outside(frame) -> bool:
    return frame.f_globals.get("__name__") != __name__


def _count_calls(cls) -> None:
    """Make every use of ``cls`` from outside this module add 1 to ``ENGINE.excel_calls``."""

    def __getattribute__(self, name):
        if name[0] != "_" and _outside(sys._getframe(1)):
            ENGINE.excel_calls += 1
        return object.__getattribute__(self, name)

    def __setattr__(self, name, value):
        # ``options``: xlwings keeps a Range's options on its engine object (plain Python, not a call into Excel)
        if name[0] != "_" and name != "options" and _outside(sys._getframe(1)):
            ENGINE.excel_calls += 1
        object.__setattr__(self, name, value)

    cls.__getattribute__ = __getattribute__
    cls.__setattr__ = __setattr__
    for special in _SPECIAL:
        method = cls.__dict__.get(special)
        if method is None:
            continue

        def counted(self, *args, _method=method, **kwargs):
            if _outside(sys._getframe(1)):
                ENGINE.excel_calls += 1
            return _method(self, *args, **kwargs)

        setattr(cls, special, counted)


for _cls in (Apps, App, Books, Book, Sheets, Sheet, Range, _Note, Tables, Table, TableRow, TableRows, TableColumn,
             TableColumns, Names, Name):
    _count_calls(_cls)
