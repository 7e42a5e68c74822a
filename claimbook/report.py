"""Plain-text tables for the terminal (``claimbook demo``), drawn from a refresh's output: the same
Worklist rows and the same open-AR matrix the Worklist and Dashboard sheets show."""

from __future__ import annotations

from datetime import date

from claimbook.blocks import Block, Dashboard


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def worklist_table(worklist: Block, limit: int = 20) -> str:
    """The first ``limit`` rows of the Worklist (already ordered by priority and cut at the look-ahead)."""
    at = {h: i for i, h in enumerate(worklist.header)}
    head = f"{'#':>3}  {'Claim':<8} {'Payer':<22} {'Next action':<52} {'Due':<10} {'Days late':>9} {'At stake':>10}  {'TF risk':<8}"
    lines = [head, "-" * len(head)]
    for row in worklist.rows[:limit]:
        def v(name, row=row):
            return row[at[name]]
        due = v("Due")
        lines.append(
            f"{v('Priority') or '':>3}  {_cut(str(v('Claim ID')), 8):<8} {_cut(str(v('Payer') or ''), 22):<22} "
            f"{_cut(v('Next Action') or '', 52):<52} {due.isoformat() if due else '':<10} "
            f"{v('Days Overdue') or '':>9} {v('At Stake') or 0:>10,.2f}  {v('TF Risk') or '':<8}"
        )
    if not worklist.rows:
        lines.append("Nothing needs doing.")
    return "\n".join(lines)


def aging_table(dashboard: Dashboard) -> str:
    """Open AR dollars and claim counts by payer and aging bucket, with totals (the Dashboard's matrix)."""
    from claimbook.sheets import ALL_PAYERS, fold_payers

    labels = list(dashboard.buckets)
    payers, dollars, counts = fold_payers(dashboard)
    width = 15
    head = f"{'Payer':<26}" + "".join(f"{b:>{width}}" for b in labels) + f"{'Total':>{width}}"
    lines = [head, "-" * len(head)]

    def row(name: str, d: list[float], n: list[int]) -> str:
        cells = "".join(f"{_money_count(a, c):>{width}}" for a, c in zip(d, n))
        return f"{_cut(name, 26):<26}{cells}{_money_count(sum(d), sum(n)):>{width}}"

    for p, d, n in zip(payers, dollars, counts):
        lines.append(row(p, d, n))
    lines.append("-" * len(head))
    lines.append(row(ALL_PAYERS, [sum(col) for col in zip(*dollars)] if dollars else [0.0] * len(labels),
                     [sum(col) for col in zip(*counts)] if counts else [0] * len(labels)))
    return "\n".join(lines)


def _money_count(amount: float, count: int) -> str:
    return f"${amount:,.0f} ({count})" if count else "-"


def heading(as_of: date, n_claims: int, rules_folder: str) -> str:
    return f"claimbook - {n_claims} claims as of {as_of:%A, %B %d, %Y} - rules: {rules_folder}"
