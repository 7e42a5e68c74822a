"""835 remittances against the tracker rows: Paid, Patient Resp, Status, Denial Codes, Remit Date, Notes.

Per claim (CLP01 = the row's Claim ID), after the payer checks (payers.py):
  * Different patients under one Claim ID (NM1*QC member ID, else name, differ) are never merged: the
    ones that are not the row's patient are listed, not applied; when the row's patient cannot be told,
    none is applied and the report says so (``_one_patient``).
  * CLP02 23 (not our claim) and 25 (predetermination) pay nothing: a note, no change to the money.
  * Every other CLP is posted to the row's payment history (history.py, the Payments sheet), and the row
    is worked out from the whole history, so the order of files and imports does not matter: reversals
    (CLP02 22) cancel the payment they net to zero whichever came first, payments under different payer
    claim numbers (CLP07) add up, the same payment twice (a file imported again, an ERA sent again)
    counts once. With no payment standing (paid and reversed, or a reversal whose payment is not posted)
    Paid and Patient Resp are 0 and Status is Pending until the corrected remittance arrives.
  * Status: Denied when nothing was paid and a CLP02 is 4, or nothing was paid and there is a CO/OA/PI
    adjustment other than the no-action and prior-payer codes (45, 253, 23); otherwise Paid when paid >=
    charge - (PR adjustments + CO/OA/PI 45, 253, 23), else Partially Paid. A denial of the whole claim
    that another payment of the whole claim re-adjudicated (a corrected claim paid) no longer counts.
  * Denial Codes: every group-CARC with a non-zero amount except CO-45 and CO-253, written
    ``CO-50 N115; PR-2``; remark codes attach to the first CO/OA/PI code of their line or claim. Codes are
    recorded as sent, whether or not claimbook knows them.
  * A crossover (CLP02 19/20/21, an NM1*TT crossover carrier, remark MA18 or N89) gets the note
    "Forwarded by <payer> to <payer> (crossover)": the patient's share waits for the secondary payer
    (the engine reads the note).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

from claimbook.model import Status

from .changes import (ImportPlan, PayerKey, Unmatched, _as_date, _as_money, _collect, _Row, _rows_for, _text, claim_status,
                      denial_codes, describe_plb)
from .history import LEGACY_FILE, Posted, from_payment, merge_codes, settle, union
from .payers import _order_conflict, _payer_for_row, _same_payer_only
from .records import NOT_OUR_CLAIM, PREDETERMINATION, PROCESSED_AS, ClaimPayment, ProviderAdjustment, Remittance

History = Mapping[str, list[Posted]]


def plan_835(remits: Remittance | Iterable[Remittance | ClaimPayment | ProviderAdjustment],
             current: Mapping[str, Mapping[str, object]], payer_key: PayerKey | None = None,
             history: History | None = None) -> ImportPlan:
    """Changes an 835 (one parsed file, or its claim payments) makes to the tracker rows in ``current``.

    ``payer_key`` maps a payer (name, payer ID) to its payer rules' key (None when unknown); without it
    payers are compared by name and payer ID only (``payers_differ``). ``history`` maps Claim ID to the
    payments already posted to that row (the Payments sheet); the payments this file adds are in
    ``plan.posted``."""
    payments, plbs = _collect(remits, "claims")
    file = os.path.basename(remits.path) if isinstance(remits, Remittance) else ""
    plan = ImportPlan("835", claims_in_file=len(payments), provider_adjustments=list(plbs))
    for claim_id, row_data, pays in _rows_for(payments, current, plan):
        pays = _one_patient(plan, claim_id, row_data, pays)
        if not pays:
            continue
        pays, others = _payer_for_row(row_data, pays, payer_key)
        for pay, why in others:
            plan.unmatched.append(Unmatched(claim_id, why, pay))
        if others:
            plan.notes.append(f"Claim {claim_id}: {others[0][1]}.")
        pays = _same_payer_only(plan, claim_id, row_data, pays, payer_key)
        if not pays:
            continue
        conflict = _order_conflict(row_data, pays)
        if conflict:
            for pay in pays:
                plan.unmatched.append(Unmatched(claim_id, conflict, pay))
            plan.notes.append(f"Claim {claim_id}: not applied — {conflict}.")
            continue
        plan.claims_matched += 1
        posted = list((history or {}).get(claim_id) or [])
        _apply_835(plan, _Row(plan, claim_id, row_data), pays, posted, file)

    for plb in plbs:
        plan.notes.append(describe_plb(plb))
    return plan


def _patient(pay: ClaimPayment, by_id: bool) -> str:
    if by_id:
        return re.sub(r"[^A-Z0-9]", "", pay.member_id.upper())
    return " ".join(sorted(re.sub(r"[^a-z ]", " ", pay.patient_name.lower()).split()))


def _same_person(row_patient: str, pay: ClaimPayment) -> bool:
    a = set(re.sub(r"[^a-z ]", " ", row_patient.lower()).split())
    b = set(re.sub(r"[^a-z ]", " ", pay.patient_name.lower()).split())
    return bool(a) and bool(b) and (a <= b or b <= a)


def _one_patient(plan: ImportPlan, claim_id: str, row: Mapping[str, object], pays: list[ClaimPayment]
                 ) -> list[ClaimPayment]:
    """The payments for one patient: several patients under one Claim ID are not merged silently."""
    by_id = all(p.member_id.strip() for p in pays)  # member IDs when every CLP has one, else names
    groups: dict[str, list[ClaimPayment]] = {}
    for pay in pays:
        groups.setdefault(_patient(pay, by_id), []).append(pay)
    if len([k for k in groups if k]) < 2:
        return pays
    row_patient = _text(row.get("Patient"))
    mine = [g for g in groups.values() if row_patient and all(_same_person(row_patient, p) for p in g)]
    names = "; ".join(f"{g[0].patient_name or '(no name)'}"
                      + (f" member ID {g[0].member_id}" if g[0].member_id else "") for g in groups.values())
    if len(mine) == 1:
        keep = mine[0]
        why = ("a different patient under the same Claim ID (member ID or name differ from the tracker row's "
               "patient) — not applied; check the claim number the practice system sent")
        for g in groups.values():
            if g is not keep:
                plan.unmatched.extend(Unmatched(claim_id, why, p, f"patients in the remittance: {names}") for p in g)
        plan.notes.append(f"Claim {claim_id}: the remittance has {len(groups)} different patients under this Claim "
                          "ID; only the tracker row's patient was applied (the others are listed on the Import Log).")
        return keep
    why = (f"{len(groups)} different patients under this Claim ID in the remittance (member ID or name differ) — "
           "nothing applied; check which one is the tracker's claim and post it by hand")
    plan.unmatched.extend(Unmatched(claim_id, why, p, f"patients in the remittance: {names}") for p in pays)
    plan.notes.append(f"Claim {claim_id}: not applied — {why}.")
    return []


# The payments a row noted before the Payments sheet existed: "Payer claim # X", "Payment reversed by
# payer (claim # X)". Read only to carry such a row's Paid over into its payment history.
_PAID_NOTE = re.compile(r"payer claim # ([^\s;]+)", re.IGNORECASE)
_REVERSED_NOTE = re.compile(r"payment reversed by payer \(claim # ([^)]+)\)", re.IGNORECASE)


def _noted(row: _Row, pattern: re.Pattern[str]) -> set[str]:
    return {m.group(1).strip().rstrip(".,") for m in pattern.finditer(_text(row.row.get("Notes")))}


def _legacy(row: _Row, new: list[Posted]) -> list[Posted]:
    """A row posted by an older claimbook (no Payments sheet lines for it): what its Paid holds beyond
    this file's own payments, as one payment under the payer claim numbers its notes list that are not in
    this file. The amounts per claim number were never kept, so this is the best that can be told."""
    noted = _noted(row, _PAID_NOTE) - _noted(row, _REVERSED_NOTE)
    paid = _as_money(row.row.get("Paid"))
    if not noted or paid is None:
        return []
    again = [p for p in new if not p.is_reversal and p.icn in noted]
    others = noted - {p.icn for p in again}
    if not others:
        return []
    rest = round(paid - sum(p.paid for p in again), 2)
    resp = round((_as_money(row.row.get("Patient Resp")) or 0.0) - sum(p.patient_resp for p in again), 2)
    billed = _as_money(row.row.get("Billed"))
    charge = round((billed or paid) - sum(p.charge for p in new if not p.is_reversal and p.icn not in noted), 2)
    denied = _text(row.row.get("Status")).lower() == "denied"
    return [Posted(row.claim_id, " ".join(sorted(others)), "4" if denied else "1", max(charge, rest, 0.0), rest,
                   resp, remit_date=_as_date(row.row.get("Remit Date")), codes=_text(row.row.get("Denial Codes")),
                   file=LEGACY_FILE)]


def _source(pay: ClaimPayment) -> str:
    return f"835 from {pay.payer_name or 'payer'}" + (f" ({pay.remit_date.isoformat()})" if pay.remit_date else "")


def _not_a_payment(plan: ImportPlan, row: _Row, pay: ClaimPayment) -> None:
    """CLP02 23 / 25: noted on the claim and in the report; Status and the money columns stay."""
    who = pay.payer_name or "the payer"
    on = f" (remittance of {pay.remit_date.isoformat()})" if pay.remit_date else ""
    reason = f"{_source(pay)}: CLP02 {pay.status_code}"
    if pay.status_code == NOT_OUR_CLAIM:
        to = f" to {pay.crossover_payer}" if pay.crossover_payer else ""
        row.add_note(f"Not {who}'s claim, forwarded{to or ' to another payer'}{on} (CLP02 23)", reason)
        plan.notes.append(f"Claim {row.claim_id}: {who} says it is not their claim and forwarded it{to} (CLP02 23) — "
                          "Status and Paid not changed; check which payer covers this claim.")
    elif pay.status_code == PREDETERMINATION:
        row.add_note(f"Predetermination only from {who}{on}, not a payment (CLP02 25)", reason)
        plan.notes.append(f"Claim {row.claim_id}: {who} sent predetermination pricing (CLP02 25), not a payment — "
                          "Status and Paid not changed.")


def _crossover_notes(plan: ImportPlan, row: _Row, standing: list[Posted], reason: str) -> None:
    for p in standing:
        if p.forwarded_to:
            who = p.payer_name or "payer"
            row.add_note(f"Forwarded by {who} to {p.forwarded_to} (crossover)", reason)
            role = PROCESSED_AS.get(p.status_code) or "primary"
            plan.notes.append(
                f"Claim {row.claim_id} processed as {role} by {who} and forwarded to {p.forwarded_to} (crossover) — "
                f"do not bill the {'secondary' if role == 'primary' else 'next'} payer yourself; the patient's "
                "share waits until that payer has paid.")


def _superseded(standing: list[Posted], billed: float | None) -> list[Posted]:
    """Whole-claim denials another payment of the whole claim re-adjudicated (a corrected claim paid)."""
    whole = [p for p in standing if billed is None or p.charge + 0.005 >= billed]
    return [p for p in whole if p.paid <= 0 and any(q.paid > 0 and q.charge + 0.005 >= p.charge for q in whole)]


def _status(effective: list[Posted], billed: float | None) -> Status:
    """The row's Status from the payments that stand. Parts of a split claim sum; payments that each cover
    the whole claim (a re-adjudication under a new claim number) are judged by the latest, with all the
    money paid."""
    charge = sum(p.charge for p in effective)
    top = max((p.charge for p in effective), default=0.0)
    if len(effective) < 2 or charge <= max(billed or 0.0, top) + 0.005:
        return claim_status([p.as_payment() for p in effective])
    latest = effective[-1]
    status = claim_status([latest.as_payment()])
    paid = sum(p.paid for p in effective)
    if status is Status.DENIED and paid > 0:
        return Status.PARTIALLY_PAID
    if status is Status.PARTIALLY_PAID and paid > latest.paid:
        reductions = sum(a for g, c, a in latest.adjustments if g == "PR" or c in ("45", "253", "23"))
        if paid + 0.005 >= latest.charge - reductions:
            return Status.PAID
    return status


def _waiting_for_correction(standing: list[Posted], reversals: list[Posted], billed: float | None) -> bool:
    """A payment was reversed and what stands does not cover the claim (the parts of a split claim that
    were not reversed): the corrected remittance is still to come."""
    if not reversals:
        return False
    need = billed if billed else max(-p.charge for p in reversals)
    return sum(p.charge for p in standing) + 0.005 < need


def _apply_835(plan: ImportPlan, row: _Row, pays: list[ClaimPayment], history: list[Posted], file: str) -> None:
    for pay in pays:
        if not pay.is_payment:
            _not_a_payment(plan, row, pay)
    pays = [p for p in pays if p.is_payment]
    if not pays:
        return
    new = [from_payment(p, file, "; ".join(str(c) for c in denial_codes([p]))) for p in pays]
    if not history:
        history = _legacy(row, new)
        plan.posted.extend(history)
    everything, added = union(history, new)
    plan.posted.extend(added)
    standing, orphans = settle(everything)
    reversals = [p for p in everything if p.is_reversal]
    src = _source(pays[-1])
    dates = [p.remit_date for p in everything if p.remit_date]
    if not standing:
        taken = round(-sum(p.paid for p in reversals), 2)
        reason = f"{src}: payer reversed its payment of {taken:.2f} (CLP02 22)"
        row.set("Paid", 0.0, reason)
        row.set("Patient Resp", 0.0, reason)
        row.set("Denial Codes", "", reason)
        row.set("Status", Status.PENDING, reason + "; waiting for the corrected remittance")
        if dates:
            row.set("Remit Date", max(dates), reason)
        for p in reversals:
            row.add_note(f"Payment reversed by payer{f' (claim # {p.icn})' if p.icn else ''}", reason)
        plan.notes.append(f"Claim {row.claim_id}: the payer reversed its payment of {taken:.2f}; Paid is 0.00 until "
                          "the corrected remittance arrives.")
        return
    billed = _as_money(row.row.get("Billed"))
    superseded = _superseded(standing, billed)
    effective = [p for p in standing if p not in superseded]
    paid = round(sum(p.paid for p in standing), 2)
    resp = round(sum(p.patient_resp for p in standing), 2)
    status = _status(effective, billed)
    waiting = _waiting_for_correction(standing, reversals, billed)
    if waiting:
        status = Status.PENDING
    reason = src + (" (after reversal and correction)" if reversals else "") + \
        (" (with the payments posted earlier)" if len(standing) > 1 else "")
    row.set("Paid", paid, reason)
    row.set("Patient Resp", resp, reason)
    row.set("Denial Codes", merge_codes([p.codes for p in effective]), reason)
    if dates:
        row.set("Remit Date", max(dates), reason)
    final = effective[-1]
    row.set("Status", status, f"{reason}: CLP02 {final.status_code}, paid {paid:.2f} in all"
            + ("; waiting for the corrected remittance" if waiting else ""))
    for p in standing:
        for icn in p.icn.split() if p.legacy else [p.icn]:
            if icn:
                row.add_note(f"Payer claim # {icn}", reason)
    for p in reversals:
        if p.icn:
            row.add_note(f"Payment reversed by payer (claim # {p.icn})", reason)
    _crossover_notes(plan, row, standing, reason)
    if waiting:
        taken = round(-sum(p.paid for p in reversals), 2)
        icns = ", ".join(dict.fromkeys(p.icn for p in reversals if p.icn))
        plan.notes.append(f"Claim {row.claim_id}: the payer reversed its payment of {taken:.2f}"
                          + (f" (payer claim # {icns})" if icns else "")
                          + f"; the other payments stand, Paid is now {paid:.2f} — expect a corrected remittance.")
    elif reversals:
        plan.notes.append(f"Claim {row.claim_id}: a payment was reversed and re-adjudicated; Paid is the corrected "
                          f"amount {paid:.2f}, Patient Resp {resp:.2f}.")
    if len({p.icn for p in standing}) > 1:
        icns = ", ".join(dict.fromkeys(i for p in standing for i in p.icn.split()))
        plan.notes.append(f"Claim {row.claim_id}: payments under payer claim # {icns} add up to Paid {paid:.2f}, "
                          f"Patient Resp {resp:.2f}.")
    for p in superseded:
        plan.notes.append(f"Claim {row.claim_id}: the denial under payer claim # {p.icn or '(none)'} was "
                          "re-adjudicated and paid under another claim number; its codes no longer count.")
