"""Planning the follow-up work against the office's time: today's share, and when the backlog is cleared.

The engine ranks every claim that needs action (``Result.priority``) and says what kind of work it is
(``Result.category``). This module takes a daily pace (``Pace``: so many claims, or so many minutes, a day)
and hands the work out one day at a time, most important first:

- Day 1 is the as-of date; the next days are business days (weekends and the rules' holidays skipped).
- On each day, the claims due by that day plus the Worklist look-ahead are open for work, and they are
  taken in priority order until the day's pace is used up. With a pace in minutes each claim counts the
  minutes its kind of work takes (``settings.yaml``, ``minutes_per_action``); a claim that takes longer
  than a whole day still gets a day of its own, so the plan always moves.
- Work that comes due on a later day joins the queue that day and takes its turn by priority. Follow-ups
  that working a claim creates later (a re-check in 30 days) are not foreseen: the plan is of today's work.

``make_plan`` returns today's share (the Worklist), how many claims wait and when they come up, and the
backlog (work due today or earlier) by kind with the day it is cleared (the Dashboard). Pure: no I/O.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Sequence

# --------------------------------------------------------------------------------------------------
# Kinds of work


@dataclass(frozen=True)
class Kind:
    key: str  # the name in settings.yaml (minutes_per_action)
    label: str  # what the Dashboard calls it
    minutes: int  # built-in minutes per claim (settings.yaml overrides)
    categories: tuple[str, ...]  # the engine's action categories (Result.category) of this kind


# Every category the engine's steps return and every denials.yaml category (rules.loader.CATEGORIES) is
# in exactly one kind; tests/test_planning.py checks it. The built-in minutes are estimates (see
# settings.yaml): a portal status check is quick, a call to a payer waits on hold, an appeal is a letter.
KINDS: tuple[Kind, ...] = (
    Kind("submit", "Submit new claims", 5, ("submit",)),
    Kind("fix_and_resubmit", "Fix and resubmit claims", 15,
         ("resubmit", "correct_resubmit", "bundling", "coding_review", "eligibility", "credentialing", "cob")),
    Kind("status_check", "Check claim status", 10, ("confirm_acceptance", "status_check", "appeal_status")),
    Kind("payer_call", "Call the payer (overdue claims)", 25, ("escalate",)),
    Kind("send_records", "Send requested records", 15, ("send_docs", "records_request")),
    Kind("appeal", "Appeals and underpayment disputes", 40,
         ("appeal", "auth", "timely_filing", "underpayment", "underpayment_check")),
    Kind("patient", "Bill or call the patient", 5, ("bill_patient", "patient_resp", "patient_followup")),
    Kind("review", "Review, post or write off", 10, ("review", "noncovered", "refund_review", "post_payment",
                                                     "no_action")),
)
KIND_KEYS: tuple[str, ...] = tuple(k.key for k in KINDS)
OTHER = "review"  # a category no kind lists (a new one) counts as review work
_KIND_OF = {c: k.key for k in KINDS for c in k.categories}
_LABEL = {k.key: k.label for k in KINDS}


def kind_of(category: str) -> str:
    """The kind of work (a ``KINDS`` key) for an engine action category."""
    return _KIND_OF.get(category, OTHER)


def default_minutes() -> dict[str, int]:
    return {k.key: k.minutes for k in KINDS}


# --------------------------------------------------------------------------------------------------
# The pace: "20 claims", "90 minutes", "2 hours"

CLAIMS, MINUTES = "claims", "minutes"
MAX_CLAIMS_PER_DAY = 10_000
MAX_MINUTES_PER_DAY = 24 * 60
PACE_EXAMPLES = "'20 claims', '90 minutes' or '2 hours'"


@dataclass(frozen=True)
class Pace:
    """How much follow-up work the office does in a day."""

    amount: int
    unit: str = CLAIMS  # CLAIMS or MINUTES

    def __str__(self) -> str:
        return f"{duration(self.amount) if self.unit == MINUTES else self.cell_text()} a day"

    def cell_text(self) -> str:
        """As typed on the Settings sheet ("20 claims", "2 hours", "90 minutes"): ``parse_pace`` reads it back."""
        if self.unit == CLAIMS:
            return f"{self.amount} claim{'s' if self.amount != 1 else ''}"
        if self.amount % 60 == 0:
            hours = self.amount // 60
            return f"{hours} hour{'s' if hours != 1 else ''}"
        return f"{self.amount} minute{'s' if self.amount != 1 else ''}"


class PaceError(ValueError):
    """Text that is not a pace (the message says what was expected, without quoting it)."""


_PACE = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\.?(?:\s*(?:a|per|each|every|/)\s*(?:working\s+)?day)?$")
_UNITS = {
    **dict.fromkeys(("", "claim", "claims", "clm", "clms"), CLAIMS),
    **dict.fromkeys(("minute", "minutes", "min", "mins", "m"), MINUTES),
    **dict.fromkeys(("hour", "hours", "hr", "hrs", "h"), "hours"),
}


def parse_pace(value: object) -> Pace:
    """A pace from a Settings cell or a settings.yaml value: a number alone counts claims.

    Raises ``PaceError`` for anything else, for no work at all, or for more than a day can hold.
    """
    if isinstance(value, bool):
        raise PaceError("not a pace")
    if isinstance(value, (int, float)):
        text = f"{value:g}"
    else:
        text = " ".join(str(value).lower().replace(",", "").split())
    m = _PACE.match(text)
    unit = _UNITS.get(m.group(2)) if m else None
    if unit is None:
        raise PaceError("not a pace")
    number = float(m.group(1))
    if unit == CLAIMS:
        if not number.is_integer() or not 1 <= number <= MAX_CLAIMS_PER_DAY:
            raise PaceError("claims out of range")
        return Pace(int(number), CLAIMS)
    minutes = number * 60 if unit == "hours" else number
    if not minutes.is_integer() or not 1 <= minutes <= MAX_MINUTES_PER_DAY:
        raise PaceError("minutes out of range")
    return Pace(int(minutes), MINUTES)


def duration(minutes: int) -> str:
    """90 -> "1 hour 30 minutes", 120 -> "2 hours", 45 -> "45 minutes"."""
    hours, rest = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


# --------------------------------------------------------------------------------------------------
# The plan

MAX_PLAN_DAYS = 261  # about a year of business days: work further out is "more than a year" away


@dataclass(frozen=True)
class KindRow:
    """One line of the Dashboard's backlog table."""

    key: str
    label: str
    due_now: int  # claims of this kind due today or earlier
    minutes_each: int
    cleared_by: date | None  # the business day the last of them is worked; None: nothing due, or over a year
    days: int | None  # business days until then, today counting as 1


@dataclass(frozen=True)
class Plan:
    as_of: date
    pace: Pace
    look_ahead_days: int
    today: tuple[int, ...]  # indices into the results given, in the order to work them
    today_minutes: int
    waiting: int  # claims due by the look-ahead that are not in today's share
    waiting_last_day: date | None  # the day the last of them comes up (None: none wait, or over a year)
    waiting_days: int | None  # business days after today until then
    backlog: tuple[KindRow, ...]  # one row per kind, in ``KINDS`` order
    backlog_total: KindRow  # all kinds together (minutes_each: total minutes of the backlog)
    coming_due: int  # claims due after today, within the look-ahead

    @property
    def horizon(self) -> date:
        return self.as_of + timedelta(days=self.look_ahead_days)


def _work_days(start: date, holidays: frozenset):
    """``start``, then every business day after it."""
    yield start
    day = start
    while True:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            yield day


def make_plan(results: Sequence, as_of: date, look_ahead_days: int, pace: Pace, minutes: dict[str, int],
              holidays: frozenset = frozenset(), max_days: int = MAX_PLAN_DAYS) -> Plan:
    """Hand the open follow-up work out over business days at ``pace`` (see the module docstring).

    Args:
      results: the engine's results (``Result``); those that need no action are ignored.
      minutes: minutes per claim by kind key (``KINDS``); a missing kind takes its built-in minutes.
    """
    look = timedelta(days=max(0, look_ahead_days))
    horizon = as_of + look
    each = {**default_minutes(), **minutes}
    kinds = {c: (k, max(1, int(each[k]))) for c, k in _KIND_OF.items()}
    other = (OTHER, max(1, int(each[OTHER])))
    # (order, index, due, kind, minutes). The order is the engine's rank (1 = first), unique among the
    # claims that need action; a result without a rank (never from ``evaluate``) goes last, in input order.
    items = []
    unranked = 10**9
    for i, r in enumerate(results):
        if r.is_open and r.follow_up is not None and r.category != "none":
            kind, mins = kinds.get(r.category, other)
            items.append((r.priority if r.priority > 0 else unranked + i, i, r.follow_up, kind, mins))
    by_due = sorted(items, key=lambda it: it[2])
    tracked = sum(1 for it in items if it[2] <= horizon)  # today's Worklist pool: must all be placed
    day_of: dict[int, tuple[date, int]] = {}  # index -> (day worked, business-day number, 1 = today)
    queue: list = []
    nxt = placed = 0
    today: list[int] = []
    today_minutes = 0
    for n, day in enumerate(_work_days(as_of, holidays), start=1):
        if placed >= tracked or n > max_days:
            break
        opens = day + look
        start = nxt
        while nxt < len(by_due) and by_due[nxt][2] <= opens:
            nxt += 1
        if nxt - start > len(queue):  # many at once (the first day): one heapify beats a push each
            queue.extend(by_due[start:nxt])
            heapq.heapify(queue)
        else:
            for it in by_due[start:nxt]:
                heapq.heappush(queue, it)
        budget = pace.amount
        taken = 0
        while queue:
            cost = 1 if pace.unit == CLAIMS else queue[0][4]
            if taken and cost > budget:
                break
            key, i, due, kind, mins = heapq.heappop(queue)
            budget -= cost
            taken += 1
            day_of[i] = (day, n)
            if due <= horizon:
                placed += 1
            if n == 1:
                today.append(i)
                today_minutes += mins
            if budget <= 0:
                break

    pool = [it for it in items if it[2] <= horizon]
    waiting = [it for it in pool if day_of.get(it[1], (None, 0))[1] != 1]
    last = None
    if waiting and all(it[1] in day_of for it in waiting):
        last = max(day_of[it[1]] for it in waiting)  # (day, business-day number)
    backlog = []
    all_due = [it for it in items if it[2] <= as_of]
    by_kind: dict[str, list] = {k.key: [] for k in KINDS}
    for it in all_due:
        by_kind[it[3]].append(it)
    for k in KINDS:
        mine = by_kind[k.key]
        backlog.append(KindRow(k.key, k.label, len(mine), int(each[k.key]), *_cleared(mine, day_of)))
    total = KindRow("total", "All follow-up work due now", len(all_due), sum(it[4] for it in all_due),
                    *_cleared(all_due, day_of))
    return Plan(
        as_of=as_of, pace=pace, look_ahead_days=max(0, look_ahead_days), today=tuple(today),
        today_minutes=today_minutes, waiting=len(waiting),
        waiting_last_day=last[0] if last else None, waiting_days=(last[1] - 1) if last else None,
        backlog=tuple(backlog), backlog_total=total,
        coming_due=sum(1 for it in pool if it[2] > as_of),
    )


def _cleared(items, day_of) -> tuple[date | None, int | None]:
    """The day the last of ``items`` is worked, and its business-day number (None when never, or none)."""
    if not items or any(it[1] not in day_of for it in items):
        return None, None
    day, n = max(day_of[it[1]] for it in items)
    return day, n


# --------------------------------------------------------------------------------------------------
# What the sheets show


def kind_label(key: str) -> str:
    return _LABEL.get(key, key)


def worklist_rows(pairs: Sequence, plan: Plan) -> list[list]:
    """Today's share as Worklist rows (``table.WORKLIST_COLUMNS``), numbered 1..N in the order to work them.

    ``pairs`` are the (claim, result) pairs whose results ``plan`` was made from.
    """
    from claimbook.table.cells import clean_text

    rows = []
    for n, i in enumerate(plan.today, start=1):
        c, r = pairs[i]
        rows.append([
            n,
            c.claim_id,
            c.patient or None,
            c.payer or r.payer_name,
            clean_text(r.next_action) if r.next_action else None,
            r.follow_up,
            r.days_overdue or 0,
            round(r.at_stake, 2),
            r.tf_risk.value if r.tf_risk is not None else None,
            r.appeal_deadline,
            clean_text(r.why) if r.why else None,
        ])
    return rows


def _day(d: date) -> str:
    return f"{d:%A}, {d:%m/%d/%Y}"


def _claims(n: int, more: bool = False) -> str:
    return f"{n} {'more ' if more else ''}claim{'s' if n != 1 else ''}"


SETTING_HINT = "Settings: Follow-up work per day"


def worklist_status(plan: Plan) -> str:
    """The line above the Worklist: what today's share is, in words a first-time reader follows."""
    head = f"As of {plan.as_of:%m/%d/%Y}: "
    n = len(plan.today)
    if not n:
        return head + f"nothing to work today: no follow-up is due by {plan.horizon:%m/%d/%Y}."
    size = f"{n} claims, numbered 1 to {n} in the order to work them" if n > 1 else "1 claim"
    work = (f"about {duration(plan.today_minutes)} of work at {plan.pace}" if plan.pace.unit == MINUTES
            else f"at {plan.pace}")
    text = head + f"today's share is {size} ({work}; {SETTING_HINT})."
    if plan.waiting:
        text += f" {waiting_sentence(plan)}"
    else:
        text += f" That is everything due by {plan.horizon:%m/%d/%Y}."
    return text


def waiting_sentence(plan: Plan) -> str:
    """How many claims wait after today's share, and when they come up."""
    if not plan.waiting:
        return f"Nothing else is due by {plan.horizon:%m/%d/%Y}."
    more = f"{_claims(plan.waiting, more=True)} due by {plan.horizon:%m/%d/%Y} wait{'s' if plan.waiting == 1 else ''} their turn"
    if plan.waiting_last_day is None:
        return (f"{more}: at {plan.pace} they take more than a year, so raise Follow-up work per day on the "
                "Settings sheet.")
    if plan.waiting_days == 1:
        return f"{more}: at this pace they come up on the next business day, {_day(plan.waiting_last_day)}."
    return (f"{more}: at this pace they come up over the next {plan.waiting_days} business days, through "
            f"{_day(plan.waiting_last_day)}.")


def worklist_footer(plan: Plan) -> str:
    """The line under the Worklist's last row."""
    if not plan.today:
        return ""
    if not plan.waiting:
        return f"That is today's share, and everything due by {plan.horizon:%m/%d/%Y}."
    return (f"That is today's share. {waiting_sentence(plan)} The Dashboard shows the backlog by kind of work "
            "and when it is cleared.")


BACKLOG_HEADER = ("Kind of work", "Claims due", "Minutes each", "Hours of work", "Cleared by", "Business days")


def backlog_title(plan: Plan | None) -> str:
    if plan is None:
        return "Follow-up backlog by kind of work (shown after the first refresh)"
    return (f"Follow-up backlog: work due today or earlier, and when it is cleared at {plan.pace} "
            f"({SETTING_HINT})")


def backlog_rows(plan: Plan | None) -> list[list]:
    """The Dashboard's backlog table: header, one row per kind (always all of them), the total."""
    rows: list[list] = [list(BACKLOG_HEADER)]
    if plan is None:
        return rows + [[k.label, None, None, None, None, None] for k in KINDS] + [["All follow-up work due now"] + [None] * 5]

    def cleared(row: KindRow):
        if not row.due_now:
            return ["nothing due", None]
        if row.cleared_by is None:
            return ["over a year", None]
        return [row.cleared_by, row.days]

    for row in plan.backlog:
        hours = round(row.due_now * row.minutes_each / 60, 1)
        rows.append([row.label, row.due_now, row.minutes_each, hours, *cleared(row)])
    t = plan.backlog_total
    rows.append([t.label, t.due_now, None, round(t.minutes_each / 60, 1), *cleared(t)])
    return rows


def backlog_note(plan: Plan | None) -> list[str | None]:
    """Two short lines under the backlog table (short enough not to run under the charts beside it)."""
    if plan is None:
        return [None, None]
    coming = (f"{_claims(plan.coming_due, more=True)} come{'s' if plan.coming_due == 1 else ''} due by "
              f"{plan.horizon:%m/%d/%Y}. " if plan.coming_due else "")
    return ["Worked most important first, one business day at a time (today is day 1); work that comes due "
            "meanwhile takes its turn.",
            f"{coming}Minutes each: settings.yaml in the rules folder (minutes_per_action)."]
