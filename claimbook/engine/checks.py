"""Claim-level data checks: each is a small function returning messages a person can act on.

Problems never stop a run: they become "Data Issues" on the claim, and the claim is still evaluated
with what is usable. Add a check by writing a function and listing it in ``CHECKS``.
"""

from __future__ import annotations

from datetime import date
from typing import Callable, Iterator

from claimbook.model import Claim, Status


def check_dates(c: Claim, as_of: date) -> Iterator[str]:
    """Dates must be in order: service, then submission, then acceptance; no service in the future."""
    if c.dos_from is None:
        if not any(issue.startswith("DOS ") for issue in c.issues):  # the table layer may have said so
            yield "DOS (date of service) is missing or not a date: type it as MM/DD/YYYY"
        return
    if c.dos_from > as_of:
        yield f"DOS {c.dos_from:%m/%d/%Y} is in the future: check the date of service"
    if c.dos_through and c.dos_through < c.dos_from:
        yield f"DOS Through {c.dos_through:%m/%d/%Y} is before the DOS {c.dos_from:%m/%d/%Y}: check both dates"
    if c.submitted and c.submitted < c.dos_from:
        yield f"Submitted {c.submitted:%m/%d/%Y} is before the date of service: check both dates"
    if c.accepted and c.submitted and c.accepted < c.submitted:
        yield f"Accepted {c.accepted:%m/%d/%Y} is before Submitted {c.submitted:%m/%d/%Y}: check both dates"


def check_amounts(c: Claim, as_of: date) -> Iterator[str]:
    """Money must not be negative, and the payer cannot pay more than was billed."""
    for label, value in (("Billed", c.billed), ("Expected", c.expected), ("Paid", c.paid),
                         ("Patient Resp", c.patient_resp)):
        if value is not None and value < 0:
            yield f"{label} is negative ({value:,.2f}): enter amounts as positive numbers"
    if c.billed and c.paid > c.billed + 0.005:
        yield f"Paid ({c.paid:,.2f}) is more than Billed ({c.billed:,.2f}): check for an overpayment or a typo"


def check_status(c: Claim, as_of: date) -> Iterator[str]:
    """The status needs the dates and codes that go with it."""
    if c.status is Status.DENIED and not c.denial_codes:
        yield "Status is Denied but Denial Codes is empty: enter the codes from the remittance (e.g. CO-50)"
    if c.status in (Status.DENIED, Status.PARTIALLY_PAID) and c.remit_date is None:
        yield "Remit Date is empty: enter the remittance date so the appeal deadline can be worked out"
    if c.status not in (Status.NOT_SUBMITTED,) and c.submitted is None and c.status is not Status.CLOSED:
        yield "Submitted date is empty: enter the date the claim was sent"


CHECKS: tuple[Callable[[Claim, date], Iterator[str]], ...] = (check_dates, check_amounts, check_status)


def _looks_clean(c: Claim, as_of: date) -> bool:
    """A quick pre-test that is True only when no check can find anything (most claims)."""
    d = c.dos_from
    return (
        d is not None and d <= as_of
        and (c.dos_through is None or c.dos_through >= d)
        and (c.submitted is None or c.submitted >= d)
        and (c.accepted is None or c.submitted is None or c.accepted >= c.submitted)
        and c.billed >= 0 and c.paid >= 0 and c.patient_resp >= 0 and (c.expected is None or c.expected >= 0)
        and (not c.billed or c.paid <= c.billed + 0.005)
        and (c.submitted is not None or c.status is Status.NOT_SUBMITTED or c.status is Status.CLOSED)
        and (c.status is not Status.DENIED or (bool(c.denial_codes) and c.remit_date is not None))
        and (c.status is not Status.PARTIALLY_PAID or c.remit_date is not None)
    )


def data_issues(c: Claim, as_of: date) -> list[str]:
    issues = list(c.issues)
    if _looks_clean(c, as_of):
        return issues
    for check in CHECKS:
        issues.extend(check(c, as_of))
    return issues
