"""``claimbook explain CLAIM_ID [TRACKER]``: why claimbook says what it says about one claim."""

from __future__ import annotations

from datetime import date

from claimbook.commands._common import parse_as_of
from claimbook.errors import ClaimbookError


def add_parser(sub) -> None:
    p = sub.add_parser("explain", help="explain the next action, dates and priority of one claim",
                       description="Show the next action, the deadlines, the priority and the rule behind them "
                                   "for one claim in a tracker workbook (or in the built-in demo sample).")
    p.add_argument("claim_id", metavar="CLAIM_ID")
    p.add_argument("tracker", nargs="?", metavar="TRACKER",
                   help="the tracker workbook (.xlsx/.xlsm); without it, the demo sample is used")
    p.add_argument("--as-of", metavar="DATE", help="as of this date instead of today (YYYY-MM-DD)")
    p.add_argument("--rules", metavar="DIR", help="rules folder (default: as the tracker's Settings say)")
    p.set_defaults(run=run)


def run(args) -> int:
    from claimbook.app.refresh import find_claim
    from claimbook.engine import explain
    from claimbook.engine.dates import say_date

    as_of = parse_as_of(args.as_of)
    if args.tracker:
        from claimbook.workbook.refresh import evaluate_file

        output = evaluate_file(args.tracker, as_of=as_of, rules_dir=args.rules)
    else:
        from claimbook.app.demo import run_demo
        from claimbook.rules.loader import load_rules
        from claimbook.sample import sample_claims

        as_of = as_of or date.today()
        output = run_demo(sample_claims(as_of), load_rules(args.rules).for_tracker(), as_of)
    found = find_claim(output, args.claim_id)
    if found is None:
        where = args.tracker or "the demo sample"
        raise ClaimbookError(f"Claim {args.claim_id} is not in {where}: check the Claim ID column.")
    order = output.evaluation.text_dates
    print(f"As of {say_date(output.as_of, order)}:")
    print(explain(*found, order))
    return 0
