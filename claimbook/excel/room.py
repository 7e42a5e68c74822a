"""The ribbon's import, growing the Claims table in Excel: never over the cells below it.

The same rule as the command line (``claimbook.workbook.grow``): before anything is written, the rows
the table grows into (below its totals row, if it shows one) are read in one call; any entry there stops
the import with a message naming the cells (never their contents). A totals row is turned off while
the table grows and back on after it, so Excel puts it back as the table's last row with the totals it
remembers for each column.
"""

from __future__ import annotations

from claimbook import table
from claimbook.errors import TrackerError

_READ = dict(ndim=2, empty=None)


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
    values = sheet.range((start, col0)).resize(grow, width).options(**_READ).value
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
