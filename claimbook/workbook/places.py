"""Finding the blocks in an open workbook (the Claims table, the Follow-up Log, the Settings rows) and
reading them as plain cell values, without creating cells.
"""

from __future__ import annotations

from dataclasses import dataclass

from claimbook import table
from claimbook.errors import TrackerError
from claimbook.pipeline import Block
from claimbook.workbook.opening import _PLAIN, CLAIMS_NAME, LOG_NAMES, SETTINGS_SHEET


MAX_GAP = 1_000  # blank rows that end a plain sheet's claims
MAX_COL = 16_384


@dataclass
class Place:
    """A rectangle of the workbook: a table (or a sheet's used range) with its header row."""

    ws: object
    table: object | None  # openpyxl Table, or None for a plain sheet
    header_row: int
    first_col: int
    last_col: int
    last_row: int  # last data row (== header_row when there are no data rows)
    beyond: tuple[int, int] | None = None  # plain sheet: (first row, rows) with entries below a long blank gap

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    def header(self) -> list:
        cells = self.ws._cells
        return [_value(cells.get((self.header_row, c))) for c in range(self.first_col, self.last_col + 1)]


def _value(cell):
    if cell is None:
        return None
    v = cell._value
    if type(v) in _PLAIN:
        return v
    text = getattr(v, "text", None)  # ArrayFormula / DataTableFormula
    return str(text) if isinstance(text, str) else "=(formula)"


def _bounds(ref: str) -> tuple[int, int, int, int]:
    from openpyxl.utils.cell import range_boundaries

    c1, r1, c2, r2 = range_boundaries(ref)
    return c1, r1, c2, r2


def _find_table(wb, names: tuple[str, ...]):
    wanted = {table.norm_header(n) for n in names}
    for ws in wb.worksheets:
        for t in ws.tables.values():
            if table.norm_header(t.name) in wanted or table.norm_header(t.displayName) in wanted:
                return ws, t
    return None, None


def _table_place(ws, t) -> Place:
    c1, r1, c2, r2 = _bounds(t.ref)
    last = r2 - (t.totalsRowCount or 0)
    return Place(ws, t, r1, c1, c2, max(last, r1))


def _sheet(wb, *names: str):
    wanted = {table.norm_header(n) for n in names}
    for ws in wb.worksheets:
        if table.norm_header(ws.title) in wanted:
            return ws
    return None


def _max_row(ws) -> int:
    return max((r for (r, _c) in ws._cells), default=0)


def _max_col(ws) -> int:
    return max((c for (_r, c) in ws._cells), default=0)


def _entry_rows(ws, first_col: int, last_col: int, after: int, upto: int | None = None) -> list[int]:
    """Sorted sheet rows below ``after`` (to ``upto``) with an entry in the columns: one pass over the cells
    that exist, so the cost follows what is written, not the used range."""
    fast = getattr(ws._cells, "entry_rows", None)  # the stream edge's grid of values
    if fast is not None:
        return fast(first_col, last_col, after, upto)
    rows = {r for (r, c), cell in ws._cells.items()
            if r > after and first_col <= c <= last_col and (upto is None or r <= upto)
            and not table.is_blank(_value(cell))}
    return sorted(rows)


def cells_in(ws, first_row: int, last_row: int, first_col: int, last_col: int):
    """((row, column), cell) of the cells that exist in a rectangle (the stream edge's grid looks only there)."""
    fast = getattr(ws._cells, "items_in", None)
    if fast is not None:
        return fast(first_row, last_row, first_col, last_col)
    return (((r, c), cell) for (r, c), cell in ws._cells.items()
            if first_row <= r <= last_row and first_col <= c <= last_col)


def _plain_place(ws, header_row: int) -> Place:
    """A plain sheet's block: from the header down to the last row with an entry, ending at a gap of more
    than ``MAX_GAP`` blank rows (what is below such a gap is no claim; ``Place.beyond`` says where it is),
    as wide as the entries in those rows."""
    rows = _entry_rows(ws, 1, MAX_COL, header_row)
    last = header_row
    beyond = None
    for i, r in enumerate(rows):
        if r - last > MAX_GAP + 1:
            beyond = (r, len(rows) - i)
            break
        last = r
    last_col = max((c for (r, c), cell in cells_in(ws, header_row, last, 1, MAX_COL)
                    if not table.is_blank(_value(cell))), default=1)
    return Place(ws, None, header_row, 1, last_col, last, beyond)


def find_claims(wb, path_name: str = "The workbook") -> Place:
    """The Claims table, else a sheet named Claims whose header row has a Claim ID column."""
    ws, t = _find_table(wb, (CLAIMS_NAME,))
    if t is not None:
        return _table_place(ws, t)
    ws = _sheet(wb, CLAIMS_NAME)
    if ws is not None:
        heads: dict[int, list] = {}
        for (r, _c), cell in cells_in(ws, 1, 20, 1, MAX_COL):
            heads.setdefault(r, []).append(_value(cell))
        for r in range(1, 21):
            if any(table.input_column_for(h) is not None and table.input_column_for(h).field == "claim_id"
                   for h in heads.get(r, ()) if isinstance(h, str)):
                return _plain_place(ws, r)
    raise TrackerError(f"{path_name} is not a claim tracker: it has no Claims table and no Claims sheet with a "
                       "Claim ID header. Make one with 'claimbook init', or name your claims sheet 'Claims'.")


def find_log(wb) -> Place | None:
    ws, t = _find_table(wb, LOG_NAMES)
    if t is not None:
        return _table_place(ws, t)
    ws = _sheet(wb, "Follow-up Log", "Followup Log", "Log")
    if ws is None or not ws._cells:
        return None
    return _plain_place(ws, 1)


def read_block(place: Place) -> Block:
    """The header and data rows of a place, as plain cell values (no cells are created). Blank rows at the
    end of a table are left out: the block is sized by what is written, not by the table's range."""
    cells = place.ws._cells
    cols = range(place.first_col, place.last_col + 1)
    rows = []
    get = cells.get
    entries = _entry_rows(place.ws, place.first_col, place.last_col, place.header_row, place.last_row)
    last = entries[-1] if entries else place.header_row
    fast = getattr(cells, "block_rows", None)  # the stream edge's grid of values
    if fast is not None:
        rows = fast(place.first_data_row, last, place.first_col, place.last_col)
        return Block([v if v is not None else "" for v in place.header()], rows, first_row=place.first_data_row)
    for r in range(place.first_data_row, last + 1):
        row = []
        for c in cols:
            cell = get((r, c))
            if cell is None:
                row.append(None)
            else:
                v = cell._value
                row.append(v if type(v) in _PLAIN else _value(cell))
        rows.append(row)
    return Block([v if v is not None else "" for v in place.header()], rows, first_row=place.first_data_row)


def read_settings_rows(wb) -> list[list]:
    ws = _sheet(wb, SETTINGS_SHEET)
    if ws is None:
        return []
    cells = ws._cells
    return [[_value(cells.get((r, 1))), _value(cells.get((r, 2)))] for r in range(1, min(_max_row(ws), 200) + 1)]
