"""Issue 13 item 4: a Why that fits a cell, in the tracker's date order; the full reasoning in explain."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from statistics import median

import openpyxl
import pytest

from claimbook.cli import main
from claimbook.engine import evaluate, explain
from claimbook.model import Claim, DenialCode, Status
from claimbook.rules.loader import load_rules

AS_OF = date(2026, 11, 23)
ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
US = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


@pytest.fixture(scope="module")
def demo_whys(tmp_path_factory):
    """The Why column of the demo tracker, as ``claimbook demo --as-of 2026-11-23 --out`` writes it."""
    out = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    assert main(["demo", "--as-of", AS_OF.isoformat(), "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    rows = book["Claims"].iter_rows(values_only=True)
    header = list(next(rows))
    col = header.index("Why")
    whys = [row[col] for row in rows if row and row[0]]
    book.close()
    return whys


def test_the_demo_why_is_at_most_160_characters_at_the_median_and_260_at_most(demo_whys):
    lengths = [len(w) for w in demo_whys]
    assert len(lengths) >= 250
    assert median(lengths) <= 160, median(lengths)
    assert max(lengths) <= 260, max(lengths)
    assert not any(w.endswith("...") for w in demo_whys)  # it fits without being cut


def test_the_demo_why_has_no_file_names_iso_dates_or_negative_days(demo_whys):
    assert not any(".yaml" in w for w in demo_whys)
    assert not any(ISO.search(w) for w in demo_whys)  # MM/DD/YYYY, the tracker's date order
    assert sum(bool(US.search(w)) for w in demo_whys) > len(demo_whys) / 2
    assert not any(re.search(r"-\d+ days", w) for w in demo_whys)


def test_explain_keeps_the_full_reasoning_and_sources(tmp_path, capsys):
    out = tmp_path / "demo.xlsx"
    assert main(["demo", "--as-of", AS_OF.isoformat(), "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["explain", "C26005", str(out), "--as-of", AS_OF.isoformat()]) == 0
    text = capsys.readouterr().out
    assert text.startswith("As of 11/23/2026:")
    why = next(line for line in text.splitlines() if line.startswith("Why: "))
    full = next(line for line in text.splitlines() if line.startswith("Full reasoning and sources: "))
    assert ".yaml" not in why and "Aetna (payers/aetna.yaml" in full
    assert not ISO.search(text)


def test_day_first_trackers_get_day_first_sentences():
    rules = load_rules()
    day_first = replace(rules, settings=replace(rules.settings, day_first_dates=True)).for_tracker()
    claim = Claim("D1", "Cigna", date(2026, 1, 5), submitted=date(2026, 1, 10), status=Status.DENIED,
                  remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "50"),))
    r = evaluate([claim], day_first, date(2026, 3, 1)).results[0]
    # Cigna: 180 days from the remittance 2026-02-02 = 1 August 2026.
    assert "Appeal by 01/08/2026 (remittance 02/02/2026 + 180 days)" in r.why
    shown = explain(claim, r, "dmy")  # the full reasoning, as explain shows it
    assert "Cigna How to Submit Appeals" in shown and "Appeal by 01/08/2026 (remittance 02/02/2026" in shown
    assert not ISO.search(shown)
    us = evaluate([claim], rules.for_tracker(), date(2026, 3, 1)).results[0]
    assert "Appeal by 08/01/2026" in us.why


def test_the_api_keeps_iso_dates_and_explain_says_passed_days_ago():
    rules = load_rules()
    claim = Claim("E1", "Cigna", date(2026, 1, 5), submitted=date(2026, 1, 8), accepted=date(2026, 1, 8),
                  status=Status.DENIED, remit_date=date(2026, 3, 2), denial_codes=(DenialCode("CO", "50"),))
    r = evaluate([claim], rules, date(2026, 11, 23)).results[0]
    assert r.appeal_days_left == -86 and "2026-08-29" in r.why  # API callers get ISO unless they ask
    text = explain(claim, r, "mdy")
    assert "Appeal deadline: 08/29/2026 (passed 86 days ago)" in text and "-86" not in text


def test_explain_says_one_day_not_one_days():
    # Cigna: 180 days from the remittance 2026-03-02 = 2026-08-29; as of the next day it passed 1 day ago.
    rules = load_rules()
    claim = Claim("E2", "Cigna", date(2026, 1, 5), submitted=date(2026, 1, 8), accepted=date(2026, 1, 8),
                  status=Status.DENIED, remit_date=date(2026, 3, 2), denial_codes=(DenialCode("CO", "50"),))
    after = explain(claim, evaluate([claim], rules, date(2026, 8, 30)).results[0], "mdy")
    assert "Appeal deadline: 08/29/2026 (passed 1 day ago)" in after
    before = explain(claim, evaluate([claim], rules, date(2026, 8, 28)).results[0], "mdy")
    assert "Appeal deadline: 08/29/2026 (1 day left)" in before
