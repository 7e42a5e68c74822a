"""The columns: input and computed headers (with their aliases), the Worklist and Payers columns, the
Settings labels, header matching and claimbook's mark on the computed headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from claimbook.errors import MissingColumnsError
from claimbook.table.cells import is_blank


@dataclass(frozen=True)
class Column:
    header: str  # the name claimbook writes
    field: str  # the Claim field it fills ("" for columns that are not claim fields)
    kind: str  # text, id, date, money, status, network, claim_type, channel, order, denials
    aliases: tuple[str, ...] = ()
    required: bool = False


INPUT_COLUMNS: tuple[Column, ...] = (
    Column("Claim ID", "claim_id", "id",
           ("Claim #", "Claim No", "Claim Number", "Claim", "Patient Control Number", "PCN",
            "Patient Account Number", "Encounter ID", "Encounter #", "Visit ID", "CLM01"), True),
    Column("Patient", "patient", "text", ("Patient Name", "Pt Name", "Patient Full Name", "Member Name")),
    Column("Payer", "payer", "text",
           ("Insurance", "Payer Name", "Carrier", "Insurance Company", "Insurance Name", "Plan",
            "Primary Insurance", "Ins"), True),
    Column("Payer ID", "payer_id", "id", ("PayerID", "Payor ID", "EDI Payer ID", "Insurance ID")),
    Column("Network", "network", "network", ("In Network", "Network Status", "Par Status", "INN/OON", "Par")),
    Column("Claim Type", "claim_type", "claim_type", ("Type", "Form", "Form Type", "Bill Type")),
    Column("Channel", "channel", "channel", ("Submission Method", "Submitted Via", "Method", "EDI/Paper")),
    Column("Order", "order", "order", ("Payer Order", "Coverage Order", "Primary/Secondary", "COB", "Sequence")),
    Column("DOS", "dos_from", "date",
           ("Date of Service", "Service Date", "DOS From", "From Date", "Date of Service From", "Svc Date",
            "Visit Date"), True),
    Column("DOS Through", "dos_through", "date",
           ("DOS To", "Through Date", "To Date", "Date of Service To", "Discharge Date", "Service Date To")),
    Column("Submitted", "submitted", "date",
           ("Submitted Date", "Date Submitted", "Submission Date", "Billed Date", "Date Billed", "Sent Date",
            "First Billed")),
    Column("Accepted", "accepted", "date", ("Accepted Date", "Date Accepted", "Acceptance Date", "Ack Date")),
    Column("Billed", "billed", "money",
           ("Charges", "Billed Amount", "Charge", "Total Charges", "Charge Amount", "Amount Billed")),
    Column("Expected", "expected", "money",
           ("Allowed", "Allowed Amount", "Contracted Amount", "Expected Amount", "Contract Amount")),
    Column("Paid", "paid", "money", ("Paid Amount", "Payment", "Payments", "Amount Paid", "Ins Paid", "Insurance Paid")),
    Column("Patient Resp", "patient_resp", "money",
           ("Pt Resp", "Patient Responsibility", "Patient Balance", "PR Amount", "Patient Portion")),
    Column("Status", "status", "status", ("Claim Status", "Current Status", "State")),
    Column("Denial Codes", "denial_codes", "denials",
           ("CARC", "Denial Code", "Denial Code(s)", "Adjustment Codes", "Adjustment Code", "Reason Codes",
            "Reason Code", "CARC/RARC", "Denial Reason Codes")),
    Column("Remit Date", "remit_date", "date",
           ("ERA Date", "Remittance Date", "EOB Date", "Payment Date", "Check Date", "Denial Date", "Paid Date")),
    Column("Primary EOB Date", "primary_eob_date", "date", ("Primary EOB", "Primary Remit Date", "Primary Paid Date")),
    Column("Docs Due", "docs_due", "date", ("Docs Due Date", "Records Due", "Documents Due", "ADR Due")),
    Column("Last Contact", "last_contact", "date",
           ("Last Contact Date", "Last Follow-up", "Last Follow Up", "Last Touched", "Last Call", "Last Action Date")),
    Column("Appeal Filed", "appeal_filed", "date", ("Appeal Date", "Appeal Filed Date", "Date Appealed", "Appealed On")),
    Column("Notes", "notes", "text", ("Note", "Comments", "Comment", "Memo", "Remarks")),
)


COMPUTED_COLUMNS: tuple[str, ...] = (
    "Age", "Aging Bucket", "Next Action", "Follow-up Date", "Days Overdue", "TF Deadline", "TF Days Left",
    "TF Risk", "Appeal Deadline", "Underpaid", "Priority", "Why", "Data Issues",
)


FOLLOWUP_LOG_COLUMNS: tuple[str, ...] = ("Date", "Claim ID", "Action Taken", "Outcome", "Reference #", "Next Date", "By")


_LOG_ALIASES: dict[str, tuple[str, ...]] = {
    "Date": ("Contact Date", "Date Contacted", "Follow-up Date", "Call Date"),
    "Claim ID": ("Claim #", "Claim Number", "Claim"),
    "Action Taken": ("Action", "What Was Done"),
    "Outcome": ("Result", "Response"),
    "Reference #": ("Reference", "Ref #", "Call Reference", "Ref"),
    "Next Date": ("Next Follow-up", "Next Follow-up Date", "Follow Up On", "Next Action Date"),
    "By": ("Who", "User", "Staff"),
}


# "#": the place in today's share, 1 to N (claimbook.planning), not the Claims sheet's Priority.
WORKLIST_COLUMNS: tuple[str, ...] = (
    "#", "Claim ID", "Patient", "Payer", "Next Action", "Due", "Days Overdue", "At Stake", "TF Risk",
    "Appeal Deadline", "Why",
)


PAYERS_COLUMNS: tuple[str, ...] = (
    "Payer", "File", "Match Names", "Match IDs", "TF In-Network", "TF Out-of-Network", "TF Anchor",
    "Institutional Anchor", "Secondary Anchor", "Roll to Business Day", "First Check (Electronic)",
    "First Check (Paper)", "Recheck Every", "Expected Adjudication", "Appeal Window", "Receipt Presumption",
    "Underpayment Tolerance", "Contact", "Source", "Contested / Notes",
)


# Labels of the Settings sheet rows ([label, value]); the layout helper writes the same labels.
SETTING_AS_OF = "As-of date"


SETTING_RULES_FOLDER = "Rules folder"


SETTING_LOOK_AHEAD = "Worklist look-ahead days"


SETTING_BACKUPS = "Backups kept"


SETTING_WORK_PER_DAY = "Follow-up work per day"


def norm_header(text: object) -> str:
    """A header as compared: lower case, letters and digits only ("Denial Code(s)" -> "denialcodes")."""
    return re.sub(r"[^0-9a-z]", "", str(text or "").lower())


_INPUT_LOOKUP: dict[str, Column] = {}


for _c in INPUT_COLUMNS:
    for _name in (_c.header, *_c.aliases):
        _INPUT_LOOKUP.setdefault(norm_header(_name), _c)


_COMPUTED_LOOKUP = {norm_header(h): h for h in COMPUTED_COLUMNS}


_LOG_LOOKUP: dict[str, str] = {}


for _h in FOLLOWUP_LOG_COLUMNS:
    for _name in (_h, *_LOG_ALIASES.get(_h, ())):
        _LOG_LOOKUP.setdefault(norm_header(_name), _h)


def input_column_for(header: object, extra_aliases: dict[str, str] | None = None) -> Column | None:
    """The input column a header names, if any. ``extra_aliases`` maps normalised names to headers."""
    key = norm_header(header)
    if extra_aliases and key in extra_aliases:
        key = norm_header(extra_aliases[key])
    return _INPUT_LOOKUP.get(key)


def map_input_columns(header: Sequence, extra_aliases: dict[str, str] | None = None,
                      what: str = "The Claims table", required: Sequence[str] | None = None) -> dict[str, int]:
    """Claim field -> column index for a header row. The first column naming a field wins.

    Raises ``MissingColumnsError`` when Claim ID, Payer or DOS (or the ``required`` fields) is missing,
    naming what was found.
    """
    found: dict[str, int] = {}
    for i, h in enumerate(header):
        if norm_header(h) in _COMPUTED_LOOKUP:
            continue  # "Follow-up Date" is computed, never an input
        col = input_column_for(h, extra_aliases)
        if col is not None and col.field not in found:
            found[col.field] = i
    needed = set(required) if required is not None else {c.field for c in INPUT_COLUMNS if c.required}
    missing = [c.header for c in INPUT_COLUMNS if c.field in needed and c.field not in found]
    if missing:
        seen = ", ".join(str(h) for h in header if h not in (None, "")) or "none"
        if len(seen) > 300:
            seen = seen[:300] + "..."
        raise MissingColumnsError(
            f"{what} has no {_and(missing)} column (headers found: {seen}). "
            f"Add {'it' if len(missing) == 1 else 'them'} or rename the header{'s' if len(missing) > 1 else ''}."
        )
    return found


def map_computed_columns(header: Sequence) -> dict[str, int]:
    """Computed column header -> index, for the computed columns present in a header row."""
    out: dict[str, int] = {}
    for i, h in enumerate(header):
        name = _COMPUTED_LOOKUP.get(norm_header(h))
        if name and name not in out:
            out[name] = i
    return out


# A computed column is claimbook's when its header cell carries claimbook's note ("Filled in by claimbook
# ..."; the layout writes it on every computed header, and both edges add it to a column they take over).
# A same-named column without it that holds entries is the practice's own: claimbook never writes there.
COMPUTED_MARK = "Filled in by claimbook \u2014 typing here is overwritten at the next refresh."


def is_claimbook_mark(note_text: object) -> bool:
    """Whether a header cell's note (comment) text is claimbook's mark (Excel may put the author first)."""
    return isinstance(note_text, str) and "filled in by claimbook" in " ".join(note_text.lower().split())


def column_in_use(rows: Sequence[Sequence], i: int) -> bool:
    """Whether any data row has something in column ``i``."""
    return any(i < len(r) and not is_blank(r[i]) for r in rows)


def column_clash_message(header: object, letter: str) -> str:
    """The one line for a practice's own column whose header is one claimbook fills (never its values)."""
    name = _COMPUTED_LOOKUP.get(norm_header(header), str(header))
    return (f"The Claims column '{name}' (column {letter}) holds entries that claimbook did not write, and "
            f"claimbook fills a column of that name: rename yours (for example to 'Our {name}'), or delete it if "
            "it was claimbook's; then run again. Nothing was changed.")


def map_log_columns(header: Sequence) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, h in enumerate(header):
        name = _LOG_LOOKUP.get(norm_header(h))
        if name and name not in out:
            out[name] = i
    return out


def _and(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


INPUT_BY_HEADER: dict[str, Column] = {c.header: c for c in INPUT_COLUMNS}


INPUT_BY_FIELD: dict[str, Column] = {c.field: c for c in INPUT_COLUMNS}
