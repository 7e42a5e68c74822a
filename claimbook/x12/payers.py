"""Whose remittance is it? The payer and the payer's role (primary, secondary) of a remittance claim
against the tracker row's Payer, Payer ID and Order."""

from __future__ import annotations

import re
from collections.abc import Mapping

from .changes import PRIOR_PAYER_CARCS, ImportPlan, PayerKey, Unmatched, _is_denial_group, _text
from .records import DENIED, REVERSAL, ClaimPayment



def _roles(payments: list[ClaimPayment]) -> tuple[set[str], bool]:
    """The roles (primary, secondary, tertiary) the payer processed the claim in, and whether that was
    told from a prior payer's adjustment only. A denial (4) or reversal (22) has no role of its own: it
    takes the role of the claim's other CLPs in the file; alone, an adjustment for a prior payer's
    adjudication (CARC 23) shows it was not processed as primary."""
    seen = {p.processed_as for p in payments if p.processed_as}
    if seen:
        return seen, False
    prior_payer = any(
        _is_denial_group(a.group) and a.carc in PRIOR_PAYER_CARCS and a.amount != 0
        for p in payments if p.status_code in (DENIED, REVERSAL) for a in p.adjustments
    )
    return ({"secondary"}, True) if prior_payer else (set(), False)


def _order_conflict(row: Mapping[str, object], payments: list[ClaimPayment]) -> str:
    order = _text(row.get("Order")).lower()
    seen, inferred = _roles(payments)
    if not order or not seen:
        return ""
    payer = payments[0].payer_name or "the payer"
    if order == "primary" and seen <= {"secondary", "tertiary"}:
        how = " (its remittance adjusts for a prior payer's payment, CARC 23)" if inferred else ""
        return (f"{payer} processed it as {sorted(seen)[0]}{how}, but the tracker row "
                "is the Primary claim — check the Order column or add a row for the secondary claim")
    if order == "secondary" and seen == {"primary"}:
        return (f"{payer} processed it as primary, but the tracker row is the "
                "Secondary claim — check the Order column and which payer is primary")
    return ""


# Words that do not tell payers apart ("Acme Health Plan, Inc." is "Acme").
_NAME_FILLER = frozenset({
    "the", "of", "and", "inc", "co", "corp", "corporation", "company", "llc", "ltd", "lp", "plan", "plans",
    "health", "healthcare", "insurance", "ins", "group", "services", "service", "dba", "benefit", "benefits",
    "administrators", "administrator", "solutions",
})


def _name_words(name: str) -> list[str]:
    return re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).split()


def payers_differ(row_payer: str, row_payer_id: str, era_payer: str, era_payer_id: str,
                  payer_key: PayerKey | None = None) -> bool:
    """Whether a remittance's payer clearly is not the payer on the tracker row.

    Tolerant: case, punctuation and filler words ("Inc", "Health Plan") do not count, and when unsure
    the answer is no. When the payer rules know both (by payer ID or name/alias: ``payer_key``), they
    differ when they are different payer files. Otherwise the same payer ID (both given) is the same
    payer, and names differ only when they have no word in common and neither is the other's initials
    ("BCBS" and "Blue Cross Blue Shield")."""
    row_payer, row_payer_id = _text(row_payer), _text(row_payer_id)
    era_payer, era_payer_id = _text(era_payer), _text(era_payer_id)
    if not (row_payer or row_payer_id) or not (era_payer or era_payer_id):
        return False
    if payer_key is not None:
        mine, theirs = payer_key(row_payer, row_payer_id), payer_key(era_payer, era_payer_id)
        if mine and theirs:
            return mine != theirs
    if row_payer_id and era_payer_id and row_payer_id.upper() == era_payer_id.upper():
        return False
    a_words, b_words = _name_words(row_payer), _name_words(era_payer)
    a, b = set(a_words) - _NAME_FILLER, set(b_words) - _NAME_FILLER
    if not a or not b or a & b:
        return False

    def initials(words: list[str]) -> str:
        return "".join(w[0] for w in words if w not in ("of", "the", "and"))

    for one, other in ((a, b_words), (b, a_words)):
        letters = initials(other)
        if any(len(w) >= 2 and letters.startswith(w) for w in one):
            return False
    return True


def _payer_for_row(row: Mapping[str, object], payments: list[ClaimPayment], payer_key: PayerKey | None = None
                   ) -> tuple[list[ClaimPayment], list[tuple[ClaimPayment, str]]]:
    """When one file holds the same claim adjudicated by several payers (a primary and a secondary
    payer's remittances for one patient control number), only the payer whose role matches the row's
    Order is applied; summing them would double-count. Returns (payments to apply, [(payment, why)])."""
    groups: dict[str, list[ClaimPayment]] = {}
    for pay in payments:
        groups.setdefault((pay.payer_id or pay.payer_name).upper(), []).append(pay)
    if len(groups) < 2:
        return payments, []

    def role(group: list[ClaimPayment]) -> str:
        kinds = {p.processed_as for p in group if p.processed_as}
        return kinds.pop() if len(kinds) == 1 else ""

    order = _text(row.get("Order")).lower() or "primary"
    chosen = [g for g in groups.values() if role(g) == order]
    if len(chosen) != 1:
        payer, payer_id = _text(row.get("Payer")), _text(row.get("Payer ID"))
        chosen = [g for g in groups.values()
                  if payer and not payers_differ(payer, payer_id, g[0].payer_name, g[0].payer_id, payer_key)]
    if len(chosen) != 1:
        return payments, []
    keep = chosen[0]
    rest = []
    for g in groups.values():
        if g is keep:
            continue
        what = role(g) or "another payer"
        why = (f"also in this file from {g[0].payer_name or 'another payer'} (processed as {what}); the tracker row "
               f"is the {order.title()} claim — add a row for the {what} claim to track it")
        rest.extend((p, why) for p in g)
    return keep, rest



def _same_payer_only(plan: ImportPlan, claim_id: str, row: Mapping[str, object], pays: list[ClaimPayment],
                     payer_key: PayerKey | None) -> list[ClaimPayment]:
    """The payments from the row's payer; the others are listed (not applied) for a person to decide."""
    payer, payer_id = _text(row.get("Payer")), _text(row.get("Payer ID"))
    keep: list[ClaimPayment] = []
    for pay in pays:
        if not payers_differ(payer, payer_id, pay.payer_name, pay.payer_id, payer_key):
            keep.append(pay)
            continue
        why = (f"not applied — the remittance is from {pay.payer_name or 'another payer'}, not the payer on the "
               "tracker row; check the Payer column or add a row for this payer's claim (the same payer under "
               "another name: add the name to its rules file, then import again with --again)")
        detail = f"the tracker row's payer is {payer or '(blank)'}" + (f", payer ID {payer_id}" if payer_id else "")
        plan.unmatched.append(Unmatched(claim_id, why, pay, detail))
    return keep


