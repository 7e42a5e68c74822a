"""Turn parsed payer files into changes to tracker rows: the shared pieces. Pure: no workbook, no I/O.

``current`` maps Claim ID -> {column header: value} for the tracker's rows. Plans are idempotent:
apply a plan (``apply_plan``), plan the same file again against the updated rows, and there are no
changes. Several files are planned one after another, each against the rows the previous one left.

The rules live beside this module: ``apply835`` (remittances: money, status, codes, crossovers, several
patients under one Claim ID), ``history`` (the payment history that makes the result independent of the
order of files), ``payers`` (whose remittance it is: payer and role against the row's Payer and Order),
``status277`` (277/277CA claim status). Here: the plan and change records, the row helper, tracker
value parsing, and the per-payment Status and Denial Codes rules (``claim_status``, ``denial_codes``).
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
    posted: list[Any] = field(default_factory=list)  # history.Posted: payments this file adds to rows' history
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


# ---------------------------------------------------------------------------------------------------


def apply_plan(plan: ImportPlan, current: Mapping[str, Mapping[str, object]]) -> dict[str, dict[str, object]]:
    """A copy of ``current`` with the plan's changes applied (for tests and previews)."""
    out = {cid: dict(row) for cid, row in current.items()}
    for change in plan.changes:
        out.setdefault(change.claim_id, {})[change.column] = change.new
    return out
