"""Values out: a result as the computed columns, the Payers rows, and imported or
sample values as cells.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

from claimbook.model import Claim, Risk
from claimbook.table.cells import (
    _ENUM_TABLES,
    clean_text,
    is_blank,
    parse_choice,
    parse_date,
    parse_denials,
    parse_money,
    parse_status,
    parse_text,
)
from claimbook.table.columns import Column, COMPUTED_COLUMNS, INPUT_COLUMNS


def computed_row(result) -> list:
    """The computed columns of one claim, as the user sees them (order of ``COMPUTED_COLUMNS``)."""
    r = result
    return [
        r.age,
        r.bucket or None,
        clean_text(r.next_action) if r.next_action else None,
        r.follow_up,
        r.days_overdue if r.days_overdue else (0 if r.needs_action and r.follow_up else None),
        r.tf_deadline,
        None if r.tf_risk in (Risk.MET, Risk.PROOF) else r.tf_days_left,  # filed in time: the days left no longer matter
        r.tf_risk.value if r.tf_risk is not None else None,
        r.appeal_deadline,
        round(r.underpaid, 2) if r.underpaid else None,
        r.priority if r.priority else None,
        clean_text(r.why) if r.why else None,
        clean_text("; ".join(r.data_issues)) if r.data_issues else None,
    ]


BLANK_COMPUTED: tuple = (None,) * len(COMPUTED_COLUMNS)


def merged_issues(claim: Claim, result) -> tuple[str, ...]:
    """The claim's reading problems and the engine's, once each, reading problems first."""
    seen: dict[str, None] = {}
    for msg in (*claim.issues, *getattr(result, "data_issues", ())):
        seen.setdefault(msg, None)
    return tuple(seen)


def payers_rows(rules, as_of: date) -> list[list]:
    """The effective rules per payer on ``as_of``, as the engine sees them (``PAYERS_COLUMNS``)."""
    from claimbook.rules.schema import version_at

    rows = []
    for p in (*rules.payers, rules.default):
        tf = version_at(p.timely_filing, as_of)
        fu = version_at(p.follow_up, as_of) if p.follow_up else None
        ap = version_at(p.appeal, as_of) if p.appeal else None
        up = version_at(p.underpayment, as_of) if p.underpayment else None
        cited = [tf.cited] + [x.cited for x in (fu, ap, up) if x is not None]
        if p.corrected_claim:
            cited.append(version_at(p.corrected_claim, as_of).cited)
        sources = list(dict.fromkeys(c.source for c in cited if c.source))
        notes = list(dict.fromkeys(("Contested: " if c.contested else "") + c.note
                                   for c in cited if c.note or c.contested))
        contact = p.contact.how()
        if p.contact.notes:
            contact = f"{contact}; {p.contact.notes}" if contact else p.contact.notes
        tol = ""
        if up is not None:
            tol = f"${up.tolerance_amount:,.2f} or {up.tolerance_percent:g}% (larger)"
        rows.append([
            p.name,
            p.file,
            ", ".join(p.names),
            ", ".join(p.payer_ids),
            str(tf.in_network),
            str(tf.out_of_network),
            tf.anchor.value,
            tf.institutional_anchor.value,
            tf.secondary_anchor.value + (f" ({tf.secondary_limit})" if tf.secondary_limit else ""),
            "yes" if tf.roll_to_business_day else "no",
            f"{fu.first_check_electronic} days" if fu else None,
            f"{fu.first_check_paper} days" if fu else None,
            f"{fu.recheck_every} days" if fu else None,
            f"{fu.expected_adjudication} days" if fu else None,
            str(ap.window) if ap else None,
            f"{ap.receipt_presumption} days" if ap else None,
            tol or None,
            contact or None,
            "; ".join(sources) or None,
            " | ".join(notes) or None,
        ])
    return rows


def typed_cell(col: Column, raw: object, day_first: bool = False) -> tuple[object, str | None]:
    """The value to store in an input column for an imported value, and the problem if it cannot be read.

    Dates become dates, amounts numbers, statuses and choices their canonical labels ("Paid", "In"),
    denial codes the canonical text ("CO-16 MA130; PR-2"). Blank gives (None, None).
    """
    if is_blank(raw):
        return None, None
    if hasattr(raw, "value") and isinstance(getattr(raw, "value"), str):  # an enum such as Status.PAID
        raw = raw.value
    if isinstance(raw, (list, tuple)):  # denial codes as records
        raw = "; ".join(str(x) for x in raw)
    issues: list[str] = []
    kind = col.kind
    value: object
    if kind == "date":
        value = parse_date(raw, col.header, issues, day_first)
    elif kind == "money":
        value = parse_money(raw, col.header, issues)
    elif kind == "status":
        value = parse_status(raw, col.header, issues, False).value
    elif kind == "denials":
        codes = parse_denials(raw, col.header, issues)
        value = "; ".join(str(c) for c in codes) or None
    elif kind in _ENUM_TABLES:
        e = parse_choice(raw, kind, col.header, issues)
        value = e.value if e is not None else None
    else:
        value = parse_text(raw, col.header, issues) or None
        if isinstance(value, str):
            value = clean_text(value)
    if issues:
        return None, issues[0]
    return value, None


def same_cell(col: Column, old: object, new: object, day_first: bool = False) -> bool:
    """Whether an existing cell already holds ``new`` (compared as claimbook reads both)."""
    if is_blank(old):
        return is_blank(new)
    old_typed, problem = typed_cell(col, old, day_first)
    if problem:
        return False
    if isinstance(old_typed, float) and isinstance(new, float):
        return abs(old_typed - new) < 0.005
    if col.kind in ("id", "text") and isinstance(old_typed, str) and isinstance(new, str):
        return old_typed == new.strip()
    return old_typed == new


def claim_to_row(claim: Claim) -> list:
    """A claim as the values of ``INPUT_COLUMNS`` (for sample trackers, exports and tests)."""
    out = []
    for col in INPUT_COLUMNS:
        v = getattr(claim, col.field)
        if col.kind == "denials":
            v = "; ".join(str(c) for c in v) or None
        elif hasattr(v, "value"):  # enums
            v = v.value
        elif col.kind == "money" and col.field != "expected" and v == 0.0:
            v = None if col.field != "billed" else v
        elif v == "":
            v = None
        out.append(v)
    return out
