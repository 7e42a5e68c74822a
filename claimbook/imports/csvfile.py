"""Reading a claims CSV export into records ``(where, {tracker column: raw text})``.

Refuses (``ImportFileError``, naming the row) what cannot be read safely: an unclosed quote, an unreadable
row, headings with no claims; leaves out rows whose Claim ID repeats with different values."""

from __future__ import annotations

import csv
from pathlib import Path

from claimbook import table
from claimbook.errors import ImportFileError

def _unclosed_quote(text: str, dialect) -> tuple[int, int, int] | None:
    """Where a quoted cell opens that the file never closes: (row, line, cell index), else None.

    Walks the text the way ``csv.reader`` does (not strict). A quote that opens a cell and is still open
    at the end of the file swallowed every row after it. So did one whose "closing" quote is followed by
    more text after a line break: that quote was the opening quote of a later cell (a properly quoted
    cell over several lines ends with the quote right before a delimiter or the end of its line).
    Rows are counted as the reader (and Excel) counts them: a line break inside quotes does not end a row.
    """
    quote, delim = dialect.quotechar, dialect.delimiter
    if not quote or getattr(dialect, "quoting", csv.QUOTE_MINIMAL) == csv.QUOTE_NONE:
        return None
    double = dialect.doublequote
    escape = dialect.escapechar
    row = line = 1
    cell = 0
    state = "start"  # start (of a cell), plain, quoted, quoted_escape, after_quote
    opened = None  # (row, line, cell, spans lines)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        newline = c in "\r\n"
        if newline and c == "\r" and i + 1 < n and text[i + 1] == "\n":
            i += 1  # \r\n is one line break
        if state == "quoted":
            if c == escape:
                state = "quoted_escape"
            elif c == quote:
                state = "after_quote"
            elif newline:
                line += 1
                opened = opened[:3] + (True,)
        elif state == "quoted_escape":
            if newline:
                line += 1
            state = "quoted"
        elif state == "after_quote":
            if c == quote:
                state = "quoted" if double else "plain"  # a doubled quote inside the cell
            elif c == delim:
                state, cell = "start", cell + 1
            elif newline:
                state, cell, row, line = "start", 0, row + 1, line + 1
            else:
                if opened[3]:
                    return opened[:3]
                state = "plain"  # "text" more: the reader keeps both parts
        elif newline:
            state, cell, row, line = "start", 0, row + 1, line + 1
        elif c == delim:
            state, cell = "start", cell + 1
        elif state == "start" and c == quote:
            state, opened = "quoted", (row, line, cell, False)
        elif state == "start" and c == escape:
            state = "plain"
            i += 1
        else:
            state = "plain"
        i += 1
    if state in ("quoted", "quoted_escape"):
        return opened[:3]
    return None


def _refuse_csv(name: str, text: str) -> ImportFileError:
    return ImportFileError(f"{name}: refused, nothing was imported — {text}")


def _refusal(path: Path):
    """``refuse(where, header)`` for an unclosed quote at (row, line, cell), ``refuse(None, why)`` otherwise:
    the ImportFileError naming the row (and the column, never a cell's text)."""

    def refuse(where, detail) -> ImportFileError:
        if where is None:
            return _refuse_csv(path.name, detail)
        (row, line, cell), header = where, detail
        column = header[cell].strip() if row > 1 and cell < len(header) and header[cell].strip() else ""
        at = f"row {row}" + (f" (line {line} in a text editor)" if line != row else "")
        return _refuse_csv(path.name,
                           f'a quote mark " opens on {at}' + (f" in the {column} column" if column else "")
                           + " and is never closed, so the rest of the file would be read into that one cell. "
                           f'Open the file in a text editor such as Notepad, add the closing " at the end of that '
                           f"value on {at.split(' (')[0]} (or delete the opening one), save it and import it again.")

    return refuse


def _rows_text(rows: list[int]) -> str:
    nums = [str(r) for r in rows]
    return nums[0] if len(nums) == 1 else ", ".join(nums[:-1]) + " and " + nums[-1]


def _repeated_claim_ids(records) -> tuple[list, list[tuple[str, str]]]:
    """One record per Claim ID: (records kept, skipped (where, why)).

    A Claim ID on several rows of one file is ambiguous: which row is right? Rows that repeat another
    exactly are imported once; when the values differ, none of those rows is imported (the tracker keeps
    what it has) and every one of them is listed, so the file can be fixed and imported again.
    """
    groups: dict[str, list[int]] = {}
    for i, (_, values) in enumerate(records):
        key = table.claim_key(values.get("Claim ID") or "")
        if key:
            groups.setdefault(key, []).append(i)
    drop: dict[int, str] = {}
    for key, idx in groups.items():
        if len(idx) < 2:
            continue
        def cid(i: int) -> str:
            return " ".join(str(records[i][1].get("Claim ID") or "").split())

        numbers = [int(records[i][0].removeprefix("row ")) for i in idx]

        def same(a: dict, b: dict) -> bool:
            return {k: str(v).strip() for k, v in a.items()} == {k: str(v).strip() for k, v in b.items()}

        if all(same(records[idx[0]][1], records[i][1]) for i in idx[1:]):
            for i in idx[1:]:
                drop[i] = f"Claim ID {cid(i)} repeats row {numbers[0]} with the same values; imported once"
            continue
        for i, n in zip(idx, numbers):
            others = _rows_text([m for m in numbers if m != n])
            drop[i] = (f"Claim ID {cid(i)} is also on row{'s' if len(numbers) > 2 else ''} {others} of this file, with "
                       f"different values, so {'neither' if len(numbers) == 2 else 'none'} of these rows was imported. "
                       "Keep one row per claim (or correct the Claim ID) and import the file again")
    kept = [r for i, r in enumerate(records) if i not in drop]
    skipped = [(records[i][0], why) for i, why in sorted(drop.items())]
    return kept, skipped


def read_claims_csv(path: Path, data: bytes | None, aliases):
    """Records ``(where, {tracker column: raw text})`` from a claims CSV, notes about its columns, and
    the rows left out ``(where, why)``: the report layout around the claims (title, totals, page breaks,
    footer; see ``claimbook.imports.exportrows``) and a Claim ID repeated within the file.

    ``aliases`` is an ``ExportSettings`` (or, for older callers, the column-name aliases alone). With
    ``data`` None the file is read as a stream (``claimbook.imports.csvstream``), never whole."""
    from claimbook.imports.csvstream import CsvSource, StreamedRows, stream_rows
    from claimbook.imports.exportrows import HEADER_SEARCH_ROWS, ExportSettings, export_records

    settings = aliases if isinstance(aliases, ExportSettings) else ExportSettings(aliases=dict(aliases or {}))
    source = CsvSource(path, data)
    try:
        dialect = csv.Sniffer().sniff(source.head(8192), delimiters=",;\t|")
        # A quote inside a quoted cell is written twice ("" ), as Excel and RFC 4180 do; the sniffer often
        # guesses otherwise from a sample without one, and the quotes would then be kept doubled.
        dialect.doublequote = True
    except csv.Error:
        dialect = csv.excel
    rows = StreamedRows(stream_rows(source, dialect, _unclosed_quote, _refusal(path)), HEADER_SEARCH_ROWS + 1)
    if not rows:
        raise ImportFileError(f"{path.name} is empty")
    records, notes, layout_skipped = export_records(path.name, rows, settings)
    records, skipped = _repeated_claim_ids(records)
    return records, notes, layout_skipped + skipped
