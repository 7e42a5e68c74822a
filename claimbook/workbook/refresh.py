"""``refresh_file``: recompute every claim in a tracker workbook without Excel.

The command line's front door onto ``claimbook.app``: the file edge (``claimbook.workbook.edge``) opens
the workbook once; the session resolves the rules and the date (``claimbook.app.context``); the refresh
use case reads the Claims, Follow-up Log and Settings blocks, runs the shared pipeline, writes only
claimbook's computed columns and generated sheets, and saves atomically with backups. User cells,
macros (``xl/vbaProject.bin``) and the ribbon (``customUI/customUI.xml``) are left as they were.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from claimbook.app import context, refresh as usecase
from claimbook.blocks import RefreshOutput
from claimbook.workbook.edge import FileEdge


def rules_folder_for(path: Path, setting: str | None, explicit=None) -> Path:
    """The rules folder of the tracker at ``path`` (``claimbook.app.context.rules_folder``)."""
    return context.rules_folder(Path(path), setting, explicit)


def refresh_workbook(wb, path: Path, as_of: date | None = None, rules_dir=None):
    """Refresh an open workbook in memory. Returns (output, rules, notes added by ensure_tracker)."""
    done = usecase.refresh(FileEdge(path, wb), as_of=as_of, rules_dir=rules_dir, save=False)
    return done.output, done.session.rules, done.added


def evaluate_file(path, as_of: date | None = None, rules_dir=None) -> RefreshOutput:
    """Everything a refresh would compute for a tracker file, without changing the file (``explain``)."""
    from claimbook.workbook.stream import run_on_file

    return run_on_file(path, lambda edge: usecase.evaluate(edge, as_of=as_of, rules_dir=rules_dir))


def refresh_file(path, as_of: date | None = None, rules_dir=None) -> RefreshOutput:
    """Refresh a tracker file in place (see the module docstring). Raises ``TrackerError`` (file
    untouched) for a locked, damaged, too large or non-tracker file, a tracker another claimbook command
    is changing, or a missing required column, and ``RulesError`` when the rules folder has errors."""
    return refresh_with_notes(path, as_of, rules_dir)[0]


def refresh_with_notes(path, as_of: date | None = None, rules_dir=None) -> tuple[RefreshOutput, list[str]]:
    """``refresh_file``, with the notes to print (entries found far below the claims), under the tracker's
    lock (``claimbook.workbook.lock``) from loading to saving."""
    from claimbook.workbook import io
    from claimbook.workbook.lock import writer_lock

    path = Path(path)
    io.check_file(path)  # plain advice (missing, open in Excel, read-only) before waiting for the lock
    from claimbook.workbook.stream import run_on_file

    def work(edge):
        notes = far_entries_notes(edge.wb, path.name)
        return usecase.refresh(edge, as_of=as_of, rules_dir=rules_dir).output, notes

    with writer_lock(path, "refresh"):
        return run_on_file(path, work)


def far_entries_notes(wb, name: str) -> list[str]:
    """Notes on claims the refresh cannot see: on a plain Claims sheet, entries below a long run of blank
    rows; under a Claims table, rows with a Claim ID and a payer or date of service (typed in a program
    that does not stretch the table, as Excel does, or pasted below it)."""
    from claimbook import table
    from claimbook.workbook import io
    from claimbook.workbook.places import _entry_rows

    place = io.find_claims(wb, name)
    notes = []
    if place.beyond is not None:
        row, n = place.beyond
        notes.append(
            f"The Claims sheet has {n:,} row{'s' if n != 1 else ''} with entries from row {row:,} on, more than "
            f"{io.MAX_GAP:,} blank rows below the last claim (row {place.last_row:,}); claimbook does not read "
            "them as claims. If they are claims, move them up under the others.")
    if place.table is not None:
        found = table.map_input_columns(place.header())
        c0 = place.first_col
        below = place.last_row + (place.table.totalsRowCount or 0)
        cells = place.ws._cells
        rows = [r for r in _entry_rows(place.ws, c0 + found["claim_id"], c0 + found["claim_id"], below)
                if any(not table.is_blank(getattr(cells.get((r, c0 + found[f])), "value", None))
                       for f in ("payer", "dos_from"))]
        if rows:
            n = len(rows)
            where = f"row {rows[0]:,}" if n == 1 else f"rows {rows[0]:,} to {rows[-1]:,}"
            notes.append(
                f"The Claims sheet has {n:,} claim{'s' if n != 1 else ''} below the Claims table ({where}); "
                "claimbook reads only the table's rows. Stretch the table over them (in Excel, drag the "
                "small handle at its bottom-right corner down; in LibreOffice, insert rows inside the table "
                "and move the claims into them), then refresh again.")
    return notes


def backups_kept(output: RefreshOutput, rules) -> int:
    setting = getattr(output.settings, "backups_kept", None)
    return setting if setting is not None else rules.settings.backups_kept
