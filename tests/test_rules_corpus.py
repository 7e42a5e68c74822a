"""The broken-rules corpus: each folder under tests/rules_bad/ is a small rules folder with deliberate,
commented mistakes; expected.txt pins the exact messages ``claimbook rules check`` prints for it.

The expected files are the specification of the wording (MESSAGES in claimbook/rules/loader.py). When a
message is changed on purpose, regenerate with ``CLAIMBOOK_UPDATE_CORPUS=1 pytest tests/test_rules_corpus.py``
and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from claimbook.cli import main
from claimbook.rules import check_rules, load_rules
from claimbook.errors import RulesError

CORPUS = Path(__file__).parent / "rules_bad"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())


def render(problems) -> list[str]:
    return [str(p) if p.severity == "error" else f"{p} (warning)" for p in problems]


@pytest.mark.parametrize("case", CASES)
def test_messages_are_pinned(case):
    folder = CORPUS / case
    got = render(check_rules(folder))
    expected_file = folder / "expected.txt"
    if os.environ.get("CLAIMBOOK_UPDATE_CORPUS"):
        expected_file.write_text("\n".join(got) + "\n")
    expected = expected_file.read_text().splitlines()
    assert got == expected


@pytest.mark.parametrize("case", CASES)
def test_every_case_has_an_error_and_refuses_to_load(case):
    folder = CORPUS / case
    assert any(p.severity == "error" for p in check_rules(folder))
    with pytest.raises(RulesError) as info:
        load_rules(folder)
    assert str(folder) in str(info.value)


@pytest.mark.parametrize("case", CASES)
def test_every_mistake_is_commented(case):
    """Each reported line in a broken file has a '# Mistake' or '# Warning' comment just above it
    (or a few lines above, for a problem reported at the start of its section)."""
    folder = CORPUS / case
    for p in check_rules(folder):
        if p.source.line is None:
            continue
        # Lines as Notepad counts them (str.splitlines also breaks at vertical tabs and U+2028).
        lines = re.split(r"\r\n|\r|\n", (folder / p.source.file).read_text(encoding="utf-8"))
        above = lines[max(0, p.source.line - 6): p.source.line]
        assert any(("# Mistake" in s or "# Warning" in s) for s in above), str(p)


def test_corpus_covers_the_required_cases():
    required = {
        "misspelt_key", "misspelt_section", "bad_period", "missing_source", "missing_effective_from", "bad_date",
        "bad_boolean", "bad_anchor", "duplicate_key", "yaml_tab", "duplicate_alias", "bad_denial_code",
        "unknown_category", "missing_default", "bucket_edges", "several_problems", "special_characters",
        "large_numbers_payer", "large_numbers_settings", "too_many_bucket_edges", "settings_is_a_folder",
        "payer_is_a_folder", "payers_is_a_file", "empty_files", "empty_default",
    }
    assert required <= set(CASES)


def test_several_problems_are_all_reported():
    assert len(check_rules(CORPUS / "several_problems")) >= 8


def test_messages_read_where_what_expected_fix():
    """Every message has the shape 'file:line: what is wrong. What was expected. How to fix it.'"""
    for case in CASES:
        for p in check_rules(CORPUS / case):
            assert len(re.findall(r"[.?] ", p.message)) >= 2, p.message
            assert p.message.rstrip().endswith((".", "?")), p.message
            for jargon in ("NoneType", "mapping node", "scalar", "Traceback", "str object"):
                assert jargon not in p.message


def test_cli_check_broken_folder(capsys):
    folder = CORPUS / "several_problems"
    assert main(["rules", "check", str(folder)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Rules folder: {folder.resolve()}"
    assert out[1:-1] == (folder / "expected.txt").read_text().splitlines()
    assert out[-1] == f"9 errors in 4 rules files in {folder.resolve()}."


def test_cli_check_warnings_only_exit_zero(tmp_path, capsys):
    import shutil

    folder = tmp_path / "rules"
    shutil.copytree(CORPUS / "versions", folder)
    text = (folder / "payers" / "aetna.yaml").read_text()
    text = text.replace("    effective_from: 2019-10-01\n  # Mistake", "    effective_from: 2010-01-01\n  # Mistake", 1)
    text = text.replace("    effective_from: 2019-10-01\n", "    effective_from: 2010-02-01\n", 1)
    (folder / "payers" / "aetna.yaml").write_text(text)
    assert main(["rules", "check", str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == f"No errors, 2 warnings in 4 rules files in {folder.resolve()}."


def test_cli_check_shipped_rules(capsys):
    rules = Path(__file__).parent.parent / "rules"
    assert main(["rules", "check", str(rules)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("No problems in ") and out[-1].endswith(f" rules files in {rules.resolve()}.")


def test_cli_check_json(capsys):
    import json

    folder = CORPUS / "duplicate_key"
    assert main(["rules", "check", "--json", str(folder)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] == 1 and data["warnings"] == 0
    assert data["problems"][0]["file"] == "payers/aetna.yaml"
    assert data["problems"][0]["line"] == 14
    assert data["problems"][0]["text"] == (folder / "expected.txt").read_text().strip()
