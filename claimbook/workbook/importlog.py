"""Importing into the Claims table: write an import's edit, and the Import Log and Payments rows."""

from __future__ import annotations

from datetime import datetime

from claimbook.imports.report import (
    IMPORT_LOG_COLUMNS,
    IMPORT_LOG_SHEET,
    IMPORT_LOG_WIDTHS,
    STAMP_FORMAT,
    ImportReport,
    hashes_in_log,
    log_rows,
)
from claimbook.workbook.opening import _PLAIN
from claimbook.workbook.places import _max_row, _plain_place, _sheet, _value, Place
from claimbook.workbook.writing import put, set_table_ref, us_date_defaults


def apply_edit(place: Place, edit, name: str = "The tracker") -> None:
    """Write an import's ``ClaimsEdit``: the changed cells of existing rows, then the filled rows; the
    table grows to cover new rows. Rows it grows into must be empty (``claimbook.workbook.grow``): else
    ``TrackerError`` before any cell changes. A totals row moves down and stays the table's last row."""
    from claimbook.workbook.grow import make_room

    ws = place.ws
    first, c0 = place.first_data_row, place.first_col
    new_last = max(place.last_row, place.header_row + len(edit.rows))
    make_room(place, new_last, name)
    with us_date_defaults():
        for r, c in sorted(edit.changed):
            put(ws, first + r, c0 + c, edit.rows[r][c])
        for i, values in enumerate(edit.new_rows, start=edit.used):
            for j, v in enumerate(values):
                if v is not None:
                    put(ws, first + i, c0 + j, v)
    place.last_row = new_last
    set_table_ref(place)


def read_import_log(wb) -> list[list]:
    """The Import Log's data rows, columns A..L (date, file, SHA-256, ..., claim, field, old, new, note): the
    hashes say which files were imported, the change rows what each import wrote (``imports.memory``);
    [] when there is no such sheet."""
    ws = _sheet(wb, IMPORT_LOG_SHEET)
    if ws is None:
        return []
    cells = ws._cells
    return [[_value(cells.get((r, c))) for c in range(1, 13)] for r in range(2, _plain_place(ws, 1).last_row + 1)]


def imported_hashes(wb) -> dict[str, object]:
    """SHA-256 -> import date of every file already on the Import Log."""
    return hashes_in_log(read_import_log(wb))


def write_import_log(wb, reports: list[ImportReport], when: datetime) -> None:
    """Append one summary row per file, then a row per change, PLB and skipped line, to the Import Log."""
    ws = _sheet(wb, IMPORT_LOG_SHEET)
    if ws is None:
        ws = wb.create_sheet(IMPORT_LOG_SHEET)
        for c, h in enumerate(IMPORT_LOG_COLUMNS, 1):
            put(ws, 1, c, h)
        ws.freeze_panes = "A2"
        for letter, width in zip("ABCDEFGHIJKL", IMPORT_LOG_WIDTHS):
            ws.column_dimensions[letter].width = width
    r = max(_plain_place(ws, 1).last_row, 1) + 1  # a stray cell far below is not where the log ends
    with us_date_defaults():
        for row in log_rows(reports, when):
            for c, v in enumerate(row, 1):
                put(ws, r, c, v if type(v) in _PLAIN else str(v))
                if c == 1 and isinstance(v, datetime):
                    ws.cell(row=r, column=c).number_format = STAMP_FORMAT
            r += 1
