"""The edge protocol: what a use case may ask of a workbook, whichever kind it is.

Two edges implement it: ``claimbook.workbook.edge.FileEdge`` (a workbook file on disk, through
openpyxl: the command line) and ``claimbook.excel.edge.LiveEdge`` (the workbook open in Excel, through
xlwings: the ribbon buttons). A use case in ``claimbook.app`` only calls these methods, so it never
knows which one it has. Reads return whole blocks (``claimbook.blocks.Block``); writes take whole
blocks; nothing goes a cell at a time, so the number of calls does not grow with the number of claims.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

from claimbook.blocks import Block, RefreshOutput


class Edge(Protocol):
    """One tracker workbook, open for one run of one front door."""

    def location(self) -> Path | None:
        """The workbook's file, or None when it is not a file on this computer (OneDrive, unsaved)."""

    # ---- read blocks
    def read_settings(self) -> list[list]:
        """The Settings sheet's [label, value] rows ([] without a Settings sheet)."""

    def read_claims(self) -> Block:
        """The Claims table: header and data rows. ``TrackerError`` when there is none."""

    def read_log(self) -> Block | None:
        """The Follow-up Log table, or None without one."""

    def read_import_log(self) -> list[list]:
        """The Import Log's date, file and hash columns ([] before the first import)."""

    def read_payments(self) -> list[list]:
        """The Payments sheet's data rows (``claimbook.x12.history.PAYMENT_COLUMNS``; [] without one): the
        remittance payments already posted, which the next import nets against."""

    # ---- get ready, write blocks, add a sheet
    def prepare(self, rules) -> list[str]:
        """Check the Claims columns and make the workbook ready for a refresh (missing computed columns
        and sheets added where the edge can). Returns one plain line per thing added. Raises before
        anything is written when the claims cannot be used or a same-named column is the practice's own."""

    def write_refresh(self, claims: Block, output: RefreshOutput, rules) -> None:
        """Write the computed columns of the Claims rows just read and the generated sheets."""

    def write_blocks(self, blocks) -> None:
        """Write ``claimbook.sheets.SheetBlock``s (each cleared first, then one write, then its formats)."""

    def apply_edit(self, edit) -> None:
        """Write an import's changed cells and new rows (``claimbook.imports.ClaimsEdit``) into the Claims table."""

    def add_import_log(self, reports, when: datetime) -> None:
        """Append an import's rows to the Import Log sheet, adding the sheet when it is missing."""

    def add_payments(self, rows: list[list]) -> None:
        """Append remittance payments posted to claims to the Payments sheet, adding it when missing."""

    # ---- save
    def save(self, backups_kept: int) -> None:
        """Keep the changes: the file edge saves atomically with backups; the live edge leaves saving to
        the person in Excel (the changes are in the open workbook)."""
