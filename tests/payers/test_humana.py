"""Humana commercial (rules/payers/humana.yaml): sources conflict on 90 vs 180 days; 90 days from the DOS
is shipped, marked contested. Appeal 180 days (typical commercial, contested); appeal status rechecked after
45 days (Humana answers inquiries in 30-45 days)."""

from datetime import date

import pytest

from claimbook.model import DenialCode, Risk, Status

DOS = date(2026, 1, 5)


@pytest.mark.parametrize("name", ["Humana", "HUMANA", "Humana ChoiceCare PPO", "Humana HMO", "Humana National POS"])
def test_matches_commercial_names(key_for, name):
    assert key_for(name) == "humana"


@pytest.mark.parametrize("name, key", [("Humana Gold Plus HMO", "humana_medicare_advantage"),
                                       ("Humana Medicare PPO", "humana_medicare_advantage"),
                                       ("Humana Military", "tricare")])
def test_longer_names_in_other_files_win(key_for, name, key):
    assert key_for(name) == key


def test_90_days_from_dos(run):
    r = run("Humana", date(2026, 3, 1), dos_from=DOS, status=Status.NOT_SUBMITTED)
    assert r.payer_key == "humana"
    assert (r.tf_deadline, r.tf_days_left, r.tf_risk) == (date(2026, 4, 5), 35, Risk.WATCH)


def test_filing_limit_is_marked_contested_90_vs_180(payer):
    tf = payer("humana").timely_filing[0]
    assert tf.cited.contested
    assert "90" in tf.cited.note and "180" in tf.cited.note


def test_appeal_180_days_and_status_check_45_days_after_filing(run):
    d = run("Humana", date(2026, 3, 1), dos_from=DOS, status=Status.DENIED, submitted=date(2026, 1, 9),
            remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "50"),))
    assert d.appeal_deadline == date(2026, 8, 1)
    a = run("Humana", date(2026, 3, 2), dos_from=DOS, status=Status.APPEALED, submitted=date(2026, 1, 9),
            remit_date=date(2026, 2, 2), appeal_filed=date(2026, 3, 1))
    assert (a.category, a.follow_up) == ("appeal_status", date(2026, 4, 15))


def test_first_status_check_14_days_after_electronic_submission(run):
    r = run("Humana", date(2026, 1, 12), dos_from=DOS, status=Status.ACCEPTED, submitted=date(2026, 1, 9))
    assert (r.category, r.follow_up) == ("status_check", date(2026, 1, 23))
