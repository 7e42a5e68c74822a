"""The use cases on a tracker: refresh, import, evaluate (for explain), check the rules.

Each takes an edge (``claimbook.app.edge.Edge``) and returns plain values; the front doors print them,
show them in a message box or leave them in cells. The order of work in each is the same whichever edge
it has: open the session, read the blocks once, run the pipeline, write, save.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

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


def import_files(edge, files, *, preset=None, again=False, add_unmatched=False, as_of: date | None = None,
                 rules_dir=None, when: datetime | None = None):
    """Plan every file, then write the Claims edit and the Import Log rows, refresh and save.

    Returns (ImportResult, Refreshed or None). Nothing is written when no file needs importing.
    """
    from claimbook.imports import plan_files

    session = session_for(edge, as_of, rules_dir)
    result = plan_files(files, edge.read_claims(), list(session.settings_rows), session.rules_folder,
                        edge.read_import_log(), preset, again, add_unmatched, edge.read_payments())
    if not result.imported:
        return result, None
    edge.apply_edit(result.edit)
    when = when or datetime.now()
    edge.add_import_log(result.reports, when)
    edge.add_payments(result.payment_rows(when))
    return result, refresh(edge, session)


def find_claim(output: RefreshOutput, claim_id):
    """(claim, result) of the claim with this Claim ID in a refresh's output (the first one), or None."""
    from claimbook.table import claim_key

    wanted = claim_key(claim_id)
    for claim, result in zip(output.claims, output.evaluation.results):
        if claim_key(claim.claim_id) == wanted:
            return claim, result
    return None


@dataclass(frozen=True)
class RulesCheck:
    folder: str
    problems: list  # claimbook.model.Problem, sorted by file and line
    files: int

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def lines(self) -> list[str]:
        return [str(p) if p.severity == "error" else f"{p} (warning)" for p in self.problems]


def check_rules(folder) -> RulesCheck:
    """Every problem in a rules folder, its import.yaml (with the practice's words) and presets included, with
    the number of files read: what ``claimbook rules check`` and the ribbon's Check rules show."""
    from claimbook.rules.loader import check_rules_counted

    folder = Path(folder)
    problems, files = check_rules_counted(folder)
    extra = _import_yaml_problems(folder)
    if extra is not None:
        files += 1
        problems = problems + extra
    found, n = _preset_problems(folder)
    problems, files = problems + found, files + n
    problems = sorted(problems, key=lambda p: (p.source.file != "", p.source.file, p.source.line or 0))
    return RulesCheck(str(folder.resolve()), problems, files)


def _preset_problems(folder) -> tuple[list, int]:
    """The problems in the folder's presets/*.yaml (practice-management export presets) and how many."""
    from claimbook.imports.presets import check_presets

    where = folder / "presets"
    if not where.is_dir():
        return [], 0
    return check_presets(where)[1], len([p for p in where.iterdir() if p.suffix.lower() in (".yaml", ".yml")])


def _import_yaml_problems(folder):
    """The problems in the folder's import.yaml (the CSV column names), or None when it has none."""
    from claimbook.imports import check_import_yaml

    path = folder / "import.yaml"
    if not path.is_file():
        return None
    try:
        _, _, found = check_import_yaml(path, "import.yaml")
    except OSError as err:
        from claimbook.model import Problem, Source

        return [Problem(Source(file="import.yaml"), f"the file could not be read ({err.strerror}).")]
    return [p for _, p in found]


def rules_folder_of(edge) -> Path:
    """The rules folder a tracker uses (Rules folder button, Check Rules), without loading the rules."""
    from claimbook import table
    from claimbook.app.context import rules_folder

    return rules_folder(edge.location(), table.rules_folder_setting(edge.read_settings()))


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
