"""``refresh_file``: recompute every claim in a tracker workbook without Excel.

Open once, read the Claims, Follow-up Log and Settings blocks, load the rules, run the shared pipeline,
write only claimbook's computed columns and generated sheets, save atomically with backups. User cells,
macros (``xl/vbaProject.bin``) and the ribbon (``customUI/customUI.xml``) are left as they were.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from claimbook.pipeline import RefreshOutput, run_blocks
from claimbook.workbook import io


def rules_folder_for(path: Path, setting: str | None, explicit=None) -> Path:
    """The rules folder: ``--rules``, else the Settings "Rules folder" (relative to the workbook's
    folder), else ``resolve_rules_dir`` beside the workbook."""
    from claimbook.rules.loader import resolve_rules_dir

    if explicit:
        return Path(explicit)
    if setting:
        folder = Path(setting).expanduser()
        return folder if folder.is_absolute() else (path.resolve().parent / folder)
    return resolve_rules_dir(None, path)


def refresh_workbook(wb, path: Path, as_of: date | None = None, rules_dir=None):
    """Refresh an open workbook in memory. Returns (output, rules, notes added by ensure_tracker)."""
    from claimbook import table

    rules, settings_rows = _rules_and_settings(wb, path, rules_dir)
    table.map_input_columns(io.find_claims(wb, path.name).header())  # a missing required column stops here
    added = _ensure_tracker(wb, rules)  # may add columns and sheets, so the blocks are read after it
    claims_place, output = _compute(wb, path, rules, settings_rows, as_of)
    with io.us_date_defaults():
        io.write_computed(claims_place, output.computed)
        _write_generated(wb, output, rules)
    return output, rules, added


def evaluate_file(path, as_of: date | None = None, rules_dir=None) -> RefreshOutput:
    """Everything a refresh would compute for a tracker file, without changing the file (``explain``)."""
    path = Path(path)
    wb = io.load(path)
    rules, settings_rows = _rules_and_settings(wb, path, rules_dir)
    return _compute(wb, path, rules, settings_rows, as_of)[1]


def _rules_and_settings(wb, path: Path, rules_dir):
    """The Settings rows and the rules they point to (``--rules`` wins)."""
    from claimbook import table
    from claimbook.rules.loader import load_rules

    settings_rows = io.read_settings_rows(wb)
    folder = rules_folder_for(path, table.tracker_settings(settings_rows).rules_folder, rules_dir)
    return load_rules(folder), settings_rows


def _compute(wb, path: Path, rules, settings_rows, as_of: date | None):
    """Read the Claims and Follow-up Log blocks once and run the shared pipeline on them."""
    from claimbook import table

    claims_place = io.find_claims(wb, path.name)
    log_place = io.find_log(wb)
    log = io.read_block(log_place) if log_place is not None else None
    settings = table.tracker_settings(settings_rows, rules.settings.day_first_dates)
    output = run_blocks(io.read_block(claims_place), log, rules, as_of or settings.as_of or date.today(),
                        settings_rows)
    return claims_place, output


def refresh_file(path, as_of: date | None = None, rules_dir=None) -> RefreshOutput:
    """Refresh a tracker file in place (see the module docstring). Raises ``TrackerError`` (file
    untouched) for a locked, damaged or non-tracker file or a missing required column, and
    ``RulesError`` when the rules folder has errors."""
    path = Path(path)
    wb = io.load(path)
    output, rules, _added = refresh_workbook(wb, path, as_of, rules_dir)
    io.save_atomic(wb, path, backups_kept(output, rules))
    return output


def backups_kept(output: RefreshOutput, rules) -> int:
    setting = getattr(output.settings, "backups_kept", None)
    return setting if setting is not None else rules.settings.backups_kept


def _ensure_tracker(wb, rules) -> list[str]:
    from claimbook.workbook.layout import ensure_tracker

    return list(ensure_tracker(wb, rules) or [])


def _write_generated(wb, output, rules) -> None:
    from claimbook.workbook.layout import write_generated

    write_generated(wb, output, rules)
