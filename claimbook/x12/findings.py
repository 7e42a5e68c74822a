"""What pyx12's validation found in a payer file, sorted into two kinds (docs/x12-import.md lists them).

*Structural* findings refuse the file whole (nothing is imported, the segment and its position are named):
the file is cut short, a segment claimbook reads is where no claim can own it, an amount, date or ID
claimbook needs is missing or unreadable, the parser itself gives up. Everything else is a *warning*: the
file is read, and the warning goes to the import report and the Import Log. A practice cannot fix a
payer's envelope counts or indentation, and none of those change a value claimbook reads.

Every finding has a class (``CLASSES``); ``classify_*`` decide the class from pyx12's error code, the
segment and the element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STRUCTURAL = "structural"
WARNING = "warning"

# class -> (kind, what it covers). The order is the order of docs/x12-import.md.
CLASSES: dict[str, tuple[str, str]] = {
    "cut short": (STRUCTURAL, "the file ends in the middle of a segment, or its SE/GE/IEA trailers are missing "
                              "at the end (truncated)"),
    "claim data out of place": (STRUCTURAL, "a segment claimbook reads (CLP, CAS, SVC, MOA, AMT, PLB, STC, N1*PR, "
                                            "NM1*QC ...) where the guide does not allow it, so which claim it "
                                            "belongs to cannot be told"),
    "needed value unreadable": (STRUCTURAL, "an amount, date or ID claimbook reads (CLP01/03/04/05, CAS amounts, "
                                            "SVC02/03, AMT02, PLB amounts, BPR02, STC01/02/04/05, TRN02 of a "
                                            "claim) is missing, not a number or not a date"),
    "needed segment missing": (STRUCTURAL, "BPR, the payer's N1*PR loop or a claim's CLP is missing"),
    "garbled segment": (STRUCTURAL, "a segment with no valid name or nothing in it"),
    "parser failure": (STRUCTURAL, "pyx12 cannot go on reading the file"),
    "envelope": (WARNING, "ISA/GS/ST counts and control numbers that do not agree (SE01, GE01, IEA01, SE02, "
                          "GE02, IEA02), a header with unpadded fields or a component separator (ISA16) the "
                          "file does not use"),
    "whitespace": (WARNING, "segments indented or on their own lines, leading or trailing spaces, a trailing "
                            "element separator"),
    "not used element": (WARNING, "an element the guide marks Not Used (ST03, STC03, STC12, TS3 fields ...)"),
    "code list": (WARNING, "a code not in pyx12's bundled lists: remark codes (MOA, LQ*HE), reason codes, "
                           "state codes, entity codes; claimbook records codes as sent"),
    "missing segment claimbook does not read": (WARNING, "PER*BL contact, the 277CA 2200C billing-provider STC "
                                                          "and other required segments claimbook does not use"),
    "unexpected segment claimbook does not read": (WARNING, "a segment claimbook does not read where the guide "
                                                             "does not expect it (ignored)"),
    "element claimbook does not read": (WARNING, "a missing, too long or badly written element claimbook does "
                                                  "not use (BPR16 with DTM*405 present, a payee ID ...)"),
    "hierarchy numbering": (WARNING, "HL numbers that do not count up as the guide wants"),
    "balancing": (WARNING, "BPR02 (the payment) is not the sum of CLP04 minus the PLB adjustments"),
}

# Segments whose data claimbook reads, by id, or by id and qualifier (first element).
_READ_SEGMENTS = frozenset({"BPR", "CLP", "CAS", "SVC", "MOA", "MIA", "AMT", "PLB", "STC", "LQ"})
_READ_QUALIFIED = frozenset({("N1", "PR"), ("NM1", "QC"), ("NM1", "TT"), ("NM1", "IL"), ("NM1", "PR"),
                             ("REF", "EJ"), ("REF", "1K"), ("REF", "2U"), ("DTP", "472")})
# Elements claimbook reads as amounts, dates or keys: missing or unreadable refuses the file.
_NEEDED = re.compile(r"^(BPR02|CLP0[1345]|CAS(03|06|09|12|15|18)|SVC0[23]|AMT02|PLB(04|06|08|10|12|14)"
                     r"|STC01-1|STC0[245]|TRN02)$")


@dataclass(frozen=True, slots=True)
class Problem:
    seg_id: str
    number: int | None  # segment number in the file (ISA = 1)
    line: int | None
    message: str  # plain words, no values from the file
    kind: str = "parser failure"  # a key of CLASSES

    @property
    def structural(self) -> bool:
        return CLASSES[self.kind][0] == STRUCTURAL

    def where(self) -> str:
        where = f"segment {self.seg_id}"
        pos = []
        if self.number:
            pos.append(f"segment {self.number} of the file")
        if self.line:
            pos.append(f"line {self.line}")
        return where + (f" ({', '.join(pos)})" if pos else "")

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


def is_read_segment(seg_id: str, qualifier: str = "") -> bool:
    return seg_id in _READ_SEGMENTS or (seg_id, qualifier) in _READ_QUALIFIED


def classify_reader(kind: str, code: str, msg: str) -> str:
    """A problem pyx12's file reader found (envelope, leading spaces, garbled segments)."""
    kind = kind.lower()
    if kind in ("isa", "gs", "st"):
        return "cut short" if "missing" in msg.lower() else "envelope"
    if "leading space" in msg or "trailing element terminators" in msg:
        return "whitespace"
    if code.startswith("HL"):
        return "hierarchy numbering"
    if "is empty" in msg or "identifier" in msg:
        return "garbled segment"
    return "envelope" if code.startswith("SEG") else "garbled segment"


_NOT_FOUND = re.compile(r'^Segment ([A-Z0-9]{2,3})(?:\*([^*\s.]*))?\S* not found')
_MANDATORY_SEG = re.compile(r'^Mandatory segment "[^"]*" \((\w+)')
_MANDATORY_LOOP = re.compile(r'^Mandatory loop "[^"]*" \((\w+)\)')


def classify_segment(code: str, msg: str, seg_id: str, qualifier: str) -> str:
    """A segment-level problem from the map walker or the segment checks."""
    m = _NOT_FOUND.match(msg)
    if m:
        seg_id, qualifier = m.group(1), m.group(2) or ""
    if m or code in ("1", "2", "4", "5"):
        if "identifier" in msg and "invalid" in msg:
            return "garbled segment"
        return "claim data out of place" if is_read_segment(seg_id, qualifier) else \
            "unexpected segment claimbook does not read"
    m = _MANDATORY_SEG.match(msg)
    if m:
        sid = m.group(1)
        needed = sid in ("BPR", "CLP") or (sid == "N1" and "Payer" in msg)
        return "needed segment missing" if needed else "missing segment claimbook does not read"
    m = _MANDATORY_LOOP.match(msg)
    if m:
        return "needed segment missing" if m.group(1) in ("1000A", "2100") else \
            "missing segment claimbook does not read"
    if code.startswith("HL"):
        return "hierarchy numbering"
    if "is empty" in msg:
        return "garbled segment"
    return "element claimbook does not read"  # "8": relational conditions between elements


def classify_element(code: str, msg: str, ref: str) -> str:
    """An element-level problem (pyx12 IK4 codes)."""
    if code == "10":
        return "not used element"
    if code == "7":
        return "code list"
    if "trailing spaces" in msg:
        return "whitespace"
    if code in ("1", "6", "8", "9") and _NEEDED.match(ref):
        return "needed value unreadable"
    return "element claimbook does not read"


def summarise(problems: list[Problem], limit: int = 20) -> tuple[str, ...]:
    """Warnings for the report: each distinct message once, with its first position and how often."""
    groups: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.seg_id, p.message), []).append(p)
    out = []
    for (_, _), ps in groups.items():
        more = f" ({len(ps) - 1} more like it)" if len(ps) > 1 else ""
        out.append(f"{ps[0]}{more} — {ps[0].kind}, read anyway")
    if len(out) > limit:
        out = out[:limit] + [f"… and {len(out) - limit} more warnings"]
    return tuple(out)
