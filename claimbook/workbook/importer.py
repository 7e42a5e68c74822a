"""The command line's import: a workbook file on disk (the planning is ``claimbook.imports``, the order of
work ``claimbook.app.importing.import_files``)."""

from __future__ import annotations

from pathlib import Path


def import_files(files, tracker, preset=None, again=False, as_of=None, rules_dir=None, add_unmatched=False):
    """Import ``files`` into the tracker file and refresh it; returns (reports, refresh output or None).

    Every file is read and checked before the tracker is changed; one atomic save at the end, under the
    tracker's lock (``claimbook.workbook.lock``): a refresh or another import waits, and reads the tracker
    only once this one has saved it. When every file was already imported (and ``again`` is off) the
    tracker is not touched and the output is None.
    """
    from claimbook.app.importing import import_files as import_into
    from claimbook.workbook import io
    from claimbook.workbook.lock import writer_lock
    from claimbook.workbook.stream import run_on_file

    tracker = Path(tracker)
    io.check_file(tracker)  # plain advice (missing, open in Excel, read-only) before waiting for the lock
    with writer_lock(tracker, "import"):
        result, done = run_on_file(tracker, lambda edge: import_into(
            edge, files, preset=preset, again=again, add_unmatched=add_unmatched, as_of=as_of, rules_dir=rules_dir))
    return result.reports, done.output if done is not None else None
