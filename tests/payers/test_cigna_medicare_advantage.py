"""Cigna Medicare Advantage (rules/payers/cigna_medicare_advantage.yaml): appeals 90 days from the remittance
(Cigna How to Submit Appeals: "90 days for Medicare customers"); everything else is a cautious placeholder
marked contested: 90 days from the DOS in and out of network, secondary claims from the DOS, no weekend roll."""

from datetime import date

import pytest

from claimbook.model import ClaimType, DenialCode, Network, Order, Risk, Status

DOS = date(2026, 1, 5)


@pytest.mark.parametrize("name", ["Cigna Medicare Advantage", "CIGNA MEDICARE ADVANTAGE PPO", "Cigna Medicare",
                                  "Cigna-HealthSpring", "Cigna-HealthSpring Preferred (HMO)", "Cigna HealthSpring",
                                  "cigna healthspring", "Cigna  Healthspring TotalCare"])
def test_matches_cigna_medicare_names(key_for, name):
    assert key_for(name) == "cigna_medicare_advantage"


@pytest.mark.parametrize("name", ["Cigna", "CIGNA HealthCare", "Cigna Open Access Plus", "Cigna LocalPlus",
                                  "Connecticut General Life Insurance"])
def test_plain_cigna_still_gets_the_commercial_rules(key_for, name):
    assert key_for(name) == "cigna"


def test_cignas_commercial_payer_id_wins_over_the_name(key_for):
    # A payer ID match beats a name match: a Medicare claim sent with 62308 is worked under cigna.yaml.
    assert key_for("Cigna Medicare Advantage", payer_id="62308") == "cigna"


def test_appeal_deadline_is_90_days_from_the_remittance(run):
    r = run("Cigna Medicare Advantage", date(2026, 3, 1), dos_from=DOS, status=Status.DENIED,
            submitted=date(2026, 1, 10), remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "50"),),
            billed=200.0)
    assert r.payer_key == "cigna_medicare_advantage"
    assert r.category == "appeal"
    assert r.appeal_deadline == date(2026, 5, 3)  # 2026-02-02 + 90 days (commercial Cigna: 2026-08-01)
    assert r.appeal_days_left == 63
    assert "Cigna How to Submit Appeals" in r.details  # sources: explain, not the cell


def test_same_claim_under_commercial_cigna_gets_180_days(run):
    r = run("Cigna", date(2026, 3, 1), dos_from=DOS, status=Status.DENIED, submitted=date(2026, 1, 10),
            remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "50"),), billed=200.0)
    assert r.appeal_deadline == date(2026, 8, 1)


def test_filing_deadline_is_90_days_from_dos_without_weekend_roll(run):
    # DOS 2026-01-05 + 90 days = Sunday 2026-04-05: not moved.
    r = run("Cigna-HealthSpring", date(2026, 3, 1), dos_from=DOS, status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 4, 5)
    assert (r.tf_days_left, r.tf_risk) == (35, Risk.WATCH)


def test_out_of_network_is_not_given_the_commercial_180_days(run):
    r = run("Cigna Medicare Advantage", date(2026, 3, 1), dos_from=DOS, network=Network.OUT,
            status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 4, 5)


def test_secondary_claim_counts_from_the_dos_not_the_primary_eob(run):
    r = run("Cigna Medicare Advantage", date(2026, 3, 1), dos_from=DOS, order=Order.SECONDARY,
            primary_eob_date=date(2026, 2, 20), status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 4, 5)  # commercial Cigna would give EOB + 90 = 2026-05-21


def test_institutional_stay_counts_from_the_last_day(run):
    r = run("Cigna Medicare Advantage", date(2026, 3, 1), dos_from=date(2026, 1, 2), dos_through=date(2026, 1, 9),
            claim_type=ClaimType.INSTITUTIONAL, status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 4, 9)


def test_timely_filing_denial_still_shows_an_appeal_deadline(run):
    r = run("Cigna Medicare Advantage", date(2026, 3, 1), dos_from=DOS, status=Status.DENIED,
            submitted=date(2026, 1, 10), accepted=date(2026, 1, 11), remit_date=date(2026, 2, 2),
            denial_codes=(DenialCode("CO", "29"),))
    assert r.category == "timely_filing"
    assert r.appeal_deadline == date(2026, 5, 3)


def test_first_status_check_14_days_electronic(run):
    r = run("Cigna Medicare", date(2026, 1, 15), dos_from=DOS, status=Status.ACCEPTED, submitted=date(2026, 1, 10))
    assert (r.category, r.follow_up) == ("status_check", date(2026, 1, 24))


def test_sequestration_2_percent_is_not_an_underpayment(run):
    def short(paid):
        return run("Cigna Medicare Advantage", date(2026, 3, 1), dos_from=DOS, status=Status.PAID,
                   submitted=date(2026, 1, 8), remit_date=date(2026, 2, 2), expected=100.0, paid=paid).underpaid

    assert short(98.5) == 0
    assert short(97.0) == 3.0


def test_placeholders_are_marked_contested_and_say_to_verify(payer):
    p = payer("cigna_medicare_advantage")
    assert p.kind == "medicare_advantage"
    for section in ("timely_filing", "corrected_claim", "appeal"):
        cited = getattr(p, section)[0].cited
        assert cited.contested and "verify" in cited.note, section
