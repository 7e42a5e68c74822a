"""Writing cells: text always as text (never a formula), claimbook's computed columns (only its own),
US date formats.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime

from claimbook import table
from claimbook.errors import TrackerError
from claimbook.workbook.opening import DATE_FORMAT
from claimbook.workbook.places import Place


def put(ws, row: int, col: int, value) -> None:
    """Write one value. Text is always a string cell (never a formula); None clears an existing cell."""
    cells = ws._cells
    cell = cells.get((row, col))
    if cell is None:
        if value is None:
            return
        cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        value = table.clean_text(value)
        if cell.data_type == "s" and cell._value == value:
            return
        cell._value = value
        cell.data_type = "s"
        return
    if value is not None and cell.data_type == "n" and type(cell._value) is type(value) and cell._value == value:
        return
    if isinstance(value, (date, datetime)) and not cell.is_date:
        cell.number_format = DATE_FORMAT
    cell.value = value


def ensure_columns(place: Place, headers: tuple[str, ...] | list[str], mapper) -> dict[str, int]:
    """Sheet column of each header (found with ``mapper``); missing ones are added at the table's right."""
    found = mapper(place.header())
    cols = {h: place.first_col + i for h, i in found.items()}
    missing = [h for h in headers if h not in cols]
    for h in missing:
        place.last_col += 1
        put(place.ws, place.header_row, place.last_col, h)
        cols[h] = place.last_col
        if place.table is not None:
            from openpyxl.worksheet.table import TableColumn

            tcols = place.table.tableColumns
            next_id = max((tc.id for tc in tcols), default=0) + 1
            if tcols:
                tcols.append(TableColumn(id=next_id, name=h))
    if missing:
        set_table_ref(place)
    return cols


def set_table_ref(place: Place) -> None:
    """Make the table cover ``place`` (after columns or rows were added)."""
    t = place.table
    if t is None:
        return
    from openpyxl.utils import get_column_letter

    last = place.last_row + (t.totalsRowCount or 0)
    ref = f"{get_column_letter(place.first_col)}{place.header_row}:{get_column_letter(place.last_col)}{last}"
    t.ref = ref
    if t.autoFilter is not None:
        t.autoFilter.ref = (f"{get_column_letter(place.first_col)}{place.header_row}:"
                            f"{get_column_letter(place.last_col)}{place.last_row}")


def _marked(place: Place, col: int) -> bool:
    cell = place.ws._cells.get((place.header_row, col))
    comment = getattr(cell, "comment", None) if cell is not None else None
    return comment is not None and table.is_claimbook_mark(comment.text)


def unowned_computed_columns(place: Place) -> list[int]:
    """Sheet columns named like a computed column whose header lacks claimbook's mark. ``TrackerError``
    (nothing written) when such a column holds entries: it is the practice's own, never overwritten."""
    from openpyxl.utils import get_column_letter

    header = place.header()
    unmarked = [place.first_col + i for i in table.map_computed_columns(header).values()
                if not _marked(place, place.first_col + i)]
    cells = place.ws._cells
    for c in unmarked:
        for r in range(place.first_data_row, place.last_row + 1):
            cell = cells.get((r, c))
            if cell is not None and not table.is_blank(cell._value):
                raise TrackerError(table.column_clash_message(header[c - place.first_col], get_column_letter(c)))
    return unmarked


def mark_computed(place: Place, cols) -> None:
    """Put claimbook's note on these computed headers (a column claimbook added or took over empty)."""
    from openpyxl.comments import Comment

    for c in cols:
        if _marked(place, c):
            continue
        comment = Comment(table.COMPUTED_MARK, "claimbook")
        comment.width, comment.height = 240, 60
        place.ws.cell(place.header_row, c).comment = comment


def write_computed(place: Place, computed: list[list]) -> None:
    """Write claimbook's computed columns, one row per data row, found by header (added when missing).

    Only claimbook's own columns are written: a same-named column of the practice's, with entries and
    without claimbook's note on its header, stops the run (``TrackerError``) before any cell changes."""
    take_over = unowned_computed_columns(place)
    before = place.last_col
    cols = ensure_columns(place, table.COMPUTED_COLUMNS, table.map_computed_columns)
    ws = place.ws
    targets = [cols[h] for h in table.COMPUTED_COLUMNS]
    first = place.first_data_row
    for i, values in enumerate(computed):
        r = first + i
        for c, v in zip(targets, values):
            put(ws, r, c, v)
    mark_computed(place, [*take_over, *range(before + 1, place.last_col + 1)])


@contextmanager
def us_date_defaults():
    """While writing, a date put in a cell without a date format gets claimbook's ``mm/dd/yyyy`` instead
    of openpyxl's ``yyyy-mm-dd``: US offices read month first, and no stray number format is registered
    (a stray one changes styles.xml on every save, so two refreshes would not give the same file)."""
    from openpyxl.cell import cell as _cell

    saved = dict(_cell.TIME_FORMATS)
    _cell.TIME_FORMATS[date] = DATE_FORMAT
    _cell.TIME_FORMATS[datetime] = DATE_FORMAT
    try:
        yield
    finally:
        _cell.TIME_FORMATS.clear()
        _cell.TIME_FORMATS.update(saved)
