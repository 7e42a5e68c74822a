"""The shapes the layers pass to each other: blocks of cell values in, a refresh's output out.

Plain frozen dataclasses with no behaviour beyond a summary line, so every layer can import them
(the table layer builds a ``Dashboard``, the pipeline a ``RefreshOutput``, the edges read and write
``Block``s) without importing each other. ``claimbook.pipeline`` re-exports them.
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
    unbilled: float = 0.0  # open dollars on claims not billed yet (on the Worklist, not in AR)


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
    plan: object = field(default=None, repr=False)  # claimbook.planning.Plan: today's share and the backlog
