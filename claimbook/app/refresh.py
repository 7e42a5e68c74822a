"""The use cases on a tracker: refresh, evaluate (for ``explain``), one row alone (the ribbon's Explain).

Each takes an edge (``claimbook.app.edge.Edge``) or a session and returns plain values; the front doors
print them, show them in a message box or leave them in cells. The order of work is the same whichever
edge it has: open the session, read the blocks once, run the pipeline, write, save. Importing is in
``importing``, checking the rules in ``rulescheck``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from claimbook.app.context import Session, open_session
from claimbook.blocks import Block, RefreshOutput
from claimbook.pipeline import run_blocks


def session_for(edge, as_of: date | None = None, rules_dir=None, load=None) -> Session:
    """The edge's tracker resolved once (``claimbook.app.context``)."""
    return open_session(edge.read_settings(), edge.location(), as_of=as_of, rules_dir=rules_dir, load=load)


@dataclass(frozen=True)
class Refreshed:
    output: RefreshOutput
    session: Session
    added: list  # what ``prepare`` added to the workbook, one plain line each


def compute(edge, session: Session) -> tuple[Block, RefreshOutput]:
    """Read the Claims and Follow-up Log blocks once and run the pipeline on them. Writes nothing."""
    claims = edge.read_claims()
    output = run_blocks(claims, edge.read_log(), session.rules, session.as_of, session.settings_rows,
                        settings=session.settings)
    return claims, output


def refresh(edge, session: Session | None = None, *, as_of: date | None = None, rules_dir=None,
            save: bool = True) -> Refreshed:
    """Recompute every claim and the generated sheets; save (with ``save``)."""
    session = session or session_for(edge, as_of, rules_dir)
    added = edge.prepare(session.rules)  # may add columns and sheets, so the blocks are read after it
    claims, output = compute(edge, session)
    edge.write_refresh(claims, output, session.rules)
    if save:
        edge.save(session.backups_kept)
    return Refreshed(output, session, added)


def evaluate(edge, *, as_of: date | None = None, rules_dir=None) -> RefreshOutput:
    """Everything a refresh would compute, without changing anything (``explain``)."""
    return compute(edge, session_for(edge, as_of, rules_dir))[1]


def find_claim(output: RefreshOutput, claim_id):
    """(claim, result) of the claim with this Claim ID in a refresh's output (the first one), or None."""
    from claimbook.table import claim_key

    wanted = claim_key(claim_id)
    for claim, result in zip(output.claims, output.evaluation.results):
        if claim_key(claim.claim_id) == wanted:
            return claim, result
    return None


def evaluate_row(session: Session, header: list, row: list, log: Block | None):
    """One Claims row (with its Follow-up Log facts) evaluated alone: (claim, result), (None, None) when
    the row is blank. The result's priority is the rank the last refresh wrote (alone, the claim would
    always rank first), 0 when there is none."""
    from claimbook import table
    from claimbook.engine import evaluate as run_engine

    read = table.read_claims(Block(header, [row]), session.day_first)
    claim = read.claims[0]
    if claim is None:
        return None, None
    claim = table.apply_log(claim, table.read_log(log, session.day_first).get(read.keys[0]))
    result = run_engine([claim], session.rules.for_tracker(), session.as_of).results[0]  # tracker date order
    computed = table.map_computed_columns(header)
    rank = row[computed["Priority"]] if "Priority" in computed else None
    return claim, result._replace(priority=int(rank) if isinstance(rank, (int, float)) and rank > 0 else 0)
