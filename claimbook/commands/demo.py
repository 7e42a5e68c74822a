"""``claimbook demo``: the main job on a built-in sample of about 300 claims, as of today.

Prints today's share of the work (the Worklist, numbered 1..N, at the pace in settings.yaml), the backlog
by kind of work with the day it is cleared, and the aging summary; with ``--out`` also writes a
refreshed demo tracker workbook.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from claimbook.commands._common import parse_as_of


def add_parser(sub) -> None:
    p = sub.add_parser("demo", help="show today's worklist for a built-in sample of claims",
                       description="Evaluate a built-in sample of about 300 claims against the rules and print "
                                   "today's worklist and the aging summary.")
    p.add_argument("--as-of", metavar="DATE", help="evaluate as of this date instead of today (YYYY-MM-DD)")
    p.add_argument("--rules", metavar="DIR", help="rules folder (default: the built-in rules)")
    p.add_argument("--claims", type=int, default=300, metavar="N", help="how many sample claims (default 300)")
    p.add_argument("--out", metavar="PATH", help="also write a refreshed demo tracker workbook here (a new file: "
                                                 "an existing one is not replaced without --force)")
    p.add_argument("--force", action="store_true",
                   help="with --out: replace a file already there (it is kept as a .backup-1 copy beside it)")
    p.set_defaults(run=run)


def run(args) -> int:
    from claimbook.app.demo import run_demo
    from claimbook.planning import backlog_note, backlog_title, waiting_sentence
    from claimbook.report import aging_table, backlog_table, heading, worklist_table
    from claimbook.rules.loader import load_rules
    from claimbook.sample import sample_claims

    as_of = parse_as_of(args.as_of) or date.today()
    rules = load_rules(args.rules)
    if args.out:
        from claimbook.workbook.demo import check_demo_path

        check_demo_path(args.out, rules, args.force)  # before printing anything
    claims = sample_claims(as_of, n=args.claims)
    output = run_demo(claims, rules, as_of)
    written = []
    if args.out:  # written before anything is printed, so a reader that stops early (| head) loses nothing
        from claimbook.workbook.demo import write_demo_tracker

        replaced = args.force and (Path(args.out).expanduser().exists())
        path = write_demo_tracker(args.out, claims, rules, as_of, force=args.force)
        written.append(f"Demo tracker written to {path}")
        if replaced and rules.settings.backups_kept > 0:
            from claimbook.workbook.io import backup_path

            written.append(f"The file that was there is kept as {backup_path(path, 1).name}.")
    print(heading(as_of, len(claims), rules.folder))
    print()
    plan = output.plan
    print(f"Today's share of the work at {plan.pace}, in the order to work it (settings.yaml: workload)")
    print(worklist_table(output.worklist, len(output.worklist.rows)))
    print(waiting_sentence(plan))
    print()
    print(backlog_title(plan).replace("(Settings: Follow-up work per day)", "").rstrip())
    print(backlog_table(plan))
    print(" ".join(backlog_note(plan)))
    print()
    print("Open AR by payer and age, as on the Dashboard (dollars owed on billed claims, claim count)")
    print(aging_table(output.dashboard))
    if output.dashboard.unbilled:
        print(f"Not billed yet (on the Worklist, not in AR): ${output.dashboard.unbilled:,.2f}")
    if written:
        print()
        print("\n".join(written))
    return 0
