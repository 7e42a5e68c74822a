"""``claimbook rules check [DIR]``: check a rules folder and list every problem with file:line."""

from __future__ import annotations

import json
from pathlib import Path

from claimbook.rules.loader import resolve_rules_dir


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("rules", help="check the payer rules files",
                                   description="Work with the payer rules folder.")
    sub = parser.add_subparsers(dest="rules_command", metavar="ACTION")
    check = sub.add_parser("check", help="list every problem in the rules files",
                           description="Check every rules file and list each problem with its file and line. "
                           "Exit code 1 when there are errors.")
    check.add_argument("dir", nargs="?", help="the rules folder (default: the folder claimbook would use)")
    check.add_argument("--json", action="store_true", help="print the problems as JSON")
    check.set_defaults(run=run)
    add = sub.add_parser("add-payer", help="make a rules file for a payer claimbook does not know",
                         description="Make payers/NAME.yaml in the rules folder: the payer's name (matched on "
                         "claims), the rules of --like FILE (default.yaml unless given), and every source marked "
                         "TO FILL IN. Check the numbers against the payer's manual or your contract.")
    add.add_argument("name", metavar="NAME", help="the payer's name as your practice system writes it")
    add.add_argument("--like", metavar="FILE", help="the payer file to copy the rules from (default: default.yaml)")
    add.add_argument("--dir", metavar="DIR", help="the rules folder (default: the folder claimbook would use)")
    add.set_defaults(run=run_add_payer)
    parser.set_defaults(run=lambda args: (parser.print_help(), 2)[1])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def verdict(errors: int, warnings: int, files: int, folder: str) -> str:
    where = f"in {_plural(files, 'rules file')} in {folder}."
    if not errors and not warnings:
        return f"No problems {where}"
    if not errors:
        return f"No errors, {_plural(warnings, 'warning')} {where}"
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} {where}" if warnings \
        else f"{_plural(errors, 'error')} {where}"


def run(args) -> int:
    from claimbook.app.rulescheck import check_rules

    check = check_rules(Path(args.dir) if args.dir else resolve_rules_dir())
    shown, problems, files, errors, warnings = check.folder, check.problems, check.files, check.errors, check.warnings
    if args.json:
        print(json.dumps({
            "folder": shown, "files": files, "errors": errors, "warnings": warnings,
            "problems": [{"file": p.source.file, "line": p.source.line, "severity": p.severity,
                          "message": p.message, "text": str(p)} for p in problems],
        }, indent=2))
    else:
        print(f"Rules folder: {shown}")
        for p in problems:
            print(str(p) if p.severity == "error" else f"{p} (warning)")
        print(verdict(errors, warnings, files, shown))
    return 1 if errors else 0


def run_add_payer(args) -> int:
    from claimbook.rules.addpayer import TO_FILL_IN, add_payer
    from claimbook.rules.loader import default_rules_dir

    folder = Path(args.dir) if args.dir else resolve_rules_dir()
    if not args.dir and folder.resolve() == default_rules_dir().resolve():
        print(f"Note: {folder} is claimbook's built-in rules folder; a practice's own payers belong in its own "
              "rules folder (claimbook init, or --dir).")
    path = add_payer(folder, args.name, args.like)
    print(f"Made {path}. It passes 'claimbook rules check'. Open it, check each number against the payer's "
          f"provider manual or your contract, and replace every {TO_FILL_IN} with where the rule comes from; "
          "then refresh the tracker.")
    return 0
