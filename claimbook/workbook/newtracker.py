"""A new, empty tracker: every sheet, table, drop-down, colour rule, chart and the How to sheet."""

from __future__ import annotations

import re
from datetime import date

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableStyleInfo

from claimbook import sheets as S
from claimbook import table
from claimbook.pipeline import Dashboard
from claimbook.workbook.looks import (
    _LISTS,
    _PAYER_WIDTHS,
    _quote,
    _risk_rules,
    _TEXT_COLUMNS,
    _width,
    _worklist_columns,
    COMPUTED_BODY_FILL,
    COMPUTED_COLUMNS,
    COMPUTED_FILL,
    COMPUTED_FONT,
    COMPUTED_NOTE,
    FOLLOWUP_LOG_COLUMNS,
    Font,
    HEADER_FILL,
    HEADER_FONT,
    INPUT_COLUMNS,
    INPUT_FILL,
    SUBTITLE_FONT,
    THIN,
    TITLE_FONT,
    WORKLIST_COLUMNS,
)
from claimbook.workbook.generated import _finish_generated, _height, _lines, _style_header_row, _write_blocks


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
