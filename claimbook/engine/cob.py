"""Secondary before patient: a primary claim's patient share waits for the secondary payer.

A patient with two coverages owes only what is left after BOTH payers: the primary's coinsurance or
deductible (PR-1/2/3) is billed to the secondary first (domain.md section 5, group code PR: "bill the
patient or the secondary payer"; CARC 23 / OA-23: the secondary reconciles against the primary). So a
primary claim bills the patient only once its secondary has adjudicated, or is known not to pay.

How claims are linked (decision, see docs/engine-decisions.md): a Secondary row belongs to a Primary
row with the same Patient and the same DOS (From date). No new column is needed, the rows a practice
system exports already carry both, and a biller who bills the secondary adds exactly such a row. Rows
without a Patient are never linked. When several secondaries match, the first in the tracker counts.

Crossover: when the primary payer forwarded the claim itself (835 CLP02 19/20/21, written in Notes by
``claimbook import`` as "Forwarded by ... (crossover)", or a Status such as "Crossed over"), the
secondary is already billed: the patient waits for it, and a Secondary row is not submitted again
(domain.md section 6b: "crossover, so don't rebill the secondary").
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Sequence

from claimbook.engine.actions import NOTHING, Action
from claimbook.engine.dates import iso
from claimbook.model import Claim, Order, Status
from claimbook.rules.schema import PayerRules, Rules, version_at

# "Forwarded by Medicare to AARP (crossover)", "crossed over to Medicaid", "claim forwarded to secondary".
# Not CLP02 23 ("Not X's claim, forwarded to ..."), which is a claim sent to the wrong payer.
_CROSSOVER = re.compile(r"\bcross(?:ed)?[ -]?over\b|\bforwarded (?:by|to (?:the )?(?:secondary|supplement|medigap|"
                        r"medicaid|tertiary))", re.IGNORECASE)
_NOT_OURS = re.compile(r"not .{0,40}claim|CLP02 23", re.IGNORECASE)

# Statuses at which the secondary has answered: it paid (something), or denied / paid nothing.
_ANSWERED = frozenset({Status.PAID, Status.PARTIALLY_PAID, Status.DENIED, Status.CLOSED})


def is_crossover(c: Claim) -> bool:
    """The primary payer forwarded this claim to the secondary payer itself."""
    if c.crossover:
        return True
    notes = c.notes
    return bool(notes) and _CROSSOVER.search(notes) is not None and _NOT_OURS.search(notes) is None


def _key(c: Claim, said: dict[str, str]) -> tuple[str, date] | None:
    """(patient as compared, DOS); ``said`` remembers each Patient cell's comparable form for one batch."""
    patient = said.get(c.patient)
    if patient is None:
        patient = said[c.patient] = " ".join(c.patient.lower().replace(",", " ").split())
    return (patient, c.dos_from) if patient and c.dos_from is not None else None


def link(claims: Sequence[Claim]) -> list[Claim | None]:
    """For each claim, the claim on the other side of its coordination of benefits, or None: a Primary
    row gets its Secondary row, a Secondary row its Primary row (same patient and DOS)."""
    out: list[Claim | None] = [None] * len(claims)
    said: dict[str, str] = {}  # a practice's patients have many claims each
    secondaries: dict[tuple, Claim] = {}
    for c in claims:
        if c.order is Order.SECONDARY:
            k = _key(c, said)
            if k is not None:
                secondaries.setdefault(k, c)
    if not secondaries:
        return out
    primaries: dict[tuple, Claim] = {}
    days = {k[1] for k in secondaries}  # a cheap first test: most primaries share no date with a secondary
    for i, c in enumerate(claims):
        if c.order is Order.PRIMARY and c.dos_from in days:
            k = _key(c, said)
            if k is not None and k in secondaries:
                out[i] = secondaries[k]
                primaries.setdefault(k, c)
    for i, c in enumerate(claims):
        if c.order is Order.SECONDARY:
            k = _key(c, said)
            if k is not None and k in primaries:
                out[i] = primaries[k]
    return out


def coordinate(c: Claim, action: Action, other: Claim | None, payer: PayerRules, rules: Rules) -> Action:
    """The action once the other coverage is taken into account (unchanged when nothing applies)."""
    if c.order is Order.PRIMARY and action.category == "bill_patient":
        return _primary_patient_share(c, action, other, payer, rules)
    if (c.order is Order.SECONDARY and c.status is Status.NOT_SUBMITTED and other is not None
            and is_crossover(other)):
        return _crossover_secondary(c, other, rules)
    return action


def _primary_patient_share(c: Claim, action: Action, sec: Claim | None, payer: PayerRules, rules: Rules) -> Action:
    share = f"${c.patient_resp:,.2f}" if c.patient_resp else "the patient's share"
    if sec is None:
        if not is_crossover(c):
            return action
        due, start = _crossover_check(c, rules)
        return Action(f"Hold the patient's bill ({share}): {payer.name} forwarded the claim to the secondary payer "
                      f"(crossover); if that payer has not paid by {iso(due)}, check with it", "status_check", due,
                      f"crossover: the secondary pays after {payer.name}; its usual "
                      f"{(due - start).days} days from the remittance {iso(start)}",
                      at_stake=c.patient_resp or None)
    if sec.status in _ANSWERED:
        if sec.paid > 0 and sec.patient_resp > 0:  # the secondary row bills what is left: never twice
            return Action(f"Nothing to bill from this claim: the patient's share after both payers is on secondary "
                          f"claim {sec.claim_id} ({sec.payer or 'secondary payer'})", NOTHING, None,
                          f"the secondary claim {sec.claim_id} has paid; what the patient owes is billed from it")
        if sec.paid > 0:  # no Patient Resp on the secondary row: what is left is this share less its payment
            left = round(c.patient_resp - sec.paid, 2)
            if left <= 0.004:
                return Action(f"Nothing to bill: secondary claim {sec.claim_id} ({sec.payer or 'secondary payer'}) "
                              "paid the patient's share", NOTHING, None,
                              f"the secondary claim {sec.claim_id} paid ${sec.paid:,.2f} of the ${c.patient_resp:,.2f}")
            due = sec.remit_date or action.due
            return Action(f"Bill the patient ${left:,.2f} (what is left after secondary claim {sec.claim_id} paid "
                          f"${sec.paid:,.2f})", "bill_patient", due,
                          f"patient share ${c.patient_resp:,.2f} less the secondary's payment ${sec.paid:,.2f} on "
                          f"its remittance {iso(sec.remit_date)}", at_stake=left)
        return action._replace(reason=f"{action.reason}; the secondary claim {sec.claim_id} paid nothing")
    return Action(f"Hold the patient's bill ({share}) until secondary claim {sec.claim_id} "
                  f"({sec.payer or 'secondary payer'}) has paid", NOTHING, None,
                  f"the secondary claim {sec.claim_id} (same patient and date of service) is {sec.status.value}; "
                  "the patient owes only what is left after it")


def _crossover_check(c: Claim, rules: Rules) -> tuple[date, date]:
    start = c.remit_date or c.submitted or c.dos_from or date.min
    usual = version_at(rules.default.follow_up, c.dos_from).expected_adjudication
    return start + timedelta(days=usual), start


def _crossover_secondary(c: Claim, primary: Claim, rules: Rules) -> Action:
    due, start = _crossover_check(primary, rules)
    return Action(f"Do not submit: {primary.payer or 'the primary payer'} forwarded claim {primary.claim_id} to this "
                  f"payer (crossover); if it has not paid by {iso(due)}, check with it", "status_check", due,
                  f"crossover from the primary claim {primary.claim_id}, remittance {iso(start)}, plus the usual "
                  f"{(due - start).days} days", at_stake=None)
