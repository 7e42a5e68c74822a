"""The rules loader: string-only YAML, located problems, value conversion, versions, inheritance."""

from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path

import pytest

import claimbook
from claimbook.errors import RulesError
from claimbook.rules import check_rules, default_rules_dir, load_rules, resolve_rules_dir
from claimbook.rules import loader
from claimbook.rules.schema import AgingBasis, Anchor, Period, version_at
from claimbook.rules.yamlread import read_yaml
from claimbook.suggest import did_you_mean

REPO_RULES = Path(__file__).parent.parent / "rules"
# A small valid rules folder (settings.yaml, denials.yaml, payers/default.yaml); only the base files are used.
BASE = Path(__file__).parent / "rules_bad" / "bad_boolean"


def make_rules(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "rules"
    (folder / "payers").mkdir(parents=True)
    for rel in ("settings.yaml", "denials.yaml", "payers/default.yaml"):
        shutil.copy(BASE / rel, folder / rel)
    for rel, text in files.items():
        (folder / rel).write_text(text)
    return folder


def lines(problems) -> list[str]:
    return [str(p) for p in problems]


# --- yamlread -------------------------------------------------------------------------------------


def test_every_scalar_stays_text():
    tree, problems = read_yaml(
        "payer_id: 00123\nlegacy: 0777\nstate: NO\nauto: off\nflag: yes\neffective: 2024-01-01\n"
        "ratio: 1.50\nempty:\nnull_word: null\nids:\n  - 00123\n  - 60054\n", "t.yaml")
    assert problems == []
    assert tree == {"payer_id": "00123", "legacy": "0777", "state": "NO", "auto": "off", "flag": "yes",
                    "effective": "2024-01-01", "ratio": "1.50", "empty": "", "null_word": "null",
                    "ids": ["00123", "60054"]}
    assert all(type(v) is not bool and not isinstance(v, (int, float, date)) for v in tree.values())


def test_explicit_tags_do_not_type_values():
    tree, problems = read_yaml("a: !!int 5\nb: !!bool yes\nc: !custom x\n", "t.yaml")
    assert problems == [] and tree == {"a": "5", "b": "yes", "c": "x"}


def test_lines_of_keys_and_values():
    tree, _ = read_yaml("# note\nname: Aetna\nmatch:\n  names:\n    - Aetna*\n", "t.yaml")
    assert tree.key_line("name") == 2 and tree["name"].line == 2
    assert tree.key_line("match") == 3
    assert tree["match"]["names"][0].line == 5


def test_duplicate_keys_are_refused_with_both_lines():
    _, problems = read_yaml("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n", "p.yaml")
    assert lines(problems) == [
        "p.yaml:4: 'c' is written twice in the same place (first on line 3). Each setting may appear once. "
        "Delete one of the two lines.",
        "p.yaml:5: 'a' is written twice in the same place (first on line 1). Each setting may appear once. "
        "Delete one of the two lines.",
    ]


@pytest.mark.parametrize("text, line, start", [
    ("a:\n\tb: 1\n", 2, "a tab is used for indenting"),
    ("a:\n  b:\t1\n", 2, "there is a tab in the line"),
    ("a:\n  limit 90 days\n  source: x\n", 2, "'limit 90 days' has no colon"),
    ("a:\n  source: x\n  limit 90 days\n", 3, "'limit 90 days' has no colon"),
    ("a:\n  b: \"hello\n  c: 2\n", 2, "a quote is opened here and never closed"),
    ("a:\n  b: hello: world\n", 2, "the value has a colon followed by a space in it"),
    ("a:\n    b: 1\n  c: 2\n", 3, "this line is not indented like the lines around it"),
    ("a: \"x\" y\n", 1, "there is text after the closing quote"),
    ("a: [1, 2\n", 1, "a bracket or brace is opened and never closed"),
    ("a: *x\n", 1, "the value starts with a character YAML reserves (*)"),
])
def test_syntax_errors_are_plain_problems(text, line, start):
    tree, problems = read_yaml(text, "f.yaml")
    assert tree is None and len(problems) == 1
    assert problems[0].source.line == line
    assert problems[0].message.startswith(start)
    assert "Traceback" not in problems[0].message and "scalar" not in problems[0].message


# --- value conversion -----------------------------------------------------------------------------


@pytest.mark.parametrize("text, period", [
    ("90 days", Period(days=90)), ("1 day", Period(days=1)), ("12 months", Period(months=12)),
    ("1 year", Period(months=12)), ("2 years", Period(months=24)), ("90  Days", Period(days=90)),
    ("6 months after the month of service", Period(months=6, month_end=True)),
    ("2 weeks", Period(days=14)),
])
def test_periods(text, period):
    assert loader.to_period(text) == period


@pytest.mark.parametrize("text", ["90d", "90", "ninety days", "0 days", "12 moons", ""])
def test_bad_periods(text):
    with pytest.raises(loader._Bad):
        loader.to_period(text)


def test_small_values():
    assert loader.to_days("14 days") == 14 and loader.to_days("14") == 14 and loader.to_days("1 day") == 1
    assert [loader.to_yesno(t) for t in ("yes", "NO", "True", "false")] == [True, False, True, False]
    assert loader.to_date("2024-01-05") == date(2024, 1, 5) == loader.to_date("1/5/2024")
    assert loader.to_money("$1") == 1.0 == loader.to_money("1.00") and loader.to_money("$1,250.50") == 1250.5
    assert loader.to_percent("2") == 2.0 == loader.to_percent("2%")
    assert loader.to_edges("30, 60, 90, 120") == (30, 60, 90, 120) == loader.to_edges(["30", "60", "90", "120"])
    assert loader.to_anchor("DOS") is Anchor.DOS and loader.to_anchor("primary EOB") is Anchor.PRIMARY_EOB
    assert loader.to_anchor("remit date") is Anchor.REMIT and loader.to_anchor("through") is Anchor.THROUGH
    assert loader.to_basis("submission date") is AgingBasis.SUBMITTED
    for convert, text in ((loader.to_edges, "30, 30"), (loader.to_edges, "0, 30"), (loader.to_date, "2023-02-29")):
        with pytest.raises(loader._Bad):
            convert(text)


def test_denial_codes_are_normalised():
    assert loader.normalise_code("co-16  ma130") == "CO-16 MA130"
    assert loader.normalise_code("18") == "18"
    assert loader.normalise_code("pr - 1") == "PR-1"
    assert loader.normalise_code("CO-B7") == "CO-B7"
    assert loader.normalise_code("XX-50") is None and loader.normalise_code("16 MA130") is None


def test_did_you_mean():
    assert did_you_mean("timely_filng", ["timely_filing", "appeal"]) == "timely_filing"
    assert did_you_mean("AETNA", ["Aetna", "Cigna"]) == "Aetna"
    assert did_you_mean("zzzz", ["Aetna", "Cigna"]) is None


# --- the shipped rules ----------------------------------------------------------------------------


def test_shipped_rules_load_without_problems():
    rules = load_rules(REPO_RULES)
    assert [p for p in rules.problems if p.severity == "error"] == []
    assert rules.default.key == "default"
    medicare = next(p for p in rules.payers if p.key == "medicare")
    assert medicare.file == "payers/medicare.yaml"
    assert "04412" in medicare.payer_ids  # leading zero kept
    tf = medicare.timely_filing[0]
    assert tf.in_network == Period(months=12) and tf.roll_to_business_day
    assert tf.cited.file == "payers/medicare.yaml" and tf.cited.line and tf.cited.source
    assert medicare.appeal[0].timely_filing_denials_appealable is False
    assert medicare.appeal[0].receipt_presumption == 5
    assert rules.denials.lookup("CO", "16", ["MA130"]).code == "CO-16 MA130"
    assert rules.denials.lookup("ZZ", "999").category == "review"
    assert date(2024, 12, 25) in rules.holidays and date(2044, 7, 4) in rules.holidays
    assert rules.payer_for("Novitas Solutions JL")[0] is medicare


def test_shipped_rules_load_fast():
    load_rules(REPO_RULES)  # warm caches (imports, holiday calendar) as a long-running process would
    start = time.perf_counter()
    load_rules(REPO_RULES)
    assert time.perf_counter() - start < 0.5


# --- versions and inheritance ---------------------------------------------------------------------

VERSIONED = """\
name: Anthem
match:
  names: [Anthem*]
  payer_ids: "00123"
timely_filing:
  - limit: 180 days
    source: Anthem manual 2018
    effective_from: 2010-01-01
  - limit: 90 days
    source: Anthem timely filing change (AAPC 2019)
    effective_from: 2019-10-01
    contested: yes
    note: some contracts kept 180 days
"""


def test_versions_newest_first_and_picked_by_date(tmp_path):
    rules = load_rules(make_rules(tmp_path, {"payers/anthem.yaml": VERSIONED}))
    anthem = rules.payers[0]
    assert [v.cited.effective_from for v in anthem.timely_filing] == [date(2019, 10, 1), date(2010, 1, 1)]
    assert version_at(anthem.timely_filing, date(2019, 9, 30)).in_network == Period(days=180)
    assert version_at(anthem.timely_filing, date(2019, 10, 1)).in_network == Period(days=90)
    newest = anthem.timely_filing[0]
    assert newest.cited.contested and newest.cited.note == "some contracts kept 180 days"
    assert newest.cited.line == 9 and anthem.timely_filing[1].cited.line == 6
    assert newest.out_of_network == Period(days=90)  # out_of_network_limit defaults to limit
    assert anthem.payer_ids == ("00123",) and anthem.names == ("anthem*",)
    assert rules.payer_for("ANTHEM Blue Cross")[0] is anthem
    assert rules.problems == ()


def test_missing_sections_are_inherited_from_default_with_its_citation(tmp_path):
    rules = load_rules(make_rules(tmp_path, {"payers/anthem.yaml": VERSIONED}))
    anthem = rules.payers[0]
    assert anthem.appeal is rules.default.appeal
    assert anthem.appeal[0].cited.file == "payers/default.yaml"
    assert anthem.appeal[0].cited.line == rules.default.appeal[0].cited.line
    assert anthem.timely_filing[0].cited.file == "payers/anthem.yaml"


def test_default_must_have_every_section(tmp_path):
    folder = make_rules(tmp_path, {})
    text = (folder / "payers/default.yaml").read_text()
    (folder / "payers/default.yaml").write_text(text.split("underpayment:")[0])
    assert lines(check_rules(folder)) == [
        "payers/default.yaml:2: the default rules have no 'underpayment' section. default.yaml covers every payer "
        "without a file of its own, so it needs all of timely_filing, corrected_claim, follow_up, appeal, "
        "underpayment. Add a 'underpayment:' section (copy it from the built-in default.yaml)."
    ]


def test_load_rules_raises_with_every_error(tmp_path):
    folder = make_rules(tmp_path, {"payers/a.yaml": "name: A\nmatch:\n  names: a\nkind: big\n",
                                   "payers/b.yaml": "name: B\nmatch:\n  names: b\nappeal: 30 days\n"})
    with pytest.raises(RulesError) as info:
        load_rules(folder)
    files = [p.source.file for p in info.value.problems]
    assert files == ["payers/a.yaml", "payers/b.yaml"]
    assert "payers/a.yaml:4: 'kind' is 'big'" in str(info.value)


def test_warnings_do_not_stop_the_load(tmp_path):
    text = VERSIONED.replace("    note: some contracts kept 180 days\n", "")
    rules = load_rules(make_rules(tmp_path, {"payers/anthem.yaml": text}))
    assert [p.severity for p in rules.problems] == ["warning"]
    assert "contested but has no note" in rules.problems[0].message


def test_missing_denials_names_the_file(tmp_path):
    folder = make_rules(tmp_path, {})
    (folder / "denials.yaml").unlink()
    assert lines(check_rules(folder)) == [
        "denials.yaml: the file is missing. Every rules folder needs settings.yaml, denials.yaml and "
        "payers/default.yaml. Copy it from the built-in rules with 'claimbook init'."
    ]


def test_syntax_error_in_one_file_does_not_hide_others(tmp_path):
    folder = make_rules(tmp_path, {"payers/a.yaml": "name: A\n\tkind: x\n", "payers/b.yaml": "name: B\nkind: big\n"})
    assert [(p.source.file, p.source.line) for p in check_rules(folder)] == [("payers/a.yaml", 2), ("payers/b.yaml", 2)]


def test_notepad_bom_is_accepted(tmp_path):
    folder = make_rules(tmp_path, {})
    path = folder / "settings.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert check_rules(folder) == []


def test_holidays_none(tmp_path):
    folder = make_rules(tmp_path, {})
    path = folder / "settings.yaml"
    path.write_text(path.read_text().replace("calendar: US", "calendar: none"))
    rules = load_rules(folder)
    assert rules.holidays == frozenset() and rules.settings.holiday_country == ""


# --- where the rules come from --------------------------------------------------------------------


def test_resolve_rules_dir_order(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    book_dir = tmp_path / "office"
    book_dir.mkdir()
    book = book_dir / "ClaimTracker.xlsm"
    explicit = tmp_path / "mine"

    assert resolve_rules_dir(explicit, book) == explicit
    assert resolve_rules_dir(None, book) == default_rules_dir()  # nothing beside the book, no home folder
    (home / "claimbook" / "rules").mkdir(parents=True)
    assert resolve_rules_dir(None, book) == home / "claimbook" / "rules"
    (book_dir / "rules").mkdir()
    assert resolve_rules_dir(None, book) == (book_dir / "rules").resolve()
    assert resolve_rules_dir() == home / "claimbook" / "rules"


def test_default_rules_dir_is_the_repo_rules_in_a_checkout():
    packaged = Path(claimbook.__file__).parent / "default_rules"
    expected = packaged if packaged.is_dir() else REPO_RULES.resolve()
    assert default_rules_dir() == expected
    assert (default_rules_dir() / "settings.yaml").is_file()
