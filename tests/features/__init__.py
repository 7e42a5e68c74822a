"""A corpus of 34 office-workbook features added to a real claimbook tracker, part by part.

``build(path, names)`` writes a tracker holding the sample claims, refreshed once (a tracker in use),
then adds each named feature by editing the zip package directly (never openpyxl), as Excel writes it.
It returns the marks each feature leaves in the parts claimbook owns (see ``registry.Mark``).

Modules: ``package`` (zip parts, relationships, content types, XML text edits), ``common`` (the Claims
table, the practice's own sheet "Practice"), ``on_claims``, ``drawings``, ``on_practice``, ``on_book``
(the features), ``media`` (PNG, printer DEVMODE, protection hash), ``kept`` (the checks after a refresh).
"""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

from tests.features import drawings, on_book, on_claims, on_practice  # noqa: F401 - they register the features
from tests.features.package import CT, Package
from tests.features.registry import FEATURES, Feature, Mark

BASE_AS_OF = date(2026, 3, 2)  # the tracker was last refreshed then; the tests refresh as of 2026-12-02
N_CLAIMS = 12
_BASES: dict[str, bytes] = {}

__all__ = ["FEATURES", "Feature", "Mark", "Package", "base_tracker", "build", "names_for"]


def base_tracker(kind: str) -> bytes:
    """The bytes of a refreshed tracker with the sample claims: the macro template (``xlsm``, with its
    VBA project and ribbon) or a plain ``xlsx``. Made once per test session."""
    if kind not in _BASES:
        from claimbook.rules.loader import load_rules
        from claimbook.sample import sample_claims
        from claimbook.workbook.demo import write_demo_tracker

        rules = load_rules()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"Base.{kind}"
            write_demo_tracker(path, sample_claims(BASE_AS_OF, n=N_CLAIMS), rules, BASE_AS_OF)
            pkg = Package.open(path)
            # Today's file edge (openpyxl) writes an .xlsm whose [Content_Types].xml gives the comments'
            # VML and the VBA project no content type; Excel's own file has them. Put them back so the
            # corpus starts from a valid package (no change when the tracker already has them).
            pkg.default("vml", CT + "vmlDrawing")
            if kind == "xlsm" and "xl/vbaProject.bin" in pkg.parts and not re.search(
                    r'Extension="bin"|PartName="/xl/vbaProject.bin"', pkg.text("[Content_Types].xml")):
                pkg.override("xl/vbaProject.bin", "application/vnd.ms-office.vbaProject")
            _BASES[kind] = pkg.save(path).read_bytes()
    return _BASES[kind]


def names_for(kind: str) -> list[str]:
    """Every feature that can go on a tracker of this kind (the .xlsx ribbon only on an .xlsx)."""
    return [n for n, f in FEATURES.items() if kind == "xlsx" or f.base == kind]


def build(path: Path, names: list[str], kind: str | None = None) -> tuple[Path, dict[str, list[Mark]]]:
    """Write a tracker with the named features to ``path`` (its suffix follows ``kind``, by default the
    first feature's base). Returns the file written and each feature's marks."""
    kind = kind or FEATURES[names[0]].base
    path = Path(path).with_suffix("." + kind)
    path.write_bytes(base_tracker(kind))
    pkg = Package.open(path)
    marks = {name: FEATURES[name].build(pkg) for name in names}
    pkg.save(path)
    return path, marks
