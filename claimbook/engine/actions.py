"""The next action for a claim, from its state: one small function per state (``STEPS``).

Each step returns an ``Action``: what to do, its category, when it is due, and the reason in words
(which dates and which rule made the date). ``next_action`` picks the step for the claim's status.
Follow-up timing comes from the payer's rules (``follow_up`` section): the first status check is
``submitted + first_check`` for the channel, later ones ``last contact + recheck_every``; the later
date wins. A next date typed in the Follow-up Log overrides the computed date.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Callable, NamedTuple

from claimbook.engine.dates import add_business_days, add_period, iso
from claimbook.model import Channel, Claim, Order, Status
from claimbook.rules.schema import Appeal, Cited, DenialRule, FollowUp, PayerRules, Rules, version_at

# Clearinghouse acceptance reports (999/277CA) come back within about a day (domain.md s3, Kareo);
# a claim still without acceptance two days after submission needs a look.
ACCEPTANCE_CHECK_DAYS = 2
# Denials and short payments are worked within 10 business days (athenahealth's SLA, domain.md s3).
DENIAL_WORK_BUSINESS_DAYS = 10
# Prompt-pay laws typically give paper claims 15 days more than electronic ones (30 vs 45 days,
# domain.md s3), so a paper claim is escalated that much later than the payer's usual adjudication time.
PAPER_EXTRA_DAYS = 15


class Action(NamedTuple):
    text: str
    category: str  # "none" when nothing needs doing
    due: date | None
    reason: str  # the rule and dates, for the "why"
    needs_new_claim: bool = False  # a new or corrected claim must reach the payer (TF risk is live)
    corrected: bool = False  # ... and it is a corrected/replacement claim (corrected-claim limit)
    appeal: DenialRule | None = None  # the claim's denial code that can be appealed, if any
    underpaid: float = 0.0
    at_stake: float | None = None  # dollars, when the action is about a specific amount
    cite: Cited | None = None  # the rules section behind the due date, for the "why"
    overridden: bool = False  # the due date is a next date typed in the Follow-up Log
    remedy: str = ""  # "reopening" (its deadline, not the appeal's, applies) or "late_appeal" (filed too late)


NOTHING = "none"


def open_balance(c: Claim) -> float:
    """Dollars the practice still expects from the payer: expected (or billed) less paid and patient share."""
    base = c.expected if c.expected else c.billed
    return round(max(0.0, base - c.paid - c.patient_resp), 2)


def underpaid_amount(c: Claim, payer: PayerRules) -> float:
    """Expected - paid - patient responsibility, when that is beyond the payer's tolerance; else 0."""
    if not c.expected or c.status not in (Status.PAID, Status.PARTIALLY_PAID, Status.DENIED):
        return 0.0
    if not c.paid and c.remit_date is None:
        return 0.0  # nothing posted yet: see step_paid's "post the payment"
    short = round(c.expected - c.paid - c.patient_resp, 2)
    tol = version_at(payer.underpayment, c.dos_from)
    allowed = max(tol.tolerance_amount, c.expected * tol.tolerance_percent / 100.0)
    return short if short > allowed + 0.004 else 0.0


def overpaid_amount(c: Claim, payer: PayerRules) -> float:
    """Paid + patient responsibility - expected, when that is beyond the payer's tolerance; else 0."""
    if not c.expected or c.status not in (Status.PAID, Status.PARTIALLY_PAID, Status.DENIED) or not c.paid:
        return 0.0
    over = round(c.paid + c.patient_resp - c.expected, 2)
    tol = version_at(payer.underpayment, c.dos_from)
    allowed = max(tol.tolerance_amount, c.expected * tol.tolerance_percent / 100.0)
    return over if over > allowed + 0.004 else 0.0


def _later(a: date | None, b: date | None) -> date | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if a >= b else b


def _recheck(c: Claim, every: int) -> tuple[date | None, str]:
    if c.last_contact is None:
        return None, ""
    due = c.last_contact + timedelta(days=every)
    return due, f"last contact {iso(c.last_contact)} + {every} days"


def step_not_submitted(c: Claim, payer: PayerRules, rules: Rules, as_of: date) -> Action:
    days = rules.settings.submit_within_days
    text = "Submit the claim"
    if c.order is Order.SECONDARY:
        # A secondary claim goes out with the primary payer's EOB, so its clock starts there.
        if c.primary_eob_date is not None:
            return Action(text, "submit", c.primary_eob_date + timedelta(days=days),
                          f"not submitted yet; secondary claims go out within {days} days of the primary EOB "
                          f"{iso(c.primary_eob_date)} ({rules.settings.file})", needs_new_claim=True,
                          at_stake=open_balance(c))
        text = "Submit the secondary claim with the primary payer's EOB (enter its date in Primary EOB Date)"
    if c.dos_from is None:
        return Action(text, "submit", as_of, "not submitted yet, no date of service",
                      needs_new_claim=True, at_stake=open_balance(c))
    due = c.dos_from + timedelta(days=days)
    return Action(text, "submit", due,
                  f"not submitted yet; claims go out within {days} days of the date of service {iso(c.dos_from)} "
                  f"({rules.settings.file})", needs_new_claim=True, at_stake=open_balance(c))


def step_rejected(c: Claim, payer: PayerRules, rules: Rules, as_of: date) -> Action:
    # A rejected claim never reached adjudication: it is not filed, so fix and resubmit now.
    due = _later(c.last_contact, c.submitted) or as_of
    return Action("Fix the rejection and resubmit the claim now", "resubmit", due,
                  "rejected claims are not filed; the filing clock keeps running", needs_new_claim=True,
                  at_stake=open_balance(c), cite=version_at(payer.timely_filing, c.dos_from).cited)


def step_submitted(c: Claim, payer: PayerRules, rules: Rules, as_of: date) -> Action:
    if c.channel is Channel.PAPER:
        return step_in_process(c, payer, rules, as_of)  # no electronic acknowledgment for paper claims
    if c.submitted is None:
        return Action("Confirm the claim was sent and accepted (clearinghouse report)", "confirm_acceptance",
                      as_of, "no submission date", needs_new_claim=True)
    due = c.submitted + timedelta(days=ACCEPTANCE_CHECK_DAYS)
    reason = f"acceptance report expected within {ACCEPTANCE_CHECK_DAYS} days of submission on {iso(c.submitted)}"
    re_due, re_reason = _recheck(c, version_at(payer.follow_up, c.dos_from).recheck_every)
    if re_due and re_due > due:
        due, reason = re_due, re_reason
    return Action("Confirm the payer accepted the claim (clearinghouse 999/277CA report)", "confirm_acceptance",
                  due, reason, needs_new_claim=True, cite=version_at(payer.timely_filing, c.dos_from).cited)


def step_in_process(c: Claim, payer: PayerRules, rules: Rules, as_of: date) -> Action:
    """Accepted or pending with no remittance: status check, then escalate past adjudication time."""
    fu: FollowUp = version_at(payer.follow_up, c.dos_from)
    start = c.submitted or c.accepted
    if start is None:
        return Action(f"Check claim status with {payer.name}", "status_check", as_of,
                      "no submission date, so the first check is today")
    channel = "paper" if c.channel is Channel.PAPER else "electronic"
    first = fu.first_check_paper if c.channel is Channel.PAPER else fu.first_check_electronic
    due = start + timedelta(days=first)
    reason = f"status check {first} days after {channel} submission on {iso(start)}"
    re_due, re_reason = _recheck(c, fu.recheck_every)
    if re_due and re_due > due:
        due, reason = re_due, f"{reason}, {re_reason}"
    usual = fu.expected_adjudication + (PAPER_EXTRA_DAYS if c.channel is Channel.PAPER else 0)
    overdue_at = start + timedelta(days=usual)
    if as_of > overdue_at:
        text = _escalate_text(payer, rules)
        reason = f"unpaid past the usual {usual} days after {channel} submission on {iso(start)}"
        due = overdue_at
        if re_due and re_due > due:
            due, reason = re_due, f"{reason}, {re_reason}"
        return Action(text, "escalate", due, reason, cite=fu.cited)
    return Action(f"Check claim status with {payer.name} (portal or 276/277)", "status_check", due, reason,
                  cite=fu.cited)


def _escalate_text(payer: PayerRules, rules: Rules) -> str:
    key = ("escalate", payer.key)
    text = rules._match_cache.get(key)
    if text is None:
        how = payer.contact.how()
        text = f"Escalate: call {payer.name} for status and get a reference number" + (f" ({how})" if how else "")
        rules._match_cache[key] = text
    return text


def step_docs_requested(c: Claim, payer: PayerRules, rules: Rules, as_of: date) -> Action:
    if c.docs_due is not None and c.last_contact is not None and c.last_contact >= c.docs_due:
        # Worked on or after the due date (records sent, most often): check the payer has them.
        fu = version_at(payer.follow_up, c.dos_from)
        due, reason = _recheck(c, fu.recheck_every)
        return Action(f"Check {payer.name} received the records (then set Status back to Pending)", "status_check",
                      due, f"documents were due {iso(c.docs_due)}, {reason}", cite=fu.cited)
    if c.docs_due is None:
        return Action("Send the requested records (ask the payer for the due date)", "send_docs", as_of,
                      "documents requested, no due date recorded")
    return Action(f"Send the requested records by {iso(c.docs_due)}", "send_docs", c.docs_due,
                  f"documents due {iso(c.docs_due)}")


def _denials(c: Claim, rules: Rules, skip: frozenset[str] = frozenset()) -> list[DenialRule]:
    """The claim's denial codes that need work, most urgent first. Codes of equal urgency go in code
    order, so the order they were typed in never changes the answer."""
    lookup = rules.denials.lookup
    found = [rule for rule in [lookup(code.group, code.carc, code.rarcs) for code in c.denial_codes]
             if rule.category not in skip]
    if len(found) > 1:
        found.sort(key=_most_urgent_first)
    return found


def _most_urgent_first(rule: DenialRule) -> tuple[int, str]:
    return -rule.priority, rule.code


def _work_by(c: Claim, payer: PayerRules, rules: Rules, as_of: date, what: str) -> tuple[date, str]:
    """Due date for working a remittance: 10 business days after it, or, once a contact is logged, the
    payer's re-check interval after that contact (the later date wins)."""
    if c.remit_date is None:
        due, reason = as_of, f"{what}, no remittance date recorded"
    else:
        due = add_business_days(c.remit_date, DENIAL_WORK_BUSINESS_DAYS, rules.holidays)
        reason = f"{what} on remittance {iso(c.remit_date)}, worked within {DENIAL_WORK_BUSINESS_DAYS} business days"
    re_due, re_reason = _recheck(c, version_at(payer.follow_up, c.dos_from).recheck_every)
    if re_due and re_due > due:
        due, reason = re_due, f"{reason}, {re_reason}"
    return due, reason


PASSIVE = frozenset({"no_action"})
PASSIVE_OR_PATIENT = PASSIVE | {"patient_resp"}  # a partial payment: the patient's share is not the payer's denial
# Denials fixed by sending the payer a corrected claim: the filing (or corrected-claim) deadline is live again.
CORRECTED = frozenset({"correct_resubmit", "bundling", "coding_review", "eligibility", "credentialing"})


def _needs_new_claim(rule: DenialRule) -> bool:
    return rule.category in CORRECTED or "MA130" in rule.code  # MA130: a new claim, not a corrected one


def _denial_action(c: Claim, payer: PayerRules, rules: Rules, as_of: date, found: list[DenialRule]) -> Action:
    """Work the most urgent code; the others still count: any code that needs a new claim keeps the
    filing deadline live, and any appealable code gives the claim its appeal deadline."""
    rule = found[0]
    if rule.category == "underpayment_check" and c.expected:  # with an Expected amount, the check is done here
        if underpaid_amount(c, payer):
            return _dispute_underpayment(c, payer, rules, as_of)
        return step_paid(c, payer, rules, as_of)
    due, reason = _work_by(c, payer, rules, as_of, f"denial {rule.code} ({rule.file}:{rule.line})")
    text = rule.action
    ap: Appeal = version_at(payer.appeal, c.dos_from)
    if rule.category == "timely_filing" and not ap.timely_filing_denials_appealable:
        text = (f"{payer.name} does not accept appeals of timely-filing denials: if its own error caused it, "
                "request a reopening; otherwise write the claim off (do not bill the patient)")
    # No appeal rights on the claim: a timely-filing denial where the payer allows no appeal of those,
    # or MA130 (unprocessable: a new claim, never an appeal). Otherwise any appealable code gives one.
    barred = any((r.category == "timely_filing" and not ap.timely_filing_denials_appealable) or "MA130" in r.code
                 for r in found)
    appeal = None if barred else next((r for r in found if r.appealable), None)
    # Where the payer handles the leading code as a reopening (Medicare: wrong duplicate denials, its own
    # error behind a timely-filing denial), the action names a reopening and its deadline applies.
    remedy = ""
    if ap.reopening_window is not None and (
            rule.reopening_action or (rule.category == "timely_filing" and not ap.timely_filing_denials_appealable)):
        remedy = "reopening"
        text = rule.reopening_action or text
    if rule.category == "patient_resp":
        return Action(text, "bill_patient", due, reason, appeal=appeal, at_stake=c.patient_resp or None)
    new_claim = [r for r in found if _needs_new_claim(r)]
    corrected = any("MA130" not in r.code for r in new_claim)
    return Action(text, rule.category, due, reason, needs_new_claim=bool(new_claim), corrected=corrected,
                  appeal=appeal, remedy=remedy)


def step_denied(c: Claim, payer: PayerRules, rules: Rules, as_of: date) -> Action:
    found = _denials(c, rules, skip=PASSIVE)
    if not found:
        if c.denial_codes:  # only contractual codes such as CO-45: nothing to fight unless underpaid
            return step_paid(c, payer, rules, as_of)
        return Action("Find the denial reason (CARC/RARC) on the remittance and enter it in Denial Codes",
                      "review", c.remit_date or as_of, "denied with no denial code recorded")
    return _denial_action(c, payer, rules, as_of, found)


def step_appealed(c: Claim, payer: PayerRules, rules: Rules, as_of: date) -> Action:
    ap = version_at(payer.appeal, c.dos_from)
    if c.appeal_filed is None:
        return Action("Check the appeal status (enter the date it was filed in Appeal Filed)", "appeal_status",
                      as_of, "appeal filed date missing")
    due = c.appeal_filed + timedelta(days=ap.recheck_every)
    reason = f"appeal status check {ap.recheck_every} days after the appeal filed {iso(c.appeal_filed)}"
    re_due, re_reason = _recheck(c, ap.recheck_every)
    if re_due and re_due > due:
        due, reason = re_due, f"{reason}, {re_reason}"
    window_due = appeal_window_due(c, ap)
    if window_due is not None and c.appeal_filed > window_due:
        # Filed after the window: the payer will dismiss it unless it accepts a reason for the delay.
        return Action(f"Appeal filed late ({iso(c.appeal_filed)}, after the {iso(window_due)} deadline): ask "
                      f"{payer.name} to accept it for good cause or another exception it allows (its own error, "
                      "a late notice); otherwise write the amount off - do not bill the patient", "appeal_status",
                      due, reason, cite=ap.cited, remedy="late_appeal")
    return Action(f"Check the appeal status with {payer.name}", "appeal_status", due, reason, cite=ap.cited)


def appeal_window_due(c: Claim, ap: Appeal) -> date | None:
    """Remittance date + presumed receipt + the appeal window, or None without a remittance date."""
    if c.remit_date is None:
        return None
    return add_period(c.remit_date + timedelta(days=ap.receipt_presumption), ap.window)


def step_partially_paid(c: Claim, payer: PayerRules, rules: Rules, as_of: date) -> Action:
    found = _denials(c, rules, skip=PASSIVE_OR_PATIENT)
    if found:
        return _denial_action(c, payer, rules, as_of, found)
    return step_paid(c, payer, rules, as_of)


def step_paid(c: Claim, payer: PayerRules, rules: Rules, as_of: date) -> Action:
    if c.status is not Status.DENIED and not c.paid and c.remit_date is None and (c.expected or c.billed):
        # Marked paid (e.g. from a 277 F1) but no payment or remittance is recorded yet.
        return Action(f"Post the payment from {payer.name}'s ERA/EOB (status is {c.status.value} but no paid "
                      "amount or remit date is recorded)", "post_payment", c.last_contact or as_of,
                      "paid status with no payment posted", at_stake=open_balance(c))
    if overpaid_amount(c, payer):
        return _refund_overpayment(c, payer, rules, as_of)
    if underpaid_amount(c, payer):
        return _dispute_underpayment(c, payer, rules, as_of)
    if c.patient_resp > 0:
        cycle = rules.settings.statement_cycle_days
        start = c.remit_date or as_of
        due, reason = start, f"patient balance after remittance {iso(c.remit_date)}"
        if c.last_contact and c.last_contact >= start:
            due = c.last_contact + timedelta(days=cycle)
            reason = f"last statement/contact {iso(c.last_contact)} + {cycle}-day statement cycle ({rules.settings.file})"
        return Action(f"Bill the patient ${c.patient_resp:,.2f}", "bill_patient", due, reason,
                      at_stake=c.patient_resp)
    if c.status is Status.DENIED:
        return Action("Nothing to do: contractual adjustment only", NOTHING, None, "only contractual adjustments")
    return Action("Nothing to do: paid", NOTHING, None, "paid in full")


def _dispute_underpayment(c: Claim, payer: PayerRules, rules: Rules, as_of: date) -> Action:
    short = underpaid_amount(c, payer)
    due, reason = _work_by(c, payer, rules, as_of, f"paid ${c.paid:,.2f} against ${c.expected:,.2f} expected")
    return Action(f"Dispute the underpayment of ${short:,.2f} with {payer.name}", "underpayment", due, reason,
                  underpaid=short, at_stake=short, cite=version_at(payer.underpayment, c.dos_from).cited)


def _refund_overpayment(c: Claim, payer: PayerRules, rules: Rules, as_of: date) -> Action:
    """An overpayment is the payer's money: review it and give it back. Where the law sets a deadline
    (Medicare, Medicaid: 60 days from identification, 42 CFR 401.305), it counts from the remittance,
    the day the posted payment showed the excess."""
    over = overpaid_amount(c, payer)
    tol = version_at(payer.underpayment, c.dos_from)
    what = f"paid ${c.paid:,.2f}" + (f" + patient share ${c.patient_resp:,.2f}" if c.patient_resp else "") + \
        f" against ${c.expected:,.2f} expected"
    if tol.refund_within is None:
        due, reason = _work_by(c, payer, rules, as_of, what)
        return Action(f"Review the overpayment of ${over:,.2f} from {payer.name}; if confirmed, refund it (or let "
                      "the payer take it back) as your contract says", "refund_review", due, reason,
                      at_stake=over, cite=tol.cited)
    found = c.remit_date or c.last_contact or as_of
    said = "remittance" if c.remit_date else ("last contact" if c.last_contact else "today, no remittance date")
    due = add_period(found, tol.refund_within)
    cite = Cited(tol.refund_source or tol.cited.source, tol.cited.effective_from, tol.cited.file, tol.cited.line)
    return Action(f"Review the overpayment of ${over:,.2f} and, if confirmed, report and return it to {payer.name} "
                  f"by {iso(due)} ({tol.refund_within} after it was identified)", "refund_review", due,
                  f"{what}; overpayments are reported and returned within {tol.refund_within} of identification "
                  f"({cite.source}), counted from the {said} {iso(found)}", at_stake=over, cite=cite)


def step_closed(c: Claim, payer: PayerRules, rules: Rules, as_of: date) -> Action:
    return Action("Nothing to do: closed", NOTHING, None, "closed")


STEPS: dict[Status, Callable[[Claim, PayerRules, Rules, date], Action]] = {
    Status.NOT_SUBMITTED: step_not_submitted,
    Status.SUBMITTED: step_submitted,
    Status.ACCEPTED: step_in_process,
    Status.PENDING: step_in_process,
    Status.REJECTED: step_rejected,
    Status.DOCS_REQUESTED: step_docs_requested,
    Status.DENIED: step_denied,
    Status.APPEALED: step_appealed,
    Status.PARTIALLY_PAID: step_partially_paid,
    Status.PAID: step_paid,
    Status.CLOSED: step_closed,
}


def next_action(c: Claim, payer: PayerRules, rules: Rules, as_of: date) -> Action:
    """The action for the claim's status, with a Follow-up Log next date overriding the due date.

    The log's next date only counts while it is news: a remittance, an acceptance, a submission or an
    appeal recorded after the newest log entry (the last contact) makes it stale. (The engine also never
    lets it fall after a live deadline: see ``engine._cap_override``.)
    """
    action = STEPS[c.status](c, payer, rules, as_of)
    if c.next_date_override is None or action.category == NOTHING or _override_is_stale(c):
        return action
    return action._replace(due=c.next_date_override, overridden=True,
                           reason=f"next date {iso(c.next_date_override)} set in the Follow-up Log")


def _override_is_stale(c: Claim) -> bool:
    if c.last_contact is None:
        return True
    return any(d is not None and d > c.last_contact for d in (c.remit_date, c.accepted, c.submitted, c.appeal_filed))
