"""The session: which tracker, which Settings, which rules, which date. Resolved once, in one order.

Every front door (``claimbook refresh``/``import``/``explain``, the ribbon buttons, the worksheet
functions) opens a ``Session`` from the Settings rows its edge read and the workbook's location, then
hands it to a use case. Nothing below the application layer decides any of this again.

The order (each step uses only the ones before it):

1. **Tracker**: the workbook's file, or None when there is none on this computer (a web address for
   OneDrive/SharePoint, a new unsaved book, or no tracker at all as in ``claimbook demo``).
2. **Settings rows**: the Settings sheet's [label, value] rows, read once by the edge.
3. **Rules folder** (``rules_folder``): ``--rules`` when given; else the Settings "Rules folder"
   (``~`` and ``%VARS%``/``$VARS`` expanded; a relative path is relative to the workbook's folder, and
   refused when the workbook is not a file on this computer); else ``rules`` beside the workbook; else
   ``~/claimbook/rules``; else the built-in rules. Never the current folder.
4. **Rules**: loaded from that folder (``RulesError`` lists every error).
5. **Date order**: the rules' ``day_first_dates`` (text dates are month-first unless it is set).
6. **Settings**: the rows parsed once, with that date order (``table.TrackerSettings``).
7. **As-of date**: ``--as-of`` when given; else the Settings "As-of date"; else today.
8. **Backups kept** and **Worklist look-ahead**: the Settings value; else the rules' setting.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from claimbook import table
from claimbook.errors import TrackerError

_WEB_ADDRESS = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


def local_workbook(name) -> Path | None:
    """The workbook's file as an absolute path, or None for a web address (OneDrive/SharePoint), a new
    unsaved book (no folder) or nothing."""
    if not name or _WEB_ADDRESS.match(str(name)) or not os.path.isabs(str(name)):
        return None
    return Path(name)


def rules_folder(workbook: Path | None, setting: str | None = None, explicit=None) -> Path:
    """The one answer to "which rules folder" (step 3 of the module docstring).

    ``workbook``: the tracker file, or None when it is not a file on this computer; ``setting``: the
    Settings sheet's "Rules folder" text; ``explicit``: ``--rules``.
    """
    from claimbook.rules.loader import resolve_rules_dir

    if explicit:
        return Path(explicit)
    here = Path(os.path.abspath(workbook)).parent if workbook else None
    if setting:
        folder = Path(os.path.expandvars(os.path.expanduser(setting)))
        if folder.is_absolute():
            return folder
        if here is None:
            raise TrackerError(
                f"The Rules folder on the Settings sheet ({setting}) is not a full path, and this workbook "
                "is not in a folder on this computer (OneDrive/SharePoint). Type a full path such as "
                "C:\\ClaimBook\\rules.")
        return here / folder
    return Path(resolve_rules_dir(None, here / Path(workbook).name if here else None))


@dataclass(frozen=True)
class Session:
    """Everything resolved for one run of one front door (see the module docstring for the order)."""

    workbook: Path | None
    settings_rows: tuple = field(repr=False)
    rules_folder: Path
    rules: object = field(repr=False)  # claimbook.rules.schema.Rules
    settings: table.TrackerSettings
    as_of: date

    @property
    def day_first(self) -> bool:
        return self.rules.settings.day_first_dates

    @property
    def text_dates(self) -> str:
        """The date order of sentences (Next Action, Why, explain): the tracker's, never ISO."""
        return "dmy" if self.day_first else "mdy"

    @property
    def backups_kept(self) -> int:
        kept = self.settings.backups_kept
        return kept if kept is not None else self.rules.settings.backups_kept

    @property
    def look_ahead_days(self) -> int:
        days = self.settings.look_ahead_days
        return days if days is not None else self.rules.settings.look_ahead_days


def open_session(settings_rows, workbook: Path | None, *, as_of: date | None = None, rules_dir=None,
                 load=None) -> Session:
    """Resolve a session from the Settings rows an edge read and the workbook's location.

    ``load`` loads a rules folder (default ``claimbook.rules.loader.load_rules``; the worksheet
    functions pass their cached loader). Raises ``TrackerError`` for a relative Rules folder with no
    workbook folder and ``RulesError`` when the rules have errors.
    """
    if load is None:
        from claimbook.rules.loader import load_rules as load
    rows = tuple(tuple(r) for r in (settings_rows or ()))
    folder = rules_folder(workbook, table.rules_folder_setting(rows), rules_dir)
    rules = load(folder)
    settings = table.tracker_settings(rows, rules.settings.day_first_dates)
    return Session(workbook=workbook, settings_rows=rows, rules_folder=folder, rules=rules, settings=settings,
                   as_of=as_of or settings.as_of or date.today())


def session_for_rules(rules, as_of: date | None = None) -> Session:
    """A session with no tracker (``claimbook demo``, ``explain`` on the sample): the rules given."""
    return Session(workbook=None, settings_rows=(), rules_folder=Path(str(getattr(rules, "folder", "") or "")),
                   rules=rules, settings=table.TrackerSettings(), as_of=as_of or date.today())
