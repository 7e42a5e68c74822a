"""Priority: a deterministic score from dollars at stake, closeness of a deadline and days overdue.

    score = dollars_weight * log10(1 + dollars at stake)
          + deadline_weight * closeness of the nearest live deadline (1 today .. 0 at the horizon)
          + overdue_weight * min(2, days overdue / 30)

A deadline that has already passed counts ``expired_penalty`` of a live one (the money is probably
lost, but someone must decide). The log keeps a $40,000 claim from burying every $200 claim, and a
$7 short payment from outranking a $4,000 claim however long it waits. With the default weights
(1.5, 3, 0.5, penalty 0.25) a deadline 15 days away adds 2.25 points; being overdue adds at most 1,
and a passed deadline plus being overdue at most 1.75. So a claim that can still be saved outranks
late work and lost causes for similar dollars (up to about twice the dollars).
Ranks are 1..n over claims that need action, ties broken by due date, then Claim ID.
"""

from __future__ import annotations

import math
from datetime import date

from claimbook.rules.schema import PriorityWeights


def closeness(days_left: int | None, w: PriorityWeights) -> float:
    if days_left is None:
        return 0.0
    if days_left < 0:
        return w.expired_penalty
    if days_left >= w.deadline_horizon_days:
        return 0.0
    return 1.0 - days_left / w.deadline_horizon_days


def score(at_stake: float, nearest_days_left: int | None, days_overdue: int, w: PriorityWeights) -> float:
    s = (
        w.dollars * math.log10(1.0 + max(0.0, at_stake))
        + w.deadline * closeness(nearest_days_left, w)
        + w.overdue * min(2.0, days_overdue / 30.0)
    )
    return round(s, 3)


def ranks(is_open: list[bool], scores: list[float], dues: list[date | None], claim_ids: list[str]) -> list[int]:
    """Rank 1..n over the claims that need action (0 for the rest): highest score first, then the
    earliest due date (none counts as last), then Claim ID. Columns in, one rank per claim out.

    Three stable sorts, least significant key first, give the same order as one sort on the
    (score, due, id) tuple at half the cost: each compares plain floats, dates or strings.
    """
    far = date.max
    order = [i for i, needs_action in enumerate(is_open) if needs_action]
    order.sort(key=claim_ids.__getitem__)
    order.sort(key=[d or far for d in dues].__getitem__)
    order.sort(key=[-s for s in scores].__getitem__)
    out = [0] * len(is_open)
    for rank, i in enumerate(order, start=1):
        out[i] = rank
    return out
