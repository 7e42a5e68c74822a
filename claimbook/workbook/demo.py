"""The demo tracker: the built-in sample claims in a real, refreshed workbook.

``claimbook demo --out PATH`` writes it: the macro-enabled template for ``.xlsm`` (ribbon and all),
or a plain workbook for ``.xlsx``, with the sample claims on the Claims sheet, refreshed as of the
demo's date.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from claimbook import table
from claimbook.errors import TrackerError
from claimbook.workbook import io


def fill_claims(wb, claims, extra_rows=()) -> None:
    """Write claims (and any raw ``extra_rows`` of input values) as rows of the Claims table,
    growing the table to fit."""
    place = io.find_claims(wb)
    rows = [table.claim_to_row(c) for c in claims] + [list(r) for r in extra_rows]
    for i, values in enumerate(rows):
        for j, value in enumerate(values):
            io.put(place.ws, place.first_data_row + i, place.first_col + j, value)
    place.last_row = place.header_row + max(1, len(rows))
    io.set_table_ref(place)


def demo_path(out) -> Path:
    """Where ``--out`` writes the demo tracker: an .xlsm (with the Claims ribbon) or .xlsx file."""
    path = Path(out).expanduser()
    if path.suffix.lower() not in (".xlsm", ".xlsx") and not path.is_dir():
        raise TrackerError(f"{path.name}: the demo tracker must be an .xlsm (with the Claims ribbon) or .xlsx file")
    return path


def check_demo_path(out, rules, force: bool = False) -> Path:
    """Refuse, before anything is built, a place the demo tracker cannot or must not be written: a folder
    that does not exist, or a file already there (it may be a real tracker) unless ``force``."""
    path = demo_path(out)
    io.check_new_file(path, "demo", force, rules.settings.backups_kept, example="Demo.xlsm")
    return path


def write_demo_tracker(out, claims, rules, as_of: date, force: bool = False) -> Path:
    """Write a refreshed tracker holding ``claims`` to ``out`` and return its path. A file already there
    is only replaced with ``force``, and is then kept as a backup (like a refresh does)."""
    from claimbook.workbook.refresh import refresh_workbook

    path = check_demo_path(out, rules, force)
    if path.suffix.lower() == ".xlsm":
        from claimbook.template.build import template_bytes

        with tempfile.TemporaryDirectory() as tmp:
            template = Path(tmp) / "ClaimTracker.xlsm"
            template.write_bytes(template_bytes())
            wb = io.load(template)
    else:
        from claimbook.workbook.layout import new_tracker

        wb = new_tracker(rules, rules_folder=rules.folder, as_of=as_of)
    fill_claims(wb, claims)
    output, _rules, _added = refresh_workbook(wb, path, as_of, rules.folder)
    io.save_atomic(wb, path, backups_kept=rules.settings.backups_kept if force else 0)
    return path
