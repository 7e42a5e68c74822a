"""Turn parsed payer files into changes to tracker rows. Pure: no workbook, no I/O.

``current`` maps Claim ID -> {column header: value} for the tracker's rows. Plans are idempotent:
apply a plan (``apply_plan``), plan the same file again against the updated rows, and there are no
changes. Several files are planned one after another, each against the rows the previous one left.

835 rules (per claim, over all of the claim's CLP loops in the file, in file order):
  * Which row: a remittance is applied only to the row of its payer. When the file's payer (N1*PR and
    its payer ID) clearly differs from the row's Payer / Payer ID, nothing on the row changes and the
    claim is listed in the report (see ``payers_differ``). A claim processed as secondary (CLP02 2/20)
    against a row whose Order is Primary, or as primary (1/19) against a Secondary row, is not applied
    either; a denial (4) or reversal (22) is checked the same way when its role can be told (the payment
    it reverses, another CLP of the claim, or a prior payer's adjustment CARC 23 = not the primary).
  * CLP02 23 (not our claim, forwarded) and 25 (predetermination pricing) pay nothing: Status, Paid and
    the other money columns are left alone; the claim gets a note and the report says so.
  * A reversal (CLP02 22) cancels the payment it reverses: in the same file the payment with the same
    payer claim number (CLP07) whose amount it nets to zero (or one with no claim number that it nets
    to zero); never simply "the last one". A reversal whose original is not in the file reverses a
    payment posted from an earlier file.
  * Payments under one set of payer claim numbers replace Paid / Patient Resp: what stands after the
    reversals (a correction, the parts of a claim split in one file) is summed, so a reversal +
    correction never double-counts, in the same file or a later one. A reversal whose original was in
    an earlier file (and nothing else) leaves Paid and Patient Resp at 0 and Status Pending until the
    corrected remittance arrives.
  * Payments under other payer claim numbers add up: when the row already has payments posted from
    earlier remittances under claim numbers that are not in this file (the "Payer claim #" notes), this
    file's payments under new claim numbers are added to Paid / Patient Resp (a claim the payer split
    and paid in two remittances), and a reversal of one of the earlier ones takes off only its own
    amount. A payment whose claim number is already on the row was already counted (importing the same
    file again changes nothing). See ``_add_to_earlier``.
  * Status: Denied when nothing was paid and a CLP02 is 4, or nothing was paid and there is a CO/OA/PI
    adjustment other than the no-action and prior-payer codes (45, 253, 23). Otherwise Paid when
    paid >= charge - (PR adjustments + CO/OA/PI 45, 253, 23), else Partially Paid (so a claim split into
    a paid part and a denied part is Partially Paid).
  * Denial Codes: every group-CARC with a non-zero amount (claim and service level) except CO-45 and
    CO-253, written ``CO-50; CO-16 MA130; PR-2``; remark codes attach to the first CO/OA/PI code of the
    same service line (LQ*HE) or claim (MOA/MIA). Remark codes with no such code are informational
    and not written.
  * Notes get "Payer claim # <CLP07>" once, and "Forwarded to <payer> (crossover)" for CLP02 19-21.

277/277CA rules: domain.md 6a, by the claim's decisive status (``records.DECISIVE_ORDER``: a rejection
or an acceptance outranks "received", a pending or finalized status outranks both). A status from a 277
never overrides a status set by a remittance or a person after adjudication (Denied, Partially Paid,
Paid, Appealed, Closed). An acceptance (A2) moves a Rejected claim to Accepted when it is dated after the
rejection (a resubmission accepted); an older acceptance leaves it Rejected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from claimbook.model import STATUS_SYNONYMS, DenialCode, Status

from .records import (
    DENIED,
    NOT_OUR_CLAIM,
    PREDETERMINATION,
    REVERSAL,
    ClaimPayment,
    ClaimStatus,
    ProviderAdjustment,
    Remittance,
    StatusReport,
)

# A payer as the rules know it: (name, payer ID) -> the payer rules' key, None for a payer they do not know.
PayerKey = Callable[[str, str], "str | None"]

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
    detail: str = ""  # for the Import Log only (it may quote tracker cells)


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

    def has_note(self, text: str) -> bool:
        # "Payer claim # ICN1" is not in "Payer claim # ICN10".
        return re.search(re.escape(text) + r"(?![\w-])", _text(self.row.get("Notes")), re.IGNORECASE) is not None

    def add_note(self, text: str, reason: str) -> None:
        if self.has_note(text):
            return
        notes = _text(self.row.get("Notes"))
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
    some_denied = any(p.status_code == DENIED for p in payments)
    if some_denied and paid <= 0:
        return Status.DENIED
    denial_adjustment = any(
        _is_denial_group(a.group) and a.amount != 0 and a.carc not in NO_ACTION_CARCS | PRIOR_PAYER_CARCS
        for a in adjustments
    )
    if paid <= 0 and denial_adjustment:
        return Status.DENIED
    if some_denied:  # a claim split into a paid part and a denied part
        return Status.PARTIALLY_PAID
    expected_reductions = sum(
        a.amount for a in adjustments
        if a.group == "PR" or (_is_denial_group(a.group) and a.carc in NO_ACTION_CARCS | PRIOR_PAYER_CARCS)
    )
    if paid + 0.005 >= charge - expected_reductions:
        return Status.PAID
    return Status.PARTIALLY_PAID


def _effective(payments: list[ClaimPayment]) -> tuple[list[ClaimPayment], list[ClaimPayment]]:
    """(payments that stand after reversals in this file, reversals whose original is not in the file).

    A reversal cancels the earlier payment in the file that it nets to zero: the one with the same payer
    claim number, else one where either has no claim number. Nothing else: a reversal of a payment from
    an earlier file must not cancel a correction or another part of the claim in this one."""
    standing: list[ClaimPayment] = []
    orphans: list[ClaimPayment] = []
    for pay in payments:
        if not pay.is_reversal:
            standing.append(pay)
            continue
        icn = pay.payer_claim_number
        nets = [p for p in standing if round(p.paid + pay.paid, 2) == 0]
        match = next((p for p in reversed(nets) if icn and p.payer_claim_number == icn), None)
        if match is None:
            match = next((p for p in reversed(nets) if not icn or not p.payer_claim_number), None)
        if match is None:
            orphans.append(pay)
        else:
            standing.remove(match)
    return standing, orphans


def _roles(payments: list[ClaimPayment]) -> tuple[set[str], bool]:
    """The roles (primary, secondary, tertiary) the payer processed the claim in, and whether that was
    told from a prior payer's adjustment only. A denial (4) or reversal (22) has no role of its own: it
    takes the role of the claim's other CLPs in the file; alone, an adjustment for a prior payer's
    adjudication (CARC 23) shows it was not processed as primary."""
    seen = {p.processed_as for p in payments if p.processed_as}
    if seen:
        return seen, False
    prior_payer = any(
        _is_denial_group(a.group) and a.carc in PRIOR_PAYER_CARCS and a.amount != 0
        for p in payments if p.status_code in (DENIED, REVERSAL) for a in p.adjustments
    )
    return ({"secondary"}, True) if prior_payer else (set(), False)


def _order_conflict(row: Mapping[str, object], payments: list[ClaimPayment]) -> str:
    order = _text(row.get("Order")).lower()
    seen, inferred = _roles(payments)
    if not order or not seen:
        return ""
    payer = payments[0].payer_name or "the payer"
    if order == "primary" and seen <= {"secondary", "tertiary"}:
        how = " (its remittance adjusts for a prior payer's payment, CARC 23)" if inferred else ""
        return (f"{payer} processed it as {sorted(seen)[0]}{how}, but the tracker row "
                "is the Primary claim — check the Order column or add a row for the secondary claim")
    if order == "secondary" and seen == {"primary"}:
        return (f"{payer} processed it as primary, but the tracker row is the "
                "Secondary claim — check the Order column and which payer is primary")
    return ""


# Words that do not tell payers apart ("Acme Health Plan, Inc." is "Acme").
_NAME_FILLER = frozenset({
    "the", "of", "and", "inc", "co", "corp", "corporation", "company", "llc", "ltd", "lp", "plan", "plans",
    "health", "healthcare", "insurance", "ins", "group", "services", "service", "dba", "benefit", "benefits",
    "administrators", "administrator", "solutions",
})


def _name_words(name: str) -> list[str]:
    return re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).split()


def payers_differ(row_payer: str, row_payer_id: str, era_payer: str, era_payer_id: str,
                  payer_key: PayerKey | None = None) -> bool:
    """Whether a remittance's payer clearly is not the payer on the tracker row.

    Tolerant: case, punctuation and filler words ("Inc", "Health Plan") do not count, and when unsure
    the answer is no. When the payer rules know both (by payer ID or name/alias: ``payer_key``), they
    differ when they are different payer files. Otherwise the same payer ID (both given) is the same
    payer, and names differ only when they have no word in common and neither is the other's initials
    ("BCBS" and "Blue Cross Blue Shield")."""
    row_payer, row_payer_id = _text(row_payer), _text(row_payer_id)
    era_payer, era_payer_id = _text(era_payer), _text(era_payer_id)
    if not (row_payer or row_payer_id) or not (era_payer or era_payer_id):
        return False
    if payer_key is not None:
        mine, theirs = payer_key(row_payer, row_payer_id), payer_key(era_payer, era_payer_id)
        if mine and theirs:
            return mine != theirs
    if row_payer_id and era_payer_id and row_payer_id.upper() == era_payer_id.upper():
        return False
    a_words, b_words = _name_words(row_payer), _name_words(era_payer)
    a, b = set(a_words) - _NAME_FILLER, set(b_words) - _NAME_FILLER
    if not a or not b or a & b:
        return False

    def initials(words: list[str]) -> str:
        return "".join(w[0] for w in words if w not in ("of", "the", "and"))

    for one, other in ((a, b_words), (b, a_words)):
        letters = initials(other)
        if any(len(w) >= 2 and letters.startswith(w) for w in one):
            return False
    return True


def _payer_for_row(row: Mapping[str, object], payments: list[ClaimPayment], payer_key: PayerKey | None = None
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
        payer, payer_id = _text(row.get("Payer")), _text(row.get("Payer ID"))
        chosen = [g for g in groups.values()
                  if payer and not payers_differ(payer, payer_id, g[0].payer_name, g[0].payer_id, payer_key)]
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


def _rows_for(records: list[Any], current: Mapping[str, Mapping[str, object]], plan: ImportPlan):
    """(claim ID, its tracker row, its records) per claim in the file that is in the tracker, in file
    order; the records of claims not in the tracker go on ``plan.unmatched``."""
    by_claim: dict[str, list[Any]] = {}
    for rec in records:
        by_claim.setdefault(rec.claim_id, []).append(rec)
    for claim_id, recs in by_claim.items():
        row_data = current.get(claim_id)
        if row_data is None:
            plan.unmatched.extend(Unmatched(claim_id, "not in the tracker", rec) for rec in recs)
        else:
            yield claim_id, row_data, recs


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
             current: Mapping[str, Mapping[str, object]], payer_key: PayerKey | None = None) -> ImportPlan:
    """Changes an 835 (one parsed file, or its claim payments) makes to the tracker rows in ``current``.

    ``payer_key`` maps a payer (name, payer ID) to its payer rules' key (None when unknown); without it
    payers are compared by name and payer ID only (``payers_differ``)."""
    payments, plbs = _collect(remits, "claims")
    plan = ImportPlan("835", claims_in_file=len(payments), provider_adjustments=list(plbs))
    for claim_id, row_data, pays in _rows_for(payments, current, plan):
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
        _apply_835(plan, _Row(plan, claim_id, row_data), pays)

    for plb in plbs:
        plan.notes.append(describe_plb(plb))
    return plan


def _same_payer_only(plan: ImportPlan, claim_id: str, row: Mapping[str, object], pays: list[ClaimPayment],
                     payer_key: PayerKey | None) -> list[ClaimPayment]:
    """The payments from the row's payer; the others are listed (not applied) for a person to decide."""
    payer, payer_id = _text(row.get("Payer")), _text(row.get("Payer ID"))
    keep: list[ClaimPayment] = []
    for pay in pays:
        if not payers_differ(payer, payer_id, pay.payer_name, pay.payer_id, payer_key):
            keep.append(pay)
            continue
        why = (f"not applied — the remittance is from {pay.payer_name or 'another payer'}, not the payer on the "
               "tracker row; check the Payer column or add a row for this payer's claim (the same payer under "
               "another name: add the name to its rules file, then import again with --again)")
        detail = f"the tracker row's payer is {payer or '(blank)'}" + (f", payer ID {payer_id}" if payer_id else "")
        plan.unmatched.append(Unmatched(claim_id, why, pay, detail))
    return keep


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


# The payments a row already holds, as the import notes them: "Payer claim # X", "Payment reversed by
# payer (claim # X)".
_PAID_NOTE = re.compile(r"payer claim # ([^\s;]+)", re.IGNORECASE)
_REVERSED_NOTE = re.compile(r"payment reversed by payer \(claim # ([^)]+)\)", re.IGNORECASE)


def _noted(row: _Row, pattern: re.Pattern[str]) -> set[str]:
    return {m.group(1).strip().rstrip(".,") for m in pattern.finditer(_text(row.row.get("Notes")))}


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


def _forwarded_notes(plan: ImportPlan, row: _Row, pays: list[ClaimPayment], reason: str) -> None:
    for pay in pays:
        if pay.is_forwarded:
            to = pay.crossover_payer or "the next payer"
            row.add_note(f"Forwarded by {pay.payer_name or 'payer'} to {to} (crossover)", reason)
            plan.notes.append(
                f"Claim {row.claim_id} processed as {pay.processed_as} by {pay.payer_name or 'the payer'} and forwarded "
                f"to {to} — do not bill the {'secondary' if pay.processed_as == 'primary' else 'next'} payer yourself."
            )


def _apply_835(plan: ImportPlan, row: _Row, pays: list[ClaimPayment]) -> None:
    for pay in pays:
        if not pay.is_payment:
            _not_a_payment(plan, row, pay)
    pays = [p for p in pays if p.is_payment]
    if not pays:
        return
    standing, orphans = _effective(pays)
    posted, reversed_before = _noted(row, _PAID_NOTE), _noted(row, _REVERSED_NOTE)
    in_file = {p.payer_claim_number for p in pays}
    earlier = posted - reversed_before - in_file
    if earlier and all(in_file):
        _add_to_earlier(plan, row, standing, orphans, posted, reversed_before)
        return

    last = pays[-1]
    src = _source(last)
    if not standing and not orphans:
        plan.notes.append(f"Claim {row.claim_id}: the payer paid and reversed it in the same remittance; "
                          "nothing to post.")
        return
    if not standing:
        # Only reversals of payments posted from an earlier file remain.
        taken = round(-sum(p.paid for p in orphans), 2)
        reason = f"{src}: payer reversed its earlier payment of {taken:.2f} (CLP02 22)"
        row.set("Paid", 0.0, reason)
        row.set("Patient Resp", 0.0, reason)
        row.set("Status", Status.PENDING, reason + "; waiting for the corrected remittance")
        if last.remit_date:
            row.set("Remit Date", last.remit_date, reason)
        for pay in orphans:
            icn = pay.payer_claim_number
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
    for pay in orphans:  # so a later remittance knows that payment no longer stands
        if pay.payer_claim_number:
            row.add_note(f"Payment reversed by payer (claim # {pay.payer_claim_number})", reason)
    _forwarded_notes(plan, row, standing, reason)
    if had_reversal:
        plan.notes.append(f"Claim {row.claim_id}: a payment was reversed and re-adjudicated; Paid is the corrected "
                          f"amount {paid:.2f}.")


# How a status counts when payments under several payer claim numbers are combined.
_SHARE = {Status.PAID: "full", Status.PARTIALLY_PAID: "part", Status.DENIED: "none"}


def _add_to_earlier(plan: ImportPlan, row: _Row, standing: list[ClaimPayment], orphans: list[ClaimPayment],
                    posted: set[str], reversed_before: set[str]) -> None:
    """The row holds payments posted from earlier remittances under other payer claim numbers (a claim
    the payer split): this file's payments under new claim numbers are added to them, and a reversal of
    an earlier one takes off its own amount only.

    Status: when the new payments cover the whole claim (their charges reach Billed) they are a new
    adjudication of it (a corrected claim after a denial) and decide Status and Denial Codes, except that
    a denial never undoes money already paid. Otherwise they are one part of the claim: Paid when every
    part is paid, Denied when none is, else Partially Paid; the denial codes of all parts are kept. A
    reversal with no new payment leaves Status Pending until the corrected remittance arrives."""
    rev = [p for p in orphans if p.payer_claim_number in posted and p.payer_claim_number not in reversed_before]
    rev_icns = {p.payer_claim_number for p in rev}
    new = [p for p in standing if p.payer_claim_number not in posted or p.payer_claim_number in rev_icns]
    for pay in orphans:
        if pay.payer_claim_number not in posted:
            plan.notes.append(
                f"Claim {row.claim_id}: the payer reversed a payment of {-pay.paid:.2f} (payer claim # "
                f"{pay.payer_claim_number}) that is not posted on the tracker row — Paid not changed for it; "
                "check the payments posted to this claim.")
    if not new and not rev:
        return  # already posted
    src = _source((new or rev)[-1])
    reason = f"{src} (with the payments posted earlier)"
    old_paid = _as_money(row.row.get("Paid")) or 0.0
    old_resp = _as_money(row.row.get("Patient Resp")) or 0.0
    taken = round(-sum(p.paid for p in rev), 2)
    added = round(sum(p.paid for p in new), 2)
    paid = round(old_paid - taken + added, 2)
    resp = round(old_resp + sum(p.patient_resp for p in rev) + sum(p.patient_resp for p in new), 2)
    row.set("Paid", paid, reason)
    row.set("Patient Resp", resp, reason)
    dates = [p.remit_date for p in new + rev if p.remit_date]
    if dates:
        row.set("Remit Date", max(dates), reason)
    if new:
        status, codes = _combined_status(plan, row, new, round(old_paid - taken, 2))
        row.set("Denial Codes", codes, reason)
        row.set("Status", status, f"{reason}: CLP02 {new[-1].status_code}, paid {paid:.2f} in all")
    else:
        row.set("Status", Status.PENDING, reason + "; waiting for the corrected remittance")
    for pay in rev:
        row.add_note(f"Payment reversed by payer (claim # {pay.payer_claim_number})", reason)
        plan.notes.append(
            f"Claim {row.claim_id}: the payer reversed its earlier payment of {-pay.paid:.2f} (payer claim # "
            f"{pay.payer_claim_number}); the other payments stand, Paid is now {paid:.2f}"
            + ("." if new else " — expect a corrected remittance."))
    for pay in new:
        row.add_note(f"Payer claim # {pay.payer_claim_number}", reason)
    _forwarded_notes(plan, row, new, reason)
    if new:
        icns = ", ".join(dict.fromkeys(p.payer_claim_number for p in new))
        plan.notes.append(
            f"Claim {row.claim_id}: {added:.2f} paid under payer claim # {icns} was added to the "
            f"{round(old_paid - taken, 2):.2f} posted from earlier remittances; Paid is now {paid:.2f}.")


def _combined_status(plan: ImportPlan, row: _Row, new: list[ClaimPayment], earlier_paid: float
                     ) -> tuple[Status, str]:
    """Status and Denial Codes when ``new`` payments join earlier ones (see ``_add_to_earlier``)."""
    mine = claim_status(new)
    new_codes = [str(c) for c in denial_codes(new)]
    old_codes = [c.strip() for c in _text(row.row.get("Denial Codes")).replace(",", ";").split(";") if c.strip()]
    seen = {_norm_codes(c) for c in old_codes}
    both = "; ".join(old_codes + [c for c in new_codes if _norm_codes(c) not in seen])
    billed = _as_money(row.row.get("Billed"))
    whole = billed is not None and billed > 0 and sum(p.charge for p in new) + 0.005 >= billed
    before = row.status
    if whole and not (mine == Status.DENIED and earlier_paid > 0):
        return mine, "; ".join(new_codes)
    if whole:
        icns = ", ".join(dict.fromkeys(p.payer_claim_number for p in new))
        plan.notes.append(
            f"Claim {row.claim_id}: the payer denied payer claim # {icns} ({'; '.join(new_codes) or 'no codes'}), "
            f"but {earlier_paid:.2f} paid earlier stands — status not changed to Denied; check whether it was "
            "a duplicate claim.")
        return (before if before in (Status.PAID, Status.PARTIALLY_PAID) else Status.PARTIALLY_PAID), both
    shares = {_SHARE[mine]}
    if before in _SHARE:
        shares.add(_SHARE[before])
    if shares == {"full"}:
        return Status.PAID, both
    if shares == {"none"} and earlier_paid + sum(p.paid for p in new) <= 0:
        return Status.DENIED, both
    return Status.PARTIALLY_PAID, both


# ---------------------------------------------------------------------------------------------------
# 277 / 277CA


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
