"""Engine benchmark: evaluate N synthetic claims and compare with a naive loop over the same rows.

The baseline is the least a spreadsheet formula would do per row: age, bucket, a fixed 90-day filing
deadline and a fixed 14-day follow-up. Both are timed in the same run (best of --repeat), and the
ratio is what to watch: the machines are shared and noisy, seconds alone mean little.

    python benchmarks/bench_engine.py [--claims 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta

from claimbook.engine import evaluate
from claimbook.model import Result, Risk
from claimbook.rules.loader import load_rules
from claimbook.sample import sample_claims

EDGES = (30, 60, 90, 120)
LABELS = ("0-30", "31-60", "61-90", "91-120", "120+")


def baseline(claims, as_of: date) -> list[tuple]:
    out = []
    for c in claims:
        age = (as_of - c.dos_from).days
        bucket = LABELS[-1]
        for edge, label in zip(EDGES, LABELS):
            if age <= edge:
                bucket = label
                break
        deadline = c.dos_from + timedelta(days=90)
        follow = (c.last_contact or c.submitted or c.dos_from) + timedelta(days=14)
        out.append((c.claim_id, age, bucket, deadline, (deadline - as_of).days, follow))
    return out


def floor(claims, as_of: date) -> list:
    """The least any engine with claimbook's output must do per claim: build one result record and
    one "why" sentence with its dates. Shows how much of the ratio no amount of tuning removes."""
    out = []
    for c in claims:
        due = (c.last_contact or c.submitted or c.dos_from) + timedelta(days=14)
        deadline = c.dos_from + timedelta(days=90)
        why = (f"Acme (payers/acme.yaml, manual): status check 14 days after electronic submission on "
               f"{c.submitted}, last contact {c.last_contact} + 14 days -> due {due}, "
               f"{(as_of - due).days} days overdue. The filing deadline is {deadline} (90 days from the date "
               f"of service {c.dos_from}; manual).")
        out.append(Result(c.claim_id, "acme", "Acme", (as_of - c.dos_from).days, "0-30", "Check status",
                          "status_check", due, 0, deadline, (deadline - as_of).days, Risk.OK, None, None, 0.0,
                          c.billed, 1.0, 0, why, (), True))
    return out


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    as_of = date(2026, 11, 23)
    rules = load_rules()
    claims = sample_claims(as_of, n=args.claims)
    base = best_of(lambda: baseline(claims, as_of), args.repeat)
    low = best_of(lambda: floor(claims, as_of), args.repeat)
    eng = best_of(lambda: evaluate(claims, rules, as_of), args.repeat)
    print(f"claims:            {args.claims:,}")
    print(f"baseline loop:     {base:.3f} s")
    print(f"floor (record + why sentence only): {low:.3f} s  ({low / base:.2f}x the baseline)")
    print(f"claimbook engine:  {eng:.3f} s  ({eng / args.claims * 1e6:.1f} us per claim)")
    print(f"ratio:             {eng / base:.2f}x the baseline (target <= 3x)")


if __name__ == "__main__":
    main()
