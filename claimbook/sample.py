"""A deterministic sample of claims for the demo, the tests and the benchmarks.

The same ``as_of`` and ``n`` always give the same claims: dates are laid out relative to ``as_of`` so
the demo looks current on any day, and every status, the shipped payers and the main denial
categories appear. Names are invented; no real patient data.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from claimbook.model import Channel, Claim, ClaimType, DenialCode, Network, Order, Status

# (name as a practice system writes it, payer ID, weight)
PAYERS = (
    ("Medicare", "12502", 18),
    ("Humana Medicare Advantage", "", 6),
    ("Texas Medicaid", "", 4),
    ("NY Medicaid", "", 4),
    ("Medi-Cal", "", 4),
    ("UnitedHealthcare", "87726", 14),
    ("Aetna", "60054", 10),
    ("Cigna", "62308", 8),
    ("Cigna Medicare Advantage", "", 3),
    ("Humana", "61101", 6),
    ("Anthem Blue Cross", "", 8),
    ("BCBS Illinois", "", 5),
    ("TRICARE East", "", 4),
    ("Acme Health Plan", "", 3),  # not in the rules: falls back to the default rules
)

STATUS_WEIGHTS = (
    (Status.NOT_SUBMITTED, 5),
    (Status.SUBMITTED, 6),
    (Status.ACCEPTED, 10),
    (Status.PENDING, 14),
    (Status.REJECTED, 5),
    (Status.DOCS_REQUESTED, 5),
    (Status.DENIED, 16),
    (Status.APPEALED, 6),
    (Status.PARTIALLY_PAID, 10),
    (Status.PAID, 17),
    (Status.CLOSED, 6),
)

# Typical age range (days since service) of a claim at each status in a working practice.
AGE_RANGE = {
    Status.NOT_SUBMITTED: (1, 30),
    Status.SUBMITTED: (3, 25),
    Status.REJECTED: (5, 70),
    Status.ACCEPTED: (8, 60),
    Status.PENDING: (20, 160),
    Status.DOCS_REQUESTED: (30, 120),
    Status.DENIED: (30, 150),
    Status.APPEALED: (60, 300),
    Status.PARTIALLY_PAID: (30, 200),
    Status.PAID: (20, 400),
    Status.CLOSED: (30, 420),
}

DENIALS = (
    ("CO-50",),
    ("CO-16 N290",),
    ("CO-29",),
    ("CO-197",),
    ("CO-97",),
    ("CO-22",),
    ("OA-18",),
    ("CO-252",),
    ("CO-11",),
    ("CO-27",),
    ("CO-45", "CO-50"),
)
MEDICARE_ONLY = (("CO-16 MA130",), ("CO-29",), ("CO-50",))

FIRST = ("Maria", "James", "Linda", "Robert", "Patricia", "Michael", "Jennifer", "David", "Elizabeth", "Jose",
         "Susan", "Thomas", "Karen", "Daniel", "Nancy", "Wei", "Aisha", "Carlos", "Olga", "Tran")
LAST = ("Garcia", "Smith", "Johnson", "Nguyen", "Brown", "Lopez", "Patel", "Miller", "Davis", "Kim",
        "Wilson", "Martinez", "Anderson", "Taylor", "Moore", "Jackson", "Lee", "Clark", "Lewis", "Young")


def parse_codes(text: str) -> tuple[DenialCode, ...]:
    """``"CO-16 MA130"`` -> ``(DenialCode("CO", "16", ("MA130",)),)`` for the sample's own codes."""
    head, *rarcs = text.split()
    group, carc = head.split("-")
    return (DenialCode(group, carc, tuple(rarcs)),)


def sample_claims(as_of: date, n: int = 300, seed: int = 20261123) -> list[Claim]:
    """``n`` claims with service dates up to about 14 months before ``as_of``."""
    rng = random.Random(seed)
    payers = [p for p in PAYERS for _ in range(p[2])]
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
    claims = []
    for i in range(n):
        name, payer_id, _ = payers[rng.randrange(len(payers))]
        # Make sure every status shows up early on, then draw by weight.
        status = STATUS_WEIGHTS[i][0] if i < len(STATUS_WEIGHTS) else statuses[rng.randrange(len(statuses))]
        claims.append(_claim(rng, i, name, payer_id, status, as_of))
    return claims


def _claim(rng: random.Random, i: int, payer: str, payer_id: str, status: Status, as_of: date) -> Claim:
    institutional = rng.random() < 0.12
    lo, hi = AGE_RANGE[status]
    age = int(rng.triangular(lo, hi, lo + (hi - lo) / 4))
    if status is Status.NOT_SUBMITTED and rng.random() < 0.1:
        age = rng.randint(60, 110)  # the forgotten ones the demo should surface
    dos = as_of - timedelta(days=age)
    through = dos + timedelta(days=rng.randint(1, 6)) if institutional else None
    billed = round(rng.choice((95, 145, 180, 240, 310, 450, 820, 1250, 2400, 6800)) * rng.uniform(0.9, 1.2), 2)
    if institutional:
        billed = round(billed * 6, 2)
    expected = round(billed * rng.uniform(0.45, 0.8), 2)
    kw: dict = dict(
        claim_id=f"C{26000 + i:05d}",
        patient=f"{LAST[rng.randrange(len(LAST))]}, {FIRST[rng.randrange(len(FIRST))]}",
        payer=payer,
        payer_id=payer_id,
        network=Network.OUT if rng.random() < 0.08 else Network.IN,
        claim_type=ClaimType.INSTITUTIONAL if institutional else ClaimType.PROFESSIONAL,
        channel=Channel.PAPER if rng.random() < 0.1 else Channel.ELECTRONIC,
        order=Order.SECONDARY if rng.random() < 0.08 else Order.PRIMARY,
        dos_from=dos,
        dos_through=through,
        billed=billed,
        expected=expected,
        status=status,
    )
    end = through or dos
    if kw["order"] is Order.SECONDARY:
        kw["primary_eob_date"] = min(as_of, end + timedelta(days=rng.randint(20, 60)))
    if status is Status.NOT_SUBMITTED:
        return Claim(**kw)
    submitted = min(as_of, end + timedelta(days=rng.randint(1, 6 if status is Status.SUBMITTED else 15)))
    kw["submitted"] = submitted
    if status is Status.SUBMITTED:
        return Claim(**kw)
    if status is Status.REJECTED:
        return Claim(**kw, notes="277CA A7: invalid member ID")
    kw["accepted"] = min(as_of, submitted + timedelta(days=rng.randint(0, 2)))
    since = (as_of - submitted).days
    if rng.random() < 0.5 and since > 20:
        kw["last_contact"] = submitted + timedelta(days=rng.randint(14, since))
    if status in (Status.ACCEPTED, Status.PENDING):
        return Claim(**kw)
    if status is Status.DOCS_REQUESTED:
        return Claim(**kw, docs_due=as_of + timedelta(days=rng.randint(-5, 25)), notes="Records requested by letter")
    remit = min(as_of, submitted + timedelta(days=rng.randint(14, 45)))
    kw["remit_date"] = remit
    if status in (Status.DENIED, Status.APPEALED):
        pool = DENIALS + (MEDICARE_ONLY if payer == "Medicare" else ())
        codes = rng.choice(pool)
        denial = tuple(c for text in codes for c in parse_codes(text))
        if status is Status.APPEALED:
            denial = parse_codes("CO-50")
            kw["appeal_filed"] = min(as_of, remit + timedelta(days=rng.randint(5, 40)))
        return Claim(**kw, denial_codes=denial, paid=0.0)
    coins = round(expected * 0.2, 2) if rng.random() < 0.6 else 0.0
    if status is Status.PARTIALLY_PAID:
        short = rng.random() < 0.6
        paid = round((expected - coins) * (rng.uniform(0.6, 0.9) if short else 1.0), 2)
        codes = parse_codes("CO-45") + (parse_codes("PR-2") if coins else ())
        if not short:
            codes += parse_codes(rng.choice(("CO-97", "CO-16 N290", "CO-50")))
        return Claim(**kw, paid=paid, patient_resp=coins, denial_codes=codes)
    paid = round(expected - coins, 2)
    if rng.random() < 0.15:
        paid = round(paid - rng.uniform(5, 40), 2)  # quietly short-paid
    codes = parse_codes("CO-45") + (parse_codes("PR-2") if coins else ())
    if coins and (as_of - remit).days > 20 and rng.random() < 0.7:
        kw["last_contact"] = remit + timedelta(days=rng.randint(3, 20))  # first statement sent
    if status is Status.CLOSED:
        return Claim(**kw, paid=paid, patient_resp=coins, denial_codes=codes, notes="Closed after patient paid")
    return Claim(**kw, paid=paid, patient_resp=coins, denial_codes=codes)
