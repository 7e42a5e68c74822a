"""``claimbook template build|check``: build ``templates/ClaimTracker.xlsm`` from its text sources, or check
that the committed file is exactly what the sources build (for CI and before a commit)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from claimbook.errors import ClaimbookError


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "template", help="build or check the Excel workbook template (ClaimTracker.xlsm)",
        description="The macro-enabled tracker templates/ClaimTracker.xlsm is built from text sources in "
                    "claimbook/template_src (ribbon, VBA) and the sheet layout; it never needs Excel.")
    sub = parser.add_subparsers(dest="template_command", metavar="ACTION")
    build = sub.add_parser("build", help="build the template from its sources",
                           description="Build ClaimTracker.xlsm from its sources. Building twice gives the "
                                       "same bytes.")
    build.add_argument("--out", metavar="PATH",
                       help="where to write it (default: templates/ClaimTracker.xlsm in the checkout); a file "
                            "already there is not replaced without --force")
    build.add_argument("--force", action="store_true",
                       help="with --out: replace a file already there (it is kept as a .backup-1 copy beside it)")
    build.set_defaults(run=run_build)
    check = sub.add_parser("check", help="check the committed template equals a fresh build",
                           description="Rebuild the template in memory and compare it with the committed "
                                       "file. Exit code 1 if they differ.")
    check.add_argument("--file", metavar="PATH",
                       help="the file to check (default: templates/ClaimTracker.xlsm in the checkout)")
    check.set_defaults(run=run_check)
    parser.set_defaults(run=lambda args: (parser.print_help(), 2)[1])


NOT_A_CHECKOUT = ("claimbook is installed here, not run from its source folder, so there is no "
                  "templates/ClaimTracker.xlsm to {what}. {how}")


def run_build(args) -> int:
    from claimbook.rules.schema import Settings
    from claimbook.template.build import build_template, in_checkout
    from claimbook.workbook.io import backup_path, check_new_file

    if not args.out and not in_checkout():
        raise ClaimbookError(NOT_A_CHECKOUT.format(what="rebuild", how="Say where to write it: "
                                                   "claimbook template build --out ClaimTracker.xlsm"))
    backups = 0
    replaced = False
    if args.out:  # the user's own file name: maybe a tracker with claims, so never replaced without --force
        target = Path(args.out).expanduser()
        backups = Settings().backups_kept if args.force else 0
        check_new_file(target, "template build", args.force, Settings().backups_kept, example="ClaimTracker.xlsm")
        replaced = target.exists()
    try:
        path = build_template(Path(args.out).expanduser() if args.out else None, backups_kept=backups)
    except OSError as err:
        raise ClaimbookError(f"Could not write the template: {err.strerror or err} ({err.filename or args.out}).") \
            from None
    print(f"Built {path}")
    if replaced and backups:
        print(f"The file that was there is kept as {backup_path(path, 1).name}.")
    return 0


def differences(committed: bytes, fresh: bytes) -> list[str]:
    """Plain lines saying how two template files differ (empty when the bytes are equal)."""
    if committed == fresh:
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(committed)) as a, zipfile.ZipFile(io.BytesIO(fresh)) as b:
            old = {n: a.read(n) for n in a.namelist()}
            new = {n: b.read(n) for n in b.namelist()}
    except zipfile.BadZipFile:
        return ["the committed file is not a readable workbook (zip) file"]
    lines = [f"changed: {n}" for n in new if n in old and old[n] != new[n]]
    lines += [f"missing from the committed file: {n}" for n in new if n not in old]
    lines += [f"not in a fresh build: {n}" for n in old if n not in new]
    if not lines:
        lines = ["every part has the same content, but the zip bytes differ (part order or compression; "
                 "a different zlib can compress differently)"]
    return lines


def run_check(args) -> int:
    from claimbook.template.build import build_template_bytes, default_template_path, in_checkout

    if not args.file and not in_checkout():
        raise ClaimbookError(NOT_A_CHECKOUT.format(what="check", how="Name the file: claimbook template "
                                                   "check --file ClaimTracker.xlsm"))
    path = Path(args.file) if args.file else default_template_path()
    if not path.is_file():
        print(f"{path} does not exist. Run 'claimbook template build' and commit the file.")
        return 1
    diff = differences(path.read_bytes(), build_template_bytes())
    if not diff:
        print(f"{path} is up to date: it is exactly what the sources build.")
        return 0
    print(f"{path} is out of date: it differs from a fresh build of its sources.")
    for line in diff[:20]:
        print(f"  {line}")
    print("Run 'claimbook template build' and commit templates/ClaimTracker.xlsm.")
    return 1
