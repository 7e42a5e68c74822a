"""Issue 11: the follow-up truths the engine got wrong, each asserted as the office manager sees it.

Run against the shipped rules kit. Sources are named per test (domain.md section numbers and [S#]
references, or the payer file that carries the rule and its source).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from claimbook.engine import evaluate
from claimbook.model import Channel, Claim, DenialCode, Order, Result, Risk, Status
from claimbook.rules.loader import load_rules

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"


@pytest.fixture(scope="module")
def rules():
    return load_rules(RULES_DIR)


def one(rules, as_of: date, **fields) -> Result:
    claim = Claim(claim_id=fields.pop("claim_id", "A1"), **fields)
    return evaluate([claim], rules, as_of=as_of).results[0]


def many(rules, as_of: date, *claims: Claim) -> dict[str, Result]:
    return {r.claim_id: r for r in evaluate(claims, rules, as_of=as_of).results}


# --- A remittance proves the payer received the claim ------------------------------------------------

def test_a_remittance_before_the_deadline_proves_receipt_for_an_underpaid_claim(rules):
    # UHC: 90 days from the DOS 2026-01-05 = 2026-04-05. The ERA row has no Submitted/Accepted dates,
    # but the payer paid it on 2026-03-01: it had the claim then (domain.md s2a "filed = received").
    r = one(rules, date(2026, 5, 1), payer="UnitedHealthcare", dos_from=date(2026, 1, 5),
            status=Status.PARTIALLY_PAID, remit_date=date(2026, 3, 1), expected=200.0, paid=150.0)
    assert r.tf_risk is Risk.MET
    assert r.next_action.startswith("Dispute the underpayment of $50.00")
    assert "write it off" not in r.why and "proof of timely filing" not in r.why


def test_a_denial_on_a_remittance_before_the_deadline_is_filed_in_time(rules):
    r = one(rules, date(2026, 5, 1), payer="Cigna", dos_from=date(2026, 1, 5), status=Status.DENIED,
            remit_date=date(2026, 2, 20), denial_codes=(DenialCode("CO", "50"),))
    assert r.tf_risk is Risk.MET
    assert r.appeal_deadline == date(2026, 8, 19)  # Cigna: 180 days from the remittance
    assert "Filing deadline passed" not in r.next_action and "write it off" not in r.why


# --- Paper claims: the mailing record, per the payer's rule; never the status word -------------------

@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.PENDING])
def test_a_uhc_paper_claim_mailed_in_time_is_met_whatever_the_status_word(rules, status):
    # UHC takes a practice-system screenshot with the submission date as proof for paper claims
    # (UHC "Submitting Proof of Timely Filing"; domain.md s2c [S57]). Deadline 2026-04-05; mailed 86 days before.
    r = one(rules, date(2026, 5, 1), payer="UnitedHealthcare", dos_from=date(2026, 1, 5), channel=Channel.PAPER,
            submitted=date(2026, 1, 9), status=status)
    assert (r.tf_deadline, r.tf_risk) == (date(2026, 4, 5), Risk.MET)
    assert r.category == "escalate"  # unpaid past 30 + 15 paper days: call, no acceptance report to wait for
    assert "write it off" not in r.why


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.PENDING])
def test_a_medicare_paper_claim_counts_receipt_not_mailing(rules, status):
    # Medicare counts a claim filed when the MAC receives it (domain.md s2a [S18]). DOS 2025-01-10:
    # deadline Saturday 2026-01-10, rolled to Monday 2026-01-12. Mailed Friday 2026-01-09: receipt is
    # presumed 5 days later (2026-01-14, medicare.yaml), after the deadline, for either status word.
    claim = dict(payer="Medicare", dos_from=date(2025, 1, 10), channel=Channel.PAPER, submitted=date(2026, 1, 9))
    late = one(rules, date(2026, 2, 1), status=status, **claim)
    assert (late.tf_deadline, late.tf_risk) == (date(2026, 1, 12), Risk.EXPIRED)
    assert "received date in Accepted" in late.why
    # The MAC's receipt date typed in Accepted (from the ICN or the portal) settles it.
    received = one(rules, date(2026, 2, 1), status=status, accepted=date(2026, 1, 12), **claim)
    assert received.tf_risk is Risk.MET


# --- Overpayments get an action and a date ------------------------------------------------------------

def test_a_medicare_overpayment_is_reported_and_returned_within_60_days(rules):
    # 42 CFR 401.305(b) / SSA 1128J(d): report and return within 60 days of identification, counted
    # from the remittance that showed it (medicare.yaml underpayment section).
    r = one(rules, date(2026, 3, 10), payer="Medicare", dos_from=date(2026, 1, 5), submitted=date(2026, 1, 6),
            status=Status.PAID, remit_date=date(2026, 3, 2), expected=100.0, paid=130.0, billed=150.0)
    assert r.category == "refund_review"
    assert r.next_action == ("Review the overpayment of $30.00 and, if confirmed, report and return it to "
                             "Medicare (Part A and B) by 2026-05-01 (60 days after it was identified)")
    assert r.follow_up == date(2026, 5, 1)
    assert "42 CFR 401.305(b)" in r.why and r.at_stake == 30.0


def test_a_commercial_overpayment_is_reviewed_within_the_denial_working_time(rules):
    r = one(rules, date(2026, 3, 10), payer="Aetna", dos_from=date(2026, 1, 5), submitted=date(2026, 1, 6),
            status=Status.PAID, remit_date=date(2026, 3, 2), expected=100.0, paid=130.0)
    assert r.next_action.startswith("Review the overpayment of $30.00 from Aetna")
    assert r.follow_up == date(2026, 3, 16)  # 10 business days after the remittance


def test_an_overpayment_within_tolerance_is_still_nothing_to_do(rules):
    r = one(rules, date(2026, 3, 10), payer="Medicare", dos_from=date(2026, 1, 5), submitted=date(2026, 1, 6),
            status=Status.PAID, remit_date=date(2026, 3, 2), expected=100.0, paid=101.5)
    assert r.next_action == "Nothing to do: paid"


# --- Secondary before patient --------------------------------------------------------------------------

PRIMARY = dict(claim_id="P1", patient="Ann Lee", payer="Aetna", dos_from=date(2026, 2, 2), submitted=date(2026, 2, 3),
               status=Status.PAID, remit_date=date(2026, 3, 1), expected=200.0, paid=160.0, patient_resp=40.0,
               denial_codes=(DenialCode("PR", "2"),))
SECONDARY = dict(claim_id="S1", patient="ann lee", payer="Cigna", order=Order.SECONDARY, dos_from=date(2026, 2, 2),
                 primary_eob_date=date(2026, 3, 1), submitted=date(2026, 3, 3))


def test_the_patient_is_not_billed_while_the_secondary_has_not_paid(rules):
    got = many(rules, date(2026, 3, 10), Claim(**PRIMARY), Claim(**SECONDARY, status=Status.PENDING))
    assert got["P1"].next_action == "Hold the patient's bill ($40.00) until secondary claim S1 (Cigna) has paid"
    assert got["P1"].category == "none" and got["P1"].follow_up is None
    assert got["S1"].category == "status_check"


def test_after_the_secondary_pays_the_patient_is_billed_from_the_secondary_only(rules):
    got = many(rules, date(2026, 4, 10), Claim(**PRIMARY),
               Claim(**SECONDARY, status=Status.PAID, remit_date=date(2026, 4, 1), paid=30.0, patient_resp=10.0))
    assert got["P1"].next_action.startswith("Nothing to bill from this claim")
    assert got["S1"].next_action == "Bill the patient $10.00"


def test_a_secondary_without_a_patient_share_leaves_the_rest_on_the_primary(rules):
    # The secondary row's Patient Resp is blank: what is left is the primary's share less what it paid.
    got = many(rules, date(2026, 4, 10), Claim(**PRIMARY),
               Claim(**SECONDARY, status=Status.PAID, remit_date=date(2026, 4, 1), paid=30.0))
    assert got["P1"].next_action == "Bill the patient $10.00 (what is left after secondary claim S1 paid $30.00)"
    assert got["P1"].follow_up == date(2026, 4, 1) and got["S1"].category == "none"


def test_a_secondary_that_pays_nothing_releases_the_primary_patient_bill(rules):
    got = many(rules, date(2026, 4, 10), Claim(**PRIMARY),
               Claim(**SECONDARY, status=Status.DENIED, remit_date=date(2026, 4, 1),
                     denial_codes=(DenialCode("CO", "96"),)))
    assert got["P1"].next_action == "Bill the patient $40.00"
    assert "paid nothing" in got["P1"].why


def test_a_crossover_claim_holds_the_patient_bill_with_a_check_date(rules):
    # 835 CLP02 19: processed as primary and forwarded (domain.md s6b): the secondary is already billed.
    r = one(rules, date(2026, 3, 10), **{**PRIMARY, "payer": "Medicare",
                                          "notes": "Forwarded by Medicare to AARP Medigap (crossover)"})
    assert r.next_action.startswith("Hold the patient's bill ($40.00): Medicare (Part A and B) forwarded the claim")
    assert r.follow_up == date(2026, 3, 31)  # remittance + the usual 30 days (default.yaml follow_up)


def test_a_secondary_row_of_a_crossover_claim_is_not_submitted_again(rules):
    primary = Claim(**{**PRIMARY, "payer": "Medicare"}, crossover=True)
    got = many(rules, date(2026, 3, 10), primary, Claim(**{**SECONDARY, "submitted": None}))
    assert got["S1"].next_action.startswith("Do not submit: Medicare forwarded claim P1")
    assert got["P1"].next_action.startswith("Hold the patient's bill ($40.00) until secondary claim S1")


# --- Late appeals ----------------------------------------------------------------------------------------

def test_an_appeal_filed_after_the_window_says_it_was_late(rules):
    # Cigna: 180 days from the remittance 2026-01-10 = 2026-07-09 (domain.md s4b [S97]); filed 2026-08-01.
    r = one(rules, date(2026, 8, 15), payer="Cigna", dos_from=date(2025, 12, 1), submitted=date(2025, 12, 2),
            status=Status.APPEALED, remit_date=date(2026, 1, 10), appeal_filed=date(2026, 8, 1),
            denial_codes=(DenialCode("CO", "50"),))
    assert r.next_action.startswith("Appeal filed late (2026-08-01, after the 2026-07-09 deadline)")
    assert "good cause" in r.next_action
    assert (r.appeal_deadline, r.appeal_days_left) == (date(2026, 7, 9), -37)
    assert "it was late" in r.why


def test_an_appeal_filed_in_time_is_only_rechecked(rules):
    r = one(rules, date(2026, 8, 15), payer="Cigna", dos_from=date(2025, 12, 1), submitted=date(2025, 12, 2),
            status=Status.APPEALED, remit_date=date(2026, 1, 10), appeal_filed=date(2026, 7, 1),
            denial_codes=(DenialCode("CO", "50"),))
    assert r.next_action == "Check the appeal status with Cigna" and r.appeal_deadline is None


# --- Remedy and date agree -----------------------------------------------------------------------------

def test_a_medicare_duplicate_shows_the_reopening_deadline(rules):
    # Duplicate denials are clerical errors handled as reopenings: 1 year from the initial
    # determination (42 CFR 405.980(b)(1); domain.md s4a [S88] [S90]), not 120 + 5 days.
    r = one(rules, date(2026, 3, 1), payer="Medicare", dos_from=date(2026, 1, 5), submitted=date(2026, 1, 6),
            status=Status.DENIED, remit_date=date(2026, 2, 2), denial_codes=(DenialCode("OA", "18"),))
    assert "request a reopening" in r.next_action
    assert r.appeal_deadline == date(2027, 2, 2)
    assert "Request the reopening by 2027-02-02" in r.why and "42 CFR 405.980(b)(1)" in r.why


# --- CO-29 on a claim filed in time ----------------------------------------------------------------------

def test_a_timely_filing_denial_on_a_claim_filed_in_time_asks_for_the_proof(rules):
    # Cigna 90 days: deadline 2026-04-05; accepted 2026-01-11. Proof of timely filing is the accepted
    # 999/277CA report (domain.md s2c "Proof of timely filing", CARC 29 row of s5).
    r = one(rules, date(2026, 5, 10), payer="Cigna", dos_from=date(2026, 1, 5), submitted=date(2026, 1, 10),
            accepted=date(2026, 1, 11), status=Status.DENIED, remit_date=date(2026, 5, 1),
            denial_codes=(DenialCode("CO", "29"),))
    assert r.next_action == ("Send Cigna proof of timely filing and ask for reconsideration: the claim was accepted "
                             "2026-01-11, before the filing deadline 2026-04-05")
    assert r.tf_risk is Risk.PROOF and r.tf_risk.value == "Met - send proof"
    assert "proof of timely filing" in r.why


def test_a_medicare_timely_filing_denial_filed_in_time_is_a_reopening_with_its_deadline(rules):
    r = one(rules, date(2026, 5, 10), payer="Medicare", dos_from=date(2025, 1, 5), submitted=date(2025, 12, 1),
            accepted=date(2025, 12, 2), status=Status.DENIED, remit_date=date(2026, 1, 20),
            denial_codes=(DenialCode("CO", "29"),))
    assert r.next_action.startswith("Send Medicare (Part A and B) proof of timely filing and request a reopening")
    assert r.tf_risk is Risk.PROOF
    assert r.appeal_deadline == date(2027, 1, 20)
