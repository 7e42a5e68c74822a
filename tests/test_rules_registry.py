"""Meta-tests over the shipped rules kit: every payer file loads cleanly, cites its sources, and has its
own test file. Failure messages name the file and what is missing, so a new payer file fails with a to-do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from claimbook.rules.loader import SECTIONS, check_rules, load_rules

ROOT = Path(__file__).resolve().parents[1]
RULES_DIR = ROOT / "rules"
PAYER_TESTS = ROOT / "tests" / "payers"
PAYER_FILES = sorted(p for p in (RULES_DIR / "payers").glob("*.y*ml"))


@pytest.fixture(scope="module")
def problems():
    return check_rules(RULES_DIR)


@pytest.fixture(scope="module")
def rules():
    return load_rules(RULES_DIR)


def _payer(rules, key):
    return rules.default if key == "default" else next(p for p in rules.payers if p.key == key)


def test_there_are_payer_files():
    assert (RULES_DIR / "payers" / "default.yaml") in PAYER_FILES
    assert len(PAYER_FILES) >= 13, f"expected the 13 shipped payer files, found {[p.name for p in PAYER_FILES]}"


@pytest.mark.parametrize("path", PAYER_FILES, ids=lambda p: p.name)
def test_payer_file_loads_without_problems(problems, path):
    rel = f"payers/{path.name}"
    mine = [str(p) for p in problems if p.source.file == rel and "in the future" not in p.message]
    assert not mine, f"rules/{rel} has problems:\n  " + "\n  ".join(mine)


@pytest.mark.parametrize("name", ["settings.yaml", "denials.yaml"])
def test_shared_file_loads_without_problems(problems, name):
    mine = [str(p) for p in problems if p.source.file == name]
    assert not mine, f"rules/{name} has problems:\n  " + "\n  ".join(mine)


@pytest.mark.parametrize("path", PAYER_FILES, ids=lambda p: p.name)
def test_every_section_cites_a_source(rules, path):
    payer = _payer(rules, path.stem)
    missing = []
    for section in SECTIONS:
        for version in getattr(payer, section):
            cited = version.cited
            where = f"{section} (from {cited.file}:{cited.line}, effective {cited.effective_from})"
            if not cited.source.strip():
                missing.append(f"{where}: no source")
            if cited.source.lower().startswith("none found") and not cited.contested:
                missing.append(f"{where}: the source says no rule was found, so mark it 'contested: yes'")
            if cited.contested and not cited.note.strip():
                missing.append(f"{where}: contested without a note saying which sources disagree")
    assert not missing, f"rules/payers/{path.name}:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("path", PAYER_FILES, ids=lambda p: p.name)
def test_every_payer_file_has_its_own_test(path):
    test = PAYER_TESTS / f"test_{path.stem}.py"
    assert test.is_file(), (f"rules/payers/{path.name} has no test: add tests/{test.relative_to(ROOT / 'tests')} "
                            f"checking its deadlines, appeal window, follow-up dates and name matching")
    assert f'"{path.stem}"' in test.read_text(encoding="utf-8"), (
        f"tests/payers/{test.name} never names the payer key \"{path.stem}\": assert that claims for "
        f"rules/payers/{path.name} are matched to it")


def test_every_payer_test_has_a_rules_file():
    keys = {p.stem for p in PAYER_FILES}
    orphans = [t.name for t in PAYER_TESTS.glob("test_*.py") if t.stem[len("test_"):] not in keys]
    assert not orphans, f"tests/payers has tests for payer files that do not exist: {orphans}"
