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
The answers come from the same engine as Refresh (``claimbook.engine.evaluate``). ``as_of`` defaults to
today. Rules: the ``rules`` folder beside the workbook, else ``~/claimbook/rules``, else the built-in
rules (the Settings sheet's "Rules folder" is used by the buttons, not by these functions); they are
loaded once per Excel session and again when a rules file changes.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import xlwings as xw

from claimbook import table
from claimbook.errors import ClaimbookError
from claimbook.pipeline import Block

_LOCK = threading.Lock()
_CACHE: dict[str, tuple[tuple, object]] = {}  # folder -> (files' sizes and times, Rules)


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
        rules = rules_for(_book_path(caller))
        when = table.parse_date(as_of, "as_of", [], rules.settings.day_first_dates) if as_of not in (None, "") else None
        answers = evaluate_rows(Block(header, rows), rules, when or dt.date.today(), pick)
    except ClaimbookError as err:
        return f"claimbook: {str(err).splitlines()[0]}"
    if not is_range:
        return answers[0]
    return [[a] for a in answers]


def evaluate_rows(block: Block, rules, as_of: dt.date, pick) -> list:
    """``pick(claim, result)`` for every row of a Claims-like block (None for blank rows)."""
    from claimbook.engine import evaluate

    read = table.read_claims(block, rules.settings.day_first_dates)
    claims = [c for c in read.claims if c is not None]
    results = iter(evaluate(claims, rules, as_of).results)
    out = []
    for c in read.claims:
        out.append(None if c is None else pick(c, next(results)))
    return out


def _book_path(caller) -> str | None:
    try:
        name = caller.sheet.book.fullname if caller is not None else None
    except Exception:  # noqa: BLE001 - no workbook path (new book, OneDrive URL not mapped)
        return None
    if not name or "://" in str(name) or not os.path.isabs(str(name)):
        return None
    return str(name)


def _stamp(folder: Path) -> tuple:
    """Names, sizes and modification times of the rules files: changes when any file changes."""
    found = []
    for sub in (folder, folder / "payers"):
        try:
            with os.scandir(sub) as it:
                for entry in it:
                    if entry.name.endswith((".yaml", ".yml")):
                        st = entry.stat()
                        found.append((entry.path, st.st_size, st.st_mtime_ns))
        except OSError:
            pass
    return tuple(sorted(found))


def rules_for(workbook_path: str | None):
    """The rules for a workbook, loaded once per process and again when a rules file changes."""
    from claimbook.rules.loader import load_rules, resolve_rules_dir

    folder = Path(resolve_rules_dir(None, workbook_path)).resolve()
    stamp = _stamp(folder)
    with _LOCK:
        cached = _CACHE.get(str(folder))
        if cached and cached[0] == stamp:
            return cached[1]
        rules = load_rules(folder)
        _CACHE[str(folder)] = (stamp, rules)
        return rules
