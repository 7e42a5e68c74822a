"""The tracker's look: colours, fonts, fills, column widths, drop-down lists and the small style helpers
every sheet uses.
"""

from __future__ import annotations

from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Font as _Font
from openpyxl.styles import PatternFill, Side

from claimbook import sheets as S
from claimbook import table
from claimbook.model import Channel, ClaimType, Network, Order, Status


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
    "orange": ("FCD5B4", "974706"),  # High, Met - send proof (the payer denied it as late: act now)
    "yellow": ("FFEB9C", "9C5700"),  # Watch
}

_CLAIM_WIDTHS = {
    "Claim ID": 14, "Patient": 22, "Payer": 26, "Payer ID": 10, "Network": 9, "Claim Type": 13,
    "Channel": 11, "Order": 11, "Status": 16, "Denial Codes": 16, "Notes": 30, "Next Action": 45,
    "Aging Bucket": 9, "Why": 80, "Data Issues": 36, "TF Risk": 16, "Priority": 9, "#": 5, "Age": 7,
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


def _risk_rules(ws, where: dict[str, int], first: int, last: int) -> None:
    if "TF Risk" in where:
        col = S.col_letter(where["TF Risk"])
        rng = f"{col}{first}:{col}{last}"
        for words, color in ((("Expired", "Critical"), "red"), (("High", "Met - send proof"), "orange"),
                             (("Watch",), "yellow")):
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


def _worklist_columns(ws, header) -> None:
    for i, h in enumerate(header, start=1):
        letter = S.col_letter(i)
        ws.column_dimensions[letter].width = _width(h)
        fmt = S.column_format(h)
        if fmt:  # pre-formatted columns: values the Excel edge writes show as dates and dollars too
            ws.column_dimensions[letter].number_format = fmt


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


def _quote(sheet: str) -> str:
    return sheet if sheet.isalnum() else "'" + sheet.replace("'", "''") + "'"
