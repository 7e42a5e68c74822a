"""The openpyxl edge: read a tracker workbook once, run the pipeline, write computed columns and the
generated sheets, save atomically with rotating backups.

    from claimbook.workbook import refresh_file
    output = refresh_file("ClaimTracker.xlsm", as_of=None, rules_dir=None)

Modules: ``io`` (open, find the blocks, write cells; saving in ``saving``; lock, limits, zone, grow beside them),
``refresh`` (the refresh command's work),
``layout`` (sheets, styles and generated blocks; written separately).
"""

from __future__ import annotations

__all__ = ["refresh_file"]


def __getattr__(name):  # lazy: importing the package must not import openpyxl
    if name == "refresh_file":
        from claimbook.workbook.refresh import refresh_file

        return refresh_file
    raise AttributeError(name)
