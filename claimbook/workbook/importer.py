"""Importing claims CSV exports, 835 remittances and 277 status files into a tracker: the shared logic.

Both edges use it: ``claimbook import`` (openpyxl, a closed workbook file) and the ribbon's "Import
remittance" button (xlwings, the workbook open in Excel). Everything here works on plain values:

    batches = prepare(files, aliases, seen, again)      # read, sniff, parse and validate every file
    result = plan(batches, claims_block, day_first)     # reports + the Claims rows as they will be
    rows = log_rows(result.reports, when)               # the Import Log rows to append

Nothing is written until every file has been read and planned: a bad file raises ``ImportFileError``
(naming the file, and for X12 the segment and its position) before any cell changes. The edges then
write ``result.edit`` (changed cells, new rows) and the log rows, and refresh.
"""

from __future__ import annotations

import csv
import hashlib
import io as _io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from claimbook import table
from claimbook.errors import ImportFileError
from claimbook.pipeline import Block

IMPORT_LOG_SHEET = "Import Log"
IMPORT_LOG_COLUMNS = ("Imported", "File", "SHA-256", "Kind", "Added", "Updated", "Skipped", "Claim ID", "Field",
                      "Old", "New", "Note")
IMPORT_LOG_WIDTHS = (18, 28, 18, 12, 8, 8, 8, 16, 16, 20, 20, 60)
STAMP_FORMAT = "yyyy-mm-dd hh:mm"


class _Clear:
    """An imported value that empties a cell (a remittance that no longer has denial codes)."""

    def __repr__(self) -> str:
        return "CLEAR"


CLEAR = _Clear()


# --------------------------------------------------------------------------------------------------
# Reports


@dataclass
class Change:
    claim_id: str
    field: str  # the column header
    old: object
    new: object


@dataclass
class ImportReport:
    """What one imported file did to the tracker."""

    file: str
    sha256: str
    kind: str  # "claims CSV", "835", "277", "277CA", "(skipped)"
    added: list[str]
    updated: list[str]
    changes: list[Change]
    skipped: list[tuple[str, str]]  # (where, why)
    notes: list[str]
    provider_adjustments: list[str] = field(default_factory=list)  # PLB lines (835), never spread over claims
    unmatched: list[str] = field(default_factory=list)  # claims in the payer file that are not in the tracker
    # (claim ID or None, text) that go on the Import Log only: they may quote names and cell contents,
    # which are never printed (a scheduled job's log is not the practice's workbook).
    details: list[tuple[str | None, str]] = field(default_factory=list)

    def line(self) -> str:
        s = (f"{self.file}: {len(self.added)} added, {len(self.updated)} updated "
             f"({len(self.changes)} changes), {len(self.skipped)} skipped")
        if self.provider_adjustments:
            s += f", {len(self.provider_adjustments)} provider-level adjustment" + \
                 ("s" if len(self.provider_adjustments) != 1 else "")
        return s


# --------------------------------------------------------------------------------------------------
# Reading the files


def sniff(path: Path, head: bytes) -> str:
    """The kind of a file from its first bytes: "x12" or "csv" (by ``claimbook.x12.sniff_bytes``);
    ImportFileError saying what the file is instead. Any ISA envelope counts as X12, so an 837 or a
    4010 file is refused by the X12 reader with the segment named."""
    from claimbook.x12.detect import sniff_bytes

    kind = sniff_bytes(head)
    if kind == "csv":
        return "csv"
    if kind is not None or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"ISA"):
        return "x12"
    if head.lstrip(b"\xef\xbb\xbf").startswith(b"PK\x03\x04"):
        raise ImportFileError(f"{path.name} is a workbook or zip file; export the claims as CSV and import that")
    if b"\x00" in head:
        hint = ""
        if head.count(b"\x00") * 4 >= len(head):  # every other byte zero: UTF-16 text without its BOM
            hint = (". If it is a claims list saved from Excel as \"Unicode Text\", open it in Excel and use "
                    "File > Save As > \"CSV UTF-8 (Comma delimited)\", then import that file")
        raise ImportFileError(f"{path.name} is not a text file claimbook can import (CSV, 835 or 277){hint}")
    raise ImportFileError(f"{path.name} is not a CSV file with a header row, an 835 or a 277 file")


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _decode(data: bytes, name: str) -> str:
    if data.startswith(_UTF16_BOMS):  # Excel's "Unicode Text" and some exports: UTF-16 with its BOM
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError(f"{name} is not readable text (open it in Excel and use File > Save As > "
                                  "\"CSV UTF-8 (Comma delimited)\", then import that file)") from None
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"{name} is not readable text (save it as CSV UTF-8 and try again)")


_IMPORT_MESSAGES = {
    "bad_char": "this line has an invisible special character: U+{code:04X}. Delete that character, or delete "
    "the line and type it again instead of pasting it.",
    "not_utf8": "the file is not saved as UTF-8 text: this line has a character (such as é) saved another way. "
    "In Notepad use File > Save As and choose Encoding: UTF-8.",
    "not_sections": "expected the sections 'preset:' and 'presets:' (see the built-in import.yaml). Start the file "
    "with 'preset: generic' and a 'presets:' section.",
    "presets_not_map": "'presets' should list presets by name, each with 'columns:', like 'generic:'. Write one "
    "preset name per line, ending with a colon.",
    "preset_not_map": "preset '{name}' should have 'date_order:' and 'columns:' settings under it, indented.",
    "columns_not_map": "preset '{name}': columns should be lines like 'Encounter Number: Claim ID'. Write the name in "
    "your CSV, a colon, a space and the tracker column.",
    "not_a_column": "preset '{name}': '{target}' is not a tracker column.{hint} Use one of: {columns}.",
    "date_order": "preset '{name}': date_order '{order}' should be 'month first' or 'day first'.",
    "unknown_setting": "'{key}' is not a setting of preset '{name}'.{hint} A preset has 'date_order:' and "
    "'columns:'.",
    "unknown_top": "'{key}' is not a setting of import.yaml.{hint} The file has 'preset:' and 'presets:'.",
    "no_preset": "there is no preset '{name}'.{hint}",
    "preset_name": "'preset' should be one preset name, such as 'preset: generic'.",
}


def _import_problem(file: str, line, kind: str, **kw):
    from claimbook.model import Problem, Source

    return Problem(Source(file=file, line=line or None), _IMPORT_MESSAGES[kind].format(**kw))


def _line(node, default: int = 0) -> int:
    return getattr(node, "line", 0) or default


def check_import_yaml(path: Path, file: str):
    """Read and check an import.yaml: ``(default preset name, {preset: (aliases, day_first)}, problems)``.

    ``problems`` are ``(preset name or None, Problem)``: a problem with a preset name only matters when
    that preset is used; None is a problem with the whole file. Every problem has the file and, where
    there is one, the line, like the rules files (``claimbook.rules.yamlread`` reads it: text values
    only, duplicate keys refused, syntax errors in plain words).
    """
    import yaml

    from claimbook.rules.yamlread import Map, read_yaml
    from claimbook.suggest import did_you_mean

    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return None, {}, [(None, _import_problem(file, data[: err.start].count(b"\n") + 1, "not_utf8"))]
    try:
        tree, found = read_yaml(text, file)
    except yaml.reader.ReaderError as err:  # a yamlread that does not yet name special characters itself
        return None, {}, [(None, _import_problem(file, text.count("\n", 0, err.position) + 1, "bad_char",
                                                 code=err.character))]
    problems: list = [(None, p) for p in found]
    if tree is None:
        return None, {}, problems
    if not isinstance(tree, Map):
        problems.append((None, _import_problem(file, _line(tree, 1), "not_sections")))
        return None, {}, problems
    for key in tree:
        if key not in ("preset", "presets"):
            hint = did_you_mean(str(key), ["preset", "presets"])
            problems.append((None, _import_problem(file, _line(key), "unknown_top", key=key,
                                                   hint=f" Did you mean '{hint}'?" if hint else "")))
    default = tree.get("preset")
    if default is not None and not isinstance(default, str):
        problems.append((None, _import_problem(file, tree.key_line("preset"), "preset_name")))
        default = None
    presets = tree.get("presets")
    if presets is None or presets == "":
        presets = Map()
    if not isinstance(presets, Map):
        problems.append((None, _import_problem(file, _line(presets, tree.key_line("presets")), "presets_not_map")))
        presets = Map()
    headers = [c.header for c in table.INPUT_COLUMNS]
    out: dict[str, tuple[dict[str, str], bool | None]] = {}
    for name, body in presets.items():
        name_line = presets.key_line(name)
        if body is None or body == "":
            body = Map()
        if not isinstance(body, Map):
            problems.append((name, _import_problem(file, _line(body, name_line), "preset_not_map", name=name)))
            continue
        ok = True
        for key in body:
            if key not in ("columns", "date_order"):
                hint = did_you_mean(str(key), ["columns", "date_order"])
                problems.append((name, _import_problem(file, _line(key), "unknown_setting", key=key, name=name,
                                                       hint=f" Did you mean '{hint}'?" if hint else "")))
                ok = False
        columns = body.get("columns")
        if columns is None or columns == "":
            columns = Map()
        if not isinstance(columns, Map):
            problems.append((name, _import_problem(file, _line(columns, body.key_line("columns")), "columns_not_map",
                                                   name=name)))
            continue
        aliases: dict[str, str] = {}
        for source, target in columns.items():
            col = table.input_column_for(target) if isinstance(target, str) else None
            if col is None:
                hint = did_you_mean(str(target), headers) if isinstance(target, str) else None
                problems.append((name, _import_problem(
                    file, _line(target, columns.key_line(source)), "not_a_column", name=name,
                    target=target if isinstance(target, str) else "(a list)",
                    hint=f" Did you mean '{hint}'?" if hint else "", columns=", ".join(headers))))
                ok = False
                continue
            aliases[table.norm_header(source)] = col.header
        order_node = body.get("date_order", "")
        order = " ".join(str(order_node).split()).lower() if isinstance(order_node, str) else str(order_node)
        day_first = {"day first": True, "month first": False}.get(order)
        if order and day_first is None:
            problems.append((name, _import_problem(file, _line(order_node, body.key_line("date_order")), "date_order",
                                                   name=name, order=order)))
            ok = False
        if ok:
            out[str(name)] = (aliases, day_first)
    if default is not None and str(default).strip() and str(default) not in presets:
        hint = did_you_mean(str(default), [str(n) for n in presets])
        problems.append((None, _import_problem(
            file, _line(default, tree.key_line("preset")), "no_preset", name=default,
            hint=f" Did you mean '{hint}'?" if hint else f" Presets: {', '.join(map(str, presets)) or 'none'}.")))
        default = None
    return (str(default).strip() or None) if default is not None else None, out, problems


def load_import_settings(rules_folder: Path | None, preset: str | None):
    """(extra column aliases, day_first or None) from import.yaml: the rules folder's, else the built-in one.

    A problem in the file (or in the preset used) raises ImportFileError listing each one with file:line."""
    from claimbook.rules.loader import default_rules_dir
    from claimbook.suggest import did_you_mean

    candidates = [p for p in ((rules_folder / "import.yaml") if rules_folder else None,
                              default_rules_dir() / "import.yaml") if p is not None]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        return {}, None
    try:
        default, presets, problems = check_import_yaml(path, str(path))
    except OSError as err:
        raise ImportFileError(f"{path} could not be read ({err.strerror}); nothing was imported") from None
    name = preset or default or "generic"
    relevant = [p for where, p in problems if where is None or where == name]
    if relevant:
        raise ImportFileError(
            f"The import settings in {path} have {len(relevant)} problem{'s' if len(relevant) != 1 else ''}:\n"
            + "\n".join(f"  {p}" for p in relevant)
            + "\nNothing was imported. Fix " + ("this line" if len(relevant) == 1 else "these lines")
            + " in a text editor and run again.")
    if name not in presets:
        names = sorted(presets) + sorted({str(w) for w, _ in problems if w is not None} - set(presets))
        hint = did_you_mean(name, names)
        raise ImportFileError(f"{path}: there is no preset '{name}'"
                              + (f"; did you mean '{hint}'?" if hint else f"; presets: {', '.join(names) or 'none'}"))
    return presets[name]


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


def _csv_rows(path: Path, text: str, dialect) -> list[list[str]]:
    """Every row of the CSV; ImportFileError naming the row for what the reader cannot take."""
    where = _unclosed_quote(text, dialect)
    if where is not None:
        row, line, cell = where
        header = next(csv.reader(_io.StringIO(text, newline=""), dialect), [])
        column = header[cell].strip() if row > 1 and cell < len(header) and header[cell].strip() else ""
        at = f"row {row}" + (f" (line {line} in a text editor)" if line != row else "")
        raise _refuse_csv(path.name,
                          f'a quote mark " opens on {at}' + (f" in the {column} column" if column else "")
                          + " and is never closed, so the rest of the file would be read into that one cell. "
                          f'Open the file in a text editor such as Notepad, add the closing " at the end of that '
                          f"value on {at.split(' (')[0]} (or delete the opening one), save it and import it again.")
    reader = csv.reader(_io.StringIO(text, newline=""), dialect)
    rows: list[list[str]] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as err:
            n = len(rows) + 1
            if "field larger than field limit" in str(err):
                why = (f"row {n} has a cell longer than {csv.field_size_limit():,} characters. Check that row in a "
                       "text editor: a cell that long is usually a quote mark \" that is not closed where it should be")
            else:
                why = (f"row {n} cannot be read as CSV ({str(err).rstrip('.')}). Open the file in Excel and save "
                       "it again as \"CSV UTF-8 (Comma delimited)\"")
            raise _refuse_csv(path.name, why + ".") from None
        rows.append(row)


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


def read_claims_csv(path: Path, data: bytes, aliases: dict[str, str]):
    """Records ``(where, {tracker column: raw text})`` from a claims CSV, notes about its columns, and
    the rows left out ``(where, why)`` (a Claim ID repeated within the file)."""
    from claimbook.errors import MissingColumnsError

    text = _decode(data, path.name)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
        # A quote inside a quoted cell is written twice ("" ), as Excel and RFC 4180 do; the sniffer often
        # guesses otherwise from a sample without one, and the quotes would then be kept doubled.
        dialect.doublequote = True
    except csv.Error:
        dialect = csv.excel
    rows = _csv_rows(path, text, dialect)
    if not rows:
        raise ImportFileError(f"{path.name} is empty")
    header = rows[0]
    try:
        # Only Claim ID is needed: a status-only export updates claims; new claims lacking Payer or DOS
        # are added and show the gap under Data Issues.
        cols = table.map_input_columns(header, aliases, what=path.name, required=("claim_id",))
    except MissingColumnsError as err:
        raise ImportFileError(str(err).replace("Add it or rename", "Add it to import.yaml or rename")) from None
    unused = [h for i, h in enumerate(header) if h.strip() and i not in cols.values()]
    notes = [f"columns not imported: {', '.join(unused[:12])}{' ...' if len(unused) > 12 else ''}"] if unused else []
    records = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {table.INPUT_BY_FIELD[f].header: (row[i] if i < len(row) else "") for f, i in cols.items()}
        records.append((f"row {n}", values))
    if not records:  # most often an export run with the wrong date range or filter
        raise ImportFileError(f"{path.name} has column headings but no claims under them, so nothing was imported. "
                              "Check the export's date range and filters in your practice system and export again.")
    records, skipped = _repeated_claim_ids(records)
    return records, notes, skipped


def read_x12(path: Path):
    """Parse an 835/277 file with ``claimbook.x12`` (validated; a bad file raises ImportFileError)."""
    try:
        from claimbook.x12 import read_payer_file
    except ImportError:
        raise ImportFileError(f"{path.name} is an X12 (835/277) file; importing those is not available in "
                              "this version") from None
    return read_payer_file(path)


@dataclass
class Batch:
    """One file, read and checked: ``label`` None means it was skipped (already imported)."""

    path: Path
    digest: str
    label: str | None  # "claims CSV", "X12" or None
    payload: object  # CSV records, or the parsed Remittance / StatusReport
    notes: list[str]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why): rows left out when read


def prepare(files, aliases: dict[str, str], seen: dict[str, object], again: bool = False) -> list[Batch]:
    """Read, recognise, parse and validate every file (``ImportFileError`` for the first bad one)."""
    batches = []
    for f in map(Path, files):
        try:
            data = f.read_bytes()
        except FileNotFoundError:
            raise ImportFileError(f"{f} was not found; nothing was imported") from None
        except OSError as err:
            raise ImportFileError(f"{f.name} could not be read ({err.strerror}); nothing was imported") from None
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen and not again:
            when = seen[digest]
            when = when.strftime("%m/%d/%Y") if hasattr(when, "strftime") else "before"
            batches.append(Batch(f, digest, None, [], [f"already imported {when}; skipped (use --again to import "
                                                       "it again)"]))
            continue
        if any(b.digest == digest and b.label is not None for b in batches):
            batches.append(Batch(f, digest, None, [], ["the same file is listed twice; imported once"]))
            continue
        if sniff(f, data[:4096]) == "csv":
            records, notes, skipped = read_claims_csv(f, data, aliases)
            batches.append(Batch(f, digest, "claims CSV", records, notes, skipped))
        else:  # parsed (and validated) now; planned against the rows as they stand when its turn comes
            batches.append(Batch(f, digest, "X12", read_x12(f), []))
    return batches


# --------------------------------------------------------------------------------------------------
# The Claims rows as planned


@dataclass
class ClaimsEdit:
    """The Claims block with the import applied in memory.

    ``rows[:used]`` are the rows in use before the import (changed in place, cells listed in
    ``changed``); ``rows[used:]`` are the rows the import fills: trailing blank rows of the table first
    (``rows[used:existing]``), then rows the table grows by.
    """

    header: list
    rows: list[list]
    used: int
    existing: int
    changed: set[tuple[int, int]] = field(default_factory=set)  # (row index, column index), rows < used

    @property
    def new_rows(self) -> list[list]:
        return self.rows[self.used:]

    @property
    def grows_by(self) -> int:
        return max(0, len(self.rows) - self.existing)

    def changed_columns(self) -> dict[int, list[int]]:
        """Column index -> sorted row indexes of the changed cells in existing rows."""
        out: dict[int, list[int]] = {}
        for r, c in self.changed:
            out.setdefault(c, []).append(r)
        return {c: sorted(rs) for c, rs in sorted(out.items())}


def runs(indexes: list[int]) -> list[list[int]]:
    """Sorted integers split into runs of consecutive ones."""
    out: list[list[int]] = []
    for i in indexes:
        if out and out[-1][-1] == i - 1:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def new_edit(block: Block) -> ClaimsEdit:
    width = len(block.header)
    rows = [list(r) + [None] * (width - len(r)) for r in block.rows]
    used = 0
    for i, r in enumerate(rows):
        if not table.row_is_blank(r, range(width)):
            used = i + 1
    return ClaimsEdit(list(block.header), rows, used, len(rows))


class _Merger:
    """Merges records ``(where, {input header: raw value})`` into a ClaimsEdit by Claim ID."""

    def __init__(self, edit: ClaimsEdit, day_first: bool):
        self.edit = edit
        self.day_first = day_first
        self.cols = table.map_input_columns(edit.header)  # field -> index
        self.rows_by_key: dict[str, list[int]] = {}
        id_col = self.cols["claim_id"]
        for i, row in enumerate(edit.rows):
            key = table.claim_key(row[id_col])
            if key:
                self.rows_by_key.setdefault(key, []).append(i)
        self.next_row = edit.used

    def current(self) -> dict[str, dict[str, object]]:
        """Claim ID (as matched) -> {input header: value}, for rows whose Claim ID is on one row only."""
        out = {}
        for key, rows in self.rows_by_key.items():
            if len(rows) == 1:
                row = self.edit.rows[rows[0]]
                out[key] = {table.INPUT_BY_FIELD[f].header: row[i] for f, i in self.cols.items()}
        return out

    def merge(self, records, report: ImportReport) -> None:
        edit = self.edit
        missing_cols: set[str] = set()
        added_keys = {table.claim_key(c) for c in report.added}
        updated_keys = {table.claim_key(c) for c in report.updated}
        for where, values in records:
            typed: dict[str, object] = {}
            problems: list[str] = []
            for header_name, raw in values.items():
                col = table.INPUT_BY_HEADER.get(header_name)
                if col is None or (raw is not CLEAR and table.is_blank(raw)):
                    continue
                if col.field not in self.cols:
                    missing_cols.add(col.header)
                    continue
                if raw is CLEAR:
                    typed[col.field] = ("ok", None)
                    continue
                value, problem = table.typed_cell(col, raw, self.day_first)
                if problem:
                    problems.append((col.header, problem))
                    typed[col.field] = ("raw", raw)
                else:
                    typed[col.field] = ("ok", value)
            cid = typed.get("claim_id")
            if not cid or cid[0] != "ok" or not cid[1]:
                report.skipped.append((where, "no Claim ID"))
                continue
            key = table.claim_key(cid[1])
            rows = self.rows_by_key.get(key, [])
            if len(rows) == 1:
                self._note_spelling(report, str(cid[1]), edit.rows[rows[0]][self.cols["claim_id"]])
            if len(rows) > 1:
                report.skipped.append((where, f"its Claim ID is on {len(rows)} rows of the tracker; fix the "
                                              "duplicate first"))
                continue
            if not rows:
                r = self.next_row
                self.next_row += 1
                if r >= len(edit.rows):
                    edit.rows.append([None] * len(edit.header))
                row = edit.rows[r]
                for f, (state, v) in typed.items():
                    if v is not None:
                        row[self.cols[f]] = v if state == "ok" else str(v)
                self.rows_by_key[key] = [r]
                if key not in added_keys:
                    report.added.append(str(cid[1]))
                    added_keys.add(key)
                for header, p in problems:
                    label = where if where.startswith("claim ") else f"{where} (claim {cid[1]})"
                    report.notes.append(f"{label}: {header} could not be read; stored as typed, it shows under "
                                        "Data Issues")
                    report.details.append((str(cid[1]), f"{where}: {p}"))
                continue
            r = rows[0]
            row = edit.rows[r]
            changed = False
            for f, (state, v) in typed.items():
                if f == "claim_id":
                    continue
                col = table.INPUT_BY_FIELD[f]
                if state != "ok":
                    report.skipped.append((where, f"{col.header} not changed: the value could not be read"))
                    report.details.append((str(cid[1]), f"{where}: {col.header} not changed: "
                                                         f"{_problem_text(problems, col.header)}"))
                    continue
                c = self.cols[f]
                old = row[c]
                if table.same_cell(col, old, v, self.day_first):
                    continue
                row[c] = v
                if r < edit.used:
                    edit.changed.add((r, c))
                report.changes.append(Change(str(cid[1]), col.header, old, v))
                changed = True
            if changed and key not in updated_keys and key not in added_keys:
                report.updated.append(str(cid[1]))
                updated_keys.add(key)
        if missing_cols:
            report.notes.append("The tracker has no column for " + ", ".join(sorted(missing_cols))
                                + "; those values were not imported")


    @staticmethod
    def _note_spelling(report: ImportReport, typed: str, in_tracker: object) -> None:
        """Say so when a Claim ID matched a row written another way ("00123" and the 123 Excel made of it)."""
        shown = table.parse_text(in_tracker, "Claim ID", [])
        if shown and shown != typed.strip():
            note = f'Claim ID "{typed.strip()}" matched claim {shown} in the tracker'
            if note not in report.notes:
                report.notes.append(note)


def _problem_text(problems: list[tuple[str, str]], header: str) -> str:
    for h, p in problems:
        if h == header:
            return p
    return "the value could not be read"


# --------------------------------------------------------------------------------------------------
# 835 / 277 -> records


class _ByKey(dict):
    """``current`` for ``claimbook.x12.plan_file``: looked up by Claim ID as claimbook matches them."""

    def get(self, key, default=None):
        return super().get(table.claim_key(key), default)

    def __contains__(self, key) -> bool:
        return super().__contains__(table.claim_key(key))


def _money(v) -> str:
    return f"{v:,.2f}" if isinstance(v, (int, float)) else ""


def _unmatched_text(um) -> str:
    """The reason with the payer file's own details (amounts, payer, patient): for the Import Log only."""
    rec = um.record
    bits = []
    if hasattr(rec, "paid") and hasattr(rec, "charge") and rec.charge is not None:
        bits.append(f"paid {_money(rec.paid or 0.0)} of {_money(rec.charge)}")
    if getattr(rec, "payer_name", ""):
        bits.append(rec.payer_name)
    if getattr(rec, "patient_name", ""):
        bits.append(rec.patient_name)
    if getattr(um, "detail", ""):
        bits.append(um.detail)
    return um.reason + (f" ({', '.join(bits)})" if bits else "")


def _new_claim_values(claim_id: str, payments) -> dict[str, object]:
    """The row ``--add-unmatched`` adds for a remittance claim that is not in the tracker."""
    from claimbook.x12 import COLUMNS, plan_835

    blank = _ByKey({table.claim_key(claim_id): {c: None for c in COLUMNS} | {"Claim ID": claim_id}})
    plan = plan_835(list(payments), blank)
    values: dict[str, object] = {"Claim ID": claim_id}
    for ch in plan.changes:
        values[ch.column] = ch.new
    standing = [p for p in payments if not p.is_reversal and p.is_payment]
    first = standing[0] if standing else payments[0]
    values["Patient"] = first.patient_name or None
    values["Payer"] = first.payer_name or None
    values["Payer ID"] = first.payer_id or None
    values["Billed"] = round(sum(p.charge for p in standing), 2) if standing else None
    dates = [ln.service_date for p in payments for ln in p.service_lines if ln.service_date]
    if dates:
        values["DOS"] = min(dates)
    return {k: v for k, v in values.items() if v not in (None, "")}


def _x12_records(parsed, merger: _Merger, report: ImportReport, add_unmatched: bool, payer_key=None):
    """Plan an 835/277 against the rows as they stand now; records for the merge. ``payer_key`` tells
    whether a remittance's payer is the row's (``payer_key_for``)."""
    from claimbook.x12 import Remittance, describe_plb, plan_file

    plan = plan_file(parsed, _ByKey(merger.current()), payer_key)
    report.kind = getattr(parsed, "transaction", None) or plan.kind
    by_claim: dict[str, dict] = {}
    for ch in plan.changes:
        new = CLEAR if ch.new in (None, "") else ch.new
        by_claim.setdefault(ch.claim_id, {"Claim ID": ch.claim_id})[ch.column] = new
    records = [(f"claim {cid}", values) for cid, values in by_claim.items()]

    plb_lines = {describe_plb(p) for p in plan.provider_adjustments}
    report.provider_adjustments.extend(describe_plb(p) for p in plan.provider_adjustments)
    report.notes.extend(n for n in plan.notes if n not in plb_lines)

    not_in_tracker: dict[str, list] = {}
    for um in plan.unmatched:
        if um.reason == "not in the tracker":
            not_in_tracker.setdefault(um.claim_id, []).append(um.record)
        else:
            report.skipped.append((f"claim {um.claim_id}", um.reason))
            report.details.append((um.claim_id, f"claim {um.claim_id}: {_unmatched_text(um)}"))
    for cid, recs in not_in_tracker.items():
        # Duplicate Claim IDs in the tracker are "not in" the plan's rows but are not new claims either.
        key = table.claim_key(cid)
        if len(merger.rows_by_key.get(key, [])) > 1:
            report.skipped.append((f"claim {cid}", f"its Claim ID is on {len(merger.rows_by_key[key])} rows of "
                                                   "the tracker; fix the duplicate first"))
            continue
        from claimbook.x12.changes import Unmatched

        text = _unmatched_text(Unmatched(cid, "not in the tracker", recs[-1]))
        report.unmatched.append(f"claim {cid}: not in the tracker")
        if add_unmatched and isinstance(parsed, Remittance):
            records.append((f"claim {cid}", _new_claim_values(cid, recs)))
            report.details.append((cid, f"claim {cid}: {text}"))
        else:
            report.skipped.append((f"claim {cid}", text))
    return records


# --------------------------------------------------------------------------------------------------
# Planning a whole import


@dataclass
class ImportResult:
    reports: list[ImportReport]
    edit: ClaimsEdit

    @property
    def imported(self) -> bool:
        """Whether any file was imported (not all skipped as already imported)."""
        return any(r.kind != "(skipped)" for r in self.reports)


def payer_key_for(rules):
    """(payer name, payer ID) -> the key of the payer rules file they match, None for an unknown payer."""
    if rules is None:
        return None

    def key(name: str, payer_id: str):
        payer, known = rules.payer_for(name or "", payer_id or "")
        return payer.key if known else None

    return key


def plan(batches: list[Batch], claims: Block, day_first: bool = False, add_unmatched: bool = False,
         rules=None) -> ImportResult:
    """Apply every batch, in order, to the Claims rows in memory; nothing is written. With ``rules``, a
    remittance's payer is matched to the row's payer through the payer rules' names and IDs."""
    payer_key = payer_key_for(rules)
    edit = new_edit(claims)
    merger = _Merger(edit, day_first)
    reports = []
    for b in batches:
        rep = ImportReport(b.path.name, b.digest, b.label or "(skipped)", [], [], [], list(b.skipped), list(b.notes))
        if b.label == "X12":
            merger.merge(_x12_records(b.payload, merger, rep, add_unmatched, payer_key), rep)
        elif b.label is not None:
            merger.merge(b.payload, rep)
        reports.append(rep)
    return ImportResult(reports, edit)


def plan_files(files, claims: Block, settings_rows, rules_folder: Path | None, log_rows_read,
               preset: str | None = None, again: bool = False, add_unmatched: bool = False) -> ImportResult:
    """Everything before writing, for an edge that has read the Claims, Settings and Import Log blocks."""
    from claimbook.rules.loader import load_rules

    table.map_input_columns(claims.header)  # a tracker without Claim ID / Payer / DOS stops here
    aliases, day_first = load_import_settings(rules_folder, preset)
    batches = prepare(files, aliases, hashes_in_log(log_rows_read), again)
    rules = None
    if day_first is None or any(b.label == "X12" for b in batches):
        rules = load_rules(rules_folder)
    if day_first is None:
        day_first = rules.settings.day_first_dates
    return plan(batches, claims, day_first, add_unmatched, rules)


# --------------------------------------------------------------------------------------------------
# The Import Log


def hashes_in_log(rows) -> dict[str, object]:
    """SHA-256 -> import date of every file on the Import Log (its data rows, columns A..C)."""
    out: dict[str, object] = {}
    for row in rows or ():
        if len(row) < 3:
            continue
        h = row[2]
        if isinstance(h, str) and len(h) == 64 and h not in out:
            out[h] = row[0]
    return out


def _log_value(v):
    if v is None or isinstance(v, (str, int, float, date, datetime)):
        return v.value if hasattr(v, "value") and isinstance(getattr(v, "value"), str) else v
    return str(v)


def log_rows(reports: list[ImportReport], when: datetime) -> list[list]:
    """Rows for the Import Log: per file a summary row (file, hash, kind, counts, notes), then a row per
    new claim, per change (claim, field, old, new), per provider-level adjustment and per skipped line."""
    stamp = when.replace(microsecond=0)
    out: list[list] = []

    def row(claim=None, fld=None, old=None, new=None, note=None):
        return [stamp, rep.file, None, None, None, None, None, claim, fld, _log_value(old), _log_value(new), note]

    for rep in reports:
        out.append([stamp, rep.file, rep.sha256, rep.kind, len(rep.added), len(rep.updated), len(rep.skipped),
                    None, None, None, None, "; ".join(rep.notes) or None])
        out += [row(cid, "(new claim)") for cid in rep.added]
        out += [row(ch.claim_id, ch.field, ch.old, ch.new) for ch in rep.changes]
        out += [row(None, "(provider adjustment)", note=text) for text in rep.provider_adjustments]
        out += [row(note=f"skipped {w}: {why}") for w, why in rep.skipped]
        out += [row(claim, note=text) for claim, text in rep.details]
    return out


# --------------------------------------------------------------------------------------------------
# Telling people what happened


def summary(reports: list[ImportReport], tracker_note: str = "") -> str:
    """A plain-language account of an import, for a message box."""
    lines = []
    for rep in reports:
        if rep.kind == "(skipped)":
            lines.append(f"{rep.file}: {rep.notes[0] if rep.notes else 'skipped'}".replace(
                " (use --again to import it again)", ""))
            continue
        what = {"835": "remittance (835)", "277": "claim status (277)", "277CA": "acknowledgment (277CA)"}.get(
            rep.kind, rep.kind)
        parts = [f"{len(rep.updated)} claim{'s' if len(rep.updated) != 1 else ''} updated "
                 f"({len(rep.changes)} change{'s' if len(rep.changes) != 1 else ''})"]
        if rep.added:
            parts.append(f"{len(rep.added)} added")
        if rep.unmatched:
            ids = ", ".join(u.split(":", 1)[0].removeprefix("claim ") for u in rep.unmatched[:5])
            more = "…" if len(rep.unmatched) > 5 else ""
            parts.append(f"{len(rep.unmatched)} not in the tracker ({ids}{more})")
        if rep.provider_adjustments:
            parts.append(f"{len(rep.provider_adjustments)} provider-level adjustment"
                         f"{'s' if len(rep.provider_adjustments) != 1 else ''} (not a claim)")
        other = sum(1 for _, why in rep.skipped if not why.startswith("not in the tracker"))
        if other > 0:
            parts.append(f"{other} line{'s' if other != 1 else ''} skipped")
        lines.append(f"{rep.file} — {what}: " + ", ".join(parts) + ".")
    if tracker_note:
        lines.append(tracker_note)
    lines.append("Every change is listed on the Import Log sheet.")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# The command line's import: a workbook file, with openpyxl


def import_files(files, tracker, preset=None, again=False, as_of=None, rules_dir=None, add_unmatched=False):
    """Import ``files`` into the tracker file and refresh it; returns (reports, refresh output or None).

    Every file is read and checked before the tracker is changed; one atomic save at the end. When every
    file was already imported (and ``again`` is off) the tracker is not touched and the output is None.
    """
    from claimbook.workbook import io
    from claimbook.workbook.refresh import backups_kept, refresh_workbook, rules_folder_for

    tracker = Path(tracker)
    wb = io.load(tracker)
    settings_rows = io.read_settings_rows(wb)
    folder = rules_folder_for(tracker, table.tracker_settings(settings_rows).rules_folder, rules_dir)
    place = io.find_claims(wb, tracker.name)
    result = plan_files(files, io.read_block(place), settings_rows, folder, io.read_import_log(wb), preset,
                        again, add_unmatched)
    if not result.imported:
        return result.reports, None
    io.apply_edit(place, result.edit)
    io.write_import_log(wb, result.reports, datetime.now())
    output, rules, _ = refresh_workbook(wb, tracker, as_of, rules_dir)
    io.save_atomic(wb, tracker, backups_kept(output, rules))
    return result.reports, output
