"""Invariants of the engine, checked on generated claims (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings, strategies as st

from claimbook.engine import aging_bucket, evaluate
from claimbook.model import Channel, ClaimType, DenialCode, Network, Order, Risk, Status
from claimbook.rules.schema import Period, Settings
from tests.engine_rules import claim, payer, rules

AS_OF = date(2026, 11, 23)
RULES = rules(payer(limit=Period(months=12), roll=True), holidays=frozenset({date(2026, 12, 25), date(2027, 1, 1)}))

dates = st.dates(min_value=date(2023, 1, 1), max_value=AS_OF)
money = st.floats(min_value=0, max_value=50_000, allow_nan=False).map(lambda x: round(x, 2))
codes = st.lists(st.sampled_from([DenialCode("CO", "50"), DenialCode("CO", "16", ("MA130",)), DenialCode("OA", "18"),
                                  DenialCode("CO", "45"), DenialCode("PR", "2"), DenialCode("CO", "999")]), max_size=3)


@st.composite
def claims(draw):
    dos = draw(dates)
    submitted = draw(st.none() | st.dates(min_value=dos, max_value=AS_OF))
    return claim(
        claim_id=draw(st.text("ABC123", min_size=1, max_size=4)),
        dos_from=dos,
        dos_through=draw(st.none() | st.just(dos + timedelta(days=3))),
        claim_type=draw(st.sampled_from(list(ClaimType))),
        channel=draw(st.sampled_from(list(Channel))),
        network=draw(st.sampled_from(list(Network))),
        order=draw(st.sampled_from(list(Order))),
        status=draw(st.sampled_from(list(Status))),
        submitted=submitted,
        accepted=submitted if submitted and draw(st.booleans()) else None,
        remit_date=draw(st.none() | dates),
        last_contact=draw(st.none() | dates),
        docs_due=draw(st.none() | dates),
        appeal_filed=draw(st.none() | dates),
        billed=draw(money),
        expected=draw(st.none() | money),
        paid=draw(money),
        patient_resp=draw(money),
        denial_codes=tuple(draw(codes)),
    )


@given(st.integers(min_value=0, max_value=10_000))
def test_buckets_partition_the_ages(age):
    s = Settings()
    labels = s.bucket_labels()
    bucket = aging_bucket(age, s)
    assert bucket in labels
    lo, _, hi = bucket.partition("-")
    lo = int(lo.rstrip("+"))
    assert age >= lo and (not hi or age <= int(hi))
    # Buckets never go backwards as the age grows.
    assert labels.index(aging_bucket(age + 1, s)) >= labels.index(bucket)


@given(dates, st.integers(min_value=1, max_value=400), st.sampled_from(list(ClaimType)))
def test_deadline_never_moves_earlier_when_dos_moves_later(dos, shift, kind):
    a = evaluate([claim(dos_from=dos, claim_type=kind, status=Status.NOT_SUBMITTED)], RULES, AS_OF).results[0]
    later = dos + timedelta(days=shift)
    b = evaluate([claim(dos_from=later, claim_type=kind, status=Status.NOT_SUBMITTED)], RULES, AS_OF).results[0]
    assert b.tf_deadline >= a.tf_deadline


@settings(max_examples=300)
@given(claims())
def test_open_claim_always_has_a_next_action_and_a_date(c):
    r = evaluate([c], RULES, AS_OF).results[0]
    assert r.next_action
    if r.is_open:
        assert r.follow_up is not None and r.priority >= 1
        assert r.days_overdue == max(0, (AS_OF - r.follow_up).days)
    else:
        assert r.follow_up is None and r.priority == 0
    if r.tf_risk is Risk.MET:
        assert r.tf_deadline is not None


@settings(max_examples=50)
@given(st.lists(claims(), max_size=25))
def test_evaluation_is_deterministic_and_ranks_are_a_permutation(cs):
    a = evaluate(cs, RULES, AS_OF)
    b = evaluate(list(cs), RULES, AS_OF)
    assert a == b
    ranks = sorted(r.priority for r in a.results if r.priority)
    assert ranks == list(range(1, len(ranks) + 1))


@settings(max_examples=200)
@given(claims(), st.randoms(use_true_random=False))
def test_the_order_denial_codes_were_typed_in_never_changes_the_result(c, rnd):
    shuffled = list(c.denial_codes)
    rnd.shuffle(shuffled)
    a = evaluate([c], RULES, AS_OF).results[0]
    b = evaluate([replace(c, denial_codes=tuple(shuffled))], RULES, AS_OF).results[0]
    assert a == b


@settings(max_examples=50)
@given(st.lists(claims(), max_size=25, unique_by=lambda c: c.claim_id), st.randoms(use_true_random=False))
def test_a_claims_result_does_not_depend_on_the_order_of_the_claims(cs, rnd):
    # (Copies of one Claim ID that tie on everything keep their sheet order: IDs are unique here.)
    shuffled = list(cs)
    rnd.shuffle(shuffled)
    a = evaluate(cs, RULES, AS_OF).results
    b = {r.claim_id: r for r in evaluate(shuffled, RULES, AS_OF).results}
    assert [b[c.claim_id] for c in cs] == list(a)
