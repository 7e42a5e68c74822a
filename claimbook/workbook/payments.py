"""The Payments sheet on a workbook file (openpyxl): every remittance payment posted to a claim, read by
the next import so the result does not depend on the order of files (``claimbook.x12.history``). The
ribbon's Import remittance writes the same rows with xlwings (``claimbook.excel.macros``)."""

from __future__ import annotations

from datetime import datetime

from claimbook.workbook.io import _max_row, _sheet, _value, put, us_date_defaults
from claimbook.x12.history import PAYMENT_COLUMNS, PAYMENT_WIDTHS, PAYMENTS_SHEET

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def read_payments(wb) -> list[list]:
    """The Payments sheet's data rows ([] when the workbook has none)."""
    ws = _sheet(wb, PAYMENTS_SHEET)
    if ws is None:
        return []
    cells = ws._cells
    width = len(PAYMENT_COLUMNS)
    return [[_value(cells.get((r, c))) for c in range(1, width + 1)] for r in range(2, _max_row(ws) + 1)]


def write_payments(wb, rows: list[list]) -> None:
    """Append ``rows`` below the Payments sheet's last row (the sheet is added, after the Import Log,
    when missing)."""
    if not rows:
        return
    ws = _sheet(wb, PAYMENTS_SHEET)
    if ws is None:
        ws = wb.create_sheet(PAYMENTS_SHEET)
        for c, h in enumerate(PAYMENT_COLUMNS, 1):
            put(ws, 1, c, h)
        ws.freeze_panes = "A2"
        for letter, width in zip(_LETTERS, PAYMENT_WIDTHS):
            ws.column_dimensions[letter].width = width
    r = max(_max_row(ws), 1) + 1
    stamp_col = PAYMENT_COLUMNS.index("Imported") + 1
    with us_date_defaults():
        for row in rows:
            for c, v in enumerate(row, 1):
                put(ws, r, c, v)
                if c == stamp_col and isinstance(v, datetime):
                    ws.cell(row=r, column=c).number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(v, float):
                    ws.cell(row=r, column=c).number_format = "#,##0.00"
            r += 1
