"""New York Medicaid / eMedNY (rules/payers/new_york_medicaid.yaml): 90 days from the DOS, no weekend
roll (O'Connell & Aronowitz, NYS Medicaid 90-day rule). Appeal and correction windows were not researched:
cautious placeholders marked contested."""

from datetime import date

import pytest

from claimbook.model import DenialCode, Order, Risk, Status

DOS = date(2026, 1, 5)


@pytest.mark.parametrize("name", ["New York Medicaid", "NY Medicaid", "NYS Medicaid", "eMedNY", "EMEDNY FFS"])
def test_matches_names(key_for, name):
    assert key_for(name) == "new_york_medicaid"


def test_90_days_from_dos_without_a_weekend_roll(run):
    r = run("eMedNY", date(2026, 3, 20), dos_from=DOS, status=Status.NOT_SUBMITTED)
    assert r.payer_key == "new_york_medicaid"
    assert r.tf_deadline == date(2026, 4, 5)  # a Sunday
    assert (r.tf_days_left, r.tf_risk) == (16, Risk.HIGH)
    assert run("eMedNY", date(2026, 3, 21), dos_from=DOS, status=Status.NOT_SUBMITTED).tf_risk is Risk.CRITICAL


def test_claims_after_other_insurance_still_count_from_dos(run):
    r = run("NY Medicaid", date(2026, 3, 1), dos_from=DOS, order=Order.SECONDARY,
            primary_eob_date=date(2026, 2, 20), status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 4, 5)


def test_rejected_claim_is_not_filed(run):
    r = run("NY Medicaid", date(2026, 4, 6), dos_from=DOS, status=Status.REJECTED, submitted=date(2026, 1, 9))
    assert r.tf_risk is Risk.EXPIRED


def test_placeholder_appeal_window_60_days_is_contested(run, payer):
    r = run("NY Medicaid", date(2026, 3, 1), dos_from=DOS, status=Status.DENIED, submitted=date(2026, 1, 9),
            remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "50"),))
    assert r.appeal_deadline == date(2026, 4, 3)
    rules = payer("new_york_medicaid")
    assert rules.appeal[0].cited.contested and rules.corrected_claim[0].cited.contested


def test_first_status_check_14_days_after_electronic_submission(run):
    r = run("NY Medicaid", date(2026, 1, 12), dos_from=DOS, status=Status.ACCEPTED, submitted=date(2026, 1, 9))
    assert (r.category, r.follow_up) == ("status_check", date(2026, 1, 23))
