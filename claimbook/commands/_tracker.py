"""Which tracker a command works on when none is named: the one claimbook tracker in the current folder.

``refresh``, ``import`` and ``explain`` take the tracker's name, but an office manager usually runs them in
the folder that holds it (``claimbook init`` makes exactly that folder). Without a name they use the
only tracker there. A tracker is an .xlsm or .xlsx workbook with claimbook's Claims sheet and its
Worklist or Settings sheet (so a practice's own workbook is never picked up by surprise); Excel's lock
files (``~$...``), hidden files, claimbook's backups (``.backup-N``) and temporary files are left out.
None, or more than one, is a plain message that says what to type instead.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from claimbook.errors import TrackerError

_BACKUP = re.compile(r"\.backup-\d+$", re.I)
_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"')


def is_tracker(path: Path) -> bool:
    """Whether ``path`` is a claimbook tracker, read from the workbook's sheet list only (fast, any size)."""
    try:
        with zipfile.ZipFile(path) as z:
            names = {n.decode("utf-8", "replace").strip().lower() for n in _SHEET.findall(z.read("xl/workbook.xml"))}
    except (zipfile.BadZipFile, KeyError, OSError):
        return False
    return "claims" in names and bool({"worklist", "settings"} & names)


def candidates(folder: Path) -> list[Path]:
    """The workbooks in ``folder`` that may be trackers (lock files, hidden files and backups left out)."""
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name.lower())
    except OSError:
        return []
    return [p for p in entries
            if p.suffix.lower() in (".xlsm", ".xlsx") and not p.name.startswith(("~$", "."))
            and not _BACKUP.search(p.stem) and p.is_file()]


def find_tracker(example: str, folder: Path | None = None) -> Path:
    """The only claimbook tracker in ``folder`` (default: the current folder).

    ``example`` is the command with the tracker named, for the messages (e.g. "claimbook refresh
    ClaimTracker.xlsm"). Raises ``TrackerError`` when there is none, or more than one.
    """
    folder = Path.cwd() if folder is None else folder
    found = [p for p in candidates(folder) if is_tracker(p)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise TrackerError(
            f"There is no claim tracker in this folder ({folder}). Run the command in the folder that holds "
            f"your tracker, or name it: {example}")
    names = ", ".join(p.name for p in found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
    raise TrackerError(f"This folder has {len(found)} claim trackers ({names}). Name the one to use: {example}")


def tracker_or_found(named: str | None, example: str) -> tuple[Path, bool]:
    """The tracker named on the command line, else the one in the current folder; and whether it was found."""
    if named:
        return Path(named), False
    return find_tracker(example), True


def say_found(path: Path) -> None:
    print(f"Using {path.name}, the claim tracker in this folder.")
