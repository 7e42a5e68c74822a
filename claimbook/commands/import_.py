"""``claimbook import FILE... --into TRACKER``: merge claims files into a tracker, then refresh it.

Each file is recognised by its content, not its name: claims CSV exports, X12 835 remittances and 277
status files. The work is done by ``claimbook.imports`` (shared with the ribbon's "Import
remittance" button); this module parses the arguments, calls it and prints what happened.
"""

from __future__ import annotations

from pathlib import Path

from claimbook.commands._common import parse_as_of, print_problems
from claimbook.workbook.importer import import_files

_LISTED = 50
# Exit code when some files were refused and the others imported (2: nothing imported, every file refused
# or another error; 1: rules errors; 0: every file imported or already imported). docs/x12-import.md.
SOME_REFUSED = 3


def add_parser(sub) -> None:
    p = sub.add_parser(
        "import", help="add or update claims in a tracker from CSV exports, 835 remittances and 277 status files",
        description="Merge claims files into a tracker by Claim ID: new claims are added, existing claims get the "
                    "file's values in claimbook's input columns, nothing is deleted. Every change is "
                    "listed on the tracker's Import Log sheet; the tracker is then refreshed. A file that "
                    "cannot be read safely is refused whole and listed; the other files are still imported.",
        epilog="Exit status: 0 every file imported (or already imported); 3 some files were refused and the "
               "others imported; 2 nothing imported (every file refused, or the tracker could not be used).",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="claims CSV exports, 835 remittance or 277 status files (recognised by content)")
    p.add_argument("--into", metavar="TRACKER",
                   help="the tracker workbook (.xlsm or .xlsx); without it, the one tracker in the current folder")
    p.add_argument("--preset", metavar="NAME", help="a system preset from the rules folder's presets folder (tebra, athenaone, advancedmd, "
                                         "eclinicalworks, drchrono, officeally, collaboratemd, nextgen_office), or a "
                                         "column-name preset from import.yaml (default: the system is recognised "
                                         "from the column headings)")
    p.add_argument("--again", action="store_true", help="import a file even if the Import Log shows it was "
                                                         "imported before")
    p.add_argument("--add-unmatched", action="store_true",
                   help="add remittance (835) claims that are not in the tracker as new rows (default: only list "
                        "them)")
    p.add_argument("--as-of", metavar="DATE", help="refresh as of this date (YYYY-MM-DD)")
    p.add_argument("--rules", metavar="DIR", help="rules folder (also where import.yaml is looked for)")
    p.set_defaults(run=run)


def _listed(label: str, items: list[str]) -> None:
    for item in items[:_LISTED]:
        print(f"  {label}{item}")
    if len(items) > _LISTED:
        print(f"  ... and {len(items) - _LISTED} more (see the Import Log sheet)")


def run(args) -> int:
    from claimbook.commands._tracker import say_found, tracker_or_found

    into, found = tracker_or_found(args.into, "claimbook import FILE --into ClaimTracker.xlsm")
    args.into = str(into)
    as_of = parse_as_of(args.as_of)
    if found:
        say_found(into)
    reports, output = import_files(args.files, args.into, args.preset, args.again, as_of,
                                   args.rules, args.add_unmatched)
    for rep in reports:
        print(rep.line())
        if rep.refused:
            for line in (rep.notes[0] if rep.notes else "").splitlines():
                print(f"  {line.removeprefix(rep.file + ': ')}")
            continue
        # Claim IDs, counts and column names only: names and cell contents stay on the Import Log sheet.
        unmatched = [u.split(":", 1)[0] for u in rep.unmatched]
        _listed("not in the tracker: ", [u + (" — added" if u.removeprefix("claim ") in rep.added else "")
                                         for u in unmatched])
        _listed("skipped ", [f"{where}: {why}" for where, why in rep.skipped
                             if not why.startswith("not in the tracker")])
        _listed("provider-level adjustment: ", rep.provider_adjustments)
        _listed("warning: ", rep.warnings)
        for note in rep.notes:  # an unknown status word's note carries the line to add: printed whole
            print(f"  note: {note if note.startswith(('status word', 'payer')) else note[:300]}")
        if rep.kept:
            print(f"  kept {len(rep.kept)} value{'s' if len(rep.kept) != 1 else ''} changed on the Claims sheet since "
                  "the last import (the file still says what that import wrote; see the Import Log)")
    refused = [r for r in reports if r.refused]
    if output is None:
        print(f"{Path(args.into).name} was not changed.")
        return SOME_REFUSED if refused else 0
    print(f"{Path(args.into).name} refreshed as of {output.as_of:%m/%d/%Y}: {output.summary.line()}.")
    print_problems(output.rules_problems)
    if refused:
        print(f"{len(refused)} of {len(reports)} files refused (listed above); the others were imported.")
        return SOME_REFUSED
    return 0
