"""claimbook's worksheet functions, for people who want one answer in a cell of their own sheet::

    =CB_TF_DEADLINE(B2, H2)                       one claim: payer, date of service
    =CB_NEXT_ACTION(Claims[Payer], Claims[DOS], Claims[Status], Claims[Submitted])
                                                  a whole column: one array formula, one answer per row

**Windows Excel only.** xlwings UDFs need Windows, the xlwings DLL matching the pinned xlwings version
and "Import Functions" (which needs "Trust access to the VBA project object model"). On macOS and Linux
the ``@xw.func`` decorators do nothing: the functions are plain Python (that is how the tests call them).
The Refresh button does not need any of this; these functions are an extra.

Every argument takes a single cell or a whole column (a range arrives as a list). A single value is
used for every row, so ``=CB_TF_RISK(Claims[Payer], Claims[DOS], "Pending")`` works. Cells are read by
the same rules as the Claims table (text dates, Excel serial numbers, status words such as "billed").
The answers come from the same session and engine as Refresh (``claimbook.app``): the workbook's
Settings sheet is read (one read per call) and resolved exactly as the Refresh button and
``claimbook refresh`` do: the Settings "Rules folder", else the ``rules`` folder beside the workbook, else
``~/claimbook/rules``, else the built-in rules; ``as_of`` defaults to the Settings "As-of date", else
today. Rules are loaded once per Excel session and again when a rules file changes.
"""

from __future__ import annotations

from dataclasses import replace

import xlwings as xw

from claimbook import table
from claimbook.app import cells
from claimbook.app.context import local_workbook, open_session, rules_folder
from claimbook.blocks import Block
from claimbook.errors import ClaimbookError


# ------------------------------------------------------------------------------------------ functions
@xw.func
def CB_AGING_BUCKET(dos, submitted=None, as_of=None, claim_type=None, dos_through=None, caller=None):
    """Aging bucket (for example "31-60"): date of service, submitted, as-of (optional), claim type, DOS through."""
    # The payer does not change the age; the Claims table layer needs one to read a row.
    fields = {"Payer": "(any)", "DOS": dos, "Submitted": submitted, "Claim Type": claim_type,
              "DOS Through": dos_through}
    return _answer(caller, as_of, fields, lambda c, r: r.bucket or None)


@xw.func
def CB_TF_DEADLINE(payer, dos, network=None, claim_type=None, order=None, primary_eob_date=None, dos_through=None,
                   status=None, remit_date=None, denial_codes=None, caller=None):
    """Timely-filing deadline: payer, DOS, network, claim type, order, primary EOB, DOS through, status, remit, denials."""
    # Status, remit date and denial codes matter when the claim must be corrected: some payers count the
    # corrected-claim limit from the remit.
    fields = {"Payer": payer, "DOS": dos, "Network": network, "Claim Type": claim_type, "Order": order,
              "Primary EOB Date": primary_eob_date, "DOS Through": dos_through, "Status": status,
              "Remit Date": remit_date, "Denial Codes": denial_codes}
    return _answer(caller, None, fields, lambda c, r: r.tf_deadline)


@xw.func
def CB_TF_RISK(payer, dos, status=None, submitted=None, accepted=None, network=None, as_of=None, caller=None):
    """Timely-filing risk (Expired, Critical, High, Watch, OK, Met): payer, DOS, status, submitted, accepted, network, as-of."""
    fields = {"Payer": payer, "DOS": dos, "Status": status, "Submitted": submitted, "Accepted": accepted,
              "Network": network}
    return _answer(caller, as_of, fields, lambda c, r: r.tf_risk.value if r.tf_risk is not None else None)


@xw.func
def CB_FOLLOWUP_DATE(payer, dos, status=None, submitted=None, accepted=None, last_contact=None, remit_date=None,
                     as_of=None, channel=None, caller=None):
    """Next follow-up date: payer, DOS, status, submitted, accepted, last contact, remit date, as-of, channel
    (Electronic or Paper; paper claims are checked and escalated later). All but payer and DOS optional."""
    fields = {"Payer": payer, "DOS": dos, "Status": status, "Submitted": submitted, "Accepted": accepted,
              "Last Contact": last_contact, "Remit Date": remit_date, "Channel": channel}
    return _answer(caller, as_of, fields, lambda c, r: r.follow_up)


@xw.func
def CB_NEXT_ACTION(payer, dos, status=None, submitted=None, accepted=None, denial_codes=None, last_contact=None,
                   as_of=None, caller=None):
    """What to do next with a claim: payer, DOS, status, submitted, accepted, denial codes, last contact, as-of."""
    fields = {"Payer": payer, "DOS": dos, "Status": status, "Submitted": submitted, "Accepted": accepted,
              "Denial Codes": denial_codes, "Last Contact": last_contact}
    return _answer(caller, as_of, fields, lambda c, r: r.next_action or None)


# ------------------------------------------------------------------------------------------- plumbing
def _column(value) -> tuple[list, bool]:
    """A cell or a range as a list of values, and whether it was a range."""
    if isinstance(value, (list, tuple)):
        flat = []
        for item in value:
            if isinstance(item, (list, tuple)):
                flat.extend(item)
            else:
                flat.append(item)
        return flat, True
    return [value], False


def _answer(caller, as_of, fields: dict, pick):
    """Build one claim per row from the arguments, evaluate them all at once, pick one field per row."""
    try:
        columns = {name: _column(v) for name, v in fields.items()}
        n = max(len(values) for values, _ in columns.values())
        is_range = any(flag for _, flag in columns.values())
        for name, (values, _) in columns.items():
            if len(values) not in (1, n):
                return f"claimbook: {name} has {len(values)} cells but another argument has {n}; use ranges of the same size"
        header = ["Claim ID", *columns]
        rows = [[f"row {i + 1}", *[vals[i] if len(vals) == n else vals[0] for vals, _ in columns.values()]]
                for i in range(n)]
        session = session_for(caller)
        if as_of not in (None, ""):
            session = replace(session, as_of=table.parse_date(as_of, "as_of", [], session.day_first) or session.as_of)
        answers = cells.answers(session, Block(header, rows), pick)
    except ClaimbookError as err:
        return f"claimbook: {str(err).splitlines()[0]}"
    if not is_range:
        return answers[0]
    return [[a] for a in answers]


def session_for(caller):
    """The calling workbook's session: its Settings rows (one read) and its file, resolved like Refresh."""
    book, path = _book(caller)
    return open_session(_settings_rows(book), path, load=cells.load_cached)


def _book(caller):
    """(the calling xlwings Book or None, its file or None)."""
    try:
        book = caller.sheet.book if caller is not None else None
        name = book.fullname if book is not None else None
    except Exception:  # noqa: BLE001 - no workbook path (new book, OneDrive URL not mapped)
        return None, None
    return book, local_workbook(name)


def _settings_rows(book) -> list[list]:
    if book is None:
        return []
    from claimbook.excel.edge import LiveEdge

    try:
        return LiveEdge(book).read_settings()
    except ClaimbookError:
        raise
    except Exception:  # noqa: BLE001 - a workbook Excel cannot read from inside a function: no Settings
        return []


def rules_for(workbook_path: str | None):
    """The rules a workbook without a Settings "Rules folder" uses (loaded once, again on a change)."""
    return cells.load_cached(rules_folder(local_workbook(workbook_path)))
