"""``claimbook refresh FILE``: recompute every claim in a tracker workbook without Excel."""

from __future__ import annotations

from pathlib import Path

from claimbook.commands._common import parse_as_of, print_problems


def add_parser(sub) -> None:
    p = sub.add_parser(
        "refresh", help="recompute a tracker workbook (aging, next action, deadlines, priority)",
        description="Recompute claimbook's columns and the Worklist, Dashboard and Payers sheets of a tracker "
                    "workbook, without Excel. Only claimbook's columns change; a backup copy is kept beside it.",
    )
    p.add_argument("file", nargs="?", metavar="FILE",
                   help="the tracker workbook (.xlsm or .xlsx); close it in Excel first. Without it, the one "
                        "tracker in the current folder")
    p.add_argument("--as-of", metavar="DATE", help="compute as of this date (YYYY-MM-DD) instead of the "
                                                   "Settings sheet's As-of date or today")
    p.add_argument("--rules", metavar="DIR", help="rules folder (default: the Settings sheet's Rules folder, "
                                                  "else 'rules' beside the workbook, else the built-in rules)")
    p.set_defaults(run=run)


def run(args) -> int:
    from claimbook.commands._tracker import say_found, tracker_or_found
    from claimbook.workbook.refresh import refresh_with_notes

    path, found = tracker_or_found(args.file, "claimbook refresh ClaimTracker.xlsm")
    as_of = parse_as_of(args.as_of)
    if found:
        say_found(path)
    output, notes = refresh_with_notes(path, as_of=as_of, rules_dir=args.rules)
    for note in notes:
        print(f"Note: {note}")
    print(f"{path.name} refreshed as of {output.as_of:%m/%d/%Y}: {output.summary.line()}.")
    print(f"Rules: {output.rules_folder}")
    print_problems(output.rules_problems)
    return 0
