"""``claimbook init [DIR]``: a working folder with an empty claim tracker and an editable copy of the rules.

Nothing that already exists is overwritten: if the tracker or the rules folder is there, init says so
and stops before writing anything.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from claimbook.errors import ClaimbookError

RULES_DIR = "rules"


def add_parser(sub) -> None:
    p = sub.add_parser(
        "init", help="create a working folder with an empty tracker and the payer rules",
        description="Create a folder with an empty claim tracker workbook and an editable copy of the payer "
                    "rules beside it. Nothing that already exists is overwritten.",
    )
    p.add_argument("dir", nargs="?", default=".", metavar="DIR",
                   help="the folder to set up (created if needed; default: the current folder)")
    p.set_defaults(run=run)


def tracker_name() -> str:
    """The new tracker is the macro-enabled workbook with the Claims ribbon tab."""
    return "ClaimTracker.xlsm"


def default_rules_source() -> Path:
    from claimbook.rules.loader import default_rules_dir

    return default_rules_dir()


def write_tracker(target: Path, rules_folder: Path) -> None:
    """Write the empty tracker to ``target``: the template (the committed file in a checkout, else the
    same workbook built from the package's sources)."""
    from claimbook.template.build import template_bytes

    target.write_bytes(template_bytes())


def run(args) -> int:
    folder = Path(args.dir).expanduser()
    tracker = folder / tracker_name()
    rules = folder / RULES_DIR
    existing = [p for p in (tracker, rules) if p.exists()]
    if existing:
        names = " and ".join(str(p) for p in existing)
        raise ClaimbookError(
            f"{names} already exist{'s' if len(existing) == 1 else ''}; claimbook init never overwrites files. "
            "Use a new folder (claimbook init NEW-FOLDER), or move or rename what is there first."
        )
    if folder.exists() and not folder.is_dir():
        raise ClaimbookError(f"{folder} is a file, not a folder. Choose a folder name for claimbook init.")
    source = default_rules_source()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source, rules, ignore=shutil.ignore_patterns("*.pyc", "__pycache__"))
        try:
            write_tracker(tracker, rules)
        except BaseException:
            shutil.rmtree(rules, ignore_errors=True)  # leave the folder as it was found
            tracker.unlink(missing_ok=True)
            raise
    except OSError as err:
        raise ClaimbookError(f"Could not write into {folder}: {err.strerror or err}. Check the folder's "
                             "permissions and free space.") from None
    where = folder.resolve()
    print(f"Set up {where}:")
    print(f"  {tracker.name}  your claim tracker")
    print(f"  {RULES_DIR}/  the payer rules (plain text; edit them in Notepad or TextEdit)")
    print()
    print("Next steps:")
    print(f"  1. Put your claims on the Claims sheet of {tracker.name}: type or paste them (at least Claim ID,")
    print("     Payer and DOS; the more dates and amounts, the better the advice), or bring in an export from")
    print("     your practice system (CSV) or a remittance (835) with:")
    print(f"       claimbook import FILE --into \"{tracker}\"")
    print("  2. Press Refresh priorities on the Claims tab of Excel's ribbon (run 'claimbook excel install' once")
    print(f"     first), or close the workbook and run:  claimbook refresh \"{tracker}\"")
    print("  3. Work the Worklist sheet from number 1 down; log each call on the Follow-up Log.")
    print("     (Settings: Follow-up work per day sets how much work the Worklist holds.)")
    print("  4. Read the 'How to' sheet for the daily routine and what the colors mean.")
    print(f"  5. Check the payer rules:  claimbook rules check \"{rules}\"")
    return 0
