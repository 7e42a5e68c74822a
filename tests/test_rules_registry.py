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


# Every row of the CARC table in the domain research (section 5), as group + CARC with the usual group.
DOMAIN_CARCS = [
    "PR-1", "PR-2", "PR-3", "CO-45", "PR-45", "CO-253", "OA-23", "CO-16", "CO-4", "CO-5", "CO-6", "CO-7", "CO-8",
    "CO-11", "CO-146", "CO-167", "CO-181", "CO-182", "OA-18", "CO-18", "CO-22", "OA-22", "CO-19", "CO-20",
    "CO-21", "CO-109", "CO-24", "CO-26", "PR-26", "CO-27", "PR-27", "CO-31", "CO-32", "CO-140", "CO-29",
    "CO-39", "CO-197", "CO-198", "CO-15", "CO-288", "CO-287", "CO-242", "CO-243", "CO-50", "CO-55", "CO-56",
    "CO-96", "PR-96", "CO-204", "PR-204", "CO-49", "CO-119", "PR-119", "CO-151", "CO-150", "CO-97", "CO-236",
    "CO-231", "CO-59", "CO-234", "CO-B15", "CO-170", "CO-185", "CO-B7", "CO-163", "CO-252", "CO-226",
    "PR-227", "CO-227", "CO-129", "OA-129", "PR-100", "OA-100", "OA-94", "OA-133", "CO-144", "OA-144",
    "CO-161", "CO-139", "CO-281",
]


@pytest.mark.parametrize("code", DOMAIN_CARCS)
def test_every_common_denial_code_has_an_action(rules, code):
    group, carc = code.split("-")
    rule = rules.denials.lookup(group, carc)
    assert rule is not rules.denials.fallback, f"rules/denials.yaml has no entry for {code} (nor for {carc} alone)"


@pytest.mark.parametrize("code, rarc, category", [
    ("CO-16", "MA130", "correct_resubmit"),
    ("CO-16", "N290", "correct_resubmit"),
    ("CO-50", "N115", "coding_review"),
    ("CO-50", "N386", "coding_review"),
])
def test_remark_codes_that_change_the_action_have_their_own_entry(rules, code, rarc, category):
    group, carc = code.split("-")
    rule = rules.denials.lookup(group, carc, (rarc,))
    assert rule.code == f"{code} {rarc}", f"rules/denials.yaml has no entry for '{code} {rarc}'"
    assert rule.category == category
    assert rule.action != rules.denials.lookup(group, carc).action


def test_urgency_puts_deadlines_first_and_write_offs_last(rules):
    d = rules.denials
    assert d.lookup("CO", "29").priority == 5  # timely filing
    assert d.lookup("CO", "252").priority == 5  # records requested
    assert d.lookup("CO", "45").priority == 1 and d.lookup("CO", "253").priority == 1
    assert d.lookup("PR", "96").category == "patient_resp"  # PR: the patient owes it
    assert d.lookup("CO", "96").category == "noncovered"  # CO: the practice's write-off
    assert [code for code, r in d.by_code.items() if r.appealable and r.category == "no_action"] == []
