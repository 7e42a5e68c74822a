"""Engine unit tests: inline claims and rules, ``as_of`` passed explicitly, values a user would see."""

from __future__ import annotations

import pickle
from datetime import date, timedelta

import pytest

from claimbook.engine import aging_bucket, assess, evaluate, explain
from claimbook.engine.priority import ranks
from claimbook.model import Channel, ClaimType, DenialCode, Network, Order, Risk, Status
from claimbook.rules.schema import Anchor, Cited, Period, Settings, TimelyFiling
from tests.engine_rules import claim, payer, rules

AS_OF = date(2026, 11, 23)


def one(c, r=None, as_of=AS_OF):
    return evaluate([c], r or rules(), as_of).results[0]


# --- aging ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "age,bucket",
    [(0, "0-30"), (30, "0-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"), (90, "61-90"),
     (91, "91-120"), (120, "91-120"), (121, "120+"), (5000, "120+")],
)
def test_bucket_boundaries(age, bucket):
    assert aging_bucket(age, Settings()) == bucket
    r = one(claim(dos_from=AS_OF - timedelta(days=age)))
    assert (r.age, r.bucket) == (age, bucket)


def test_institutional_claims_age_from_the_through_date():
    r = one(claim(claim_type=ClaimType.INSTITUTIONAL, dos_from=date(2026, 10, 1), dos_through=date(2026, 10, 10)))
    assert r.age == (AS_OF - date(2026, 10, 10)).days


def test_future_dos_has_no_age_and_a_data_issue():
    r = one(claim(dos_from=AS_OF + timedelta(days=3)))
    assert r.age is None and r.bucket == ""
    assert any("in the future" in i for i in r.data_issues)


# --- timely filing -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "days_left,risk",
    [(-1, Risk.EXPIRED), (0, Risk.CRITICAL), (15, Risk.CRITICAL), (16, Risk.HIGH), (30, Risk.HIGH),
     (31, Risk.WATCH), (60, Risk.WATCH), (61, Risk.OK)],
)
def test_risk_thresholds(days_left, risk):
    # 90-day limit from DOS; a claim not yet submitted is never "Met".
    dos = AS_OF + timedelta(days=days_left) - timedelta(days=90)
    r = one(claim(dos_from=dos, status=Status.NOT_SUBMITTED))
    assert r.tf_days_left == days_left
    assert r.tf_risk is risk


def test_accepted_in_time_is_met_and_rejected_is_not_filed():
    dos = date(2026, 9, 1)
    met = one(claim(dos_from=dos, status=Status.PENDING, submitted=date(2026, 9, 3), accepted=date(2026, 9, 4)))
    assert met.tf_deadline == date(2026, 11, 30) and met.tf_risk is Risk.MET
    rejected = one(claim(dos_from=dos, status=Status.REJECTED, submitted=date(2026, 9, 3)))
    assert rejected.tf_risk is Risk.CRITICAL and rejected.tf_days_left == 7
    assert rejected.next_action.startswith("Fix the rejection")


def test_twelve_month_limit_from_feb_29_ends_feb_28():
    r = one(claim(dos_from=date(2024, 2, 29), status=Status.NOT_SUBMITTED), rules(payer(limit=Period(months=12))),
            as_of=date(2024, 3, 1))
    assert r.tf_deadline == date(2025, 2, 28)


def test_weekend_and_holiday_deadlines_roll_only_when_the_payer_rolls():
    # 2026-07-04 is a Saturday; with 2026-07-06 a holiday the next business day is Tuesday 07-07.
    dos = date(2026, 7, 4) - timedelta(days=90)
    holidays = frozenset({date(2026, 7, 6)})
    rolled = one(claim(dos_from=dos, status=Status.NOT_SUBMITTED), rules(payer(roll=True), holidays=holidays),
                 as_of=date(2026, 6, 1))
    assert rolled.tf_deadline == date(2026, 7, 7)
    assert "moved from 2026-07-04 to the next business day" in rolled.why
    plain = one(claim(dos_from=dos, status=Status.NOT_SUBMITTED), rules(payer(roll=False), holidays=holidays),
                as_of=date(2026, 6, 1))
    assert plain.tf_deadline == date(2026, 7, 4)


def test_institutional_span_anchors_on_the_through_date():
    r = one(claim(claim_type=ClaimType.INSTITUTIONAL, dos_from=date(2021, 7, 20), dos_through=date(2021, 7, 31),
                  status=Status.NOT_SUBMITTED), rules(payer(limit=Period(months=12))), as_of=date(2022, 1, 1))
    assert r.tf_deadline == date(2022, 7, 31)


def test_secondary_claims_anchor_on_primary_eob_only_where_the_payer_says_so():
    eob = date(2026, 3, 1)
    kw = dict(dos_from=date(2026, 1, 5), order=Order.SECONDARY, primary_eob_date=eob, status=Status.NOT_SUBMITTED)
    reanchor = one(claim(**kw), rules(payer(secondary_anchor=Anchor.PRIMARY_EOB)), as_of=date(2026, 3, 2))
    assert reanchor.tf_deadline == eob + timedelta(days=90)
    no_reanchor = one(claim(**kw), rules(payer(secondary_anchor=Anchor.DOS)), as_of=date(2026, 3, 2))
    assert no_reanchor.tf_deadline == date(2026, 1, 5) + timedelta(days=90)


def test_out_of_network_limit_applies_to_out_of_network_claims():
    r = one(claim(network=Network.OUT, status=Status.NOT_SUBMITTED, dos_from=date(2026, 11, 1)),
            rules(payer(limit=Period(days=90), out_limit=Period(days=180))))
    assert r.tf_deadline == date(2026, 11, 1) + timedelta(days=180)


def test_rule_versions_follow_the_date_of_service():
    old = TimelyFiling(Period(days=180), Period(days=180), Cited("old manual", date(2000, 1, 1)))
    p = payer(limit=Period(days=90), extra_tf=(old,))
    p = type(p)(**{**{f: getattr(p, f) for f in p.__slots__},
                   "timely_filing": (TimelyFiling(Period(days=90), Period(days=90), Cited("new", date(2019, 10, 1))), old)})
    before = one(claim(dos_from=date(2019, 9, 30), status=Status.NOT_SUBMITTED), rules(p), as_of=date(2019, 10, 2))
    after = one(claim(dos_from=date(2019, 10, 1), status=Status.NOT_SUBMITTED), rules(p), as_of=date(2019, 10, 2))
    assert before.tf_deadline == date(2019, 9, 30) + timedelta(days=180)
    assert after.tf_deadline == date(2019, 10, 1) + timedelta(days=90)


# --- next action ---------------------------------------------------------------------------------

def test_status_check_then_recheck_later_date_wins():
    sub = date(2026, 11, 1)
    r = one(claim(status=Status.PENDING, dos_from=date(2026, 10, 28), submitted=sub, accepted=sub),
            as_of=date(2026, 11, 20))
    assert (r.category, r.follow_up, r.days_overdue) == ("status_check", date(2026, 11, 15), 5)
    assert r.why == "Status check 14 days after electronic submission on 2026-11-01, due 2026-11-15, 5 days overdue."
    assert "(payers/acme.yaml, FU source): status check 14 days after electronic submission on 2026-11-01" in r.details
    later = one(claim(status=Status.PENDING, dos_from=date(2026, 10, 28), submitted=sub, accepted=sub,
                      last_contact=date(2026, 11, 10)), as_of=date(2026, 11, 20))
    assert later.follow_up == date(2026, 11, 24) and later.days_overdue == 0
    assert "last contact 2026-11-10 + 14 days, due 2026-11-24" in later.why
    assert "last contact 2026-11-10 + 14 days -> due 2026-11-24" in later.details


def test_paper_claims_use_the_paper_first_check():
    sub = date(2026, 11, 1)
    r = one(claim(status=Status.SUBMITTED, channel=Channel.PAPER, dos_from=sub, submitted=sub), as_of=sub)
    assert r.follow_up == sub + timedelta(days=30)


def test_unresolved_past_adjudication_days_escalates_through_the_contact_channel():
    sub = date(2026, 9, 1)
    r = one(claim(status=Status.PENDING, dos_from=sub, submitted=sub, accepted=sub))
    assert r.category == "escalate"
    assert r.next_action.startswith("Escalate: call Acme Health") and "Acme portal" in r.next_action
    assert r.follow_up == sub + timedelta(days=30)


def test_submitted_without_acceptance_asks_to_confirm_acceptance():
    sub = date(2026, 11, 20)
    r = one(claim(status=Status.SUBMITTED, dos_from=sub, submitted=sub))
    assert r.category == "confirm_acceptance" and r.follow_up == date(2026, 11, 22) and r.days_overdue == 1


def test_docs_requested_due_on_docs_due():
    r = one(claim(status=Status.DOCS_REQUESTED, submitted=date(2026, 1, 8), docs_due=date(2026, 12, 1)))
    assert r.category == "send_docs" and r.follow_up == date(2026, 12, 1)
    assert r.next_action == "Send the requested records by 2026-12-01"


def test_denial_co50_appeal_deadline_from_remit():
    r = one(claim(status=Status.DENIED, submitted=date(2026, 1, 8), remit_date=date(2026, 2, 1),
                  denial_codes=(DenialCode("CO", "50"),)), as_of=date(2026, 2, 2))
    assert r.next_action == "Appeal with medical records" and r.category == "appeal"
    assert r.appeal_deadline == date(2026, 2, 1) + timedelta(days=180)


def test_receipt_presumption_is_added_to_the_appeal_window():
    # Medicare: remit 2022-05-15 + 5 days presumed receipt + 120 days = 2022-09-17.
    p = payer(appeal_window=Period(days=120), presumption=5)
    r = one(claim(status=Status.DENIED, dos_from=date(2022, 4, 1), submitted=date(2022, 4, 2),
                  remit_date=date(2022, 5, 15), denial_codes=(DenialCode("CO", "50"),)), rules(p), as_of=date(2022, 5, 20))
    assert r.appeal_deadline == date(2022, 9, 17)


def test_timely_filing_denial_not_appealable_where_the_payer_says_so():
    p = payer(tf_appealable=False)
    r = one(claim(status=Status.DENIED, submitted=date(2026, 1, 8), remit_date=date(2026, 2, 1),
                  denial_codes=(DenialCode("CO", "29"),)), rules(p))
    assert r.appeal_deadline is None
    assert "does not accept appeals of timely-filing denials" in r.next_action


def test_most_urgent_denial_code_leads_and_rarc_specific_entry_wins():
    r = one(claim(status=Status.DENIED, submitted=date(2026, 1, 8), remit_date=date(2026, 2, 1),
                  denial_codes=(DenialCode("CO", "45"), DenialCode("CO", "16", ("MA130",)))))
    # MA130 leads; its new claim is past the 90-day filing deadline (DOS 2026-01-05), and the action says so first.
    assert r.next_action == "Filing deadline passed 2026-04-05 - Submit a NEW claim" and r.appeal_deadline is None
    assert "The filing deadline was 2026-04-05" in r.why and "has passed" in r.why


def test_oa18_checks_the_original_instead_of_resubmitting():
    r = one(claim(status=Status.DENIED, submitted=date(2026, 1, 8), remit_date=date(2026, 2, 1),
                  denial_codes=(DenialCode("OA", "18"),)))
    assert r.category == "status_check" and "original" in r.next_action


def test_corrected_claim_needed_makes_timely_filing_live_again():
    # Accepted in time, but CO-16 needs a corrected claim: the risk is no longer Met.
    r = one(claim(status=Status.DENIED, dos_from=date(2026, 10, 1), submitted=date(2026, 10, 2),
                  accepted=date(2026, 10, 2), remit_date=date(2026, 10, 20), denial_codes=(DenialCode("CO", "16"),)))
    assert r.tf_risk is Risk.WATCH and r.tf_days_left == 37 and r.tf_deadline == date(2026, 12, 30)


def test_appealed_rechecks_after_the_appeal_interval():
    r = one(claim(status=Status.APPEALED, submitted=date(2026, 1, 8), remit_date=date(2026, 2, 1),
                  denial_codes=(DenialCode("CO", "50"),), appeal_filed=date(2026, 11, 1)))
    assert r.category == "appeal_status" and r.follow_up == date(2026, 12, 1)


def test_underpayment_beyond_tolerance_is_disputed():
    kw = dict(status=Status.PAID, submitted=date(2026, 1, 8), remit_date=date(2026, 11, 2), billed=300.0, expected=200.0)
    short = one(claim(**kw, paid=150.0, patient_resp=20.0))
    assert short.underpaid == 30.0 and short.category == "underpayment" and short.at_stake == 30.0
    assert short.next_action == "Dispute the underpayment of $30.00 with Acme Health"
    assert short.appeal_deadline == date(2026, 11, 2) + timedelta(days=180)
    within = one(claim(**kw, paid=179.5, patient_resp=20.0))  # 50 cents short, tolerance $1
    assert within.underpaid == 0.0 and within.category == "bill_patient"  # only the patient's share is left


def test_patient_balance_is_billed_then_on_the_statement_cycle():
    kw = dict(status=Status.PAID, submitted=date(2026, 1, 8), remit_date=date(2026, 11, 2), expected=200.0,
              paid=160.0, patient_resp=40.0)
    first = one(claim(**kw))
    assert first.category == "bill_patient" and first.follow_up == date(2026, 11, 2) and first.at_stake == 40.0
    again = one(claim(**kw, last_contact=date(2026, 11, 10)))
    assert again.follow_up == date(2026, 12, 10)


@pytest.mark.parametrize("status", [Status.PAID, Status.CLOSED])
def test_paid_in_full_or_closed_needs_nothing(status):
    r = one(claim(status=status, submitted=date(2026, 1, 8), remit_date=date(2026, 2, 1), expected=200.0, paid=200.0))
    assert r.category == "none" and r.follow_up is None and r.priority == 0


def test_follow_up_log_next_date_overrides():
    r = one(claim(status=Status.PENDING, submitted=date(2026, 9, 1), last_contact=date(2026, 11, 20),
                  next_date_override=date(2026, 12, 5)))
    assert r.follow_up == date(2026, 12, 5) and "set in the Follow-up Log" in r.why


def test_follow_up_log_next_date_is_stale_after_a_later_remittance():
    # Logged a call on 10-01 ("check again 2026-06-30"), then a CO-50 denial arrived on 12-01.
    r = one(claim(status=Status.DENIED, submitted=date(2025, 9, 1), last_contact=date(2025, 10, 1),
                  next_date_override=date(2026, 6, 30), remit_date=date(2025, 12, 1),
                  denial_codes=(DenialCode("CO", "50"),)), as_of=date(2026, 1, 15))
    assert r.category == "appeal" and r.follow_up < date(2026, 1, 1)
    assert "Follow-up Log" not in r.why


def test_follow_up_log_next_date_never_passes_a_live_deadline():
    # The log entry is newer than the remittance, but its next date is after the appeal deadline.
    r = one(claim(status=Status.DENIED, submitted=date(2025, 9, 1), remit_date=date(2025, 12, 1),
                  last_contact=date(2025, 12, 10), next_date_override=date(2026, 12, 30),
                  denial_codes=(DenialCode("CO", "50"),)), as_of=date(2026, 1, 15))
    assert r.appeal_deadline == date(2026, 5, 30)
    assert r.follow_up == date(2026, 5, 30)
    assert "after the appeal deadline 2026-05-30" in r.why


def test_several_remark_codes_the_most_urgent_entry_wins():
    r = one(claim(status=Status.DENIED, submitted=date(2026, 1, 8), remit_date=date(2026, 2, 1),
                  denial_codes=(DenialCode("CO", "16", ("N290", "MA130")),)))
    assert r.next_action == "Filing deadline passed 2026-04-05 - Submit a NEW claim"


def test_corrected_claim_for_a_hospital_stay_counts_from_the_through_date():
    r = one(claim(claim_type=ClaimType.INSTITUTIONAL, dos_from=date(2026, 10, 1), dos_through=date(2026, 10, 31),
                  status=Status.DENIED, submitted=date(2026, 11, 2), accepted=date(2026, 11, 2),
                  remit_date=date(2026, 11, 15), denial_codes=(DenialCode("CO", "16"),)))
    assert r.tf_deadline == date(2026, 10, 31) + timedelta(days=90)


def test_paid_status_without_a_posted_payment_asks_to_post_it_not_to_dispute():
    r = one(claim(status=Status.PAID, submitted=date(2026, 10, 1), expected=160.0))
    assert r.category == "post_payment" and r.underpaid == 0.0
    assert r.next_action.startswith("Post the payment")


# --- several denial codes, underpayments -------------------------------------------------------

@pytest.mark.parametrize("codes", [("16", "50"), ("50", "16")])
def test_several_codes_give_the_same_answer_whatever_their_order(codes):
    # CO-16 (correct and resubmit) and CO-50 (appeal) are equally urgent: the claim needs both the
    # corrected-claim deadline and the appeal deadline, whichever was typed first.
    r = one(claim(status=Status.DENIED, dos_from=date(2026, 9, 1), submitted=date(2026, 9, 3),
                  accepted=date(2026, 9, 3), remit_date=date(2026, 10, 20),
                  denial_codes=tuple(DenialCode("CO", c) for c in codes)))
    assert r.category == "correct_resubmit"  # equal urgency: the lower code leads
    assert r.appeal_deadline == date(2027, 4, 18)  # from CO-50
    assert r.tf_risk is not Risk.MET and r.tf_deadline is not None  # from CO-16


def test_a_contractual_only_denial_with_nothing_paid_against_an_expected_amount_is_an_underpayment():
    r = one(claim(status=Status.DENIED, dos_from=date(2026, 9, 1), submitted=date(2026, 9, 3), billed=150.0,
                  expected=100.0, remit_date=date(2026, 10, 20), denial_codes=(DenialCode("CO", "45"),)))
    assert (r.category, r.underpaid, r.at_stake) == ("underpayment", 100.0, 100.0)
    assert r.next_action == "Dispute the underpayment of $100.00 with Acme Health"


def test_a_contractual_only_denial_without_an_expected_amount_needs_nothing():
    r = one(claim(status=Status.DENIED, dos_from=date(2026, 9, 1), submitted=date(2026, 9, 3), billed=150.0,
                  remit_date=date(2026, 10, 20), denial_codes=(DenialCode("CO", "45"),)))
    assert (r.category, r.underpaid, r.is_open) == ("none", 0.0, False)


def test_a_passed_appeal_deadline_is_said_first_in_the_action_and_the_why():
    r = one(claim(status=Status.DENIED, dos_from=date(2026, 1, 5), submitted=date(2026, 1, 8),
                  accepted=date(2026, 1, 8), remit_date=date(2026, 3, 2), denial_codes=(DenialCode("CO", "50"),)))
    assert (r.appeal_deadline, r.appeal_days_left) == (date(2026, 8, 29), -86)
    assert r.next_action == "Appeal deadline passed 2026-08-29 - Appeal with medical records"
    assert ("The appeal deadline was 2026-08-29 (remittance 2026-03-02 + 180 days) and has passed: "
            "appeal only with good cause, otherwise write the amount off.") in r.why
    assert "(remittance 2026-03-02 + 180 days; Appeal source)" in r.details  # the source: explain only


def test_a_passed_corrected_claim_deadline_points_to_the_appeal_still_open():
    # CO-97 (bundling): correct and resubmit, or appeal. The corrected claim is too late; the appeal is not.
    r = one(claim(status=Status.DENIED, dos_from=date(2026, 6, 1), submitted=date(2026, 6, 3),
                  accepted=date(2026, 6, 3), remit_date=date(2026, 7, 20), denial_codes=(DenialCode("CO", "97"),)))
    assert (r.tf_risk, r.appeal_deadline) == (Risk.EXPIRED, date(2027, 1, 16))
    assert r.next_action == "Filing deadline passed 2026-08-30, appeal by 2027-01-16 - Check NCCI edits"


@pytest.mark.parametrize("codes", [(DenialCode("CO", "29"), DenialCode("CO", "50")),
                                   (DenialCode("CO", "16", ("MA130",)), DenialCode("CO", "50"))])
def test_no_appeal_deadline_when_a_code_bars_appeals_on_the_claim(codes):
    # A timely-filing denial at a payer that allows no appeal of those, or MA130 (a new claim, no appeal rights).
    r = one(claim(status=Status.DENIED, dos_from=date(2026, 9, 1), submitted=date(2026, 9, 3),
                  remit_date=date(2026, 10, 20), denial_codes=codes), rules(payer(tf_appealable=False)))
    assert r.appeal_deadline is None and "Appeal by" not in r.why


def test_a_reduction_check_with_nothing_underpaid_moves_on_to_the_patient_balance():
    kw = dict(status=Status.PARTIALLY_PAID, dos_from=date(2026, 9, 1), submitted=date(2026, 9, 3), billed=400.0,
              paid=260.0, patient_resp=40.0, remit_date=date(2026, 11, 2),
              denial_codes=(DenialCode("CO", "59"), DenialCode("PR", "2")))
    r = one(claim(expected=300.0, **kw))
    assert (r.category, r.next_action, r.at_stake) == ("bill_patient", "Bill the patient $40.00", 40.0)
    unknown = one(claim(**kw))  # no Expected amount: the reduction itself still needs checking
    assert unknown.next_action == "Check the multiple-procedure reduction"


def test_paper_claims_are_escalated_fifteen_days_later_than_electronic_ones():
    kw = dict(status=Status.PENDING, dos_from=AS_OF - timedelta(days=40), submitted=AS_OF - timedelta(days=35),
              accepted=AS_OF - timedelta(days=35))
    assert one(claim(channel=Channel.ELECTRONIC, **kw)).category == "escalate"  # past the usual 30 days
    paper = one(claim(channel=Channel.PAPER, **kw))
    assert paper.category == "status_check" and paper.follow_up == AS_OF - timedelta(days=5)  # 30-day paper check
    later = one(claim(channel=Channel.PAPER, **{**kw, "submitted": AS_OF - timedelta(days=46)}))
    assert later.category == "escalate" and "the usual 45 days after paper submission" in later.why


def test_records_sent_after_the_due_date_become_a_check_that_the_payer_has_them():
    r = one(claim(status=Status.DOCS_REQUESTED, submitted=date(2026, 9, 3), docs_due=AS_OF - timedelta(days=13),
                  last_contact=AS_OF - timedelta(days=11)))
    assert r.next_action == "Check Acme Health received the records (then set Status back to Pending)"
    assert (r.follow_up, r.days_overdue) == (AS_OF + timedelta(days=3), 0)


def test_an_underpayment_dispute_waits_for_the_recheck_after_a_logged_contact():
    r = one(claim(status=Status.PAID, dos_from=date(2026, 9, 1), submitted=date(2026, 9, 3), billed=400.0,
                  expected=300.0, paid=200.0, remit_date=AS_OF - timedelta(days=60),
                  last_contact=AS_OF - timedelta(days=2)))
    assert r.category == "underpayment" and r.follow_up == AS_OF + timedelta(days=12)
    assert f"last contact {AS_OF - timedelta(days=2)} + 14 days" in r.why


# --- priority and data issues ---------------------------------------------------------------------

def test_close_deadline_outranks_no_deadline_for_similar_dollars():
    near = claim(claim_id="NEAR", status=Status.NOT_SUBMITTED, dos_from=AS_OF - timedelta(days=75), billed=500.0)
    far = claim(claim_id="FAR", status=Status.PENDING, dos_from=AS_OF - timedelta(days=10),
                submitted=AS_OF - timedelta(days=9), accepted=AS_OF - timedelta(days=9), billed=520.0,
                last_contact=AS_OF - timedelta(days=20))
    ev = evaluate([far, near], rules(), AS_OF)
    by_id = {r.claim_id: r for r in ev.results}
    assert by_id["NEAR"].tf_days_left == 15
    assert by_id["NEAR"].priority == 1 and by_id["FAR"].priority == 2


def test_a_deadline_still_ahead_outranks_late_work_and_passed_deadlines_for_similar_dollars():
    # A: filing deadline in 15 days (not accepted yet). B: appeal deadline passed 20 days ago, long overdue.
    # C: no deadline at all, half as many dollars again, 80 days overdue.
    a = claim(claim_id="A", status=Status.SUBMITTED, dos_from=AS_OF - timedelta(days=75),
              submitted=AS_OF - timedelta(days=1), billed=1000.0)
    b = claim(claim_id="B", status=Status.DENIED, dos_from=AS_OF - timedelta(days=260),
              submitted=AS_OF - timedelta(days=255), accepted=AS_OF - timedelta(days=255),
              remit_date=AS_OF - timedelta(days=200), denial_codes=(DenialCode("CO", "50"),), billed=1000.0)
    c = claim(claim_id="C", status=Status.PENDING, dos_from=AS_OF - timedelta(days=95),
              submitted=AS_OF - timedelta(days=94), accepted=AS_OF - timedelta(days=94), billed=1500.0)
    by_id = {r.claim_id: r for r in evaluate([c, b, a], rules(), AS_OF).results}
    assert by_id["A"].tf_days_left == 15 and by_id["B"].appeal_days_left == -20 and by_id["C"].days_overdue >= 60
    assert by_id["A"].priority == 1


def test_ties_on_score_go_to_the_earlier_due_date_then_the_claim_id():
    # Same dollars, nothing overdue and no deadline near: the same score. Then the due date decides
    # (B and C: first status check 14 days after submission; A: last contact + 14 days), then the ID.
    same = dict(status=Status.PENDING, dos_from=AS_OF - timedelta(days=11), submitted=AS_OF - timedelta(days=10),
                billed=300.0)
    a = claim(claim_id="A", last_contact=AS_OF - timedelta(days=1), **same)
    b, c = claim(claim_id="B", **same), claim(claim_id="C", **same)
    done = claim(claim_id="D", status=Status.CLOSED, dos_from=AS_OF - timedelta(days=20))
    by_id = {r.claim_id: r for r in evaluate([done, c, a, b], rules(), AS_OF).results}
    assert by_id["A"].score == by_id["B"].score == by_id["C"].score
    assert (by_id["B"].follow_up, by_id["A"].follow_up) == (AS_OF + timedelta(days=4), AS_OF + timedelta(days=13))
    assert [by_id[k].priority for k in "BCAD"] == [1, 2, 3, 0]


def test_ranks_break_ties_by_due_date_with_no_date_last_then_claim_id():
    d1, d2 = date(2026, 11, 1), date(2026, 11, 2)
    got = ranks([True, True, True, True, False, True], [2.0, 2.0, 2.0, 2.0, 9.0, 1.0],
                [None, d2, d1, d1, d1, d1], ["a", "b", "d", "c", "e", "f"])
    assert got == [4, 3, 2, 1, 0, 5]


def test_duplicate_and_missing_ids_unknown_payer_and_bad_amounts_are_flagged_not_fatal():
    ev = evaluate(
        [claim(claim_id="X"), claim(claim_id="X"), claim(claim_id="", payer="Acme Healht Plan"),
         claim(claim_id="Y", payer="Zzyzx Mutual", billed=-5.0, paid=10.0)],
        rules(), AS_OF)
    a, b, c, d = ev.results
    assert any("appears more than once" in i for i in a.data_issues) and b.data_issues == a.data_issues
    assert any("Claim ID is missing" in i for i in c.data_issues)
    assert any("not in the rules" in i for i in d.data_issues) and d.payer_key == "default"
    assert any("Billed is negative" in i for i in d.data_issues)
    assert all(r.next_action for r in ev.results)


def test_unknown_payer_suggests_a_close_name():
    r = one(claim(payer="Akme Health"))
    assert "Did you mean 'Acme Health'?" in " ".join(r.data_issues)


def test_results_keep_input_order_and_are_deterministic():
    claims = [claim(claim_id=f"C{i}", billed=100.0 + i, dos_from=AS_OF - timedelta(days=i * 7)) for i in range(30)]
    a = evaluate(claims, rules(), AS_OF)
    b = evaluate(list(reversed(claims)), rules(), AS_OF)
    assert [r.claim_id for r in a.results] == [c.claim_id for c in claims]
    assert {r.claim_id: r for r in a.results} == {r.claim_id: r for r in b.results}


def test_a_dos_the_table_could_not_read_is_reported_once():
    r = one(claim(dos_from=None, status=Status.NOT_SUBMITTED,
                  issues=("DOS '31/02/2026' is not a date — type it as MM/DD/YYYY",)))
    assert [i for i in r.data_issues if "DOS" in i] == ["DOS '31/02/2026' is not a date — type it as MM/DD/YYYY"]
    assert any("missing or not a date" in i for i in one(claim(dos_from=None)).data_issues)


# --- the result record ---------------------------------------------------------------------------

def test_every_result_field_holds_its_own_value():
    """The engine fills results by position (it is faster); this pins each value to its field name."""
    c = claim(claim_id="A1", status=Status.DENIED, dos_from=date(2026, 9, 1), submitted=date(2026, 9, 3),
              billed=250.0, denial_codes=(DenialCode("CO", "50"),), remit_date=date(2026, 10, 20))
    r = one(c)
    assert r._asdict() == {
        "claim_id": "A1", "payer_key": "acme", "payer_name": "Acme Health", "age": 83, "bucket": "61-90",
        "next_action": "Appeal with medical records", "category": "appeal", "follow_up": date(2026, 11, 3),
        "days_overdue": 20, "tf_deadline": date(2026, 11, 30), "tf_days_left": 7, "tf_risk": Risk.MET,
        "appeal_deadline": date(2027, 4, 18), "appeal_days_left": 146, "underpaid": 0.0, "at_stake": 250.0,
        "score": 3.933, "priority": 1,
        "why": "Denial CO-50 on remittance 2026-10-20, worked within 10 business days, due 2026-11-03, 20 days "
               "overdue. Appeal by 2027-04-18 (remittance 2026-10-20 + 180 days).",
        "data_issues": (), "is_open": True,
        "details": "Acme Health (payers/acme.yaml): denial CO-50 (denials.yaml:5) on remittance 2026-10-20, worked "
                   "within 10 business days -> due 2026-11-03, 20 days overdue. Appeal by 2027-04-18 (remittance "
                   "2026-10-20 + 180 days; Appeal source).",
    }
    assert assess(c, rules(), AS_OF) == r._replace(priority=0)  # one claim alone is not ranked


def test_the_full_reasoning_reads_like_its_text():
    """``details`` is written when first read (only explain shows it); until then and after, it is its text."""
    c = claim(claim_id="A1", status=Status.DENIED, dos_from=date(2026, 9, 1), submitted=date(2026, 9, 3),
              billed=250.0, denial_codes=(DenialCode("CO", "50"),), remit_date=date(2026, 10, 20))
    text = ("Acme Health (payers/acme.yaml): denial CO-50 (denials.yaml:5) on remittance 2026-10-20, worked within 10 "
            "business days -> due 2026-11-03, 20 days overdue. Appeal by 2027-04-18 (remittance 2026-10-20 + 180 days; "
            "Appeal source).")
    r, again = one(c), one(c)
    assert r.details == text and text == again.details and r.details == again.details and r == again
    assert str(r.details) == text and f"{r.details}" == text and repr(r.details) == repr(text)
    assert hash(r.details) == hash(text) and {text: 1}[r.details] == 1
    assert len(r.details) == len(text) and r.details.startswith("Acme Health (") and "Appeal source" in r.details
    assert r.details != r.why and r.details != "Acme Health" and sorted([text, r.details, "A"])[0] == "A"
    kept = pickle.loads(pickle.dumps(r))
    assert kept == r and type(kept.details) is str and kept.details == text
    assert ("Full reasoning and sources: Acme Health (payers/acme.yaml): denial CO-50 (denials.yaml:5) on remittance "
            "10/20/2026") in explain(c, r, "mdy")


def test_a_date_near_the_year_9999_is_flagged_not_fatal():
    # The table layer turns such cells into data issues; a script calling the API directly may not.
    bad = claim(claim_id="B", status=Status.DOCS_REQUESTED, submitted=date(2026, 1, 9), docs_due=date(9999, 12, 31),
                dos_from=date(9999, 12, 1))
    ev = evaluate([claim(claim_id="A"), bad], rules(), AS_OF)
    a, b = ev.results
    assert a.is_open and a.next_action and a.tf_deadline is not None  # the other claim is worked as usual
    assert (b.next_action, b.follow_up, b.is_open) == ("Check the dates on this claim", AS_OF, True)
    assert len(b) == len(b._fields) and "too far in the future" in b.data_issues[-1] and b.priority >= 1
    assert assess(bad, rules(), AS_OF).next_action == "Check the dates on this claim"
