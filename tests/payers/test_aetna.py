"""Aetna (rules/payers/aetna.yaml): 120 days from the DOS for most participating providers (Aetna
OfficeLink 2019); non-participating 12 months for services from 2022-01-01, 27 months before (blog-sourced,
contested); disputes 180 days from the decision (Aetna provider appeals)."""

from datetime import date

import pytest

from claimbook.model import DenialCode, Network, Order, Risk, Status

DOS = date(2026, 1, 5)


@pytest.mark.parametrize("name", ["Aetna", "AETNA CHOICE POS II", "Aetna Open Access", "Aetna Medicare Advantage"])
def test_matches_names(key_for, name):
    assert key_for(name) == "aetna"


def test_matches_payer_id(key_for):
    assert key_for("Meritain for Aetna", payer_id="60054") == "aetna"


def test_120_days_from_dos_in_network(run):
    r = run("Aetna", date(2026, 3, 1), dos_from=DOS, status=Status.SUBMITTED, submitted=date(2026, 1, 9))
    assert r.payer_key == "aetna"
    assert r.tf_deadline == date(2026, 5, 5)
    assert (r.tf_days_left, r.tf_risk) == (65, Risk.OK)


def test_non_par_12_months_for_services_from_2022(run):
    r = run("Aetna", date(2026, 3, 1), dos_from=DOS, network=Network.OUT, status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2027, 1, 5)


def test_non_par_27_months_for_services_before_2022(run):
    r = run("Aetna", date(2022, 3, 1), dos_from=date(2021, 6, 15), network=Network.OUT, status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2023, 9, 15)


def test_non_par_limits_are_marked_contested(payer):
    assert all(v.cited.contested for v in payer("aetna").timely_filing)


def test_secondary_claims_count_from_dos(run):
    # Aetna's secondary-claim rule was not found, so the cautious DOS anchor applies.
    r = run("Aetna", date(2026, 3, 1), dos_from=DOS, order=Order.SECONDARY, primary_eob_date=date(2026, 3, 1),
            status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 5, 5)


def test_appeal_180_days_from_the_remittance(run):
    r = run("Aetna", date(2026, 3, 1), dos_from=DOS, status=Status.DENIED, submitted=date(2026, 1, 9),
            remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "197"),))
    assert r.category == "auth"
    assert "retro-authorization" in r.next_action
    assert r.appeal_deadline == date(2026, 8, 1)


def test_first_status_check_14_days_after_electronic_submission(run):
    r = run("Aetna", date(2026, 1, 12), dos_from=DOS, status=Status.ACCEPTED, submitted=date(2026, 1, 9))
    assert (r.category, r.follow_up) == ("status_check", date(2026, 1, 23))
