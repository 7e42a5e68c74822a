"""The dated acceptance cases of docs domain research, section 10, run against the shipped rules kit.

Each test names its case number and source. Where the rules say more than the source (Medicare's
weekend roll), the assertion follows the rules and a comment explains the difference.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from claimbook.engine import evaluate
from claimbook.model import Channel, Claim, ClaimType, DenialCode, Order, Result, Risk, Status
from claimbook.rules.loader import load_rules

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"


@pytest.fixture(scope="module")
def rules():
    return load_rules(RULES_DIR)


def one(rules, as_of: date, **fields) -> Result:
    claim = Claim(claim_id=fields.pop("claim_id", "A1"), **fields)
    return evaluate([claim], rules, as_of=as_of).results[0]


def test_case_1_medicare_institutional_counts_from_the_through_date(rules):
    # CGS Medicare: Through 2021-07-31 must be received by 2022-07-31. That day is a Sunday, and
    # medicare.yaml rolls weekend deadlines to the next workday (Palmetto GBA timeliness), so the
    # deadline shown is Monday 2022-08-01; the "why" still names the unrolled 2022-07-31.
    r = one(rules, date(2022, 7, 1), payer="Medicare", claim_type=ClaimType.INSTITUTIONAL,
            dos_from=date(2021, 7, 1), dos_through=date(2021, 7, 31), status=Status.NOT_SUBMITTED)
    assert r.payer_key == "medicare"
    assert r.tf_deadline == date(2022, 8, 1)
    assert "2022-07-31" in r.why and "through date" in r.why


def test_case_1_a_professional_claim_uses_the_from_date(rules):
    r = one(rules, date(2022, 7, 1), payer="Medicare", claim_type=ClaimType.PROFESSIONAL,
            dos_from=date(2021, 7, 1), dos_through=date(2021, 7, 31), status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2022, 7, 1)


def test_case_2_february_29_is_due_february_28(rules):
    r = one(rules, date(2025, 2, 1), payer="Medicare", dos_from=date(2024, 2, 29), status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2025, 2, 28)  # a Friday: no roll needed
    assert (r.tf_days_left, r.tf_risk) == (27, Risk.HIGH)


@pytest.mark.parametrize("payer, dos, due", [
    ("Medicare", date(2021, 8, 13), date(2022, 8, 15)),  # 2022-08-13 is a Saturday
    ("Medicare", date(2021, 8, 14), date(2022, 8, 15)),  # 2022-08-14 is a Sunday
    ("Medicare", date(2021, 8, 15), date(2022, 8, 15)),  # a Monday: unchanged
    ("Texas Medicaid", date(2026, 1, 6), date(2026, 4, 13)),  # 95 days = Saturday 2026-04-11
])
def test_case_3_weekend_deadline_moves_to_the_next_workday(rules, payer, dos, due):
    r = one(rules, dos, payer=payer, dos_from=dos, status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == due


def test_case_3_payers_that_do_not_roll_keep_the_weekend_date(rules):
    r = one(rules, date(2026, 1, 6), payer="Cigna", dos_from=date(2026, 1, 13), status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 4, 13)
    r = one(rules, date(2026, 1, 6), payer="Cigna", dos_from=date(2026, 1, 11), status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 4, 11)  # Saturday, not moved


@pytest.mark.parametrize("remit, due", [
    (date(2022, 5, 15), date(2022, 9, 17)),
    (date(2022, 8, 15), date(2022, 12, 18)),
])
def test_case_4_redetermination_is_remit_plus_5_plus_120_days(rules, remit, due):
    # Palmetto GBA: 120 days from receipt, receipt presumed 5 days after the remittance date.
    r = one(rules, remit, payer="Medicare", dos_from=date(2022, 3, 1), status=Status.DENIED,
            submitted=date(2022, 3, 3), remit_date=remit, denial_codes=(DenialCode("CO", "50"),))
    assert r.appeal_deadline == due


@pytest.mark.parametrize("dos, due", [
    (date(2022, 3, 22), date(2023, 3, 22)),
    (date(2022, 12, 31), date(2023, 12, 31)),
])
def test_case_5_tricare_one_year_from_dos(rules, dos, due):
    r = one(rules, date(2023, 1, 1), payer="TRICARE", dos_from=dos, status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == due


@pytest.mark.parametrize("channel, first_check", [
    (Channel.ELECTRONIC, date(2026, 1, 24)),  # electronic clean claims: not paid before day 14
    (Channel.PAPER, date(2026, 2, 8)),  # paper: not before day 29
])
def test_case_6_first_medicare_status_check_waits_for_the_payment_floor(rules, channel, first_check):
    status = Status.ACCEPTED if channel is Channel.ELECTRONIC else Status.SUBMITTED
    r = one(rules, date(2026, 1, 12), payer="Medicare", dos_from=date(2026, 1, 5), status=status,
            submitted=date(2026, 1, 10), channel=channel)
    assert (r.category, r.follow_up) == ("status_check", first_check)


def test_case_8_cigna_secondary_counts_from_the_primary_eob_date(rules):
    r = one(rules, date(2026, 3, 1), payer="Cigna", order=Order.SECONDARY, dos_from=date(2025, 11, 3),
            primary_eob_date=date(2026, 2, 20), status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 5, 21)  # EOB + 90 days; DOS + 90 days would be 2026-02-01 (expired)
    assert r.tf_risk is Risk.OK


def test_case_8_medicare_secondary_does_not_re_anchor(rules):
    r = one(rules, date(2026, 3, 1), payer="Medicare", order=Order.SECONDARY, dos_from=date(2025, 3, 2),
            primary_eob_date=date(2026, 2, 20), status=Status.NOT_SUBMITTED)
    assert r.tf_deadline == date(2026, 3, 2)


def test_case_9_a_rejected_claim_is_not_filed(rules):
    claim = dict(payer="Cigna", dos_from=date(2026, 1, 5), submitted=date(2026, 1, 10))
    rejected = one(rules, date(2026, 4, 10), status=Status.REJECTED, **claim)
    assert rejected.category == "resubmit"
    assert rejected.tf_deadline == date(2026, 4, 5)  # still counted from the DOS
    assert (rejected.tf_days_left, rejected.tf_risk) == (-5, Risk.EXPIRED)
    accepted = one(rules, date(2026, 4, 10), status=Status.ACCEPTED, accepted=date(2026, 1, 11), **claim)
    assert accepted.tf_risk is Risk.MET


def test_case_10_oa_18_duplicate_checks_the_original_instead_of_resubmitting(rules):
    r = one(rules, date(2026, 3, 1), payer="Cigna", dos_from=date(2026, 1, 5), status=Status.DENIED,
            submitted=date(2026, 1, 10), accepted=date(2026, 1, 11), remit_date=date(2026, 2, 2),
            denial_codes=(DenialCode("OA", "18"),))
    assert r.category == "status_check"
    assert "status of the original" in r.next_action
    assert "do not resubmit" in r.next_action
    assert r.tf_risk is Risk.MET  # the original was filed in time: no new claim needed
    # If the services were really separate, an appeal is the remedy (domain.md section 5, CARC 18):
    # the deadline shows, Cigna's 180 days from the remittance.
    assert r.appeal_deadline == date(2026, 8, 1)
