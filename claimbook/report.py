"""Plain-text tables for the terminal (``claimbook demo``), drawn from a refresh's output: the same
Worklist rows and the same open-AR matrix the Worklist and Dashboard sheets show."""

from __future__ import annotations

from datetime import date

from claimbook.blocks import Block, Dashboard


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def worklist_table(worklist: Block, limit: int = 20) -> str:
    """The first ``limit`` rows of the Worklist: today's share, numbered 1..N in the order to work it."""
    at = {h: i for i, h in enumerate(worklist.header)}
    head = f"{'#':>3}  {'Claim':<8} {'Payer':<22} {'Next action':<52} {'Due':<10} {'Days late':>9} {'At stake':>10}  {'TF risk':<8}"
    lines = [head, "-" * len(head)]
    for row in worklist.rows[:limit]:
        def v(name, row=row):
            return row[at[name]]
        due = v("Due")
        lines.append(
            f"{v('#') or '':>3}  {_cut(str(v('Claim ID')), 8):<8} {_cut(str(v('Payer') or ''), 22):<22} "
            f"{_cut(v('Next Action') or '', 52):<52} {due.strftime('%m/%d/%Y') if due else '':<10} "
            f"{v('Days Overdue') or '':>9} {v('At Stake') or 0:>10,.2f}  {v('TF Risk') or '':<8}"
        )
    if not worklist.rows:
        lines.append("Nothing needs doing.")
    return "\n".join(lines)


def backlog_table(plan) -> str:
    """The Dashboard's backlog by kind of work (``planning.backlog_rows``) as text."""
    from claimbook.planning import backlog_rows

    rows = backlog_rows(plan)
    head = f"{rows[0][0]:<36}{rows[0][1]:>11}{rows[0][2]:>14}{rows[0][3]:>15}  {rows[0][4]:<12}{rows[0][5]:>14}"
    lines = [head, "-" * len(head)]
    for k, row in enumerate(rows[1:], start=1):
        if k == len(rows) - 1:
            lines.append("-" * len(head))
        label, due, each, hours, cleared, days = row
        cleared = cleared.strftime("%m/%d/%Y") if isinstance(cleared, date) else cleared
        lines.append(f"{label:<36}{due:>11}{each if each is not None else '':>14}{hours:>15.1f}  {cleared:<12}"
                     f"{days if days is not None else '':>14}")
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
