"""The Why: a short sentence for the cell, and the full reasoning with sources for ``claimbook explain``.

Both come from one builder (``_build``), so they always say the same thing:
- ``short_why`` (the Why cell): the rule, the date and what it counts from, in plain words; no file
  names, no citations; typically at most 160 characters and never more than ``WHY_MAX`` (260): if the
  plain version is longer, the details in parentheses go first, then the boilerplate advice.
- ``full_why`` (``Result.details``: explain, the ribbon's Explain): the same with the rules file, the
  line and the source of each rule, as billers need them. ``Reasoning`` holds the facts and writes it the
  first time it is read: only explain reads it, one claim at a time, so a 100,000-claim run never does.

Dates are written ISO here; the engine rewrites every sentence in the tracker's date order afterwards
(``dates.dates_in_order``), so the step functions never need to know it.
"""

from __future__ import annotations

import re
from datetime import date
from functools import total_ordering

from claimbook.engine.actions import NOTHING
from claimbook.engine.dates import dates_in_order, say_date
from claimbook.model import Risk

WHY_MAX = 260

# What the evidence of filing is called in a sentence ("the claim was accepted 2026-01-11").
EVIDENCE_SAID = {"accepted": "accepted", "received": "received", "mailed": "mailed", "submitted": "submitted",
                 "presumed received": "presumed received (mailed + mail days)",
                 "remittance": "on a remittance (so received)"}

# "(denials.yaml:5)", "(settings.yaml)", "(payers/aetna.yaml:12)": references for billers, not the cell.
_FILE_REF = re.compile(r"\s*\((?:[\w./-]+\.ya?ml)(?::\d+)?\)")


def full_why(c, payer, action, due, overdue, deadline, risk, appeal_due, appeal_rule, as_of: date, evidence) -> str:
    """The full reasoning: every rule with its file and source, the dates used and the result."""
    return "".join(_build(c, payer, action, due, overdue, deadline, risk, appeal_due, appeal_rule, as_of, evidence,
                          True))


@total_ordering
class Reasoning:
    """``Result.details``: the full reasoning (``full_why``), written when first read and then kept.

    It reads like the text: ``str()``, ``==`` and ``hash`` with the same text as a plain string, ``in``,
    ``len``, f-strings and every ``str`` method (``startswith``, ``split``...); pickled, it is a plain
    string. ``str(result.details)`` where a real ``str`` is needed (``re``, ``json``).
    """

    __slots__ = ("_facts", "_text")

    def __init__(self, facts: tuple):
        self._facts = facts  # full_why's arguments
        self._text: str | None = None

    def __str__(self) -> str:
        if self._text is None:
            self._text = full_why(*self._facts)
            self._facts = None
        return self._text

    def __eq__(self, other):
        if isinstance(other, Reasoning):
            other = str(other)
        return str(self) == other if isinstance(other, str) else NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))

    def __repr__(self) -> str:
        return repr(str(self))

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __len__(self) -> int:
        return len(str(self))

    def __contains__(self, part: str) -> bool:
        return part in str(self)

    def __iter__(self):
        return iter(str(self))

    def __getitem__(self, index):
        return str(self)[index]

    def __add__(self, other: str) -> str:
        return str(self) + other

    def __radd__(self, other: str) -> str:
        return other + str(self)

    def __lt__(self, other) -> bool:
        if isinstance(other, Reasoning):
            other = str(other)
        return str(self) < other if isinstance(other, str) else NotImplemented

    def __reduce__(self):
        return str, (str(self),)

    def __getattr__(self, name: str):  # the str methods: startswith, split, upper...
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(str(self), name)


def short_why(c, payer, action, due, overdue, deadline, risk, appeal_due, appeal_rule, as_of: date, evidence,
              order: str = "iso") -> str:
    """The Why cell: the same sentences without files and sources. If longer than ``WHY_MAX``: the terse
    form (no parentheses, shorter advice), then sentences dropped from the middle, the first (the action
    and its date) kept."""
    args = (c, payer, action, due, overdue, deadline, risk, appeal_due, appeal_rule, as_of, evidence, False, order)
    text = "".join(_build(*args))
    if len(text) <= WHY_MAX:
        return text
    sentences = _build(*args, True)
    while len(sentences) > 1 and len("".join(sentences)) > WHY_MAX:
        sentences.pop(-2 if len(sentences) > 2 else -1)  # keep the first (the action) and the last deadline
    text = "".join(sentences)
    return text if len(text) <= WHY_MAX else text[: WHY_MAX - 3].rstrip(" ,;:") + "..."


def _build(c, payer, action, due, overdue, deadline, risk, appeal_due, appeal_rule, as_of, evidence, full: bool,
           order: str = "iso", terse: bool = False) -> list[str]:
    """The sentences, dates in ``order`` (the reason, written by the step functions, is rewritten)."""
    iso = _SAY[order]  # every date below in the sentence's order

    def src(source: str) -> str:  # "; <source>" inside a parenthesis, in the full reasoning only
        return f"; {source}" if full and source else ""

    def paren(inner: str) -> str:  # a parenthesis the terse form leaves out
        return "" if terse else f" ({inner})"

    reason = action.reason
    if not full and ".y" in reason:  # a file reference such as "(denials.yaml:5)": not for the cell
        reason = _FILE_REF.sub("", reason)
    reason = dates_in_order(reason, order)
    if terse:  # the working-time rule is the same on every denial: the date says enough
        reason = reason.replace(", worked within 10 business days", "")
    reason = reason[:1].upper() + reason[1:] if not full else reason
    if full:
        cited = action.cite
        lead = f"{payer.name} ({cited.file or payer.file}, {cited.source}): " if cited else f"{payer.name} ({payer.file}): "
    else:
        lead = ""
    if action.category == NOTHING:
        head = f"{lead}{reason}, nothing to do."
    else:
        if full:
            head = f"{lead}{reason} -> due {iso(due)}"
        else:  # "Documents due 2026-12-08" needs no ", due 2026-12-08"
            said = iso(due)
            head = reason if reason.endswith(said) else f"{reason}, due {said}"
        head += f", {overdue} days overdue." if overdue else "."
    out = [head]
    if deadline is not None and risk is Risk.PROOF and evidence is not None and terse:
        out.append(f" Filed in time ({EVIDENCE_SAID[evidence[1]]} {iso(evidence[0])}, deadline {iso(deadline.due)}): "
                 "send that proof of timely filing.")
    elif deadline is not None and risk is Risk.PROOF and evidence is not None:
        out.append(f" Filed in time: {EVIDENCE_SAID[evidence[1]]} {iso(evidence[0])}, before the filing deadline "
                 f"{iso(deadline.due)}{paren(deadline.source) if full else ''}, so the payer's late-filing denial is "
                 "answered with that proof of timely filing.")
    elif deadline is not None and risk not in (None, Risk.MET):
        kind = "corrected-claim deadline" if deadline.corrected else "filing deadline"
        rolled = f", moved from {iso(deadline.rolled_from)} to the next business day" if deadline.rolled_from else ""
        note = f"; {deadline.note}" if deadline.note else ""
        span = (f"end of the {_ordinal(deadline.limit.months)} month after the month of service {iso(deadline.anchor_date)}"
                if deadline.limit.month_end else f"{deadline.limit} from the {deadline.anchor_name} {iso(deadline.anchor_date)}")
        why = paren(f"{span}{rolled}{src(deadline.source)}{note}")
        if risk is Risk.EXPIRED:
            out.append(f" The {kind} was {iso(deadline.due)}{why} and has passed: " +
                     ("send the claim only with proof of timely filing or a reason the payer accepts, otherwise "
                      "write it off." if not terse else "proof of timely filing, or write it off."))
        else:
            out.append(f" The {kind} is {iso(deadline.due)}{why}.")
        if evidence is not None and evidence[1] == "presumed received":
            out.append(f" Receipt counts, not mailing: presumed {iso(evidence[0])}; type the payer's received date in "
                       "Accepted if you have it." if not terse else
                       f" Receipt presumed {iso(evidence[0])}: type the received date in Accepted.")
    if appeal_due is not None and appeal_rule is not None and action.remedy == "reopening":
        # The regulation is the rule itself here (a reopening is not in the payer's appeal manual): said in the cell too.
        rule = paren(f"{appeal_rule.reopening_window} from the initial determination on the remittance "
                     f"{iso(c.remit_date)}; {appeal_rule.reopening_source or appeal_rule.cited.source}")
        if appeal_due < as_of:
            out.append(f" The reopening deadline was {iso(appeal_due)}{rule} and has passed: a reopening now needs "
                     + ("good cause." if terse else "good cause, otherwise write the amount off."))
        else:
            out.append(f" Request the reopening by {iso(appeal_due)}{rule}.")
    elif appeal_due is not None and appeal_rule is not None:
        presume = f" + {appeal_rule.receipt_presumption} days presumed receipt" if appeal_rule.receipt_presumption else ""
        rule = paren(f"remittance {iso(c.remit_date)}{presume} + {appeal_rule.window}{src(appeal_rule.cited.source)}")
        if action.remedy == "late_appeal":
            out.append(f" The appeal was filed {iso(c.appeal_filed)}, after its deadline {iso(appeal_due)}{rule}: "
                     + ("it was late: good cause or an exception only." if terse else
                        "it was late, so what is left is good cause or another exception the payer allows, otherwise "
                        "write the amount off."))
        elif appeal_due < as_of:
            out.append(f" The appeal deadline was {iso(appeal_due)}{rule} and has passed: appeal only with good "
                     + ("cause." if terse else "cause, otherwise write the amount off."))
        else:
            out.append(f" Appeal by {iso(appeal_due)}{rule}.")
    return out


def _say_iso(day: date | None) -> str:
    return day.isoformat() if day is not None else "(no date)"


# One function per date order, made once (a closure per sentence cost more than the dates it wrote).
_SAY = {"iso": _say_iso, **{order: (lambda o: lambda day: say_date(day, o))(order) for order in ("mdy", "dmy")}}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
