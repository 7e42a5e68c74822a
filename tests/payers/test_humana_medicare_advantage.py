"""Humana Medicare Advantage (rules/payers/humana_medicare_advantage.yaml): 1 calendar year from the DOS,
no weekend roll, appeal 60 days (non-par window, contested), 2% sequestration tolerance."""

from datetime import date

import pytest

from claimbook.model import DenialCode, Network, Order, Risk, Status

DOS = date(2026, 1, 5)


@pytest.mark.parametrize("name", ["Humana Medicare", "HUMANA MEDICARE ADVANTAGE PPO", "Humana Gold Plus HMO",
                                  "Humana Gold Choice PFFS", "Humana MA", "humana mapd"])
def test_matches_medicare_advantage_names(key_for, name):
    assert key_for(name) == "humana_medicare_advantage"


def test_the_name_decides_because_humana_shares_one_payer_id(key_for):
    # 61101 is used for Humana's commercial and Medicare plans, so no file claims it.
    assert key_for("Humana Gold Plus", payer_id="61101") == "humana_medicare_advantage"
    assert key_for("Humana", payer_id="61101") == "humana"


def test_commercial_humana_is_not_medicare_advantage(key_for):
    assert key_for("Humana ChoiceCare PPO") == "humana"


def test_deadline_is_one_year_from_dos_and_does_not_roll(run):
    # DOS 2025-03-14 + 1 year = Saturday 2026-03-14: unlike original Medicare, no move to Monday.
    r = run("Humana Gold Plus HMO", date(2026, 3, 1), dos_from=date(2025, 3, 14), status=Status.NOT_SUBMITTED)
    assert r.payer_key == "humana_medicare_advantage"
    assert r.tf_deadline == date(2026, 3, 14)
    assert (r.tf_days_left, r.tf_risk) == (13, Risk.CRITICAL)


def test_non_contracted_and_secondary_claims_also_one_year_from_dos(run):
    oon = run("Humana Medicare", date(2026, 3, 1), dos_from=DOS, network=Network.OUT, status=Status.NOT_SUBMITTED)
    assert oon.tf_deadline == date(2027, 1, 5)
    sec = run("Humana Medicare", date(2026, 3, 1), dos_from=DOS, order=Order.SECONDARY,
              primary_eob_date=date(2026, 2, 20), status=Status.NOT_SUBMITTED)
    assert sec.tf_deadline == date(2027, 1, 5)


def test_accepted_in_time_is_met(run):
    r = run("Humana Medicare", date(2026, 3, 1), dos_from=DOS, status=Status.PENDING, submitted=date(2026, 1, 8),
            accepted=date(2026, 1, 9))
    assert r.tf_risk is Risk.MET


def test_appeal_60_days_from_the_remittance(run):
    r = run("Humana Medicare", date(2026, 3, 1), dos_from=DOS, status=Status.DENIED, submitted=date(2026, 1, 8),
            remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "50"),))
    assert r.appeal_deadline == date(2026, 4, 3)
    assert r.appeal_days_left == 33


def test_appeal_window_is_marked_contested(payer):
    ap = payer("humana_medicare_advantage").appeal[0]
    assert ap.cited.contested and "non-participating" in ap.cited.note


def test_first_status_check_14_days_then_escalate_after_30(run):
    r = run("Humana Medicare", date(2026, 1, 15), dos_from=DOS, status=Status.ACCEPTED, submitted=date(2026, 1, 10))
    assert (r.category, r.follow_up) == ("status_check", date(2026, 1, 24))
    late = run("Humana Medicare", date(2026, 2, 12), dos_from=DOS, status=Status.ACCEPTED, submitted=date(2026, 1, 10))
    assert (late.category, late.follow_up) == ("escalate", date(2026, 2, 9))


def test_sequestration_2_percent_is_not_an_underpayment(run):
    def short(paid):
        return run("Humana Medicare", date(2026, 3, 1), dos_from=DOS, status=Status.PAID, submitted=date(2026, 1, 8),
                   remit_date=date(2026, 2, 2), expected=100.0, paid=paid).underpaid

    assert short(98.5) == 0
    assert short(97.0) == 3.0
