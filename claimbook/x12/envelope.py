"""Layout repairs made before pyx12 reads a file, each reported as a warning (findings.py, "whitespace"
and "envelope"), and the message for a transaction sent without its ISA/GS envelope.

None of them changes a value: segments keep their order and count (positions in messages stay right).
"""

from __future__ import annotations

import re

from .findings import Problem

# ISA01..ISA16 fixed widths (the ISA header is 106 characters with its elements in fixed places).
_ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
_NUMERIC = {9, 10, 13}  # ISA09 date, ISA10 time, ISA13 control number (zero padded)


def pad_isa(body: str) -> tuple[str, list[Problem]]:
    """An ISA header whose fields are not padded to their fixed widths ("ISA*00* *00* *ZZ*NVMED *...",
    as some state Medicaid systems send it), padded; pyx12 reads the header by position."""
    if len(body) < 106 or body[3].isalnum():
        return body, []
    ele = body[3]
    parts = body.split(ele, 16)
    if len(parts) < 17 or len(parts[16]) < 2:
        return body, []
    isa16, rest = parts[16][0], parts[16][1:]
    fields = parts[1:16] + [isa16]
    if all(len(f) == w for f, w in zip(fields, _ISA_WIDTHS)):
        return body, []
    if any(len(f.strip()) > w for f, w in zip(fields, _ISA_WIDTHS)):
        return body, []  # too long to be a header pyx12 can read: it says so
    padded = [
        (f.strip().zfill(w) if i in _NUMERIC else f.strip().ljust(w)) if i != 16 else f
        for i, (f, w) in enumerate(zip(fields, _ISA_WIDTHS), start=1)
    ]
    fixed = ele.join(["ISA", *padded]) + rest
    return fixed, [Problem("ISA", 1, 1, "the interchange header's fields are not padded to their fixed widths "
                                        "(read as if they were)", "envelope")]


_COMPOSITE_START = re.compile(r"(?:^|\n)\s*(?:SVC|STC)\*[A-Z0-9]{1,3}([>:^!|\\])[A-Z0-9]")


def component_separator(body: str) -> tuple[str, list[Problem]]:
    """A header whose component separator (ISA16) the file never uses, while its SVC/STC composites use
    another one ("HC>99213" under ISA16 ":"): read with the one the file uses."""
    if len(body) < 106:
        return body, []
    declared, seg_term = body[104], body[105]
    rest = body[106:]
    if declared in rest:
        return body, []
    used = {m.group(1) for m in _COMPOSITE_START.finditer(rest.replace(seg_term, "\n"))}
    if len(used) != 1:
        return body, []
    sep = used.pop()
    if sep in (body[3], seg_term):
        return body, []
    return body[:104] + sep + body[105:], [Problem("ISA", 1, 1, f"the header names \"{declared}\" as the component "
                                                              f"separator (ISA16) but the file uses \"{sep}\"; read "
                                                              "with the one the file uses", "envelope")]


def unindent(body: str, seg_term: str) -> tuple[str, list[Problem]]:
    """Segments with spaces or tabs before them (an indented file), without them; pyx12 takes a tab
    for part of the segment's name."""
    parts = body.split(seg_term)
    out, first = [], None
    for n, part in enumerate(parts, start=1):
        stripped = part.lstrip(" \t\r\n")
        if first is None and part[: len(part) - len(stripped)].strip("\r\n"):
            first = (n, stripped[:3].rstrip("*|^:") or "?")
        out.append(stripped)
    if first is None:
        return body, []
    return seg_term.join(out), [Problem(first[1], first[0], None, "segments are indented (spaces or tabs before "
                                                                  "them); read without them", "whitespace")]


_NO_ENVELOPE = re.compile(r"^(ST|GS)([*|^~:!])(835|277|HP|HN)\2")


def no_envelope(body: str) -> str:
    """The message for an 835/277 that starts at GS or ST instead of the ISA interchange header, "" for
    anything else."""
    m = _NO_ENVELOPE.match(body.lstrip(" \t\r\n\ufeff"))
    if not m:
        return ""
    what = {"835": "an 835 remittance", "HP": "an 835 remittance", "277": "a 277 claim status file",
            "HN": "a 277 claim status file"}[m.group(3)]
    return (f"refused — this looks like {what} without its ISA/GS envelope (it starts with {m.group(1)}, not "
            "ISA): it is only part of the file the payer sent. Ask the clearinghouse or payer for the whole "
            "file, starting with ISA, and import that.")
