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

from datetime import date

from claimbook import table
from claimbook.blocks import Block, Dashboard, Kpi, RefreshOutput, Summary

__all__ = ["Block", "Dashboard", "Kpi", "RefreshOutput", "Summary", "run_blocks"]


def run_blocks(claims: Block, log: Block | None, rules, as_of: date, settings_rows=None, *,
               settings: table.TrackerSettings | None = None) -> RefreshOutput:
    """Claims block (+ Follow-up Log, + Settings rows) in, everything a refresh writes out. Pure.

    ``as_of`` is the date to compute for (the session resolves the Settings "As-of date" or today).
    ``settings``: the Settings rows already read by the session (else ``settings_rows`` are read here).
    Raises ``MissingColumnsError`` when the Claims header lacks Claim ID, Payer or DOS.
    """
    from claimbook import planning
    from claimbook.engine import evaluate
    from claimbook.model import Risk

    day_first = rules.settings.day_first_dates
    tracker = settings if settings is not None else table.tracker_settings(settings_rows, day_first)
    read = table.read_claims(claims, day_first)
    facts = table.read_log(log, day_first)
    records = []
    positions = []
    for i, c in enumerate(read.claims):
        if c is None:
            continue
        records.append(table.apply_log(c, facts.get(read.keys[i])) if read.keys[i] else c)
        positions.append(i)
    evaluation = evaluate(records, rules.for_tracker() if hasattr(rules, "for_tracker") else rules, as_of)
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
    plan = planning.make_plan([r for _, r in pairs], as_of, look_ahead,
                              tracker.work_per_day or rules.settings.work_per_day,
                              dict(rules.settings.minutes_per_action), rules.holidays)
    worklist = Block(list(table.WORKLIST_COLUMNS), planning.worklist_rows(pairs, plan))
    board = table.dashboard(pairs, rules.settings.bucket_labels(), as_of,
                            table.ar_over_days(rules.settings.bucket_edges))
    payers = Block(list(table.PAYERS_COLUMNS), table.payers_rows(rules, as_of))

    problems = [str(p) for p in (*getattr(rules, "problems", ()), *evaluation.rules_problems)]
    problems = list(dict.fromkeys(problems)) + list(tracker.problems)
    due_today, overdue = table.follow_ups_due((r for _, r in pairs), as_of)
    summary = Summary(
        claims=len(records),
        open=sum(1 for _, r in pairs if r.is_open),
        due_today=due_today,
        overdue=overdue,
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
        plan=plan,
    )
