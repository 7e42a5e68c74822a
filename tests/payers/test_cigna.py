"""Cigna (rules/payers/cigna.yaml): 90 days par / 180 non-par from the DOS; secondary claims count from
the primary EOB processing date; appeals 180 days (Cigna provider manual, Cigna How to Submit Appeals)."""

from datetime import date

import pytest

from claimbook.model import Channel, ClaimType, DenialCode, Network, Order, Risk, Status

DOS = date(2026, 1, 5)


@pytest.mark.parametrize("name", ["Cigna", "CIGNA HealthCare", "Cigna Open Access Plus", "cigna  localplus",
                                  "Connecticut General Life Insurance"])
def test_matches_names_and_aliases(key_for, name):
    assert key_for(name) == "cigna"


def test_matches_payer_id_whatever_the_name(key_for):
    assert key_for("CGLIC", payer_id="62308") == "cigna"
    assert key_for("Some Plan", payer_id=" 62308 ") == "cigna"


def test_in_network_deadline_is_90_days_from_dos_without_weekend_roll(run):
    # DOS 2026-01-05 + 90 days = 2026-04-05, a Sunday: Cigna does not move it.
    r = run("Cigna", date(2026, 3, 1), dos_from=DOS, status=Status.SUBMITTED, submitted=date(2026, 1, 10),
            billed=200.0)
    assert r.payer_key == "cigna"
    assert r.tf_deadline == date(2026, 4, 5)
    assert r.tf_days_left == 35
    assert r.tf_risk is Risk.WATCH  # submitted but not accepted yet: not filed


def test_out_of_network_deadline_is_180_days(run):
    r = run("Cigna", date(2026, 3, 1), dos_from=DOS, network=Network.OUT, status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 7, 4)
    assert r.tf_risk is Risk.OK


def test_risk_levels_as_the_deadline_nears(run):
    claim = dict(dos_from=DOS, status=Status.NOT_SUBMITTED)
    assert run("Cigna", date(2026, 3, 6), **claim).tf_risk is Risk.HIGH  # 30 days left
    assert run("Cigna", date(2026, 3, 21), **claim).tf_risk is Risk.CRITICAL  # 15 days left
    r = run("Cigna", date(2026, 4, 6), **claim)
    assert (r.tf_days_left, r.tf_risk) == (-1, Risk.EXPIRED)


def test_accepted_in_time_is_met(run):
    r = run("Cigna", date(2026, 3, 1), dos_from=DOS, status=Status.ACCEPTED, submitted=date(2026, 1, 10),
            accepted=date(2026, 1, 11))
    assert r.tf_risk is Risk.MET


def test_secondary_claim_counts_from_the_primary_eob_date(run):
    r = run("Cigna", date(2026, 3, 1), dos_from=DOS, order=Order.SECONDARY, primary_eob_date=date(2026, 2, 20),
            status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 5, 21)  # EOB 2026-02-20 + 90 days, not DOS + 90


def test_out_of_network_secondary_gets_the_non_par_limit_from_the_eob(run):
    r = run("Cigna", date(2026, 3, 1), dos_from=DOS, order=Order.SECONDARY, network=Network.OUT,
            primary_eob_date=date(2026, 2, 20), status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 8, 19)  # EOB + 180 days


def test_institutional_stay_counts_from_the_last_day(run):
    r = run("Cigna", date(2026, 3, 1), dos_from=date(2026, 1, 2), dos_through=date(2026, 1, 9),
            claim_type=ClaimType.INSTITUTIONAL, status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 4, 9)


def test_appeal_deadline_is_180_days_from_the_remittance(run):
    r = run("Cigna", date(2026, 3, 1), dos_from=DOS, status=Status.DENIED, submitted=date(2026, 1, 10),
            remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "50"),), billed=200.0)
    assert r.category == "appeal"
    assert r.appeal_deadline == date(2026, 8, 1)
    assert r.appeal_days_left == 153


def test_first_status_check_14_days_electronic_30_paper(run):
    e = run("Cigna", date(2026, 1, 15), dos_from=DOS, status=Status.ACCEPTED, submitted=date(2026, 1, 10))
    assert (e.category, e.follow_up) == ("status_check", date(2026, 1, 24))
    p = run("Cigna", date(2026, 1, 15), dos_from=DOS, status=Status.SUBMITTED, submitted=date(2026, 1, 10),
            channel=Channel.PAPER)
    assert (p.category, p.follow_up) == ("status_check", date(2026, 2, 9))


def test_recheck_14_days_after_the_last_contact_when_later(run):
    r = run("Cigna", date(2026, 1, 25), dos_from=DOS, status=Status.PENDING, submitted=date(2026, 1, 10),
            last_contact=date(2026, 1, 20))
    assert r.follow_up == date(2026, 2, 3)


def test_appeal_status_checked_60_days_after_filing(run):
    # Cigna decides an appeal within 60 days.
    r = run("Cigna", date(2026, 3, 2), dos_from=DOS, status=Status.APPEALED, submitted=date(2026, 1, 10),
            remit_date=date(2026, 2, 2), appeal_filed=date(2026, 3, 1))
    assert r.follow_up == date(2026, 4, 30)


def test_bundling_denial_needs_a_corrected_claim_within_90_days_of_dos(run):
    r = run("Cigna", date(2026, 3, 1), dos_from=DOS, status=Status.DENIED, submitted=date(2026, 1, 10),
            accepted=date(2026, 1, 11), remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "97"),))
    assert r.category == "bundling"
    assert r.tf_deadline == date(2026, 4, 5)
    assert r.tf_risk is Risk.WATCH  # a corrected claim still has to reach Cigna


# --- corrected claims are held to the original filing limit ----------------------------------------

def test_corrected_secondary_claim_counts_from_the_primary_eob_like_the_original(run):
    # CO-16 needs a corrected claim: 90 days from the primary EOB 2025-10-01, not from the DOS in June.
    r = run("Cigna", date(2025, 11, 17), dos_from=date(2025, 6, 2), order=Order.SECONDARY,
            primary_eob_date=date(2025, 10, 1), submitted=date(2025, 10, 10), accepted=date(2025, 10, 10),
            status=Status.DENIED, denial_codes=(DenialCode("CO", "16"),), remit_date=date(2025, 11, 3), billed=300.0)
    assert (r.tf_deadline, r.tf_days_left, r.tf_risk) == (date(2025, 12, 30), 43, Risk.WATCH)
    assert "corrected-claim deadline is 2025-12-30 (90 days from the primary EOB date 2025-10-01" in r.why


def test_corrected_out_of_network_claim_gets_the_180_day_limit(run):
    r = run("Cigna", date(2025, 11, 3), dos_from=date(2025, 8, 1), network=Network.OUT, submitted=date(2025, 8, 5),
            accepted=date(2025, 8, 5), status=Status.DENIED, denial_codes=(DenialCode("CO", "16"),),
            remit_date=date(2025, 10, 20), billed=300.0)
    assert (r.tf_deadline, r.tf_risk) == (date(2026, 1, 28), Risk.OK)


def test_secondary_inpatient_stay_without_an_eob_counts_from_the_last_day(run):
    r = run("Cigna", date(2025, 10, 1), dos_from=date(2025, 9, 1), dos_through=date(2025, 9, 20),
            order=Order.SECONDARY, claim_type=ClaimType.INSTITUTIONAL, status=Status.NOT_SUBMITTED, billed=200.0)
    assert r.tf_deadline == date(2025, 12, 19)  # 2025-09-20 + 90 days, as for a primary claim
    assert "no primary EOB date yet, so counted from the through date" in r.why
    assert r.next_action == "Submit the secondary claim with the primary payer's EOB (enter its date in Primary EOB Date)"


def test_secondary_claim_is_due_after_the_primary_eob_not_after_the_dos(run):
    r = run("Cigna", date(2026, 1, 15), dos_from=date(2025, 9, 1), order=Order.SECONDARY,
            primary_eob_date=date(2026, 1, 5), status=Status.NOT_SUBMITTED, billed=200.0)
    assert (r.follow_up, r.days_overdue) == (date(2026, 1, 12), 3)
    assert "within 7 days of the primary EOB 2026-01-05" in r.why


def test_a_co_129_resubmission_keeps_the_filing_deadline_live(run):
    # CO-129: the primary's data on the secondary claim is wrong; the corrected claim must arrive in time.
    r = run("Cigna", date(2025, 12, 20), dos_from=date(2025, 6, 2), order=Order.SECONDARY,
            primary_eob_date=date(2025, 10, 1), submitted=date(2025, 10, 10), accepted=date(2025, 10, 10),
            status=Status.DENIED, denial_codes=(DenialCode("CO", "129", ("N4",)),), remit_date=date(2025, 11, 3),
            billed=300.0)
    assert (r.category, r.tf_deadline, r.tf_days_left, r.tf_risk) == (
        "correct_resubmit", date(2025, 12, 30), 10, Risk.CRITICAL)
