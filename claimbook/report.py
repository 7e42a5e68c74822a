"""Plain-text reports for the terminal: today's worklist and the aging summary.

Used by ``claimbook demo`` and any command that prints results. No I/O: functions return strings.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Sequence

from claimbook.model import Claim, Result
from claimbook.rules.schema import Settings


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def worklist_table(results: Sequence[Result], due_by: date, limit: int = 20) -> str:
    """The top ``limit`` claims by priority among those due by ``due_by`` (as the Worklist sheet), one line each."""
    rows = sorted((r for r in results if r.priority and r.follow_up and r.follow_up <= due_by),
                  key=lambda r: r.priority)[:limit]
    head = f"{'#':>3}  {'Claim':<8} {'Payer':<22} {'Next action':<52} {'Due':<10} {'Days late':>9} {'At stake':>10}  {'TF risk':<8}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.priority:>3}  {_cut(r.claim_id, 8):<8} {_cut(r.payer_name, 22):<22} {_cut(r.next_action, 52):<52} "
            f"{r.follow_up.isoformat() if r.follow_up else '':<10} {r.days_overdue or '':>9} "
            f"{r.at_stake:>10,.2f}  {r.tf_risk.value if r.tf_risk else '':<8}"
        )
    if not rows:
        lines.append("Nothing needs doing.")
    return "\n".join(lines)


def aging_table(claims: Sequence[Claim], results: Sequence[Result], settings: Settings) -> str:
    """Open dollars and claim counts by payer and aging bucket, with totals."""
    labels = settings.bucket_labels()
    dollars: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c, r in zip(claims, results):
        if not r.is_open or not r.bucket:
            continue
        dollars[r.payer_name][r.bucket] += r.at_stake
        counts[r.payer_name][r.bucket] += 1
    payers = sorted(dollars, key=lambda p: -sum(dollars[p].values()))
    width = 15
    head = f"{'Payer':<26}" + "".join(f"{b:>{width}}" for b in labels) + f"{'Total':>{width}}"
    lines = [head, "-" * len(head)]

    def row(name: str, d: dict[str, float], n: dict[str, int]) -> str:
        cells = "".join(f"{_money_count(d.get(b, 0.0), n.get(b, 0)):>{width}}" for b in labels)
        return f"{_cut(name, 26):<26}{cells}{_money_count(sum(d.values()), sum(n.values())):>{width}}"

    total_d: dict[str, float] = defaultdict(float)
    total_n: dict[str, int] = defaultdict(int)
    for p in payers:
        lines.append(row(p, dollars[p], counts[p]))
        for b in labels:
            total_d[b] += dollars[p].get(b, 0.0)
            total_n[b] += counts[p].get(b, 0)
    lines.append("-" * len(head))
    lines.append(row("All payers", total_d, total_n))
    return "\n".join(lines)


def _money_count(amount: float, count: int) -> str:
    return f"${amount:,.0f} ({count})" if count else "-"


def heading(as_of: date, n_claims: int, rules_folder: str) -> str:
    return f"claimbook - {n_claims} claims as of {as_of:%A, %B %d, %Y} - rules: {rules_folder}"
