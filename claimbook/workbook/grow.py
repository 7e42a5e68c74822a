"""Room for new claims below the Claims table: never over a practice's cells, the totals row kept last.

When an import adds claims, the table grows downward. The rows it grows into must be empty in the
table's columns: claimbook does not move a practice's own cells out of the way (Excel's *Insert* would
also fix every formula, name, rule and chart pointing at them; openpyxl cannot), it stops before writing
anything and says which cells are in the way and how to make room. The table's own totals row is
different: it is moved down so it stays the table's last row, and its ``SUBTOTAL(109,F2:F6)``-style
ranges over the data rows are extended to the new last row (structured references such as
``SUBTOTAL(109,[Billed])`` need nothing).
"""

from __future__ import annotations

from claimbook import table
from claimbook.errors import TrackerError

_SHOWN = 4


def _cells_text(cells: list[tuple[int, int]]) -> str:
    from openpyxl.utils import get_column_letter

    return cells_text([f"{get_column_letter(c)}{r}" for r, c in cells])


def cells_text(addresses: list[str]) -> str:
    """"cell A9", "cells A9 and A10", "cells A9, A10, A11, A12 and 3 more": addresses, never contents."""
    names = addresses[:_SHOWN]
    if len(addresses) > _SHOWN:
        names.append(f"{len(addresses) - _SHOWN} more")
    if len(names) == 1:
        return f"cell {names[0]}"
    return "cells " + ", ".join(names[:-1]) + " and " + names[-1]


def room_message(name: str, grow: int, start: int, end: int, what: str) -> str:
    rows = f"row {start}" if start == end else f"rows {start} to {end}"
    return (f"{name}: the Claims table needs {grow} more row{'s' if grow != 1 else ''} for the new claims, but "
            f"{what} below it ({rows}) {'is' if what.startswith('cell ') or what.startswith('a ') else 'are'} in "
            "use, and claimbook never writes over your cells. In Excel, make room: select "
            f"{rows} (the row numbers at the left), right-click and choose Insert, or move those cells elsewhere; "
            "save, close the workbook and import again. Nothing was changed.")


def blocking_cells(ws, first_row: int, last_row: int, first_col: int, last_col: int) -> list[tuple[int, int]]:
    """(row, column) of the cells with an entry in the rectangle, in reading order."""
    from claimbook.workbook.places import cells_in

    return sorted((r, c) for (r, c), cell in cells_in(ws, first_row, last_row, first_col, last_col)
                  if not table.is_blank(cell._value))


def make_room(place, new_last_row: int, name: str) -> None:
    """Before the data rows of ``place`` grow to ``new_last_row``: ``TrackerError`` (nothing changed) when
    a cell, a merged area or another table is in the rows the table grows into; else the totals row (if
    any) moves below the new last row with its ranges extended."""
    grow = new_last_row - place.last_row
    if grow <= 0:
        return
    ws = place.ws
    totals = (place.table.totalsRowCount or 0) if place.table is not None else 0
    start = place.last_row + 1 + totals  # the first row below the table
    end = start + grow - 1
    c1, c2 = place.first_col, place.last_col
    busy = blocking_cells(ws, start, end, c1, c2)
    if busy:
        raise TrackerError(room_message(name, grow, start, end, _cells_text(busy)))
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= end and merged.max_row >= start and merged.min_col <= c2 and merged.max_col >= c1:
            raise TrackerError(room_message(name, grow, start, end, f"a merged area ({merged.coord})"))
    from openpyxl.utils.cell import range_boundaries

    for other in ws.tables.values():
        if other is place.table:
            continue
        oc1, or1, oc2, or2 = range_boundaries(other.ref)
        if or1 <= end and or2 >= start and oc1 <= c2 and oc2 >= c1:
            raise TrackerError(room_message(name, grow, start, end, f"a table ({other.displayName})"))
    if totals:
        _move_totals_row(place, place.last_row + 1, new_last_row + 1)


def _move_totals_row(place, old_row: int, new_row: int) -> None:
    from openpyxl.utils import get_column_letter

    ws = place.ws
    c1, c2 = place.first_col, place.last_col
    height = ws.row_dimensions[old_row].height if old_row in ws.row_dimensions else None
    ws.move_range(f"{get_column_letter(c1)}{old_row}:{get_column_letter(c2)}{old_row}", rows=new_row - old_row,
                  translate=False)
    if height is not None:
        ws.row_dimensions[new_row].height = height
    old_last, new_last = old_row - 1, new_row - 1
    for c in range(c1, c2 + 1):
        cell = ws._cells.get((new_row, c))
        if cell is not None and cell.data_type == "f" and isinstance(cell._value, str):
            cell._value = extend_ranges(cell._value, ws.title, place.first_data_row, old_last, new_last)


def extend_ranges(formula: str, sheet: str, first_data_row: int, old_last: int, new_last: int) -> str:
    """``formula`` with every A1 range on ``sheet`` that spans the data rows (starts at or below the header,
    ends at ``old_last``) extended to ``new_last``: ``=SUBTOTAL(109,F2:F6)`` -> ``=SUBTOTAL(109,F2:F9)``."""
    import re

    from openpyxl.formula.tokenizer import Token, Tokenizer

    try:
        tok = Tokenizer(formula)
    except Exception:  # noqa: BLE001 - a formula openpyxl cannot split is left as it is
        return formula
    ref = re.compile(r"^(?P<pre>(?:'[^']+'|[^'!:]+)!)?(?P<c1>\$?[A-Z]{1,3})(?P<r1>\$?\d+):(?P<c2>\$?[A-Z]{1,3})"
                     r"(?P<d>\$?)(?P<r2>\d+)$")
    changed = False
    for t in tok.items:
        if t.type != Token.OPERAND or t.subtype != Token.RANGE:
            continue
        m = ref.match(t.value)
        if not m:
            continue
        pre = (m.group("pre") or "")[:-1].strip("'")
        if pre and pre != sheet:
            continue
        r1, r2 = int(m.group("r1").lstrip("$")), int(m.group("r2"))
        if r2 == old_last and first_data_row - 1 <= r1 <= first_data_row:
            t.value = t.value[:m.start("r2")] + str(new_last)
            changed = True
    return tok.render() if changed else formula
