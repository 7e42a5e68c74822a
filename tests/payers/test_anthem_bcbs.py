"""Anthem Blue Cross Blue Shield (rules/payers/anthem_bcbs.yaml): professional claims 90 days from the DOS
(par and non-par) since 2019-10-01; before that 180 days in network and 365 out of network (AAPC 2019;
Medac). The version is picked by the date of service."""

from datetime import date

import pytest

from claimbook.model import DenialCode, Network, Risk, Status

DOS = date(2026, 1, 5)


@pytest.mark.parametrize("name", ["Anthem", "Anthem Blue Cross", "Anthem Blue Cross Blue Shield", "ANTHEM BCBS",
                                  "Anthem Medicare Advantage"])
def test_matches_names(key_for, name):
    assert key_for(name) == "anthem_bcbs"


@pytest.mark.parametrize("name", ["Blue Cross Blue Shield of Illinois", "Blue Cross Blue Shield of Texas"])
def test_other_blue_plans_do_not_match(key_for, name):
    assert key_for(name) != "anthem_bcbs"


def test_90_days_in_and_out_of_network_since_october_2019(run):
    r = run("Anthem", date(2026, 3, 1), dos_from=DOS, status=Status.NOT_SUBMITTED)
    assert r.payer_key == "anthem_bcbs"
    assert (r.tf_deadline, r.tf_risk) == (date(2026, 4, 5), Risk.WATCH)
    oon = run("Anthem", date(2026, 3, 1), dos_from=DOS, network=Network.OUT, status=Status.NOT_SUBMITTED)
    assert oon.tf_deadline == date(2026, 4, 5)


@pytest.mark.parametrize("dos, network, due", [
    (date(2019, 10, 1), Network.IN, date(2019, 12, 30)),  # first day of the 90-day rule
    (date(2019, 9, 30), Network.IN, date(2020, 3, 28)),  # last day of the old 180-day rule
    (date(2019, 6, 3), Network.OUT, date(2020, 6, 2)),  # old non-par rule: 365 days (2020 is a leap year)
])
def test_old_limits_apply_to_services_before_october_2019(run, dos, network, due):
    r = run("Anthem", date(2019, 10, 15), dos_from=dos, network=network, status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == due


def test_appeal_180_days_placeholder_is_contested(run, payer):
    r = run("Anthem", date(2026, 3, 1), dos_from=DOS, status=Status.DENIED, submitted=date(2026, 1, 9),
            remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "50"),))
    assert r.appeal_deadline == date(2026, 8, 1)
    assert payer("anthem_bcbs").appeal[0].cited.contested


def test_first_status_check_14_days_after_electronic_submission(run):
    r = run("Anthem", date(2026, 1, 12), dos_from=DOS, status=Status.ACCEPTED, submitted=date(2026, 1, 9))
    assert (r.category, r.follow_up) == ("status_check", date(2026, 1, 23))
