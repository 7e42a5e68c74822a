"""The generated sheets with openpyxl: write the Worklist, Dashboard and Payers blocks (cleared first),
styled, with the charts; values only where ``claimbook.sheets`` puts them.
"""

from __future__ import annotations

from copy import copy
from datetime import date, datetime
from enum import Enum

from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.styles import Alignment, Border, Side
from openpyxl.styles.cell_style import StyleArray

from claimbook import sheets as S
from claimbook import table
from claimbook.errors import TrackerError
from claimbook.workbook.looks import (
    _PAYER_SIZE,
    _PAYER_SMALL,
    _PAYER_SMALL_SIZE,
    _quote,
    _risk_rules,
    _width,
    _worklist_columns,
    BAR_BLUE,
    Font,
    HEADER_FILL,
    HEADER_FONT,
    NAVY,
    NOTE_FONT,
    SUBTITLE_FONT,
    THIN,
    TILE_FILL,
    TOTAL_FILL,
    WHITE,
)


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
