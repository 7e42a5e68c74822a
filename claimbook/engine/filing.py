"""Timely filing: the last day the payer must *receive* the claim, and how much risk the claim is in.

Rules (``domain.md`` section 2):
- The limit counts from an anchor the payer chooses: the date of service, the through date of an
  institutional span claim, or, for secondary claims at payers that say so, the primary EOB date.
  Medicare does not re-anchor secondary claims.
- Month limits are calendar months clamped to month end; payers that roll move a weekend or holiday
  deadline to the next business day.
- Only an *accepted* submission counts as filed: a rejected claim is not filed and its clock keeps running.
  A remittance proves the payer had the claim by its date. Paper claims get no acceptance report: the
  payer's rule says whether the mailing record counts (UHC) or receipt does (Medicare; presumed a few
  mail days after mailing unless the received date is typed in Accepted). See ``filing_evidence``.
- A claim that needs a corrected claim is held to the payer's corrected-claim limit.
"""

from __future__ import annotations

from typing import NamedTuple
from datetime import date, timedelta

from claimbook.engine.dates import add_period, next_business_day
from claimbook.model import Channel, Claim, ClaimType, Network, Order, Risk, Status
from claimbook.rules.schema import Anchor, CorrectedClaim, PayerRules, Period, Settings, TimelyFiling, version_at

# Statuses at which the payer evidently has the claim (it was received and is in adjudication or done).
RECEIVED = frozenset(
    {
        Status.ACCEPTED,
        Status.PENDING,
        Status.DOCS_REQUESTED,
        Status.DENIED,
        Status.APPEALED,
        Status.PARTIALLY_PAID,
        Status.PAID,
    }
)


class Deadline(NamedTuple):
    """A timely-filing deadline and how it was reached, for the result and its "why"."""

    due: date
    anchor_name: str  # "date of service", "through date", ...
    anchor_date: date
    limit: Period
    rolled_from: date | None  # the unrolled deadline when it fell on a weekend/holiday
    source: str
    corrected: bool  # the corrected-claim limit applied
    note: str = ""  # e.g. why the anchor fell back to the date of service


def filing_deadline(claim: Claim, payer: PayerRules, holidays: frozenset[date], corrected: bool,
                    cache: dict | None = None) -> Deadline | None:
    """The deadline for this claim (a corrected claim's when ``corrected``), or None without a DOS.

    ``cache`` (a dict that lives as long as ``payer`` does) remembers deadlines by everything they
    depend on: claims share service dates, and a Deadline is immutable.
    """
    if claim.dos_from is None:
        return None
    if cache is None:
        return _filing_deadline(claim, payer, holidays, corrected)
    # Enum members hash in Python code; identity tests keep the key cheap.
    key = (id(payer), corrected, claim.network is Network.OUT, claim.order is Order.SECONDARY,
           claim.claim_type is ClaimType.INSTITUTIONAL, claim.dos_from, claim.dos_through, claim.primary_eob_date,
           claim.remit_date if corrected else None)
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = _filing_deadline(claim, payer, holidays, corrected)
    return hit


def _filing_deadline(claim: Claim, payer: PayerRules, holidays: frozenset[date], corrected: bool) -> Deadline:
    tf: TimelyFiling = version_at(payer.timely_filing, claim.dos_from)
    note = ""
    out_of_network = claim.network is Network.OUT
    limit = tf.out_of_network if out_of_network else tf.in_network
    # The claim's own anchor: the date of service, or the through date of an institutional stay.
    anchor = tf.institutional_anchor if claim.claim_type is ClaimType.INSTITUTIONAL else tf.anchor
    if claim.order is Order.SECONDARY and tf.secondary_anchor is Anchor.PRIMARY_EOB:
        if claim.primary_eob_date is not None:
            anchor = Anchor.PRIMARY_EOB
            limit = tf.secondary_limit or limit
        else:
            note = f"no primary EOB date yet, so counted from the {_said(anchor)}"
    anchor_date = _anchor_date(claim, anchor)
    source = tf.cited.source
    roll = tf.roll_to_business_day
    if corrected and payer.corrected_claim:
        cc: CorrectedClaim = version_at(payer.corrected_claim, claim.dos_from)
        limit = cc.out_of_network if out_of_network and cc.out_of_network else cc.limit
        source = cc.cited.source
        # "From the date of service" means from the claim's original filing anchor: the through date
        # of a hospital stay, or the primary EOB for a secondary claim where the payer counts from it.
        if cc.anchor is not Anchor.DOS:
            if cc.anchor is Anchor.REMIT and claim.remit_date is None:
                anchor, anchor_date = Anchor.DOS, claim.dos_from
            else:
                anchor, anchor_date = cc.anchor, _anchor_date(claim, cc.anchor)
    raw = add_period(anchor_date, limit)
    due = next_business_day(raw, holidays) if roll else raw
    return Deadline(due, _said(anchor), anchor_date, limit, raw if due != raw else None, source, corrected, note)


def _said(anchor: Anchor) -> str:
    """The anchor as the "why" says it ("primary EOB date", not the rules file's lower case)."""
    return anchor.value.replace("eob", "EOB")


def _anchor_date(claim: Claim, anchor: Anchor) -> date:
    if anchor is Anchor.THROUGH:
        return claim.dos_through or claim.dos_from  # type: ignore[return-value]
    if anchor is Anchor.PRIMARY_EOB:
        return claim.primary_eob_date or claim.dos_from  # type: ignore[return-value]
    if anchor is Anchor.REMIT:
        return claim.remit_date or claim.dos_from  # type: ignore[return-value]
    return claim.dos_from  # type: ignore[return-value]


def filing_evidence(claim: Claim, tf: TimelyFiling) -> tuple[date, str] | None:
    """When the payer received the claim and the evidence ("accepted", "received", "mailed", "presumed
    received", "submitted" or "remittance"), or None if nothing shows it was filed.

    Rejected claims were never filed. An accepted (received) date is the evidence when typed. Otherwise
    the earliest of: the mailing record of a paper claim (the payer's rule: the mailing date itself, or
    receipt presumed ``paper_mail_days`` later), the submission date where the status shows the payer
    has an electronic claim, and the remittance date (a payer that paid or denied it had received it).
    The status word never decides a paper claim: paper claims never get an acceptance report.
    """
    if claim.status is Status.REJECTED or claim.status is Status.NOT_SUBMITTED:
        return None
    paper = claim.channel is Channel.PAPER
    if claim.accepted is not None:
        return claim.accepted, ("received" if paper else "accepted")
    found: list[tuple[date, str]] = []
    if claim.submitted is not None:
        if paper and tf.paper_filed == "mailed":
            found.append((claim.submitted, "mailed"))
        elif paper:
            found.append((claim.submitted + timedelta(days=tf.paper_mail_days), "presumed received"))
        elif claim.status in RECEIVED:
            found.append((claim.submitted, "submitted"))
    if claim.remit_date is not None:
        found.append((claim.remit_date, "remittance"))
    return min(found, key=lambda x: x[0]) if found else None


def filed_on(claim: Claim, tf: TimelyFiling | None = None) -> date | None:
    """When the payer received the claim (see ``filing_evidence``), or None if it has not been filed."""
    got = filing_evidence(claim, tf or _DEFAULT_TF)
    return got[0] if got else None


_DEFAULT_TF = TimelyFiling(Period(days=0), Period(days=0), cited=None)  # type: ignore[arg-type]


def filing_risk(days_left: int, met: bool, settings: Settings) -> Risk:
    """Met when filed in time and nothing needs a new claim; else by days left to the deadline."""
    if met:
        return Risk.MET
    if days_left < 0:
        return Risk.EXPIRED
    if days_left <= settings.risk_critical_days:
        return Risk.CRITICAL
    if days_left <= settings.risk_high_days:
        return Risk.HIGH
    if days_left <= settings.risk_watch_days:
        return Risk.WATCH
    return Risk.OK
