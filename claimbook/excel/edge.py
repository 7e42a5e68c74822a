"""The live edge: the workbook open in Excel, through xlwings (the ribbon buttons' edge).

It implements ``claimbook.app.edge.Edge``. Every call into Excel costs 0.1-1 ms on Windows, so the
edge keeps their number small and independent of the number of claims:

- whole blocks only: one read per block (a table's header, its body, the Settings rows), one write per
  run of adjacent computed columns and one per ``SheetBlock``, one number-format call per run of
  columns sharing a format;
- each sheet and table is looked up once per run and kept; ranges are made from row and column numbers
  (``sheet.range((r1, c1), (r2, c2))``), never by slicing or resizing a range or comparing xlwings
  objects (each comparison walks ``.sheet.book.app`` and costs a dozen calls);
- values are written with ``put``: the engine's own cell preparation (``prepare_xl_data_element``, the
  step xlwings' ``.value`` runs: dates to Excel dates, None to empty) and ``Range.raw_value`` on a range
  of exactly the values' shape, in xlwings' row chunks (``max_cells_per_write``). Writing through
  ``.value`` would resize the range twice per write, and each resize compares two sheets.

Text written to cells is guarded so Excel never turns a note, a name or an ID into a formula, a number
or a date (``cell``). ``wrote`` says whether anything has been written yet (for an honest error message).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from claimbook import sheets, table
from claimbook.app.context import local_workbook
from claimbook.blocks import Block
from claimbook.errors import TrackerError

READ = dict(ndim=2, dates=dt.date, empty=None)


class LiveEdge:
    def __init__(self, book, app=None):
        self.book = book
        self._app = app
        self._prepare = None  # the engine's cell preparation, looked up at the first write
        self._budget = ...  # the engine's cells per write (None: no limit), asked at the first write
        self.wrote = False
        self._sheets: dict[str, object] = {}
        self._tables: dict[tuple[str, str], object] = {}
        self._settings: list[list] | None = None
        self._claims: Block | None = None
        self._claims_at: tuple[object, int, int] | None = None  # (sheet, header row, first column)

    @property
    def app(self):
        """The Excel application (looked up once per run)."""
        if self._app is None:
            self._app = self.book.app
        return self._app

    # ---------------------------------------------------------------------------------- locations
    def location(self) -> Path | None:
        try:
            name = self.book.fullname
        except Exception:  # noqa: BLE001 - xlwings may fail to map a OneDrive URL to a local path
            return None
        return local_workbook(name)

    def sheet(self, name: str, required: bool = True):
        """The sheet (looked up once per run); None when missing and not ``required``."""
        if name not in self._sheets:
            try:
                self._sheets[name] = self.book.sheets[name]
            except Exception as err:  # noqa: BLE001 - xlwings raises the engine's own error for a missing sheet
                if required:
                    raise TrackerError(f'This workbook has no "{name}" sheet. Is it a claimbook tracker?') from err
                return None
        return self._sheets[name]

    def table(self, sheet_name: str, table_name: str, required: bool = True):
        key = (sheet_name, table_name)
        if key not in self._tables:
            sheet = self.sheet(sheet_name, required)
            tables = sheet.tables if sheet is not None else None
            found = tables[table_name] if tables is not None and table_name in tables else None
            if found is None:
                if required:
                    raise TrackerError(f'The "{sheet_name}" sheet has no table named "{table_name}". '
                                       "Is it a claimbook tracker?")
                return None
            self._tables[key] = found
        return self._tables[key]

    # -------------------------------------------------------------------------------------- reading
    def read_table(self, sheet_name: str, table_name: str, required: bool = True):
        """(Block, sheet, header row, first column) of a table in two reads; (None, ...) when missing."""
        tbl = self.table(sheet_name, table_name, required)
        if tbl is None:
            return None, None, 0, 0
        top = tbl.header_row_range
        row, col = top.row, top.column
        header = [("" if h is None else str(h)) for h in top.options(**READ).value[0]]
        body = tbl.data_body_range
        rows = body.options(**READ).value if body is not None else []
        return Block(header, rows, first_row=row + 1 if rows else None), self._sheets[sheet_name], row, col

    def read_settings(self) -> list[list]:
        if self._settings is None:
            sheet = self.sheet(sheets.SETTINGS, required=False)
            if sheet is None:
                self._settings = []
            else:  # the first 200 rows in one read (blank rows are skipped by the reader)
                self._settings = sheet.range((1, 1), (200, 2)).options(**READ).value
        return self._settings

    def read_claims(self) -> Block:
        if self._claims is None:
            block, sheet, row, col = self.read_table(sheets.CLAIMS, sheets.CLAIMS_TABLE)
            self._claims, self._claims_at = block, (sheet, row, col)
        return self._claims

    def read_log(self) -> Block | None:
        return self.read_table(sheets.FOLLOWUP_LOG, sheets.LOG_TABLE, required=False)[0]

    def read_import_log(self) -> list[list]:
        from claimbook.imports import IMPORT_LOG_SHEET

        sheet = self.sheet(IMPORT_LOG_SHEET, required=False)
        if sheet is None:
            return []
        last = sheet.used_range.last_cell.row
        # Columns A..L: the hashes say which files were imported, the change rows what each import wrote
        # (claimbook.imports.memory keeps the office's corrections).
        return [] if last < 2 else sheet.range((2, 1), (last, 12)).options(**READ).value

    def read_payments(self) -> list[list]:
        from claimbook.x12.history import PAYMENT_COLUMNS, PAYMENTS_SHEET

        sheet = self.sheet(PAYMENTS_SHEET, required=False)
        if sheet is None:
            return []
        last = sheet.used_range.last_cell.row
        return [] if last < 2 else sheet.range((2, 1), (last, len(PAYMENT_COLUMNS))).options(**READ).value

    # -------------------------------------------------------------------------------------- writing
    def prepare(self, rules) -> list[str]:
        """Check the Claims columns and that every same-named computed column is claimbook's (one note
        read per computed column, none per claim). Adds nothing: the tracker made by
        ``claimbook excel install`` has every sheet and column."""
        claims = self.read_claims()
        table.map_input_columns(claims.header)  # a missing required column stops here
        self._take_over = self._unowned_computed(claims)
        return []

    def _unowned_computed(self, claims: Block) -> list[int]:
        from xlwings.utils import col_name

        sheet, row, col = self._claims_at
        unmarked = []
        for i in table.map_computed_columns(claims.header).values():
            text = _note(sheet.range((row, col + i)))
            if text is ... or table.is_claimbook_mark(text):
                continue
            if table.column_in_use(claims.rows, i):
                raise TrackerError(table.column_clash_message(claims.header[i], col_name(col + i)))
            unmarked.append(i)
        return unmarked

    def write_refresh(self, claims: Block, output, rules) -> None:
        self.wrote = True
        self._write_computed(claims.header, output.computed)
        sheet, row, col = self._claims_at
        for i in getattr(self, "_take_over", ()):
            try:
                sheet.range((row, col + i)).add_note(table.COMPUTED_MARK)
            except Exception:  # noqa: BLE001 - a note is a nicety; the column stays claimbook's while empty
                pass
        self.write_blocks(sheets.generated_blocks(output))

    def _write_computed(self, header: list, computed: list[list]) -> None:
        """One write per run of adjacent computed columns (normally one run at the table's right)."""
        if not computed:
            return
        sheet, row, col = self._claims_at
        where = table.map_computed_columns(header)
        pick = sorted((where[name], k) for k, name in enumerate(table.COMPUTED_COLUMNS) if name in where)
        for run in runs_of(pick):
            first = col + run[0][0]
            values = [[cell(r[k]) for _, k in run] for r in computed]
            self.put(sheet, row + 1, first, values)

    def write_blocks(self, blocks) -> None:
        """Each block: clear its area (unless the write covers it), one write, one format call per run of
        columns with the same number format."""
        self.wrote = True
        for block in blocks:
            sheet = self.sheet(block.sheet)
            width = max((len(r) for r in block.values), default=0)
            if (len(block.values), width) != (block.clear_rows, block.clear_cols):  # else the write covers it all
                sheet.range((block.row, block.col),
                            (block.row + block.clear_rows - 1, block.col + block.clear_cols - 1)).clear_contents()
            if not width:
                continue
            values = [[cell(v) for v in r] + [None] * (width - len(r)) for r in block.values]
            last = block.row + len(values) - 1
            self.put(sheet, block.row, block.col, values)
            formats = list(block.col_formats[:width])
            j = 0
            while j < len(formats):
                k = j
                while k + 1 < len(formats) and formats[k + 1] == formats[j]:
                    k += 1
                if formats[j]:
                    sheet.range((block.row, block.col + j), (last, block.col + k)).number_format = formats[j]
                j = k + 1

    def apply_edit(self, edit) -> None:
        """Changed cells: one write per run of adjacent changed rows in each column. New claims: the table
        grows first, then all the new rows in one write. Cells below the table in the rows it grows into stop
        the import first (``check_room``), before anything is written."""
        from claimbook.imports import runs

        self.read_claims()
        claims_table = self.table(sheets.CLAIMS, sheets.CLAIMS_TABLE)
        check_room(claims_table, edit, self.book.name)  # cells below the table: refused before any write
        self.wrote = True
        sheet, top, col0 = self._claims_at
        row0 = top + 1
        for c, rows in edit.changed_columns().items():
            for run in runs(rows):
                self.put(sheet, row0 + run[0], col0 + c, [[cell(edit.rows[r][c])] for r in run])
        new = edit.new_rows
        if new:
            if edit.grows_by:  # a totals row is turned off and on again around the resize: it stays last
                grow_table(claims_table, len(edit.rows), len(edit.header))
            first = row0 + edit.used
            self.put(sheet, first, col0, [[cell(v) for v in r] for r in new])
        self._claims = None  # read again by the refresh that follows

    def add_import_log(self, reports, when: dt.datetime) -> None:
        """Append the rows below the Import Log's last used row (the sheet is added when missing)."""
        from claimbook.imports import IMPORT_LOG_COLUMNS, IMPORT_LOG_SHEET, log_rows

        self._append_rows(IMPORT_LOG_SHEET, IMPORT_LOG_COLUMNS, log_rows(reports, when), stamp=1)

    def add_payments(self, rows: list[list]) -> None:
        """Append remittance payments below the Payments sheet's last used row (added when missing)."""
        from claimbook.x12.history import PAYMENT_COLUMNS, PAYMENTS_SHEET

        if rows:
            self._append_rows(PAYMENTS_SHEET, PAYMENT_COLUMNS, rows, stamp=PAYMENT_COLUMNS.index("Imported") + 1)

    def _append_rows(self, name: str, columns, rows: list[list], stamp: int) -> None:
        """One bulk write of ``rows`` below the sheet's last used row, the sheet (with ``columns`` as its
        header row) added at the end when missing; column ``stamp`` shows the import time."""
        from claimbook.imports import STAMP_FORMAT

        self.wrote = True
        sheet = self.sheet(name, required=False)
        if sheet is None:
            sheet = self.book.sheets.add(name, after=self.book.sheets[len(self.book.sheets) - 1])
            self._sheets[name] = sheet
            rows = [list(columns), *rows]
            first = 1
        else:
            first = max(sheet.used_range.last_cell.row, 1) + 1
        last = first + len(rows) - 1
        self.put(sheet, first, 1, [[cell(v) for v in r] for r in rows])
        sheet.range((first, stamp), (last, stamp)).number_format = STAMP_FORMAT

    def put(self, sheet, row: int, col: int, values: list[list]) -> None:
        """Write a rectangle of values (already guarded with ``cell``) with its top-left cell at (row, col)."""
        if not values or not values[0]:
            return
        if self._prepare is None:
            self._prepare = self.app.engine.impl.prepare_xl_data_element
        prepare = self._prepare
        data = [[prepare(v, {}) for v in r] for r in values]
        nrows, ncols = len(data), len(data[0])
        target = sheet.range((row, col), (row + nrows - 1, col + ncols - 1))
        if self._budget is ...:
            self._budget = target.impl.max_cells_per_write  # the engine's write budget, asked once
        budget = self._budget
        if budget is None or nrows * ncols <= budget:
            target.raw_value = data if nrows * ncols > 1 else data[0][0]
            return
        step = max(1, budget // ncols)  # as xlwings chunks a large write
        for i in range(0, nrows, step):
            chunk = data[i:i + step]
            sheet.range((row + i, col), (row + i + len(chunk) - 1, col + ncols - 1)).raw_value = chunk

    def save(self, backups_kept: int) -> None:
        """Nothing: the changes are in the workbook open in Excel, saved when the person saves it."""


def _note(header_cell):
    """The text of a header cell's note; None when it has none, ``...`` when Excel cannot say.

    Through the range's engine object: ``Range.note`` asks Excel for the note twice (once to see
    whether there is one, once to wrap it)."""
    try:
        note = header_cell.impl.note
        return None if note is None else note.text
    except Exception:  # noqa: BLE001 - an Excel (or engine) without notes: ownership cannot be read
        return ...


def runs_of(pairs: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Split sorted (column, value index) pairs into runs of adjacent columns."""
    out: list[list[tuple[int, int]]] = []
    for col, k in pairs:
        if out and out[-1][-1][0] == col - 1:
            out[-1].append((col, k))
        else:
            out.append([(col, k)])
    return out


_EXCEL_WOULD_PARSE = re.compile(
    r"""^\s*(
        [+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?     # numbers, 1,234 / 12% / 1e5
      | [$€£]\s*[\d,.]+                                    # currency
      | \d{1,4}[/\-.]\d{1,2}([/\-.]\d{1,4})?(\s.*)?         # dates such as 3/4/26 or 2026-03-04
      | (\d{1,2}[\s\-/.]+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?([\s\-/.,]+\d{1,4}){0,2}
                                                           # dates such as Dec-1, 5 Jan, March 4, 2026
      | \(\s*[$€£]?\s*[\d,.]+\s*\)                          # accounting negatives, (120)
      | \d{1,2}:\d{2}(:\d{2})?(\s*[AaPp][Mm])?               # times
      | (TRUE|FALSE)                                         # booleans
      | \#[A-Z/0!?]+[!?A-Z]*                                 # error literals (#N/A)
      | \d+\s+\d+/\d+                                        # fractions (1 1/2)
    )\s*$""",
    re.X | re.I,
)


def cell(value):
    """A value as written into Excel. Text gets Excel's hidden text prefix (') when Excel would otherwise
    read it as a formula (``table.safe_text``), a number, a date, a time or TRUE/FALSE, and when it starts
    with an apostrophe itself (Excel would swallow that one as the prefix: "'Brien" would become "Brien")."""
    if isinstance(value, str):
        guarded = table.safe_text(value)
        if guarded == value and (value.startswith("'") or _EXCEL_WOULD_PARSE.match(value)):
            guarded = "'" + value
        return guarded
    return value


# ------------------------------------------------ room below the Claims table (issue 12)
# The same rule as the command line (``claimbook.workbook.grow``): the rows the table grows into are read in
# one call before anything is written; a totals row is turned off and on around the resize, so Excel puts
# it back as the table's last row with the totals it remembers.
_ROOM_READ = dict(ndim=2, empty=None)


def check_room(claims_table, edit, name: str = "The workbook") -> None:
    """``TrackerError`` when a cell below the table is in the rows an import's new claims need."""
    from xlwings.utils import col_name

    from claimbook.workbook.grow import cells_text, room_message

    grow = edit.grows_by
    if not grow:
        return
    top = claims_table.header_row_range
    sheet, col0, width = claims_table.parent, top.column, len(edit.header)
    totals = 1 if claims_table.show_totals else 0
    start = top.row + 1 + edit.existing + totals
    values = sheet.range((start, col0)).resize(grow, width).options(**_ROOM_READ).value
    busy = [f"{col_name(col0 + j)}{start + i}" for i, row in enumerate(values) for j, v in enumerate(row)
            if not table.is_blank(v)]
    if busy:
        raise TrackerError(room_message(name, grow, start, start + grow - 1, cells_text(busy)))


def grow_table(claims_table, rows: int, width: int) -> None:
    """Resize the table to ``rows`` data rows (its totals row, if shown, ends up below them)."""
    top = claims_table.header_row_range
    sheet = claims_table.parent
    totals = claims_table.show_totals
    if totals:
        claims_table.show_totals = False
    claims_table.resize(sheet.range((top.row, top.column)).resize(1 + rows, width))
    if totals:
        claims_table.show_totals = True
