"""The rows of a claims export as claim records: the report layout around them recognised and skipped.

Practice-management reports are written for printing: a title and the report's parameters above the
column headings, blank lines, subtotal and totals rows, the headings again after each page break, a
footer ("Page 2 of 5", "Printed 11/23/2026"). ``export_records`` finds the row of column headings, reads
every claim row under it and lists every other row with why it was skipped, so nothing becomes a phantom
claim. The headings also pick the system's preset (``claimbook.imports.presets``), and the status words
are read by ``claimbook.imports.words``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from claimbook import table
from claimbook.errors import ImportFileError, MissingColumnsError
from claimbook.imports import words
from claimbook.imports.presets import Preset, recognise

HEADER_SEARCH_ROWS = 40  # a report's title and parameter block is never longer than this

_TOTALS = re.compile(r"^\s*((grand|report|sub|page|payer|provider|group|claim|insurance|final)\s*-?\s*)?totals?\b"
                     r"|^\s*(count|sum|subtotal)\b|\btotals?\s*(for|:)", re.I)
_FOOTER = re.compile(r"^\s*(page\s+\d+(\s+of\s+\d+)?|printed\b|generated\b|run\s+(date|by|on)\b|report\s+(date|run|"
                     r"generated|printed)\b|end\s+of\s+(the\s+)?report\b|confidential|\*{3}|-{3}|date\s+range\b|"
                     r"\d+\s+(claims?|records?|rows?)\b)", re.I)


class Flagged(str):
    """A status word no map knows, kept as written (the merge does not note it again per claim)."""


@dataclass
class ExportSettings:
    """What reading an export needs besides the file: the practice's column names and status words
    (import.yaml), the presets, and a preset named on the command line."""

    aliases: dict[str, str] = field(default_factory=dict)  # normalised heading -> tracker header
    statuses: dict[str, str] = field(default_factory=dict)  # word key -> claimbook status
    presets: list[Preset] = field(default_factory=list)
    forced: Preset | None = None
    where: str = "import.yaml"  # where the practice's words live, for messages


def _known_fields(row: list[str], settings: ExportSettings) -> dict[str, int]:
    extra = dict(settings.aliases)
    for p in settings.presets:
        for k, v in p.columns.items():
            extra.setdefault(k, v)
        for k in p.statuses:
            extra.setdefault(k, "Status")
    found: dict[str, int] = {}
    for i, h in enumerate(row):
        col = table.input_column_for(h, extra)
        if col is not None and col.field not in found:
            found[col.field] = i
    return found


def find_header(rows: list[list[str]], settings: ExportSettings) -> int | None:
    """The index of the row of column headings: the first row (in the first 40) that a preset recognises or
    that names a claim-number column and at least one more tracker column."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [c for c in row if not table.is_blank(c)]
        if len(cells) < 2:
            continue
        if recognise(row, settings.presets) is not None:
            return i
        found = _known_fields(row, settings)
        if "claim_id" in found and len(found) >= 2:
            return i
    return None


def _no_header(name: str, rows: list[list[str]], settings: ExportSettings) -> ImportFileError:
    first = next((r for r in rows if sum(not table.is_blank(c) for c in r) >= 2), None)
    if first is not None:  # a row of headings without a claim-number column: name what was found
        try:
            table.map_input_columns(first, settings.aliases, what=name, required=("claim_id",))
        except MissingColumnsError as err:
            return ImportFileError(str(err).replace("Add it or rename", f"Add it to {settings.where} or rename")
                                   + f" (claimbook looked for the row of column headings in the first "
                                   f"{HEADER_SEARCH_ROWS} rows, below any report title.)")
    return ImportFileError(
        f"{name}: refused, nothing was imported — no row of column headings was found in the first "
        f"{HEADER_SEARCH_ROWS} rows. claimbook expects a row naming the claim number (for example 'Claim ID', "
        "'Claim #', 'Encounter ID' or 'Patient Control Number') and at least one more column (payer, date of "
        "service, status...). Export the claim report from your practice system as CSV (the data export, not "
        "the printed report) with its column headings, or, if your claim-number column has another name, add it "
        f"to {settings.where} as a line 'Your heading: Claim ID' under columns:, then import the file again.")


def _rows_text(numbers: list[int]) -> str:
    nums = [str(n) for n in numbers]
    return nums[0] if len(nums) == 1 else ", ".join(nums[:-1]) + " and " + nums[-1]


def _is_amount(text: str) -> bool:
    t = text.strip().replace("$", "").replace(",", "").strip("()").strip()
    return bool(re.fullmatch(r"-?\d+(\.\d+)?", t))


def export_records(name: str, rows: list[list[str]], settings: ExportSettings):
    """``(records, notes, skipped)`` for a claims export's rows (``rows`` as the CSV reader gives them).

    ``records`` are ``(where, {tracker header: raw text})``; every row that is not a claim is in
    ``skipped`` as ``(where, why)``. ImportFileError when no row of column headings is found.
    """
    h = find_header(rows, settings)
    if h is None:
        raise _no_header(name, rows, settings)
    header = rows[h]
    preset = settings.forced or recognise(header, settings.presets)
    aliases = dict(preset.columns) if preset else {}
    aliases.update(settings.aliases)  # the practice's own names win over a preset's
    status_cols: list[int] = []
    if preset:
        norm = [table.norm_header(x) for x in header]
        status_cols = [norm.index(c) for c in preset.status_order if c in norm]
    try:
        cols = table.map_input_columns([("" if i in status_cols else x) for i, x in enumerate(header)], aliases,
                                       what=name, required=("claim_id",))
    except MissingColumnsError as err:
        raise ImportFileError(str(err).replace("Add it or rename", f"Add it to {settings.where} or rename")) from None
    if not preset and "status" in cols:
        status_cols = [cols["status"]]
    cols.pop("status", None)
    preset_words = preset.statuses if preset else {}
    used = set(cols.values()) | set(status_cols)
    unused = [x for i, x in enumerate(header) if x.strip() and i not in used]
    notes = []
    if preset:
        notes.append(f"read as an export from {preset.system} (preset {preset.file})")
    if unused:
        notes.append(f"columns not imported: {', '.join(unused[:12])}{' ...' if len(unused) > 12 else ''}")
    from claimbook.imports.notices import same_field_columns

    notes += same_field_columns(header, cols, aliases)  # two "Payer" columns: said, not silently the first
    skipped: list[tuple[str, str]] = []
    above = [n for n, r in enumerate(rows[:h], start=1) if any(not table.is_blank(c) for c in r)]
    if above:
        skipped.append((f"row{'s' if len(above) > 1 else ''} {_rows_text(above)}",
                        "report title or parameters above the column headings"))
    id_col = cols["claim_id"]
    money = [cols[f] for f in ("billed", "paid", "expected", "patient_resp") if f in cols]
    header_key = [table.norm_header(x) for x in header]
    blanks: list[int] = [n for n, r in enumerate(rows[:h], start=1) if not any(not table.is_blank(c) for c in r)]
    records = []
    unknowns: dict[tuple[str, str], words.Unknown] = {}
    for n, row in enumerate(rows[h + 1:], start=h + 2):
        filled = [c for c in row if not table.is_blank(c)]
        if not filled:
            blanks.append(n)
            continue
        where = f"row {n}"
        if [table.norm_header(x) for x in row[:len(header)]] == header_key:
            skipped.append((where, "the column headings again (a page break)"))
            continue
        claim = row[id_col].strip() if id_col < len(row) else ""
        if any(_TOTALS.search(c) for c in row if isinstance(c, str) and not _is_amount(c)):
            skipped.append((where, "a subtotal or totals row"))
            continue
        if not claim:
            if any(i < len(row) and _is_amount(row[i]) for i in money) and all(_is_amount(c) for c in filled):
                skipped.append((where, "a subtotal or totals row (amounts but no claim number)"))
            elif len(filled) == 1:
                skipped.append((where, "a heading, group or footer line (one cell of text)"))
            else:
                skipped.append((where, "no Claim ID"))
            continue
        if _FOOTER.match(claim) or (len(filled) == 1 and len(header) > 2 and (" " in claim or ":" in claim
                                                                                or not re.search(r"\d", claim))):
            skipped.append((where, "a heading, group or footer line (one cell of text)"))
            continue
        values = {table.INPUT_BY_FIELD[f].header: (row[i] if i < len(row) else "") for f, i in cols.items()}
        codes = values.get("Denial Codes")
        if codes and not table.is_blank(codes):
            problems: list[str] = []
            table.parse_denials(codes, "Denial Codes", problems)
            if problems:  # a denial or kick reason in words: keep the codes in it ("CO-45 Charge exceeds...")
                values["Denial Codes"] = words.denial_codes(codes) or ""
        if status_cols:
            cells = [(header[i], row[i] if i < len(row) else "") for i in status_cols]
            status, unknown = words.row_status(cells, values, preset_words, settings.statuses)
            if unknown is not None:
                u = unknowns.setdefault((words.word_key(unknown[0]), unknown[1]), words.Unknown(*unknown))
                u.claims.append(" ".join(claim.split()))
                values["Status"] = Flagged(unknown[0])
            else:
                values["Status"] = status or ""
        records.append((where, values))
    if blanks:
        skipped.append((f"row{'s' if len(blanks) > 1 else ''} {_rows_text(blanks)}", "blank line"))
    notes += words.unknown_lines(unknowns, settings.where)
    if not records:
        raise ImportFileError(f"{name} has column headings but no claims under them, so nothing was imported. "
                              "Check the export's date range and filters in your practice system and export again.")
    return records, notes, skipped
