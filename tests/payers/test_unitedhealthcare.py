"""UnitedHealthcare (rules/payers/unitedhealthcare.yaml): 90 days from the DOS (participation agreement),
180 days non-par and 90 days from the primary EOB (both blog-sourced, contested), reconsideration and
appeal together within 12 months of the EOB (UHC Administrative Guide 2021 Ch.10)."""

from datetime import date

import pytest

from claimbook.model import DenialCode, Network, Order, Risk, Status

DOS = date(2026, 1, 5)


@pytest.mark.parametrize("name", ["UHC", "UHC Choice Plus", "UnitedHealthcare", "UnitedHealthcare Navigate",
                                  "United Healthcare", "United HealthCare Options PPO", "UNITED HEALTH CARE"])
def test_matches_names(key_for, name):
    assert key_for(name) == "unitedhealthcare"


def test_matches_payer_id(key_for):
    assert key_for("Employer plan administered by UHC", payer_id="87726") == "unitedhealthcare"
    assert key_for("UNITED", payer_id="87726") == "unitedhealthcare"


@pytest.mark.parametrize("name", ["UMR", "Oxford Health Plans", "United American Insurance", "UHCx"])
def test_related_but_different_payers_do_not_match(key_for, name):
    assert key_for(name) != "unitedhealthcare"


def test_90_days_in_network_180_out_of_network(run):
    r = run("UHC", date(2026, 3, 1), dos_from=DOS, status=Status.SUBMITTED, submitted=date(2026, 1, 9))
    assert r.payer_key == "unitedhealthcare"
    assert (r.tf_deadline, r.tf_risk) == (date(2026, 4, 5), Risk.WATCH)
    oon = run("UHC", date(2026, 3, 1), dos_from=DOS, network=Network.OUT, status=Status.NOT_SUBMITTED)
    assert oon.tf_deadline == date(2026, 7, 4)


def test_secondary_90_days_from_the_primary_eob(run):
    r = run("UHC", date(2026, 3, 1), dos_from=DOS, order=Order.SECONDARY, primary_eob_date=date(2026, 2, 20),
            status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 5, 21)


def test_filing_limits_are_marked_contested(payer):
    tf = payer("unitedhealthcare").timely_filing[0]
    assert tf.cited.contested and "blog" in tf.cited.note


def test_appeal_12_months_from_the_remittance(run):
    r = run("UnitedHealthcare", date(2026, 3, 1), dos_from=DOS, status=Status.DENIED, submitted=date(2026, 1, 9),
            remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "50"),))
    assert r.appeal_deadline == date(2027, 2, 2)


def test_corrected_claim_12_months_from_the_remittance(run):
    r = run("UnitedHealthcare", date(2026, 3, 1), dos_from=DOS, status=Status.DENIED, submitted=date(2026, 1, 9),
            accepted=date(2026, 1, 10), remit_date=date(2026, 2, 2),
            denial_codes=(DenialCode("CO", "16", ("N290",)),))
    assert "rendering NPI" in r.next_action
    assert r.tf_deadline == date(2027, 2, 2)
    assert r.tf_risk is Risk.OK


def test_first_status_check_and_recheck(run):
    e = run("UHC", date(2026, 1, 15), dos_from=DOS, status=Status.ACCEPTED, submitted=date(2026, 1, 9))
    assert (e.category, e.follow_up) == ("status_check", date(2026, 1, 23))
    later = run("UHC", date(2026, 1, 28), dos_from=DOS, status=Status.PENDING, submitted=date(2026, 1, 9),
                last_contact=date(2026, 1, 27))
    assert later.follow_up == date(2026, 2, 10)
