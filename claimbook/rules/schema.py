"""Typed payer rules: what the loader hands the engine (never raw YAML dicts).

Each rules section (timely filing, corrected claims, follow-up, appeal, underpayment) may have several
*versions*, each with its own ``effective_from`` and ``source``; the engine uses the newest version that
was in force on the claim's date of service (``version_at``). Every record remembers the file and line
it came from so a result's "why" can cite it.

No I/O here: ``claimbook.rules.loader`` reads files and builds these records.
"""

from __future__ import annotations

import fnmatch
from functools import lru_cache
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from typing import Sequence, TypeVar

from claimbook.planning import Pace


class Anchor(str, Enum):
    """The date a timely-filing (or corrected-claim) limit counts from."""

    DOS = "date of service"  # the From date of the service (line From date on professional claims)
    THROUGH = "through date"  # the Through/discharge date of an institutional span claim
    PRIMARY_EOB = "primary eob date"  # secondary claims: the date on the primary payer's EOB
    REMIT = "remittance date"  # corrected claims counted from the original's remittance/denial


class AgingBasis(str, Enum):
    DOS = "date of service"
    SUBMITTED = "submission date"


@dataclass(frozen=True, slots=True)
class Period:
    """A length of time as written in a rules file: ``90 days``, ``12 months``, ``1 year``, or
    ``6 months after the month of service`` (Medi-Cal: to the end of the 6th month after the month)."""

    days: int = 0
    months: int = 0
    month_end: bool = False  # "N months after the month of service": deadline is that month's last day

    def __str__(self) -> str:
        if self.month_end:
            return f"{self.months} months after the month of service"
        if self.months:
            if self.months % 12 == 0:
                years = self.months // 12
                return f"{years} year" if years == 1 else f"{years} years"
            return f"{self.months} months"
        return f"{self.days} days"


@dataclass(frozen=True, slots=True)
class Cited:
    """Where a rule version comes from: the payer's document and the rules file line."""

    source: str  # e.g. "42 CFR 424.44; CMS IOM 100-04 Ch.1 s70"
    effective_from: date
    file: str = ""  # rules-relative path, e.g. "payers/medicare.yaml"
    line: int | None = None  # line of the section in that file
    contested: bool = False  # sources disagree; see note
    note: str = ""


@dataclass(frozen=True, slots=True)
class TimelyFiling:
    in_network: Period
    out_of_network: Period
    cited: Cited
    anchor: Anchor = Anchor.DOS  # professional claims
    institutional_anchor: Anchor = Anchor.THROUGH
    secondary_anchor: Anchor = Anchor.DOS  # Anchor.PRIMARY_EOB where the payer re-anchors secondaries
    secondary_limit: Period | None = None  # None: same limit as a primary claim
    roll_to_business_day: bool = False  # a weekend/holiday deadline moves to the next business day
    # Paper claims get no acceptance report. "mailed": the payer takes the mailing record (the Submitted
    # date) as the filing date (UHC). "received": it counts receipt (Medicare), presumed
    # ``paper_mail_days`` after mailing unless the Accepted (received) date is entered.
    paper_filed: str = "received"
    paper_mail_days: int = 5


@dataclass(frozen=True, slots=True)
class CorrectedClaim:
    limit: Period
    cited: Cited
    anchor: Anchor = Anchor.DOS  # DOS: the claim's original filing anchor (through date, primary EOB...)
    out_of_network: Period | None = None  # when out-of-network claims have a longer limit


@dataclass(frozen=True, slots=True)
class FollowUp:
    first_check_electronic: int  # days after submission
    first_check_paper: int
    recheck_every: int  # days after the last contact
    expected_adjudication: int  # days after submission before escalating
    cited: Cited


@dataclass(frozen=True, slots=True)
class Appeal:
    window: Period  # counted from the remittance (notice) date, after the receipt presumption
    cited: Cited
    receipt_presumption: int = 0  # Medicare presumes receipt 5 days after the notice date
    recheck_every: int = 30  # days after the appeal was filed before checking its status
    timely_filing_denials_appealable: bool = True  # Medicare: no (42 CFR 424.44)
    # Payers with reopenings (Medicare): the window counted from the initial determination (the
    # remittance date), used where the remedy the action names is a reopening (42 CFR 405.980(b)).
    reopening_window: Period | None = None
    reopening_source: str = ""


@dataclass(frozen=True, slots=True)
class Underpayment:
    tolerance_amount: float  # dollars below expected that are ignored
    tolerance_percent: float  # percent of expected that is ignored; the larger tolerance wins
    cited: Cited
    # Overpayments beyond the tolerance: where the law sets a deadline to report and return them
    # (Medicare and Medicaid: 60 days from identification), that window; None: review and refund per contract.
    refund_within: Period | None = None
    refund_source: str = ""


@dataclass(frozen=True, slots=True)
class Contact:
    portal: str = ""
    phone: str = ""
    fax: str = ""
    notes: str = ""

    def how(self) -> str:
        """The contact channels as one phrase, for the next-action text."""
        parts = []
        if self.portal:
            parts.append(f"portal: {self.portal}")
        if self.phone:
            parts.append(f"phone {self.phone}")
        if self.fax:
            parts.append(f"fax {self.fax}")
        return "; ".join(parts)


V = TypeVar("V")


def version_at(versions: Sequence[V], on: date | None) -> V:
    """The version in force on ``on``: the newest with ``effective_from <= on``.

    ``versions`` is sorted newest first (the loader guarantees it). A date before every version, or no
    date at all, gets the oldest version for a date before them all and the newest for no date.
    """
    if on is None or len(versions) == 1:
        return versions[0]
    for v in versions:
        if v.cited.effective_from <= on:  # type: ignore[attr-defined]
            return v
    return versions[-1]


@dataclass(frozen=True, slots=True)
class PayerRules:
    key: str  # file stem: "medicare", "default"
    file: str  # "payers/medicare.yaml"
    name: str  # display name: "Medicare Part B"
    names: tuple[str, ...]  # lower-case names/aliases, may hold * and ? wildcards
    payer_ids: tuple[str, ...]  # upper-case payer IDs, may hold wildcards
    timely_filing: tuple[TimelyFiling, ...]  # newest first, at least one
    corrected_claim: tuple[CorrectedClaim, ...]
    follow_up: tuple[FollowUp, ...]
    appeal: tuple[Appeal, ...]
    underpayment: tuple[Underpayment, ...]
    contact: Contact = Contact()
    kind: str = "commercial"  # medicare, medicare_advantage, medicaid, commercial, tricare

    def matches_name(self, name: str) -> bool:
        n = " ".join(name.lower().split())
        return any(fnmatch.fnmatchcase(n, p) for p in self.names)

    def matches_id(self, payer_id: str) -> bool:
        i = payer_id.strip().upper()
        return bool(i) and any(fnmatch.fnmatchcase(i, p) for p in self.payer_ids)


@dataclass(frozen=True, slots=True)
class DenialRule:
    code: str  # as written in denials.yaml: "CO-16 MA130", "CO-50", "PR-1", "18" (any group)
    category: str  # e.g. "appeal", "correct_resubmit", "patient_resp", "no_action"
    action: str  # the next action, in the words a biller uses
    appealable: bool
    file: str = "denials.yaml"
    line: int | None = None
    priority: int = 0  # for several codes on one claim: the loader ranks by urgency (see denials.yaml)
    # The action where the payer handles this code as a reopening (a payer with a reopening window, i.e.
    # Medicare): its deadline is then the reopening deadline. "" when the code is not a reopening matter.
    reopening_action: str = ""


@dataclass(frozen=True, slots=True)
class Denials:
    """Group + CARC (+ RARC) to action. Lookup order: group+CARC+RARC, group+CARC, CARC alone, fallback."""

    by_code: dict[str, DenialRule]  # keys normalised: "CO-16 MA130", "CO-16", "16"
    fallback: DenialRule

    def lookup(self, group: str, carc: str, rarcs: Sequence[str] = ()) -> DenialRule:
        g, c = group.upper(), carc.upper()
        best: DenialRule | None = None
        for r in rarcs:  # several remark codes: the most urgent specific entry wins (MA130 over N290)
            hit = self.by_code.get(f"{g}-{c} {r.upper()}")
            if hit and (best is None or hit.priority > best.priority):
                best = hit
        return best or self.by_code.get(f"{g}-{c}") or self.by_code.get(c) or self.fallback


@dataclass(frozen=True, slots=True)
class PriorityWeights:
    dollars: float = 1.5  # points per log10 dollar at stake
    deadline: float = 3.0  # points for a deadline today, falling to 0 at the horizon
    deadline_horizon_days: int = 60  # deadlines further away add nothing
    overdue: float = 0.5  # points per 30 days overdue, capped at twice this
    expired_penalty: float = 0.25  # share of a deadline's points that a passed deadline keeps


@dataclass(frozen=True, slots=True)
class Settings:
    aging_basis: AgingBasis = AgingBasis.DOS
    bucket_edges: tuple[int, ...] = (30, 60, 90, 120)  # upper ends: 0-30, 31-60, 61-90, 91-120, 120+
    risk_critical_days: int = 15
    risk_high_days: int = 30
    risk_watch_days: int = 60
    holiday_country: str = "US"  # holidays library country code; "" disables holiday rolls
    holiday_subdivision: str = ""
    priority: PriorityWeights = PriorityWeights()
    statement_cycle_days: int = 30  # how often patient statements go out
    look_ahead_days: int = 7  # Worklist shows actions due up to this many days ahead
    submit_within_days: int = 7  # a claim not yet submitted is due this many days after its date of service
    day_first_dates: bool = False  # text dates are US month-first unless this is set
    # The date order in sentences (Next Action, Why): "iso" for API callers; the tracker pipeline sets
    # "mdy" or "dmy" from the date order above (``Rules.for_tracker``). See engine.dates.dates_in_order.
    text_dates: str = "iso"
    backups_kept: int = 5
    work_per_day: Pace = Pace(180, "minutes")  # follow-up work the office does in a day (claimbook.planning)
    minutes_per_action: tuple[tuple[str, int], ...] = ()  # (kind, minutes); kinds left out take planning.KINDS'
    file: str = "settings.yaml"

    def bucket_labels(self) -> tuple[str, ...]:
        return _bucket_labels(self.bucket_edges)


@lru_cache(maxsize=64)
def _bucket_labels(edges: tuple[int, ...]) -> tuple[str, ...]:
    labels, lo = [], 0
    for hi in edges:
        labels.append(f"{lo}-{hi}")
        lo = hi + 1
    labels.append(f"{edges[-1]}+")
    return tuple(labels)


@dataclass(frozen=True)
class Rules:
    """Everything the engine needs, loaded and validated once."""

    settings: Settings
    payers: tuple[PayerRules, ...]  # every payer file except default, sorted by key
    default: PayerRules
    denials: Denials
    holidays: frozenset[date] = frozenset()  # business-day calendar, precomputed by the loader
    folder: str = ""  # where they were read from (shown on the Payers sheet)
    problems: tuple = ()  # tuple[Problem, ...]: warnings (errors stop the load)
    _match_cache: dict = field(default_factory=dict, repr=False, compare=False)
    _deadline_cache: dict = field(default_factory=dict, repr=False, compare=False)  # engine.filing

    def for_tracker(self) -> "Rules":
        """These rules with sentence dates in the tracker's date order (MM/DD/YYYY, or DD/MM/YYYY when
        settings.yaml says day first). The caches are shared: nothing in them holds a sentence date."""
        order = "dmy" if self.settings.day_first_dates else "mdy"
        if self.settings.text_dates == order:
            return self
        key = ("for_tracker", order)
        hit = self._match_cache.get(key)
        if hit is None:
            hit = self._match_cache[key] = replace(self, settings=replace(self.settings, text_dates=order))
        return hit

    def payer_for(self, name: str, payer_id: str = "") -> tuple[PayerRules, bool]:
        """The rules for a payer as written on a claim, and whether it was recognised.

        A payer ID match wins over a name match; an unknown payer gets the default rules.
        """
        key = (name, payer_id)
        hit = self._match_cache.get(key)
        if hit is None:
            hit = self._match(name, payer_id)
            self._match_cache[key] = hit
        return hit

    def _match(self, name: str, payer_id: str) -> tuple[PayerRules, bool]:
        # Exact spellings win over wildcards, and a longer (more specific) wildcard over a shorter
        # one, so "Humana Medicare*" beats "Humana*" and "Medicare" whatever the file order.
        pid = payer_id.strip().upper()
        n = " ".join(name.lower().split())
        for value, attr in ((pid, "payer_ids"), (n, "names")):
            if not value:
                continue
            if attr == "names":  # the names claimbook offers (Payer drop-down, Payers sheet) are display names
                for p in (*self.payers, self.default):
                    if " ".join(p.name.lower().split()) == n or (p is self.default and n in p.names):
                        return p, True
            best, best_len = None, -1
            for p in self.payers:
                for pat in getattr(p, attr):
                    if pat == value:
                        return p, True
                    if ("*" in pat or "?" in pat) and len(pat) > best_len and fnmatch.fnmatchcase(value, pat):
                        best, best_len = p, len(pat)
            if best is not None:
                return best, True
        return self.default, False
