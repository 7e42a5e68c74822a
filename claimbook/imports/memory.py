"""What the imports wrote, read back from the Import Log, so the office's own corrections survive.

The rule (docs/import-exports.md): an import changes a claim's cell unless the cell no longer holds the
value the last import wrote there (someone changed it on the Claims sheet) *and* the file brings that same
value again (the export has not changed since). Then the office's value is kept, and the Import Log says
so. A file bringing a different value (new information from the practice system or the payer) still wins.

The memory is the Import Log itself: every change row (claim, field, new value) and, for a claim an import
added, one row per value it was added with (note ``NEW_VALUE``). Rows noted ``KEPT`` record a value the
import did not write, so they are not memory.
"""

from __future__ import annotations

from claimbook import table

NEW_VALUE = "value of a new claim"
KEPT = "kept the tracker's value"
# Import Log columns (0-based): Claim ID, Field, Old, New, Note.
_CLAIM, _FIELD, _NEW, _NOTE = 7, 8, 10, 11


def last_written(log_rows) -> dict[tuple[str, str], object]:
    """(claim key, tracker header) -> the value the latest import wrote there, from the Import Log rows."""
    out: dict[tuple[str, str], object] = {}
    for row in log_rows or ():
        if len(row) <= _NEW:
            continue
        claim, fld = row[_CLAIM], row[_FIELD]
        if table.is_blank(claim) or not isinstance(fld, str) or fld not in table.INPUT_BY_HEADER:
            continue
        note = row[_NOTE] if len(row) > _NOTE else None
        if not (table.is_blank(note) or note == NEW_VALUE):
            continue
        out[(table.claim_key(claim), fld)] = row[_NEW]
    return out


def keep_office_value(memory: dict, key: str, header: str, cell: object, incoming: object,
                      day_first: bool = False) -> bool:
    """Whether to keep the cell's value: it was changed since the last import wrote there, and the file
    brings what that import wrote (the export itself has not changed)."""
    if (key, header) not in memory:
        return False
    col = table.INPUT_BY_HEADER[header]
    written = memory[(key, header)]
    if table.is_blank(written):
        return False  # a cell the import emptied: whatever is there now was typed; the file wins as before
    changed_in_tracker = not table.same_cell(col, written, _typed(col, cell, day_first), day_first) \
        if not table.is_blank(cell) else True
    file_unchanged = table.same_cell(col, written, incoming, day_first)
    return changed_in_tracker and file_unchanged


def _typed(col, value, day_first):
    typed, problem = table.typed_cell(col, value, day_first)
    return value if problem else typed
