"""pyx12's validation messages in plain words, without the values they quote (names, amounts, IDs)."""

from __future__ import annotations

import re


def _qualifier(m: re.Match) -> str:
    """``NM1*QC`` for a segment out of place: the first element only when it is a short code (a
    qualifier such as QC or 0010), never a name, an address or an amount."""
    first = (m.group(2) or "").lstrip("*")
    if m.group(1) == "HL" and re.fullmatch(r"[0-9*]*", first):
        return f"{m.group(1)}*{first}"
    return f"{m.group(1)}*{first}" if re.fullmatch(r"[A-Z0-9]{1,4}", first) else m.group(1)


# pyx12's messages, rewritten in plain words. Many of pyx12's own quote the element's value (a patient's
# name, an amount, a claim number): the rewrites keep the segment, the element and what is wrong, never
# the value. ``_plain`` then removes the value from whatever message is left.
_NAME = r'Data element "(?P<name>[^"]*)" \((?P<ref>\w+)\)'
_REWRITES = [
    (re.compile(r'^Segment ([A-Z0-9]{2,3})(\*\S*)? not found\.\s+Started at \S+$'),
     lambda m: f"segment {_qualifier(m)} is not allowed at this point of the file "
     "(a wrong qualifier code, or segments out of order)"),
    (re.compile(_NAME + r' is type (?P<type>R|N\d?), contains an invalid character\(.*\)$', re.S),
     lambda m: f'"{m["name"]}" must be a number (digits, a minus sign and a decimal point only)'),
    (re.compile(_NAME + r' is type \w+, contains an invalid character\(.*\)$', re.S),
     lambda m: f'"{m["name"]}" contains a character that is not allowed in an X12 file'),
    (re.compile(_NAME + r' contains an invalid date \(.*\)$', re.S),
     lambda m: f'"{m["name"]}" is not a valid date (CCYYMMDD, e.g. 20240301)'),
    (re.compile(_NAME + r' contains an invalid time \(.*\)$', re.S),
     lambda m: f'"{m["name"]}" is not a valid time (HHMM, e.g. 1430)'),
    (re.compile(_NAME + r' is too short: len\(.*\) = (?P<n>\d+) < (?P<lim>\d+) \(min_len\)$', re.S),
     lambda m: f'"{m["name"]}" is too short: {_chars(m["n"])}, at least {m["lim"]} needed'),
    (re.compile(_NAME + r' is too long: len\(.*\) = (?P<n>\d+) > (?P<lim>\d+) \(max_len\)$', re.S),
     lambda m: f'"{m["name"]}" is too long: {_chars(m["n"])}, at most {m["lim"]} allowed'),
    (re.compile(_NAME + r', contains an invalid control character\(.*\)$', re.S),
     lambda m: f'"{m["name"]}" contains an invisible control character; delete it'),
    (re.compile(_NAME + r' has unnecessary trailing spaces\. \(.*\)$', re.S),
     lambda m: f'"{m["name"]}" ends with spaces; delete them'),
    (re.compile(r'^Data element "(?P<name>[^"]*)" with a value of \(.*\) failed to match the regular expression .*$',
                re.S),
     lambda m: f'"{m["name"]}" is not written the way the X12 guide expects'),
    (re.compile(r'^\(.*\) is not a valid code for (?P<name>.*) \((?P<ref>\w+)\)$', re.S),
     lambda m: f'the value is not one of the codes allowed for {m["name"]} ({m["ref"]})'),
    (re.compile(r'^Segment identifier ".*" is invalid$', re.S),
     lambda m: "the segment name is not valid (every segment starts with its 2- or 3-letter name, such as CLP)"),
    (re.compile(r'^Segment ".*" is empty$', re.S),
     lambda m: "the segment is empty"),
    (re.compile(r'^Mandatory loop "([^"]*)" \((\w+)\) missing$'),
     lambda m: f'the required loop "{m.group(1)}" ({m.group(2)}) is missing'),
    (re.compile(r'^Mandatory segment "([^"]*)" \((\w+)=?[^)]*\) missing( .*)?$'),
     lambda m: f'the required segment "{m.group(1)}" ({m.group(2)}) is missing{m.group(3) or ""}'),
]


def _chars(n: str) -> str:
    return f"{n} character" + ("" if n == "1" else "s")


def _plain(msg: str, val: str | None) -> str:
    """pyx12's message in plain words, without the element's value."""
    msg = msg.strip()
    for pattern, repl in _REWRITES:
        m = pattern.match(msg)
        if m:
            msg = repl(m)
            break
    if val and val.strip():  # a message not rewritten above: take the value out wherever it is quoted
        for quoted in (f'"{val}"', f"({val})", f"'{val}'"):
            msg = msg.replace(quoted, "")
        msg = re.sub(r"\s{2,}", " ", msg).strip()
    return msg


def _isa_problem(exc: Exception) -> str:
    """pyx12's complaint about the ISA header, without the header's contents."""
    text = str(exc)
    if "Version Number is unknown" in text:
        return ("the ISA Interchange Control Version Number (ISA12) is not 00501 or 00401: the header is "
                "106 characters with its elements in fixed places; ask the sender for a standard 5010 file")
    text = re.sub(r"\s*\(.*\)\s*$", "", text, flags=re.S)  # "The ISA segment must have 16 elements (ISA*...)"
    text = re.sub(r"('ISA'):.*$", r"\1", text, flags=re.S)  # "First line does not begin with 'ISA': xyz"
    return text
