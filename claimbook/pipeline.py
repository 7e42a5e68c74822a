"""The one pipeline every front door shares: 2-D blocks of cell values in, 2-D blocks out.

Excel (xlwings), ``claimbook refresh`` (openpyxl) and tests all call ``run_blocks``; they differ only in
how they read the blocks from a workbook and write the output back. No I/O here.

Contract (kept narrow on purpose):
- ``claims`` is the Claims table: a header row and data rows, cell values as an edge reads them
  (dates as ``date``/``datetime``, Excel serial numbers or text; numbers as float or text; ``None`` for empty).
- ``log`` is the Follow-up Log the same way (may be empty).
- The output's ``computed`` has exactly one row per input data row, in the input's row order, with the
  values of ``table.COMPUTED_COLUMNS``; results are matched to rows by Claim ID, never by position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Block:
    """A rectangle of cell values with its header row."""

    header: list[str]
    rows: list[list]
    first_row: int | None = None  # sheet row of rows[0], when the edge knows it (for "(row 12)" labels)


@dataclass(frozen=True)
class Kpi:
    label: str
    value: float | int | None
    fmt: str  # "money", "percent", "count"
    note: str = ""


@dataclass(frozen=True)
class Dashboard:
    buckets: list[str]  # bucket labels, in order
    payers: list[str]  # payer display names, largest open AR first
    dollars: list[list[float]]  # [payer][bucket]
    counts: list[list[int]]  # [payer][bucket]
    kpis: list[Kpi]


@dataclass(frozen=True)
class Summary:
    claims: int
    open: int
    due_today: int
    overdue: int
    critical: int  # open claims at Critical timely-filing risk (15 days or less)
    data_issues: int  # claims with at least one data issue
    expired: int = 0  # open claims whose timely-filing deadline has passed

    def line(self) -> str:
        return (
            f"{self.claims} claims, {self.open} open: {self.due_today} due today, {self.overdue} overdue, "
            f"{self.critical} with 15 days or less to the filing deadline, {self.expired} past it, "
            f"{self.data_issues} with data issues"
        )


@dataclass(frozen=True)
class RefreshOutput:
    as_of: date
    computed: list[list]  # one row per Claims data row (all None for a blank row)
    worklist: Block
    dashboard: Dashboard
    payers: Block
    rules_folder: str
    rules_problems: list[str]
    summary: Summary
    evaluation: object = field(default=None, repr=False)  # claimbook.model.Evaluation, for callers that need it
    claims: tuple = field(default=(), repr=False)  # the Claim records, in the order of evaluation.results
    settings: object = field(default=None, repr=False)  # claimbook.table.TrackerSettings read from the Settings rows


def run_blocks(claims: Block, log: Block | None, rules, as_of: date, settings_rows=None) -> RefreshOutput:
    """Claims block (+ Follow-up Log, + Settings rows) in, everything a refresh writes out. Pure.

    ``as_of`` is the date to compute for (the edge resolves the Settings "As-of date" or today).
    Raises ``MissingColumnsError`` when the Claims header lacks Claim ID, Payer or DOS.
    """
    from claimbook import table
    from claimbook.engine import evaluate
    from claimbook.model import Risk

    day_first = rules.settings.day_first_dates
    tracker = table.tracker_settings(settings_rows, day_first)
    read = table.read_claims(claims, day_first)
    facts = table.read_log(log, day_first)
    records = []
    positions = []
    for i, c in enumerate(read.claims):
        if c is None:
            continue
        records.append(table.apply_log(c, facts.get(read.keys[i])) if read.keys[i] else c)
        positions.append(i)
    evaluation = evaluate(records, rules, as_of)
    results = evaluation.results
    if len(results) != len(records):
        raise RuntimeError("the engine returned a different number of results than claims")

    computed: list[list] = [list(table.BLANK_COMPUTED) for _ in read.claims]
    pairs = []
    issue_col = table.COMPUTED_COLUMNS.index("Data Issues")
    for claim, result, row in zip(records, results, positions):
        # Matched by Claim ID: a result that is not this row's claim is a bug, never a silent shift.
        if result.claim_id != claim.claim_id:
            raise RuntimeError("a result did not match its claim")
        values = table.computed_row(result)
        issues = table.merged_issues(claim, result)
        values[issue_col] = table.clean_text("; ".join(issues)) if issues else None
        computed[row] = values
        pairs.append((claim, result))

    look_ahead = tracker.look_ahead_days
    if look_ahead is None:
        look_ahead = rules.settings.look_ahead_days
    worklist = Block(list(table.WORKLIST_COLUMNS), table.worklist_rows(pairs, as_of, look_ahead))
    board = table.dashboard(pairs, rules.settings.bucket_labels(), as_of)
    payers = Block(list(table.PAYERS_COLUMNS), table.payers_rows(rules, as_of))

    problems = [str(p) for p in (*getattr(rules, "problems", ()), *evaluation.rules_problems)]
    problems = list(dict.fromkeys(problems)) + list(tracker.problems)
    summary = Summary(
        claims=len(records),
        open=sum(1 for _, r in pairs if r.is_open),
        due_today=sum(1 for _, r in pairs if r.is_open and r.needs_action and r.follow_up == as_of),
        overdue=sum(1 for _, r in pairs
                    if r.is_open and r.needs_action and r.follow_up is not None and r.follow_up < as_of),
        critical=sum(1 for _, r in pairs if r.is_open and r.tf_risk is Risk.CRITICAL),
        data_issues=sum(1 for row in computed if row[issue_col]),
        expired=sum(1 for _, r in pairs if r.is_open and r.tf_risk is Risk.EXPIRED),
    )
    return RefreshOutput(
        as_of=as_of,
        computed=computed,
        claims=tuple(records),
        worklist=worklist,
        dashboard=board,
        payers=payers,
        rules_folder=str(getattr(rules, "folder", "") or ""),
        rules_problems=problems,
        summary=summary,
        evaluation=evaluation,
        settings=tracker,
    )
