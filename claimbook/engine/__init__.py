"""The follow-up engine: claims and rules in, results out. Pure: no I/O, no clock, no globals that change.

``evaluate(claims, rules, as_of)`` is the whole public surface; ``assess`` does one claim and
``explain`` renders one result at length for ``claimbook explain``. The pieces:
``aging`` (below), ``filing`` (timely-filing deadline and risk), ``actions`` (next action by status),
``priority`` (score and rank), ``checks`` (data issues).
"""

from __future__ import annotations

import gc
from bisect import bisect_left
from collections import Counter
from contextlib import contextmanager
from datetime import date
from typing import Iterable

from claimbook.engine.actions import NOTHING, Action, appeal_window_due, next_action, open_balance
from claimbook.engine.checks import data_issues
from claimbook.engine.cob import coordinate, link
from claimbook.engine.why import EVIDENCE_SAID, Reasoning, short_why
from claimbook.engine.dates import add_period, dates_in_order, iso, say_date
from claimbook.engine.filing import Deadline, filing_deadline, filing_evidence, filing_risk
from claimbook.engine.priority import ranks, score
from claimbook.model import MISSING_CLAIM_ID, Claim, ClaimType, Evaluation, Order, Result, Risk, Status
from claimbook.rules.schema import AgingBasis, Appeal, PayerRules, Rules, Settings, version_at

__all__ = ["evaluate", "assess", "explain", "aging_bucket", "add_period"]

# How a Next Action starts when the appeal deadline it races has passed (the workbook colours on it).
APPEAL_PASSED = "Appeal deadline passed"
REOPENING_PASSED = "Reopening deadline passed"

# Positions in a result row (see ``_assess``).
CLAIM_ID, FOLLOW_UP, SCORE, PRIORITY, IS_OPEN = map(
    Result._fields.index, ("claim_id", "follow_up", "score", "priority", "is_open"))


def age_in_days(c: Claim, settings: Settings, as_of: date) -> int | None:
    """Days since the date of service (Through date for institutional spans), or since submission."""
    if settings.aging_basis is AgingBasis.SUBMITTED and c.submitted is not None:
        start = c.submitted
    elif c.claim_type is ClaimType.INSTITUTIONAL and c.dos_through is not None:
        start = c.dos_through
    else:
        start = c.dos_from
    if start is None or start > as_of:
        return None
    return (as_of - start).days


def aging_bucket(age: int | None, settings: Settings) -> str:
    """The bucket label for an age: edges (30, 60, 90, 120) give 0-30, 31-60, 61-90, 91-120, 120+."""
    if age is None:
        return ""
    return settings.bucket_labels()[bisect_left(settings.bucket_edges, age)]


def _appeal_deadline(c: Claim, payer: PayerRules, action: Action) -> tuple[date | None, Appeal | None]:
    """The deadline of the remedy the action names: a reopening's (remittance + the reopening window), or
    an appeal's (remittance date + receipt presumption + window), where one is the remedy."""
    if c.remit_date is None:
        return None, None
    ap: Appeal = version_at(payer.appeal, c.dos_from)
    if action.remedy == "reopening":
        if ap.reopening_window is None:
            return None, None
        return add_period(c.remit_date, ap.reopening_window), ap
    if action.remedy == "late_appeal":
        return appeal_window_due(c, ap), ap
    if action.category != "underpayment" and action.appeal is None:
        return None, None
    start = c.remit_date.toordinal() + ap.receipt_presumption
    return add_period(date.fromordinal(start), ap.window), ap


def assess(c: Claim, rules: Rules, as_of: date, duplicate: bool = False, other: Claim | None = None) -> Result:
    """Evaluate one claim on its own (priority 0: ``evaluate`` ranks claims against each other).
    ``other`` is the claim on the other side of its coordination of benefits, if any (``cob.link``)."""
    return tuple.__new__(Result, _assess_or_flag(c, rules, as_of, duplicate, other))


def _assess_or_flag(c: Claim, rules: Rules, as_of: date, duplicate: bool, other: Claim | None = None) -> list:
    """``_assess``, or, when a date is so far off that date arithmetic overflows, a result that says so."""
    try:
        return _assess(c, rules, as_of, duplicate, other)
    except OverflowError:
        payer, _ = rules.payer_for(c.payer, c.payer_id)
        issue = "A date on this claim is too far in the future to work with: check every date on the row"
        return [c.claim_id, payer.key, payer.name, None, "", "Check the dates on this claim", "review", as_of, 0,
                None, None, None, None, None, 0.0, 0.0, 0.0, 0, f"{issue}.",
                (*data_issues(c, as_of), issue), True, f"{payer.name} ({payer.file}): {issue}."]


def _assess(c: Claim, rules: Rules, as_of: date, duplicate: bool, other: Claim | None = None) -> list:
    """One claim's result as a list in the order of ``Result._fields``, with priority 0.

    A list, so ``evaluate`` can fill in the rank before the one immutable ``Result`` is built.
    """
    settings = rules.settings
    payer, known = rules.payer_for(c.payer, c.payer_id)
    issues = data_issues(c, as_of)
    if not c.claim_id:  # a row read without one already says so (claimbook.table)
        issues.insert(0, MISSING_CLAIM_ID)
    if duplicate:
        issues.insert(0, f"Claim ID {c.claim_id} appears more than once: give each claim its own ID")
    if not known:
        key = ("unknown payer", c.payer)
        msg = rules._match_cache.get(key)
        if msg is None:
            msg = rules._match_cache[key] = _unknown_payer(c.payer, rules)
        issues.append(msg)
    unknown = [f"{d.group}-{d.carc}" for d in c.denial_codes
               if rules.denials.lookup(d.group, d.carc, d.rarcs) is rules.denials.fallback] if c.denial_codes else None
    if unknown:  # recorded as the payer sent it; the default action applies (issue 10)
        issues.append(f"Denial code {', '.join(dict.fromkeys(unknown))} is not in {rules.denials.fallback.file}: the "
                      "general action for unknown codes applies; add the code to the rules to say what to do")

    age = age_in_days(c, settings, as_of)
    action = next_action(c, payer, rules, as_of)
    if other is not None or c.order is Order.PRIMARY and action.category == "bill_patient":
        action = coordinate(c, action, other, payer, rules)
    is_open = action.category != NOTHING

    # Timely filing: the deadline always shows; the risk says whether it still matters.
    deadline: Deadline | None = filing_deadline(c, payer, rules.holidays, action.corrected, rules._deadline_cache)
    tf_days = risk = evidence = None
    if deadline is not None:
        tf_days = (deadline.due - as_of).days
        evidence = filing_evidence(c, version_at(payer.timely_filing, c.dos_from))
        filed = evidence[0] if evidence else None
        met = (not action.needs_new_claim) and filed is not None and filed <= deadline.due
        if c.status is Status.PAID or (c.status is Status.CLOSED and filed is not None):
            met = True
        risk = None if (c.status is Status.CLOSED and not met) else filing_risk(tf_days, met, settings)
        if risk is Risk.MET and action.category == "timely_filing" and evidence and filed <= deadline.due:
            # The payer says late (CO-29), the tracker says in time: the proof is the whole job.
            risk = Risk.PROOF
            action = action._replace(text=_proof_text(payer, evidence, deadline.due, action,
                                                                  version_at(payer.appeal, c.dos_from)))
    if action.remedy == "reopening" and action.category == "timely_filing" and risk is not Risk.PROOF:
        # Filed late by the tracker's own dates: a write-off unless the payer erred, so no deadline to race.
        action = action._replace(remedy="")

    appeal_due, appeal_rule = _appeal_deadline(c, payer, action)
    if c.status is Status.APPEALED and action.remedy != "late_appeal":
        appeal_due = None  # appealed in time: the window no longer drives the work (a late one shows it missed it)
    appeal_days = (appeal_due - as_of).days if appeal_due else None

    if action.overridden:
        action = _cap_override(action, deadline if risk not in (None, Risk.MET, Risk.PROOF) else None, appeal_due, c,
                               as_of)
    if is_open:  # say so first when the deadline that the action races has already passed
        if risk is Risk.EXPIRED and action.needs_new_claim:
            instead = f", appeal by {iso(appeal_due)}" if appeal_days is not None and appeal_days >= 0 else ""
            action = action._replace(text=f"Filing deadline passed {iso(deadline.due)}{instead} - {action.text}")
        elif appeal_days is not None and appeal_days < 0 and action.remedy != "late_appeal":
            passed = REOPENING_PASSED if action.remedy == "reopening" else APPEAL_PASSED
            action = action._replace(text=f"{passed} {iso(appeal_due)} - {action.text}")
    due = action.due if is_open else None
    overdue = max(0, (as_of - due).days) if due else 0
    if not is_open:
        at_stake = 0.0
    else:
        at_stake = action.at_stake if action.at_stake is not None else open_balance(c)
    docs_days = (c.docs_due - as_of).days if c.status is Status.DOCS_REQUESTED and c.docs_due is not None else None
    nearest = _most_pressing(tf_days if risk not in (None, Risk.MET, Risk.PROOF) else None, appeal_days, docs_days)
    s = score(at_stake, nearest, overdue, settings.priority) if is_open else 0.0

    facts = (c, payer, action, due, overdue, deadline, risk, appeal_due, appeal_rule, as_of, evidence)
    order = settings.text_dates
    # The full reasoning is written when explain reads it (one claim at a time), and stays ISO until then:
    # writing it for 100,000 claims nobody reads at once cost a third of the sentence work.
    details, why = Reasoning(facts), short_why(*facts, order)
    text = dates_in_order(action.text, order)
    # Positional, in the order of Result._fields (test_every_result_field_holds_its_own_value pins it).
    return [
        c.claim_id, payer.key, payer.name, age, aging_bucket(age, settings), text, action.category,
        due, overdue, deadline.due if deadline else None, tf_days, risk, appeal_due, appeal_days,
        action.underpaid, round(at_stake, 2), s, 0, why, tuple(issues), is_open, details,
    ]


def _cap_override(action: Action, deadline: Deadline | None, appeal_due: date | None, c: Claim,
                  as_of: date) -> Action:
    """A Follow-up Log next date never pushes the work past a deadline still ahead (filing, appeal, documents)."""
    live = [(d, name) for d, name in ((deadline.due if deadline else None, "filing deadline"),
                                      (appeal_due, "appeal deadline"),
                                      (c.docs_due if c.status is Status.DOCS_REQUESTED else None, "documents due date"))
            if d is not None and as_of <= d < action.due]
    if not live:
        return action
    cap, name = min(live)
    return action._replace(due=cap, reason=f"{action.reason}, but that is after the {name} {iso(cap)}, so due then")


def _most_pressing(*days: int | None) -> int | None:
    """Of the live deadlines (days left), the nearest one still ahead, else the most recently passed."""
    best = None
    for d in days:
        if d is None:
            continue
        if best is None or (d >= 0 and (best < 0 or d < best)) or (d < 0 and best < 0 and d > best):
            best = d
    return best


def _unknown_payer(name: str, rules: Rules) -> str:
    from claimbook.rules.payerhint import unknown_payer_message

    return unknown_payer_message(name, rules)


def _proof_text(payer: PayerRules, evidence: tuple[date, str], due: date, action: Action, ap: Appeal) -> str:
    """The Next Action for a timely-filing denial on a claim the tracker shows was filed in time."""
    filed, kind = evidence
    if action.remedy == "reopening":
        how = "request a reopening (a timely-filing denial cannot be appealed)"
    elif not ap.timely_filing_denials_appealable:
        how = f"ask it to correct its error ({payer.name} does not accept appeals of timely-filing denials)"
    else:
        how = "ask for reconsideration"
    return (f"Send {payer.name} proof of timely filing and {how}: the claim was {EVIDENCE_SAID[kind]} "
            f"{iso(filed)}, before the filing deadline {iso(due)}")


def evaluate(claims: Iterable[Claim], rules: Rules, as_of: date) -> Evaluation:
    """Evaluate every claim as of a date.

    Args:
      claims: the claims, in any order; duplicate Claim IDs are flagged on every copy.
      rules: loaded with ``claimbook.rules.load_rules``.
      as_of: "today" for this run; passed in so every result can be reproduced.
    Returns:
      An ``Evaluation`` whose ``results`` are in the same order as ``claims``, with priority ranks
      (1 = work first) over the claims that need action.
    """
    with _cycle_collector_paused():
        return _evaluate(list(claims), rules, as_of)


@contextmanager
def _cycle_collector_paused():
    """Pause Python's cyclic garbage collector for one batch.

    Building 100,000 results allocates millions of small objects, and every few hundred allocations
    the collector rescans them all: that was 40% of a large run. Results hold no reference cycles
    (reference counting frees them), so nothing is lost by pausing it; it is restored even on error.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _evaluate(claims: list[Claim], rules: Rules, as_of: date) -> Evaluation:
    counts = Counter(c.claim_id for c in claims)
    dup = {k for k, n in counts.items() if n > 1 and k}
    others = link(claims)
    try:
        rows = [_assess(c, rules, as_of, c.claim_id in dup, o) for c, o in zip(claims, others)]
    except OverflowError:  # a date near the year 9999 (the table layer stops those; API callers may not)
        rows = [_assess_or_flag(c, rules, as_of, c.claim_id in dup, o) for c, o in zip(claims, others)]
    order = ranks([r[IS_OPEN] for r in rows], [r[SCORE] for r in rows], [r[FOLLOW_UP] for r in rows],
                  [r[CLAIM_ID] for r in rows])
    new = tuple.__new__
    for row, rank in zip(rows, order):
        row[PRIORITY] = rank
    return Evaluation(as_of=as_of, results=tuple([new(Result, row) for row in rows]),
                      rules_problems=tuple(rules.problems), text_dates=rules.settings.text_dates)


def explain(claim: Claim, result: Result, order: str = "iso") -> str:
    """A few lines about one claim for ``claimbook explain`` and the Explain button: the short Why of the
    cell, then the full reasoning with the rules file and source of each rule. ``order``: the date order
    of the sentences ("iso", "mdy", "dmy"), as the tracker's."""
    def d(day):
        return say_date(day, order)

    def left(days: int | None) -> str:
        if days is None:
            return ""
        if days < 0:
            return f"passed {-days} day{'s' if days != -1 else ''} ago"
        return "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} left"

    lines = [
        f"Claim {result.claim_id} - {claim.patient or 'patient not given'} - {result.payer_name} (rules: {result.payer_key})",
        f"Status: {claim.status.value}. Age: {result.age if result.age is not None else '?'} days ({result.bucket or 'no bucket'}).",
        f"Next action: {result.next_action}",
    ]
    if result.follow_up:
        lines.append(f"Due: {d(result.follow_up)}" + (f" ({result.days_overdue} days overdue)" if result.days_overdue else ""))
    if result.tf_deadline and result.tf_risk is Risk.MET:
        lines.append(f"Timely filing: deadline {d(result.tf_deadline)}, met (filed in time)")
    elif result.tf_deadline and result.tf_risk is Risk.PROOF:
        lines.append(f"Timely filing: deadline {d(result.tf_deadline)}, met by the tracker's dates: send the payer that proof")
    elif result.tf_deadline:
        lines.append(f"Timely filing: deadline {d(result.tf_deadline)}, {left(result.tf_days_left)}, "
                     f"risk {result.tf_risk.value if result.tf_risk else '-'}")
    if result.appeal_deadline:
        lines.append(f"Appeal deadline: {d(result.appeal_deadline)} ({left(result.appeal_days_left)})")
    if result.underpaid:
        lines.append(f"Underpaid: ${result.underpaid:,.2f}")
    if result.priority:
        lines.append(f"Priority: #{result.priority} (score {result.score:g}, ${result.at_stake:,.2f} at stake)")
    lines.append(f"Why: {result.why}")
    if result.details and result.details != result.why:
        lines.append(f"Full reasoning and sources: {dates_in_order(str(result.details), order)}")
    for issue in result.data_issues:
        lines.append(f"Data issue: {issue}")
    return "\n".join(lines)
