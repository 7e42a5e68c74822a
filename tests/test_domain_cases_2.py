"""Second review pass (issue 11): scenarios from domain.md and public payer manuals that the first set
did not cover: evidence of filing, channel, overpayment, COB order, appeal timing, remedy/date agreement.

Each test names its source in a comment: a domain.md section with its [S#] reference (the list at the end
of /shared/docs/domain.md), a regulation, or a payer manual page. Run against the shipped rules kit.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from claimbook.engine import evaluate
from claimbook.model import Channel, Claim, DenialCode, Order, Result, Risk, Status
from claimbook.rules.loader import load_rules
from claimbook.table import claim_from_row

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"


@pytest.fixture(scope="module")
def rules():
    return load_rules(RULES_DIR)


def one(rules, as_of: date, **fields) -> Result:
    claim = Claim(claim_id=fields.pop("claim_id", "A1"), **fields)
    return evaluate([claim], rules, as_of=as_of).results[0]


def many(rules, as_of: date, *claims: Claim) -> dict[str, Result]:
    return {r.claim_id: r for r in evaluate(claims, rules, as_of=as_of).results}


# --- Evidence of filing ---------------------------------------------------------------------------------

def test_s1_an_electronic_submission_without_acceptance_is_not_proof(rules):
    # UHC "Submitting Proof of Timely Filing" [S57]: "A submission report alone is not considered proof
    # of timely filing for electronic claims." Deadline 2026-04-05 passed with no acceptance.
    r = one(rules, date(2026, 4, 10), payer="UnitedHealthcare", dos_from=date(2026, 1, 5),
            submitted=date(2026, 3, 30), status=Status.SUBMITTED)
    assert r.tf_risk is Risk.EXPIRED
    assert r.next_action.startswith("Filing deadline passed 2026-04-05")


def test_s2_acceptance_after_the_deadline_is_late_even_if_sent_before(rules):
    # Medicare: filed means received by the MAC, not sent (domain.md s2a "Filed = received" [S18]).
    # DOS 2025-03-03 -> deadline 2026-03-03 (a Tuesday); sent 03-02, accepted 03-04.
    r = one(rules, date(2026, 3, 20), payer="Medicare", dos_from=date(2025, 3, 3), submitted=date(2026, 3, 2),
            accepted=date(2026, 3, 4), status=Status.ACCEPTED)
    assert (r.tf_deadline, r.tf_risk) == (date(2026, 3, 3), Risk.EXPIRED)


def test_s3_a_remittance_after_the_deadline_proves_receipt_only_by_its_own_date(rules):
    # A remittance shows the payer had the claim by its date, no earlier: Cigna 90 days [S37],
    # deadline 2026-04-05, remittance 2026-04-20, no submission dates on the row.
    r = one(rules, date(2026, 5, 1), payer="Cigna", dos_from=date(2026, 1, 5), status=Status.DENIED,
            remit_date=date(2026, 4, 20), denial_codes=(DenialCode("CO", "50"),))
    assert r.tf_risk is Risk.EXPIRED
    assert "Submitted date is empty: enter the date the claim was sent" in r.data_issues


def test_s4_a_closed_claim_with_a_timely_remittance_keeps_its_met_risk(rules):
    # Closed claims: a remittance before the deadline is evidence of filing (UHC 90 days [S28]).
    r = one(rules, date(2026, 6, 1), payer="UHC", dos_from=date(2026, 1, 5), status=Status.CLOSED,
            remit_date=date(2026, 2, 10))
    assert (r.tf_risk, r.next_action) == (Risk.MET, "Nothing to do: closed")


def test_s5_an_aetna_paper_claim_mailed_two_days_before_the_deadline_is_met(rules):
    # Aetna accepts ledger printouts (the practice's submission record) as proof [S34]: the mailing date
    # counts. Aetna 120 days: DOS 2026-01-05 -> 2026-05-05; mailed 2026-05-03.
    r = one(rules, date(2026, 5, 20), payer="Aetna", dos_from=date(2026, 1, 5), channel=Channel.PAPER,
            submitted=date(2026, 5, 3), status=Status.SUBMITTED)
    assert (r.tf_deadline, r.tf_risk) == (date(2026, 5, 5), Risk.MET)


def test_s6_a_default_payer_paper_claim_mailed_on_the_deadline_day_is_at_risk(rules):
    # Payers without their own rule count receipt (domain.md s2a, filing = receipt [S18]); receipt is
    # presumed 5 days after mailing, so a claim mailed on the last day is received too late.
    r = one(rules, date(2026, 4, 10), payer="Acme Regional Health", dos_from=date(2026, 1, 5), channel=Channel.PAPER,
            submitted=date(2026, 4, 5), status=Status.SUBMITTED)
    assert (r.tf_deadline, r.tf_risk) == (date(2026, 4, 5), Risk.EXPIRED)
    assert "presumed 2026-04-10" in r.why


# --- Channel ---------------------------------------------------------------------------------------------

def test_s7_a_paper_claim_never_waits_for_a_clearinghouse_report(rules):
    # 999/277CA acknowledgments are EDI transactions (domain.md s3 [S60] [S61]); a paper claim gets none,
    # so the first step is a status check after Medicare's 29-day paper floor [S63].
    r = one(rules, date(2026, 1, 20), payer="Medicare", dos_from=date(2026, 1, 5), channel=Channel.PAPER,
            submitted=date(2026, 1, 10), status=Status.SUBMITTED)
    assert "999/277CA" not in r.next_action and r.category == "status_check"
    assert r.follow_up == date(2026, 2, 8)


def test_s8_an_electronic_claim_without_acceptance_asks_for_the_report_in_two_days(rules):
    # Kareo: clearinghouse reports within 24 hours (domain.md s3 [S61]).
    r = one(rules, date(2026, 1, 20), payer="Cigna", dos_from=date(2026, 1, 5), submitted=date(2026, 1, 10),
            status=Status.SUBMITTED)
    assert r.next_action == "Confirm the payer accepted the claim (clearinghouse 999/277CA report)"
    assert r.follow_up == date(2026, 1, 12)


# --- Overpayment -----------------------------------------------------------------------------------------

def test_s9_a_texas_medicaid_overpayment_has_the_60_day_report_and_return_date(rules):
    # SSA 1128J(d)(2): Medicaid overpayments reported and returned within 60 days of identification.
    r = one(rules, date(2026, 3, 10), payer="Texas Medicaid", dos_from=date(2026, 1, 5), submitted=date(2026, 1, 6),
            status=Status.PAID, remit_date=date(2026, 2, 27), expected=80.0, paid=95.0)
    assert r.category == "refund_review" and r.follow_up == date(2026, 4, 28)
    assert "by 2026-04-28" in r.next_action and "1128J" in r.why


def test_s10_paid_above_the_charge_is_a_data_issue_and_a_refund_review(rules):
    # CARC 94 "processed in excess of charges" -> review, refund if confirmed (domain.md s5 [S106]).
    r = one(rules, date(2026, 3, 10), payer="Cigna", dos_from=date(2026, 1, 5), submitted=date(2026, 1, 6),
            status=Status.PAID, remit_date=date(2026, 3, 2), billed=120.0, expected=100.0, paid=150.0)
    assert r.next_action.startswith("Review the overpayment of $50.00 from Cigna")
    assert any(i.startswith("Paid (150.00) is more than Billed (120.00)") for i in r.data_issues)


def test_s11_an_overpayment_without_a_remittance_date_counts_from_the_last_contact(rules):
    # 42 CFR 401.305(b): 60 days from identification; without a remittance date the logged contact is it.
    r = one(rules, date(2026, 3, 10), payer="Medicare", dos_from=date(2026, 1, 5), submitted=date(2026, 1, 6),
            status=Status.PAID, expected=100.0, paid=140.0, last_contact=date(2026, 3, 5))
    assert r.follow_up == date(2026, 5, 4)
    assert "last contact 2026-03-05" in r.why


def test_s12_a_payment_above_expected_within_the_medicaid_dollar_tolerance_is_fine(rules):
    # texas_medicaid.yaml: differences under $1 are rounding.
    r = one(rules, date(2026, 3, 10), payer="Texas Medicaid", dos_from=date(2026, 1, 5), submitted=date(2026, 1, 6),
            status=Status.PAID, remit_date=date(2026, 2, 27), expected=80.0, paid=80.60)
    assert r.next_action == "Nothing to do: paid"


# --- COB order ---------------------------------------------------------------------------------------------

BASE = dict(patient="Rosa Diaz", dos_from=date(2026, 2, 2))


def test_s13_a_deductible_waits_for_the_secondary_too(rules):
    # PR-1 deductible: "bill the patient or the secondary payer" (domain.md s5 group codes [S103]).
    got = many(rules, date(2026, 3, 10),
               Claim("P1", "Humana", submitted=date(2026, 2, 3), status=Status.PAID, remit_date=date(2026, 3, 1),
                     paid=0.0, expected=150.0, patient_resp=150.0, denial_codes=(DenialCode("PR", "1"),), **BASE),
               Claim("S1", "Aetna", order=Order.SECONDARY, status=Status.NOT_SUBMITTED,
                     primary_eob_date=date(2026, 3, 1), **BASE))
    assert got["P1"].next_action == "Hold the patient's bill ($150.00) until secondary claim S1 (Aetna) has paid"
    assert got["S1"].next_action == "Submit the claim"


def test_s14_a_secondary_for_another_date_of_service_does_not_hold_the_bill(rules):
    got = many(rules, date(2026, 3, 10),
               Claim("P1", "Humana", submitted=date(2026, 2, 3), status=Status.PAID, remit_date=date(2026, 3, 1),
                     paid=100.0, expected=120.0, patient_resp=20.0, **BASE),
               Claim("S9", "Aetna", order=Order.SECONDARY, patient="Rosa Diaz", dos_from=date(2026, 2, 9),
                     status=Status.PENDING, submitted=date(2026, 3, 2)))
    assert got["P1"].next_action == "Bill the patient $20.00"


def test_s15_rows_without_a_patient_are_never_linked(rules):
    got = many(rules, date(2026, 3, 10),
               Claim("P1", "Humana", dos_from=date(2026, 2, 2), submitted=date(2026, 2, 3), status=Status.PAID,
                     remit_date=date(2026, 3, 1), paid=100.0, expected=120.0, patient_resp=20.0),
               Claim("S1", "Aetna", order=Order.SECONDARY, dos_from=date(2026, 2, 2), status=Status.PENDING,
                     submitted=date(2026, 3, 2)))
    assert got["P1"].next_action == "Bill the patient $20.00"


def test_s16_a_crossed_over_status_word_marks_the_crossover(rules):
    # 835 CLP02 19 "processed as primary, forwarded to additional payer" (domain.md s6b [S117] [S118]).
    cols = {"claim_id": 0, "payer": 1, "dos_from": 2, "submitted": 3, "status": 4, "remit_date": 5, "paid": 6,
            "expected": 7, "patient_resp": 8}
    claim = claim_from_row(["C7", "Medicare", date(2026, 2, 2), date(2026, 2, 3), "Crossed over", date(2026, 3, 1),
                            80.0, 100.0, 20.0], cols)
    assert claim.status is Status.PAID and claim.crossover
    r = evaluate([claim], rules, date(2026, 3, 10)).results[0]
    assert r.next_action.startswith("Hold the patient's bill ($20.00): Medicare (Part A and B) forwarded the claim")


def test_s17_a_not_our_claim_forwarding_note_is_not_a_crossover(rules):
    # CLP02 23 "not our claim, forwarded" (domain.md s6b) is a misdirected claim, not a secondary crossover.
    r = one(rules, date(2026, 3, 10), payer="Cigna", submitted=date(2026, 2, 3), status=Status.PAID,
            remit_date=date(2026, 3, 1), paid=80.0, expected=100.0, patient_resp=20.0,
            notes="Not Cigna's claim, forwarded to Aetna (CLP02 23)", **BASE)
    assert r.next_action == "Bill the patient $20.00"


def test_s18_after_the_secondary_reconciles_with_oa_23_only_the_remainder_is_billed(rules):
    # OA-23 / CARC 23 "impact of prior payer adjudication": reconcile, bill the PR remainder (domain.md s5).
    got = many(rules, date(2026, 4, 10),
               Claim("P1", "Humana", submitted=date(2026, 2, 3), status=Status.PAID, remit_date=date(2026, 3, 1),
                     paid=100.0, expected=140.0, patient_resp=40.0, **BASE),
               Claim("S1", "Aetna", order=Order.SECONDARY, submitted=date(2026, 3, 3), status=Status.PAID,
                     primary_eob_date=date(2026, 3, 1), remit_date=date(2026, 4, 1), paid=32.0, patient_resp=8.0,
                     denial_codes=(DenialCode("OA", "23"), DenialCode("PR", "2")), **BASE))
    assert got["P1"].category == "none"
    assert got["S1"].next_action == "Bill the patient $8.00"  # only what is left after both payers


# --- Appeal timing --------------------------------------------------------------------------------------------

def test_s19_a_medicare_redetermination_received_on_day_125_is_in_time(rules):
    # Palmetto GBA: remit 2022-05-15 must be received by 2022-09-17 [S93]; 42 CFR 405.942(a)(2) counts receipt.
    r = one(rules, date(2022, 10, 1), payer="Medicare", dos_from=date(2022, 3, 1), submitted=date(2022, 3, 3),
            status=Status.APPEALED, remit_date=date(2022, 5, 15), appeal_filed=date(2022, 9, 17),
            denial_codes=(DenialCode("CO", "50"),))
    assert r.next_action == "Check the appeal status with Medicare (Part A and B)"


def test_s20_a_medicare_redetermination_a_day_late_needs_good_cause(rules):
    # 42 CFR 405.942(b): after 120 days the MAC may extend the time only for good cause.
    r = one(rules, date(2022, 10, 1), payer="Medicare", dos_from=date(2022, 3, 1), submitted=date(2022, 3, 3),
            status=Status.APPEALED, remit_date=date(2022, 5, 15), appeal_filed=date(2022, 9, 18),
            denial_codes=(DenialCode("CO", "50"),))
    assert r.next_action.startswith("Appeal filed late (2022-09-18, after the 2022-09-17 deadline)")
    assert r.appeal_deadline == date(2022, 9, 17)


def test_s21_a_uhc_appeal_13_months_after_the_eob_is_late(rules):
    # UHC: reconsideration and appeal within 12 months of the EOB (domain.md s4b [S30] [S31]).
    r = one(rules, date(2027, 3, 20), payer="UnitedHealthcare", dos_from=date(2026, 1, 5), submitted=date(2026, 1, 6),
            status=Status.APPEALED, remit_date=date(2026, 2, 2), appeal_filed=date(2027, 3, 2),
            denial_codes=(DenialCode("CO", "197"),))
    assert r.appeal_deadline == date(2027, 2, 2) and "late" in r.next_action


def test_s22_an_appeal_without_a_remittance_date_cannot_be_called_late(rules):
    r = one(rules, date(2026, 8, 15), payer="Cigna", dos_from=date(2025, 12, 1), submitted=date(2025, 12, 2),
            status=Status.APPEALED, appeal_filed=date(2026, 8, 1), denial_codes=(DenialCode("CO", "50"),))
    assert r.next_action == "Check the appeal status with Cigna" and r.appeal_deadline is None


# --- Remedy and date agree ------------------------------------------------------------------------------------

def test_s23_a_passed_reopening_deadline_is_named_as_a_reopening(rules):
    # 42 CFR 405.980(b)(1): 1 year for any reason; after that only good cause (b)(2) [S88] [S89].
    r = one(rules, date(2027, 3, 1), payer="Medicare", dos_from=date(2026, 1, 5), submitted=date(2026, 1, 6),
            status=Status.DENIED, remit_date=date(2026, 2, 2), denial_codes=(DenialCode("OA", "18"),))
    assert r.next_action.startswith("Reopening deadline passed 2027-02-02 - Duplicate")
    assert "a reopening now needs good cause" in r.why


def test_s24_a_uhc_duplicate_keeps_the_appeal_deadline(rules):
    # Only Medicare handles duplicates as reopenings; UHC's remedy is its 12-month reconsideration [S30].
    r = one(rules, date(2026, 3, 1), payer="UnitedHealthcare", dos_from=date(2026, 1, 5), submitted=date(2026, 1, 6),
            status=Status.DENIED, remit_date=date(2026, 2, 2), denial_codes=(DenialCode("OA", "18"),))
    assert "reopening" not in r.why and r.appeal_deadline == date(2027, 2, 2)
    assert "Appeal by 2027-02-02" in r.why


def test_s25_a_medicare_claim_filed_late_gets_no_remedy_deadline(rules):
    # Medicare timely-filing denials are not appealable (domain.md s2a [S13]); filed late by the tracker's
    # own dates, the reopening is only for a MAC error, so no deadline is raced (contrast the CO-29 test in
    # test_followup_truths.py, where the claim was filed in time and the reopening deadline shows).
    r = one(rules, date(2026, 5, 10), payer="Medicare", dos_from=date(2025, 1, 5), submitted=date(2026, 1, 20),
            accepted=date(2026, 1, 20), status=Status.DENIED, remit_date=date(2026, 2, 1),
            denial_codes=(DenialCode("CO", "29"),))
    assert "request a reopening" in r.next_action and "write the claim off" in r.next_action
    assert r.appeal_deadline is None and r.tf_risk is Risk.EXPIRED


def test_s26_the_leading_code_picks_the_remedy(rules):
    # CO-50 (urgency 4) leads OA-18 (urgency 2): a redetermination, remit + 5 + 120 days [S92].
    r = one(rules, date(2026, 3, 1), payer="Medicare", dos_from=date(2026, 1, 5), submitted=date(2026, 1, 6),
            status=Status.DENIED, remit_date=date(2026, 2, 2),
            denial_codes=(DenialCode("OA", "18"), DenialCode("CO", "50")))
    assert r.appeal_deadline == date(2026, 6, 7) and "Appeal by 2026-06-07" in r.why


# --- CO-29 ------------------------------------------------------------------------------------------------------

def test_s27_co_29_without_evidence_in_time_stays_a_write_off_decision(rules):
    # CARC 29 (domain.md s5): find proof; without proof, write off, never bill the patient.
    r = one(rules, date(2026, 5, 10), payer="Cigna", dos_from=date(2026, 1, 5), submitted=date(2026, 4, 20),
            accepted=date(2026, 4, 21), status=Status.DENIED, remit_date=date(2026, 5, 1),
            denial_codes=(DenialCode("CO", "29"),))
    assert r.tf_risk is Risk.EXPIRED
    assert r.next_action.startswith("Find proof of timely filing")


def test_s28_co_29_on_a_uhc_paper_claim_mailed_in_time_sends_the_mailing_record(rules):
    # UHC paper proof: a practice-system screenshot with patient, DOS and submission date [S57].
    r = one(rules, date(2026, 5, 10), payer="UnitedHealthcare", dos_from=date(2026, 1, 5), channel=Channel.PAPER,
            submitted=date(2026, 3, 1), status=Status.DENIED, remit_date=date(2026, 5, 1),
            denial_codes=(DenialCode("CO", "29"),))
    assert r.tf_risk is Risk.PROOF
    assert "the claim was mailed 2026-03-01, before the filing deadline 2026-04-05" in r.next_action
