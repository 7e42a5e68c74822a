"""The rules loader: string-only YAML, located problems, value conversion, versions, inheritance."""

from __future__ import annotations

import shutil
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


def test_a_tag_never_changes_the_shape():
    """``!!set {a, b}`` used to crash the reader (a set built as a list); every tag is now ignored."""
    tree, problems = read_yaml("a: !!set {x, y}\nb: !!str [1]\nc: !!map {d: 1}\ne: !!omap [f: 1]\n", "t.yaml")
    assert problems == [] and tree == {"a": {"x": "", "y": ""}, "b": ["1"], "c": {"d": "1"}, "e": [{"f": "1"}]}


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


@pytest.mark.parametrize("char, name", [
    ("\v", "a vertical tab (U+000B), which Word uses for a manual line break"),
    ("\f", "a form feed (U+000C), which Word uses for a page break"),
    ("\x00", "a null character (U+0000)"),
    ("\x01", "a control character (U+0001)"),
    ("\x1b", "a control character (U+001B)"),
    ("\x7f", "a delete character (U+007F)"),
    ("\x9d", "a control character (U+009D)"),
    ("\ud83d", "half of a character that was not copied whole (U+D83D)"),
    ("\ufffe", "a character that is not a letter or sign (U+FFFE)"),
])
def test_special_characters_are_named_at_their_line(char, name):
    tree, problems = read_yaml(f"a:\n  note: from the manual{char}The rest\n  b: 1\n", "f.yaml")
    assert lines(problems) == [
        f"f.yaml:2: this line has an invisible special character after 'note: from the manual': {name}. Rules "
        "files may hold only plain text (letters, digits, punctuation and spaces). Delete that character, or "
        "delete the line and type it again instead of pasting it."
    ]


def test_every_line_with_a_special_character_is_listed_and_the_rest_still_checked():
    _, problems = read_yaml("\x01a: 1\nb: x\v\x0by\nc:\n\td: 1\ne: 2\x0c\n", "f.yaml")
    assert [(p.source.line, p.message.split(":")[0]) for p in problems] == [
        (1, "this line has an invisible special character at its start"),
        (2, "this line has an invisible special character after 'b"),
        (4, "a tab is used for indenting. Indent with spaces only; YAML does not accept tabs. Replace the tab "
            "at the start of the line with spaces (two per level)."),
        (5, "this line has an invisible special character after 'e"),
    ]


def test_every_character_either_reads_or_is_a_problem():
    """No character makes the reader raise (pyyaml's ReaderError used to escape as an internal error)."""
    for code in [*range(0x00, 0xA1), 0x2028, 0x2029, 0xD800, 0xDFFF, 0xFEFF, 0xFFFE, 0xFFFF, 0x10FFFF]:
        for text in (f"a: x{chr(code)}y\n", f"{chr(code)}a: 1\n", f"a:\n{chr(code)} b: 1\n"):
            read_yaml(text, "f.yaml")


def test_lookalike_characters_read_as_notepad_shows_them():
    """U+2028/U+2029/NEL would be line breaks to YAML (shifting every line number Notepad shows); a no-break
    space would be a letter; zero-width characters would be part of a name."""
    tree, problems = read_yaml("a: one\u2028two\x85three\u2029four\nb:\u00a0x\nc\u200b: 1\nd: *\n", "f.yaml")
    assert tree is None and [p.source.line for p in problems] == [4]
    tree, problems = read_yaml("a: one\u2028two\nb:\u00a0x\nc\u200b: 1\n", "f.yaml")
    assert problems == [] and tree == {"a": "one two", "b": "x", "c": "1"}


def test_mostly_nul_is_utf16_without_its_mark():
    _, problems = read_yaml("a: 1\n".encode("utf-16-le").decode("utf-8"), "f.yaml")
    assert lines(problems) == ["f.yaml: " + loader.MESSAGES["not_utf8"]]


@pytest.mark.parametrize("text", ["a: " + "[" * 5000 + "]" * 5000, "a: " + "{b: " * 3000 + "1" + "}" * 3000,
                                  "".join("  " * i + f"k{i}:\n" for i in range(3000))])
def test_deep_nesting_is_a_problem_not_a_crash(text):
    tree, problems = read_yaml(text, "f.yaml")
    assert tree is None and lines(problems) == [
        "f.yaml: the settings are nested too deeply to be read. Expected a few levels of indenting at most, as in "
        "the built-in rules. Check the indenting, and that every [ or { has its closing ] or }."
    ]


def test_a_file_that_cannot_be_opened_is_a_problem(tmp_path, monkeypatch):
    folder = make_rules(tmp_path, {})
    real = Path.read_bytes

    def locked(self):
        if self.name == "denials.yaml":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", locked)
    assert lines(check_rules(folder)) == [
        "denials.yaml: the file cannot be opened (permission denied). Expected a rules file claimbook may read. "
        "Close it in any program that has it open, check that you may read it, and run again."
    ]


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


@pytest.mark.parametrize("text, ok", [
    ("3650 days", True), ("3651 days", False), ("521 weeks", True), ("522 weeks", False),
    ("120 months", True), ("121 months", False), ("10 years", True), ("11 years", False), ("9999 years", False),
    ("120 months after the month of service", True), ("121 months after the month of service", False),
    ("9" * 5000 + " days", False),  # past Python's 4300-digit limit for int(): still a message, not a crash
])
def test_periods_are_at_most_ten_years(text, ok):
    if ok:
        assert loader.to_period(text)
    else:
        with pytest.raises(loader._Bad) as info:
            loader.to_period(text)
        assert info.value.kind == "long_period"


def test_numbers_have_upper_bounds():
    assert loader.to_days("3650") == 3650 and loader.to_look_ahead("365") == 365
    assert loader.to_count("50") == 50 and loader.to_number("100") == 100.0 and loader.to_money("$10,000") == 10000
    assert loader.to_edges("1, 2, 3, 4, 5, 6, 3650") == (1, 2, 3, 4, 5, 6, 3650)
    for convert, text, kind in (
        (loader.to_days, "3651", "too_many_days"), (loader.to_days, "9" * 5000, "too_many_days"),
        (loader.to_look_ahead, "366", "too_many_days"), (loader.to_count, "51", "too_large"),
        (loader.to_count, "9" * 5000, "too_large"), (loader.to_number, "100.01", "too_large"),
        (loader.to_number, "9" * 400, "too_large"),  # float() of it is inf
        (loader.to_money, "10000.01", "too_large"), (loader.to_edges, "30, 3651", "large_edges"),
        (loader.to_edges, "30, " + "9" * 5000, "large_edges"),
        (loader.to_edges, "1, 2, 3, 4, 5, 6, 7, 8", "many_edges"),
    ):
        with pytest.raises(loader._Bad) as info:
            convert(text)
        assert info.value.kind == kind, (text, info.value.kind)


def test_bounds_in_the_messages_are_the_bounds_in_the_code():
    from claimbook import sheets

    m = loader.MESSAGES
    assert loader.MAX_BUCKET_EDGES + 1 == sheets.MAX_BUCKETS
    assert f"more than {loader.MAX_BUCKET_EDGES} numbers" in m["many_edges"]
    assert f"the {sheets.MAX_BUCKETS} age buckets" in m["many_edges"]
    assert loader.MAX_MONTHS == 12 * 10 and loader.MAX_DAYS == 3650
    assert f"({loader.MAX_MONTHS} months or {loader.MAX_DAYS} days)" in m["long_period"]
    assert m["most_days"].startswith(f"{loader.MAX_DAYS} ") and f"past {loader.MAX_DAYS} days" in m["large_edges"]
    assert m["most_look_ahead"].startswith(f"{loader.MAX_LOOK_AHEAD_DAYS} ")


def test_rules_at_every_upper_bound_run(tmp_path):
    """Every number at its largest accepted value: the rules load and a demo run finishes at both ends of the
    dates claimbook accepts (the bounds exist so that date arithmetic cannot overflow)."""
    import re

    from claimbook.cli import main

    folder = tmp_path / "rules"
    shutil.copytree(REPO_RULES, folder)
    for path in (folder / "payers").glob("*.yaml"):
        text = re.sub(r"(\b(?:limit|window)): [^\n#]+", r"\1: 10 years", path.read_text())
        text = re.sub(r"(\b\w+): \d+ days", r"\1: 3650 days", text)
        path.write_text(re.sub(r"tolerance_amount: [\d.]+", "tolerance_amount: 10000", text))
    path = folder / "settings.yaml"
    text = re.sub(r"(\w+_days): \d+", r"\1: 3650", path.read_text())
    text = re.sub(r"critical_days: \d+", "critical_days: 3648", re.sub(r"high_days: \d+", "high_days: 3649", text))
    text = re.sub(r"look_ahead_days: \d+", "look_ahead_days: 365", text)
    text = re.sub(r"bucket_edges: .*", "bucket_edges: 1, 2, 3, 4, 5, 6, 3650", text)
    text = re.sub(r"(\w+_weight|expired_penalty): [\d.]+", r"\1: 100", text)
    path.write_text(re.sub(r"backups_kept: \d+", "backups_kept: 50", text))
    rules = load_rules(folder)
    assert rules.settings.submit_within_days == 3650 and rules.default.timely_filing[0].in_network == Period(months=120)
    for as_of in ("1990-01-01", "2099-12-31"):
        assert main(["demo", "--rules", str(folder), "--as-of", as_of]) == 0


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


def test_empty_settings_is_a_warning_and_gives_the_built_in_values(tmp_path):
    folder = make_rules(tmp_path, {"settings.yaml": "# nothing here\n"})
    rules = load_rules(folder)
    assert rules.settings == loader.Settings()
    assert [(p.source.file, p.source.line, p.severity) for p in rules.problems] == [("settings.yaml", None, "warning")]
    assert rules.problems[0].message.startswith("the file is empty, so every setting has its built-in value.")


def test_empty_payer_file_is_one_error(tmp_path):
    folder = make_rules(tmp_path, {"payers/aetna.yaml": "\n\n"})
    assert lines(check_rules(folder)) == ["payers/aetna.yaml: " + loader.MESSAGES["empty_payer"]]


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



@pytest.mark.parametrize("country, subdivision", [("US", ""), ("US", "CA"), ("US", "NY"), ("USA", ""), ("CA", "ON"),
                                                  ("GB", ""), ("AS", ""), ("PR", "")])
def test_holiday_dates_are_the_holidays_packages_own(country, subdivision):
    """The calendar's module alone is imported (``settingsfile._calendar``); the dates are exactly what
    ``holidays.country_holidays`` gives, for codes, aliases, subdivisions and a territory whose module
    builds on the United States'."""
    import holidays

    from claimbook.rules.messages import HOLIDAY_YEARS
    from claimbook.rules.settingsfile import holiday_dates

    expected = holidays.country_holidays(country, subdiv=subdivision or None, years=HOLIDAY_YEARS)
    assert holiday_dates(country, subdivision) == frozenset(expected.keys())


def test_holiday_dates_when_a_calendar_module_cannot_be_found_alone(monkeypatch):
    """A holidays package laid out differently: the package's own ``country_holidays`` gives the dates."""
    import importlib.util

    import holidays

    from claimbook.rules.messages import HOLIDAY_YEARS
    from claimbook.rules import settingsfile

    monkeypatch.setattr(importlib.util, "spec_from_file_location", lambda *a, **k: None)
    monkeypatch.delitem(__import__("sys").modules, "holidays.countries.canada", raising=False)
    settingsfile._calendar.cache_clear()
    settingsfile.holiday_dates.cache_clear()
    try:
        got = settingsfile.holiday_dates("CA", "QC")
        assert settingsfile._calendar("XX") is None
    finally:
        settingsfile._calendar.cache_clear()
        settingsfile.holiday_dates.cache_clear()
    assert got == frozenset(holidays.country_holidays("CA", subdiv="QC", years=HOLIDAY_YEARS).keys())

def test_a_calendar_the_holidays_package_does_not_know_is_a_rules_error(tmp_path):
    folder = make_rules(tmp_path, {})
    path = folder / "settings.yaml"
    path.write_text(path.read_text().replace("calendar: US", "calendar: USS"))
    errors = check_rules(folder)
    assert any("settings.yaml" in str(e) and "USS" in str(e) for e in errors), errors

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
