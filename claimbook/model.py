"""The records claimbook computes with: claims in, results out, problems as values.

Everything here is frozen. The engine never mutates a claim; the table layer builds claims from cell
values and turns results back into cell values. Nothing in this module does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import NamedTuple


class Status(str, Enum):
    """Where a claim stands, as the biller records it. The value is the label shown in the workbook."""

    NOT_SUBMITTED = "Not Submitted"
    SUBMITTED = "Submitted"  # sent, no acceptance yet (no 999/277CA acceptance)
    ACCEPTED = "Accepted"  # accepted into adjudication (277CA A2): counts as filed
    REJECTED = "Rejected"  # returned unprocessable (277CA A3/A6/A7/A8): NOT filed
    PENDING = "Pending"  # in process at the payer (277 P-codes)
    DOCS_REQUESTED = "Docs Requested"  # payer asked for records (277 P3 / R-codes)
    DENIED = "Denied"
    APPEALED = "Appealed"
    PARTIALLY_PAID = "Partially Paid"
    PAID = "Paid"
    CLOSED = "Closed"


# Common words people type for each status (lower case, spaces normalised). The table layer uses it.
STATUS_SYNONYMS: dict[str, Status] = {
    **{s.value.lower(): s for s in Status},
    "": Status.NOT_SUBMITTED,
    "new": Status.NOT_SUBMITTED,
    "unbilled": Status.NOT_SUBMITTED,
    "not billed": Status.NOT_SUBMITTED,
    "to bill": Status.NOT_SUBMITTED,
    "draft": Status.NOT_SUBMITTED,
    "sent": Status.SUBMITTED,
    "billed": Status.SUBMITTED,
    "filed": Status.SUBMITTED,
    "submitted electronically": Status.SUBMITTED,
    "acknowledged": Status.ACCEPTED,
    "received": Status.ACCEPTED,
    "a2": Status.ACCEPTED,
    "rejection": Status.REJECTED,
    "returned": Status.REJECTED,
    "rtp": Status.REJECTED,
    "in process": Status.PENDING,
    "in progress": Status.PENDING,
    "processing": Status.PENDING,
    "pended": Status.PENDING,
    "open": Status.PENDING,
    "docs requested": Status.DOCS_REQUESTED,
    "documents requested": Status.DOCS_REQUESTED,
    "records requested": Status.DOCS_REQUESTED,
    "additional info requested": Status.DOCS_REQUESTED,
    "info requested": Status.DOCS_REQUESTED,
    "adr": Status.DOCS_REQUESTED,
    "denial": Status.DENIED,
    "rejected by payer": Status.DENIED,
    "appeal": Status.APPEALED,
    "appeal filed": Status.APPEALED,
    "in appeal": Status.APPEALED,
    "reconsideration": Status.APPEALED,
    "partial": Status.PARTIALLY_PAID,
    "partial pay": Status.PARTIALLY_PAID,
    "partial payment": Status.PARTIALLY_PAID,
    "partially paid": Status.PARTIALLY_PAID,
    "short paid": Status.PARTIALLY_PAID,
    "underpaid": Status.PARTIALLY_PAID,
    "paid in full": Status.PAID,
    # Processed by the primary and forwarded to the secondary (835 CLP02 19-21): the table layer also
    # sets Claim.crossover for these words (CROSSOVER_WORDS).
    "crossed over": Status.PAID,
    "crossover": Status.PAID,
    "forwarded": Status.PAID,
    "forwarded to secondary": Status.PAID,
    "complete": Status.CLOSED,
    "completed": Status.CLOSED,
    "written off": Status.CLOSED,
    "write off": Status.CLOSED,
    "write-off": Status.CLOSED,
    "void": Status.CLOSED,
    "voided": Status.CLOSED,
    "done": Status.CLOSED,
}


CROSSOVER_WORDS = frozenset({"crossed over", "crossover", "forwarded", "forwarded to secondary"})

# A claim without a Claim ID: the table layer says so for a row it reads (it gives the claim a "(row N)"
# placeholder ID so the row still runs), the engine for a claim built without one.
MISSING_CLAIM_ID = "Claim ID is missing: every claim needs its own ID (the patient control number)"


class Network(str, Enum):
    IN = "In"
    OUT = "Out"


class ClaimType(str, Enum):
    PROFESSIONAL = "Professional"  # CMS-1500 / 837P
    INSTITUTIONAL = "Institutional"  # UB-04 / 837I


class Channel(str, Enum):
    ELECTRONIC = "Electronic"
    PAPER = "Paper"


class Order(str, Enum):
    PRIMARY = "Primary"
    SECONDARY = "Secondary"


class Risk(str, Enum):
    """Timely-filing risk, most urgent first in ``RISK_ORDER``."""

    EXPIRED = "Expired"
    CRITICAL = "Critical"
    HIGH = "High"
    WATCH = "Watch"
    OK = "OK"
    MET = "Met"  # filed (accepted) in time and nothing needs a new or corrected claim
    # Filed in time by the tracker's evidence, but the payer denied it as late (CO-29): send the proof.
    PROOF = "Met - send proof"


@dataclass(frozen=True, slots=True)
class DenialCode:
    """One adjustment as billers write it: group code + CARC, optionally with RARCs (``CO-16 MA130``)."""

    group: str  # CO, PR, OA, PI, CR
    carc: str  # "16", "50", "B7"
    rarcs: tuple[str, ...] = ()

    def __str__(self) -> str:
        return " ".join([f"{self.group}-{self.carc}", *self.rarcs])


@dataclass(frozen=True, slots=True)
class Claim:
    """One claim as the engine sees it. Only ``claim_id``, ``payer`` and ``dos_from`` are required.

    ``issues`` carries problems the table layer found while reading the row (a date it could not read,
    a negative amount); the engine adds its own and reports them all on the result.
    """

    claim_id: str
    payer: str
    dos_from: date | None
    patient: str = ""
    payer_id: str = ""
    network: Network = Network.IN
    claim_type: ClaimType = ClaimType.PROFESSIONAL
    channel: Channel = Channel.ELECTRONIC
    order: Order = Order.PRIMARY
    dos_through: date | None = None
    submitted: date | None = None
    accepted: date | None = None
    billed: float = 0.0
    expected: float | None = None
    paid: float = 0.0
    patient_resp: float = 0.0
    status: Status = Status.NOT_SUBMITTED
    denial_codes: tuple[DenialCode, ...] = ()
    remit_date: date | None = None
    primary_eob_date: date | None = None
    docs_due: date | None = None
    last_contact: date | None = None
    appeal_filed: date | None = None
    notes: str = ""
    # A next date typed in the Follow-up Log; it overrides the computed follow-up date.
    next_date_override: date | None = None
    crossover: bool = False  # the primary payer forwarded the claim to the secondary (Status "Crossed over")
    issues: tuple[str, ...] = ()


class Result(NamedTuple):
    """What claimbook computed for one claim. Field order is the order of the computed columns.

    A NamedTuple rather than a frozen dataclass: it is just as immutable and ten times cheaper to
    build, which matters at 100,000 claims (use ``result._replace(...)`` for a changed copy).
    """

    claim_id: str
    payer_key: str  # the rules file that applied, e.g. "medicare" (or "default")
    payer_name: str
    age: int | None
    bucket: str  # "0-30" ... "120+", "" when the age is unknown
    next_action: str
    category: str  # submit, resubmit, status_check, escalate, send_docs, appeal, ... or "none"
    follow_up: date | None
    days_overdue: int
    tf_deadline: date | None
    tf_days_left: int | None
    tf_risk: Risk | None
    appeal_deadline: date | None
    appeal_days_left: int | None
    underpaid: float
    at_stake: float  # dollars still open on the claim (billed or expected, less paid)
    score: float
    priority: int  # 1 = work this first; 0 when the claim needs nothing
    why: str  # one plain sentence for the cell: the rule, the date, counted from what
    data_issues: tuple[str, ...] = ()
    is_open: bool = True
    # The full reasoning with the rules file and source of each rule, dates ISO (``engine.explain`` shows
    # it in the tracker's date order; rewriting it for 100,000 claims nobody reads at once costs too much).
    details: str = ""

    @property
    def needs_action(self) -> bool:
        return self.category != "none"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a problem is: a rules file and line, or a workbook sheet and row."""

    file: str = ""
    line: int | None = None
    sheet: str = ""
    row: int | None = None

    def __str__(self) -> str:
        if self.sheet:
            return f"{self.file}!{self.sheet} row {self.row}" if self.file else f"{self.sheet} row {self.row}"
        if self.line is not None:
            return f"{self.file}:{self.line}"
        return self.file


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem a person can act on: where it is, what is wrong, what was expected, how to fix it."""

    source: Source
    message: str
    severity: str = "error"  # "error" stops a rules file from being used; "warning" does not

    def __str__(self) -> str:
        where = str(self.source)
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The outcome of one ``evaluate`` call: results in the same order as the claims given."""

    as_of: date
    results: tuple[Result, ...]
    rules_problems: tuple[Problem, ...] = field(default=())
    text_dates: str = "iso"  # the date order of the sentences in the results (rules.settings.text_dates)
