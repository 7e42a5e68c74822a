"""``claimbook explain CLAIM_ID [TRACKER]``: why claimbook says what it says about one claim.

Without TRACKER it reads the one tracker in the current folder (``_tracker.find_tracker``); ``--demo``
explains a claim of the built-in demo sample instead (the claims ``claimbook demo`` prints).
"""

from __future__ import annotations

from datetime import date

from claimbook.commands._common import parse_as_of
from claimbook.errors import ClaimbookError


def add_parser(sub) -> None:
    p = sub.add_parser("explain", help="explain the next action, dates and priority of one claim",
                       description="Show the next action, the deadlines, the priority and the rule behind them "
                                   "for one claim in a tracker workbook (or, with --demo, in the built-in demo "
                                   "sample).")
    p.add_argument("claim_id", metavar="CLAIM_ID")
    p.add_argument("tracker", nargs="?", metavar="TRACKER",
                   help="the tracker workbook (.xlsx/.xlsm); without it, the one tracker in the current folder")
    p.add_argument("--demo", action="store_true",
                   help="explain a claim of the built-in demo sample (as 'claimbook demo' prints it) instead")
    p.add_argument("--as-of", metavar="DATE", help="as of this date instead of today (YYYY-MM-DD)")
    p.add_argument("--rules", metavar="DIR", help="rules folder (default: as the tracker's Settings say)")
    p.set_defaults(run=run)


def run(args) -> int:
    from claimbook.app.refresh import find_claim
    from claimbook.engine import explain
    from claimbook.engine.dates import say_date

    as_of = parse_as_of(args.as_of)
    if args.demo and args.tracker:
        raise ClaimbookError("Give a tracker or --demo, not both: --demo explains a claim of the built-in demo "
                             "sample.")
    tracker = None
    if not args.demo:
        from claimbook.commands._tracker import say_found, tracker_or_found
        from claimbook.workbook.refresh import evaluate_file

        tracker, found_here = tracker_or_found(args.tracker, f"claimbook explain {args.claim_id} ClaimTracker.xlsm "
                                                             f"(or, for the demo sample: claimbook explain "
                                                             f"{args.claim_id} --demo)")
        if found_here:
            say_found(tracker)
        output = evaluate_file(tracker, as_of=as_of, rules_dir=args.rules)
    else:
        from claimbook.app.demo import run_demo
        from claimbook.rules.loader import load_rules
        from claimbook.sample import sample_claims

        as_of = as_of or date.today()
        output = run_demo(sample_claims(as_of), load_rules(args.rules).for_tracker(), as_of)
    found = find_claim(output, args.claim_id)
    if found is None:
        if tracker is None:
            raise ClaimbookError(f"Claim {args.claim_id} is not in the demo sample: its Claim IDs are those "
                                 "'claimbook demo' prints, such as C26000.")
        raise ClaimbookError(f"Claim {args.claim_id} is not in {tracker.name}: check the Claim ID column.")
    order = output.evaluation.text_dates
    print(f"As of {say_date(output.as_of, order)}:")
    print(explain(*found, order))
    return 0
