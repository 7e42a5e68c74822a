"""Default rules (rules/payers/default.yaml) for payers without their own file: 90 days par / 180 days
non-par from the DOS, secondary 90 days from the primary EOB, appeal 180 days, first status check 14 days
electronic / 30 paper, recheck every 14 days, escalate after the 30-day prompt-pay window."""

from datetime import date

import pytest

from claimbook.model import Channel, DenialCode, Network, Order, Risk, Status

DOS = date(2026, 1, 5)
LOCAL = "Acme Local Health Plan"


@pytest.mark.parametrize("name", [LOCAL, "Oscar Health", "Medicaid", "Medical Mutual of Ohio", "UMR",
                                  "Blue Cross Blue Shield of Texas", ""])
def test_unknown_payers_use_the_default_rules(key_for, name):
    assert key_for(name) == "default"


def test_unknown_payer_is_reported_as_a_data_issue(run):
    r = run(LOCAL, date(2026, 3, 1), dos_from=DOS)
    assert r.payer_name == "Other payer (commercial default)"
    assert any("not in the rules" in issue and LOCAL in issue for issue in r.data_issues)


def test_unknown_payer_id_alone_does_not_match_a_payer(key_for):
    assert key_for(LOCAL, payer_id="99999") == "default"


def test_in_network_90_days_from_dos_no_weekend_roll(run):
    r = run(LOCAL, date(2026, 3, 1), dos_from=DOS, status=Status.NOT_SUBMITTED, billed=120.0)
    assert r.tf_deadline == date(2026, 4, 5)  # a Sunday, not moved
    assert (r.tf_days_left, r.tf_risk) == (35, Risk.WATCH)


def test_out_of_network_180_days_from_dos(run):
    r = run(LOCAL, date(2026, 3, 1), dos_from=DOS, network=Network.OUT, status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 7, 4)  # Independence Day, a Saturday: not moved
    assert r.tf_risk is Risk.OK


def test_secondary_90_days_from_the_primary_eob(run):
    r = run(LOCAL, date(2026, 3, 1), dos_from=DOS, order=Order.SECONDARY, network=Network.OUT,
            primary_eob_date=date(2026, 2, 20), status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 5, 21)  # secondary_limit 90 days, whatever the network


def test_appeal_180_days_from_the_remittance(run):
    r = run(LOCAL, date(2026, 3, 1), dos_from=DOS, status=Status.DENIED, submitted=date(2026, 1, 10),
            remit_date=date(2026, 2, 2), denial_codes=(DenialCode("CO", "50"),))
    assert r.appeal_deadline == date(2026, 8, 1)


def test_timely_filing_denials_can_be_appealed_with_proof(run):
    r = run(LOCAL, date(2026, 5, 1), dos_from=DOS, status=Status.DENIED, submitted=date(2026, 1, 10),
            remit_date=date(2026, 4, 20), denial_codes=(DenialCode("CO", "29"),))
    assert r.category == "timely_filing"
    assert "proof of timely filing" in r.next_action
    assert r.appeal_deadline == date(2026, 10, 17)


def test_first_status_check_14_days_electronic_30_paper(run):
    e = run(LOCAL, date(2026, 1, 15), dos_from=DOS, status=Status.ACCEPTED, submitted=date(2026, 1, 10))
    assert (e.category, e.follow_up) == ("status_check", date(2026, 1, 24))
    p = run(LOCAL, date(2026, 1, 15), dos_from=DOS, status=Status.SUBMITTED, submitted=date(2026, 1, 10),
            channel=Channel.PAPER)
    assert p.follow_up == date(2026, 2, 9)


def test_recheck_14_days_after_contact_then_escalate_after_30_days(run):
    r = run(LOCAL, date(2026, 1, 25), dos_from=DOS, status=Status.PENDING, submitted=date(2026, 1, 10),
            last_contact=date(2026, 1, 20))
    assert (r.category, r.follow_up) == ("status_check", date(2026, 2, 3))
    late = run(LOCAL, date(2026, 2, 15), dos_from=DOS, status=Status.PENDING, submitted=date(2026, 1, 10))
    assert (late.category, late.follow_up) == ("escalate", date(2026, 2, 9))


def test_underpayment_tolerance_is_1_dollar_or_1_percent(run):
    def short(paid):
        return run(LOCAL, date(2026, 3, 1), dos_from=DOS, status=Status.PAID, submitted=date(2026, 1, 10),
                   remit_date=date(2026, 2, 2), expected=300.0, paid=paid).underpaid

    assert short(297.0) == 0  # $3.00 = 1% of $300: ignored
    assert short(296.0) == 4.0
