"""Texas Medicaid / TMHP (rules/payers/texas_medicaid.yaml): 95 days from each DOS, weekend and holiday
deadlines roll to the next business day, 95 days from the other insurer's disposition, appeals and
adjustments 120 days from the R&S date (TMHP Texas Medicaid Provider Procedures Manual s6.1.4, s7.1)."""

from datetime import date

import pytest

from claimbook.model import Channel, DenialCode, Order, Risk, Status


@pytest.mark.parametrize("name", ["Texas Medicaid", "TMHP", "TMHP Texas Medicaid", "TX Medicaid",
                                  "Texas Medicaid & Healthcare Partnership", "medicaid texas"])
def test_matches_names(key_for, name):
    assert key_for(name) == "texas_medicaid"


@pytest.mark.parametrize("name", ["Medicaid", "New York Medicaid", "Superior HealthPlan STAR"])
def test_other_medicaid_programs_do_not_match(key_for, name):
    assert key_for(name) != "texas_medicaid"


def test_95_days_from_dos_and_a_saturday_rolls_to_monday(run):
    # DOS 2026-01-06 + 95 days = Saturday 2026-04-11 -> Monday 2026-04-13.
    r = run("TMHP", date(2026, 3, 20), dos_from=date(2026, 1, 6), status=Status.NOT_SUBMITTED)
    assert r.payer_key == "texas_medicaid"
    assert r.tf_deadline == date(2026, 4, 13)
    assert (r.tf_days_left, r.tf_risk) == (24, Risk.HIGH)


def test_a_holiday_deadline_rolls_to_the_next_business_day(run):
    # DOS 2026-02-19 + 95 days = Memorial Day, Monday 2026-05-25 -> Tuesday 2026-05-26.
    r = run("Texas Medicaid", date(2026, 3, 1), dos_from=date(2026, 2, 19), status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 5, 26)


def test_after_another_insurer_95_days_from_its_disposition(run):
    r = run("Texas Medicaid", date(2026, 3, 10), dos_from=date(2026, 1, 6), order=Order.SECONDARY,
            primary_eob_date=date(2026, 3, 2), status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 6, 5)


def test_appeal_120_days_from_the_r_and_s_date(run):
    r = run("Texas Medicaid", date(2026, 3, 1), dos_from=date(2026, 1, 6), status=Status.DENIED,
            submitted=date(2026, 1, 8), remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "50"),))
    assert r.appeal_deadline == date(2026, 6, 2)


def test_correction_due_120_days_from_the_r_and_s_date(run):
    r = run("Texas Medicaid", date(2026, 3, 1), dos_from=date(2026, 1, 6), status=Status.DENIED,
            submitted=date(2026, 1, 8), accepted=date(2026, 1, 9), remit_date=date(2026, 2, 2),
            denial_codes=(DenialCode("CO", "16"),))
    assert r.category == "correct_resubmit"
    assert r.tf_deadline == date(2026, 6, 2)
    assert r.tf_risk is Risk.OK  # not Met: the corrected claim is not filed yet


def test_first_status_check_14_days_electronic_30_paper(run):
    e = run("TMHP", date(2026, 1, 12), dos_from=date(2026, 1, 6), status=Status.ACCEPTED, submitted=date(2026, 1, 8))
    assert (e.category, e.follow_up) == ("status_check", date(2026, 1, 22))
    p = run("TMHP", date(2026, 1, 12), dos_from=date(2026, 1, 6), status=Status.SUBMITTED,
            submitted=date(2026, 1, 8), channel=Channel.PAPER)
    assert p.follow_up == date(2026, 2, 7)
