"""The tracker file as what it is on disk: a zip package of XML parts (ECMA-376, Office Open XML).

The command line's file edge (``claimbook.workbook.stream``) reads the cells claimbook needs and
rewrites only the parts it owns, copying every other part of the zip byte for byte, so pictures, charts,
threaded comments, pivot tables, the ribbon and anything a later Excel adds come through untouched. This
is not a spreadsheet library: it knows parts, relationships, cells and styles, nothing more.

Modules: ``parts`` (the zip, content types, relationships, sheets, tables; writing the new zip), ``cells``
(cell values read with python-calamine), ``rewrite`` (a sheet's XML streamed with some cells written),
``book`` (small text edits of workbook.xml, its relationships and content types, a table's range),
``styles`` (which cell formats are dates; formats appended, never renumbered), and for the Worklist,
Dashboard and Payers: ``generated``, ``sheetxml``, ``charts``, ``xmlscan``.
"""

from __future__ import annotations


class NeedsUpgrade(Exception):
    """The package cannot be edited in place this time (a sheet or column claimbook adds is missing, the
    Dashboard's charts are laid out for another number of buckets...): the caller falls back to the
    one-time upgrade through openpyxl. The message says what was missing (for developers, not shown);
    ``advice``, where the office can do something about it, is shown should openpyxl fail to read the file."""

    def __init__(self, message: str, advice: str | None = None):
        super().__init__(message)
        self.advice = advice
