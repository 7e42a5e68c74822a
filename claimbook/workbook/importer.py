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
        raise ImportFileError(f"{path.name} is not a text file claimbook can import (CSV, 835 or 277)")
    raise ImportFileError(f"{path.name} is not a CSV file with a header row, an 835 or a 277 file")


def _decode(data: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"{name} is not readable text (save it as CSV UTF-8 and try again)")


def load_import_settings(rules_folder: Path | None, preset: str | None):
    """(extra column aliases, day_first or None) from import.yaml: the rules folder's, else the built-in one."""
    import yaml

    from claimbook.rules.loader import default_rules_dir
    from claimbook.suggest import did_you_mean

    candidates = [p for p in ((rules_folder / "import.yaml") if rules_folder else None,
                              default_rules_dir() / "import.yaml") if p is not None]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        return {}, None
    try:
        # BaseLoader: every value stays text ("NO" is not False, "00123" keeps its zeros).
        tree = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=yaml.BaseLoader) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ImportFileError(f"{where}: this is not valid YAML ({getattr(err, 'problem', 'syntax error')})") from None
    if not isinstance(tree, dict):
        raise ImportFileError(f"{path}: expected 'preset:' and 'presets:' sections")
    presets = tree.get("presets") or {}
    name = preset or tree.get("preset") or "generic"
    if not isinstance(presets, dict) or name not in presets:
        names = list(presets) if isinstance(presets, dict) else []
        hint = did_you_mean(name, names)
        raise ImportFileError(f"{path}: there is no preset '{name}'"
                              + (f"; did you mean '{hint}'?" if hint else f"; presets: {', '.join(names) or 'none'}"))
    body = presets[name] or {}
    columns = body.get("columns") or {}
    if not isinstance(columns, dict):
        raise ImportFileError(f"{path}: preset '{name}' columns should be lines like 'Encounter Number: Claim ID'")
    aliases: dict[str, str] = {}
    headers = [c.header for c in table.INPUT_COLUMNS]
    for source, target in columns.items():
        col = table.input_column_for(target)
        if col is None:
            hint = did_you_mean(str(target), headers)
            raise ImportFileError(f"{path}: preset '{name}': '{target}' is not a tracker column"
                                  + (f"; did you mean '{hint}'?" if hint else ""))
        aliases[table.norm_header(source)] = col.header
    order = str(body.get("date_order", "")).strip().lower()
    day_first = {"day first": True, "month first": False}.get(order)
    if order and day_first is None:
        raise ImportFileError(f"{path}: preset '{name}': date_order '{order}' should be 'month first' or 'day first'")
    return aliases, day_first


def read_claims_csv(path: Path, data: bytes, aliases: dict[str, str]):
    """Records ``(where, {tracker column: raw text})`` from a claims CSV, and notes about its columns."""
    from claimbook.errors import MissingColumnsError

    text = _decode(data, path.name)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(_io.StringIO(text, newline=""), dialect))
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
    return records, notes


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
            records, notes = read_claims_csv(f, data, aliases)
            batches.append(Batch(f, digest, "claims CSV", records, notes))
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
    return um.reason + (f" ({', '.join(bits)})" if bits else "")


def _new_claim_values(claim_id: str, payments) -> dict[str, object]:
    """The row ``--add-unmatched`` adds for a remittance claim that is not in the tracker."""
    from claimbook.x12 import COLUMNS, plan_835

    blank = _ByKey({table.claim_key(claim_id): {c: None for c in COLUMNS} | {"Claim ID": claim_id}})
    plan = plan_835(list(payments), blank)
    values: dict[str, object] = {"Claim ID": claim_id}
    for ch in plan.changes:
        values[ch.column] = ch.new
    standing = [p for p in payments if not p.is_reversal]
    first = standing[0] if standing else payments[0]
    values["Patient"] = first.patient_name or None
    values["Payer"] = first.payer_name or None
    values["Payer ID"] = first.payer_id or None
    values["Billed"] = round(sum(p.charge for p in standing), 2) if standing else None
    dates = [ln.service_date for p in payments for ln in p.service_lines if ln.service_date]
    if dates:
        values["DOS"] = min(dates)
    return {k: v for k, v in values.items() if v not in (None, "")}


def _x12_records(parsed, merger: _Merger, report: ImportReport, add_unmatched: bool):
    """Plan an 835/277 against the rows as they stand now; records for the merge."""
    from claimbook.x12 import Remittance, describe_plb, plan_file

    plan = plan_file(parsed, _ByKey(merger.current()))
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


def plan(batches: list[Batch], claims: Block, day_first: bool = False, add_unmatched: bool = False) -> ImportResult:
    """Apply every batch, in order, to the Claims rows in memory; nothing is written."""
    edit = new_edit(claims)
    merger = _Merger(edit, day_first)
    reports = []
    for b in batches:
        rep = ImportReport(b.path.name, b.digest, b.label or "(skipped)", [], [], [], [], list(b.notes))
        if b.label == "X12":
            merger.merge(_x12_records(b.payload, merger, rep, add_unmatched), rep)
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
    if day_first is None:
        day_first = load_rules(rules_folder).settings.day_first_dates
    return plan(batches, claims, day_first, add_unmatched)


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
