"""Medi-Cal (rules/payers/california_medicaid.yaml): the claim must be received by the end of the 6th
month after the month of service (22 CCR 51008). Appeal and correction windows were not researched:
cautious placeholders marked contested."""

from datetime import date

import pytest

from claimbook.model import DenialCode, Risk, Status


@pytest.mark.parametrize("name", ["Medi-Cal", "MEDI-CAL FFS", "MediCal", "California Medicaid", "CA Medicaid"])
def test_matches_names(key_for, name):
    assert key_for(name) == "california_medicaid"


@pytest.mark.parametrize("name", ["Medical Mutual of Ohio", "Medicare"])
def test_similar_names_do_not_match(key_for, name):
    assert key_for(name) != "california_medicaid"


@pytest.mark.parametrize("dos, due", [
    (date(2026, 1, 1), date(2026, 7, 31)),
    (date(2026, 1, 15), date(2026, 7, 31)),
    (date(2026, 1, 31), date(2026, 7, 31)),
    (date(2025, 8, 10), date(2026, 2, 28)),  # the 6th month after August is February
    (date(2023, 8, 31), date(2024, 2, 29)),  # ... which has 29 days in a leap year
])
def test_deadline_is_the_end_of_the_6th_month_after_the_month_of_service(run, dos, due):
    assert run("Medi-Cal", date(2024, 1, 1), dos_from=dos, status=Status.NOT_SUBMITTED).tf_deadline == due


def test_risk_near_the_end_of_the_month(run):
    r = run("Medi-Cal", date(2026, 2, 20), dos_from=date(2025, 8, 10), status=Status.NOT_SUBMITTED)
    assert (r.tf_days_left, r.tf_risk) == (8, Risk.CRITICAL)
    filed = run("Medi-Cal", date(2026, 2, 20), dos_from=date(2025, 8, 10), status=Status.ACCEPTED,
                submitted=date(2026, 2, 18), accepted=date(2026, 2, 19))
    assert filed.tf_risk is Risk.MET


def test_placeholder_appeal_window_60_days_is_contested(run, payer):
    r = run("Medi-Cal", date(2026, 3, 1), dos_from=date(2026, 1, 5), status=Status.DENIED,
            submitted=date(2026, 1, 9), remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "50"),))
    assert r.appeal_deadline == date(2026, 4, 3)
    assert payer("california_medicaid").appeal[0].cited.contested


def test_first_status_check_14_days_after_electronic_submission(run):
    r = run("Medi-Cal", date(2026, 1, 12), dos_from=date(2026, 1, 5), status=Status.ACCEPTED,
            submitted=date(2026, 1, 9))
    assert r.follow_up == date(2026, 1, 23)
