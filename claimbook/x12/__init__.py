"""Payer files: X12 835 remittance (ERA) and 277/277CA claim status, read and validated with pyx12.

    kind = sniff(path)                         # "835" | "277" | "csv" | None, from the content
    parsed = read_payer_file(path)             # Remittance (835) or StatusReport (277/277CA)
    plan = plan_file(parsed, current)          # ImportPlan: changes, unmatched, PLB, notes
    rows = apply_plan(plan, current)           # preview / tests; the workbook layer writes for real

A file pyx12 finds invalid or truncated raises ``claimbook.errors.ImportFileError`` naming the
segment, its position and the problem; nothing is parsed from it.
"""

from __future__ import annotations

import os

from claimbook.errors import ImportFileError

from .apply835 import plan_835
from .changes import COLUMNS, Change, ImportPlan, Unmatched, apply_plan, describe_plb
from .history import PAYMENT_COLUMNS, PAYMENTS_SHEET, Posted
from .payers import payers_differ
from .status277 import plan_277
from .detect import sniff
from .envelope import no_envelope
from .parse import parse_277, parse_835
from .records import (
    Adjustment,
    ClaimPayment,
    ClaimStatus,
    ProviderAdjustment,
    Remittance,
    ServiceLine,
    StatusInfo,
    StatusReport,
)

__all__ = [
    "COLUMNS", "Adjustment", "Change", "ClaimPayment", "ClaimStatus", "ImportPlan", "ProviderAdjustment",
    "Remittance", "ServiceLine", "StatusInfo", "StatusReport", "Unmatched", "apply_plan", "describe_plb", "parse_277",
    "PAYMENT_COLUMNS", "PAYMENTS_SHEET", "Posted",
    "parse_835", "payers_differ", "plan_277", "plan_835", "plan_file", "read_payer_file", "sniff",
]


def read_payer_file(path: str | os.PathLike[str]) -> Remittance | StatusReport:
    """Parse an 835 or 277/277CA file (detected from its content)."""
    kind = sniff(path)
    if kind == "835":
        return parse_835(path)
    if kind == "277":
        return parse_277(path)
    name = os.path.basename(os.fspath(path))
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096).decode("latin-1")
    except OSError:
        head = ""
    if no_envelope(head):
        raise ImportFileError(f"{name}: {no_envelope(head)}")
    raise ImportFileError(f"{name}: not an X12 835 or 277 file" + (" (it looks like a CSV file)." if kind == "csv" else "."))


def plan_file(parsed: Remittance | StatusReport, current, payer_key=None, history=None) -> ImportPlan:
    """The changes one parsed payer file makes to the tracker rows ``current`` (Claim ID -> row).

    ``payer_key`` (payer name, payer ID) -> payer rules key or None: how an 835's payer is matched to the
    row's payer (see ``payers.payers_differ``). ``history`` (Claim ID -> payments posted to the row, from
    the Payments sheet): see ``history.py``."""
    if isinstance(parsed, Remittance):
        return plan_835(parsed, current, payer_key, history)
    return plan_277(parsed, current)
