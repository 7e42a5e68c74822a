"""One cell's value: blanks, text safe for Excel, dates (serials, text, two-digit years), money,
status words, choices and denial codes. Every problem becomes a message on the claim's issues.
"""

from __future__ import annotations

import difflib
import math
import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Iterable

from claimbook.model import STATUS_SYNONYMS, Channel, ClaimType, DenialCode, Network, Order, Status


ERROR_VALUES = frozenset({"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!",
                          "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!"})


EXCEL_TEXT_LIMIT = 32767


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
    if not text.isprintable():  # (a quick test first: most texts have nothing to take out)
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
