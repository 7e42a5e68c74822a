"""The ribbon buttons of ClaimTracker.xlsm. Each VBA button runs one of these with xlwings' RunPython::

    RunPython "import claimbook.excel.macros as m; m.refresh()"
    RunPython "import claimbook.excel.macros as m; m.check_rules()"
    RunPython "import claimbook.excel.macros as m; m.open_rules_folder()"
    RunPython "import claimbook.excel.macros as m; m.explain_claim()"
    RunPython "import claimbook.excel.macros as m; m.log_followup()"
    RunPython "import claimbook.excel.macros as m; m.show_help()"
    RunPython "import claimbook.excel.macros as m; m.import_remittance()"

This module only translates (style guide G7): each button opens the live edge on the calling workbook
(``claimbook.excel.edge.LiveEdge``: whole blocks read and written, a small number of calls into Excel
whatever the number of claims) and calls the same use case as the command line (``claimbook.app``):
the session resolves the rules folder, the rules and the as-of date exactly as ``claimbook refresh`` does.

Errors a person can act on (``ClaimbookError``) become one plain message box. Anything else also
becomes a plain message box (no traceback popup: RunPython would show stderr) and is logged, without
cell values, to ``claimbook-last-error.txt`` in the temp folder. Excel's screen updating, calculation
mode and status bar are restored even when something fails. Text written to cells is guarded so Excel
never turns a note, a name or an ID into a formula, a number or a date.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import xlwings as xw

from claimbook import imports as importer
from claimbook import sheets, table
from claimbook.app import importing, rulescheck
from claimbook.app import refresh as usecase
from claimbook.blocks import Block
from claimbook.errors import ClaimbookError, TrackerError
from claimbook.excel.edge import READ as _READ, LiveEdge, cell as _cell
from claimbook.excel.picker import pick_files as _pick_files

TITLE = "claimbook"
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
    edge = LiveEdge(book, app)
    try:
        with app.properties(screen_updating=False, calculation="manual", status_bar=f"claimbook: {doing}…"):
            action(edge, progress)
    except ClaimbookError as err:
        wrote = progress.wrote or edge.wrote
        _alert(app, _shorten(str(err)) + ("\n\nSome sheets were already updated; press the button again "
                                          "after fixing this." if wrote else ""), critical=True)
    except Exception as err:  # noqa: BLE001 - a bug: never a traceback popup in Excel
        log = _log_bug(err)
        changed = ("Some sheets may be half updated: press the button again." if progress.wrote or edge.wrote
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
def _refresh(edge: LiveEdge, progress: _Progress, session=None) -> None:
    progress.say("reading the claims…")
    session = session or usecase.session_for(edge)
    progress.say(f"computing {len(edge.read_claims().rows):,} claims…")
    usecase.refresh(edge, session)


# ---------------------------------------------------------------------------------- import remittance
def _import_remittance(edge: LiveEdge, progress: _Progress) -> None:
    files = _pick_files(edge.book)
    if not files:
        return
    progress.say("reading the files…")
    # Every file is read first. A file that cannot be read safely is refused and listed (first) in the one
    # message box below, with its reason; the other files are imported. When every file is refused, the
    # ImportFileError says why for each.
    result, _done = importing.import_files(edge, files)
    if not result.imported:
        _alert(edge.app, importer.summary(result.reports, "Nothing was changed."))
        return
    _alert(edge.app, _shorten(importer.summary(result.reports), 25))


# ------------------------------------------------------------------------------------- check rules
def _check_rules(edge: LiveEdge, progress: _Progress) -> None:
    folder = rulescheck.rules_folder_of(edge)
    check = rulescheck.check_rules(folder)
    lines = check.lines()
    keep = {"payers.folder", "payers.summary", "payers.problems"}
    edge.write_blocks([b for b in sheets.payers_blocks(Block([], []), str(folder), lines) if b.key in keep])
    errors = check.errors
    if not check.problems:
        _alert(edge.app, f"The rules in {folder} have no problems.")
        return
    head = (f"The rules in {folder} have {errors} error{'s' if errors != 1 else ''} and "
            f"{check.warnings} warning{'s' if check.warnings != 1 else ''}:")
    _alert(edge.app, _shorten("\n".join([head, *lines])) + "\n\nThey are also listed on the Payers sheet.",
           critical=errors > 0)


def _open_rules_folder(edge: LiveEdge, progress: _Progress) -> None:
    folder = rulescheck.rules_folder_of(edge)
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
            _alert(edge.app, f"The rules folder is {folder}.{note}")
    elif sys.platform == "darwin":
        subprocess.run(["open", str(folder)], check=False)  # noqa: S603, S607
        if note:
            _alert(edge.app, f"The rules folder is {folder}.{note}")
    else:
        _alert(edge.app, f"The rules folder is {folder}.{note}")


def _show_help(edge: LiveEdge, progress: _Progress) -> None:
    try:
        sheet = edge.book.sheets[sheets.HOWTO]
    except Exception as err:  # noqa: BLE001 - xlwings raises the engine's own error for a missing sheet
        raise TrackerError(f'This workbook has no "{sheets.HOWTO}" sheet.') from err
    sheet.activate()


# -------------------------------------------------------------------------- explain / log follow-up
def _explain_claim(edge: LiveEdge, progress: _Progress) -> None:
    from claimbook.engine import explain

    claim, result, as_of, order = _selected_claim(edge)
    used = [("Service date", claim.dos_from), ("Through", claim.dos_through), ("Submitted", claim.submitted),
            ("Accepted", claim.accepted), ("Remit", claim.remit_date), ("Primary EOB", claim.primary_eob_date),
            ("Docs due", claim.docs_due), ("Last contact", claim.last_contact), ("Appeal filed", claim.appeal_filed),
            ("Next date from the Follow-up Log", claim.next_date_override)]
    dates = ", ".join(f"{label} {d:%m/%d/%Y}" for label, d in used if d)
    text = f"As of {as_of:%m/%d/%Y}.\n{explain(claim, result, order)}\nDates used: {dates or 'none'}."
    _alert(edge.app, _shorten(text, 25))


def _log_followup(edge: LiveEdge, progress: _Progress) -> None:
    claim, result, _, _ = _selected_claim(edge)
    log = edge.table(sheets.FOLLOWUP_LOG, sheets.LOG_TABLE)
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


def _selected_claim(edge: LiveEdge):
    """The claim of the active cell's row in the Claims table (or on the Worklist), evaluated alone."""
    selection = edge.app.selection
    claims_table = edge.table(sheets.CLAIMS, sheets.CLAIMS_TABLE)
    header = claims_table.header_row_range.options(**_READ).value[0]
    body = claims_table.data_body_range
    on = selection.sheet.name if selection is not None else None
    if on == sheets.CLAIMS and body is not None and body.row <= selection.row < body.row + body.shape[0]:
        row = body[selection.row - body.row, :].options(**_READ).value[0]
    elif on in (sheets.WORKLIST, sheets.FOLLOWUP_LOG):
        row = _find_claim_row(claims_table, header, _claim_id_on_row(edge, selection))
    else:
        raise TrackerError("Click a cell in a claim's row on the Claims sheet (or on the Worklist), "
                           "then press the button again.")
    session = usecase.session_for(edge)
    claim, result = usecase.evaluate_row(session, header, row, edge.read_log())
    if claim is None:
        raise TrackerError("That row of the Claims table is empty.")
    return claim, result, session.as_of, session.text_dates


def _claim_id_on_row(edge: LiveEdge, selection):
    """The Claim ID on the selected row of the Worklist or the Follow-up Log (two small reads)."""
    if selection.sheet.name == sheets.WORKLIST:
        header_row, width = sheets.WORKLIST_HEADER_ROW, len(table.WORKLIST_COLUMNS)
    else:
        log = edge.table(sheets.FOLLOWUP_LOG, sheets.LOG_TABLE)
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
