"""Frozen records read from payer files. Money is float rounded to cents, dates are ``datetime.date``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# CLP02 claim status codes (835).
REVERSAL = "22"
DENIED = "4"
NOT_OUR_CLAIM = "23"  # not our claim, forwarded to another payer: no payment, no adjudication
PREDETERMINATION = "25"  # predetermination pricing only: an estimate, not a payment
NOT_A_PAYMENT = frozenset({NOT_OUR_CLAIM, PREDETERMINATION})
FORWARDED = {"19": "primary", "20": "secondary", "21": "tertiary"}
PROCESSED_AS = {"1": "primary", "2": "secondary", "3": "tertiary", **FORWARDED}
# Remark codes saying the claim was forwarded to another payer (crossover): MA18 to the supplemental
# insurer, N89 to the patient's other insurer(s) (X12 RARC list, wpc-edi.com).
CROSSOVER_RARCS = frozenset({"MA18", "N89"})


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS adjustment: group code (CO, PR, OA, PI, CR), CARC, amount (negative in a reversal)."""

    group: str
    carc: str
    amount: float
    quantity: float | None = None
    level: str = "claim"  # "claim" (2100 CAS) or "service" (2110 CAS)
    line: int | None = None  # 1-based service line number for service-level adjustments


@dataclass(frozen=True, slots=True)
class ServiceLine:
    procedure: str  # SVC01 as "HC:99214:25"
    charge: float
    paid: float
    allowed: float | None  # AMT*B6
    service_date: date | None
    adjustments: tuple[Adjustment, ...] = ()
    rarcs: tuple[str, ...] = ()  # LQ*HE


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    """One CLP loop (2100) of an 835."""

    claim_id: str  # CLP01 patient control number = the tracker's Claim ID
    status_code: str  # CLP02
    charge: float  # CLP03
    paid: float  # CLP04
    patient_resp: float  # CLP05 (0 when absent)
    filing_indicator: str  # CLP06
    payer_claim_number: str  # CLP07 (payer ICN/DCN)
    allowed: float | None  # AMT*AU, else the sum of the service lines' AMT*B6 when every line has one
    adjustments: tuple[Adjustment, ...]  # claim level then service level, in file order
    rarcs: tuple[str, ...]  # claim level (MOA/MIA) remark codes
    service_lines: tuple[ServiceLine, ...]
    remit_date: date | None  # BPR16, else DTM*405
    payer_name: str  # N1*PR
    payer_id: str  # REF*2U in 1000A, else TRN03
    check_number: str  # TRN02 (check / EFT trace number)
    patient_name: str  # NM1*QC "LAST, FIRST"
    crossover_payer: str  # NM1*TT name (the payer the claim was forwarded to), "" when absent
    segment: int  # segment number of the CLP in the file
    line: int  # physical line of the CLP in the file
    member_id: str = ""  # NM1*QC NM109 (the patient's member ID), "" when absent

    @property
    def crossed_over(self) -> bool:
        """Forwarded to another payer by this one: CLP02 19/20/21, an NM1*TT crossover carrier, or remark
        MA18 / N89 (the claim information was forwarded to the supplemental / another payer)."""
        return self.is_forwarded or bool(self.crossover_payer) or bool(CROSSOVER_RARCS & set(self.all_rarcs))

    @property
    def is_reversal(self) -> bool:
        return self.status_code == REVERSAL

    @property
    def is_forwarded(self) -> bool:
        return self.status_code in FORWARDED

    @property
    def is_payment(self) -> bool:
        """False for CLP02 23 (not our claim) and 25 (predetermination): they pay and adjudicate nothing."""
        return self.status_code not in NOT_A_PAYMENT

    @property
    def processed_as(self) -> str:
        """"primary", "secondary", "tertiary", or "" (denied, reversal, not our claim ...)."""
        return PROCESSED_AS.get(self.status_code, "")

    @property
    def all_rarcs(self) -> tuple[str, ...]:
        seen: dict[str, None] = dict.fromkeys(self.rarcs)
        for line in self.service_lines:
            seen.update(dict.fromkeys(line.rarcs))
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """One PLB adjustment (reported only; never spread over claims). Positive = money withheld."""

    provider_id: str  # PLB01
    fiscal_date: date | None  # PLB02
    reason: str  # PLB03-1, e.g. "WO" overpayment recovery, "L6" interest, "FB" forwarding balance
    reference: str  # PLB03-2
    amount: float
    payer_name: str
    check_number: str


@dataclass(frozen=True, slots=True)
class Remittance:
    """A whole 835 file."""

    path: str
    claims: tuple[ClaimPayment, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...]
    payments: tuple[tuple[str, str, float, date | None], ...]  # (payer, check/EFT number, BPR02, date)
    warnings: tuple[str, ...] = ()  # non-structural findings and balancing differences, for the report


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """One STC composite: category (A2, P1, F1 ...), status code, entity."""

    category: str
    code: str
    entity: str = ""
    stc_date: date | None = None  # STC02 of the STC segment it is in

    def __str__(self) -> str:
        return ":".join(p for p in (self.category, self.code, self.entity) if p)

    @property
    def rank(self) -> int:
        """How decisive the category is for the claim (0 = most): see ``DECISIVE_ORDER``."""
        return category_rank(self.category)


# A claim's STC segments (STC01, STC10, STC11 of each) can hold several categories, e.g. a 277CA's
# "A1 received" followed by "A7 rejected" or "A2 accepted". The claim's status is its most decisive
# category (domain.md 6a), the first one in file order among equals. Most decisive first: a later
# stage of the claim's life outranks an earlier one, and within the acknowledgements the outcome
# (rejected, accepted) outranks a mere receipt:
#   finalized with an outcome (F1 paid, F2 denied, F4 no payment) > other finalized (F0, F3, F3F, F3N, F*)
#   > payer needs information (P3, R*) > pending (P0 P1 P2 P4 P5) > rejected, not filed (A3 A6 A7 A8)
#   > accepted (A2) > not found (A4, D0) > split (A5) > forwarded (A0) > received (A1)
#   > response not possible (E*) > anything else.
DECISIVE_ORDER: tuple[frozenset[str], ...] = (
    frozenset({"F1", "F2", "F4"}),
    frozenset({"F0", "F3", "F3F", "F3N", "F*"}),
    frozenset({"P3", "R*"}),
    frozenset({"P0", "P1", "P2", "P4", "P5"}),
    frozenset({"A3", "A6", "A7", "A8"}),
    frozenset({"A2"}),
    frozenset({"A4", "D0"}),
    frozenset({"A5"}),
    frozenset({"A0"}),
    frozenset({"A1"}),
    frozenset({"E*"}),
)


def category_rank(category: str) -> int:
    cat = category.strip().upper()
    for rank, group in enumerate(DECISIVE_ORDER):
        if cat in group or (cat[:1] + "*") in group:
            return rank
    return len(DECISIVE_ORDER)


def decisive(statuses: tuple[StatusInfo, ...] | list[StatusInfo]) -> StatusInfo | None:
    """The status that decides a claim's state (``DECISIVE_ORDER``), None when there is none."""
    best: StatusInfo | None = None
    for info in statuses:
        if best is None or info.rank < best.rank:
            best = info
    return best


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """One claim-level status loop (2200D/2200E) of a 277 or 277CA."""

    claim_id: str  # patient control number: REF*EJ (277) else TRN02 (277CA: TRN02 is the PCN)
    transaction: str  # "277" or "277CA"
    statuses: tuple[StatusInfo, ...]  # every STC01/STC10/STC11 of the claim-level STCs, in order
    effective_date: date | None  # STC02 of the STC with the decisive status, else of the first STC, else BHT04
    charge: float | None  # STC04
    paid: float | None  # STC05
    adjudication_date: date | None  # STC06
    check_date: date | None  # STC08
    check_number: str  # STC09
    payer_claim_number: str  # REF*1K
    trace_number: str  # TRN02
    service_date: date | None  # DTP*472 (first date of the range)
    payer_name: str  # 2100A NM1*PR
    patient_name: str
    line_statuses: tuple[StatusInfo, ...]  # service-line STCs
    segment: int
    line: int

    @property
    def status(self) -> StatusInfo | None:
        """The decisive status of the claim (see ``DECISIVE_ORDER``), not merely the first STC."""
        return decisive(self.statuses)

    @property
    def category(self) -> str:
        best = self.status
        return best.category if best else ""

    @property
    def deciding_statuses(self) -> tuple[StatusInfo, ...]:
        """The statuses as decisive as the decisive one (several rejection reasons, say), in file order."""
        best = self.status
        return tuple(s for s in self.statuses if best is not None and s.rank == best.rank)


@dataclass(frozen=True, slots=True)
class StatusReport:
    """A whole 277/277CA file."""

    path: str
    transaction: str
    claims: tuple[ClaimStatus, ...]
    warnings: tuple[str, ...] = ()  # non-structural findings, for the report
