"""TRICARE (rules/payers/tricare.yaml): 1 year from the DOS, or from discharge for inpatient facility
claims; the same after other health insurance (10 USC 1106; TRICARE Operations Manual 6010.62-M Ch.8 s3).
The appeal window was not researched: a contested placeholder."""

from datetime import date

import pytest

from claimbook.model import ClaimType, DenialCode, Order, Risk, Status


@pytest.mark.parametrize("name", ["TRICARE", "Tricare East", "TRICARE West Region", "TRICARE For Life",
                                  "Humana Military", "Health Net Federal Services", "CHAMPUS"])
def test_matches_names(key_for, name):
    assert key_for(name) == "tricare"


@pytest.mark.parametrize("payer_id", ["57106", "99726"])
def test_matches_regional_payer_ids(key_for, payer_id):
    assert key_for("Military plan", payer_id=payer_id) == "tricare"


@pytest.mark.parametrize("dos, due", [
    (date(2022, 3, 22), date(2023, 3, 22)),
    (date(2022, 12, 31), date(2023, 12, 31)),  # a Sunday: TRICARE does not move it
])
def test_one_year_from_dos(run, dos, due):
    r = run("TRICARE East", date(2023, 1, 15), dos_from=dos, status=Status.NOT_SUBMITTED)
    assert r.payer_key == "tricare"
    assert r.tf_deadline == due


def test_inpatient_facility_claims_count_from_discharge(run):
    r = run("TRICARE", date(2026, 3, 1), dos_from=date(2025, 12, 20), dos_through=date(2026, 1, 3),
            claim_type=ClaimType.INSTITUTIONAL, status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2027, 1, 3)


def test_after_other_health_insurance_still_one_year_from_dos(run):
    r = run("TRICARE", date(2026, 3, 1), dos_from=date(2025, 6, 2), order=Order.SECONDARY,
            primary_eob_date=date(2025, 9, 1), status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 6, 2)
    assert (r.tf_days_left, r.tf_risk) == (93, Risk.OK)


def test_placeholder_appeal_window_is_contested(run, payer):
    r = run("TRICARE", date(2026, 3, 1), dos_from=date(2026, 1, 5), status=Status.DENIED,
            submitted=date(2026, 1, 9), remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "50"),))
    assert r.appeal_deadline == date(2026, 5, 3)
    assert payer("tricare").appeal[0].cited.contested


def test_first_status_check_14_days_after_electronic_submission(run):
    r = run("TRICARE", date(2026, 1, 12), dos_from=date(2026, 1, 5), status=Status.ACCEPTED,
            submitted=date(2026, 1, 9))
    assert (r.category, r.follow_up) == ("status_check", date(2026, 1, 23))
