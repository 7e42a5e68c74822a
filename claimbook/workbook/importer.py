"""The command line's import: a workbook file on disk, with openpyxl (the planning is ``claimbook.imports``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from claimbook import table
from claimbook.imports import plan_files


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
