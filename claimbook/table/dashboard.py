"""The Dashboard's numbers: open AR by payer and aging bucket, the KPI tiles, the due/overdue count."""

from __future__ import annotations

from datetime import date
from typing import Iterable, Sequence

from claimbook.model import Claim, Risk, Status


_DENIED = {Status.DENIED, Status.APPEALED}


def follow_ups_due(results: Iterable, as_of: date) -> tuple[int, int]:
    """(due today, overdue): open claims needing an action whose follow-up date is as-of, or before it.
    The one count the Dashboard's tiles and the refresh's summary line both show."""
    due_today = overdue = 0
    for r in results:
        if r.is_open and r.needs_action and r.follow_up is not None:
            if r.follow_up == as_of:
                due_today += 1
            elif r.follow_up < as_of:
                overdue += 1
    return due_today, overdue


def ar_over_days(bucket_edges: Sequence[int]) -> tuple[int, int]:
    """The ages of the Dashboard's two "AR over N days" tiles: the upper ends of the last two aging
    buckets (90 and 120 with the usual 0-30 ... 120+ buckets), so the tiles always match the buckets."""
    edges = sorted(bucket_edges) or [90, 120]
    return (edges[-2] if len(edges) > 1 else edges[-1]), edges[-1]


def dashboard(pairs: Sequence[tuple[Claim, object]], bucket_labels: Sequence[str], as_of: date,
              over_days: tuple[int, int] = (90, 120)):
    """Open AR by payer and aging bucket, and the KPIs (``over_days``: the two "AR over N days" tiles)."""
    from claimbook.blocks import Dashboard, Kpi

    buckets = list(bucket_labels)
    index = {b: i for i, b in enumerate(buckets)}
    by_payer: dict[str, tuple[list[float], list[int]]] = {}
    open_ar = over_a = over_b = risk_dollars = underpaid = unbilled = 0.0
    days_a, days_b = over_days
    submitted = denied = 0
    due_today, overdue = follow_ups_due((r for _, r in pairs), as_of)
    for c, r in pairs:
        billed = c.status is not Status.NOT_SUBMITTED
        if billed:
            submitted += 1
            denied += c.status in _DENIED
        underpaid += r.underpaid or 0.0
        if not r.is_open:
            continue
        stake = r.at_stake or 0.0
        if r.tf_risk in (Risk.CRITICAL, Risk.HIGH):
            risk_dollars += stake
        if not billed:  # A/R is money owed on billed claims (domain.md s7); unbilled work is on the Worklist
            unbilled += stake
            continue
        open_ar += stake
        if r.age is not None and r.age > days_a:
            over_a += stake
        if r.age is not None and r.age > days_b:
            over_b += stake
        name = r.payer_name if r.payer_key != "default" else (" ".join(c.payer.split()) or r.payer_name)
        dollars, counts = by_payer.setdefault(name, ([0.0] * len(buckets), [0] * len(buckets)))
        i = index.get(r.bucket)
        if i is not None:
            dollars[i] += stake
            counts[i] += 1
    payers = sorted(by_payer, key=lambda p: (-sum(by_payer[p][0]), p.lower()))
    kpis = [
        Kpi("Open AR", round(open_ar, 2), "money",
            f"owed on billed claims; ${unbilled:,.2f} more not billed yet" if unbilled else "owed on billed claims"),
        Kpi(f"AR over {days_a} days", (over_a / open_ar) if open_ar else None, "percent", "share of open AR dollars"),
        Kpi(f"AR over {days_b} days", (over_b / open_ar) if open_ar else None, "percent", "share of open AR dollars"),
        Kpi("Denial rate", (denied / submitted) if submitted else None, "percent",
            "denied or appealed, among submitted claims"),
        Kpi("Follow-ups due today", due_today, "count"),
        Kpi("Follow-ups overdue", overdue, "count"),
        Kpi("At Critical/High filing risk", round(risk_dollars, 2), "money", "open dollars"),
        Kpi("Underpaid", round(underpaid, 2), "money", "below the expected amount, beyond tolerance"),
    ]
    return Dashboard(
        buckets=buckets,
        payers=payers,
        dollars=[[round(x, 2) for x in by_payer[p][0]] for p in payers],
        counts=[by_payer[p][1] for p in payers],
        kpis=kpis,
        unbilled=round(unbilled, 2),
    )
