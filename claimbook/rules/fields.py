"""Problems collected per file (``_File``) and the value converters: text in, a typed value out, or a
located problem. ``Field`` describes one setting; ``_read_fields`` reads a mapping of them.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Callable

from claimbook.model import Problem, Source
from claimbook.planning import Pace, PaceError, parse_pace
from claimbook.rules.schema import Period
from claimbook.rules.yamlread import Map, Seq, Text
from claimbook.suggest import did_you_mean
from claimbook.rules.messages import (
    _message,
    ANCHOR_WORDS,
    BASIS_WORDS,
    MAX_BACKUPS,
    MAX_BUCKET_EDGES,
    MAX_DAYS,
    MAX_LOOK_AHEAD_DAYS,
    MAX_MINUTES_PER_ACTION,
    MAX_MONTHS,
    MAX_TOLERANCE,
    MAX_WEIGHT,
    NO,
    ORDER_WORDS,
    YES,
)


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
