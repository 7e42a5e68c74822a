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
    from claimbook.rules.loader import load_rules

    settings = table.tracker_settings(io.read_settings_rows(wb))
    rules = load_rules(rules_folder_for(path, settings.rules_folder, rules_dir))
    claims_place = io.find_claims(wb, path.name)
    table.map_input_columns(claims_place.header())  # a missing required column stops before any change
    added = _ensure_tracker(wb, rules)
    claims_place = io.find_claims(wb, path.name)  # ensure_tracker may have added columns
    claims = io.read_block(claims_place)
    log_place = io.find_log(wb)
    log = io.read_block(log_place) if log_place is not None else None
    settings_rows = io.read_settings_rows(wb)
    settings = table.tracker_settings(settings_rows, rules.settings.day_first_dates)
    as_of = as_of or settings.as_of or date.today()
    output = run_blocks(claims, log, rules, as_of, settings_rows)
    with io.us_date_defaults():
        io.write_computed(claims_place, output.computed)
        _write_generated(wb, output, rules)
    return output, rules, added


def evaluate_file(path, as_of: date | None = None, rules_dir=None) -> RefreshOutput:
    """Everything a refresh would compute for a tracker file, without changing the file (``explain``)."""
    from claimbook import table
    from claimbook.rules.loader import load_rules

    path = Path(path)
    wb = io.load(path)
    settings_rows = io.read_settings_rows(wb)
    settings = table.tracker_settings(settings_rows)
    rules = load_rules(rules_folder_for(path, settings.rules_folder, rules_dir))
    claims = io.read_block(io.find_claims(wb, path.name))
    log_place = io.find_log(wb)
    log = io.read_block(log_place) if log_place is not None else None
    settings = table.tracker_settings(settings_rows, rules.settings.day_first_dates)
    return run_blocks(claims, log, rules, as_of or settings.as_of or date.today(), settings_rows)


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
