"""The table layer: the only place that knows header names and cell quirks.

Both edges (openpyxl files, xlwings in Excel) read 2-D blocks of cell values and call this module; neither
re-implements it. Cells arrive as an edge reads them: ``date``/``datetime``, Excel serial numbers (floats,
1900 date system), numbers as float or text, error values as text (``#N/A``) or ``None``.

Everything wrong with a cell becomes a message on the claim's ``issues``; the row still runs. Messages
quote the cell (the user's own workbook shows them) but nothing here raises with claim data in it.
No openpyxl or xlwings imports.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Iterable, Sequence

from claimbook.errors import MissingColumnsError
from claimbook.model import (
    CROSSOVER_WORDS,
    MISSING_CLAIM_ID,
    STATUS_SYNONYMS,
    Channel,
    Claim,
    ClaimType,
    DenialCode,
    Network,
    Order,
    Risk,
    Status,
)

# --------------------------------------------------------------------------------------------------
# Columns


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

WORKLIST_COLUMNS: tuple[str, ...] = (
    "Priority", "Claim ID", "Patient", "Payer", "Next Action", "Due", "Days Overdue", "At Stake", "TF Risk",
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

ERROR_VALUES = frozenset({"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!",
                          "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!"})
EXCEL_TEXT_LIMIT = 32767


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


# --------------------------------------------------------------------------------------------------
# Cells


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_formula_like(text: object) -> bool:
    return isinstance(text, str) and text[:1] in ("=", "+", "-", "@")


def safe_text(value: object) -> object:
    """Text for an edge that would turn ``=``/``+``/``-``/``@`` text into a formula (Excel via xlwings).

    Such text gets Excel's text prefix (an apostrophe), which Excel does not show or store as content.
    Non-text values pass through. The openpyxl edge instead writes the text as a string cell.
    """
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


_ILLEGAL_XML = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def clean_text(text: str, limit: int = EXCEL_TEXT_LIMIT) -> str:
    """Text a workbook can hold: no control characters, at most Excel's 32,767 characters."""
    text = _ILLEGAL_XML.sub("", text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _quote(value: object, limit: int = 40) -> str:
    s = str(value).replace("\n", " ").strip()
    return "'" + (s if len(s) <= limit else s[: limit - 3] + "...") + "'"


def _error_value(value: object) -> bool:
    return isinstance(value, str) and value.strip().upper() in ERROR_VALUES


def _is_formula(value: object) -> bool:
    return isinstance(value, str) and len(value) > 1 and value.startswith("=")


EXCEL_EPOCH = date(1899, 12, 30)
_MDY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_YMD8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
# Excel serial numbers read as dates (a number typed in a date column, or stored as text): 1990-01-01 to
# 2100-12-31. Anything else (DOS = 5, Docs Due = 30) is a typing slip, not a day in 1900.
PLAUSIBLE_SERIALS = (32874, 73415)


def plausible_serial(serial: float) -> bool:
    return PLAUSIBLE_SERIALS[0] <= serial <= PLAUSIBLE_SERIALS[1]


def from_serial(serial: float) -> date | None:
    """An Excel 1900-system serial number as a date (60 is Excel's phantom 29 Feb 1900)."""
    if not (1 <= serial < 2958466) or serial == 60:
        return None
    days = int(serial)
    return (EXCEL_EPOCH + timedelta(days=days)) if days > 60 else (date(1899, 12, 31) + timedelta(days=days))


def _year2(y: str) -> int:
    n = int(y)
    if len(y) == 2:
        return 2000 + n if n < 30 else 1900 + n  # Excel's two-digit-year rule
    return n


# The dates claimbook works with (as --as-of): a claim dated 1926 or 9999 is a typing slip, and date
# arithmetic near the year 9999 would overflow.
PLAUSIBLE_YEARS = (1990, 2100)


def parse_date(value: object, label: str, issues: list[str], day_first: bool = False) -> date | None:
    """A date from a cell; a problem is appended to ``issues`` and None returned."""
    if value is None:
        return None
    if isinstance(value, date):
        d = value.date() if isinstance(value, datetime) else value
        if not (PLAUSIBLE_YEARS[0] <= d.year <= PLAUSIBLE_YEARS[1]):
            issues.append(_implausible_year(label, f"{d:%m/%d/%Y}", d.year))
            return None
        return d
    order = "DD/MM/YYYY" if day_first else "MM/DD/YYYY"
    if isinstance(value, bool) or isinstance(value, (time, timedelta)):
        issues.append(f"{label} {_quote(value)} is not a date — type it as {order}")
        return None
    if isinstance(value, (int, float)):
        ok = not math.isnan(value) and not math.isinf(value) and plausible_serial(float(value))
        d = from_serial(float(value)) if ok else None
        if d is None:
            shown = int(value) if isinstance(value, float) and value.is_integer() else value
            issues.append(f"{label} {_quote(shown)} is not a date — type it as {order}")
        return d
    text = str(value).strip()
    if not text:
        return None
    if _error_value(text):
        issues.append(f"{label} is the error value {text.upper()} — type the date as {order}")
        return None
    if _is_formula(text):
        issues.append(f"{label} is a formula that claimbook cannot calculate outside Excel — type the date "
                      f"as {order}, or refresh from Excel")
        return None
    d = _parse_date_text(text, day_first)
    if d is None:
        issues.append(f"{label} {_quote(text)} is not a date — type it as {order}")
    elif not (PLAUSIBLE_YEARS[0] <= d.year <= PLAUSIBLE_YEARS[1]):
        issues.append(_implausible_year(label, text, d.year))
        return None
    return d


def _implausible_year(label: str, shown: str, year: int) -> str:
    return (f"{label} {_quote(shown)} has the year {year} — check the date "
            f"(claimbook reads dates from {PLAUSIBLE_YEARS[0]} to {PLAUSIBLE_YEARS[1]})")


def _parse_date_text(text: str, day_first: bool) -> date | None:
    try:
        m = _MDY.match(text)
        if m:
            a, b, y = int(m.group(1)), int(m.group(2)), _year2(m.group(3))
            month, day = (b, a) if day_first else (a, b)
            return date(y, month, day)
        m = _ISO.match(text) or _YMD8.match(text)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if _NUMBER.match(text):  # a serial number stored as text
            return from_serial(float(text)) if plausible_serial(float(text)) else None
    except ValueError:
        return None
    if not re.search(r"[A-Za-z]", text) or not re.search(r"\d", text):
        return None
    # Month names ("March 4, 2026", "4-Mar-26"): dateutil, with two defaults so that a missing day or
    # year is caught rather than filled in.
    from dateutil import parser as du

    try:
        a = du.parse(text, dayfirst=day_first, default=datetime(2001, 1, 1))
        b = du.parse(text, dayfirst=day_first, default=datetime(2002, 2, 2))
    except (ValueError, OverflowError):
        return None
    if a.date() != b.date():
        return None
    return a.date()


def parse_money(value: object, label: str, issues: list[str]) -> float | None:
    """An amount from a cell ("$1,234.50", "(12.00)", 12, 12.0); None when blank or unreadable."""
    if value is None:
        return None
    if isinstance(value, bool):
        issues.append(f"{label} {_quote(value)} is not an amount — type a number such as 125.00")
        return None
    if isinstance(value, (int, float)):
        amount = float(value)
    else:
        text = str(value).strip()
        if not text:
            return None
        if _error_value(text):
            issues.append(f"{label} is the error value {text.upper()} — type an amount such as 125.00")
            return None
        if _is_formula(text):
            issues.append(f"{label} is a formula that claimbook cannot calculate outside Excel — type the "
                          "amount, or refresh from Excel")
            return None
        t = text.replace("$", "").replace(" ", "").replace("USD", "").replace("usd", "")
        negative = False
        if t.startswith("(") and t.endswith(")"):
            negative, t = True, t[1:-1]
        if t.endswith("-"):
            negative, t = True, t[:-1]
        if t.startswith("-"):
            negative, t = True, t[1:]
        if "," in t:
            if not _THOUSANDS.match(t):  # "12,50", "1,23", "1.234,50": a decimal comma, not thousands
                issues.append(f"{label} {_quote(text)} is not an amount — write it as {_decimal_point(t)}")
                return None
            t = t.replace(",", "")
        try:
            amount = float(t)
        except ValueError:
            issues.append(f"{label} {_quote(text)} is not an amount — type a number such as 125.00")
            return None
        if negative:
            amount = -amount
    if math.isnan(amount) or math.isinf(amount):
        issues.append(f"{label} is not an amount — type a number such as 125.00")
        return None
    if amount < 0:
        issues.append(f"{label} is negative ({amount:,.2f}) — amounts are entered as positive numbers; "
                      "it was ignored")
        return None
    return round(amount, 2)


_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


def _decimal_point(t: str) -> str:
    """How an amount written with a decimal comma is written for claimbook ("1.234,50" -> "1234.50")."""
    guess = t.replace(".", "").replace(",", ".")
    try:
        return f"{float(guess):.2f}"
    except ValueError:
        return "a number such as 1234.50 (commas only between thousands)"


def parse_text(value: object, label: str, issues: list[str]) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()[:10]
    text = str(value).strip()
    if _error_value(text):
        issues.append(f"{label} is the error value {text.upper()}")
        return ""
    return text


def _norm_word(value: object) -> str:
    return " ".join(str(value).lower().replace("_", " ").split())


def _squash(value: object) -> str:
    return re.sub(r"[^0-9a-z]", "", str(value).lower())


_NETWORK = {
    **{k: Network.IN for k in ("in", "inn", "par", "participating", "innetwork", "i", "yes", "y", "contracted")},
    **{k: Network.OUT for k in ("out", "oon", "nonpar", "nonparticipating", "outofnetwork", "o", "no", "n",
                                "noncontracted", "np")},
}
_CLAIM_TYPE = {
    **{k: ClaimType.PROFESSIONAL for k in ("prof", "professional", "1500", "cms1500", "hcfa", "hcfa1500",
                                            "837p", "p", "pro")},
    **{k: ClaimType.INSTITUTIONAL for k in ("inst", "institutional", "ub04", "ub", "ub92", "837i", "i",
                                             "facility", "cms1450")},
}
_CHANNEL = {
    **{k: Channel.ELECTRONIC for k in ("edi", "electronic", "e", "elec", "837", "clearinghouse", "online",
                                        "portal", "electronically")},
    **{k: Channel.PAPER for k in ("paper", "mail", "mailed", "fax", "faxed", "hardcopy")},
}
_ORDER = {
    **{k: Order.PRIMARY for k in ("primary", "1", "1st", "pri", "p", "first")},
    **{k: Order.SECONDARY for k in ("secondary", "2", "2nd", "sec", "s", "second")},
}
_ENUM_TABLES = {"network": _NETWORK, "claim_type": _CLAIM_TYPE, "channel": _CHANNEL, "order": _ORDER}
_ENUM_HINTS = {
    "network": "In or Out",
    "claim_type": "Professional or Institutional",
    "channel": "Electronic or Paper",
    "order": "Primary or Secondary",
}


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest choice to a mistyped word, or None."""
    choices = list(choices)
    try:  # the shared helper, when it is there
        from claimbook.suggest import did_you_mean

        hit = did_you_mean(word, choices)
        if isinstance(hit, str) and hit:
            for c in choices:  # it may return a phrase; keep only a real choice
                if c == hit or f"'{c}'" in hit or f'"{c}"' in hit:
                    return c
    except Exception:  # noqa: BLE001 - suggestions are a nicety
        pass
    lower = {c.lower(): c for c in choices}
    hits = difflib.get_close_matches(word.lower(), list(lower), n=1, cutoff=0.6)
    return lower[hits[0]] if hits else None


def parse_status(value: object, label: str, issues: list[str], has_submitted: bool) -> Status:
    """A status word; a blank or unreadable status is read from the dates: Submitted when there is a
    Submitted date (the claim was sent: never "submit it" again), else Not Submitted. A blank status is
    not a problem; an unknown word is (with a did-you-mean)."""
    fallback = Status.SUBMITTED if has_submitted else Status.NOT_SUBMITTED
    if is_blank(value):
        return fallback
    text = str(value).strip()
    word = _norm_word(text)
    hit = STATUS_SYNONYMS.get(word) or STATUS_SYNONYMS.get(word.replace("-", " "))
    if hit is not None:
        return hit
    if _error_value(text):
        issues.append(f"{label} is the error value {text.upper()} — read as {fallback.value}")
        return fallback
    near = suggest(word, [s.value for s in Status] + [k for k in STATUS_SYNONYMS if k])
    if near and " " in word and difflib.SequenceMatcher(None, word, near.lower()).ratio() < 0.85:
        near = None  # "Pending Insurance" is a practice system's word, not a typo of "Submitted": no guess
    hint = ""
    if near:
        canonical = STATUS_SYNONYMS.get(near.lower(), None)
        hint = f" — did you mean '{canonical.value if canonical else near}'?"
    issues.append(f"{label} {_quote(text)} is not a status claimbook knows{hint or '.'} Read as {fallback.value}; "
                  f"use one of {', '.join(s.value for s in Status)}")
    return fallback


def parse_choice(value: object, kind: str, label: str, issues: list[str]):
    table = _ENUM_TABLES[kind]
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    hit = table.get(_squash(value))
    if hit is None:
        issues.append(f"{label} {_quote(value)} is not understood — type {_ENUM_HINTS[kind]}")
    return hit


_GROUPS = ("CO", "PR", "OA", "PI", "CR")
_CODE = re.compile(
    r"(?P<rarc>\b(?:MA|M|N)\d{1,4}\b)"
    r"|(?P<code>(?:\b(?P<group>CO|PR|OA|PI|CR)\s*-?\s*|\b)(?P<carc>[A-Z]?\d{1,3})\b)",
    re.I,
)
_SEPARATORS = re.compile(r"^[\s;,|/&]*$")


def parse_denials(value: object, label: str, issues: list[str]) -> tuple[DenialCode, ...]:
    """Denial codes as billers write them: ``CO-50``, ``CO 50``, ``CO50``, ``CO-16 MA130; PR-2``."""
    if value is None:
        return ()
    if type(value) is str and len(value) < 200:
        codes, found = _denials_cached(value, label)
        issues.extend(found)
        return codes
    return _parse_denials(value, label, issues)


@lru_cache(maxsize=4096)
def _denials_cached(value: str, label: str) -> tuple[tuple[DenialCode, ...], tuple[str, ...]]:
    found: list[str] = []
    return _parse_denials(value, label, found), tuple(found)


def _parse_denials(value: object, label: str, issues: list[str]) -> tuple[DenialCode, ...]:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        return ()
    if _error_value(text):
        issues.append(f"{label} is the error value {text.upper()}")
        return ()
    codes: list[list] = []  # [group, carc, [rarcs]]
    leftovers: list[str] = []
    pos = 0
    for m in _CODE.finditer(text):
        if m.start() > pos:
            leftovers.append(text[pos:m.start()])
        pos = m.end()
        if m.group("rarc"):
            if codes:
                codes[-1][2].append(m.group("rarc").upper())
            else:
                issues.append(f"{label}: remark code {m.group('rarc').upper()} has no reason code before it — "
                              "write it like CO-16 MA130")
        else:
            group = (m.group("group") or "").upper()
            if not group:
                issues.append(f"{label}: {_quote(m.group('carc').upper())} has no group code (CO, PR, OA, PI or "
                              "CR) — write it like CO-50")
            codes.append([group, m.group("carc").upper(), []])
    if pos < len(text):
        leftovers.append(text[pos:])
    bad = [s.strip() for s in leftovers if not _SEPARATORS.match(s)]
    if bad:
        issues.append(f"{label} {_quote(text)}: could not read {_quote(' '.join(bad), 20)} — write codes like "
                      "CO-50 or CO-16 MA130, separated by ;")
    return tuple(DenialCode(g, c, tuple(r)) for g, c, r in codes)


# --------------------------------------------------------------------------------------------------
# Rows -> claims


@dataclass
class ReadClaims:
    """The Claims block read into records: ``claims[i]`` is the claim of data row ``rows[i]``."""

    claims: list[Claim | None]  # None for a blank row
    keys: list[str]  # normalised Claim ID per row ("" for blank rows)
    duplicates: set[str] = field(default_factory=set)


def claim_key(claim_id: object) -> str:
    """Claim IDs as matched: spaces trimmed and squeezed, upper case; 12345.0 reads as 12345, and an
    all-digit ID matches whatever its leading zeros ("00123" is the 123 Excel made of it)."""
    if isinstance(claim_id, float) and claim_id.is_integer():
        claim_id = int(claim_id)
    key = " ".join(str(claim_id if claim_id is not None else "").split()).upper()
    if key.isdigit() and key.isascii():
        key = key.lstrip("0") or "0"
    return key


def row_is_blank(row: Sequence, columns: Iterable[int]) -> bool:
    for i in columns:
        if i < len(row) and not is_blank(row[i]):
            return False
    return True


def claim_from_row(row: Sequence, cols: dict[str, int], day_first: bool = False, row_label: str = "") -> Claim:
    """One Claims row as a ``Claim``; every problem goes on ``issues``."""
    return _claim_from_row(row, _plan(cols), day_first, row_label)


def _plan(cols: dict[str, int]) -> list[tuple[str, int, str, str]]:
    """(field, index, kind, label) per mapped column: worked out once per block, not per row."""
    return [(f, i, INPUT_BY_FIELD[f].kind, INPUT_BY_FIELD[f].header) for f, i in cols.items()]


def _claim_from_row(row: Sequence, plan, day_first: bool, row_label: str) -> Claim:
    issues: list[str] = []
    kw: dict = {}
    n = len(row)
    submitted_present = False
    for fname, i, kind, _label in plan:
        if fname == "submitted":
            submitted_present = i < n and not is_blank(row[i])
    for fname, i, kind, label in plan:
        v = row[i] if i < n else None
        if kind == "date":
            if v is None:
                continue
            if type(v) is datetime and PLAUSIBLE_YEARS[0] <= v.year <= PLAUSIBLE_YEARS[1]:
                kw[fname] = v.date()
                continue
            d = parse_date(v, label, issues, day_first)
            if d is not None:
                kw[fname] = d
        elif kind == "money":
            if v is None:
                continue
            if type(v) is float and 0 <= v < 1e15:
                kw[fname] = round(v, 2)
                continue
            a = parse_money(v, label, issues)
            if a is not None:
                kw[fname] = a
        elif kind == "status":
            kw[fname] = parse_status(v, label, issues, submitted_present)
            if type(v) is str and _norm_word(v) in CROSSOVER_WORDS:
                kw["crossover"] = True
        elif kind == "denials":
            if v is None:
                continue
            kw[fname] = parse_denials(v, label, issues)
        elif kind in _ENUM_TABLES:
            if v is None:
                continue
            e = parse_choice(v, kind, label, issues)
            if e is not None:
                kw[fname] = e
        else:
            kw[fname] = v.strip() if type(v) is str and v[:1] != "#" else parse_text(v, label, issues)
    missing_id = not kw.get("claim_id")
    if missing_id:  # a placeholder ID, so the row still runs and can be found
        kw["claim_id"] = f"(row {row_label})" if row_label else "(no ID)"
    if not kw.get("payer"):
        kw["payer"] = ""  # the engine reports an empty payer
    if "dos_from" not in kw:
        kw["dos_from"] = None  # the engine reports a missing DOS
    if kw.get("dos_through") and kw.get("dos_from") and kw["dos_through"] < kw["dos_from"]:
        issues.append("DOS Through is before DOS — check the dates of service")
    if missing_id:
        issues.append(MISSING_CLAIM_ID)
    kw["issues"] = tuple(issues)
    return Claim(**kw)


def read_claims(block, day_first: bool = False, extra_aliases: dict[str, str] | None = None) -> ReadClaims:
    """Claims records for every data row of the Claims block (None for blank rows)."""
    cols = map_input_columns(block.header, extra_aliases)
    plan = _plan(cols)
    first_row = getattr(block, "first_row", None)
    all_cols = range(len(block.header))
    claims: list[Claim | None] = []
    keys: list[str] = []
    for n, row in enumerate(block.rows):
        if row_is_blank(row, all_cols):
            claims.append(None)
            keys.append("")
            continue
        label = str(first_row + n) if first_row else str(n + 1)
        c = _claim_from_row(row, plan, day_first, label)
        claims.append(c)
        keys.append(claim_key(c.claim_id) if not c.claim_id.startswith("(row ") else "")
    counts: dict[str, int] = {}
    for k in keys:
        if k:
            counts[k] = counts.get(k, 0) + 1
    dups = {k for k, n in counts.items() if n > 1}
    if dups:
        # The engine flags copies typed exactly alike; IDs that differ only in case or spacing are
        # flagged here (they are the same claim to a person, and to the Follow-up Log).
        spellings: dict[str, set[str]] = {}
        for i, k in enumerate(keys):
            if k in dups:
                spellings.setdefault(k, set()).add(claims[i].claim_id)
        for i, k in enumerate(keys):
            if k in dups and len(spellings[k]) > 1:
                c = claims[i]
                msg = f"Claim ID {_quote(c.claim_id)} appears {counts[k]} times — give each claim its own ID"
                claims[i] = _with(c, issues=c.issues + (msg,))
    return ReadClaims(claims, keys, dups)


def _with(claim: Claim, **changes) -> Claim:
    from dataclasses import replace

    return replace(claim, **changes)


# --------------------------------------------------------------------------------------------------
# Follow-up Log


@dataclass(frozen=True)
class LogFacts:
    last_contact: date | None
    next_date: date | None
    issues: tuple[str, ...] = ()


def read_log(block, day_first: bool = False) -> dict[str, LogFacts]:
    """Per claim key: the newest log entry's date and its Next Date (if typed)."""
    if block is None or not block.header:
        return {}
    cols = map_log_columns(block.header)
    if "Claim ID" not in cols or "Date" not in cols:
        return {}
    ci, di, ni = cols["Claim ID"], cols["Date"], cols.get("Next Date")
    first_row = getattr(block, "first_row", None)
    newest: dict[str, tuple[date, int, date | None]] = {}
    problems: dict[str, list[str]] = {}
    for n, row in enumerate(block.rows):
        key = claim_key(row[ci] if ci < len(row) else None)
        if not key:
            continue
        where = f"Follow-up Log row {first_row + n}" if first_row else "Follow-up Log"
        issues: list[str] = []
        d = parse_date(row[di] if di < len(row) else None, f"{where}: Date", issues, day_first)
        nd = parse_date(row[ni] if ni is not None and ni < len(row) else None, f"{where}: Next Date", issues,
                        day_first)
        if issues:
            problems.setdefault(key, []).extend(issues)
        if d is None:
            continue
        prev = newest.get(key)
        if prev is None or (d, n) >= (prev[0], prev[1]):
            newest[key] = (d, n, nd)
    out: dict[str, LogFacts] = {}
    for key in set(newest) | set(problems):
        d, _, nd = newest.get(key, (None, 0, None))
        out[key] = LogFacts(d, nd, tuple(problems.get(key, ())))
    return out


def apply_log(claim: Claim, facts: LogFacts | None) -> Claim:
    if facts is None:
        return claim
    changes: dict = {}
    if facts.last_contact and (claim.last_contact is None or facts.last_contact > claim.last_contact):
        changes["last_contact"] = facts.last_contact
    if facts.next_date:
        changes["next_date_override"] = facts.next_date
    if facts.issues:
        changes["issues"] = claim.issues + facts.issues
    return _with(claim, **changes) if changes else claim


# --------------------------------------------------------------------------------------------------
# Settings sheet


@dataclass(frozen=True)
class TrackerSettings:
    as_of: date | None = None  # None: today
    rules_folder: str | None = None  # None: automatic
    look_ahead_days: int | None = None  # None: rules settings
    backups_kept: int | None = None  # None: rules settings
    problems: tuple[str, ...] = ()


def _settings_values(rows: Sequence[Sequence] | None) -> dict[str, object]:
    """{normalised label: value} of the Settings rows; the first row with a label wins."""
    values: dict[str, object] = {}
    for row in rows or ():
        if not row or len(row) < 1:
            continue
        label = norm_header(row[0])
        if label and label not in values:
            values[label] = row[1] if len(row) > 1 else None
    return values


def _folder_text(value: object) -> str | None:
    return None if is_blank(value) or _error_value(value) else str(value).strip()


def rules_folder_setting(rows: Sequence[Sequence] | None) -> str | None:
    """The Settings "Rules folder" text (None: automatic). It needs no date order, so the session can
    find the rules before the other settings are read with the rules' date order."""
    return _folder_text(_settings_values(rows).get(norm_header(SETTING_RULES_FOLDER)))


def tracker_settings(rows: Sequence[Sequence] | None, day_first: bool = False) -> TrackerSettings:
    """Read the Settings sheet's [label, value] rows. Unknown labels are ignored."""
    values = _settings_values(rows)
    problems: list[str] = []

    def number(label: str, lo: int, hi: int) -> int | None:
        v = values.get(norm_header(label))
        if is_blank(v):
            return None
        try:
            n = float(str(v).strip()) if not isinstance(v, (int, float)) or isinstance(v, bool) else float(v)
            if not n.is_integer() or not (lo <= n <= hi):
                raise ValueError
            return int(n)
        except ValueError:
            problems.append(f"Settings: {label} {_quote(v)} should be a whole number from {lo} to {hi}; "
                            "the rules' value was used")
            return None

    issues: list[str] = []
    as_of = parse_date(values.get(norm_header(SETTING_AS_OF)), f"Settings: {SETTING_AS_OF}", issues, day_first)
    problems.extend(i + " (today was used)" for i in issues)
    folder = _folder_text(values.get(norm_header(SETTING_RULES_FOLDER)))
    return TrackerSettings(
        as_of=as_of,
        rules_folder=folder,
        look_ahead_days=number(SETTING_LOOK_AHEAD, 0, 365),
        backups_kept=number(SETTING_BACKUPS, 0, 50),
        problems=tuple(problems),
    )


# --------------------------------------------------------------------------------------------------
# Results -> cell values


def computed_row(result) -> list:
    """The computed columns of one claim, as the user sees them (order of ``COMPUTED_COLUMNS``)."""
    r = result
    return [
        r.age,
        r.bucket or None,
        clean_text(r.next_action) if r.next_action else None,
        r.follow_up,
        r.days_overdue if r.days_overdue else (0 if r.needs_action and r.follow_up else None),
        r.tf_deadline,
        None if r.tf_risk in (Risk.MET, Risk.PROOF) else r.tf_days_left,  # filed in time: the days left no longer matter
        r.tf_risk.value if r.tf_risk is not None else None,
        r.appeal_deadline,
        round(r.underpaid, 2) if r.underpaid else None,
        r.priority if r.priority else None,
        clean_text(r.why) if r.why else None,
        clean_text("; ".join(r.data_issues)) if r.data_issues else None,
    ]


BLANK_COMPUTED: tuple = (None,) * len(COMPUTED_COLUMNS)


def merged_issues(claim: Claim, result) -> tuple[str, ...]:
    """The claim's reading problems and the engine's, once each, reading problems first."""
    seen: dict[str, None] = {}
    for msg in (*claim.issues, *getattr(result, "data_issues", ())):
        seen.setdefault(msg, None)
    return tuple(seen)


def worklist_rows(pairs: Sequence[tuple[Claim, object]], as_of: date, look_ahead_days: int) -> list[list]:
    """Open actions due on or before as-of + look-ahead, most urgent first (``WORKLIST_COLUMNS``)."""
    horizon = as_of + timedelta(days=max(0, look_ahead_days))
    due = [(c, r) for c, r in pairs
           if r.is_open and r.needs_action and r.follow_up is not None and r.follow_up <= horizon]
    due.sort(key=lambda cr: (cr[1].priority if cr[1].priority > 0 else 10**9, -cr[1].score, cr[1].follow_up,
                             claim_key(cr[0].claim_id)))
    rows = []
    for c, r in due:
        rows.append([
            r.priority or None,
            c.claim_id,
            c.patient or None,
            c.payer or r.payer_name,
            clean_text(r.next_action) if r.next_action else None,
            r.follow_up,
            r.days_overdue or 0,
            round(r.at_stake, 2),
            r.tf_risk.value if r.tf_risk is not None else None,
            r.appeal_deadline,
            clean_text(r.why) if r.why else None,
        ])
    return rows


_DENIED = {Status.DENIED, Status.APPEALED}


def follow_ups_due(results: Iterable, as_of: date) -> tuple[int, int]:
    """(due today, overdue): open claims needing an action whose follow-up date is as-of, or before it.
    The one count the Dashboard's tiles and the refresh's summary line both show."""
    due_today = overdue = 0
    for r in results:
        if r.is_open and r.needs_action and r.follow_up is not None:
            if r.follow_up == as_of:
                due_today += 1
            elif r.follow_up < as_of:
                overdue += 1
    return due_today, overdue


def ar_over_days(bucket_edges: Sequence[int]) -> tuple[int, int]:
    """The ages of the Dashboard's two "AR over N days" tiles: the upper ends of the last two aging
    buckets (90 and 120 with the usual 0-30 ... 120+ buckets), so the tiles always match the buckets."""
    edges = sorted(bucket_edges) or [90, 120]
    return (edges[-2] if len(edges) > 1 else edges[-1]), edges[-1]


def dashboard(pairs: Sequence[tuple[Claim, object]], bucket_labels: Sequence[str], as_of: date,
              over_days: tuple[int, int] = (90, 120)):
    """Open AR by payer and aging bucket, and the KPIs (``over_days``: the two "AR over N days" tiles)."""
    from claimbook.blocks import Dashboard, Kpi

    buckets = list(bucket_labels)
    index = {b: i for i, b in enumerate(buckets)}
    by_payer: dict[str, tuple[list[float], list[int]]] = {}
    open_ar = over_a = over_b = risk_dollars = underpaid = unbilled = 0.0
    days_a, days_b = over_days
    submitted = denied = 0
    due_today, overdue = follow_ups_due((r for _, r in pairs), as_of)
    for c, r in pairs:
        billed = c.status is not Status.NOT_SUBMITTED
        if billed:
            submitted += 1
            denied += c.status in _DENIED
        underpaid += r.underpaid or 0.0
        if not r.is_open:
            continue
        stake = r.at_stake or 0.0
        if r.tf_risk in (Risk.CRITICAL, Risk.HIGH):
            risk_dollars += stake
        if not billed:  # A/R is money owed on billed claims (domain.md s7); unbilled work is on the Worklist
            unbilled += stake
            continue
        open_ar += stake
        if r.age is not None and r.age > days_a:
            over_a += stake
        if r.age is not None and r.age > days_b:
            over_b += stake
        name = r.payer_name if r.payer_key != "default" else (" ".join(c.payer.split()) or r.payer_name)
        dollars, counts = by_payer.setdefault(name, ([0.0] * len(buckets), [0] * len(buckets)))
        i = index.get(r.bucket)
        if i is not None:
            dollars[i] += stake
            counts[i] += 1
    payers = sorted(by_payer, key=lambda p: (-sum(by_payer[p][0]), p.lower()))
    kpis = [
        Kpi("Open AR", round(open_ar, 2), "money",
            f"owed on billed claims; ${unbilled:,.2f} more not billed yet" if unbilled else "owed on billed claims"),
        Kpi(f"AR over {days_a} days", (over_a / open_ar) if open_ar else None, "percent", "share of open AR dollars"),
        Kpi(f"AR over {days_b} days", (over_b / open_ar) if open_ar else None, "percent", "share of open AR dollars"),
        Kpi("Denial rate", (denied / submitted) if submitted else None, "percent",
            "denied or appealed, among submitted claims"),
        Kpi("Follow-ups due today", due_today, "count"),
        Kpi("Follow-ups overdue", overdue, "count"),
        Kpi("At Critical/High filing risk", round(risk_dollars, 2), "money", "open dollars"),
        Kpi("Underpaid", round(underpaid, 2), "money", "below the expected amount, beyond tolerance"),
    ]
    return Dashboard(
        buckets=buckets,
        payers=payers,
        dollars=[[round(x, 2) for x in by_payer[p][0]] for p in payers],
        counts=[by_payer[p][1] for p in payers],
        kpis=kpis,
        unbilled=round(unbilled, 2),
    )


def payers_rows(rules, as_of: date) -> list[list]:
    """The effective rules per payer on ``as_of``, as the engine sees them (``PAYERS_COLUMNS``)."""
    from claimbook.rules.schema import version_at

    rows = []
    for p in (*rules.payers, rules.default):
        tf = version_at(p.timely_filing, as_of)
        fu = version_at(p.follow_up, as_of) if p.follow_up else None
        ap = version_at(p.appeal, as_of) if p.appeal else None
        up = version_at(p.underpayment, as_of) if p.underpayment else None
        cited = [tf.cited] + [x.cited for x in (fu, ap, up) if x is not None]
        if p.corrected_claim:
            cited.append(version_at(p.corrected_claim, as_of).cited)
        sources = list(dict.fromkeys(c.source for c in cited if c.source))
        notes = list(dict.fromkeys(("Contested: " if c.contested else "") + c.note
                                   for c in cited if c.note or c.contested))
        contact = p.contact.how()
        if p.contact.notes:
            contact = f"{contact}; {p.contact.notes}" if contact else p.contact.notes
        tol = ""
        if up is not None:
            tol = f"${up.tolerance_amount:,.2f} or {up.tolerance_percent:g}% (larger)"
        rows.append([
            p.name,
            p.file,
            ", ".join(p.names),
            ", ".join(p.payer_ids),
            str(tf.in_network),
            str(tf.out_of_network),
            tf.anchor.value,
            tf.institutional_anchor.value,
            tf.secondary_anchor.value + (f" ({tf.secondary_limit})" if tf.secondary_limit else ""),
            "yes" if tf.roll_to_business_day else "no",
            f"{fu.first_check_electronic} days" if fu else None,
            f"{fu.first_check_paper} days" if fu else None,
            f"{fu.recheck_every} days" if fu else None,
            f"{fu.expected_adjudication} days" if fu else None,
            str(ap.window) if ap else None,
            f"{ap.receipt_presumption} days" if ap else None,
            tol or None,
            contact or None,
            "; ".join(sources) or None,
            " | ".join(notes) or None,
        ])
    return rows


# --------------------------------------------------------------------------------------------------
# Imported values -> cell values


INPUT_BY_HEADER: dict[str, Column] = {c.header: c for c in INPUT_COLUMNS}
INPUT_BY_FIELD: dict[str, Column] = {c.field: c for c in INPUT_COLUMNS}


def typed_cell(col: Column, raw: object, day_first: bool = False) -> tuple[object, str | None]:
    """The value to store in an input column for an imported value, and the problem if it cannot be read.

    Dates become dates, amounts numbers, statuses and choices their canonical labels ("Paid", "In"),
    denial codes the canonical text ("CO-16 MA130; PR-2"). Blank gives (None, None).
    """
    if is_blank(raw):
        return None, None
    if hasattr(raw, "value") and isinstance(getattr(raw, "value"), str):  # an enum such as Status.PAID
        raw = raw.value
    if isinstance(raw, (list, tuple)):  # denial codes as records
        raw = "; ".join(str(x) for x in raw)
    issues: list[str] = []
    kind = col.kind
    value: object
    if kind == "date":
        value = parse_date(raw, col.header, issues, day_first)
    elif kind == "money":
        value = parse_money(raw, col.header, issues)
    elif kind == "status":
        value = parse_status(raw, col.header, issues, False).value
    elif kind == "denials":
        codes = parse_denials(raw, col.header, issues)
        value = "; ".join(str(c) for c in codes) or None
    elif kind in _ENUM_TABLES:
        e = parse_choice(raw, kind, col.header, issues)
        value = e.value if e is not None else None
    else:
        value = parse_text(raw, col.header, issues) or None
        if isinstance(value, str):
            value = clean_text(value)
    if issues:
        return None, issues[0]
    return value, None


def same_cell(col: Column, old: object, new: object, day_first: bool = False) -> bool:
    """Whether an existing cell already holds ``new`` (compared as claimbook reads both)."""
    if is_blank(old):
        return is_blank(new)
    old_typed, problem = typed_cell(col, old, day_first)
    if problem:
        return False
    if isinstance(old_typed, float) and isinstance(new, float):
        return abs(old_typed - new) < 0.005
    if col.kind in ("id", "text") and isinstance(old_typed, str) and isinstance(new, str):
        return old_typed == new.strip()
    return old_typed == new


def claim_to_row(claim: Claim) -> list:
    """A claim as the values of ``INPUT_COLUMNS`` (for sample trackers, exports and tests)."""
    out = []
    for col in INPUT_COLUMNS:
        v = getattr(claim, col.field)
        if col.kind == "denials":
            v = "; ".join(str(c) for c in v) or None
        elif hasattr(v, "value"):  # enums
            v = v.value
        elif col.kind == "money" and col.field != "expected" and v == 0.0:
            v = None if col.field != "billed" else v
        elif v == "":
            v = None
        out.append(v)
    return out
