"""Medicare fee-for-service (rules/payers/medicare.yaml): 12 months from the DOS (Through date for
institutional claims), weekend/holiday deadlines move to the next workday, no extra time for secondary
claims, redetermination 120 days from receipt of the remittance (presumed 5 days after its date), and
timely-filing denials are not appealable (42 CFR 424.44; CMS IOM 100-04 Ch.1 s70; 42 CFR 405.942)."""

from datetime import date

import pytest

from claimbook.model import Channel, ClaimType, DenialCode, Network, Order, Risk, Status


@pytest.mark.parametrize("name", ["Medicare", "MEDICARE PART B", "Medicare Part A", "Novitas Solutions JL",
                                  "Noridian JE Part B", "Palmetto GBA JJ", "WPS Medicare J5", "CGS Medicare"])
def test_matches_names_and_mac_names(key_for, name):
    assert key_for(name) == "medicare"


@pytest.mark.parametrize("payer_id", ["04412", "12502"])
def test_matches_payer_ids_with_leading_zeros(key_for, payer_id):
    assert key_for("Part B carrier", payer_id=payer_id) == "medicare"


@pytest.mark.parametrize("name", ["Humana Medicare Advantage", "Humana Gold Plus HMO"])
def test_medicare_advantage_plans_are_not_medicare(key_for, name):
    assert key_for(name) == "humana_medicare_advantage"


def test_deadline_is_12_months_and_a_saturday_moves_to_monday(run):
    # DOS 2025-03-14 + 12 months = Saturday 2026-03-14; filing on Monday 2026-03-16 is timely.
    r = run("Medicare", date(2026, 3, 1), dos_from=date(2025, 3, 14), status=Status.NOT_SUBMITTED)
    assert r.payer_key == "medicare"
    assert r.tf_deadline == date(2026, 3, 16)
    assert r.tf_days_left == 15
    assert r.tf_risk is Risk.CRITICAL


def test_a_federal_holiday_deadline_moves_to_the_next_workday(run):
    # DOS 2025-01-19 + 12 months = Monday 2026-01-19, Martin Luther King Jr. Day.
    r = run("Medicare", date(2025, 12, 1), dos_from=date(2025, 1, 19), status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 1, 20)


def test_non_participating_providers_get_the_same_12_months(run):
    r = run("Medicare", date(2026, 3, 1), dos_from=date(2025, 6, 2), network=Network.OUT,
            status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 6, 2)


def test_msp_secondary_claims_get_no_extra_time(run):
    r = run("Medicare", date(2026, 3, 1), dos_from=date(2025, 6, 2), order=Order.SECONDARY,
            primary_eob_date=date(2025, 12, 1), status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 6, 2)  # still DOS + 12 months, not the EOB date + 12 months


def test_institutional_claims_count_from_the_through_date(run):
    r = run("Medicare Part A", date(2026, 3, 1), dos_from=date(2025, 5, 20), dos_through=date(2025, 6, 2),
            claim_type=ClaimType.INSTITUTIONAL, status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 6, 2)


def test_redetermination_deadline_adds_5_days_presumed_receipt(run):
    # Remit 2026-02-02 + 5 days (presumed receipt) + 120 days = 2026-06-07.
    r = run("Medicare", date(2026, 3, 1), dos_from=date(2026, 1, 5), status=Status.DENIED,
            submitted=date(2026, 1, 6), remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "50"),),
            billed=150.0)
    assert r.category == "appeal"
    assert r.appeal_deadline == date(2026, 6, 7)
    assert r.appeal_days_left == 98


def test_timely_filing_denial_has_no_appeal_deadline(run):
    r = run("Medicare", date(2026, 3, 1), dos_from=date(2025, 1, 6), status=Status.DENIED,
            submitted=date(2026, 1, 20), remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "29"),))
    assert r.category == "timely_filing"
    assert r.appeal_deadline is None
    assert "does not accept appeals" in r.next_action


def test_unprocessable_ma130_means_a_new_claim_not_an_appeal(run):
    r = run("Medicare", date(2026, 3, 1), dos_from=date(2026, 1, 5), status=Status.DENIED,
            submitted=date(2026, 1, 6), accepted=date(2026, 1, 7), remit_date=date(2026, 2, 2),
            denial_codes=(DenialCode("CO", "16", ("MA130",)),))
    assert "NEW claim" in r.next_action
    assert r.appeal_deadline is None
    assert r.tf_deadline == date(2027, 1, 5)  # the new claim is still held to DOS + 12 months
    assert r.tf_risk is Risk.OK  # not Met: the new claim has not been filed


def test_first_status_check_after_the_payment_floor(run):
    # Medicare cannot pay an electronic clean claim before day 14, a paper one before day 29.
    e = run("Medicare", date(2026, 1, 15), dos_from=date(2026, 1, 5), status=Status.ACCEPTED,
            submitted=date(2026, 1, 10))
    assert (e.category, e.follow_up) == ("status_check", date(2026, 1, 24))
    p = run("Medicare", date(2026, 1, 15), dos_from=date(2026, 1, 5), status=Status.SUBMITTED,
            submitted=date(2026, 1, 10), channel=Channel.PAPER)
    assert p.follow_up == date(2026, 2, 8)


def test_escalate_after_the_30_day_payment_ceiling(run):
    r = run("Medicare", date(2026, 2, 15), dos_from=date(2026, 1, 5), status=Status.PENDING,
            submitted=date(2026, 1, 10))
    assert r.category == "escalate"
    assert r.follow_up == date(2026, 2, 9)
    assert r.days_overdue == 6


def test_sequestration_is_not_an_underpayment(run):
    # 2% sequestration on a $100.00 expected payment is inside the 2% tolerance; $3.00 short is not.
    ok = run("Medicare", date(2026, 3, 1), dos_from=date(2026, 1, 5), status=Status.PAID,
             submitted=date(2026, 1, 6), remit_date=date(2026, 2, 2), expected=100.0, paid=98.0)
    assert ok.underpaid == 0
    short = run("Medicare", date(2026, 3, 1), dos_from=date(2026, 1, 5), status=Status.PAID,
                submitted=date(2026, 1, 6), remit_date=date(2026, 2, 2), expected=100.0, paid=97.0)
    assert short.underpaid == 3.0
