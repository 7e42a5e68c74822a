"""The ribbon buttons of ClaimTracker.xlsm. Each VBA button runs one of these with xlwings' RunPython::

    RunPython "import claimbook.excel.macros as m; m.refresh()"
    RunPython "import claimbook.excel.macros as m; m.check_rules()"
    RunPython "import claimbook.excel.macros as m; m.open_rules_folder()"
    RunPython "import claimbook.excel.macros as m; m.explain_claim()"
    RunPython "import claimbook.excel.macros as m; m.log_followup()"
    RunPython "import claimbook.excel.macros as m; m.show_help()"
    RunPython "import claimbook.excel.macros as m; m.import_remittance()"

This module only translates (style guide G7): it reads whole blocks of cells (one call per block, never a
cell at a time), calls the shared pipeline (``claimbook.pipeline.run_blocks``), and writes whole blocks
back: one write per run of adjacent computed columns of the Claims table and one per ``SheetBlock``.
The number of calls to Excel does not depend on the number of claims (xlwings itself splits a write of
more than 100,000 cells into chunks).

Errors a person can act on (``ClaimbookError``) become one plain message box. Anything else also
becomes a plain message box (no traceback popup: RunPython would show stderr) and is logged, without
cell values, to ``claimbook-last-error.txt`` in the temp folder. Excel's screen updating, calculation
mode and status bar are restored even when something fails. Text written to cells is guarded so Excel
never turns a note, a name or an ID into a formula, a number or a date.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import xlwings as xw

from claimbook import sheets, table
from claimbook.errors import ClaimbookError, TrackerError
from claimbook.pipeline import Block, run_blocks
from claimbook import imports as importer

TITLE = "claimbook"
_READ = dict(ndim=2, dates=dt.date, empty=None)
_MAX_ALERT_LINES = 12


# ------------------------------------------------------------------------------------ the buttons
def refresh():
    """Ribbon > Refresh: recompute every claim, the Worklist, the Dashboard and the Payers sheet."""
    book = xw.Book.caller()
    _run(book, "refreshing", _refresh)


def check_rules():
    """Ribbon > Check Rules: list every problem in the rules files (message box and Payers sheet)."""
    book = xw.Book.caller()
    _run(book, "checking the rules", _check_rules)


def open_rules_folder():
    """Ribbon > Rules Folder: open the folder holding the payer rules this workbook uses."""
    book = xw.Book.caller()
    _run(book, "opening the rules folder", _open_rules_folder)


def explain_claim():
    """Ribbon > Explain: why the selected claim has its next action, and the dates behind it."""
    book = xw.Book.caller()
    _run(book, "explaining", _explain_claim)


def log_followup():
    """Ribbon > Log Follow-up: add a prefilled Follow-up Log row for the selected claim and select it."""
    book = xw.Book.caller()
    _run(book, "adding a follow-up", _log_followup)


def show_help():
    """Ribbon > Help: show the "How to" sheet."""
    book = xw.Book.caller()
    _run(book, "opening help", _show_help)


def import_remittance():
    """Ribbon > Import remittance: pick 835 / 277 (or claims CSV) files, merge them into the Claims table,
    list every change on the Import Log sheet, then refresh."""
    book = xw.Book.caller()
    _run(book, "importing", _import_remittance)


# --------------------------------------------------------------------------------------- plumbing
class _Progress:
    """Status bar text, and whether anything has been written yet (for an honest error message)."""

    def __init__(self, app):
        self.app = app
        self.wrote = False

    def say(self, text: str) -> None:
        self.app.status_bar = f"claimbook: {text}"


def _run(book, doing: str, action) -> None:
    """Run one button's work with Excel quiet, and turn every failure into one plain message box."""
    app = book.app
    progress = _Progress(app)
    try:
        with app.properties(screen_updating=False, calculation="manual", status_bar=f"claimbook: {doing}…"):
            action(book, progress)
    except ClaimbookError as err:
        _alert(app, _shorten(str(err)) + ("\n\nSome sheets were already updated; press the button again "
                                          "after fixing this." if progress.wrote else ""), critical=True)
    except Exception as err:  # noqa: BLE001 - a bug: never a traceback popup in Excel
        log = _log_bug(err)
        changed = ("Some sheets may be half updated: press the button again." if progress.wrote
                   else "Nothing in the workbook was changed.")
        _alert(app, f"Something went wrong while {doing} ({type(err).__name__}). {changed}\n\n"
                    f"Please send the file {log} to whoever supports claimbook.", critical=True)


def _alert(app, text: str, critical: bool = False) -> None:
    try:
        app.alert(text, title=TITLE, mode="critical" if critical else "info")
    except Exception:  # noqa: BLE001 - no message box possible (e.g. Excel busy): keep stderr quiet
        pass


def _shorten(text: str, limit: int = _MAX_ALERT_LINES) -> str:
    lines = text.splitlines()
    if len(lines) <= limit:
        return text
    return "\n".join(lines[:limit] + [f"… and {len(lines) - limit} more lines."])


def _log_bug(err: BaseException) -> str:
    """Write the stack (file, line, function; no values, so no claim data) to the temp folder."""
    path = Path(tempfile.gettempdir()) / "claimbook-last-error.txt"
    try:
        frames = traceback.extract_tb(err.__traceback__)
        lines = [f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} {type(err).__module__}.{type(err).__name__}"]
        lines += [f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames]
        from claimbook import __version__

        lines.append(f"claimbook {__version__}, xlwings {xw.__version__}, Python {sys.version.split()[0]}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError:
        pass
    return str(path)


# ----------------------------------------------------------------------------------------- refresh
def _refresh(book, progress: _Progress) -> None:
    progress.say("reading the claims…")
    claims_table = _table(book, sheets.CLAIMS, sheets.CLAIMS_TABLE)
    claims = _read_table(claims_table)
    log = _read_table(_table(book, sheets.FOLLOWUP_LOG, sheets.LOG_TABLE, required=False))
    settings_rows = _read_settings(book)
    rules, as_of = _rules_and_as_of(book, settings_rows)
    take_over = _unowned_computed(claims_table, claims)  # a practice's own same-named column stops here
    progress.say(f"computing {len(claims.rows):,} claims…")
    output = run_blocks(claims, log, rules, as_of, settings_rows)
    progress.say("writing…")
    progress.wrote = True
    _write_computed(claims_table, claims.header, output.computed)
    _mark_computed(claims_table, take_over)
    for block in sheets.generated_blocks(output):
        _write_block(book, block)


def _write_computed(claims_table, header: list, computed: list[list]) -> None:
    """One write per run of adjacent computed columns (normally one run at the table's right)."""
    body = claims_table.data_body_range
    if body is None or not computed:
        return
    where = table.map_computed_columns(header)  # column name -> index in the table
    pick = sorted((where[name], k) for k, name in enumerate(table.COMPUTED_COLUMNS) if name in where)
    for run in _runs(pick):
        first = run[0][0]
        values = [[_cell(row[k]) for _, k in run] for row in computed]
        body[0, first].resize(len(values), len(run)).value = values


def _header_note(cell):
    """The text of a header cell's note; None when it has none, ``...`` when Excel cannot say."""
    try:
        note = cell.note
        return None if note is None else note.text
    except Exception:  # noqa: BLE001 - an Excel (or engine) without notes: ownership cannot be read
        return ...


def _unowned_computed(claims_table, claims: Block) -> list[int]:
    """Table columns named like a computed column whose header lacks claimbook's note (one read per
    computed column, not per claim). Such a column with entries is the practice's own: ``TrackerError``
    before anything is written. Empty ones are claimbook's to fill (and are marked after the write)."""
    from xlwings.utils import col_name

    top = claims_table.header_row_range
    unmarked = []
    for i in table.map_computed_columns(claims.header).values():
        text = _header_note(top[0, i])
        if text is ... or table.is_claimbook_mark(text):
            continue
        if table.column_in_use(claims.rows, i):
            raise TrackerError(table.column_clash_message(claims.header[i], col_name(top.column + i)))
        unmarked.append(i)
    return unmarked


def _mark_computed(claims_table, cols: list[int]) -> None:
    top = claims_table.header_row_range
    for i in cols:
        try:
            top[0, i].add_note(table.COMPUTED_MARK)
        except Exception:  # noqa: BLE001 - a note is a nicety; the column stays claimbook's while empty
            pass


def _runs(pairs: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Split sorted (column, value index) pairs into runs of adjacent columns."""
    runs: list[list[tuple[int, int]]] = []
    for col, k in pairs:
        if runs and runs[-1][-1][0] == col - 1:
            runs[-1].append((col, k))
        else:
            runs.append([(col, k)])
    return runs


def _write_block(book, block: sheets.SheetBlock) -> None:
    """Clear the block's area, write its values in one call, then its number formats (per column)."""
    sheet = _sheet(book, block.sheet)
    width = max((len(r) for r in block.values), default=0)
    if (len(block.values), width) != (block.clear_rows, block.clear_cols):  # else the write covers it all
        sheet.range((block.row, block.col, block.clear_rows, block.clear_cols)).clear_contents()
    if not width:
        return
    values = [[_cell(v) for v in r] + [None] * (width - len(r)) for r in block.values]
    target = sheet.range((block.row, block.col, len(values), width))
    target.value = values
    for j, fmt in enumerate(block.col_formats[:width]):
        if fmt:
            target[:, j].number_format = fmt


# ---------------------------------------------------------------------------------- import remittance
_PICK_TITLE = "Import remittance (835) or claim status (277) files"
_PICK_FILTER = ("Remittance and status files (*.835;*.277;*.edi;*.x12;*.txt;*.csv),*.835;*.277;*.edi;*.x12;*.txt;*.csv,"
                "All files (*.*),*.*")
_OSASCRIPT = (f'set picked to choose file with prompt "{_PICK_TITLE}" with multiple selections allowed\n'
              'set out to ""\n'
              'repeat with f in picked\n'
              '  set out to out & POSIX path of f & linefeed\n'
              'end repeat\n'
              'return out')


def _pick_files(book) -> list[Path]:
    """Files chosen in the system's file dialog; [] when the person cancels."""
    if sys.platform.startswith("win"):
        got = book.app.api.GetOpenFilename(_PICK_FILTER, 1, _PICK_TITLE, "Import", MultiSelect=True)
        if got is False or got is None or got == "False":
            return []
        return [Path(p) for p in ((got,) if isinstance(got, str) else got)]
    if sys.platform == "darwin":
        done = subprocess.run(["osascript", "-e", _OSASCRIPT], capture_output=True, text=True, check=False)  # noqa: S603, S607
        if done.returncode != 0:  # -128: the person pressed Cancel
            return []
        return [Path(line) for line in done.stdout.splitlines() if line.strip()]
    raise TrackerError("Choosing files needs Excel on Windows or macOS. Use the command line instead: "
                       "claimbook import FILE --into TRACKER")


def _import_remittance(book, progress: _Progress) -> None:
    files = _pick_files(book)
    if not files:
        return
    progress.say("reading the files…")
    claims_table = _table(book, sheets.CLAIMS, sheets.CLAIMS_TABLE)
    claims = _read_table(claims_table)
    settings_rows = _read_settings(book)
    log_sheet = _optional_sheet(book, importer.IMPORT_LOG_SHEET)
    result = importer.plan_files(files, claims, settings_rows, _rules_folder(book, settings_rows),
                                 _read_import_log(log_sheet))
    if not result.imported:
        _alert(book.app, importer.summary(result.reports, "Nothing was changed."))
        return
    progress.say("writing…")
    progress.wrote = True
    _write_edit(claims_table, result.edit)
    _append_import_log(book, log_sheet, importer.log_rows(result.reports, dt.datetime.now()))
    _refresh(book, progress)
    _alert(book.app, _shorten(importer.summary(result.reports), 25))


def _read_import_log(sheet) -> list[list]:
    """The Import Log's date, file and hash columns in one read ([] when there is no log yet)."""
    if sheet is None:
        return []
    last = sheet.used_range.last_cell.row
    if last < 2:
        return []
    return sheet.range((2, 1), (last, 3)).options(**_READ).value


def _write_edit(claims_table, edit) -> None:
    """Changed cells: one write per run of adjacent changed rows in each column. New claims: the table
    grows first, then all the new rows in one write."""
    top = claims_table.header_row_range
    sheet, row0, col0 = claims_table.parent, top.row + 1, top.column
    for c, rows in edit.changed_columns().items():
        for run in importer.runs(rows):
            sheet.range((row0 + run[0], col0 + c)).resize(len(run), 1).value = [[_cell(edit.rows[r][c])] for r in run]
    new = edit.new_rows
    if not new:
        return
    if edit.grows_by:
        claims_table.resize(sheet.range((top.row, col0)).resize(1 + len(edit.rows), len(edit.header)))
    sheet.range((row0 + edit.used, col0)).resize(len(new), len(edit.header)).value = \
        [[_cell(v) for v in r] for r in new]


def _append_import_log(book, sheet, rows: list[list]) -> None:
    """Append the rows below the Import Log's last used row (the sheet is added when missing)."""
    if sheet is None:
        sheet = book.sheets.add(importer.IMPORT_LOG_SHEET, after=book.sheets[len(book.sheets) - 1])
        rows = [list(importer.IMPORT_LOG_COLUMNS), *rows]
        first = 1
    else:
        first = max(sheet.used_range.last_cell.row, 1) + 1
    target = sheet.range((first, 1)).resize(len(rows), len(importer.IMPORT_LOG_COLUMNS))
    target.value = [[_cell(v) for v in r] for r in rows]
    target[:, 0].number_format = importer.STAMP_FORMAT


# ------------------------------------------------------------------------------------- check rules
def _check_rules(book, progress: _Progress) -> None:
    from claimbook.rules.loader import check_rules as problems_in

    folder = _rules_folder(book, _read_settings(book))
    problems = problems_in(folder)
    lines = [str(p) if p.severity == "error" else f"{p} (warning)" for p in problems]
    progress.wrote = True
    keep = {"payers.folder", "payers.summary", "payers.problems"}
    for block in sheets.payers_blocks(Block([], []), str(folder), lines):
        if block.key in keep:
            _write_block(book, block)
    errors = sum(p.severity == "error" for p in problems)
    if not problems:
        _alert(book.app, f"The rules in {folder} have no problems.")
        return
    head = (f"The rules in {folder} have {errors} error{'s' if errors != 1 else ''} and "
            f"{len(problems) - errors} warning{'s' if len(problems) - errors != 1 else ''}:")
    _alert(book.app, _shorten("\n".join([head, *lines])) + "\n\nThey are also listed on the Payers sheet.",
           critical=errors > 0)


def _open_rules_folder(book, progress: _Progress) -> None:
    folder = _rules_folder(book, _read_settings(book))
    if not folder.is_dir():
        raise TrackerError(f"The rules folder {folder} does not exist. Check 'Rules folder' on the Settings sheet.")
    from claimbook.rules.loader import default_rules_dir

    note = ""
    if folder.resolve() == default_rules_dir().resolve():
        note = ("\n\nThese are the rules that come with claimbook. To change them, copy this folder next to "
                "the workbook as a folder named 'rules' (or set 'Rules folder' on the Settings sheet).")
    if sys.platform.startswith("win"):
        os.startfile(str(folder))  # noqa: S606 - opens Explorer
        if note:
            _alert(book.app, f"The rules folder is {folder}.{note}")
    elif sys.platform == "darwin":
        subprocess.run(["open", str(folder)], check=False)  # noqa: S603, S607
        if note:
            _alert(book.app, f"The rules folder is {folder}.{note}")
    else:
        _alert(book.app, f"The rules folder is {folder}.{note}")


def _show_help(book, progress: _Progress) -> None:
    try:
        sheet = book.sheets[sheets.HOWTO]
    except Exception as err:  # noqa: BLE001 - xlwings raises the engine's own error for a missing sheet
        raise TrackerError(f'This workbook has no "{sheets.HOWTO}" sheet.') from err
    sheet.activate()


# -------------------------------------------------------------------------- explain / log follow-up
def _explain_claim(book, progress: _Progress) -> None:
    from claimbook.engine import explain

    claim, result, as_of = _selected_claim(book)
    used = [("Service date", claim.dos_from), ("Through", claim.dos_through), ("Submitted", claim.submitted),
            ("Accepted", claim.accepted), ("Remit", claim.remit_date), ("Primary EOB", claim.primary_eob_date),
            ("Docs due", claim.docs_due), ("Last contact", claim.last_contact), ("Appeal filed", claim.appeal_filed),
            ("Next date from the Follow-up Log", claim.next_date_override)]
    dates = ", ".join(f"{label} {d:%m/%d/%Y}" for label, d in used if d)
    text = f"As of {as_of:%m/%d/%Y}.\n{explain(claim, result)}\nDates used: {dates or 'none'}."
    _alert(book.app, _shorten(text, 25))


def _log_followup(book, progress: _Progress) -> None:
    claim, result, _ = _selected_claim(book)
    log = _table(book, sheets.FOLLOWUP_LOG, sheets.LOG_TABLE)
    header = log.header_row_range.options(**_READ).value[0]
    cols = table.map_log_columns(header)
    if "Claim ID" not in cols or "Date" not in cols:
        raise TrackerError("The Follow-up Log table needs a 'Date' and a 'Claim ID' column.")
    values = [None] * len(header)
    values[cols["Date"]] = dt.date.today()
    values[cols["Claim ID"]] = claim.claim_id
    if "Action Taken" in cols:
        values[cols["Action Taken"]] = result.next_action or None
    progress.wrote = True
    row = _blank_last_row(log) or log.rows.add().range  # Excel leaves one blank row in an empty table
    row.value = [[_cell(v) for v in values]]
    log.parent.activate()
    row[0, cols.get("Outcome", cols["Date"])].select()


def _blank_last_row(log):
    body = log.data_body_range
    if body is None:
        return None
    last = body[body.shape[0] - 1, :]
    return last if all(table.is_blank(v) for v in last.options(**_READ).value[0]) else None


def _selected_claim(book):
    """The claim of the active cell's row in the Claims table (or on the Worklist), evaluated alone."""
    from claimbook.engine import evaluate

    selection = book.app.selection
    claims_table = _table(book, sheets.CLAIMS, sheets.CLAIMS_TABLE)
    header = claims_table.header_row_range.options(**_READ).value[0]
    body = claims_table.data_body_range
    on = selection.sheet.name if selection is not None else None
    if on == sheets.CLAIMS and body is not None and body.row <= selection.row < body.row + body.shape[0]:
        row = body[selection.row - body.row, :].options(**_READ).value[0]
    elif on in (sheets.WORKLIST, sheets.FOLLOWUP_LOG):
        row = _find_claim_row(claims_table, header, _claim_id_on_row(book, selection))
    else:
        raise TrackerError("Click a cell in a claim's row on the Claims sheet (or on the Worklist), "
                           "then press the button again.")
    settings_rows = _read_settings(book)
    rules, as_of = _rules_and_as_of(book, settings_rows)
    day_first = rules.settings.day_first_dates
    read = table.read_claims(Block(header, [row]), day_first)
    claim = read.claims[0]
    if claim is None:
        raise TrackerError("That row of the Claims table is empty.")
    log = _read_table(_table(book, sheets.FOLLOWUP_LOG, sheets.LOG_TABLE, required=False))
    claim = table.apply_log(claim, table.read_log(log, day_first).get(read.keys[0]))
    result = evaluate([claim], rules, as_of).results[0]
    # Alone, the claim would always rank #1: show the rank the last refresh wrote instead.
    computed = table.map_computed_columns(header)
    rank = row[computed["Priority"]] if "Priority" in computed else None
    result = result._replace(priority=int(rank) if isinstance(rank, (int, float)) and rank > 0 else 0)
    return claim, result, as_of


def _claim_id_on_row(book, selection):
    """The Claim ID on the selected row of the Worklist or the Follow-up Log (two small reads)."""
    if selection.sheet.name == sheets.WORKLIST:
        header_row, width = sheets.WORKLIST_HEADER_ROW, len(table.WORKLIST_COLUMNS)
    else:
        log = _table(book, sheets.FOLLOWUP_LOG, sheets.LOG_TABLE)
        header_row, width = log.header_row_range.row, log.header_row_range.shape[1]
    header = selection.sheet.range((header_row, 1, 1, width)).options(**_READ).value[0]
    claim_id = None
    if selection.row > header_row and "Claim ID" in header:
        claim_id = selection.sheet.range((selection.row, 1, 1, width)).options(**_READ).value[0][header.index("Claim ID")]
    if table.is_blank(claim_id):
        raise TrackerError(f"Click a row of the {selection.sheet.name} that has a Claim ID, then press the button again.")
    return claim_id


def _find_claim_row(claims_table, header: list, claim_id) -> list:
    """The Claims row with this Claim ID: one read of the Claim ID column, one of the row."""
    cols = table.map_input_columns(header)
    body = claims_table.data_body_range
    if body is None:
        raise TrackerError("The Claims table is empty.")
    ids = body[:, cols["claim_id"]].options(**_READ).value
    key = table.claim_key(claim_id)
    for i, (value,) in enumerate(ids):
        if table.claim_key(value) == key:
            return body[i, :].options(**_READ).value[0]
    raise TrackerError(f"Claim {claim_id} is not in the Claims table. If it was removed, press Refresh.")


# ---------------------------------------------------------------------------------------- reading
def _sheet(book, name: str):
    try:
        return book.sheets[name]
    except Exception as err:  # noqa: BLE001 - xlwings raises the engine's own error for a missing sheet
        raise TrackerError(f'This workbook has no "{name}" sheet. Is it a claimbook tracker?') from err


def _table(book, sheet_name: str, table_name: str, required: bool = True):
    sheet = _sheet(book, sheet_name) if required else _optional_sheet(book, sheet_name)
    if sheet is None:
        return None
    tables = sheet.tables
    if table_name in tables:
        return tables[table_name]
    if required:
        raise TrackerError(f'The "{sheet_name}" sheet has no table named "{table_name}". '
                           "Is it a claimbook tracker?")
    return None


def _optional_sheet(book, name: str):
    try:
        return book.sheets[name]
    except Exception:  # noqa: BLE001
        return None


def _read_table(tbl) -> Block | None:
    """A table's header and body in two reads (dates as dates, empty cells as None)."""
    if tbl is None:
        return None
    header = [("" if h is None else str(h)) for h in tbl.header_row_range.options(**_READ).value[0]]
    body = tbl.data_body_range
    rows = body.options(**_READ).value if body is not None else []
    return Block(header, rows, first_row=body.row if body is not None else None)


def _read_settings(book) -> list[list]:
    """The Settings sheet's [label, value] rows, in one read."""
    sheet = _optional_sheet(book, sheets.SETTINGS)
    if sheet is None:
        return []
    last = sheet.used_range.last_cell.row
    return sheet.range((1, 1, max(1, min(last, 200)), 2)).options(**_READ).value


# ------------------------------------------------------------------------------------------ rules
def _workbook_folder(book) -> Path | None:
    """The workbook's folder, or None when Excel reports a web address (OneDrive/SharePoint) or nothing."""
    try:
        name = book.fullname
    except Exception:  # noqa: BLE001 - xlwings may fail to map a OneDrive URL to a local path
        return None
    if not name or re.match(r"^[a-z][a-z0-9+.-]*://", str(name), re.I) or not os.path.isabs(str(name)):
        return None
    return Path(name).parent


def _rules_folder(book, settings_rows) -> Path:
    """Settings "Rules folder" (relative to the workbook), else ``rules`` beside the workbook, else the
    user's ``~/claimbook/rules``, else the built-in rules. Never the current directory."""
    from claimbook.rules.loader import resolve_rules_dir

    typed = table.tracker_settings(settings_rows).rules_folder
    here = _workbook_folder(book)
    explicit = None
    if typed:
        path = Path(os.path.expandvars(os.path.expanduser(typed)))
        if not path.is_absolute():
            if here is None:
                raise TrackerError(
                    f"The Rules folder on the Settings sheet ({typed}) is not a full path, and this workbook "
                    "is not in a folder on this computer (OneDrive/SharePoint). Type a full path such as "
                    "C:\\ClaimBook\\rules.")
            path = here / path
        explicit = path
    return Path(resolve_rules_dir(explicit, here / book.name if here else None))


def _rules_and_as_of(book, settings_rows):
    from claimbook.rules.loader import load_rules

    rules = load_rules(_rules_folder(book, settings_rows))
    tracker = table.tracker_settings(settings_rows, rules.settings.day_first_dates)
    return rules, tracker.as_of or dt.date.today()


# ---------------------------------------------------------------------------------------- writing
_EXCEL_WOULD_PARSE = re.compile(
    r"""^\s*(
        [+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?     # numbers, 1,234 / 12% / 1e5
      | [$€£]\s*[\d,.]+                                    # currency
      | \d{1,4}[/\-.]\d{1,2}([/\-.]\d{1,4})?(\s.*)?         # dates such as 3/4/26 or 2026-03-04
      | (\d{1,2}[\s\-/.]+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?([\s\-/.,]+\d{1,4}){0,2}
                                                           # dates such as Dec-1, 5 Jan, March 4, 2026
      | \(\s*[$€£]?\s*[\d,.]+\s*\)                          # accounting negatives, (120)
      | \d{1,2}:\d{2}(:\d{2})?(\s*[AaPp][Mm])?               # times
      | (TRUE|FALSE)                                         # booleans
      | \#[A-Z/0!?]+[!?A-Z]*                                 # error literals (#N/A)
      | \d+\s+\d+/\d+                                        # fractions (1 1/2)
    )\s*$""",
    re.X | re.I,
)


def _cell(value):
    """A value as written into Excel. Text gets Excel's hidden text prefix (') when Excel would otherwise
    read it as a formula (``table.safe_text``), a number, a date, a time or TRUE/FALSE, and when it starts
    with an apostrophe itself (Excel would swallow that one as the prefix: "'Brien" would become "Brien")."""
    if isinstance(value, str):
        guarded = table.safe_text(value)
        if guarded == value and (value.startswith("'") or _EXCEL_WOULD_PARSE.match(value)):
            guarded = "'" + value
        return guarded
    return value
