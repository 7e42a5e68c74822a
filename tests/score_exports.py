"""Score claimbook's reading of practice-management exports against their truth (issue 9's acceptance).

    PYTHONPATH=. python -m tests.score_exports            # the five acceptance exports (250 claims)

Imports the exports in ``tests/data/exports/acceptance`` into an empty tracker with no configuration and
counts, per claim, whether claimbook has the right status, the right payer rules file and the right denial
codes, and whether any row that is not a claim became one (a phantom). Then the practice answers the
words the import listed (``make_exports.ANSWERS``, added to import.yaml as the import said) and the same
files are imported again (--again): the second figure.
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

HERE = Path(__file__).parent
EXPORTS = HERE / "data" / "exports"
AS_OF = date(2026, 11, 30)


@dataclass
class Score:
    claims: int = 0
    right: int = 0
    phantoms: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.right / self.claims if self.claims else 0.0


def truth(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return {r["Claim ID"]: r for r in csv.DictReader(f)}


def empty_tracker(path: Path, rules) -> Path:
    from claimbook.workbook.layout import new_tracker

    new_tracker(rules, as_of=AS_OF).save(path)
    return path


def read_back(tracker: Path):
    import openpyxl

    from claimbook import table
    from claimbook.workbook import io

    wb = openpyxl.load_workbook(tracker)
    block = io.read_block(io.find_claims(wb))
    return [c for c in table.read_claims(block).claims if c is not None]


def score_tracker(tracker: Path, rules, expected: dict[str, dict[str, str]]) -> Score:
    s = Score()
    seen = set()
    for c in read_back(tracker):
        want = expected.get(c.claim_id)
        if want is None:
            s.phantoms.append(c.claim_id)
            continue
        seen.add(c.claim_id)
        got = (c.status.value, rules.payer_for(c.payer, c.payer_id)[0].key, "; ".join(str(d) for d in c.denial_codes))
        exp = (want["Status"], want["Payer File"], want["Denial Codes"])
        s.claims += 1
        if got == exp:
            s.right += 1
        else:
            s.wrong.append(f"{c.claim_id}: got {got}, expected {exp}")
    s.claims += len(set(expected) - seen)
    s.wrong += [f"{cid}: missing" for cid in sorted(set(expected) - seen)]
    return s


def answer(folder: Path, answers: dict) -> None:
    """Add the practice's answers to the folder's import.yaml, as the import's notes say to."""
    path = folder / "import.yaml"
    text = path.read_text(encoding="utf-8")
    for section in ("statuses", "payers"):
        lines = "".join(f'  "{k}": {v}\n' for k, v in answers[section].items())
        text = text.replace(f"\n{section}:\n", f"\n{section}:\n{lines}", 1)
    path.write_text(text, encoding="utf-8")


def run(files: list[Path], truth_path: Path, answers: dict | None, work: Path) -> tuple[Score, Score | None]:
    from claimbook.rules.loader import default_rules_dir, load_rules
    from claimbook.workbook.importer import import_files

    folder = work / "rules"
    shutil.copytree(default_rules_dir(), folder)
    rules = load_rules(folder)
    tracker = empty_tracker(work / "Tracker.xlsx", rules)
    expected = {}
    for cid, row in truth(truth_path).items():
        if row["File"] in {f.name for f in files}:
            expected[cid] = row
    reports, _ = import_files([str(f) for f in files], tracker, as_of=AS_OF, rules_dir=str(folder))
    first = score_tracker(tracker, rules, expected)
    first.notes = [n for r in reports for n in r.notes]
    if answers is None:
        return first, None
    answer(folder, answers)
    rules = load_rules(folder)
    import_files([str(f) for f in files], tracker, again=True, as_of=AS_OF, rules_dir=str(folder))
    return first, score_tracker(tracker, rules, expected)


def main() -> int:
    sys.path.insert(0, str(EXPORTS))
    from make_exports import ANSWERS  # noqa: E402

    files = sorted((EXPORTS / "acceptance").glob("*_claims.csv"))
    with tempfile.TemporaryDirectory() as tmp:
        first, second = run(files, EXPORTS / "acceptance" / "truth.csv", ANSWERS, Path(tmp))
    for label, s in (("no configuration", first), ("after answering the listed words once", second)):
        print(f"{label}: {s.right}/{s.claims} claims right ({s.percent:.1f}%), {len(s.phantoms)} phantom rows")
        for w in s.wrong[:40]:
            print("   ", w)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
