"""The file edge: a tracker workbook file on disk, through openpyxl (the command line's edge).

It implements ``claimbook.app.edge.Edge``: the workbook is opened once, read in blocks, written in
memory, and saved atomically with rotating backups (``io.save_atomic``). User cells, macros
(``xl/vbaProject.bin``) and the ribbon (``customUI/customUI.xml``) are left as they were.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from claimbook import table
from claimbook.workbook import io


class FileEdge:
    """One tracker file (``path``), or a workbook already in memory (``wb``) to be saved to ``path``."""

    def __init__(self, path, wb=None):
        self.path = Path(path)
        self.wb = wb if wb is not None else io.load(self.path)

    def location(self) -> Path | None:
        return self.path

    def read_settings(self) -> list[list]:
        return io.read_settings_rows(self.wb)

    def read_claims(self):
        return io.read_block(io.find_claims(self.wb, self.path.name))

    def read_log(self):
        place = io.find_log(self.wb)
        return io.read_block(place) if place is not None else None

    def read_import_log(self) -> list[list]:
        return io.read_import_log(self.wb)

    def read_payments(self) -> list[list]:
        from claimbook.workbook.payments import read_payments

        return read_payments(self.wb)

    def prepare(self, rules) -> list[str]:
        from claimbook.workbook.layout import ensure_tracker

        table.map_input_columns(io.find_claims(self.wb, self.path.name).header())  # a missing column stops here
        return list(ensure_tracker(self.wb, rules) or [])

    def write_refresh(self, claims, output, rules) -> None:
        from claimbook.workbook.layout import write_generated

        with io.us_date_defaults():
            io.write_computed(io.find_claims(self.wb, self.path.name), output.computed)
            write_generated(self.wb, output, rules)

    def write_blocks(self, blocks) -> None:
        from claimbook.workbook.layout import _write_blocks as write_blocks  # the layout module owns block styling

        with io.us_date_defaults():
            write_blocks(self.wb, blocks)

    def apply_edit(self, edit) -> None:
        io.apply_edit(io.find_claims(self.wb, self.path.name), edit, self.path.name)  # never over cells below

    def add_import_log(self, reports, when: datetime) -> None:
        io.write_import_log(self.wb, reports, when)

    def add_payments(self, rows: list[list]) -> None:
        from claimbook.workbook.payments import write_payments

        write_payments(self.wb, rows)

    def save(self, backups_kept: int) -> None:
        io.save_atomic(self.wb, self.path, backups_kept)
