"""277 / 277CA claim status and acknowledgments against the tracker rows (domain.md 6a).

By the claim's decisive status (``records.DECISIVE_ORDER``: a rejection or an acceptance outranks
"received", a pending or finalized status outranks both). A status from a 277 never overrides a status
set by a remittance or a person after adjudication (Denied, Partially Paid, Paid, Appealed, Closed). An
acceptance (A2) moves a Rejected claim to Accepted when it is dated after the rejection (a resubmission
accepted); an older acceptance leaves it Rejected. A finalized status (F0, F1, F3) with a paid amount
(STC05) records the finalization: Paid with that amount, the adjudication date as Remit Date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

from claimbook.model import Status

from .changes import (_PENDING_CATEGORIES, _PRE_ADJUDICATION, _REJECTED_CATEGORIES, ImportPlan, _as_date,
                      _as_money, _collect, _Row, _rows_for, _text)
from .records import ClaimStatus, StatusReport


def plan_277(statuses: StatusReport | Iterable[StatusReport | ClaimStatus],
             current: Mapping[str, Mapping[str, object]]) -> ImportPlan:
    """Changes a 277 or 277CA (one parsed file, or its claim statuses) makes to the tracker rows."""
    records, _ = _collect(statuses, "claims")
    plan = ImportPlan("277", claims_in_file=len(records))
    for claim_id, row_data, recs in _rows_for(records, current, plan):
        plan.claims_matched += 1
        # The latest status wins (by effective date, then file order).
        latest = max(enumerate(recs), key=lambda ir: (ir[1].effective_date or date.min, ir[0]))[1]
        _apply_277(plan, _Row(plan, claim_id, row_data), latest)
    return plan


def _apply_277(plan: ImportPlan, row: _Row, rec: ClaimStatus) -> None:
    cat = rec.category  # the decisive status of the claim's STCs (records.DECISIVE_ORDER)
    stc = ", ".join(str(s) for s in rec.deciding_statuses)
    when = rec.effective_date
    on = f" on {when.isoformat()}" if when else ""
    reason = f"{rec.transaction} from {rec.payer_name or 'payer'}{on}: STC {stc}"
    current = row.status
    can_move = current is None or current in _PRE_ADJUDICATION

    def move(status: Status) -> None:
        if can_move:
            row.set("Status", status, reason)

    if cat == "A2":
        if current == Status.REJECTED:
            _accepted_after_rejection(plan, row, rec, reason)
            return
        if when and _as_date(row.row.get("Accepted")) is None:
            row.set("Accepted", when, reason)
        if current in (None, Status.NOT_SUBMITTED, Status.SUBMITTED):
            row.set("Status", Status.ACCEPTED, reason)
    elif cat in _REJECTED_CATEGORIES:
        move(Status.REJECTED)
        if can_move:
            row.add_note(f"Rejected by payer{on} ({rec.transaction} {stc})", reason)
            plan.notes.append(f"Claim {row.claim_id} was rejected ({stc}): fix it and resubmit — it is not filed.")
    elif cat in ("A4", "D0"):
        row.add_note(f"Not found at payer{on} ({rec.transaction} {stc})", reason)
        plan.notes.append(f"Claim {row.claim_id}: not found at the payer ({stc}) — check payer ID and member ID, "
                          "resubmit with proof of timely filing.")
    elif cat in _PENDING_CATEGORIES:
        move(Status.PENDING)
    elif cat == "P3" or cat.startswith("R"):
        move(Status.DOCS_REQUESTED)
        if can_move:
            row.add_note(f"Payer requested information{on} ({rec.transaction} {stc})", reason)
    elif cat == "F1" or (cat in _FINALIZED and rec.paid is not None and rec.paid > 0):
        _finalized_paid(plan, row, rec, reason, on, stc, can_move)
    elif cat in _FINALIZED and rec.paid is not None:
        _finalized_unpaid(plan, row, rec, reason, on, stc, can_move)
    elif cat == "F2":
        move(Status.DENIED)
    elif cat == "F4":
        row.add_note(f"Adjudication complete, no payment forthcoming{on} ({rec.transaction} {stc})", reason)
        plan.notes.append(f"Claim {row.claim_id}: payer finalized it with no payment (F4) — review the remittance.")
    elif cat in ("A0", "A5", "F3", "F3F", "F3N") or cat.startswith("E"):
        plan.notes.append(f"Claim {row.claim_id}: status {stc} from {rec.payer_name or 'the payer'}{on} — no change.")
    # A1 (received, not yet accepted) and F0 without amounts change nothing.


_FINALIZED = frozenset({"F0", "F3", "F3F", "F3N"})


def _adjudicated(row: _Row, rec: ClaimStatus, reason: str) -> None:
    """A finalized claim was received: its Accepted date (if blank) and Remit Date (check date, else the
    adjudication date; if blank) record the finalization."""
    when = rec.adjudication_date or rec.effective_date
    if when and _as_date(row.row.get("Accepted")) is None:
        row.set("Accepted", when, reason)
    paid_on = rec.check_date or rec.adjudication_date
    if paid_on and _as_date(row.row.get("Remit Date")) is None:
        row.set("Remit Date", paid_on, reason)


def _finalized_unpaid(plan: ImportPlan, row: _Row, rec: ClaimStatus, reason: str, on: str, stc: str,
                      can_move: bool) -> None:
    """F0/F3 with a paid amount of 0 (STC05): finalized, nothing paid. The claim was received and
    adjudicated (Accepted); the remittance says why nothing was paid."""
    if not can_move:
        return
    _adjudicated(row, rec, reason)
    if row.status in (None, Status.NOT_SUBMITTED, Status.SUBMITTED, Status.PENDING):
        row.set("Status", Status.ACCEPTED, reason)
    row.add_note(f"Finalized with no payment{on} ({rec.transaction} {stc}); post the ERA for the reason", reason)
    plan.notes.append(f"Claim {row.claim_id}: the payer finalized it with 0.00 paid ({stc}) — post the ERA (835) "
                      "to see why.")


_REJECTED_NOTE = re.compile(r"rejected by payer on (\d{4}-\d{2}-\d{2})", re.IGNORECASE)


def _accepted_after_rejection(plan: ImportPlan, row: _Row, rec: ClaimStatus, reason: str) -> None:
    """A2 for a Rejected claim: the resubmitted claim was accepted, when the acceptance is dated after the
    rejection (the latest "Rejected by payer on <date>" note), or, with no such note, on or after the
    Submitted date (the resubmission). An older acceptance leaves the claim Rejected: it is not filed."""
    when = rec.effective_date
    rejected = [d for d in (_as_date(m.group(1)) for m in _REJECTED_NOTE.finditer(_text(row.row.get("Notes")))) if d]
    submitted = _as_date(row.row.get("Submitted"))
    if when is None:
        newer = False
    elif rejected:
        newer = when > max(rejected) or (submitted is not None and submitted >= max(rejected) and when >= submitted)
    else:
        newer = submitted is None or when >= submitted
    on = f" on {when.isoformat()}" if when else ""
    if not newer:
        plan.notes.append(f"Claim {row.claim_id}: an acceptance{on} ({rec.transaction}) is not newer than its "
                          "rejection — status left Rejected; the claim is not filed until it is accepted again.")
        return
    accepted = _as_date(row.row.get("Accepted"))
    if when and (accepted is None or accepted < when):
        row.set("Accepted", when, reason)
    row.set("Status", Status.ACCEPTED, reason)
    plan.notes.append(f"Claim {row.claim_id}: accepted by the payer{on} after its rejection — it counts as filed.")


def _finalized_paid(plan: ImportPlan, row: _Row, rec: ClaimStatus, reason: str, on: str, stc: str,
                    can_move: bool) -> None:
    """F1 (finalized, paid), or F0/F3 with a paid amount. A claim becomes Paid only with the amount: STC05 when the file has it (noted
    as reported by the status file; the ERA has the details). Without it the status stays, with a note:
    Paid with no amount would read as an underpayment of the whole claim."""
    if not can_move:
        return
    amount = rec.paid
    if amount is not None and amount > 0:
        if _as_money(row.row.get("Paid")) in (None, 0.0):
            row.set("Paid", amount, f"{reason} (STC05 paid amount)")
        _adjudicated(row, rec, reason)
        row.set("Status", Status.PAID, reason)
        row.add_note(f"Paid {amount:.2f} as reported by the {rec.transaction} status file{on}; "
                     "post the ERA for the details", reason)
        return
    row.add_note(f"Payer reports paid{on} ({rec.transaction} {stc}); post the ERA", reason)
    plan.notes.append(f"Claim {row.claim_id}: the payer reports it paid ({stc}) but the status file has no "
                      "amount — status not changed; post the ERA (835) to record the payment.")


