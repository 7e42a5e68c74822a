"""Shared fixtures for the per-payer tests (one ``test_<key>.py`` per ``rules/payers/<key>.yaml``).

Every test evaluates claims against the rules kit shipped in the repository's ``rules/`` folder and
asserts what a user would see: which payer's rules applied, the timely-filing deadline and risk, the
appeal deadline and the next follow-up date.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from claimbook.engine import evaluate
from claimbook.model import Claim, Result
from claimbook.rules.loader import load_rules
from claimbook.rules.schema import PayerRules, Rules

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"


@pytest.fixture(scope="session")
def rules() -> Rules:
    """The shipped rules kit (rules/ in the repository), loaded once."""
    return load_rules(RULES_DIR)


@pytest.fixture
def run(rules):
    """``run(payer, as_of, **claim_fields)``: evaluate one claim and return its Result."""

    def run(payer: str, as_of: date, **fields) -> Result:
        claim = Claim(claim_id=fields.pop("claim_id", "A1"), payer=payer, **fields)
        return evaluate([claim], rules, as_of=as_of).results[0]

    return run


@pytest.fixture
def key_for(run):
    """``key_for(name, payer_id="")``: the payer file a claim with that payer name/ID is worked under."""

    def key_for(name: str, payer_id: str = "") -> str:
        return run(name, date(2026, 3, 1), dos_from=date(2026, 1, 5), payer_id=payer_id).payer_key

    return key_for


@pytest.fixture
def payer(rules):
    """``payer(key)``: the loaded PayerRules for a payer file (``default`` included)."""

    def payer(key: str) -> PayerRules:
        if key == "default":
            return rules.default
        return next(p for p in rules.payers if p.key == key)

    return payer
