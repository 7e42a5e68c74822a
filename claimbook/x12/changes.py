"""Turn parsed payer files into changes to tracker rows. Pure: no workbook, no I/O.

``current`` maps Claim ID -> {column header: value} for the tracker's rows. Plans are idempotent:
apply a plan (``apply_plan``), plan the same file again against the updated rows, and there are no
changes. Several files are planned one after another, each against the rows the previous one left.

835 rules (per claim, over all of the claim's CLP loops in the file, in file order):
  * A reversal (CLP02 22) cancels the earlier payment it reverses in the same file (same payer claim
    number, else the latest earlier one). What remains (a correction, a split claim) is summed and
    *replaces* Paid / Patient Resp, so a reversal + correction never double-counts, in the same file
    or a later one. A reversal whose original was in an earlier file leaves nothing: Paid and
    Patient Resp go to 0 and Status to Pending until the corrected remittance arrives.
  * Status: Denied when CLP02 = 4, or nothing was paid and there is a CO/OA/PI adjustment other than
    the no-action and prior-payer codes (45, 253, 23). Otherwise Paid when
    paid >= charge - (PR adjustments + CO/OA/PI 45, 253, 23), else Partially Paid.
  * Denial Codes: every group-CARC with a non-zero amount (claim and service level) except CO-45 and
    CO-253, written ``CO-50; CO-16 MA130; PR-2``; remark codes attach to the first CO/OA/PI code of the
    same service line (LQ*HE) or claim (MOA/MIA). Remark codes with no such code are informational
    and not written.
  * Notes get "Payer claim # <CLP07>" once, and "Forwarded to <payer> (crossover)" for CLP02 19-21.
  * A claim processed as secondary (CLP02 2/20) against a row whose Order is Primary, or as primary
    (1/19) against a Secondary row, is not applied: it is listed as unmatched with the reason.

277/277CA rules: domain.md 6a. A status from a 277 never overrides a status set by a remittance or a
person after adjudication (Denied, Partially Paid, Paid, Appealed, Closed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from claimbook.model import STATUS_SYNONYMS, DenialCode, Status

from .records import ClaimPayment, ClaimStatus, ProviderAdjustment, Remittance, StatusReport

COLUMNS = (
    "Claim ID", "Patient", "Payer", "Payer ID", "Billed", "Expected", "Paid", "Patient Resp", "Status",
    "Denial Codes", "Remit Date", "Primary EOB Date", "Accepted", "Docs Due", "Notes", "Order",
)

NO_ACTION_CARCS = frozenset({"45", "253"})  # contractual write-off, sequestration
PRIOR_PAYER_CARCS = frozenset({"23"})  # impact of prior payer adjudication (secondary claims)
NOTE_SEPARATOR = "; "

# Statuses a 277 may move a claim out of (before adjudication results are in).
_PRE_ADJUDICATION = frozenset(
    {Status.NOT_SUBMITTED, Status.SUBMITTED, Status.ACCEPTED, Status.REJECTED, Status.PENDING, Status.DOCS_REQUESTED}
)
_REJECTED_CATEGORIES = frozenset({"A3", "A6", "A7", "A8"})
_PENDING_CATEGORIES = frozenset({"P0", "P1", "P2", "P4", "P5"})


@dataclass(frozen=True, slots=True)
class Change:
    claim_id: str
    column: str
    old: object
    new: object
    reason: str


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A claim in the payer file that was not applied to the tracker, and why."""

    claim_id: str
    reason: str
    record: ClaimPayment | ClaimStatus


@dataclass(slots=True)
class ImportPlan:
    kind: str  # "835" or "277"
    changes: list[Change] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    claims_in_file: int = 0  # claim loops read (CLP or 2200D/E)
    claims_matched: int = 0  # distinct tracker claims the file is about

    @property
    def claims_changed(self) -> int:
        return len({c.claim_id for c in self.changes})


# ---------------------------------------------------------------------------------------------------
# value normalisation (tracker cells may hold str, float, int, date, datetime or None)


def _as_money(value: object) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return round(float(value), 2)
    text = str(value).strip().replace("$", "").replace(",", "")
    if text.startswith("(") and text.endswith(")"):
        text = "-" + text[1:-1]
    try:
        return round(float(text), 2)
    except ValueError:
        return None


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _as_status(value: object) -> Status | None:
    if isinstance(value, Status):
        return value
    text = " ".join(str(value or "").lower().split())
    return STATUS_SYNONYMS.get(text)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _same(column: str, old: object, new: object) -> bool:
    if column in ("Paid", "Patient Resp", "Billed", "Expected"):
        return _as_money(old) == _as_money(new) and (_as_money(old) is not None or _as_money(new) is None)
    if column in ("Remit Date", "Primary EOB Date", "Accepted", "Docs Due"):
        return _as_date(old) == _as_date(new) and (_as_date(old) is not None or new is None)
    if column == "Status":
        return _as_status(old) == _as_status(new)
    if column == "Denial Codes":
        return _norm_codes(_text(old)) == _norm_codes(_text(new))
    return _text(old) == _text(new)


def _norm_codes(text: str) -> tuple[str, ...]:
    return tuple(" ".join(p.split()).upper() for p in text.replace(",", ";").split(";") if p.strip())


class _Row:
    """Collects the changes for one claim against its current row."""

    def __init__(self, plan: ImportPlan, claim_id: str, row: Mapping[str, object]):
        self.plan, self.claim_id, self.row = plan, claim_id, dict(row)

    def set(self, column: str, new: object, reason: str) -> None:
        old = self.row.get(column)
        if not _same(column, old, new):
            self.plan.changes.append(Change(self.claim_id, column, old, new, reason))
            self.row[column] = new

    def add_note(self, text: str, reason: str) -> None:
        notes = _text(self.row.get("Notes"))
        if text.lower() in notes.lower():
            return
        self.set("Notes", f"{notes}{NOTE_SEPARATOR}{text}" if notes else text, reason)

    @property
    def status(self) -> Status | None:
        return _as_status(self.row.get("Status"))


# ---------------------------------------------------------------------------------------------------
# 835


def denial_codes(payments: Iterable[ClaimPayment]) -> list[DenialCode]:
    """Group-CARC codes with their remark codes, in file order, each code once."""
    order: dict[tuple[str, str], list[str]] = {}
    for pay in payments:
        claim_denial: tuple[str, str] | None = None
        for adj in pay.adjustments:
            if adj.amount == 0 or (adj.group == "CO" and adj.carc in NO_ACTION_CARCS):
                continue
            key = (adj.group, adj.carc)
            order.setdefault(key, [])
            if claim_denial is None and _is_denial_group(adj.group):
                claim_denial = key
        for n, line in enumerate(pay.service_lines, start=1):
            target = next(
                ((a.group, a.carc) for a in line.adjustments
                 if _is_denial_group(a.group) and a.amount != 0 and a.carc not in NO_ACTION_CARCS),
                None,
            )
            if target is not None:
                order[target].extend(line.rarcs)
            if claim_denial is None and target is not None:
                claim_denial = target
        if claim_denial is not None:
            order[claim_denial].extend(pay.rarcs)
    return [DenialCode(g, c, tuple(dict.fromkeys(r for r in rarcs if r))) for (g, c), rarcs in order.items()]


def _is_denial_group(group: str) -> bool:
    return group in ("CO", "OA", "PI")


def claim_status(payments: list[ClaimPayment]) -> Status:
    charge = round(sum(p.charge for p in payments), 2)
    paid = round(sum(p.paid for p in payments), 2)
    adjustments = [a for p in payments for a in p.adjustments]
    if any(p.status_code == "4" for p in payments):
        return Status.DENIED
    denial_adjustment = any(
        _is_denial_group(a.group) and a.amount != 0 and a.carc not in NO_ACTION_CARCS | PRIOR_PAYER_CARCS
        for a in adjustments
    )
    if paid <= 0 and denial_adjustment:
        return Status.DENIED
    expected_reductions = sum(
        a.amount for a in adjustments
        if a.group == "PR" or (_is_denial_group(a.group) and a.carc in NO_ACTION_CARCS | PRIOR_PAYER_CARCS)
    )
    if paid + 0.005 >= charge - expected_reductions:
        return Status.PAID
    return Status.PARTIALLY_PAID


def _effective(payments: list[ClaimPayment]) -> tuple[list[ClaimPayment], list[ClaimPayment]]:
    """(payments that stand after reversals in this file, reversals whose original is not in the file)."""
    standing: list[ClaimPayment] = []
    orphans: list[ClaimPayment] = []
    for pay in payments:
        if not pay.is_reversal:
            standing.append(pay)
            continue
        match = next((p for p in reversed(standing) if pay.payer_claim_number and
                      p.payer_claim_number == pay.payer_claim_number), None)
        if match is None:
            match = next((p for p in reversed(standing) if round(p.paid + pay.paid, 2) == 0), None)
        if match is None and standing:
            match = standing[-1]
        if match is None:
            orphans.append(pay)
        else:
            standing.remove(match)
    return standing, orphans


def _order_conflict(row: Mapping[str, object], payments: list[ClaimPayment]) -> str:
    order = _text(row.get("Order")).lower()
    seen = {p.processed_as for p in payments if p.processed_as}
    if not order or not seen:
        return ""
    if order == "primary" and seen <= {"secondary", "tertiary"}:
        return (f"{payments[0].payer_name or 'the payer'} processed it as {sorted(seen)[0]}, but the tracker row "
                "is the Primary claim — check the Order column or add a row for the secondary claim")
    if order == "secondary" and seen == {"primary"}:
        return (f"{payments[0].payer_name or 'the payer'} processed it as primary, but the tracker row is the "
                "Secondary claim — check the Order column and which payer is primary")
    return ""


def _payer_for_row(row: Mapping[str, object], payments: list[ClaimPayment]
                   ) -> tuple[list[ClaimPayment], list[tuple[ClaimPayment, str]]]:
    """When one file holds the same claim adjudicated by several payers (a primary and a secondary
    payer's remittances for one patient control number), only the payer whose role matches the row's
    Order is applied; summing them would double-count. Returns (payments to apply, [(payment, why)])."""
    groups: dict[str, list[ClaimPayment]] = {}
    for pay in payments:
        groups.setdefault((pay.payer_id or pay.payer_name).upper(), []).append(pay)
    if len(groups) < 2:
        return payments, []

    def role(group: list[ClaimPayment]) -> str:
        kinds = {p.processed_as for p in group if p.processed_as}
        return kinds.pop() if len(kinds) == 1 else ""

    order = _text(row.get("Order")).lower() or "primary"
    chosen = [g for g in groups.values() if role(g) == order]
    if len(chosen) != 1:
        payer = _text(row.get("Payer")).lower()
        chosen = [g for g in groups.values() if payer and g[0].payer_name.lower() == payer]
    if len(chosen) != 1:
        return payments, []
    keep = chosen[0]
    rest = []
    for g in groups.values():
        if g is keep:
            continue
        what = role(g) or "another payer"
        why = (f"also in this file from {g[0].payer_name or 'another payer'} (processed as {what}); the tracker row "
               f"is the {order.title()} claim — add a row for the {what} claim to track it")
        rest.extend((p, why) for p in g)
    return keep, rest


def _collect(items: Any, attr: str) -> tuple[list[Any], list[ProviderAdjustment]]:
    """Accept one parsed file, several, or bare records."""
    if isinstance(items, (Remittance, StatusReport)):
        items = [items]
    records: list[Any] = []
    plbs: list[ProviderAdjustment] = []
    for item in items:
        if isinstance(item, (Remittance, StatusReport)):
            records.extend(getattr(item, attr))
            if isinstance(item, Remittance):
                plbs.extend(item.provider_adjustments)
        elif isinstance(item, ProviderAdjustment):
            plbs.append(item)
        else:
            records.append(item)
    return records, plbs


def plan_835(remits: Remittance | Iterable[Remittance | ClaimPayment | ProviderAdjustment],
             current: Mapping[str, Mapping[str, object]]) -> ImportPlan:
    """Changes an 835 (one parsed file, or its claim payments) makes to the tracker rows in ``current``."""
    payments, plbs = _collect(remits, "claims")
    plan = ImportPlan("835", claims_in_file=len(payments), provider_adjustments=list(plbs))
    by_claim: dict[str, list[ClaimPayment]] = {}
    for pay in payments:
        by_claim.setdefault(pay.claim_id, []).append(pay)

    for claim_id, pays in by_claim.items():
        row_data = current.get(claim_id)
        if row_data is None:
            for pay in pays:
                plan.unmatched.append(Unmatched(claim_id, "not in the tracker", pay))
            continue
        pays, others = _payer_for_row(row_data, pays)
        for pay, why in others:
            plan.unmatched.append(Unmatched(claim_id, why, pay))
        if others:
            plan.notes.append(f"Claim {claim_id}: {others[0][1]}.")
        conflict = _order_conflict(row_data, pays)
        if conflict:
            for pay in pays:
                plan.unmatched.append(Unmatched(claim_id, conflict, pay))
            plan.notes.append(f"Claim {claim_id}: not applied — {conflict}.")
            continue
        plan.claims_matched += 1
        _apply_835(plan, _Row(plan, claim_id, row_data), pays)

    for plb in plbs:
        plan.notes.append(describe_plb(plb))
    return plan


_PLB_REASONS = {"WO": "overpayment recovery", "L6": "interest", "FB": "forwarding balance",
                "72": "authorized return", "CS": "adjustment", "J1": "non-reimbursable",
                "IR": "IRS withholding", "50": "late filing reduction"}


def describe_plb(plb: ProviderAdjustment) -> str:
    """One provider-level adjustment in plain words (for the import report; never spread over claims)."""
    what = _PLB_REASONS.get(plb.reason, "provider adjustment")
    sign = "withheld" if plb.amount > 0 else "added"
    return (f"Provider-level adjustment from {plb.payer_name or 'the payer'}: {plb.reason} ({what}) "
            f"{abs(plb.amount):.2f} {sign}{f', reference {plb.reference}' if plb.reference else ''}"
            " — not a claim; reconcile it against the payment, not against claims.")


def _apply_835(plan: ImportPlan, row: _Row, pays: list[ClaimPayment]) -> None:
    standing, orphans = _effective(pays)
    last = pays[-1]
    src = f"835 from {last.payer_name or 'payer'}" + (f" ({last.remit_date.isoformat()})" if last.remit_date else "")
    if not standing:
        # Only reversals of payments posted from an earlier file remain.
        taken = round(-sum(p.paid for p in orphans), 2)
        reason = f"{src}: payer reversed its earlier payment of {taken:.2f} (CLP02 22)"
        row.set("Paid", 0.0, reason)
        row.set("Patient Resp", 0.0, reason)
        row.set("Status", Status.PENDING, reason + "; waiting for the corrected remittance")
        if last.remit_date:
            row.set("Remit Date", last.remit_date, reason)
        icn = orphans[-1].payer_claim_number
        row.add_note(f"Payment reversed by payer{f' (claim # {icn})' if icn else ''}", reason)
        plan.notes.append(
            f"Claim {row.claim_id}: the payer reversed its earlier payment of {taken:.2f}; "
            "expect a corrected remittance."
        )
        return

    paid = round(sum(p.paid for p in standing), 2)
    resp = round(sum(p.patient_resp for p in standing), 2)
    status = claim_status(standing)
    codes = "; ".join(str(c) for c in denial_codes(standing))
    had_reversal = len(standing) != len([p for p in pays if not p.is_reversal]) or bool(orphans)
    reason = src + (" (after reversal and correction)" if had_reversal else "")
    row.set("Paid", paid, reason)
    row.set("Patient Resp", resp, reason)
    row.set("Denial Codes", codes, reason)
    final = standing[-1]
    if final.remit_date:
        row.set("Remit Date", final.remit_date, reason)
    row.set("Status", status, f"{reason}: CLP02 {final.status_code}, paid {paid:.2f} of {sum(p.charge for p in standing):.2f}")
    for pay in standing:
        if pay.payer_claim_number:
            row.add_note(f"Payer claim # {pay.payer_claim_number}", reason)
    for pay in standing:
        if pay.is_forwarded:
            to = pay.crossover_payer or "the next payer"
            row.add_note(f"Forwarded by {pay.payer_name or 'payer'} to {to} (crossover)", reason)
            plan.notes.append(
                f"Claim {row.claim_id} processed as {pay.processed_as} by {pay.payer_name or 'the payer'} and forwarded "
                f"to {to} — do not bill the {'secondary' if pay.processed_as == 'primary' else 'next'} payer yourself."
            )
    if had_reversal:
        plan.notes.append(f"Claim {row.claim_id}: a payment was reversed and re-adjudicated; Paid is the corrected "
                          f"amount {paid:.2f}.")


# ---------------------------------------------------------------------------------------------------
# 277 / 277CA


def plan_277(statuses: StatusReport | Iterable[StatusReport | ClaimStatus],
             current: Mapping[str, Mapping[str, object]]) -> ImportPlan:
    """Changes a 277 or 277CA (one parsed file, or its claim statuses) makes to the tracker rows."""
    records, _ = _collect(statuses, "claims")
    plan = ImportPlan("277", claims_in_file=len(records))
    by_claim: dict[str, list[ClaimStatus]] = {}
    for rec in records:
        by_claim.setdefault(rec.claim_id, []).append(rec)
    for claim_id, recs in by_claim.items():
        row_data = current.get(claim_id)
        if row_data is None:
            for rec in recs:
                plan.unmatched.append(Unmatched(claim_id, "not in the tracker", rec))
            continue
        plan.claims_matched += 1
        # The latest status wins (by effective date, then file order).
        latest = max(enumerate(recs), key=lambda ir: (ir[1].effective_date or date.min, ir[0]))[1]
        _apply_277(plan, _Row(plan, claim_id, row_data), latest)
    return plan


def _apply_277(plan: ImportPlan, row: _Row, rec: ClaimStatus) -> None:
    cat = rec.category
    stc = ", ".join(str(s) for s in rec.statuses)
    when = rec.effective_date
    on = f" on {when.isoformat()}" if when else ""
    reason = f"{rec.transaction} from {rec.payer_name or 'payer'}{on}: STC {stc}"
    current = row.status
    can_move = current is None or current in _PRE_ADJUDICATION

    def move(status: Status) -> None:
        if can_move:
            row.set("Status", status, reason)

    if cat == "A2":
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
    elif cat == "F1":
        _finalized_paid(plan, row, rec, reason, on, stc, can_move)
    elif cat == "F2":
        move(Status.DENIED)
    elif cat == "F4":
        row.add_note(f"Adjudication complete, no payment forthcoming{on} ({rec.transaction} {stc})", reason)
        plan.notes.append(f"Claim {row.claim_id}: payer finalized it with no payment (F4) — review the remittance.")
    elif cat in ("A0", "A5", "F3", "F3F", "F3N") or cat.startswith("E"):
        plan.notes.append(f"Claim {row.claim_id}: status {stc} from {rec.payer_name or 'the payer'}{on} — no change.")
    # A1 (received, not yet accepted) and F0 change nothing.


def _finalized_paid(plan: ImportPlan, row: _Row, rec: ClaimStatus, reason: str, on: str, stc: str,
                    can_move: bool) -> None:
    """F1 (finalized, paid). A claim becomes Paid only with the amount: STC05 when the file has it (noted
    as reported by the status file; the ERA has the details). Without it the status stays, with a note:
    Paid with no amount would read as an underpayment of the whole claim."""
    if not can_move:
        return
    amount = rec.paid
    if amount is not None and amount > 0:
        if _as_money(row.row.get("Paid")) in (None, 0.0):
            row.set("Paid", amount, f"{reason} (STC05 paid amount)")
        row.set("Status", Status.PAID, reason)
        row.add_note(f"Paid {amount:.2f} as reported by the {rec.transaction} status file{on}; "
                     "post the ERA for the details", reason)
        return
    row.add_note(f"Payer reports paid{on} ({rec.transaction} {stc}); post the ERA", reason)
    plan.notes.append(f"Claim {row.claim_id}: the payer reports it paid ({stc}) but the status file has no "
                      "amount — status not changed; post the ERA (835) to record the payment.")


# ---------------------------------------------------------------------------------------------------


def apply_plan(plan: ImportPlan, current: Mapping[str, Mapping[str, object]]) -> dict[str, dict[str, object]]:
    """A copy of ``current`` with the plan's changes applied (for tests and previews)."""
    out = {cid: dict(row) for cid, row in current.items()}
    for change in plan.changes:
        out.setdefault(change.claim_id, {})[change.column] = change.new
    return out
