"""Load a rules folder into typed records (``schema.py``), with every problem located and explained.

A rules folder holds::

    settings.yaml        how claims are aged, warned about and ranked
    denials.yaml         what to do about each denial code (group + CARC, optionally RARCs)
    payers/default.yaml  rules for any payer without a file of its own (required)
    payers/<key>.yaml    one file per payer; the file name (without .yaml) is the payer's key

Every value is read as text (``yamlread``) and converted here, so ``00123`` stays a payer ID and ``NO``
stays text. Problems are collected, never raised one at a time: ``check_rules`` returns them all, sorted
by file and line, and ``load_rules`` raises ``RulesError`` with every error when there is at least one.

Payer files have the sections ``timely_filing``, ``corrected_claim``, ``follow_up``, ``appeal`` and
``underpayment``. ``default.yaml`` must have all five. **Any other payer file may leave a section out: it
then inherits that whole section (every version) from default.yaml**, and the inherited records keep
default.yaml's file and line, so an explanation cites the file the rule really came from. There is no
inheritance of single settings inside a section: a section that is written is complete on its own.

A section is one group of settings, or a list of groups (versions) with different ``effective_from``
dates; the versions are stored newest first and the engine picks the one in force on the date of
service. Each version needs ``source`` and ``effective_from``; it may say ``contested: yes`` with a
``note:`` when sources disagree (a contested version without a note is a warning).

Every number has an upper bound (``MAX_*`` below: 10 years for any length of time or number of days, with
tighter ones where the workbook has them), so a typing mistake such as ``9999 years`` is reported here
instead of overflowing the date arithmetic later. A file with nothing but comments is reported as empty:
an error for denials.yaml and payer files, a warning for settings.yaml (every setting has a built-in value).

All message wording is in ``MESSAGES`` below, keyed by problem kind; each reads
``file:line: what is wrong. What was expected. How to fix it.``
"""

from __future__ import annotations

import functools
import re
from datetime import date
from pathlib import Path
from typing import Callable

import claimbook
from claimbook.errors import RulesError
from claimbook.model import Problem, Source
from claimbook.planning import KINDS, PACE_EXAMPLES, Pace, PaceError, parse_pace
from claimbook.rules.schema import (
    AgingBasis,
    Anchor,
    Appeal,
    Cited,
    Contact,
    CorrectedClaim,
    DenialRule,
    Denials,
    FollowUp,
    PayerRules,
    Period,
    PriorityWeights,
    Rules,
    Settings,
    TimelyFiling,
    Underpayment,
)
from claimbook.rules.yamlread import SYNTAX_MESSAGES, Map, Seq, Text, read_yaml_file
from claimbook.suggest import did_you_mean

# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------

#: What kind of work a denial is; denials.yaml ``category:`` must be one of these.
CATEGORIES = (
    "patient_resp", "no_action", "underpayment_check", "cob", "correct_resubmit", "credentialing",
    "coding_review", "status_check", "eligibility", "timely_filing", "appeal", "auth", "noncovered",
    "bundling", "records_request", "patient_followup", "refund_review", "review",
)
PAYER_KINDS = ("medicare", "medicare_advantage", "medicaid", "commercial", "tricare")
GROUP_CODES = ("CO", "PR", "OA", "PI", "CR")
SECTIONS = ("timely_filing", "corrected_claim", "follow_up", "appeal", "underpayment")
HOLIDAY_YEARS = range(2000, 2046)

# Upper bounds: far beyond any real rule (the longest shipped limit is 27 months), and small enough that no
# date arithmetic overflows. Each is stated in its message.
MAX_DAYS = 3650  # 10 years: any number of days (follow-up, re-checks, risk thresholds, bucket edges...)
MAX_MONTHS = 120  # 10 years: any length of time (timely filing, corrected claims, appeal windows)
MAX_LOOK_AHEAD_DAYS = 365  # the Settings sheet's limit for the same setting (table.read_settings)
MAX_BACKUPS = 50  # the Settings sheet's limit for the same setting
MAX_WEIGHT = 100.0  # priority weights (the shipped ones are 0.5 to 3)
MAX_TOLERANCE = 10_000.0  # dollars of underpayment ignored
MAX_MINUTES_PER_ACTION = 480  # a whole working day for one claim
MAX_BUCKET_EDGES = 7  # 8 aging buckets: what the Dashboard has columns for (sheets.MAX_BUCKETS)

# Common spellings, lower case with single spaces (after "-", "_" and "/" become spaces).
ANCHOR_WORDS = {
    Anchor.DOS: ("date of service", "dos", "service date", "from date", "date of service from"),
    Anchor.THROUGH: ("through date", "through", "thru", "thru date", "discharge date", "date of service through"),
    Anchor.PRIMARY_EOB: ("primary eob date", "primary eob", "eob date", "primary eob era date", "primary era date",
                         "primary payer eob date", "primary remittance date"),
    Anchor.REMIT: ("remittance date", "remit date", "remit", "remittance", "era date", "denial date", "eob"),
}
BASIS_WORDS = {
    AgingBasis.DOS: ("date of service", "dos", "service date"),
    AgingBasis.SUBMITTED: ("submission date", "submitted", "submission", "date submitted", "submit date",
                           "submitted date"),
}
ORDER_WORDS = {False: ("month first", "mdy", "us", "m d y"), True: ("day first", "dmy", "d m y")}
YES = ("yes", "true", "y", "on")
NO = ("no", "false", "n", "off")

# --------------------------------------------------------------------------------------------------
# Every message, keyed by problem kind. Read: "file:line: " + message.
# "expect_*" entries are phrases used inside the others ({expect_period} and so on).
# --------------------------------------------------------------------------------------------------

MESSAGES: dict[str, str] = {
    **SYNTAX_MESSAGES,
    # What each kind of value looks like (used by empty_value, not_a_value and missing_key).
    "expect_text": "some text",
    "expect_period": "a number and a unit, such as '90 days', '12 months', '1 year' or "
    "'6 months after the month of service'",
    "expect_days": "a whole number of days, such as '14 days' or '14'",
    "expect_yesno": "yes or no",
    "expect_date": "a date written year-month-day, such as 2024-01-01",
    "expect_anchor": "one of: date of service, through date, primary eob date, remittance date",
    "expect_money": "an amount in dollars, such as 1.00 or $1",
    "expect_percent": "a percent from 0 to 100, such as 2 or 2%",
    "expect_number": "a number of 0 or more, such as 1.0",
    "expect_count": "a whole number, such as 5",
    "expect_urgency": "a whole number from 1 (low) to 5 (work first)",
    "expect_edges": "whole numbers of days that go up, such as 30, 60, 90, 120",
    "expect_choice": "one of: {choices}",
    "expect_names": "a list of names, one per line starting with '- '",
    "expect_pace": "a number of claims or a time, such as " + PACE_EXAMPLES,
    "expect_minutes": "a whole number of minutes from 1 to 480, such as '10' or '10 minutes'",
    # Folders and files
    "no_folder": "the rules folder does not exist. Expected a folder with settings.yaml, denials.yaml and "
    "a payers folder. Check the folder name, or create one with 'claimbook init'.",
    "missing_file": "the file is missing. Every rules folder needs settings.yaml, denials.yaml and "
    "payers/default.yaml. Copy it from the built-in rules with 'claimbook init'.",
    "folder_not_file": "this is a folder, not a file. Expected a text file of rules named {name}. Rename the "
    "folder, then copy {name} from the built-in rules with 'claimbook init'.",
    "folder_in_payers": "this is a folder, not a file. Expected only payer files (text files ending in .yaml) in "
    "the payers folder. Rename the folder so its name does not end in .yaml, or move it out of the payers folder.",
    "payers_not_folder": "this is a file, not a folder. Expected a folder named payers holding default.yaml and "
    "one file per payer. Rename the file, then copy the payers folder from the built-in rules with "
    "'claimbook init'.",
    "empty_settings": "the file is empty, so every setting has its built-in value. Expected settings such as "
    "'aging:' and 'timely_filing_risk:' with their values indented under them. Copy settings.yaml from the "
    "built-in rules with 'claimbook init' to get them back, or ignore this warning if the built-in values suit you.",
    "empty_denials": "the file is empty. Expected 'unknown_code:' and 'codes:', with what to do for each denial "
    "code. Copy denials.yaml from the built-in rules with 'claimbook init'.",
    "empty_default": "the file is empty. Expected the rules for any payer without a file of its own, with all of "
    "timely_filing, corrected_claim, follow_up, appeal and underpayment. Copy default.yaml from the built-in "
    "rules with 'claimbook init'.",
    "empty_payer": "the file is empty. Expected the payer's name, the names it goes by under 'match:', and the "
    "rules that differ from default.yaml. Write them (start from a copy of another payer file), or delete the "
    "file.",
    "not_settings": "the file holds no settings. Expected lines written 'name: value', with sections "
    "indented under them. Compare it with the same file in the built-in rules.",
    # Keys
    "unknown_key_suggest": "'{key}' is not a setting in {place}. Did you mean '{suggestion}'? "
    "Valid settings: {valid}.",
    "unknown_key": "'{key}' is not a setting in {place}. Valid settings: {valid}. Check the spelling, "
    "or delete the line.",
    "missing_key": "{place} has no '{key}'. Expected {expected}. Add a line '{key}: {example}' to {place}.",
    "missing_cited": "{place} has no '{key}'. Every limit needs a source and an effective date so the "
    "office can check it. Add a line '{key}: {example}' to {place}.",
    "missing_section": "the default rules have no '{key}' section. default.yaml covers every payer without "
    "a file of its own, so it needs all of {sections}. Add a '{key}:' section (copy it from the built-in "
    "default.yaml).",
    # Shapes
    "empty_value": "'{key}' has no value. Expected {expected}. Write the value after the colon, for example "
    "'{key}: {example}'.",
    "not_a_value": "'{key}' has lines indented under it, but it takes a single value. Expected {expected}. "
    "Write the value on the same line, after '{key}:'.",
    "not_a_section": "'{key}' is '{found}', but it is a section. Expected its settings on the lines below, "
    "indented by two spaces. Write '{key}:' alone on its line with the settings indented under it.",
    "empty_section": "'{key}' has no settings under it. Expected its settings on the lines below, indented by "
    "two spaces. Indent the settings that belong to '{key}' under it.",
    "not_a_list": "'{key}' has settings indented under it, but it is a list. Expected {expected}. "
    "Write each item on its own line starting with '- '.",
    "bad_version": "item {n} of '{key}' is not a group of settings. Expected each version of {key} to be "
    "settings such as 'limit: 90 days' after the '- '. Compare it with a payer that has versions.",
    # Values
    "bad_period": "'{key}' is '{found}', which is not a length of time. Expected {expect_period}. {fix}",
    "fix_period_unit": "Write the unit in full: '{guess}'.",
    "fix_period": "Write a number, a space, then days, months or years.",
    "zero_period": "'{key}' is '{found}', which is no time at all. Expected a length of more than 0. "
    "Write the payer's limit, such as '90 days'.",
    "long_period": "'{key}' is '{found}', which is longer than 10 years. Expected a length of at most 10 years "
    "(120 months or 3650 days); no payer's limit is that long. Check the number for a typing mistake.",
    "too_many_days": "'{key}' is '{found}', which is too many days. Expected a whole number of days from 0 to "
    "{most}. Check the number for a typing mistake.",
    "too_large": "'{key}' is '{found}', which is too large. Expected {what} from 0 to {most}. "
    "Check the number for a typing mistake.",
    "what_count": "a whole number",
    "what_number": "a number",
    "what_money": "an amount in dollars",
    "most_days": "3650 (10 years)",
    "most_look_ahead": "365 (a year)",
    "bad_days": "'{key}' is '{found}', which is not a number of days. Expected {expect_days}. "
    "Write a whole number, optionally followed by 'days'.",
    "bad_yesno": "'{key}' is '{found}', which is not yes or no. Expected yes or no (true and false also "
    "work). Write '{key}: yes' or '{key}: no'.",
    "bad_date": "'{key}' is '{found}', which is not a date. Expected a real date written year-month-day, "
    "such as 2024-01-01 (3/15/2024 also works). Correct the date.",
    "bad_anchor": "'{key}' is '{found}', which is not a date a limit can count from. Expected {expect_anchor}. "
    "{hint}",
    "bad_choice": "'{key}' is '{found}', which is not one of the choices. Expected one of: {choices}. {hint}",
    "hint_suggest": "Did you mean '{suggestion}'?",
    "hint_none": "Write one of these.",
    "hint_calendar": "Write US for US federal holidays, or none for weekends only.",
    "bad_money": "'{key}' is '{found}', which is not an amount of money. Expected {expect_money}. "
    "Write the amount without other words.",
    "bad_percent": "'{key}' is '{found}', which is not a percent. Expected {expect_percent}. "
    "Write the number alone or with %.",
    "bad_number": "'{key}' is '{found}', which is not a number. Expected {expect_number}. "
    "Write the number alone.",
    "bad_count": "'{key}' is '{found}', which is not a whole number. Expected {expect_count}. "
    "Write the number alone.",
    "bad_urgency": "'{key}' is '{found}', which is not an urgency. Expected {expect_urgency}. "
    "Write a number from 1 to 5.",
    "bad_edges": "'{key}' is '{found}', which is not a list of days that goes up. Expected {expect_edges}, "
    "each larger than the one before. Write the numbers in increasing order, separated by commas.",
    "many_edges": "'{key}' is '{found}', which is more than 7 numbers. Expected at most 7, for the 8 age buckets "
    "the Dashboard has room for. Delete some of the numbers.",
    "large_edges": "'{key}' is '{found}', which goes past 3650 days (10 years). Expected {expect_edges}, each at "
    "most 3650. Check the numbers for a typing mistake.",
    "risk_order": "critical_days ({critical}), high_days ({high}) and watch_days ({watch}) are not in order. "
    "Expected critical_days smaller than high_days, and high_days smaller than watch_days. "
    "Change the numbers so they go up.",
    "bad_pace": "'{key}' is '{found}', which is not an amount of work for a day. Expected {expect_pace}: "
    "from 1 to 10000 claims, or at most 24 hours. Write a number followed by claims, minutes or hours.",
    "bad_minutes": "'{key}' is '{found}', which is not a number of minutes. Expected {expect_minutes}. "
    "Write the minutes one claim of this kind usually takes.",
    "bad_calendar": "'{key}' is '{found}', which is not a holiday calendar claimbook knows. Expected a "
    "country code such as US, or none. {hint}",
    "bad_subdivision": "'{key}' is '{found}', which is not a part of {country} with its own holidays. "
    "Expected one of: {choices}. {hint}",
    # Sections and versions
    "same_effective_date": "{place} has two versions that start on {date} (the other is on line {other}). "
    "Expected each version to start on a different date. Change one effective_from, or delete one version.",
    "future_effective": "{place} starts on {date}, which is in the future. Until then the older version "
    "(or this one, if there is no older one) applies. Check the date; leave it if the payer announced "
    "the change.",
    "contested_no_note": "{place} is marked contested but has no note. Expected a note saying which sources "
    "disagree and why this value was chosen. Add a line 'note: ...' to {place}.",
    # Payers
    "duplicate_name": "payer name '{value}' is also in {other}:{other_line}. Each name may belong to one "
    "payer file only, or claims could match either. Delete it from one of the two files.",
    "duplicate_id": "payer ID '{value}' is also in {other}:{other_line}. Each payer ID may belong to one "
    "payer file only, or claims could match either. Delete it from one of the two files.",
    "no_match": "this payer has no names and no payer IDs under 'match:', so no claim will use it. "
    "Expected the names (or payer IDs) the payer goes by in your practice system. "
    "Add them under 'match:' as 'names:' and 'payer_ids:' lists.",
    # Denials
    "bad_code": "'{code}' is not a denial code. Expected a group code and a reason code such as CO-50, "
    "a remark code after a space (CO-16 MA130), or a reason code alone (18); groups are CO, PR, OA, PI "
    "and CR. Write the code the way the remittance shows it.",
    "duplicate_code": "'{code}' is listed twice (first on line {first}). Each code may appear once. "
    "Delete one of the two entries.",
}


def _message(kind: str, **kw) -> str:
    expects = {k: v for k, v in MESSAGES.items() if k.startswith("expect_")}
    return MESSAGES[kind].format(**{**expects, **kw})


# --------------------------------------------------------------------------------------------------
# Problem collection
# --------------------------------------------------------------------------------------------------


class _Bad(Exception):
    """A value could not be converted; ``kind`` and ``kw`` pick and fill the message."""

    def __init__(self, kind: str, **kw):
        super().__init__(kind)
        self.kind, self.kw = kind, kw


class _File:
    """The problems found in one file."""

    def __init__(self, name: str, problems: list[Problem]):
        self.name, self.problems, self.errors = name, problems, 0

    def error(self, line: int | None, kind: str, **kw) -> None:
        self.errors += 1
        self.problems.append(Problem(Source(self.name, line), _message(kind, **kw)))

    def warn(self, line: int | None, kind: str, **kw) -> None:
        self.problems.append(Problem(Source(self.name, line), _message(kind, **kw), "warning"))


def _line(node, default: int | None = None) -> int | None:
    return getattr(node, "line", None) or default


# --------------------------------------------------------------------------------------------------
# Value converters: text in, value out, or raise _Bad. ``expect`` names the MESSAGES "expect_*" phrase.
# --------------------------------------------------------------------------------------------------


def _words(text: str) -> str:
    return " ".join(re.sub(r"[-_/]", " ", text.lower()).split())


_PERIOD = re.compile(r"^(\d+)\s*(day|days|week|weeks|month|months|year|years)$")
_UNIT_ABBREVIATIONS = {
    **dict.fromkeys(("d", "dy", "dys", "ds"), "days"),
    **dict.fromkeys(("w", "wk", "wks"), "weeks"),
    **dict.fromkeys(("m", "mo", "mos", "mon", "mons", "mth", "mths", "mnth", "mnths"), "months"),
    **dict.fromkeys(("y", "yr", "yrs", "ys"), "years"),
}
_MONTH_END = re.compile(r"^(\d+)\s*months?\s+after\s+(?:the\s+)?(?:end\s+of\s+the\s+)?month\s+of\s+service$")


def _whole(digits: str) -> int:
    """``int(digits)``, without Python's 4300-digit refusal: any number that long is far too large anyway."""
    return int(digits) if len(digits) <= 15 else 10 ** 15


def to_period(text: str) -> Period:
    t = " ".join(text.lower().split())
    m = _MONTH_END.match(t)
    if m:
        p = Period(months=_whole(m.group(1)), month_end=True)
    else:
        m = _PERIOD.match(t)
        if not m:
            g = re.match(r"^(\d+)\s*([a-z]+)\.?$", t)
            unit = _UNIT_ABBREVIATIONS.get(g.group(2)) if g else None
            if unit:
                raise _Bad("bad_period", fix=_message("fix_period_unit", guess=f"{g.group(1)} {unit}"))
            raise _Bad("bad_period", fix=_message("fix_period"))
        n, unit = _whole(m.group(1)), m.group(2)
        p = {"d": Period(days=n), "w": Period(days=7 * n), "m": Period(months=n), "y": Period(months=12 * n)}[unit[0]]
    if not (p.days or p.months):
        raise _Bad("zero_period")
    if p.days > MAX_DAYS or p.months > MAX_MONTHS:
        raise _Bad("long_period")
    return p


def to_days(text: str, most: int = MAX_DAYS, most_kind: str = "most_days") -> int:
    m = re.match(r"^(\d+)(?:\s*(?:day|days))?$", " ".join(text.lower().split()))
    if not m:
        raise _Bad("bad_days")
    n = _whole(m.group(1))
    if n > most:
        raise _Bad("too_many_days", most=_message(most_kind))
    return n


def to_look_ahead(text: str) -> int:
    return to_days(text, MAX_LOOK_AHEAD_DAYS, "most_look_ahead")


def to_pace(text: str) -> Pace:
    try:
        return parse_pace(text)
    except PaceError:
        raise _Bad("bad_pace") from None


def to_minutes(text: str) -> int:
    m = re.match(r"^(\d+)(?:\s*(?:minutes?|mins?))?$", " ".join(text.lower().split()))
    if not m or not 1 <= _whole(m.group(1)) <= MAX_MINUTES_PER_ACTION:
        raise _Bad("bad_minutes")
    return int(m.group(1))


def to_yesno(text: str) -> bool:
    t = text.strip().lower()
    if t in YES:
        return True
    if t in NO:
        return False
    raise _Bad("bad_yesno")


def to_date(text: str) -> date:
    t = text.strip()
    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", t)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", t)
        if not m:
            raise _Bad("bad_date")
        mo, d, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return date(y, mo, d)
    except ValueError:
        raise _Bad("bad_date") from None


def _word_choice(table: dict, bad_kind: str) -> Callable[[str], object]:
    lookup = {w: value for value, words in table.items() for w in words}
    canonical = [words[0] for words in table.values()]

    def convert(text: str):
        hit = lookup.get(_words(text))
        if hit is None:
            suggestion = did_you_mean(_words(text), canonical)
            hint = _message("hint_suggest", suggestion=suggestion) if suggestion else _message("hint_none")
            raise _Bad(bad_kind, choices=", ".join(canonical), hint=hint)
        return hit

    return convert


to_anchor = _word_choice(ANCHOR_WORDS, "bad_anchor")
to_basis = _word_choice(BASIS_WORDS, "bad_choice")
to_day_first = _word_choice(ORDER_WORDS, "bad_choice")


def choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def convert(text: str) -> str:
        t = _words(text).replace(" ", "_")
        if t in options:
            return t
        suggestion = did_you_mean(t, options)
        hint = _message("hint_suggest", suggestion=suggestion) if suggestion else _message("hint_none")
        raise _Bad("bad_choice", choices=", ".join(options), hint=hint)

    return convert


def to_money(text: str) -> float:
    t = text.strip().replace(",", "")
    m = re.match(r"^\$?\s*(\d+(?:\.\d*)?|\.\d+)$", t)
    if not m:
        raise _Bad("bad_money")
    if float(m.group(1)) > MAX_TOLERANCE:
        raise _Bad("too_large", what=_message("what_money"), most=f"${MAX_TOLERANCE:,.0f}")
    return float(m.group(1))


def to_percent(text: str) -> float:
    m = re.match(r"^(\d+(?:\.\d*)?|\.\d+)\s*%?$", text.strip())
    if not m or float(m.group(1)) > 100:
        raise _Bad("bad_percent")
    return float(m.group(1))


def to_number(text: str) -> float:
    m = re.match(r"^(\d+(?:\.\d*)?|\.\d+)$", text.strip())
    if not m:
        raise _Bad("bad_number")
    if float(m.group(1)) > MAX_WEIGHT:
        raise _Bad("too_large", what=_message("what_number"), most=f"{MAX_WEIGHT:g}")
    return float(m.group(1))


def to_count(text: str) -> int:
    if not re.match(r"^\d+$", text.strip()):
        raise _Bad("bad_count")
    n = _whole(text.strip())
    if n > MAX_BACKUPS:  # backups_kept is the only count
        raise _Bad("too_large", what=_message("what_count"), most=str(MAX_BACKUPS))
    return n


def to_urgency(text: str) -> int:
    t = text.strip()
    if not re.match(r"^[1-5]$", t):
        raise _Bad("bad_urgency")
    return int(t)


def to_text(text: str) -> str:
    return " ".join(text.split())


def to_edges(value) -> tuple[int, ...]:
    items = [str(v).strip() for v in value] if isinstance(value, list) else str(value).split(",")
    items = [i for i in (s.strip() for s in items) if i]
    if not items or not all(re.match(r"^\d+$", i) for i in items):
        raise _Bad("bad_edges")
    edges = tuple(_whole(i) for i in items)
    if edges[0] <= 0 or any(b <= a for a, b in zip(edges, edges[1:])):
        raise _Bad("bad_edges")
    if len(edges) > MAX_BUCKET_EDGES:
        raise _Bad("many_edges")
    if edges[-1] > MAX_DAYS:
        raise _Bad("large_edges")
    return edges


class Field:
    """One setting: how to convert it, whether it is required, and an example for messages."""

    def __init__(self, convert, expect: str, example: str, required: bool = False, cited: bool = False,
                 allow_empty: bool = False, takes_list: bool = False, choices=()):
        self.convert, self.expect, self.example = convert, expect, example
        self.required, self.cited, self.allow_empty, self.takes_list = required, cited, allow_empty, takes_list
        self.choices = tuple(choices)

    def expected(self) -> str:
        """The MESSAGES phrase for what this setting takes, e.g. 'a whole number of days, such as ...'."""
        return _message(f"expect_{self.expect}", choices=", ".join(self.choices))


def _convert(f: _File, key: Text, value, field: Field, place: str):
    """Convert one value; report and return _INVALID when it cannot be."""
    if isinstance(value, Map) or (isinstance(value, Seq) and not field.takes_list):
        f.error(_line(key), "not_a_value", key=str(key), expected=field.expected())
        return _INVALID
    if not isinstance(value, Seq) and not str(value).strip() and not field.allow_empty:
        f.error(_line(value, _line(key)), "empty_value", key=str(key), expected=field.expected(),
                example=field.example)
        return _INVALID
    try:
        return field.convert(value)
    except _Bad as bad:
        found = ", ".join(value) if isinstance(value, Seq) else str(value).strip()
        if len(found) > 60:  # a pasted paragraph or a row of 9s: enough to recognise it
            found = found[:57].rstrip() + "..."
        f.error(_line(value, _line(key)), bad.kind, key=str(key), found=found, **bad.kw)
        return _INVALID


_INVALID = object()


def _read_fields(f: _File, node, key: Text | None, place: str, fields: dict[str, Field]) -> dict | None:
    """Check a group of settings; return {name: value} for those present, or None if any was wrong."""
    if not isinstance(node, Map):
        if key is not None and not isinstance(node, Seq) and not str(node).strip():
            f.error(_line(key), "empty_section", key=str(key))
        elif key is not None:
            found = ", ".join(node) if isinstance(node, Seq) else str(node)
            f.error(_line(key), "not_a_section", key=str(key), found=found)
        else:
            f.error(_line(node, 1), "not_settings")
        return None
    errors_before, out = f.errors, {}
    for k, v in node.items():
        if k not in fields:
            _unknown(f, k, place, list(fields))
            continue
        value = _convert(f, k, v, fields[k], place)
        if value is not _INVALID:
            out[str(k)] = value
    start = _line(key) if key is not None else _line(node, 1)
    for name, field in fields.items():
        if field.required and name not in node:
            expected = field.expected()
            f.error(start, "missing_cited" if field.cited else "missing_key", place=place, key=name,
                    expected=expected, example=field.example)
    return out if f.errors == errors_before else None


def _unknown(f: _File, key: Text, place: str, valid: list[str]) -> None:
    suggestion = did_you_mean(str(key), valid)
    if suggestion:
        f.error(_line(key), "unknown_key_suggest", key=str(key), place=place, suggestion=suggestion,
                valid=", ".join(valid))
    else:
        f.error(_line(key), "unknown_key", key=str(key), place=place, valid=", ".join(valid))


# --------------------------------------------------------------------------------------------------
# settings.yaml
# --------------------------------------------------------------------------------------------------

SETTINGS_FIELDS: dict[str, dict[str, Field]] = {
    "aging": {
        "basis": Field(to_basis, "choice", "date of service", choices=[w[0] for w in BASIS_WORDS.values()]),
        "bucket_edges": Field(to_edges, "edges", "30, 60, 90, 120", takes_list=True),
    },
    "timely_filing_risk": {
        "critical_days": Field(to_days, "days", "15"),
        "high_days": Field(to_days, "days", "30"),
        "watch_days": Field(to_days, "days", "60"),
    },
    "holidays": {
        "calendar": Field(to_text, "text", "US"),
        "subdivision": Field(to_text, "text", "TX", allow_empty=True),
    },
    "priority": {
        "dollars_weight": Field(to_number, "number", "1.0"),
        "deadline_weight": Field(to_number, "number", "3.0"),
        "deadline_horizon_days": Field(to_days, "days", "60"),
        "overdue_weight": Field(to_number, "number", "1.0"),
        "expired_penalty": Field(to_number, "number", "0.5"),
    },
    "patient_balance": {"statement_cycle_days": Field(to_days, "days", "30")},
    "claims": {"submit_within_days": Field(to_days, "days", "7")},
    "worklist": {"look_ahead_days": Field(to_look_ahead, "days", "7")},
    "dates": {"order": Field(to_day_first, "choice", "month first", choices=[w[0] for w in ORDER_WORDS.values()])},
    "workbook": {"backups_kept": Field(to_count, "count", "5")},
    "workload": {"per_day": Field(to_pace, "pace", "2 hours")},
    "minutes_per_action": {k.key: Field(to_minutes, "minutes", str(k.minutes)) for k in KINDS},
}


@functools.lru_cache(maxsize=1)
def _supported_calendars() -> tuple[str, ...]:
    """Every country code the holidays package knows (slow: imports them all; only used for a suggestion)."""
    import holidays

    return tuple(c.upper() for c in holidays.list_supported_countries())


@functools.lru_cache(maxsize=16)
def _subdivisions(country: str) -> tuple[str, ...] | None:
    """The subdivisions of ``country``, or None when the holidays package does not know the country."""
    import holidays

    try:
        return tuple(holidays.country_holidays(country).subdivisions)
    except NotImplementedError:
        return None


@functools.lru_cache(maxsize=8)
def holiday_dates(country: str, subdivision: str = "") -> frozenset[date]:
    """Holiday dates of ``country`` (and subdivision) for 2000-2045, computed once per process."""
    if not country:
        return frozenset()
    import holidays

    cal = holidays.country_holidays(country, subdiv=subdivision or None, years=HOLIDAY_YEARS)
    return frozenset(cal.keys())


def _read_settings(f: _File, tree) -> Settings | None:
    if not isinstance(tree, Map):
        f.error(_line(tree, 1), "not_settings")
        return None
    values: dict[str, dict] = {}
    ok = True
    for key, node in tree.items():
        if key not in SETTINGS_FIELDS:
            _unknown(f, key, "settings.yaml", list(SETTINGS_FIELDS))
            ok = False
            continue
        got = _read_fields(f, node, key, str(key), SETTINGS_FIELDS[key])
        if got is None:
            ok = False
        else:
            values[str(key)] = got
    aging, risk, hol = values.get("aging", {}), values.get("timely_filing_risk", {}), values.get("holidays", {})
    prio = values.get("priority", {})
    base = Settings()
    critical = risk.get("critical_days", base.risk_critical_days)
    high = risk.get("high_days", base.risk_high_days)
    watch = risk.get("watch_days", base.risk_watch_days)
    if "timely_filing_risk" in values and not critical < high < watch:
        f.error(tree.key_line("timely_filing_risk"), "risk_order", critical=critical, high=high, watch=watch)
        ok = False
    country, subdivision = base.holiday_country, base.holiday_subdivision
    if "holidays" in tree and isinstance(tree["holidays"], Map):
        node = tree["holidays"]
        if "calendar" in hol:
            country = "" if hol["calendar"].lower() in ("none", "no", "off", "") else hol["calendar"].upper()
            if country and _subdivisions(country) is None:
                suggestion = did_you_mean(country, _supported_calendars(), cutoff=0.8)
                hint = _message("hint_suggest", suggestion=suggestion) if suggestion else _message("hint_calendar")
                f.error(_line(node["calendar"]), "bad_calendar", key="calendar", found=hol["calendar"], hint=hint)
                ok, country = False, ""
        if hol.get("subdivision") and country:
            subdivision = hol["subdivision"].upper()
            subs = _subdivisions(country) or ()
            if subdivision not in subs:
                suggestion = did_you_mean(subdivision, subs)
                hint = _message("hint_suggest", suggestion=suggestion) if suggestion else _message("hint_none")
                f.error(_line(node["subdivision"]), "bad_subdivision", key="subdivision", found=hol["subdivision"],
                        country=country, choices=", ".join(subs) or "(none)", hint=hint)
                ok = False
    if not ok:
        return None
    weights = PriorityWeights(
        dollars=prio.get("dollars_weight", base.priority.dollars),
        deadline=prio.get("deadline_weight", base.priority.deadline),
        deadline_horizon_days=prio.get("deadline_horizon_days", base.priority.deadline_horizon_days),
        overdue=prio.get("overdue_weight", base.priority.overdue),
        expired_penalty=prio.get("expired_penalty", base.priority.expired_penalty),
    )
    return Settings(
        aging_basis=aging.get("basis", base.aging_basis),
        bucket_edges=aging.get("bucket_edges", base.bucket_edges),
        risk_critical_days=critical,
        risk_high_days=high,
        risk_watch_days=watch,
        holiday_country=country,
        holiday_subdivision=subdivision,
        priority=weights,
        statement_cycle_days=values.get("patient_balance", {}).get("statement_cycle_days", base.statement_cycle_days),
        look_ahead_days=values.get("worklist", {}).get("look_ahead_days", base.look_ahead_days),
        submit_within_days=values.get("claims", {}).get("submit_within_days", base.submit_within_days),
        day_first_dates=values.get("dates", {}).get("order", base.day_first_dates),
        backups_kept=values.get("workbook", {}).get("backups_kept", base.backups_kept),
        work_per_day=values.get("workload", {}).get("per_day", base.work_per_day),
        minutes_per_action=tuple(values.get("minutes_per_action", {}).items()) or base.minutes_per_action,
        file="settings.yaml",
    )


# --------------------------------------------------------------------------------------------------
# payers/*.yaml
# --------------------------------------------------------------------------------------------------

CITED_FIELDS = {
    "source": Field(to_text, "text", "payer provider manual, 2024 edition", required=True, cited=True),
    "effective_from": Field(to_date, "date", "2024-01-01", required=True, cited=True),
    "contested": Field(to_yesno, "yesno", "yes"),
    "note": Field(to_text, "text", "sources disagree", allow_empty=True),
}

SECTION_FIELDS: dict[str, dict[str, Field]] = {
    "timely_filing": {
        "limit": Field(to_period, "period", "90 days", required=True),
        "out_of_network_limit": Field(to_period, "period", "90 days"),
        "secondary_limit": Field(to_period, "period", "90 days"),
        "anchor": Field(to_anchor, "anchor", "date of service"),
        "institutional_anchor": Field(to_anchor, "anchor", "through date"),
        "secondary_anchor": Field(to_anchor, "anchor", "primary eob date"),
        "roll_to_next_business_day": Field(to_yesno, "yesno", "no"),
        "paper_claims_filed_when": Field(choice(("mailed", "received")), "choice", "received",
                                         choices=("mailed", "received")),
        "paper_mail_days": Field(to_days, "days", "5 days"),
        **CITED_FIELDS,
    },
    "corrected_claim": {
        "limit": Field(to_period, "period", "90 days", required=True),
        "out_of_network_limit": Field(to_period, "period", "180 days"),
        "anchor": Field(to_anchor, "anchor", "date of service"),
        **CITED_FIELDS,
    },
    "follow_up": {
        "first_check_electronic": Field(to_days, "days", "30 days", required=True),
        "first_check_paper": Field(to_days, "days", "45 days", required=True),
        "recheck_every": Field(to_days, "days", "30 days", required=True),
        "expected_adjudication": Field(to_days, "days", "30 days", required=True),
        **CITED_FIELDS,
    },
    "appeal": {
        "window": Field(to_period, "period", "180 days", required=True),
        "receipt_presumption": Field(to_days, "days", "0 days"),
        "recheck_every": Field(to_days, "days", "30 days"),
        "timely_filing_denials_appealable": Field(to_yesno, "yesno", "yes"),
        "reopening_window": Field(to_period, "period", "1 year"),
        "reopening_source": Field(to_text, "text", "42 CFR 405.980(b)(1)"),
        **CITED_FIELDS,
    },
    "underpayment": {
        "tolerance_amount": Field(to_money, "money", "1.00"),
        "tolerance_percent": Field(to_percent, "percent", "2"),
        "overpayment_refund_within": Field(to_period, "period", "60 days"),
        "overpayment_source": Field(to_text, "text", "42 CFR 401.305"),
        **CITED_FIELDS,
    },
}

PAYER_FIELDS = ("name", "kind", "match", "contact", *SECTIONS)
MATCH_FIELDS = {
    "names": Field(lambda v: v, "names", "- Aetna", takes_list=True),
    "payer_ids": Field(lambda v: v, "names", "- \"60054\"", takes_list=True),
}
CONTACT_FIELDS = {k: Field(to_text, "text", ex, allow_empty=True) for k, ex in
                  (("portal", "Availity"), ("phone", "1-800-555-0100"), ("fax", "1-800-555-0101"),
                   ("notes", "call before 4 pm"))}
PAYER_TOP = {
    "name": Field(to_text, "text", "Aetna", required=True),
    "kind": Field(choice(PAYER_KINDS), "choice", "commercial", choices=PAYER_KINDS),
}


def _build_section(section: str, v: dict, cited: Cited):
    if section == "timely_filing":
        return TimelyFiling(
            in_network=v["limit"], out_of_network=v.get("out_of_network_limit", v["limit"]), cited=cited,
            anchor=v.get("anchor", Anchor.DOS), institutional_anchor=v.get("institutional_anchor", Anchor.THROUGH),
            secondary_anchor=v.get("secondary_anchor", Anchor.DOS), secondary_limit=v.get("secondary_limit"),
            roll_to_business_day=v.get("roll_to_next_business_day", False),
            paper_filed=v.get("paper_claims_filed_when", "received"), paper_mail_days=v.get("paper_mail_days", 5))
    if section == "corrected_claim":
        return CorrectedClaim(limit=v["limit"], cited=cited, anchor=v.get("anchor", Anchor.DOS),
                              out_of_network=v.get("out_of_network_limit"))
    if section == "follow_up":
        return FollowUp(first_check_electronic=v["first_check_electronic"], first_check_paper=v["first_check_paper"],
                        recheck_every=v["recheck_every"], expected_adjudication=v["expected_adjudication"], cited=cited)
    if section == "appeal":
        return Appeal(window=v["window"], cited=cited, receipt_presumption=v.get("receipt_presumption", 0),
                      recheck_every=v.get("recheck_every", 30),
                      timely_filing_denials_appealable=v.get("timely_filing_denials_appealable", True),
                      reopening_window=v.get("reopening_window"), reopening_source=v.get("reopening_source", ""))
    return Underpayment(tolerance_amount=v.get("tolerance_amount", 0.0),
                        tolerance_percent=v.get("tolerance_percent", 0.0), cited=cited,
                        refund_within=v.get("overpayment_refund_within"), refund_source=v.get("overpayment_source", ""))


def _read_section(f: _File, key: Text, node, today: date) -> tuple | None:
    """One section: a group of settings or a list of versions. Returns versions newest first."""
    section = str(key)
    if isinstance(node, Seq):
        items = [(f"{section} (version {i + 1})", item, _line(item, _line(key))) for i, item in enumerate(node)]
        if not items:
            f.error(_line(key), "empty_value", key=section, expected="settings indented under it",
                    example="...")
            return None
    else:
        items = [(section, node, _line(key))]
    versions, ok, starts = [], True, {}
    for n, (place, item, line) in enumerate(items, 1):
        if isinstance(node, Seq) and not isinstance(item, Map):
            f.error(_line(item, _line(key)), "bad_version", n=n, key=section)
            ok = False
            continue
        v = _read_fields(f, item, key if not isinstance(node, Seq) else None, place, SECTION_FIELDS[section])
        if v is None:
            ok = False
            continue
        eff = v["effective_from"]
        if eff in starts:
            f.error(line, "same_effective_date", place=section, date=eff.isoformat(), other=starts[eff])
            ok = False
            continue
        starts[eff] = line
        if eff > today:
            f.warn(line, "future_effective", place=place, date=eff.isoformat())
        if v.get("contested") and not v.get("note"):
            f.warn(line, "contested_no_note", place=place)
        cited = Cited(source=v["source"], effective_from=eff, file=f.name, line=line,
                      contested=v.get("contested", False), note=v.get("note", ""))
        versions.append(_build_section(section, v, cited))
    if not ok:
        return None
    return tuple(sorted(versions, key=lambda x: x.cited.effective_from, reverse=True))


def _as_list(f: _File, key: Text, value) -> list[Text]:
    if isinstance(value, Seq):
        out = []
        for item in value:
            if isinstance(item, (Map, Seq)):
                f.error(_line(item, _line(key)), "not_a_list", key=str(key), expected=MESSAGES["expect_names"])
            elif str(item).strip():
                out.append(item)
        return out
    return [value] if str(value).strip() else []


def _read_payer(f: _File, key: str, tree, default: PayerRules | None, today: date) -> tuple[PayerRules | None, dict]:
    """A payer file. Returns (rules or None, {"names": [(name, line)], "ids": [(id, line)]})."""
    seen: dict = {"names": [], "ids": []}
    if not isinstance(tree, Map):
        f.error(_line(tree, 1), "not_settings")
        return None, seen
    errors_before = f.errors
    top: dict = {}
    sections: dict[str, tuple] = {}
    contact = Contact()
    for k, node in tree.items():
        if k not in PAYER_FIELDS:
            _unknown(f, k, "a payer file", list(PAYER_FIELDS))
        elif k in PAYER_TOP:
            value = _convert(f, k, node, PAYER_TOP[k], "the payer file")
            if value is not _INVALID:
                top[str(k)] = value
        elif k == "match":
            got = _read_fields(f, node, k, "match", MATCH_FIELDS)
            if got is not None:
                for name in _as_list(f, Text("names", k.line), got.get("names", "")):
                    seen["names"].append((" ".join(name.lower().split()), _line(name, k.line)))
                for pid in _as_list(f, Text("payer_ids", k.line), got.get("payer_ids", "")):
                    seen["ids"].append((pid.strip().upper(), _line(pid, k.line)))
        elif k == "contact":
            got = _read_fields(f, node, k, "contact", CONTACT_FIELDS)
            if got is not None:
                contact = Contact(**got)
        else:
            versions = _read_section(f, k, node, today)
            if versions is not None:
                sections[str(k)] = versions
    if "name" not in tree:
        f.error(_line(tree, 1), "missing_key", place="the payer file", key="name",
                expected="the payer's name as it should be shown", example="Aetna")
    for s in SECTIONS:
        if s not in tree:
            if default is None:
                f.error(_line(tree, 1), "missing_section", key=s, sections=", ".join(SECTIONS))
            else:
                sections[s] = getattr(default, s)  # inherited whole, citing default.yaml
    if key != "default" and not seen["names"] and not seen["ids"] and f.errors == errors_before:
        f.warn(tree.key_line("match") if "match" in tree else 1, "no_match")
    if f.errors != errors_before or any(s not in sections for s in SECTIONS):
        return None, seen
    rules = PayerRules(
        key=key, file=f.name, name=top.get("name", key), names=tuple(n for n, _ in seen["names"]),
        payer_ids=tuple(i for i, _ in seen["ids"]), contact=contact, kind=top.get("kind", "commercial"),
        **{s: sections[s] for s in SECTIONS},
    )
    return rules, seen


# --------------------------------------------------------------------------------------------------
# denials.yaml
# --------------------------------------------------------------------------------------------------

DENIAL_FIELDS = {
    "category": Field(choice(CATEGORIES), "choice", "appeal", required=True, choices=CATEGORIES),
    "action": Field(to_text, "text", "Appeal with medical records", required=True),
    "appeal": Field(to_yesno, "yesno", "no"),
    "urgency": Field(to_urgency, "urgency", "3"),
    "reopening_action": Field(to_text, "text", "Request a reopening"),
}
DENIALS_TOP = ("unknown_code", "codes")
_CODE = re.compile(r"^(?:(CO|PR|OA|PI|CR)\s*-\s*)?([A-Z]?\d{1,3}|[A-Z]\d{0,3})((?:\s+[A-Z]{1,2}\d{1,3})*)$")


def normalise_code(text: str) -> str | None:
    """``co-16  ma130`` -> ``CO-16 MA130``; None when it is not a denial code."""
    m = _CODE.match(" ".join(text.upper().split()))
    if not m:
        return None
    group, carc, rarcs = m.group(1), m.group(2), m.group(3).split()
    if group is None:
        return carc if not rarcs else None  # a remark code needs a group code (the lookup needs one)
    return " ".join([f"{group}-{carc}", *rarcs])


def _denial_rule(f: _File, key: Text, node, code: str, place: str) -> DenialRule | None:
    v = _read_fields(f, node, key, place, DENIAL_FIELDS)
    if v is None:
        return None
    return DenialRule(code=code, category=v["category"], action=v["action"], appealable=v.get("appeal", False),
                      file=f.name, line=_line(key), priority=v.get("urgency", 3),
                      reopening_action=v.get("reopening_action", ""))


def _read_denials(f: _File, tree) -> Denials | None:
    if not isinstance(tree, Map):
        f.error(_line(tree, 1), "not_settings")
        return None
    errors_before = f.errors
    for k in tree:
        if k not in DENIALS_TOP:
            _unknown(f, k, "denials.yaml", list(DENIALS_TOP))
    fallback = None
    if "unknown_code" not in tree:
        f.error(1, "missing_key", place="denials.yaml", key="unknown_code",
                expected="what to do with a code not listed under codes", example="(a group of settings)")
    else:
        key = next(k for k in tree if k == "unknown_code")
        fallback = _denial_rule(f, key, tree[key], "unknown", "unknown_code")
    by_code: dict[str, DenialRule] = {}
    first: dict[str, int] = {}
    if "codes" not in tree:
        f.error(1, "missing_key", place="denials.yaml", key="codes",
                expected="the list of denial codes", example="(codes indented under it)")
    else:
        key = next(k for k in tree if k == "codes")
        codes = tree[key]
        if not isinstance(codes, Map):
            found = ", ".join(codes) if isinstance(codes, Seq) else str(codes)
            f.error(_line(key), "not_a_section", key="codes", found=found)
        else:
            for ck, node in codes.items():
                code = normalise_code(str(ck))
                if code is None:
                    f.error(_line(ck), "bad_code", code=str(ck))
                    continue
                if code in first:
                    f.error(_line(ck), "duplicate_code", code=code, first=first[code])
                    continue
                first[code] = _line(ck)
                rule = _denial_rule(f, ck, node, code, code)
                if rule is not None:
                    by_code[code] = rule
    if f.errors != errors_before or fallback is None:
        return None
    return Denials(by_code=by_code, fallback=fallback)


# --------------------------------------------------------------------------------------------------
# The folder
# --------------------------------------------------------------------------------------------------


def default_rules_dir() -> Path:
    """The built-in rules: inside the installed package, else ``rules/`` beside the package (a checkout)."""
    packaged = Path(claimbook.__file__).parent / "default_rules"
    if packaged.is_dir():
        return packaged
    return Path(claimbook.__file__).resolve().parent.parent / "rules"


def resolve_rules_dir(explicit=None, workbook_path=None) -> Path:
    """Which rules to use: the folder given; else ``rules`` beside the workbook; else ``~/claimbook/rules``;
    else the built-in rules."""
    if explicit:
        return Path(explicit)
    if workbook_path:
        beside = Path(workbook_path).resolve().parent / "rules"
        if beside.is_dir():
            return beside
    home = Path.home() / "claimbook" / "rules"
    if home.is_dir():
        return home
    return default_rules_dir()


def _sort_key(p: Problem):
    return (p.source.file != "", p.source.file, p.source.line or 0)


def _load(folder: Path, today: date | None = None):
    """Read everything; return (Rules or None, problems sorted by file and line, number of files read)."""
    today = today or date.today()
    problems: list[Problem] = []
    if not folder.is_dir():
        problems.append(Problem(Source(str(folder)), _message("no_folder")))
        return None, problems, 0
    files_read = 0

    def read(rel: str, when_empty: str):
        """(file, tree); tree is None when the file is missing or unreadable, or empty and ``when_empty`` is
        an error ("empty_settings" is a warning: every setting has a built-in value)."""
        nonlocal files_read
        f = _File(rel, problems)
        path = folder / rel
        if not path.is_file():
            if path.is_dir():
                f.error(None, "folder_in_payers" if rel.startswith("payers/") and rel != "payers/default.yaml"
                        else "folder_not_file", name=path.name)
            elif path.parent != folder and path.parent.exists() and not path.parent.is_dir():  # "payers" is a file
                _File(path.parent.name, problems).error(None, "payers_not_folder")
            else:
                f.error(None, "missing_file")
            return f, None
        files_read += 1
        tree, found = read_yaml_file(path, rel)
        problems.extend(found)
        f.errors += sum(p.severity == "error" for p in found)
        if tree is None and not found:  # nothing but blank lines and comments
            if when_empty != "empty_settings":
                f.error(None, when_empty)
                return f, None
            f.warn(None, when_empty)
            tree = Map()
        return f, tree

    f, tree = read("settings.yaml", "empty_settings")
    settings = _read_settings(f, tree) if tree is not None else None
    f, tree = read("denials.yaml", "empty_denials")
    denials = _read_denials(f, tree) if tree is not None else None

    f, tree = read("payers/default.yaml", "empty_default")
    default, seen = _read_payer(f, "default", tree, None, today) if tree is not None else (None, {})
    payers: list[PayerRules] = []
    owners: dict[tuple[str, str], tuple[str, int]] = {}  # ("names"|"ids", value) -> (file, line)
    for what in ("names", "ids"):
        for value, line in seen.get(what, ()):
            owners.setdefault((what, value), ("payers/default.yaml", line))
    payer_files = sorted(p for p in (folder / "payers").glob("*") if p.suffix.lower() in (".yaml", ".yml")
                         and p.stem != "default") if (folder / "payers").is_dir() else []
    payers_ok = True
    for path in payer_files:
        f, tree = read(f"payers/{path.name}", "empty_payer")
        if tree is None:
            payers_ok = False
            continue
        # Without a usable default.yaml, still check the file; sections are then simply not inherited.
        rules, seen = _read_payer(f, path.stem, tree, default or _NO_DEFAULT, today)
        for what, kind in (("names", "duplicate_name"), ("ids", "duplicate_id")):
            for value, line in seen[what]:
                other = owners.get((what, value))
                if other and other[0] != f.name:
                    f.error(line, kind, value=value, other=other[0], other_line=other[1])
                    rules = None
                elif not other:
                    owners[(what, value)] = (f.name, line)
        if rules is None:
            payers_ok = False
        else:
            payers.append(rules)

    problems.sort(key=_sort_key)
    if any(p.severity == "error" for p in problems) or None in (settings, denials, default) or not payers_ok:
        return None, problems, files_read
    from claimbook.rules.practice import with_practice_names

    payers, default = with_practice_names(folder, payers, default)  # import.yaml's payers: section
    rules = Rules(
        settings=settings, payers=tuple(sorted(payers, key=lambda p: p.key)), default=default, denials=denials,
        holidays=holiday_dates(settings.holiday_country, settings.holiday_subdivision),
        folder=str(folder), problems=tuple(problems),
    )
    return rules, problems, files_read


class _NoDefault:
    """Stands in for a missing or broken default.yaml: a payer's missing sections are not reported twice."""

    def __getattr__(self, name):
        return None


_NO_DEFAULT = _NoDefault()


def check_rules(folder=None) -> list[Problem]:
    """Every problem in every rules file (errors and warnings), sorted by file and line."""
    return _load(Path(folder) if folder else resolve_rules_dir())[1]


def load_rules(folder=None) -> Rules:
    """The rules in ``folder`` (default: ``resolve_rules_dir()``); raises RulesError listing every error."""
    folder = Path(folder) if folder else resolve_rules_dir()
    rules, problems, _ = _load(folder)
    if rules is None:
        raise RulesError(problems, str(folder))
    return rules


def check_rules_counted(folder) -> tuple[list[Problem], int]:
    """Problems and the number of files read (for the ``rules check`` verdict)."""
    _, problems, count = _load(Path(folder))
    return problems, count
