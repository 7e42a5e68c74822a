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
    critical: int  # open claims at Critical or Expired timely-filing risk
    data_issues: int  # claims with at least one data issue

    def line(self) -> str:
        return (
            f"{self.claims} claims, {self.open} open: {self.due_today} due today, {self.overdue} overdue, "
            f"{self.critical} at critical timely-filing risk, {self.data_issues} with data issues"
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
