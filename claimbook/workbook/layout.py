"""The tracker workbook's layout, with openpyxl: build a new tracker, complete a practice's own
workbook, and write the generated sheets (Worklist, Dashboard, Payers).

Where generated values go is decided by ``claimbook.sheets`` (shared with the Excel edge); this module
adds what only a file can carry: tables, styles, drop-downs, conditional formats, charts, print setup.
Only Excel 2007-level features are used (no x14 extensions), so an openpyxl round trip keeps them all.
"""

from __future__ import annotations

import re
from copy import copy
from datetime import date, datetime
from enum import Enum

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.comments import Comment
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Border, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles import Font as _Font
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from claimbook import sheets as S
from claimbook import table
from claimbook.errors import TrackerError
from claimbook.model import Channel, ClaimType, Network, Order, Status
from claimbook.pipeline import Dashboard, RefreshOutput

INPUT_COLUMNS = [c.header for c in table.INPUT_COLUMNS]
COMPUTED_COLUMNS = list(table.COMPUTED_COLUMNS)
FOLLOWUP_LOG_COLUMNS = list(table.FOLLOWUP_LOG_COLUMNS)
WORKLIST_COLUMNS = list(table.WORKLIST_COLUMNS)

def Font(**kw) -> _Font:  # noqa: N802 - one font family everywhere (Excel's default)
    return _Font(name="Calibri", **kw)


# --- look -----------------------------------------------------------------------------------------
WHITE = "FFFFFF"
NAVY = "1F3864"
BLUE = "2F5597"
BAR_BLUE = "4472C4"
COMPUTED_FILL = PatternFill("solid", fgColor="595959")  # computed headers: dark grey, not the table blue
COMPUTED_BODY_FILL = PatternFill("solid", fgColor="F2F2F2", bgColor="F2F2F2")
HEADER_FILL = PatternFill("solid", fgColor=BLUE)
TILE_FILL = PatternFill("solid", fgColor="DEEAF6")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # a value the office manager may change
TOTAL_FILL = PatternFill("solid", fgColor="D9E1F2")
TITLE_FONT = Font(size=16, bold=True, color=NAVY)
SUBTITLE_FONT = Font(size=12, bold=True, color=NAVY)
HEADER_FONT = Font(bold=True, color=WHITE)
COMPUTED_FONT = Font(bold=True, italic=True, color=WHITE)
NOTE_FONT = Font(italic=True, color="595959", size=9)
THIN = Side(style="thin", color="8EA9DB")
COMPUTED_NOTE = "Filled in by claimbook \u2014 typing here is overwritten at the next refresh."

# Timely-filing risk colors (Excel's own light-fill / dark-text pairs stay readable in print).
RISK_COLORS = {
    "red": ("FFC7CE", "9C0006"),  # Expired, Critical
    "orange": ("FCD5B4", "974706"),  # High
    "yellow": ("FFEB9C", "9C5700"),  # Watch
}

_CLAIM_WIDTHS = {
    "Claim ID": 14, "Patient": 22, "Payer": 26, "Payer ID": 10, "Network": 9, "Claim Type": 13,
    "Channel": 11, "Order": 11, "Status": 16, "Denial Codes": 16, "Notes": 30, "Next Action": 45,
    "Aging Bucket": 9, "Why": 80, "Data Issues": 36, "TF Risk": 10, "Priority": 9, "#": 5, "Age": 7,
    "Outcome": 30, "Action Taken": 36, "Reference #": 16, "By": 10, "Patient Resp": 14, "Due": 11,
}
_TEXT_COLUMNS = {"Claim ID", "Patient", "Payer ID", "Reference #", "Notes", "Denial Codes"}


def _width(header: str) -> float:
    if header in _CLAIM_WIDTHS:
        return _CLAIM_WIDTHS[header]
    if S.column_format(header) == S.DATE_FORMAT:
        return 12
    if S.column_format(header) == S.MONEY_FORMAT:
        return 12
    return max(10, len(header) + 3)


def _dv_values(enum) -> str:
    return '"' + ",".join(m.value for m in enum) + '"'


_LISTS = {
    "Status": _dv_values(Status),
    "Network": _dv_values(Network),
    "Claim Type": _dv_values(ClaimType),
    "Channel": _dv_values(Channel),
    "Order": _dv_values(Order),
    "Payer": S.PAYER_LIST_NAME,
}


# ==================================================================================================
# New tracker
# ==================================================================================================
def new_tracker(rules, rules_folder: str = "", as_of: date | None = None) -> Workbook:
    """An empty tracker: every sheet, table, drop-down, color rule and chart, ready for claims.

    Args:
      rules: the loaded ``claimbook.rules.schema.Rules`` (payer names, buckets, default settings).
      rules_folder: the value for Settings > Rules folder ("" means the ``rules`` folder beside it).
      as_of: the day whose rules the Payers sheet shows until the first refresh (default today).
    """
    wb = Workbook()
    wb.code_name = S.WORKBOOK_CODE_NAME
    wb.active.title = S.WORKLIST
    for name in S.SHEET_ORDER[1:]:
        wb.create_sheet(name)
    for name in S.SHEET_ORDER:
        wb[name].sheet_properties.codeName = S.CODE_NAMES[name]

    _build_claims(wb[S.CLAIMS])
    _build_log(wb[S.FOLLOWUP_LOG])
    _build_worklist(wb[S.WORKLIST], WORKLIST_COLUMNS)
    _build_dashboard(wb[S.DASHBOARD])
    _build_payers(wb[S.PAYERS])
    _build_settings(wb[S.SETTINGS], rules, rules_folder)
    _build_howto(wb[S.HOWTO])
    _add_defined_names(wb)
    _write_blocks(wb, _initial_blocks(rules, as_of or date.today()))
    _finish_generated(wb, len(rules.settings.bucket_labels()), WORKLIST_COLUMNS, 0)
    wb.active = 0
    return wb


def _initial_blocks(rules, as_of: date) -> list[S.SheetBlock]:
    """The generated blocks of a tracker that has never been refreshed."""
    rb = S.rules_block(rules, as_of)
    buckets = list(rules.settings.bucket_labels())
    dash = Dashboard(buckets=buckets, payers=[], dollars=[], counts=[], kpis=[])
    return [
        S.SheetBlock(S.WORKLIST, S.WORKLIST_STATUS_CELL,
                     [["Not refreshed yet: type or paste your claims on the Claims sheet, then press Refresh "
                       "priorities (on the Claims tab of the ribbon)."]],
                     1, 1, key="worklist.status"),
        S.SheetBlock(S.WORKLIST, f"A{S.WORKLIST_HEADER_ROW}", [list(WORKLIST_COLUMNS)], 1,
                     len(WORKLIST_COLUMNS), key="worklist.table"),
        *[b for b in S.dashboard_blocks(dash, date(1900, 1, 1), "") if b.key not in ("dash.asof", "dash.refreshed")],
        S.SheetBlock(S.DASHBOARD, S.DASH_REFRESHED_CELL, [["Not refreshed yet."]], 1, 1, key="dash.refreshed"),
        *S.payers_blocks(rb, rules.folder or "", [str(p) for p in rules.problems], as_of),
    ]


def _print_setup(ws, landscape: bool = True, title_rows: str | None = None, fit_width: bool = True) -> None:
    """Letter paper, narrow margins, one page wide (or, for very wide sheets, 70% and page by page)."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    if fit_width:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    else:
        ws.page_setup.scale = 70
        ws.page_setup.pageOrder = "overThenDown"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_options.gridLines = False
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "&A  -  page &P of &N"
    ws.oddFooter.center.size = 8


def _build_claims(ws) -> None:
    headers = [*INPUT_COLUMNS, *COMPUTED_COLUMNS]
    ws.append(headers)
    last = S.col_letter(len(headers))
    tab = Table(displayName=S.CLAIMS_TABLE, ref=f"A1:{last}2")
    tab.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(tab)
    ws.freeze_panes = "B2"
    for i, h in enumerate(headers, start=1):
        _format_claim_column(ws, i, h)
    # Explicit header styles (not only the table style): the input/computed difference then shows in
    # every program, and prints.
    _style_header_row(ws, 1, 1, len(INPUT_COLUMNS), height=30)
    _style_computed_headers(ws, 1, range(len(INPUT_COLUMNS) + 1, len(headers) + 1))
    _claims_validations(ws, {h: i for i, h in enumerate(headers, start=1)})
    _claims_conditional_formats(ws, 1, {h: i for i, h in enumerate(headers, start=1)}, 1)
    _print_setup(ws, title_rows="1:1", fit_width=False)
    ws.print_title_cols = "A:A"


def _format_claim_column(ws, col: int, header: str, first_row: int = 2) -> None:
    letter = S.col_letter(col)
    ws.column_dimensions[letter].width = _width(header)
    fmt = "@" if header in _TEXT_COLUMNS else S.column_format(header)
    if fmt:
        ws.column_dimensions[letter].number_format = fmt
        ws.cell(first_row, col).number_format = fmt


def _style_computed_headers(ws, row: int, cols) -> None:
    for c in cols:
        cell = ws.cell(row, c)
        cell.fill = COMPUTED_FILL
        cell.font = COMPUTED_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        comment = Comment(COMPUTED_NOTE, "claimbook")
        comment.width, comment.height = 240, 60
        cell.comment = comment


def _claims_validations(ws, where: dict[str, int], first_row: int = 2) -> None:
    last_row = S.FORMATTED_ROWS
    for header, formula in _LISTS.items():
        if header not in where:
            continue
        col = S.col_letter(where[header])
        free = header == "Payer"  # an unknown payer is allowed (default rules); the list only helps
        dv = DataValidation(
            type="list", formula1=formula, allow_blank=True,
            errorStyle="information" if free else "warning",
            showErrorMessage=True,
            errorTitle=f"Not a usual {header}",
            error=(f"'{header}' is usually one of the choices in the list. Keep what you typed?"
                   if not free else "This payer is not in the rules; claimbook will use the default rules."),
            promptTitle=header, prompt=f"Pick from the list{' or type the payer name' if free else ''}.",
            showInputMessage=False,
        )
        dv.add(f"{col}{first_row}:{col}{last_row}")
        ws.add_data_validation(dv)
    dates = [h for h in INPUT_COLUMNS if S.column_format(h) == S.DATE_FORMAT and h in where]
    if dates:
        dv = _date_validation()
        for h in dates:
            col = S.col_letter(where[h])
            dv.add(f"{col}{first_row}:{col}{last_row}")
        ws.add_data_validation(dv)


def _date_validation() -> DataValidation:
    return DataValidation(
        type="date", operator="between", formula1="36526", formula2="73051", allow_blank=True,  # 2000..2099
        errorStyle="warning", showErrorMessage=True, errorTitle="Not a date",
        error="Type a date like 03/15/2026.",
    )


def _claims_conditional_formats(ws, header_row: int, where: dict[str, int], id_col: int) -> None:
    """TF Risk colors, Days Overdue > 0, and a light grey body for the computed columns."""
    first, last = header_row + 1, S.FORMATTED_ROWS
    _risk_rules(ws, where, first, last)
    comp = [where[h] for h in COMPUTED_COLUMNS if h in where]
    if comp:
        idc = S.col_letter(id_col)
        # contiguous runs of computed columns (they are contiguous in every layout claimbook makes)
        rng = f"{S.col_letter(min(comp))}{first}:{S.col_letter(max(comp))}{last}"
        ws.conditional_formatting.add(rng, FormulaRule(formula=[f'LEN(${idc}{first})>0'], fill=COMPUTED_BODY_FILL))


def _risk_rules(ws, where: dict[str, int], first: int, last: int) -> None:
    if "TF Risk" in where:
        col = S.col_letter(where["TF Risk"])
        rng = f"{col}{first}:{col}{last}"
        for words, color in ((("Expired", "Critical"), "red"), (("High",), "orange"), (("Watch",), "yellow")):
            fill, font = RISK_COLORS[color]
            cond = " , ".join(f'${col}{first}="{w}"' for w in words)
            formula = f"OR({cond.replace(' , ', ',')})" if len(words) > 1 else cond
            ws.conditional_formatting.add(rng, FormulaRule(
                formula=[formula], stopIfTrue=True,
                fill=PatternFill("solid", fgColor=fill, bgColor=fill), font=Font(bold=True, color=font)))
    if "Days Overdue" in where:
        col = S.col_letter(where["Days Overdue"])
        ws.conditional_formatting.add(f"{col}{first}:{col}{last}", CellIsRule(
            operator="greaterThan", formula=["0"], stopIfTrue=True, font=Font(bold=True, color="C00000")))
    marker = "Priority" if "Priority" in where else "#"  # the Worklist numbers its (open) claims in "#"
    if "Appeal Deadline" in where and marker in where:
        # Values, not words: an open claim (it has a priority) whose appeal deadline is before the as-of date
        # of the last refresh (the Dashboard's as-of cell). The engine then starts the action with
        # "Appeal deadline passed", but the sheet never reads that text.
        col, rank = S.col_letter(where["Appeal Deadline"]), S.col_letter(where[marker])
        asof = f"{_quote(S.DASHBOARD)}!${S.DASH_ASOF_CELL[0]}${S.DASH_ASOF_CELL[1:]}"
        ws.conditional_formatting.add(f"{col}{first}:{col}{last}", FormulaRule(
            formula=[f"AND(ISNUMBER(${col}{first}),ISNUMBER(${rank}{first}),ISNUMBER({asof}),${col}{first}<{asof})"],
            stopIfTrue=True, font=Font(bold=True, color="C00000")))


def _build_log(ws) -> None:
    cols = list(FOLLOWUP_LOG_COLUMNS)
    ws.append(cols)
    tab = Table(displayName=S.LOG_TABLE, ref=f"A1:{S.col_letter(len(cols))}2")
    tab.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(tab)
    ws.freeze_panes = "A2"
    for i, h in enumerate(cols, start=1):
        _format_claim_column(ws, i, h)
    _style_header_row(ws, 1, 1, len(cols), height=None)
    dv = _date_validation()
    for h in ("Date", "Next Date"):
        if h in cols:
            col = S.col_letter(cols.index(h) + 1)
            dv.add(f"{col}2:{col}{S.FORMATTED_ROWS}")
    ws.add_data_validation(dv)
    _print_setup(ws, title_rows="1:1")


def _build_worklist(ws, header) -> None:
    ws["A1"] = "Worklist: the claims to work today, most important first"
    ws["A1"].font = TITLE_FONT
    ws.freeze_panes = f"C{S.WORKLIST_HEADER_ROW + 1}"
    _worklist_columns(ws, header)
    _print_setup(ws, title_rows=f"{S.WORKLIST_HEADER_ROW}:{S.WORKLIST_HEADER_ROW}")


def _worklist_columns(ws, header) -> None:
    for i, h in enumerate(header, start=1):
        letter = S.col_letter(i)
        ws.column_dimensions[letter].width = _width(h)
        fmt = S.column_format(h)
        if fmt:  # pre-formatted columns: values the Excel edge writes show as dates and dollars too
            ws.column_dimensions[letter].number_format = fmt


def _build_dashboard(ws) -> None:
    ws["A1"] = "Dashboard: the follow-up backlog, and open AR (billed claims not yet paid) by payer and age"
    ws["A1"].font = TITLE_FONT
    for ref, text in (("A2", "As of"), ("A3", "At the last refresh")):
        ws[ref] = text
        ws[ref].font = Font(bold=True)
    ws.column_dimensions["A"].width = 34
    for c in range(2, S.MATRIX_COLS + 1):
        ws.column_dimensions[S.col_letter(c)].width = 15
    ws.row_dimensions[S.DASH_KPI_ROW].height = 30
    ws.row_dimensions[S.DASH_KPI_ROW + 1].height = 30
    ws.row_dimensions[S.DASH_KPI_ROW + 2].height = 42
    _print_setup(ws)


# Payers sheet column widths (the rules table, A..T): short values stay on one line, the long texts
# (match names, contact, sources, notes) wrap in smaller print, and the whole table fits a landscape page.
_PAYER_WIDTHS = {
    "Payer": 18, "File": 19, "Match Names": 21, "Match IDs": 9, "TF In-Network": 10, "TF Out-of-Network": 10,
    "TF Anchor": 11, "Institutional Anchor": 10, "Secondary Anchor": 12, "Roll to Business Day": 7,
    "First Check (Electronic)": 9, "First Check (Paper)": 8, "Recheck Every": 8, "Expected Adjudication": 10,
    "Appeal Window": 8, "Receipt Presumption": 10, "Underpayment Tolerance": 14, "Contact": 30, "Source": 40,
    "Contested / Notes": 40,
}
_PAYER_SMALL = {"Match Names", "Contact", "Source", "Contested / Notes"}  # long texts: 8 pt
_PAYER_SMALL_SIZE = 8
_PAYER_SIZE = 9


def _build_payers(ws) -> None:
    ws["A1"] = "Payer rules in use"
    ws["A1"].font = TITLE_FONT
    for ref, text in (("A2", "Rules folder"), ("A3", "Rules problems")):
        ws[ref] = text
        ws[ref].font = Font(bold=True)
    ws[S.PAYERS_HEADING_CELL] = (
        "Rules in force on the as-of date. To change one, edit the payer's file in the rules folder (see "
        "'How to'), then refresh."
    )
    ws[S.PAYERS_HEADING_CELL].font = SUBTITLE_FONT
    for i, h in enumerate(table.PAYERS_COLUMNS, start=1):
        ws.column_dimensions[S.col_letter(i)].width = _PAYER_WIDTHS.get(h, 11)
    ws.column_dimensions[S.PAYER_LIST_COL].hidden = True
    ws.freeze_panes = f"B{S.PAYERS_TABLE_ROW + 1}"
    _print_setup(ws, title_rows=f"{S.PAYERS_TABLE_ROW}:{S.PAYERS_TABLE_ROW}")


def _build_settings(ws, rules, rules_folder: str) -> None:
    ws.append(list(S.SETTINGS_HEADER))
    values = {
        "As-of date": None,
        "Rules folder": rules_folder or None,
        "Worklist look-ahead days": rules.settings.look_ahead_days,
        "Backups kept": rules.settings.backups_kept,
        "Follow-up work per day": rules.settings.work_per_day.cell_text(),
    }
    for row in S.SETTINGS_ROWS:
        ws.append([row.label, values[row.label], row.explanation])
    for c in ws[1]:
        c.font, c.fill = HEADER_FONT, HEADER_FILL
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 90
    asof = S.setting_cell("As-of date")
    ws[asof].number_format = S.DATE_FORMAT
    dv = _date_validation()
    dv.add(asof)
    ws.add_data_validation(dv)
    for label, hi in (("Worklist look-ahead days", 365), ("Backups kept", 100)):
        v = DataValidation(type="whole", operator="between", formula1="0", formula2=str(hi), allow_blank=True,
                           showErrorMessage=True, errorTitle="Not a number of days",
                           error=f"Type a whole number from 0 to {hi}.")
        v.add(S.setting_cell(label))
        ws.add_data_validation(v)
    for i, row in enumerate(S.SETTINGS_ROWS, start=S.SETTINGS_FIRST_ROW):
        _style_setting_row(ws, i, row)
    _print_setup(ws)


def _style_setting_row(ws, i: int, row) -> None:
    ws.cell(i, 1).font = Font(bold=True)
    ws.cell(i, 2).alignment = Alignment(horizontal="left", vertical="top")
    ws.cell(i, 2).fill = INPUT_FILL
    ws.cell(i, 2).border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
    ws.cell(i, 1).alignment = Alignment(vertical="top")
    ws.cell(i, 3).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[i].height = _height(_lines(row.explanation, 88))


def _ensure_settings_rows(ws, rules) -> list[str]:
    """Settings rows a tracker made by an older claimbook lacks, added in their own place when it is free."""
    have = {table.norm_header(c.value) for c in ws["A"] if c.value is not None}
    added = []
    for i, row in enumerate(S.SETTINGS_ROWS, start=S.SETTINGS_FIRST_ROW):
        if table.norm_header(row.label) in have or any(ws.cell(i, c).value is not None for c in (1, 2, 3)):
            continue
        ws.cell(i, 1, row.label)
        if row.label == table.SETTING_WORK_PER_DAY:
            ws.cell(i, 2, rules.settings.work_per_day.cell_text())
        ws.cell(i, 3, row.explanation)
        _style_setting_row(ws, i, row)
        added.append(f"Added the '{row.label}' row to the Settings sheet.")
    return added


def _add_defined_names(wb) -> None:
    names = {r.name: f"{_quote(S.SETTINGS)}!${S.setting_cell(r.label)[0]}${S.setting_cell(r.label)[1:]}"
             for r in S.SETTINGS_ROWS}
    names[S.PAYER_LIST_NAME] = S.PAYER_LIST_FORMULA
    for name, ref in names.items():
        if name not in wb.defined_names:
            wb.defined_names[name] = DefinedName(name, attr_text=ref)


def _quote(sheet: str) -> str:
    return sheet if sheet.isalnum() else "'" + sheet.replace("'", "''") + "'"


def _read_howto() -> list[tuple[str, str]]:
    """The How to sheet's text from ``howto.md`` (packaged beside this module), as (kind, text) items.

    One item per paragraph (blank lines between them; a paragraph's lines are joined): ``# `` is the
    title, ``## `` a heading, ``- `` a bullet, ``1. `` a numbered step (the number is kept), anything
    else a plain paragraph. tests/test_howto.py checks the promises it makes against the code.
    """
    from importlib.resources import files

    text = files("claimbook.workbook").joinpath("howto.md").read_text(encoding="utf-8")
    items = []
    for para in text.split("\n\n"):
        line = " ".join(para.split())
        if not line:
            continue
        for prefix, kind in (("## ", "h"), ("# ", "title"), ("- ", "b")):
            if line.startswith(prefix):
                items.append((kind, line[len(prefix):]))
                break
        else:
            items.append(("n" if re.match(r"^\d+\. ", line) else "p", line))
    return items


HOWTO_TEXT = _read_howto()


HOWTO_WIDTH = 80


HOWTO_PAGE_HEIGHT = 680  # points of rows on a portrait Letter page with _print_setup's margins (a little spare)


def _build_howto(ws) -> None:
    ws.column_dimensions["A"].width = HOWTO_WIDTH
    ws.sheet_view.showGridLines = False
    heights = [24 if kind == "title" else _height(_lines(text, HOWTO_WIDTH + 4))  # ~90 characters a line
               for kind, text in HOWTO_TEXT]
    row, used = 1, 0.0
    for k, (kind, text) in enumerate(HOWTO_TEXT):
        if kind == "h":
            # A heading starts a new page rather than sit at the bottom of one away from its first item.
            need = 15 + heights[k] + (heights[k + 1] if k + 1 < len(HOWTO_TEXT) else 0)
            if used + need > HOWTO_PAGE_HEIGHT:
                ws.row_breaks.append(Break(id=row - 1))
                used = 0.0
            row += 1  # a blank line before each heading
            used += 15
        cell = ws.cell(row, 1, ("\u2022 " + text) if kind == "b" else text)
        cell.alignment = Alignment(wrap_text=True, vertical="top", indent=1 if kind in ("b", "n") else 0)
        cell.font = {"title": TITLE_FONT, "h": SUBTITLE_FONT}.get(kind, Font(size=11))
        ws.row_dimensions[row].height = heights[k]
        used += heights[k]
        if used > HOWTO_PAGE_HEIGHT:  # this row went onto the next page
            used = heights[k]
        row += 1
    _print_setup(ws, landscape=False)


# ==================================================================================================
# A practice's own workbook
# ==================================================================================================
def ensure_tracker(wb, rules) -> list[str]:
    """Add whatever claimbook needs to a practice's own workbook, without touching their cells.

    The workbook must have a ``Claims`` table (or a ``Claims`` sheet) with Claim ID, Payer and DOS
    columns, under any of their usual names and in any order. Missing claimbook sheets are added at
    the end; missing computed columns are appended at the right of the table (its range extended) or
    of the used columns. Returns what was added, one plain-English line each ([] if nothing was needed).
    Raises ``TrackerError`` (``MissingColumnsError``) before changing anything when the claims cannot
    be used.
    """
    from claimbook.workbook import io

    added: list[str] = []
    place = io.find_claims(wb)
    header = place.header()
    where = "The Claims table" if place.table is not None else f"Row {place.header_row} of the Claims sheet"
    table.map_input_columns(header, what=where)  # raises MissingColumnsError, naming what it found
    present = table.map_computed_columns(header)
    todo = [h for h in COMPUTED_COLUMNS if h not in present]
    if todo:
        added.append(_add_computed_columns(place.ws, place.table, place.header_row, place.last_col + 1, todo))
    builders = {
        S.WORKLIST: lambda w: _build_worklist(w, WORKLIST_COLUMNS),
        S.FOLLOWUP_LOG: _build_log,
        S.DASHBOARD: _build_dashboard,
        S.PAYERS: _build_payers,
        S.SETTINGS: lambda w: _build_settings(w, rules, ""),
        S.HOWTO: _build_howto,
    }
    if S.SETTINGS in wb.sheetnames:
        added.extend(_ensure_settings_rows(wb[S.SETTINGS], rules))
    new_sheets = []
    for name in S.SHEET_ORDER:
        if name in wb.sheetnames or (name == S.FOLLOWUP_LOG and S.LOG_TABLE.lower() in _table_names(wb)):
            continue
        new = wb.create_sheet(name)
        if S.CODE_NAMES[name] not in {w.sheet_properties.codeName for w in wb.worksheets}:
            new.sheet_properties.codeName = S.CODE_NAMES[name]
        builders[name](new)
        new_sheets.append(name)
        added.append(f"Added the '{name}' sheet.")
    before = set(wb.defined_names)
    _add_defined_names(wb)
    if set(wb.defined_names) - before:
        added.append(f"Added the names {', '.join(sorted(set(wb.defined_names) - before))} "
                     "(the Settings values and the Payer list).")
    if new_sheets:
        _write_blocks(wb, [b for b in _initial_blocks(rules, date.today()) if b.sheet in new_sheets])
        if S.WORKLIST in new_sheets:
            _finish_worklist(wb[S.WORKLIST], WORKLIST_COLUMNS, 0)
        if S.DASHBOARD in new_sheets:
            _finish_dashboard(wb[S.DASHBOARD], len(rules.settings.bucket_labels()))
    return added


def _add_computed_columns(ws, tab, hrow: int, start: int, todo: list[str]) -> str:
    last_row = _table_last_row(tab, ws)
    for c in range(start, start + len(todo)):
        busy = [r for r in range(hrow, last_row + 1) if ws.cell(r, c).value not in (None, "")]
        if busy:
            raise TrackerError(
                f"Column {S.col_letter(c)} of the '{ws.title}' sheet, right of your claims, is in use "
                f"(cell {S.col_letter(c)}{busy[0]}). claimbook adds its columns there: move that column "
                f"further right or to another sheet, then try again."
            )
    for i, h in enumerate(todo):
        c = start + i
        ws.cell(hrow, c, h)
        ws.column_dimensions[S.col_letter(c)].width = _width(h)
        fmt = S.column_format(h)
        if fmt:
            ws.column_dimensions[S.col_letter(c)].number_format = fmt
    _style_computed_headers(ws, hrow, range(start, start + len(todo)))
    if tab is not None:
        _extend_table(tab, todo, start + len(todo) - 1)
    _risk_rules(ws, {h: start + i for i, h in enumerate(todo)}, hrow + 1, max(S.FORMATTED_ROWS, last_row))
    cols = f"{S.col_letter(start)} to {S.col_letter(start + len(todo) - 1)}"
    n = len(todo)
    return (f"Added {n} claimbook column{'s' if n != 1 else ''} ({', '.join(todo)}) at the right of your "
            f"claims, columns {cols}. claimbook fills them in at each refresh.")


def _table_names(wb) -> set[str]:
    return {t.lower() for ws in wb.worksheets for t in ws.tables}


def _table_last_row(tab, ws) -> int:
    if tab is not None:
        return S.split_cell(tab.ref.split(":")[1])[1]
    return max((r for (r, _c) in ws._cells), default=1)


def _extend_table(table, headers: list[str], last_col: int) -> None:
    first, last = table.ref.split(":")
    table.ref = f"{first}:{S.col_letter(last_col)}{S.split_cell(last)[1]}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref
    next_id = max((tc.id for tc in table.tableColumns), default=0) + 1
    for i, h in enumerate(headers):
        table.tableColumns.append(TableColumn(id=next_id + i, name=h))


# ==================================================================================================
# Generated sheets
# ==================================================================================================
def write_generated(wb, output: RefreshOutput, rules=None) -> None:
    """Write the Worklist, Dashboard and Payers blocks (cleared first), styled, with the charts.

    Writing the same output twice gives the same cells. Text is always written as text, never as a
    formula, whatever it starts with.
    """
    missing = [name for name in (S.WORKLIST, S.DASHBOARD, S.PAYERS) if name not in wb.sheetnames]
    if missing:
        if rules is None:
            raise TrackerError(f"This workbook has no {', '.join(missing)} sheet. Run 'claimbook refresh' to add it.")
        ensure_tracker(wb, rules)
    blocks = S.generated_blocks(output)
    _write_blocks(wb, blocks)
    nb = min(len(output.dashboard.buckets), S.MAX_BUCKETS)
    _finish_generated(wb, nb, list(output.worklist.header), len(output.worklist.rows))
    _align_computed(wb)


def _align_computed(wb) -> None:
    """Center the short computed columns on Claims (a number right beside text reads as one word)."""
    from claimbook.workbook import io

    try:
        place = io.find_claims(wb)
    except TrackerError:
        return
    # By style index, not through cell.alignment (which builds a proxy per cell): a cell whose alignment
    # is already centered horizontally is left as it is; the others get the one shared "center" alignment.
    alignments = wb._alignments
    center_id = None
    centered: dict[int, bool] = {}
    cells = place.ws._cells
    for name, i in table.map_computed_columns(place.header()).items():
        if name not in _CENTERED:
            continue
        col = place.first_col + i
        for r in range(place.first_data_row, place.last_row + 1):
            cell = cells.get((r, col))
            if cell is None:
                continue
            style = cell._style
            if style is None:  # a cell openpyxl has not styled yet
                style = cell._style = StyleArray()
            aid = style.alignmentId
            ok = centered.get(aid)
            if ok is None:
                ok = centered[aid] = alignments[aid].horizontal == "center"
            if not ok:
                if center_id is None:
                    center_id = alignments.add(Alignment(horizontal="center"))
                style.alignmentId = center_id
def _finish_generated(wb, n_buckets: int, worklist_header: list, n_rows: int) -> None:
    _finish_worklist(wb[S.WORKLIST], worklist_header, n_rows)
    _finish_dashboard(wb[S.DASHBOARD], n_buckets)


def _finish_worklist(ws, header: list, n_rows: int) -> None:
    """Autofilter, column formats, TF-risk colors and print area fitted to the rows just written."""
    hr = S.WORKLIST_HEADER_ROW
    last = S.col_letter(max(1, len(header)))
    for r in [r for r in ws.row_dimensions if r > hr + n_rows]:
        del ws.row_dimensions[r]  # heights of rows from a longer earlier worklist
    ws.auto_filter.ref = f"A{hr}:{last}{hr + max(n_rows, 1)}"
    _worklist_columns(ws, header)
    ws.conditional_formatting = ConditionalFormattingList()
    _risk_rules(ws, {h: i for i, h in enumerate(header, start=1)}, hr + 1, hr + max(n_rows, S.FORMATTED_ROWS))
    ws.print_area = f"A1:{last}{S.worklist_footer_row(max(n_rows, 1))}"  # the line under the list too


def _finish_dashboard(ws, n_buckets: int) -> None:
    _build_charts(ws, n_buckets)
    ws.print_area = f"A1:{S.col_letter(_chart_col(n_buckets) + 9)}{S.DASH_COUNT_ROW + S.MATRIX_ROWS}"


def _chart_col(n_buckets: int) -> int:
    return 1 + n_buckets + 1 + 2  # two spare columns right of the matrix's Total column


def _build_charts(ws, n_buckets: int) -> None:
    """Two native bar charts over the dollars matrix (rebuilt each time, so they fit the bucket count)."""
    ws._charts = []
    rng = S.chart_ranges(n_buckets)
    sheet = _quote(ws.title)
    anchor = S.col_letter(_chart_col(n_buckets))

    by_age = BarChart()
    by_age.type, by_age.style = "col", 10
    by_age.title = "Open AR by age of claim (days)"
    by_age.legend = None
    s = Series(Reference(range_string=f"{sheet}!{rng.age_values}"), title="Open AR")
    s.graphicalProperties.solidFill = BAR_BLUE
    by_age.series.append(s)
    _text_categories(by_age, f"{sheet}!{rng.age_categories}")
    _axes(by_age)
    by_age.width, by_age.height = 17, 7.5
    ws.add_chart(by_age, f"{anchor}{S.DASH_KPI_ROW}")

    by_payer = BarChart()
    by_payer.type, by_payer.grouping, by_payer.overlap, by_payer.style = "bar", "stacked", 100, 10
    by_payer.gapWidth = 40
    by_payer.title = "Open AR by payer, split by age (days)"
    palette = ["A9D18E", "FFD966", "F4B183", "E06666", "990000", "7F6000", "595959", "1F3864"]
    for i, (name_cell, values) in enumerate(rng.payer_series):
        ser = Series(Reference(range_string=f"{sheet}!{values}"))
        ser.tx = SeriesLabel(strRef=StrRef(f"{sheet}!{name_cell}"))
        ser.graphicalProperties.solidFill = palette[i % len(palette)]
        ser.graphicalProperties.line.solidFill = palette[i % len(palette)]
        by_payer.series.append(ser)
    _text_categories(by_payer, f"{sheet}!{rng.payer_categories}")
    _axes(by_payer)
    by_payer.x_axis.scaling.orientation = "maxMin"  # largest payer on top
    by_payer.legend.position = "b"
    by_payer.width, by_payer.height = 17, 15
    ws.add_chart(by_payer, f"{anchor}{S.DASH_KPI_ROW + 12}")


def _text_categories(chart, ref: str) -> None:
    """Category labels are text (bucket labels, payer names): a string reference, not a number one."""
    for ser in chart.series:
        ser.cat = AxDataSource(strRef=StrRef(f=ref))


def _axes(chart) -> None:
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.number_format = '[>=1000]"$"#,##0,"k";"$"#,##0'  # short axis labels: $10k


# --- writing blocks -------------------------------------------------------------------------------
def _text(value: str) -> str:
    # No apostrophe prefix here (table.safe_text is for Excel): a string cell is never a formula.
    return table.clean_text(value)


def put(ws, row: int, col: int, value):
    """Write one value; a string is always stored as a string (never a formula)."""
    if value is None:
        return None
    if isinstance(value, Enum):
        value = value.value
    cell = ws.cell(row, col)
    if isinstance(value, str):
        cell.value = _text(value)
        cell.data_type = "s"  # "=SUM(...)" typed in a note stays text
    elif isinstance(value, (int, float, date, datetime)):
        cell.value = value
    else:
        cell.value = _text(str(value))
        cell.data_type = "s"
    return cell


def _clear(ws, row: int, col: int, nrows: int, ncols: int) -> None:
    r2, c2 = row + nrows - 1, col + ncols - 1
    for key in [k for k in ws._cells if row <= k[0] <= r2 and col <= k[1] <= c2]:
        del ws._cells[key]


def _write_blocks(wb, blocks: list[S.SheetBlock]) -> None:
    for b in blocks:
        ws = wb[b.sheet]
        row0, col0 = b.row, b.col
        _clear(ws, row0, col0, b.clear_rows, b.clear_cols)
        looks = _COLUMN_LOOKS.get(b.key)
        width = max((len(r) for r in b.values), default=0)  # a title row may be narrower than the table
        styles = [_style_array(ws, fmt=b.col_formats[j] if j < len(b.col_formats) else None,
                               **(looks(str(b.values[0][j])) if looks else {}))
                  for j in range(width)]
        _put_rows(ws, row0, col0, b.values, styles)
        _STYLES.get(b.key, lambda ws, b: None)(ws, b)


def _put_rows(ws, row0: int, col0: int, values: list[list], styles: list) -> None:
    """Write ``values`` into cells that ``_clear`` just emptied, as ``put`` would, one style per column.

    The common values (text and numbers) become cells directly, each with its own copy of its column's
    style array (built once per column); a header row (text in the first row) keeps its own style.
    Anything else (booleans, enums, a date in a column without a style) goes through ``put``.
    """
    cells = ws._cells
    n_styles = len(styles)
    clean = table.clean_text  # removes what openpyxl's check_string would refuse; caps the length
    last = 0
    dated: set = set()
    for i, row in enumerate(values):
        r = row0 + i
        for j, v in enumerate(row):
            if v is None:
                continue
            style = styles[j] if j < n_styles else None
            t = type(v)
            if t is str:
                cell = Cell(ws, r, col0 + j, None, style if i else None)
                cell._value = clean(v)
                cell.data_type = "s"  # "=SUM(...)" typed in a note stays text
                cells[(r, col0 + j)] = cell
            elif t is int or t is float:
                cell = Cell(ws, r, col0 + j, None, style)
                cell._value = v
                cells[(r, col0 + j)] = cell
            elif (t is date or t is datetime) and style is not None:
                if t not in dated:  # what put would register in the workbook for a date, once
                    Cell(ws)._bind_value(v)
                    dated.add(t)
                cell = Cell(ws, r, col0 + j, None, style)
                cell._value = v
                cell.data_type = "d"
                cells[(r, col0 + j)] = cell
            else:
                cell = put(ws, r, col0 + j, v)
                if cell is not None and style is not None and (i or not isinstance(v, str)):
                    cell._style = copy(style)
            last = r
    if last > ws._current_row:
        ws._current_row = last


def _style_array(ws, fmt=None, alignment=None, font=None):
    """The style of a cell with this number format, alignment and font (None when all are default)."""
    if not (fmt or alignment or font):
        return None
    scratch = Cell(ws)
    if fmt:
        scratch.number_format = fmt
    if alignment:
        scratch.alignment = alignment
    if font:
        scratch.font = font
    return copy(scratch._style)


def _worklist_look(header: str) -> dict:
    if header in _WRAPPED:
        small = header in _SMALL
        return {"alignment": Alignment(wrap_text=True, vertical="top", indent=1 if small else 0),
                "font": Font(size=9, color="404040") if small else None}
    if header in _CENTERED or header in _WORKLIST_DATES:
        return {"alignment": Alignment(horizontal="center", vertical="top")}
    return {"alignment": Alignment(vertical="top")}


def _style_header_row(ws, row: int, col: int, n: int, height: float | None = 30) -> None:
    for c in range(col, col + n):
        cell = ws.cell(row, c)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    if height:
        ws.row_dimensions[row].height = height


_WRAPPED = {"Next Action", "Why", "Data Issues"}
_SMALL = {"Why", "Data Issues"}  # long explanations: smaller print, so a row stays two or three lines
_CENTERED = {"#", "Priority", "Days Overdue", "TF Risk", "Age", "Aging Bucket", "TF Days Left"}
_WORKLIST_DATES = {"Due", "Appeal Deadline"}  # centered on the Worklist, so a date never touches the next text


def _style_worklist_table(ws, b: S.SheetBlock) -> None:
    """Header style, and row heights that show all of the wrapped text (so it prints)."""
    if not b.values:
        return
    header = [str(h) for h in b.values[0]]
    _style_header_row(ws, b.row, b.col, len(header))
    wrapped = [(j, _width(h), 9 if h in _SMALL else 11) for j, h in enumerate(header) if h in _WRAPPED]
    one_line = _height(1)
    dims = ws.row_dimensions
    for i, row in enumerate(b.values[1:], start=b.row + 1):
        height = one_line
        for j, width, size in wrapped:
            if j < len(row) and row[j] is not None:
                height = max(height, _height(_lines(str(row[j]), width, size), size))
        dims[i].height = height


def _lines(text: str, width: float, size: float = 11) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` characters wide (a safe estimate)."""
    per_line = max(1, int(width * 1.1 * 11 / size) - 2)
    if len(text) <= per_line and "\n" not in text:
        return 1  # fits on one line whatever the word breaks (the usual case: a fast answer)
    n = 0
    for para in text.split("\n"):
        line, count = 0, 1
        for word in para.split():
            need = len(word) + (1 if line else 0)
            if line and line + need > per_line:
                count, line = count + 1, len(word)
            else:
                line += need
        n += count
    return max(1, n)


def _height(lines: int, size: float = 11) -> float:
    return round(lines * size * 1.3 + 3, 1)


def _style_status(ws, b: S.SheetBlock) -> None:
    ws[b.top_left].font = Font(italic=True, color="404040")


def _style_kpis(ws, b: S.SheetBlock) -> None:
    n = len(b.values[0]) if b.values else 0
    for j in range(n):
        c = b.col + j
        label, value, note = (ws.cell(b.row + k, c) for k in range(3))
        for k, cell in enumerate((label, value, note)):
            cell.fill = TILE_FILL
            cell.border = Border(left=THIN, right=THIN, top=THIN if k == 0 else None, bottom=THIN if k == 2 else None)
        label.font = Font(bold=True, size=9, color="404040")
        label.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        value.font = Font(bold=True, size=14, color=NAVY)
        value.alignment = Alignment(horizontal="center", vertical="center")
        note.font = NOTE_FONT
        note.alignment = Alignment(wrap_text=True, horizontal="center", vertical="top")


def _style_matrix(ws, b: S.SheetBlock) -> None:
    """A Dashboard matrix: its title, then the header, the "All payers" total and the payer rows."""
    if len(b.values) < 2:
        return
    ws.cell(b.row, b.col).font = SUBTITLE_FONT
    head = b.row + 1
    n = len(b.values[1])
    _style_header_row(ws, head, b.col, n, height=None)
    for c in range(b.col + 1, b.col + n):
        ws.cell(head, c).alignment = Alignment(horizontal="right")
    total_row = head + 1  # "All payers", right under the header
    for c in range(b.col, b.col + n):
        cell = ws.cell(total_row, c)
        cell.font, cell.fill = Font(bold=True), TOTAL_FILL
        cell.border = Border(bottom=Side(style="thin", color=NAVY))
    for r in range(total_row + 1, b.row + len(b.values)):
        ws.cell(r, b.col + n - 1).font = Font(bold=True)


def _style_payers_table(ws, b: S.SheetBlock) -> None:
    """Header, small print, wrapping only in the columns with long text, and rows just tall enough."""
    if not b.values:
        return
    header = [str(h) for h in b.values[0]]
    n = len(header)
    _style_header_row(ws, b.row, b.col, n, height=40)
    small_header = Font(bold=True, color=WHITE, size=9)  # long headers over narrow columns: 3 lines of 9 pt
    for j in range(n):
        ws.cell(b.row, b.col + j).font = small_header
    widths = [ws.column_dimensions[S.col_letter(b.col + j)].width or 10 for j in range(n)]
    sizes = [_PAYER_SMALL_SIZE if h in _PAYER_SMALL else _PAYER_SIZE for h in header]
    wrap = Alignment(wrap_text=True, vertical="top")
    fonts = [Font(size=_PAYER_SIZE, bold=True) if j == 0 else Font(size=sizes[j]) for j in range(n)]
    for i in range(1, len(b.values)):
        height = _height(1, _PAYER_SIZE)
        for j in range(n):
            cell = ws.cell(b.row + i, b.col + j)
            cell.alignment = wrap
            cell.font = fonts[j]
            v = b.values[i][j] if j < len(b.values[i]) else None
            if isinstance(v, str):
                height = max(height, _height(_lines(v, widths[j], sizes[j]), sizes[j]))
        ws.row_dimensions[b.row + i].height = min(height, 160)


def _style_problems(ws, b: S.SheetBlock) -> None:
    for i in range(len(b.values)):
        ws.cell(b.row + i, b.col).font = Font(color="9C0006")


def _style_backlog(ws, b: S.SheetBlock) -> None:
    """The Dashboard's backlog: title, a table like the matrices (total in its last row), two note lines.
    Its number formats are set here, on the whole fixed area, so Excel's edge (which writes values only)
    finds them in the template."""
    from claimbook.planning import BACKLOG_HEADER

    ws.cell(b.row, b.col).font = SUBTITLE_FONT
    head, n = b.row + 1, len(BACKLOG_HEADER)
    total = head + S.PLAN_ROWS - 1
    _style_header_row(ws, head, b.col, n, height=None)
    for j, h in enumerate(BACKLOG_HEADER):
        fmt = S.backlog_format(h)
        for r in range(head, total + 1):
            cell = ws.cell(r, b.col + j)
            if j:
                cell.alignment = Alignment(horizontal="right")
            if fmt and r > head:
                cell.number_format = fmt
    for c in range(b.col, b.col + n):
        cell = ws.cell(total, c)
        cell.font, cell.fill = Font(bold=True), TOTAL_FILL
        cell.border = Border(top=Side(style="thin", color=NAVY))
    for r in range(total + 1, b.row + len(b.values)):
        ws.cell(r, b.col).font = NOTE_FONT


_COLUMN_LOOKS = {"worklist.table": _worklist_look}

_STYLES = {
    "worklist.status": _style_status,
    "worklist.table": _style_worklist_table,
    "worklist.footer": lambda ws, b: setattr(ws[b.top_left], "font", Font(bold=True, italic=True, color=NAVY)),
    "dash.backlog": _style_backlog,
    "dash.asof": lambda ws, b: setattr(ws[b.top_left], "alignment", Alignment(horizontal="left")),
    "dash.refreshed": _style_status,
    "dash.kpis": _style_kpis,
    "dash.dollars": _style_matrix,
    "dash.counts": _style_matrix,
    "payers.table": _style_payers_table,
    "payers.problems": _style_problems,
    "payers.heading": lambda ws, b: setattr(ws[b.top_left], "font", SUBTITLE_FONT),
    "payers.summary": lambda ws, b: setattr(ws[b.top_left], "font", Font(bold=True)),
}

__all__ = ["new_tracker", "ensure_tracker", "write_generated", "put", "HOWTO_TEXT"]
