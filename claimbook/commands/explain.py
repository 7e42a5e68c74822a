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
    from claimbook.engine import evaluate, explain
    from claimbook.engine.dates import say_date
    from claimbook.rules.loader import load_rules

    from claimbook.table import claim_key

    as_of = parse_as_of(args.as_of)
    if args.tracker:
        from claimbook.workbook.refresh import evaluate_file

        output = evaluate_file(args.tracker, as_of=as_of, rules_dir=args.rules)
        as_of, claims, results = output.as_of, output.claims, output.evaluation.results
        order = output.evaluation.text_dates
    else:
        from claimbook.sample import sample_claims

        as_of = as_of or date.today()
        claims = sample_claims(as_of)
        rules = load_rules(args.rules).for_tracker()
        results = evaluate(claims, rules, as_of).results
        order = rules.settings.text_dates
    wanted = claim_key(args.claim_id)
    for claim, result in zip(claims, results):
        if claim_key(claim.claim_id) == wanted:
            print(f"As of {say_date(as_of, order)}:")
            print(explain(claim, result, order))
            return 0
    where = args.tracker or "the demo sample"
    raise ClaimbookError(f"Claim {args.claim_id} is not in {where}: check the Claim ID column.")
