"""Blocks in, claims out: Claims rows to ``Claim`` records, the Follow-up Log's facts, the Settings rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Sequence

from claimbook.model import CROSSOVER_WORDS, MISSING_CLAIM_ID, Claim
from claimbook.table.cells import (
    _ENUM_TABLES,
    _error_value,
    _norm_word,
    _quote,
    is_blank,
    parse_choice,
    parse_date,
    parse_denials,
    parse_money,
    parse_status,
    parse_text,
    PLAUSIBLE_YEARS,
)
from claimbook.table.columns import (
    INPUT_BY_FIELD,
    map_input_columns,
    map_log_columns,
    norm_header,
    SETTING_AS_OF,
    SETTING_BACKUPS,
    SETTING_WORK_PER_DAY,
    SETTING_LOOK_AHEAD,
    SETTING_RULES_FOLDER,
)


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


@dataclass(frozen=True)
class TrackerSettings:
    as_of: date | None = None  # None: today
    rules_folder: str | None = None  # None: automatic
    look_ahead_days: int | None = None  # None: rules settings
    backups_kept: int | None = None  # None: rules settings
    work_per_day: object = None  # claimbook.planning.Pace; None: rules settings
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
    pace = values.get(norm_header(SETTING_WORK_PER_DAY))
    if is_blank(pace):
        pace = None
    else:
        from claimbook.planning import PACE_EXAMPLES, PaceError, parse_pace

        try:
            pace = parse_pace(pace)
        except PaceError:
            problems.append(f"Settings: {SETTING_WORK_PER_DAY} {_quote(pace)} should be a number of claims or a "
                            f"time, such as {PACE_EXAMPLES} (at most 24 hours); the rules' value was used")
            pace = None
    return TrackerSettings(
        as_of=as_of,
        rules_folder=folder,
        look_ahead_days=number(SETTING_LOOK_AHEAD, 0, 365),
        backups_kept=number(SETTING_BACKUPS, 0, 50),
        work_per_day=pace,
        problems=tuple(problems),
    )
