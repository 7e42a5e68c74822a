"""``claimbook import FILE... --into TRACKER``: merge claims files into a tracker, then refresh it.

Each file is recognised by its content, not its name, and handed to the reader for its kind: claims
CSV exports (column names mapped by ``import.yaml`` and the table layer's aliases), X12 835 remittances
and 277 status files (``claimbook.x12`` parses, validates and plans them against the current rows).
Every reader ends in ``(where, {tracker column: value})`` records; the merge, the Import Log and the
refresh are the same for all of them. Every file is read and validated before the tracker changes;
one atomic save at the end, with backups.
"""

from __future__ import annotations

import csv
import hashlib
import io as _io
from datetime import datetime
from pathlib import Path

from claimbook.commands._common import parse_as_of
from claimbook.errors import ImportFileError, TrackerError


def add_parser(sub) -> None:
    p = sub.add_parser(
        "import", help="add or update claims in a tracker from CSV exports, 835 remittances and 277 status files",
        description="Merge claims files into a tracker by Claim ID: new claims are added, existing claims get the "
                    "file's non-empty values in claimbook's input columns, nothing is deleted. Every change is "
                    "listed on the tracker's Import Log sheet; the tracker is then refreshed.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="claims CSV exports, 835 remittance or 277 status files (recognised by content)")
    p.add_argument("--into", required=True, metavar="TRACKER", help="the tracker workbook (.xlsm or .xlsx)")
    p.add_argument("--preset", metavar="NAME", help="column-name preset from import.yaml (default: its 'preset')")
    p.add_argument("--again", action="store_true", help="import a file even if the Import Log shows it was "
                                                         "imported before")
    p.add_argument("--as-of", metavar="DATE", help="refresh as of this date (YYYY-MM-DD)")
    p.add_argument("--rules", metavar="DIR", help="rules folder (also where import.yaml is looked for)")
    p.set_defaults(run=run)


# --------------------------------------------------------------------------------------------------
# Sniffing


def sniff(path: Path, head: bytes) -> str:
    """The kind of a file from its first bytes: "x12", "csv"; ImportFileError for anything else."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"ISA"):
        return "x12"
    if text.startswith(b"PK\x03\x04"):
        raise ImportFileError(f"{path.name} is a workbook or zip file; export the claims as CSV and import that")
    if b"\x00" in head:
        raise ImportFileError(f"{path.name} is not a text file claimbook can import (CSV, 835 or 277)")
    first = text.split(b"\n", 1)[0]
    if any(d in first for d in (b",", b";", b"\t", b"|")):
        return "csv"
    raise ImportFileError(f"{path.name} is not a CSV file with a header row, an 835 or a 277 file")


def _decode(data: bytes, name: str) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"{name} is not readable text (save it as CSV UTF-8 and try again)")


# --------------------------------------------------------------------------------------------------
# Claims CSV


def load_import_settings(rules_folder: Path | None, preset: str | None):
    """(extra column aliases, day_first or None) from import.yaml: the rules folder's, else the built-in one."""
    import yaml

    from claimbook import table
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
    from claimbook import table
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


def x12_records(parsed, place, report):
    """Plan an 835/277 against the tracker rows as they are now; records for the merge, skips and notes."""
    from claimbook import table
    from claimbook.workbook import io
    from claimbook.x12 import plan_file

    block = io.read_block(place)
    cols = table.map_input_columns(block.header)
    current = {}
    for row in block.rows:
        cid = table.parse_text(row[cols["claim_id"]], "Claim ID", [])
        if cid and cid not in current:
            current[cid] = {table.INPUT_BY_FIELD[f].header: row[i] for f, i in cols.items()}
    plan = plan_file(parsed, current)
    by_claim: dict[str, dict] = {}
    for ch in plan.changes:
        by_claim.setdefault(ch.claim_id, {"Claim ID": ch.claim_id})[ch.column] = ch.new
    for um in plan.unmatched:
        report.skipped.append((f"claim {um.claim_id}", um.reason))
    report.notes.extend(plan.notes)
    report.kind = plan.kind
    return [(f"claim {cid}", values) for cid, values in by_claim.items()]


# --------------------------------------------------------------------------------------------------
# The command


def import_files(files, tracker, preset=None, again=False, as_of=None, rules_dir=None):
    """Import ``files`` into ``tracker`` and refresh it; returns (reports, refresh output).

    Every file is read and checked before the tracker is changed; one atomic save at the end.
    """
    from claimbook import table
    from claimbook.workbook import io
    from claimbook.workbook.refresh import backups_kept, refresh_workbook, rules_folder_for

    tracker = Path(tracker)
    wb = io.load(tracker)
    settings = table.tracker_settings(io.read_settings_rows(wb))
    folder = rules_folder_for(tracker, settings.rules_folder, rules_dir)
    aliases, day_first = load_import_settings(folder, preset)
    seen = io.imported_hashes(wb)
    place = io.find_claims(wb, tracker.name)
    table.map_input_columns(place.header())

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
            batches.append((f, digest, None, [], [f"already imported {when}; skipped (use --again to import it "
                                                   "again)"]))
            continue
        kind = sniff(f, data[:4096])
        if kind == "csv":
            records, notes = read_claims_csv(f, data, aliases)
            batches.append((f, digest, "claims CSV", records, notes))
        else:  # parsed (and validated) now; planned against the rows as they stand when its turn comes
            batches.append((f, digest, "X12", read_x12(f), []))

    from claimbook.rules.loader import load_rules

    if day_first is None:
        day_first = load_rules(folder).settings.day_first_dates
    reports = []
    for f, digest, label, records, notes in batches:
        rep = io.ImportReport(f.name, digest, label or "(skipped)", [], [], [], [], list(notes))
        if label == "X12":
            records = x12_records(records, place, rep)
        if label is not None:
            io.merge_records(place, records, rep, day_first)
        reports.append(rep)
    io.write_import_log(wb, reports, datetime.now())
    output, rules, _ = refresh_workbook(wb, tracker, as_of, rules_dir)
    io.save_atomic(wb, tracker, backups_kept(output, rules))
    return reports, output


def run(args) -> int:
    from claimbook.commands.refresh import print_problems

    try:
        reports, output = import_files(args.files, args.into, args.preset, args.again, parse_as_of(args.as_of),
                                       args.rules)
    except TrackerError:
        raise
    for rep in reports:
        print(rep.line())
        for where, why in rep.skipped[:50]:
            print(f"  skipped {where}: {why}")
        if len(rep.skipped) > 50:
            print(f"  ... and {len(rep.skipped) - 50} more (see the Import Log sheet)")
        for note in rep.notes:
            print(f"  note: {note[:300]}")
    print(f"{Path(args.into).name} refreshed as of {output.as_of:%m/%d/%Y}: {output.summary.line()}.")
    print_problems(output.rules_problems)
    return 0
