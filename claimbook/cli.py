"""The ``claimbook`` command: parse the arguments, call the library, print, pick an exit code.

Each subcommand lives in ``claimbook/commands/<name>.py`` with ``add_parser(subparsers)`` and
``run(args) -> int``. Exit codes: 0 fine; 1 the rules have errors; 2 bad input, or a file that cannot
be read or written (nothing was changed); 3 a bug inside claimbook (no traceback unless CLAIMBOOK_DEBUG=1).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from claimbook.errors import ClaimbookError

# Order here is the order in --help.
COMMANDS = ("demo", "refresh", "import_", "explain", "init", "rules", "template", "excel")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claimbook",
        description="Keep every insurance claim moving from submission to payment.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"claimbook.commands.{name}")
        except ModuleNotFoundError as exc:  # pragma: no cover - only while a command is being written
            if exc.name != f"claimbook.commands.{name}":
                raise
            continue
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except ClaimbookError as err:
        print(f"claimbook: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("claimbook: stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``claimbook demo | head``): not an error worth a message.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as err:  # noqa: BLE001 - last line of defence: no traceback for an office manager
        # The message names the kind of failure only: exception text can quote claim data.
        print(
            f"claimbook: something went wrong inside claimbook ({type(err).__name__}). Nothing was saved "
            "by the step that failed. Run again with CLAIMBOOK_DEBUG=1 to see the details for a bug report.",
            file=sys.stderr,
        )
        import os

        if os.environ.get("CLAIMBOOK_DEBUG"):
            raise
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
