"""The practice's own payer spellings (``payers:`` in the rules folder's import.yaml) added to the payer rules.

``EMPIRE BCBS: anthem_bcbs`` in import.yaml makes "Empire BCBS" match ``payers/anthem_bcbs.yaml`` wherever
claimbook matches payers (import, refresh, the ribbon), as if it were under that file's ``names:``;
``SOME LOCAL PLAN: default`` says the default rules are right for it, so it is no longer flagged as
unknown. Mistakes in that section are reported by ``claimbook rules check`` (``imports.importyaml``); a
line naming no payer file is simply not used here.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path


def with_practice_names(folder: Path, payers: list, default):
    """(payers, default) with the spellings of the folder's import.yaml ``payers:`` section added."""
    path = Path(folder) / "import.yaml"
    if not path.is_file():
        return payers, default
    from claimbook.imports.importyaml import practice_words

    names = practice_words(path, "import.yaml")[1]
    if not names:
        return payers, default

    def add(p):
        extra = tuple(n for n in names.get(p.key, ()) if n not in p.names)
        return dataclasses.replace(p, names=p.names + extra) if extra else p

    return [add(p) for p in payers], (add(default) if default is not None else None)
