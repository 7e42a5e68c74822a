"""Blue Cross and Blue Shield of Illinois (rules/payers/bcbs_illinois.yaml): 180 days from the DOS or
discharge; secondary claims 180 days from the primary payer's EOB (BCBSIL provider news, Oct 28 2024)."""

from datetime import date

import pytest

from claimbook.model import ClaimType, DenialCode, Order, Risk, Status

DOS = date(2026, 1, 5)


@pytest.mark.parametrize("name", ["BCBSIL", "BCBS IL PPO", "BCBS of Illinois", "BCBS Illinois HMO",
                                  "Blue Cross Blue Shield of Illinois", "Blue Cross and Blue Shield of Illinois"])
def test_matches_names(key_for, name):
    assert key_for(name) == "bcbs_illinois"


def test_matches_payer_id_with_leading_zeros(key_for):
    assert key_for("Blue Choice", payer_id="00621") == "bcbs_illinois"
    assert key_for("Blue Choice", payer_id="621") == "default"  # "621" is not "00621"


def test_180_days_from_dos(run):
    r = run("BCBSIL", date(2026, 3, 1), dos_from=DOS, status=Status.NOT_SUBMITTED)
    assert r.payer_key == "bcbs_illinois"
    assert (r.tf_deadline, r.tf_risk) == (date(2026, 7, 4), Risk.OK)


def test_hospital_stay_counts_from_discharge(run):
    r = run("BCBSIL", date(2026, 3, 1), dos_from=date(2025, 12, 28), dos_through=date(2026, 1, 5),
            claim_type=ClaimType.INSTITUTIONAL, status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 7, 4)


def test_secondary_180_days_from_the_primary_eob(run):
    r = run("BCBSIL", date(2026, 3, 1), dos_from=DOS, order=Order.SECONDARY, primary_eob_date=date(2026, 2, 20),
            status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 8, 19)


def test_appeal_180_days_placeholder_is_contested(run, payer):
    r = run("BCBSIL", date(2026, 3, 1), dos_from=DOS, status=Status.DENIED, submitted=date(2026, 1, 9),
            remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "50"),))
    assert r.appeal_deadline == date(2026, 8, 1)
    assert payer("bcbs_illinois").appeal[0].cited.contested


def test_first_status_check_14_days_after_electronic_submission(run):
    r = run("BCBSIL", date(2026, 1, 12), dos_from=DOS, status=Status.ACCEPTED, submitted=date(2026, 1, 9))
    assert (r.category, r.follow_up) == ("status_check", date(2026, 1, 23))
