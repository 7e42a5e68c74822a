"""The file dialog behind the ribbon's *Import remittance* button.

Windows asks Excel itself (``Application.GetOpenFilename``). On a Mac, xlwings cannot show Excel's
dialog, so AppleScript's ``choose file`` runs through ``osascript``. Only its error -128 ("User
canceled") means the person pressed Cancel; any other failure (most often macOS refusing Excel or
Python permission to run scripts, error -1743) becomes a plain message instead of silence.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from claimbook.errors import TrackerError

TITLE = "Import remittance (835) or claim status (277) files"
FILTER = ("Remittance and status files (*.835;*.277;*.edi;*.x12;*.txt;*.csv),*.835;*.277;*.edi;*.x12;*.txt;*.csv,"
          "All files (*.*),*.*")
OSASCRIPT = (f'set picked to choose file with prompt "{TITLE}" with multiple selections allowed\n'
             'set out to ""\n'
             'repeat with f in picked\n'
             '  set out to out & POSIX path of f & linefeed\n'
             'end repeat\n'
             'return out')
CANCELLED = "(-128)"  # osascript: "execution error: User canceled. (-128)"
BY_HAND = "Or import from Terminal instead: claimbook import FILE --into TRACKER"


def pick_files(book) -> list[Path]:
    """Files chosen in the system's file dialog; [] when the person cancels."""
    if sys.platform.startswith("win"):
        got = book.app.api.GetOpenFilename(FILTER, 1, TITLE, "Import", MultiSelect=True)
        if got is False or got is None or got == "False":
            return []
        return [Path(p) for p in ((got,) if isinstance(got, str) else got)]
    if sys.platform == "darwin":
        return _pick_on_a_mac()
    raise TrackerError("Choosing files needs Excel on Windows or macOS. Use the command line instead: "
                       "claimbook import FILE --into TRACKER")


def _pick_on_a_mac() -> list[Path]:
    try:
        done = subprocess.run(["osascript", "-e", OSASCRIPT], capture_output=True, text=True,  # noqa: S603, S607
                              check=False, timeout=3600)
    except (OSError, subprocess.SubprocessError) as err:
        raise TrackerError(f"The file dialog could not be opened ({type(err).__name__}). {BY_HAND}") from None
    if done.returncode == 0:
        return [Path(line) for line in done.stdout.splitlines() if line.strip()]
    said = (done.stderr or "").strip()
    if CANCELLED in said:
        return []
    reason = said.splitlines()[-1] if said else f"osascript stopped with code {done.returncode}"
    raise TrackerError(
        "The file dialog could not be opened; nothing was imported. macOS said: " + reason + "\n\n"
        "Most often the Mac has not allowed Excel to run scripts. Open System Settings > Privacy & "
        "Security > Automation (and Files and Folders) and allow Microsoft Excel, then press Import "
        "remittance again. " + BY_HAND)
