"""An 835 or 277, planned against the Claims rows as they stand, turned into records for the merge."""

from __future__ import annotations

from claimbook import table
from claimbook.imports.merge import Merger
from claimbook.imports.report import CLEAR, ImportReport


class _ByKey(dict):
    """``current`` for ``claimbook.x12.plan_file``: looked up by Claim ID as claimbook matches them."""

    def get(self, key, default=None):
        return super().get(table.claim_key(key), default)

    def __contains__(self, key) -> bool:
        return super().__contains__(table.claim_key(key))


def _money(v) -> str:
    return f"{v:,.2f}" if isinstance(v, (int, float)) else ""


def _unmatched_text(um) -> str:
    """The reason with the payer file's own details (amounts, payer, patient): for the Import Log only."""
    rec = um.record
    bits = []
    if hasattr(rec, "paid") and hasattr(rec, "charge") and rec.charge is not None:
        bits.append(f"paid {_money(rec.paid or 0.0)} of {_money(rec.charge)}")
    if getattr(rec, "payer_name", ""):
        bits.append(rec.payer_name)
    if getattr(rec, "patient_name", ""):
        bits.append(rec.patient_name)
    if getattr(um, "detail", ""):
        bits.append(um.detail)
    return um.reason + (f" ({', '.join(bits)})" if bits else "")


def _new_claim_values(claim_id: str, payments, posted: list) -> dict[str, object]:
    """The row ``--add-unmatched`` adds for a remittance claim that is not in the tracker (its payments go
    on ``posted``, for the Payments sheet)."""
    from claimbook.x12 import COLUMNS, plan_835

    blank = _ByKey({table.claim_key(claim_id): {c: None for c in COLUMNS} | {"Claim ID": claim_id}})
    plan = plan_835(list(payments), blank)
    posted.extend(plan.posted)
    values: dict[str, object] = {"Claim ID": claim_id}
    for ch in plan.changes:
        values[ch.column] = ch.new
    standing = [p for p in payments if not p.is_reversal and p.is_payment]
    first = standing[0] if standing else payments[0]
    values["Patient"] = first.patient_name or None
    values["Payer"] = first.payer_name or None
    values["Payer ID"] = first.payer_id or None
    values["Billed"] = round(sum(p.charge for p in standing), 2) if standing else None
    dates = [ln.service_date for p in payments for ln in p.service_lines if ln.service_date]
    if dates:
        values["DOS"] = min(dates)
    return {k: v for k, v in values.items() if v not in (None, "")}


def x12_records(parsed, merger: Merger, report: ImportReport, add_unmatched: bool, payer_key=None,
                history=None, posted: list | None = None):
    """Plan an 835/277 against the rows as they stand now; records for the merge. ``payer_key`` tells
    whether a remittance's payer is the row's (``payer_key_for``); ``history`` (claim key -> payments
    posted to the row, ``claimbook.x12.history``) is the rows' payment history, and the payments this
    file posts are added to it and to ``posted`` (for the Payments sheet)."""
    from claimbook.x12 import Remittance, describe_plb, plan_file

    history = history if history is not None else {}
    posted = posted if posted is not None else []
    plan = plan_file(parsed, _ByKey(merger.current()), payer_key, _ByKey(history))
    for p in plan.posted:
        history.setdefault(table.claim_key(p.claim_id), []).append(p)
    posted.extend(plan.posted)
    report.kind = getattr(parsed, "transaction", None) or plan.kind
    report.warnings.extend(getattr(parsed, "warnings", ()))
    by_claim: dict[str, dict] = {}
    for ch in plan.changes:
        new = CLEAR if ch.new in (None, "") else ch.new
        by_claim.setdefault(ch.claim_id, {"Claim ID": ch.claim_id})[ch.column] = new
    records = [(f"claim {cid}", values) for cid, values in by_claim.items()]

    plb_lines = {describe_plb(p) for p in plan.provider_adjustments}
    report.provider_adjustments.extend(describe_plb(p) for p in plan.provider_adjustments)
    report.notes.extend(n for n in plan.notes if n not in plb_lines)

    not_in_tracker: dict[str, list] = {}
    for um in plan.unmatched:
        if um.reason == "not in the tracker":
            not_in_tracker.setdefault(um.claim_id, []).append(um.record)
        else:
            report.skipped.append((f"claim {um.claim_id}", um.reason))
            report.details.append((um.claim_id, f"claim {um.claim_id}: {_unmatched_text(um)}"))
    for cid, recs in not_in_tracker.items():
        # Duplicate Claim IDs in the tracker are "not in" the plan's rows but are not new claims either.
        key = table.claim_key(cid)
        if len(merger.rows_by_key.get(key, [])) > 1:
            report.skipped.append((f"claim {cid}", f"its Claim ID is on {len(merger.rows_by_key[key])} rows of "
                                                   "the tracker; fix the duplicate first"))
            continue
        from claimbook.x12.changes import Unmatched

        text = _unmatched_text(Unmatched(cid, "not in the tracker", recs[-1]))
        report.unmatched.append(f"claim {cid}: not in the tracker")
        if add_unmatched and isinstance(parsed, Remittance):
            new_posted: list = []
            records.append((f"claim {cid}", _new_claim_values(cid, recs, new_posted)))
            for p in new_posted:
                history.setdefault(table.claim_key(p.claim_id), []).append(p)
            posted.extend(new_posted)
            report.details.append((cid, f"claim {cid}: {text}"))
        else:
            report.skipped.append((f"claim {cid}", text))
    return records
