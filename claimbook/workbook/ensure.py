"""A practice's own workbook: add the computed columns and sheets claimbook needs, without touching
their cells.
"""

from __future__ import annotations

from datetime import date

from openpyxl.worksheet.table import TableColumn

from claimbook import sheets as S
from claimbook import table
from claimbook.errors import TrackerError
from claimbook.workbook.looks import _risk_rules, _width, COMPUTED_COLUMNS, WORKLIST_COLUMNS
from claimbook.workbook.generated import _finish_dashboard, _finish_worklist, _write_blocks
from claimbook.workbook.newtracker import (
    _add_defined_names,
    _build_dashboard,
    _build_howto,
    _build_log,
    _build_payers,
    _build_settings,
    _build_worklist,
    _ensure_settings_rows,
    _initial_blocks,
    _style_computed_headers,
)


def ensure_tracker(wb, rules) -> list[str]:
    """Add whatever claimbook needs to a practice's own workbook, without touching their cells.

    The workbook must have a ``Claims`` table (or a ``Claims`` sheet) with Claim ID, Payer and DOS
    columns, under any of their usual names and in any order. Missing claimbook sheets are added at
    the end; missing computed columns are appended at the right of the table (its range extended) or
    of the used columns. Returns what was added, one plain-English line each ([] if nothing was needed).
    Raises ``TrackerError`` (``MissingColumnsError``) before changing anything when the claims cannot
    be used.
    """
    from claimbook.workbook import io

    added: list[str] = []
    place = io.find_claims(wb)
    header = place.header()
    where = "The Claims table" if place.table is not None else f"Row {place.header_row} of the Claims sheet"
    table.map_input_columns(header, what=where)  # raises MissingColumnsError, naming what it found
    present = table.map_computed_columns(header)
    todo = [h for h in COMPUTED_COLUMNS if h not in present]
    if todo:
        added.append(_add_computed_columns(place.ws, place.table, place.header_row, place.last_col + 1, todo,
                                           place.last_row))
    builders = {
        S.WORKLIST: lambda w: _build_worklist(w, WORKLIST_COLUMNS),
        S.FOLLOWUP_LOG: _build_log,
        S.DASHBOARD: _build_dashboard,
        S.PAYERS: _build_payers,
        S.SETTINGS: lambda w: _build_settings(w, rules, ""),
        S.HOWTO: _build_howto,
    }
    if S.SETTINGS in wb.sheetnames:
        added.extend(_ensure_settings_rows(wb[S.SETTINGS], rules))
    new_sheets = []
    for name in S.SHEET_ORDER:
        if name in wb.sheetnames or (name == S.FOLLOWUP_LOG and S.LOG_TABLE.lower() in _table_names(wb)):
            continue
        new = wb.create_sheet(name)
        if S.CODE_NAMES[name] not in {w.sheet_properties.codeName for w in wb.worksheets}:
            new.sheet_properties.codeName = S.CODE_NAMES[name]
        builders[name](new)
        new_sheets.append(name)
        added.append(f"Added the '{name}' sheet.")
    before = set(wb.defined_names)
    _add_defined_names(wb)
    if set(wb.defined_names) - before:
        added.append(f"Added the names {', '.join(sorted(set(wb.defined_names) - before))} "
                     "(the Settings values and the Payer list).")
    if new_sheets:
        _write_blocks(wb, [b for b in _initial_blocks(rules, date.today()) if b.sheet in new_sheets])
        if S.WORKLIST in new_sheets:
            _finish_worklist(wb[S.WORKLIST], WORKLIST_COLUMNS, 0)
        if S.DASHBOARD in new_sheets:
            _finish_dashboard(wb[S.DASHBOARD], len(rules.settings.bucket_labels()))
    return added


def _add_computed_columns(ws, tab, hrow: int, start: int, todo: list[str], claims_last_row: int) -> str:
    # A plain sheet's claims end where io.find_claims says (a stray cell far below is no claim): the
    # cells are looked up, never created, so the cost follows the claims, not the used range.
    last_row = _table_last_row(tab, ws) if tab is not None else claims_last_row
    cells = ws._cells
    for c in range(start, start + len(todo)):
        busy = [r for r in range(hrow, last_row + 1) if getattr(cells.get((r, c)), "value", None) not in (None, "")]
        if busy:
            raise TrackerError(
                f"Column {S.col_letter(c)} of the '{ws.title}' sheet, right of your claims, is in use "
                f"(cell {S.col_letter(c)}{busy[0]}). claimbook adds its columns there: move that column "
                f"further right or to another sheet, then try again."
            )
    for i, h in enumerate(todo):
        c = start + i
        ws.cell(hrow, c, h)
        ws.column_dimensions[S.col_letter(c)].width = _width(h)
        fmt = S.column_format(h)
        if fmt:
            ws.column_dimensions[S.col_letter(c)].number_format = fmt
    _style_computed_headers(ws, hrow, range(start, start + len(todo)))
    if tab is not None:
        _extend_table(tab, todo, start + len(todo) - 1)
    _risk_rules(ws, {h: start + i for i, h in enumerate(todo)}, hrow + 1, max(S.FORMATTED_ROWS, last_row))
    cols = f"{S.col_letter(start)} to {S.col_letter(start + len(todo) - 1)}"
    n = len(todo)
    return (f"Added {n} claimbook column{'s' if n != 1 else ''} ({', '.join(todo)}) at the right of your "
            f"claims, columns {cols}. claimbook fills them in at each refresh.")


def _table_names(wb) -> set[str]:
    return {t.lower() for ws in wb.worksheets for t in ws.tables}


def _table_last_row(tab, ws) -> int:
    if tab is not None:
        return S.split_cell(tab.ref.split(":")[1])[1]
    return max((r for (r, _c) in ws._cells), default=1)


def _extend_table(table, headers: list[str], last_col: int) -> None:
    first, last = table.ref.split(":")
    table.ref = f"{first}:{S.col_letter(last_col)}{S.split_cell(last)[1]}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref
    next_id = max((tc.id for tc in table.tableColumns), default=0) + 1
    for i, h in enumerate(headers):
        table.tableColumns.append(TableColumn(id=next_id + i, name=h))
