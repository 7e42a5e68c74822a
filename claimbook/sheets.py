"""Where claimbook's generated values go in the tracker: one pure description shared by both edges.

The openpyxl edge (``claimbook.workbook.layout.write_generated``) and the Excel edge (xlwings) both
call ``generated_blocks(output)`` and write each ``SheetBlock`` the same way:

1. clear the contents of ``clear_rows`` x ``clear_cols`` cells starting at ``top_left``;
2. write ``values`` (a list of rows) starting at ``top_left``;
3. optionally apply ``col_formats`` (Excel number formats, one per column of ``values``).

The anchors are fixed (``WORKLIST_HEADER_ROW``, ``DASH_MONEY_ROW``...), so charts, print areas and
VBA can refer to fixed places. Nothing here imports openpyxl or xlwings, and nothing does I/O.

Layout (row numbers are 1-based, as in Excel)::

    Worklist   A1 title | A2 "As of ... - summary line" | A3 header, A4.. rows (to the sheet's end)
               and one line two rows under the last row: how many claims wait, and when they come up
    Dashboard  A1 title | B2 as-of date | B3 last-refreshed summary line
               A5:H7  KPI tiles (row 5 label, row 6 value, row 7 note), up to 8
               A9     backlog title | A10 backlog table: header, one row per kind of work (11..18),
                      the total (19) | A20:A21 a note on how the plan is made (claimbook.planning)
               A24    dollars matrix (title row 23): header row 24 (Payer, buckets..., Total), "All payers"
                      total row 25, then up to 21 payer rows 26..46 (20 largest + "Other payers")
               A50    counts matrix (title row 49), same shape (header 50, total 51, payers 52..72)
               charts: see ``chart_ranges`` (fixed ranges; only the bucket count sizes them)
    Payers     B2 rules folder | B3 rules problems summary | A5:A14 problems, one per row
               A15    heading naming the as-of date the rules table reflects
               A16    effective rules table (header + one row per payer)
               Z1     payer names for the Claims "Payer" drop-down (defined name PayerList)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache

from claimbook.pipeline import Block, Dashboard, RefreshOutput

# --- sheet names, in the order a new tracker has them -------------------------------------------
WORKLIST = "Worklist"
CLAIMS = "Claims"
FOLLOWUP_LOG = "Follow-up Log"
DASHBOARD = "Dashboard"
PAYERS = "Payers"
SETTINGS = "Settings"
HOWTO = "How to"
SHEET_ORDER = (WORKLIST, CLAIMS, FOLLOWUP_LOG, DASHBOARD, PAYERS, SETTINGS, HOWTO)

# VBA document modules must carry these names (templates/ build the VBA project from them).
WORKBOOK_CODE_NAME = "ThisWorkbook"
CODE_NAMES = {
    WORKLIST: "shWorklist",
    CLAIMS: "shClaims",
    FOLLOWUP_LOG: "shLog",
    DASHBOARD: "shDashboard",
    PAYERS: "shPayers",
    SETTINGS: "shSettings",
    HOWTO: "shHowTo",
}

CLAIMS_TABLE = "Claims"
LOG_TABLE = "FollowUpLog"
FORMATTED_ROWS = 5000  # validation, conditional formats and number formats cover Claims rows 2..5000
EXCEL_MAX_ROWS = 1_048_576

# --- number formats (one date format everywhere: US offices read month first) --------------------
DATE_FORMAT = "mm/dd/yyyy"
MONEY_FORMAT = '"$"#,##0.00_);[Red]("$"#,##0.00)'  # a space on the right keeps text beside it apart
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
INT_FORMAT = "0"

_DATE_HEADERS = {
    "dos", "dos through", "submitted", "accepted", "remit date", "primary eob date", "docs due",
    "last contact", "appeal filed", "follow-up date", "tf deadline", "appeal deadline", "date",
    "next date", "due", "as of", "as-of date", "effective from",
}
_MONEY_HEADERS = {"billed", "expected", "paid", "patient resp", "underpaid", "at stake", "open ar", "balance"}
_INT_HEADERS = {"age", "days overdue", "tf days left", "priority", "appeal days left", "#", "claims due",
                "minutes each", "business days"}
_DECIMAL_HEADERS = {"hours of work"}
DECIMAL_FORMAT = "0.0"


def column_format(header: str) -> str | None:
    """The number format for a column by its header (``None``: leave the cell's format alone)."""
    h = " ".join(str(header).lower().split())
    if h in _DATE_HEADERS or h.endswith((" date", " deadline")):
        return DATE_FORMAT
    if h in _MONEY_HEADERS or "$" in h or h.endswith(" amount"):
        return MONEY_FORMAT
    if h in _INT_HEADERS or h.startswith("days "):
        return INT_FORMAT
    if h in _DECIMAL_HEADERS:
        return DECIMAL_FORMAT
    return None


# --- Settings sheet: [label, value, explanation] rows, each value cell also a defined name --------
SETTINGS_HEADER = ("Setting", "Value", "What it means")


@dataclass(frozen=True)
class SettingRow:
    label: str
    name: str  # the workbook defined name of the value cell
    explanation: str


SETTINGS_ROWS = (
    SettingRow(
        "As-of date", "AsOfDate",
        "The day claimbook counts ages and deadlines from. Leave blank to use today's date; type a date "
        "to see the tracker as it stood (or will stand) that day.",
    ),
    SettingRow(
        "Rules folder", "RulesFolder",
        "Where the payer rules (YAML files) are. Leave blank to use the folder named 'rules' beside this "
        "workbook. A full path such as C:\\ClaimBook\\rules also works.",
    ),
    SettingRow(
        "Worklist look-ahead days", "LookAheadDays",
        "The Worklist shows claims due today or overdue, plus claims due within this many days.",
    ),
    SettingRow(
        "Backups kept", "BackupsKept",
        "How many backup copies of this workbook claimbook keeps beside it when it saves (0 = none).",
    ),
    SettingRow(
        "Follow-up work per day", "WorkPerDay",
        "How much follow-up work the office does in a day: a number of claims (20 claims) or a time "
        "(90 minutes, 2 hours). The Worklist shows that day's share, most important first; the Dashboard "
        "shows when the backlog is cleared at this pace. With a time, each claim counts the minutes its kind "
        "of work takes (settings.yaml in the rules folder). Leave blank to use settings.yaml's value.",
    ),
)
SETTINGS_FIRST_ROW = 2  # row of the first setting; the header is row 1


def setting_cell(label: str) -> str:
    """The value cell of a setting, e.g. ``setting_cell("As-of date") == "B2"``."""
    for i, row in enumerate(SETTINGS_ROWS):
        if row.label == label:
            return f"B{SETTINGS_FIRST_ROW + i}"
    raise KeyError(label)


# --- fixed anchors --------------------------------------------------------------------------------
WORKLIST_STATUS_CELL = "A2"
WORKLIST_HEADER_ROW = 3
WORKLIST_CLEAR_COLS = 26

DASH_ASOF_CELL = "B2"
DASH_REFRESHED_CELL = "B3"
DASH_KPI_ROW = 5  # labels; values in row 6, notes in row 7
MAX_KPIS = 8
DASH_PLAN_ROW = 10  # header row of the backlog table (its title is the row above)
PLAN_ROWS = 1 + 8 + 1  # header + one row per kind of work (planning.KINDS) + total
DASH_MONEY_ROW = 24  # header row of the dollars matrix
DASH_COUNT_ROW = 50  # header row of the counts matrix
MAX_PAYER_ROWS = 21  # 20 payers + "Other payers"
MAX_BUCKETS = 8
OTHER_PAYERS = "Other payers"
MATRIX_ROWS = 1 + 1 + MAX_PAYER_ROWS  # header + "All payers" total + payers
ALL_PAYERS = "All payers"
MATRIX_COLS = 1 + MAX_BUCKETS + 1  # payer + buckets + Total

PAYERS_FOLDER_CELL = "B2"
PAYERS_PROBLEMS_CELL = "B3"
PAYERS_PROBLEM_ROW = 5
MAX_PROBLEM_LINES = 10
PAYERS_TABLE_ROW = 16
PAYERS_HEADING_CELL = f"A{PAYERS_TABLE_ROW - 1}"  # "Rules in force on <as-of date>..."
PAYERS_TABLE_CLEAR_COLS = 26
PAYER_LIST_COL = "Z"  # hidden column holding the drop-down list
PAYER_LIST_NAME = "PayerList"
PAYER_LIST_MAX = 500
# Grows and shrinks with the list, so either edge only has to write the names.
PAYER_LIST_FORMULA = (
    f"OFFSET(Payers!${PAYER_LIST_COL}$2,0,0,"
    f"MAX(1,COUNTA(Payers!${PAYER_LIST_COL}$2:${PAYER_LIST_COL}${PAYER_LIST_MAX + 1})),1)"
)


@dataclass(frozen=True)
class SheetBlock:
    """One rectangle of plain values to write: clear ``clear_rows`` x ``clear_cols`` at ``top_left``,
    then write ``values`` there. ``key`` names the block (edges style by it); ``col_formats`` are
    Excel number formats per column of ``values`` (``None``: leave as is)."""

    sheet: str
    top_left: str
    values: list[list]
    clear_rows: int
    clear_cols: int
    key: str = ""
    col_formats: tuple = field(default=())

    # Parsed once per block (writers read these for every cell).
    @cached_property
    def row(self) -> int:
        return split_cell(self.top_left)[1]

    @cached_property
    def col(self) -> int:
        return split_cell(self.top_left)[0]


# --- cell addresses (pure, so both edges and tests agree) -----------------------------------------
def col_letter(col: int) -> str:
    """1 -> "A", 27 -> "AA"."""
    s = ""
    while col:
        col, r = divmod(col - 1, 26)
        s = chr(65 + r) + s
    return s


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


@lru_cache(maxsize=1024)
def split_cell(ref: str) -> tuple[int, int]:
    """ "B10" -> (col 2, row 10)."""
    i = next(k for k, ch in enumerate(ref) if ch.isdigit())
    return col_index(ref[:i]), int(ref[i:])


def cell(col: int, row: int) -> str:
    return f"{col_letter(col)}{row}"


# --- the blocks -----------------------------------------------------------------------------------
def generated_blocks(output: RefreshOutput) -> list[SheetBlock]:
    """Every rectangle claimbook regenerates, for the Worklist, Dashboard and Payers sheets."""
    return [
        *worklist_blocks(output),
        *dashboard_blocks(output.dashboard, output.as_of, output.summary.line(), output.plan),
        *payers_blocks(output.payers, output.rules_folder, list(output.rules_problems), output.as_of),
    ]


def worklist_blocks(output: RefreshOutput) -> list[SheetBlock]:
    """The status line, today's share (numbered 1..N) and, under it, how many claims wait and when."""
    from claimbook import planning

    wl = output.worklist
    plan = output.plan
    status = planning.worklist_status(plan) if plan is not None else f"As of {output.as_of:%m/%d/%Y}."
    table = [list(wl.header), *[list(r) for r in wl.rows]]
    blocks = [
        SheetBlock(WORKLIST, WORKLIST_STATUS_CELL, [[status]], 1, 1, key="worklist.status"),
        SheetBlock(
            WORKLIST, f"A{WORKLIST_HEADER_ROW}", table,
            EXCEL_MAX_ROWS - WORKLIST_HEADER_ROW + 1, max(WORKLIST_CLEAR_COLS, len(wl.header)),
            key="worklist.table", col_formats=tuple(column_format(h) for h in wl.header),
        ),
    ]
    footer = planning.worklist_footer(plan) if plan is not None else ""
    if footer:  # written after the table (whose clearing covers it), one blank row under the last claim
        blocks.append(SheetBlock(WORKLIST, f"A{worklist_footer_row(len(wl.rows))}", [[footer]], 1, 1,
                                 key="worklist.footer"))
    return blocks


def worklist_footer_row(n_rows: int) -> int:
    return WORKLIST_HEADER_ROW + n_rows + 2


_KPI_FORMATS = {"money": MONEY_FORMAT, "percent": PERCENT_FORMAT, "count": COUNT_FORMAT}


MONEY_TITLE = "Open AR in dollars, by payer and age of claim (days)"
COUNT_TITLE = "Open billed claims (count), by payer and age of claim (days)"


def dashboard_blocks(dash: Dashboard, as_of: date, refreshed: str, plan=None) -> list[SheetBlock]:
    """The Dashboard's blocks. Each section (backlog, dollars, counts) starts with its title row and clears
    down to the next section over all ``MATRIX_COLS`` columns, so a tracker laid out by an older claimbook
    (its tables elsewhere) keeps no stale rows, at no extra call into Excel."""
    from claimbook import planning

    kpis = dash.kpis[:MAX_KPIS]
    payers, dollars, counts = fold_payers(dash)
    nb = min(len(dash.buckets), MAX_BUCKETS)
    buckets = list(dash.buckets[:nb])
    money_fmt = (None, *[MONEY_FORMAT] * (nb + 1))
    count_fmt = (None, *[COUNT_FORMAT] * (nb + 1))
    backlog = [[planning.backlog_title(plan)], *planning.backlog_rows(plan), *[[n] for n in planning.backlog_note(plan)]]
    return [
        # Top to bottom, as the cells are: an openpyxl save numbers the formats in the order it meets them.
        SheetBlock(DASHBOARD, DASH_ASOF_CELL, [[as_of]], 1, 1, key="dash.asof", col_formats=(DATE_FORMAT,)),
        SheetBlock(DASHBOARD, DASH_REFRESHED_CELL, [[refreshed]], 1, 1, key="dash.refreshed"),
        SheetBlock(
            DASHBOARD, f"A{DASH_KPI_ROW}",
            [[k.label for k in kpis], [k.value for k in kpis], [k.note or None for k in kpis]],
            3, MAX_KPIS, key="dash.kpis", col_formats=tuple(_KPI_FORMATS.get(k.fmt) for k in kpis),
        ),
        # Number formats of the backlog are the template's (one call fewer per column into Excel); a date
        # written by Excel's edge shows as a date anyway.
        SheetBlock(DASHBOARD, f"A{DASH_PLAN_ROW - 1}", backlog, DASH_MONEY_ROW - DASH_PLAN_ROW, MATRIX_COLS,
                   key="dash.backlog"),
        SheetBlock(
            DASHBOARD, f"A{DASH_MONEY_ROW - 1}",
            [[MONEY_TITLE], *_matrix("Payer", buckets, payers, [r[:nb] for r in dollars], 0.0)],
            DASH_COUNT_ROW - DASH_MONEY_ROW, MATRIX_COLS, key="dash.dollars", col_formats=money_fmt,
        ),
        SheetBlock(
            DASHBOARD, f"A{DASH_COUNT_ROW - 1}",
            [[COUNT_TITLE], *_matrix("Payer", buckets, payers, [r[:nb] for r in counts], 0)],
            1 + MATRIX_ROWS + 12, MATRIX_COLS, key="dash.counts", col_formats=count_fmt,  # + an older layout's end
        ),
    ]


def backlog_format(header: str) -> str | None:
    """The number format of a column of the backlog table (set by the openpyxl edge, kept by Excel's)."""
    return DATE_FORMAT if header == "Cleared by" else column_format(header)


def fold_payers(dash: Dashboard) -> tuple[list[str], list[list[float]], list[list[int]]]:
    """At most ``MAX_PAYER_ROWS`` payer rows: the 20 largest, then everything else as "Other payers"."""
    payers, dollars, counts = list(dash.payers), [list(r) for r in dash.dollars], [list(r) for r in dash.counts]
    if len(payers) <= MAX_PAYER_ROWS:
        return payers, dollars, counts
    keep = MAX_PAYER_ROWS - 1
    rest_d = [sum(col) for col in zip(*dollars[keep:])]
    rest_c = [sum(col) for col in zip(*counts[keep:])]
    return [*payers[:keep], OTHER_PAYERS], [*dollars[:keep], rest_d], [*counts[:keep], rest_c]


def _matrix(corner: str, buckets: list[str], payers: list[str], cells: list[list], zero) -> list[list]:
    """Header, then the all-payers total (a fixed row, so charts can point at it), then one row per payer."""
    totals = [sum((r[i] or zero for r in cells), zero) for i in range(len(buckets))]
    if isinstance(zero, float):
        totals = [round(t, 2) for t in totals]
    rows = [[corner, *buckets, "Total"], [ALL_PAYERS, *totals, _sum(totals, zero)]]
    for name, vals in zip(payers, cells):
        vals = [v or zero for v in vals]
        rows.append([name, *vals, _sum(vals, zero)])
    return rows


def _sum(values: list, zero):
    total = sum(values, zero)
    return round(total, 2) if isinstance(zero, float) else total


@dataclass(frozen=True)
class ChartRanges:
    """The cells each Dashboard chart plots (A1 ranges on the Dashboard sheet).

    The payer rows are always all ``MAX_PAYER_ROWS`` of them (unused ones are blank), so a chart stays
    right whichever edge wrote the matrix last and however many payers there are.
    """

    age_categories: str  # bucket labels of the header row
    age_values: str  # the "All payers" row, one value per bucket
    payer_categories: str  # payer names
    payer_series: tuple[tuple[str, str], ...]  # (series name cell, values range) per bucket


def chart_ranges(n_buckets: int) -> ChartRanges:
    """Where the two Dashboard charts read from, for this many aging buckets."""
    nb = max(1, min(n_buckets, MAX_BUCKETS))
    hdr, tot, first = DASH_MONEY_ROW, DASH_MONEY_ROW + 1, DASH_MONEY_ROW + 2
    last = first + MAX_PAYER_ROWS - 1
    end = col_letter(1 + nb)
    return ChartRanges(
        age_categories=f"$B${hdr}:${end}${hdr}",
        age_values=f"$B${tot}:${end}${tot}",
        payer_categories=f"$A${first}:$A${last}",
        payer_series=tuple(
            (f"${col_letter(c)}${hdr}", f"${col_letter(c)}${first}:${col_letter(c)}${last}") for c in range(2, 2 + nb)
        ),
    )


def payers_heading(as_of: date) -> str:
    """The line above the rules table: which day's rules it shows (a payer's rules can change by date)."""
    return (f"Rules in force on {as_of:%m/%d/%Y} (the as-of date). To change one, edit the payer's file in "
            "the rules folder (see 'How to'), then refresh.")


def payers_blocks(rules_table: Block, folder: str, problems: list, as_of: date | None = None) -> list[SheetBlock]:
    """The Payers sheet's blocks; the heading above the rules table is included when ``as_of`` is given."""
    problems = [str(p) for p in problems]
    if not problems:
        summary = "None: the rules loaded cleanly."
    else:
        n = len(problems)
        summary = f"{n} problem{'s' if n != 1 else ''} (listed below). Fix them in the rules files, then refresh."
    lines = problems[:MAX_PROBLEM_LINES]
    if len(problems) > MAX_PROBLEM_LINES:
        lines[-1] = f"... and {len(problems) - MAX_PROBLEM_LINES + 1} more: run 'claimbook rules check' to see them all."
    names = payer_names(rules_table)
    heading = [] if as_of is None else [
        SheetBlock(PAYERS, PAYERS_HEADING_CELL, [[payers_heading(as_of)]], 1, 1, key="payers.heading")]
    return [
        SheetBlock(PAYERS, PAYERS_FOLDER_CELL, [[folder or "(not found)"]], 1, 1, key="payers.folder"),
        SheetBlock(PAYERS, PAYERS_PROBLEMS_CELL, [[summary]], 1, 1, key="payers.summary"),
        SheetBlock(
            PAYERS, f"A{PAYERS_PROBLEM_ROW}", [[line] for line in lines], MAX_PROBLEM_LINES, 1,
            key="payers.problems",
        ),
        SheetBlock(
            PAYERS, f"A{PAYERS_TABLE_ROW}", [list(rules_table.header), *[list(r) for r in rules_table.rows]],
            EXCEL_MAX_ROWS - PAYERS_TABLE_ROW + 1, PAYERS_TABLE_CLEAR_COLS - 1,  # stops before column Z
            key="payers.table", col_formats=tuple(column_format(h) for h in rules_table.header),
        ),
        *heading,
        payer_list_block(names),
    ]


def payer_list_block(names: list[str]) -> SheetBlock:
    """The hidden list behind the Claims "Payer" drop-down (defined name ``PayerList``)."""
    names = list(dict.fromkeys(n for n in names if n))[:PAYER_LIST_MAX]
    return SheetBlock(
        PAYERS, f"{PAYER_LIST_COL}1", [["Payer list"], *[[n] for n in names]], PAYER_LIST_MAX + 1, 1,
        key="payers.list",
    )


def payer_names(rules_table: Block) -> list[str]:
    """The payer display names in a rules table (its "Payer" column, else its first column)."""
    if not rules_table.header:
        return []
    lower = [str(h).strip().lower() for h in rules_table.header]
    i = lower.index("payer") if "payer" in lower else 0
    return [str(r[i]) for r in rules_table.rows if i < len(r) and r[i] not in (None, "")]


def rules_block(rules, as_of: date) -> Block:
    """The effective payer rules on ``as_of`` as a table, for a tracker that was never refreshed."""
    from claimbook import table

    return Block(list(table.PAYERS_COLUMNS), table.payers_rows(rules, as_of))
