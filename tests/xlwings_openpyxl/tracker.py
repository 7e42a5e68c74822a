"""Build tracker files for the Excel tests: ``new_tracker`` from the layout helper, filled with claims."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path

from claimbook import sheets, table


def claim_row(claim, header: list[str]) -> list:
    """A Claims-table row for a ``Claim`` record, as a biller would have typed it."""
    by_header = {c.header: c for c in table.INPUT_COLUMNS}
    row = []
    for h in header:
        col = by_header.get(h)
        if col is None:
            row.append(None)
            continue
        v = getattr(claim, col.field)
        if isinstance(v, Enum):
            v = v.value
        elif col.kind == "denials":
            v = " ".join(str(d) for d in v) or None
        elif isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            v = dt.datetime(v.year, v.month, v.day)
        elif v in ("", ()):
            v = None
        row.append(v)
    return row


def write_tracker(path: Path, rules, claims, as_of: dt.date | None, rules_folder: str, rows=None,
                  log_rows=None) -> Path:
    """Save a tracker with these claims (or raw ``rows``) in the Claims table and the Settings filled."""
    from openpyxl.utils import get_column_letter

    wb = _new_tracker(rules, rules_folder)
    ws = wb[sheets.CLAIMS]
    t = ws.tables[sheets.CLAIMS_TABLE]
    header = [c.value for c in ws[1]]
    data = list(rows) if rows is not None else [claim_row(c, header) for c in claims]
    for r, values in enumerate(data, start=2):
        for c, v in enumerate(values, start=1):
            if v is None:
                continue
            cell = ws.cell(r, c)
            cell.value = v
            if isinstance(v, str):
                cell.data_type = "s"  # "=1+1" typed as a note is text in the file
    last = get_column_letter(len(header))
    t.ref = f"A1:{last}{max(2, len(data) + 1)}"
    if t.autoFilter is not None:
        t.autoFilter.ref = t.ref
    if log_rows:
        lw = wb[sheets.FOLLOWUP_LOG]
        lt = lw.tables[sheets.LOG_TABLE]
        for r, values in enumerate(log_rows, start=2):
            for c, v in enumerate(values, start=1):
                if v is not None:
                    lw.cell(r, c).value = v
        lt.ref = f"A1:{get_column_letter(len(table.FOLLOWUP_LOG_COLUMNS))}{len(log_rows) + 1}"
        if lt.autoFilter is not None:
            lt.autoFilter.ref = lt.ref
    st = wb[sheets.SETTINGS]
    if as_of is not None:
        st[sheets.setting_cell("As-of date")].value = dt.datetime(as_of.year, as_of.month, as_of.day)
    wb.save(path)
    return path


def _new_tracker(rules, rules_folder: str):
    from claimbook.workbook.layout import new_tracker

    return new_tracker(rules, rules_folder)


def minimal_tracker(rules_folder: str, claims_header: list[str] | None = None):
    """The sheets, tables and Settings rows the Excel entry points use, without any styling."""
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    wb.active.title = sheets.WORKLIST
    for name in sheets.SHEET_ORDER[1:]:
        wb.create_sheet(name)
    claims_header = claims_header or [c.header for c in table.INPUT_COLUMNS] + list(table.COMPUTED_COLUMNS)
    for name, tname, cols in ((sheets.CLAIMS, sheets.CLAIMS_TABLE, claims_header),
                              (sheets.FOLLOWUP_LOG, sheets.LOG_TABLE, list(table.FOLLOWUP_LOG_COLUMNS))):
        ws = wb[name]
        ws.append(cols)
        ws.add_table(Table(displayName=tname, ref=f"A1:{get_column_letter(len(cols))}2"))
        if name == sheets.CLAIMS:  # claimbook's computed headers carry its note, as in every tracker it makes
            from openpyxl.comments import Comment

            for j, h in enumerate(cols, start=1):
                if h in table.COMPUTED_COLUMNS:
                    ws.cell(1, j).comment = Comment(table.COMPUTED_MARK, "claimbook")
    st = wb[sheets.SETTINGS]
    st.append(list(sheets.SETTINGS_HEADER))
    for row in sheets.SETTINGS_ROWS:
        st.append([row.label, rules_folder if row.label == "Rules folder" else None, row.explanation])
    wb[sheets.HOWTO]["A1"] = "How to use claimbook"
    return wb
