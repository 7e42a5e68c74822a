"""Where rules folders are: the built-in rules kit, and which folder to use when none is named.

The session (``claimbook.app.context.rules_folder``) puts the Settings sheet's Rules folder and
``--rules`` in front of ``resolve_rules_dir``. No other claimbook import, so any layer may ask.
"""

from __future__ import annotations

from pathlib import Path

import claimbook


def default_rules_dir() -> Path:
    """The built-in rules: inside the installed package, else ``rules/`` beside the package (a checkout)."""
    packaged = Path(claimbook.__file__).parent / "default_rules"
    if packaged.is_dir():
        return packaged
    return Path(claimbook.__file__).resolve().parent.parent / "rules"


def resolve_rules_dir(explicit=None, workbook_path=None) -> Path:
    """Which rules to use: the folder given; else ``rules`` beside the workbook; else ``~/claimbook/rules``;
    else the built-in rules."""
    if explicit:
        return Path(explicit)
    if workbook_path:
        beside = Path(workbook_path).resolve().parent / "rules"
        if beside.is_dir():
            return beside
    home = Path.home() / "claimbook" / "rules"
    if home.is_dir():
        return home
    return default_rules_dir()
