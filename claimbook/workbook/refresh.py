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
    return usecase.evaluate(FileEdge(path), as_of=as_of, rules_dir=rules_dir)


def refresh_file(path, as_of: date | None = None, rules_dir=None) -> RefreshOutput:
    """Refresh a tracker file in place (see the module docstring). Raises ``TrackerError`` (file
    untouched) for a locked, damaged or non-tracker file or a missing required column, and
    ``RulesError`` when the rules folder has errors."""
    return usecase.refresh(FileEdge(path), as_of=as_of, rules_dir=rules_dir).output


def backups_kept(output: RefreshOutput, rules) -> int:
    setting = getattr(output.settings, "backups_kept", None)
    return setting if setting is not None else rules.settings.backups_kept
