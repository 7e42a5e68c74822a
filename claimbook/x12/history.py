"""Payment history: every remittance claim (CLP loop) posted to a tracker row, kept on the tracker's
"Payments" sheet so the next import can read it (docs/x12-import.md).

A row's Paid, Patient Resp, Status and Denial Codes are worked out from the *set* of its posted
payments, never from the order the files came in: a reversal (CLP02 22) cancels the payment it nets to
zero wherever that payment is (an earlier file, a later one, the same one); a reversal whose payment has
not arrived yet cancels that payment in advance; payments under different payer claim numbers (CLP07: a
claim the payer split, a correction under a new number) add up. Importing the same files in any order,
or again, gives the same row.

Each payment is kept in the one form the sheet can hold (``Posted``), so a payment read from a file
and the same payment read back from the sheet count the same.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from .records import REVERSAL, Adjustment, ClaimPayment

PAYMENTS_SHEET = "Payments"
PAYMENT_COLUMNS = (
    "Claim ID", "Payer Claim #", "CLP02", "Billed", "Paid", "Patient Resp", "Payer", "Payer ID", "Remit Date",
    "Check/EFT #", "Adjustments", "Denial Codes", "Remark Codes", "Forwarded To", "File", "Imported",
)
PAYMENT_WIDTHS = (16, 18, 7, 11, 11, 12, 26, 10, 12, 16, 30, 24, 16, 22, 28, 16)
LEGACY_FILE = "(posted before the Payments sheet)"

_ADJ = re.compile(r"^([A-Z]{2})-(\S+) (-?\d+(?:\.\d+)?)$")


@dataclass(frozen=True, slots=True)
class Posted:
    """One remittance claim as posted to a row (one line of the Payments sheet)."""

    claim_id: str
    icn: str  # CLP07 payer claim number
    status_code: str  # CLP02
    charge: float
    paid: float
    patient_resp: float
    payer_name: str = ""
    payer_id: str = ""
    remit_date: date | None = None
    check_number: str = ""
    adjustments: tuple[tuple[str, str, float], ...] = ()  # (group, CARC, amount), claim and service level
    codes: str = ""  # Denial Codes of this CLP alone ("CO-50 N115; PR-3")
    rarcs: tuple[str, ...] = ()
    forwarded_to: str = ""  # NM1*TT, or "the secondary payer" for CLP02 19-21 / MA18 / N89
    file: str = ""

    @property
    def is_reversal(self) -> bool:
        return self.status_code == REVERSAL

    @property
    def legacy(self) -> bool:
        return self.file == LEGACY_FILE

    def key(self) -> tuple:
        """What makes two lines the same payment (the file it came in does not: a payer's re-sent ERA)."""
        return (self.icn.upper(), self.status_code, self.charge, self.paid, self.patient_resp,
                self.remit_date.isoformat() if self.remit_date else "", self.check_number.upper(),
                tuple(sorted(self.adjustments)), self.codes)

    def as_payment(self) -> ClaimPayment:
        """For ``changes.claim_status``: the amounts and adjustments, no service lines."""
        return ClaimPayment(
            claim_id=self.claim_id, status_code=self.status_code, charge=self.charge, paid=self.paid,
            patient_resp=self.patient_resp, filing_indicator="", payer_claim_number=self.icn, allowed=None,
            adjustments=tuple(Adjustment(g, c, a) for g, c, a in self.adjustments), rarcs=self.rarcs,
            service_lines=(), remit_date=self.remit_date, payer_name=self.payer_name, payer_id=self.payer_id,
            check_number=self.check_number, patient_name="", crossover_payer=self.forwarded_to, segment=0, line=0)

    def row(self, stamp: datetime | None = None) -> list:
        adj = "; ".join(f"{g}-{c} {a:.2f}" for g, c, a in self.adjustments)
        return [self.claim_id, self.icn or None, self.status_code, self.charge, self.paid, self.patient_resp,
                self.payer_name or None, self.payer_id or None, self.remit_date, self.check_number or None,
                adj or None, self.codes or None, " ".join(self.rarcs) or None, self.forwarded_to or None,
                self.file or None, stamp.replace(microsecond=0) if stamp else None]


def from_payment(pay: ClaimPayment, file: str, codes: str) -> Posted:
    to = pay.crossover_payer or ("the secondary payer" if pay.crossed_over else "")
    return Posted(pay.claim_id, pay.payer_claim_number.strip(), pay.status_code, pay.charge, pay.paid,
                  pay.patient_resp, pay.payer_name, pay.payer_id, pay.remit_date, pay.check_number,
                  tuple((a.group, a.carc, a.amount) for a in pay.adjustments if a.amount != 0), codes,
                  pay.all_rarcs, to, file)


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _money(v: object) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return round(float(v), 2)
    try:
        return round(float(_text(v).replace(",", "").replace("$", "")), 2)
    except ValueError:
        return None


def _date(v: object) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(_text(v)[:10])
    except ValueError:
        return None


def from_row(values: list | tuple) -> Posted | None:
    """A Payments sheet line back as a payment; None for a line that is not one (blank, edited away)."""
    v = list(values) + [None] * (len(PAYMENT_COLUMNS) - len(values))
    claim_id, paid, charge, resp = _text(v[0]), _money(v[4]), _money(v[3]), _money(v[5])
    if not claim_id or paid is None:
        return None
    adjustments = []
    for part in _text(v[10]).split(";"):
        m = _ADJ.match(part.strip())
        if m:
            adjustments.append((m.group(1), m.group(2), round(float(m.group(3)), 2)))
    return Posted(claim_id, _text(v[1]), _text(v[2]), charge or 0.0, paid, resp or 0.0, _text(v[6]), _text(v[7]),
                  _date(v[8]), _text(v[9]), tuple(adjustments), _text(v[11]), tuple(_text(v[12]).split()),
                  _text(v[13]), _text(v[14]))


def read_rows(rows) -> list[Posted]:
    """The Payments sheet's data rows (below its header) as payments."""
    out = []
    for r in rows or ():
        p = from_row(r)
        if p is not None:
            out.append(p)
    return out


def union(history: list[Posted], new: list[Posted]) -> tuple[list[Posted], list[Posted]]:
    """(every payment once, the new ones not already in ``history``). The same payment in two files (an
    ERA the payer sent again) counts once; the same payment twice in one file counts twice."""
    have = Counter(p.key() for p in history)
    added: list[Posted] = []
    seen: Counter = Counter()
    for p in new:
        seen[p.key()] += 1
        if seen[p.key()] > have[p.key()]:
            added.append(p)
    return history + added, added


def _order(p: Posted) -> tuple:
    """A fixed order that does not depend on the order the files were imported in."""
    return (p.remit_date or date.min, p.is_reversal, p.icn, p.check_number, p.status_code, p.paid, p.charge)


def settle(payments: list[Posted]) -> tuple[list[Posted], list[Posted]]:
    """(payments that stand, reversals whose payment is not posted yet): each reversal cancels one payment
    it nets to zero, with the same payer claim number first, else one where either has none; a payment
    posted before the Payments sheet (its amounts per claim number unknown) is cancelled by a reversal
    under one of its claim numbers."""
    standing = sorted((p for p in payments if not p.is_reversal), key=_order)
    orphans: list[Posted] = []
    for rev in sorted((p for p in payments if p.is_reversal), key=_order):
        nets = [p for p in standing if round(p.paid + rev.paid, 2) == 0 and round(p.charge + rev.charge, 2) == 0]
        nets = nets or [p for p in standing if round(p.paid + rev.paid, 2) == 0]
        match = next((p for p in nets if rev.icn and p.icn == rev.icn), None)
        if match is None:
            match = next((p for p in nets if not rev.icn or not p.icn), None)
        if match is None and rev.icn:
            match = next((p for p in standing if p.legacy and rev.icn in p.icn.split()), None)
        if match is None:
            orphans.append(rev)
        else:
            standing.remove(match)
    return standing, orphans


def merge_codes(codes: list[str]) -> str:
    """Denial Codes of several payments as one: each group-CARC once, its remark codes together."""
    order: dict[str, list[str]] = {}
    for text in codes:
        for part in text.split(";"):
            bits = part.split()
            if not bits:
                continue
            order.setdefault(bits[0].upper(), [])
            order[bits[0].upper()].extend(b for b in bits[1:] if b not in order[bits[0].upper()])
    return "; ".join(" ".join([k, *v]) for k, v in order.items())
