"""Inline rules for engine unit tests: small, explicit, independent of the shipped rules files.

``payer(...)`` builds a PayerRules with every number visible in the test that uses it.
"""

from __future__ import annotations

from datetime import date

from claimbook.model import Claim, Status
from claimbook.rules.schema import (
    Anchor,
    Appeal,
    Cited,
    Contact,
    CorrectedClaim,
    DenialRule,
    Denials,
    FollowUp,
    PayerRules,
    Period,
    Rules,
    Settings,
    TimelyFiling,
    Underpayment,
)

SINCE = date(2000, 1, 1)


def cited(source: str = "test source", file: str = "payers/test.yaml", line: int = 1) -> Cited:
    return Cited(source=source, effective_from=SINCE, file=file, line=line)


def payer(
    key: str = "acme",
    name: str = "Acme Health",
    names: tuple[str, ...] = ("acme health", "acme*"),
    payer_ids: tuple[str, ...] = (),
    limit: Period = Period(days=90),
    out_limit: Period | None = None,
    roll: bool = False,
    secondary_anchor: Anchor = Anchor.DOS,
    secondary_limit: Period | None = None,
    first_e: int = 14,
    first_p: int = 30,
    recheck: int = 14,
    adjudication: int = 30,
    appeal_window: Period = Period(days=180),
    presumption: int = 0,
    appeal_recheck: int = 30,
    tf_appealable: bool = True,
    tolerance: float = 1.0,
    tolerance_pct: float = 0.0,
    corrected: Period = Period(days=90),
    corrected_anchor: Anchor = Anchor.DOS,
    extra_tf: tuple[TimelyFiling, ...] = (),
) -> PayerRules:
    file = f"payers/{key}.yaml"
    tf = TimelyFiling(
        in_network=limit,
        out_of_network=out_limit or limit,
        cited=cited("TF source", file, 10),
        secondary_anchor=secondary_anchor,
        secondary_limit=secondary_limit,
        roll_to_business_day=roll,
    )
    return PayerRules(
        key=key,
        file=file,
        name=name,
        names=names,
        payer_ids=payer_ids,
        timely_filing=(tf, *extra_tf),
        corrected_claim=(CorrectedClaim(corrected, cited("CC source", file, 20), corrected_anchor),),
        follow_up=(FollowUp(first_e, first_p, recheck, adjudication, cited("FU source", file, 30)),),
        appeal=(Appeal(appeal_window, cited("Appeal source", file, 40), presumption, appeal_recheck, tf_appealable),),
        underpayment=(Underpayment(tolerance, tolerance_pct, cited("UP source", file, 50)),),
        contact=Contact(portal="Acme portal", phone="the number on the card"),
    )


DENIALS = Denials(
    by_code={
        "CO-50": DenialRule("CO-50", "appeal", "Appeal with medical records", True, line=5, priority=4),
        "CO-16": DenialRule("CO-16", "correct_resubmit", "Correct and resubmit", False, line=6, priority=4),
        "CO-16 MA130": DenialRule("CO-16 MA130", "correct_resubmit", "Submit a NEW claim", False, line=7, priority=5),
        "CO-29": DenialRule("CO-29", "timely_filing", "Find proof of timely filing", True, line=8, priority=5),
        "18": DenialRule("18", "status_check", "Check the status of the original claim", False, line=9, priority=2),
        "CO-45": DenialRule("CO-45", "no_action", "Contractual adjustment", False, line=10, priority=1),
        "PR-2": DenialRule("PR-2", "patient_resp", "Bill the patient", False, line=11, priority=2),
        "CO-97": DenialRule("CO-97", "bundling", "Check NCCI edits", True, line=12, priority=3),
        "CO-59": DenialRule("CO-59", "underpayment_check", "Check the multiple-procedure reduction", False, line=13,
                            priority=2),
    },
    fallback=DenialRule("unknown", "review", "Look up the code", False, line=2, priority=3),
)


def rules(*payers: PayerRules, settings: Settings = Settings(), holidays: frozenset[date] = frozenset()) -> Rules:
    payers = payers or (payer(),)
    default = payer(key="default", name="Other payer", names=())
    return Rules(settings=settings, payers=tuple(payers), default=default, denials=DENIALS, holidays=holidays)


def claim(**kw) -> Claim:
    base = dict(claim_id="A1", payer="Acme Health", dos_from=date(2026, 1, 5), billed=200.0)
    base.update(kw)
    if "status" not in kw:
        base["status"] = Status.PENDING
    return Claim(**base)
