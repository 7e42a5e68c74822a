"""Every promise the How to sheet makes that a test can check, checked against the code that keeps it.

The sheet's text is ``claimbook/workbook/howto.md``. Buttons it names are the ribbon's; commands and
options it names are the command line's; settings, sheets and columns it names are the tracker's; and
what it says a refresh does with a broken rules file is what both edges do.
"""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from claimbook import sheets as S, table
from claimbook.cli import build_parser, main
from claimbook.rules.loader import default_rules_dir, load_rules
from claimbook.sample import sample_claims
from claimbook.workbook.layout import HOWTO_TEXT, new_tracker
from tests.xlwings_openpyxl.fixtures import open_caller, xl_engine  # noqa: F401 - pytest fixtures
from tests.xlwings_openpyxl.tracker import write_tracker

REPO = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 23)
TEXT = " ".join(text for _, text in HOWTO_TEXT)


def section(title: str) -> list[str]:
    """The items under one heading of the How to text."""
    out, inside = [], False
    for kind, text in HOWTO_TEXT:
        if kind in ("h", "title"):
            inside = text == title
        elif inside:
            out.append(text)
    assert out, title
    return out


def test_the_sheet_shows_the_text_file():
    source = (REPO / "claimbook" / "workbook" / "howto.md").read_text(encoding="utf-8")
    assert source.startswith("# How to use this claim tracker")
    ws = new_tracker(load_rules())[S.HOWTO]
    cells = [c.value for c in ws["A"] if c.value]
    assert cells[0] == "How to use this claim tracker"
    assert len(cells) == len(HOWTO_TEXT)
    for (kind, text), cell in zip(HOWTO_TEXT, cells):
        assert cell == ("\u2022 " + text if kind == "b" else text)
        assert " ".join(text.split()[:4]) in " ".join(source.split())


def ribbon_labels() -> set[str]:
    root = ET.parse(REPO / "claimbook" / "template_src" / "customUI.xml").getroot()
    return {b.get("label") for b in root.iter() if b.tag.endswith("}button")}


def test_the_buttons_it_names_are_the_ribbons_buttons():
    labels = ribbon_labels()
    named = set()
    for item in section("The buttons (the Claims tab of Excel's ribbon)"):
        named |= set(re.findall(r"(?:^|\. )([A-Z][a-z]+(?: [a-z-]+)*):", item))
    assert named == labels  # every button explained, and nothing that is not a button
    pressed = re.findall(r"[Pp]ress ([A-Z][a-z]+(?: [a-z-]+)?)", TEXT)
    assert pressed and all(p in labels for p in pressed), pressed
    tab = ET.parse(REPO / "claimbook" / "template_src" / "customUI.xml").getroot()
    assert any(t.get("label") == "Claims" for t in tab.iter() if t.tag.endswith("}tab"))  # "the Claims tab"


def test_the_commands_and_options_it_names_exist():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    typed = [item.split(" \u2014 ")[0] for item in section("Without Excel (a command prompt or terminal)")]
    typed += re.findall(r"'(claimbook [^']+)'", TEXT) + re.findall(r"(claimbook [a-z]+) alone", TEXT)
    assert typed[:3] == ["claimbook refresh ClaimTracker.xlsm", "claimbook import FILE --into ClaimTracker.xlsm",
                         "claimbook explain CLAIM-ID"]
    for line in typed:
        name, *rest = line.split()[1:]
        assert name in commands, line
        options = {o for a in commands[name]._actions for o in a.option_strings}
        for flag in [w for w in rest if w.startswith("--")]:
            assert flag in options, line
    for line in typed[:3]:
        parser.parse_args(line.split()[1:])  # the words as typed are a valid command line


def test_the_settings_sheets_and_columns_it_names_exist():
    labels = {r.label for r in S.SETTINGS_ROWS}
    for label in re.findall(r"Settings: ([A-Z][a-z-]+(?: [a-z-]+)*)", TEXT):
        assert label in labels, label
    sheets = [re.match(r"([A-Z][A-Za-z -]+?):", item).group(1) for item in section("The sheets")]
    assert sorted(sheets) == sorted(S.SHEET_ORDER[:-1])  # every sheet but How to itself
    assert "(Age to Data Issues)" in TEXT and table.COMPUTED_COLUMNS[0] == "Age"
    assert table.COMPUTED_COLUMNS[-1] == "Data Issues"
    assert "Worklist's # column numbers today's share 1, 2, 3" in TEXT and table.WORKLIST_COLUMNS[0] == "#"
    assert "for example medicare.yaml" in TEXT and (default_rules_dir() / "payers" / "medicare.yaml").is_file()
    settings = (default_rules_dir() / "settings.yaml").read_text()
    assert "follow-up work per day and the minutes each kind of work takes" in TEXT
    assert "\nworkload:\n" in settings and "\nminutes_per_action:\n" in settings


def test_it_no_longer_promises_a_fallback_to_the_shipped_rules():
    assert "keeps using the rules that came with it" not in TEXT
    assert ("If a file has a typing mistake, Refresh priorities stops before changing anything and names the file, "
            "the line and what to fix") in TEXT


def _broken_rules(folder: Path) -> Path:
    shutil.copytree(default_rules_dir(), folder)
    text = (folder / "settings.yaml").read_text()
    (folder / "settings.yaml").write_text(text.replace("look_ahead_days: 7", "look_ahead_days: seven"))
    return folder


def test_a_broken_rules_file_stops_a_refresh_before_anything_changes(tmp_path, capsys):
    """'Refresh priorities stops before changing anything and names the file, the line and what to fix'
    (and ``claimbook refresh`` 'does what Refresh priorities does')."""
    tracker = tmp_path / "ClaimTracker.xlsm"
    assert main(["demo", "--as-of", "2026-11-23", "--out", str(tracker)]) == 0
    assert openpyxl.load_workbook(tracker)[S.SETTINGS][S.setting_cell("Rules folder")].value is None
    _broken_rules(tmp_path / "rules")  # 'the rules folder beside this workbook'
    capsys.readouterr()
    before = tracker.read_bytes()
    assert main(["refresh", str(tracker)]) == 1
    err = capsys.readouterr().err
    line = next(i for i, text in enumerate((tmp_path / "rules" / "settings.yaml").read_text().splitlines(), 1)
                if "look_ahead_days" in text)
    assert f"settings.yaml:{line}: 'look_ahead_days' is 'seven'" in err and "Nothing was changed." in err
    assert tracker.read_bytes() == before
    assert not (tmp_path / "ClaimTracker.backup-1.xlsm").exists()


def test_the_button_stops_the_same_way(tmp_path, open_caller, xl_engine):
    broken = _broken_rules(tmp_path / "rules")
    path = write_tracker(tmp_path / "ClaimTracker.xlsm", load_rules(), sample_claims(AS_OF, 5), AS_OF, str(broken))
    book = open_caller(path)
    import claimbook.excel.macros as m

    m.refresh()
    (alert,) = [a["prompt"] for a in xl_engine.alerts]
    assert "settings.yaml:" in alert and "'look_ahead_days' is 'seven'" in alert and "Nothing was changed." in alert
    assert "Some sheets were already updated" not in alert and xl_engine.writes == 0
    assert book.sheets[S.WORKLIST]["A2"].value.startswith("Not refreshed yet")
    assert book.sheets[S.CLAIMS].tables[S.CLAIMS_TABLE].data_body_range[0, len(table.INPUT_COLUMNS)].value is None


def test_refresh_alone_finds_the_tracker_and_keeps_a_backup(tmp_path, monkeypatch, capsys):
    """'In the folder that holds the tracker, claimbook refresh alone finds it' and '... save it themselves and
    first keep a backup copy beside it'."""
    tracker = tmp_path / "ClaimTracker.xlsm"
    assert main(["demo", "--as-of", "2026-11-23", "--out", str(tracker)]) == 0
    monkeypatch.chdir(tmp_path)
    assert main(["refresh"]) == 0
    assert (tmp_path / "ClaimTracker.backup-1.xlsm").is_file()
    assert "ClaimTracker.xlsm refreshed as of" in capsys.readouterr().out


@pytest.mark.parametrize("phrase, check", [
    ("Worklist look-ahead days", lambda: S.setting_cell("Worklist look-ahead days")),
    ("Follow-up work per day", lambda: S.setting_cell("Follow-up work per day")),
])
def test_named_settings_are_on_a_new_trackers_settings_sheet(phrase, check):
    assert phrase in TEXT
    ws = new_tracker(load_rules())[S.SETTINGS]
    assert ws[check().replace("B", "A")].value == phrase
