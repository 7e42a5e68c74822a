"""The stream edge: a tracker file edited as a zip package, not loaded into a model of it.

It implements ``claimbook.app.edge.Edge`` like ``claimbook.workbook.edge.FileEdge`` does, for the daily
refresh and import from the command line. The cells claimbook reads (Claims, Follow-up Log, Settings,
Import Log, Payments) are read from the sheets' XML (``claimbook.xlsx.cells``) and found by the same
code as the openpyxl edge (``claimbook.workbook.places``); what claimbook writes is collected as cell
edits and written at ``save`` by streaming only the parts it owns (``claimbook.xlsx.rewrite``, the
generated sheets by ``claimbook.xlsx.generated``); every other part of the zip is copied byte for byte,
so pictures, charts, threaded comments, pivot tables, the ribbon and Excel's newer features come
through untouched. The save is atomic with rotating backups (``saving.replace_atomic``), like every save.

A workbook that lacks something claimbook adds (a computed column, a generated sheet, a Settings row,
a defined name), or an import that would move a table's totals row, raises ``NeedsUpgrade`` before
anything is written; the caller (``open_edge``/``run_on_file``) then does the one-time upgrade with the
openpyxl edge.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from enum import Enum
from pathlib import Path

from claimbook import sheets as S
from claimbook import table
from claimbook.errors import TrackerError, UnreadableWorkbook
from claimbook.xlsx import NeedsUpgrade
from claimbook.xlsx.cells import Book
from claimbook.xlsx.parts import Package
from claimbook.xlsx.rewrite import SheetEdits, rewrite_chunks, rewrite_sheet
from claimbook.xlsx import book as wbxml
from claimbook.workbook import places
from claimbook.workbook.opening import DATE_FORMAT



class StreamEdge:
    """One tracker file, read lazily and edited as a package (see the module docstring)."""

    def __init__(self, path):
        self.path = Path(path)
        from claimbook.workbook.limits import check_workbook

        check_workbook(self.path)
        pkg = None
        try:
            pkg = self.pkg = Package(self.path)
            self.wb = Book(self.pkg)
        except PermissionError:
            if pkg is not None:
                pkg.close()
            raise TrackerError(f"{self.path.name} is locked (open in another program?). Close it, then run again.") from None
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as err:
            if pkg is not None:
                pkg.close()
            raise TrackerError(
                f"{self.path.name} could not be read as an Excel workbook ({type(err).__name__}): the file may be "
                "damaged. Open it in Excel to repair it, or use a backup copy.") from None
        self.edits: dict[str, SheetEdits] = {}  # part -> the cells written in it
        self.parts: dict[str, bytes] = {}  # whole parts replaced (generated sheets, tables)
        self.new_sheets: list[tuple[str, str]] = []  # (name, part) added by this run
        self.print_areas: dict[str, str] = {}
        self.filters: dict[str, str] = {}
        self.formulas_cleared = False
        self._styled: dict[tuple[int, str], int] = {}

    def close(self) -> None:
        self.pkg.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ---- reading (the same finders as the openpyxl edge)
    def location(self) -> Path | None:
        return self.path

    def read_settings(self) -> list[list]:
        return places.read_settings_rows(self.wb)

    def read_claims(self):
        return places.read_block(places.find_claims(self.wb, self.path.name))

    def read_log(self):
        place = places.find_log(self.wb)
        return places.read_block(place) if place is not None else None

    def read_import_log(self) -> list[list]:
        from claimbook.workbook.importlog import read_import_log

        return read_import_log(self.wb)

    def read_payments(self) -> list[list]:
        from claimbook.workbook.payments import read_payments

        return read_payments(self.wb)

    # ---- getting ready
    def prepare(self, rules) -> list[str]:
        """Check the claims; ``NeedsUpgrade`` when the workbook lacks anything ``ensure_tracker`` adds."""
        from claimbook.workbook.writing import unowned_computed_columns

        place = places.find_claims(self.wb, self.path.name)
        header = place.header()
        where = "The Claims table" if place.table is not None else f"Row {place.header_row} of the Claims sheet"
        table.map_input_columns(header, what=where)  # a missing column stops here, as on the openpyxl edge
        missing = [h for h in table.COMPUTED_COLUMNS if h not in table.map_computed_columns(header)]
        if missing:
            raise NeedsUpgrade(f"computed columns missing: {missing}")
        if unowned_computed_columns(place):  # a practice's column with entries raises TrackerError here
            raise NeedsUpgrade("empty computed columns to take over")
        tables = {t.lower() for ws in self.wb.worksheets for t in ws.tables}
        for name in S.SHEET_ORDER:
            if name not in self.wb.sheetnames and not (name == S.FOLLOWUP_LOG and S.LOG_TABLE.lower() in tables):
                raise NeedsUpgrade(f"sheet missing: {name}")
        settings = places._sheet(self.wb, S.SETTINGS)
        cells = settings._cells
        have = {table.norm_header(c._value) for (r, c_), c in cells.items() if c_ == 1 and c._value is not None}
        for i, row in enumerate(S.SETTINGS_ROWS, start=S.SETTINGS_FIRST_ROW):
            if table.norm_header(row.label) not in have and not any(
                    cells.get((i, c)) is not None and cells[(i, c)]._value is not None for c in (1, 2, 3)):
                raise NeedsUpgrade(f"Settings row missing: {row.label}")
        wanted = {r.name for r in S.SETTINGS_ROWS} | {S.PAYER_LIST_NAME}
        if wanted - wbxml.defined_names(self.pkg.read(self.pkg.workbook_part)):
            raise NeedsUpgrade("defined names missing")
        return []

    # ---- writing: collected as edits, written at save
    def write_refresh(self, claims, output, rules) -> None:
        from claimbook.xlsx.generated import generated_parts

        place = places.find_claims(self.wb, self.path.name)
        found = table.map_computed_columns(place.header())
        targets = [place.first_col + found[h] for h in table.COMPUTED_COLUMNS]
        self.put_rows(place, place.first_data_row, targets, output.computed)
        made = generated_parts(self.pkg, self.wb.styles, output, rules)
        self.parts.update(made.parts)
        self.print_areas.update(made.print_areas)
        self.filters.update(made.auto_filters)
        self.formulas_cleared = self.formulas_cleared or bool(made.removed_formulas)

    def write_blocks(self, blocks) -> None:
        raise NeedsUpgrade("blocks are written by the openpyxl edge")

    def apply_edit(self, edit) -> None:
        """An import's ``ClaimsEdit``, as ``claimbook.workbook.importlog.apply_edit`` writes it."""
        from claimbook.workbook.grow import make_room

        place = places.find_claims(self.wb, self.path.name)
        first, c0 = place.first_data_row, place.first_col
        new_last = max(place.last_row, place.header_row + len(edit.rows))
        if new_last > place.last_row and place.table is not None and place.table.totalsRowCount:
            raise NeedsUpgrade("the totals row moves down", advice=(
                "The Claims table's Total row has to move down for the new claims: turn it off in Excel "
                "(Table Design, Total Row), import again, then turn it back on."))
        make_room(place, new_last, self.path.name)  # TrackerError (nothing written) when cells are in the way
        for r, c in sorted(edit.changed):
            self.put(place, first + r, c0 + c, edit.rows[r][c])
        for i, values in enumerate(edit.new_rows, start=edit.used):
            for j, v in enumerate(values):
                if v is not None:
                    self.put(place, first + i, c0 + j, v)
        if new_last != place.last_row and place.table is not None:
            self._set_table_ref(place, new_last)
        place.last_row = new_last

    def add_import_log(self, reports, when: datetime) -> None:
        from claimbook.imports.report import (IMPORT_LOG_COLUMNS, IMPORT_LOG_SHEET, IMPORT_LOG_WIDTHS, STAMP_FORMAT,
                                              log_rows)

        ws = places._sheet(self.wb, IMPORT_LOG_SHEET) or self._add_sheet(IMPORT_LOG_SHEET, IMPORT_LOG_COLUMNS,
                                                                          IMPORT_LOG_WIDTHS)
        r = max(places._plain_place(ws, 1).last_row, 1) + 1
        for row in log_rows(reports, when):
            for c, v in enumerate(row, 1):
                stamp = STAMP_FORMAT if c == 1 and isinstance(v, datetime) else None
                self.put(ws, r, c, v if type(v) in _PLAIN else str(v), stamp)
            r += 1

    def add_payments(self, rows: list[list]) -> None:
        from claimbook.x12.history import PAYMENT_COLUMNS, PAYMENT_WIDTHS, PAYMENTS_SHEET

        if not rows:
            return
        ws = places._sheet(self.wb, PAYMENTS_SHEET) or self._add_sheet(PAYMENTS_SHEET, PAYMENT_COLUMNS, PAYMENT_WIDTHS)
        r = max(places._max_row(ws), 1) + 1
        stamp_col = PAYMENT_COLUMNS.index("Imported") + 1
        for row in rows:
            for c, v in enumerate(row, 1):
                fmt = ("yyyy-mm-dd hh:mm" if c == stamp_col and isinstance(v, datetime)
                       else "#,##0.00" if isinstance(v, float) else None)
                self.put(ws, r, c, v, fmt)
            r += 1

    def put(self, where, row: int, col: int, value, number_format: str | None = None) -> None:
        """Write one value (``where``: a ``Place`` or a sheet), as ``claimbook.workbook.writing.put`` would:
        text always as text, None clears the value and keeps the format, an unchanged value is left alone."""
        self.put_rows(where, row, (col,), ((value,),), number_format)

    def put_rows(self, where, first_row: int, cols, rows, number_format: str | None = None) -> None:
        """``put`` for a block: ``rows[i][j]`` into row ``first_row + i``, column ``cols[j]`` (the refresh's
        computed columns: 140,000 cells at 10,000 claims, in one loop)."""
        ws = getattr(where, "ws", where)
        cells = ws._cells
        grid = cells.rows
        edits = self.edits.get(ws.part)
        if edits is None:
            edits = self.edits[ws.part] = SheetEdits()
        clean = table.clean_text
        for r, values in enumerate(rows, start=first_row):
            line = grid[r - 1] if r <= len(grid) else ()
            for c, value in zip(cols, values):
                t = type(value)
                if t is str:
                    value = clean(value)
                elif t not in _WRITTEN_AS_IS:
                    value = _as_cell_value(value)
                old = line[c - 1] if c <= len(line) else ""  # settled (``xlsx.cells.Grid``): "" is empty
                if old == "":
                    if value is None:
                        continue
                elif number_format is None and (old == value and type(old) is type(value) or _same(old, value)):
                    continue
                edits.put(r, c, value, number_format)
                cells.set_plain((r, c), value)

    def _style(self, s: int, value, number_format: str | None) -> int:
        """The style a written cell gets: ``s`` (its own or the one above it), with ``number_format`` or, for
        a date in a cell not formatted as one, claimbook's ``mm/dd/yyyy``."""
        styles = self.wb.styles
        wanted = number_format
        if wanted is None and isinstance(value, (date, datetime)) and not styles.is_date(s):
            wanted = DATE_FORMAT
        if wanted is None or styles.number_format(s) == wanted:
            return s
        key = (s, wanted)
        if key not in self._styled:
            self._styled[key] = styles.with_number_format(s, wanted)
        return self._styled[key]

    def _set_table_ref(self, place, new_last: int) -> None:
        from openpyxl.utils import get_column_letter

        t = place.table.part
        top = f"{get_column_letter(place.first_col)}{place.header_row}"
        t.ref = f"{top}:{get_column_letter(place.last_col)}{new_last + t.totals_row_count}"
        xml = self.parts.get(t.part) or self.pkg.read(t.part)
        self.parts[t.part] = wbxml.set_table_ref(xml, t.ref, f"{top}:{get_column_letter(place.last_col)}{new_last}")

    def _add_sheet(self, name: str, header, widths):
        """A new plain sheet after the others (the Import Log, Payments), its header in row 1, frozen under it."""
        part = wbxml.new_sheet_part(self.pkg.names | {p for _n, p in self.new_sheets})
        self.parts[part] = wbxml.new_sheet_xml(widths)
        self.new_sheets.append((name, part))
        ws = self.wb.add_sheet(name, part)
        for c, h in enumerate(header, 1):
            self.put(ws, 1, c, h)
        return ws

    # ---- saving
    def save(self, backups_kept: int) -> None:
        """Write the package beside the file (owned parts new, every other part copied), then replace it
        atomically, keeping backups (``saving.replace_atomic``)."""
        from claimbook.workbook.saving import replace_atomic
        pkg, book_part = self.pkg, self.pkg.workbook_part
        replaced: dict = dict(self.parts)
        added = {p: replaced.pop(p) for _n, p in self.new_sheets}
        formulas = False
        for part, edits in self.edits.items():
            if part in added:
                added[part] = rewrite_sheet(added[part], edits, self._style, self.wb.epoch1904)
                continue
            source = replaced.get(part)
            if source is None:  # a sheet of the practice's file: streamed from the file as it is written
                sheet = next((ws for ws in self.wb.worksheets if ws.part == part), None)
                formulas = formulas or bool(sheet is not None and any(cell in edits for cell in sheet.formulas))
                replaced[part] = self._streamed(part, edits)
            else:
                replaced[part] = rewrite_sheet(source, edits, self._style, self.wb.epoch1904)
        for ws in self.wb.worksheets:  # the cells read are no longer needed: their memory serves the save
            ws.forget()
        styles_part = pkg.styles_part()
        if self.wb.styles.changed and styles_part:
            replaced[styles_part] = self.wb.styles.to_bytes()
        names = [s.name for s in pkg.sheets()]
        book_xml = wbxml.set_print_areas(pkg.read(book_part), self.print_areas, names)
        book_xml = wbxml.set_filter_ranges(book_xml, self.filters, names)
        if self.edits:
            book_xml = wbxml.calc_on_load(book_xml)
        replaced[book_part] = book_xml
        rels_name, types = wbxml.rels_part(book_part), "[Content_Types].xml"
        rels_xml = ct_xml = None
        for name, part in self.new_sheets:
            rels_xml, ct_xml = rels_xml or pkg.read(rels_name), ct_xml or pkg.read(types)
            replaced[book_part], rels_xml, ct_xml = wbxml.add_sheet(replaced[book_part], rels_xml, ct_xml, name, part,
                                                                    book_part)
        removed: set[str] = set()
        chain = pkg.related(book_part, "calcChain") if formulas or self.formulas_cleared else []
        if chain:  # Excel's calculation chain names a cell written over, which holds no formula now
            removed.update(chain)
            rels_xml, ct_xml = rels_xml or pkg.read(rels_name), ct_xml or pkg.read(types)
            rels_xml, ct_xml = wbxml.drop_part(rels_xml, ct_xml, chain[0], book_part)
        # A tracker saved through openpyxl by an earlier claimbook left the macros and the notes' shapes
        # without a content type (Excel calls such a file damaged): declared here, nothing else changes.
        from claimbook.workbook.saving import declare_types

        current = ct_xml or pkg.read(types)
        declared = declare_types(current, sorted((pkg.names - removed) | set(added)))
        if declared != current:
            ct_xml = declared
        if rels_xml is not None:
            replaced[rels_name] = rels_xml
        if ct_xml is not None:
            replaced[types] = ct_xml

        def write(tmp):
            pkg.write(tmp, replaced, added, removed)
            pkg.close()  # Windows cannot replace a file that is open

        replace_atomic(self.path, write, backups_kept)

    def _streamed(self, part: str, edits: dict):
        def pieces():
            with self.pkg.open(part) as src:
                yield from rewrite_chunks(iter(lambda: src.read(1 << 20), b""), edits, self._style, self.wb.epoch1904)
        return pieces


_PLAIN = (str, int, float, bool, datetime, date, type(None))
_WRITTEN_AS_IS = frozenset({int, float, date, datetime, type(None)})


def _as_cell_value(value):
    """A value of another kind as a cell holds it: an Enum's value, text for anything else."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, str):
        return table.clean_text(value)
    if value is None or isinstance(value, (int, float, date, datetime)):
        return value
    return table.clean_text(str(value))


def _same(old, value) -> bool:
    """Whether writing ``value`` over a cell holding ``old`` (as openpyxl reads it) would change nothing."""
    if value is None:
        return old is None
    if type(old) is not type(value):
        if isinstance(old, datetime) and type(value) is date:
            return old == datetime(value.year, value.month, value.day)
        return False
    return old == value


def run_on_file(path, work):
    """``work(edge)`` on the stream edge; when the workbook first needs what only the openpyxl edge adds
    (``NeedsUpgrade``, raised before anything is written), once more on the openpyxl edge."""
    try:
        with StreamEdge(path) as edge:
            return work(edge)
    except NeedsUpgrade as need:
        from claimbook.workbook.edge import FileEdge

        try:
            return work(FileEdge(path))
        except UnreadableWorkbook as err:  # the stream edge read it: the file is fine, openpyxl is not
            advice = need.advice or ("The tracker lacks something claimbook adds to it (a column, a sheet, a "
                                     "setting): ask whoever looks after claimbook.")
            raise TrackerError(
                f"{Path(path).name} needs a one-time change that claimbook can only make by reading the whole "
                f"workbook, and part of this file cannot be read that way ({err.kind}; pivot tables and other "
                f"newer Excel features are the usual cause). Nothing was changed. {advice}") from None
