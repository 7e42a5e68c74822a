"""Keeping Windows' "downloaded from the internet" mark when claimbook replaces a tracker.

Windows marks a file that came by email or from a browser with an NTFS alternate data stream,
``<file>:Zone.Identifier`` (the "mark of the web"). Office opens such a file in Protected View and
blocks its macros until someone ticks *Unblock* in its Properties. claimbook saves a tracker by writing
a new file and renaming it over the old one, which would drop that stream and so silently unblock a
workbook with someone else's macros. ``carry_mark`` copies the stream of the file being replaced onto the
new file before the rename. Other systems have no such stream: nothing to do there.

The stream is read and written through ``read_stream`` and ``write_stream`` (module attributes, so a
test can put a fake stream in their place on Linux).
"""

from __future__ import annotations

import os
from pathlib import Path

from claimbook.errors import TrackerError

STREAM = ":Zone.Identifier"


def _read_stream(path: Path) -> bytes | None:
    if os.name != "nt":
        return None
    try:
        with open(str(path) + STREAM, "rb") as f:
            return f.read()
    except OSError:  # no mark (or a file system without streams)
        return None


def _write_stream(path: Path, data: bytes) -> None:
    with open(str(path) + STREAM, "wb") as f:
        f.write(data)


read_stream = _read_stream
write_stream = _write_stream


def carry_mark(old: Path, new: Path, shown_name: str) -> None:
    """Give ``new`` the mark of the web of ``old`` (nothing when ``old`` has none or does not exist).
    ``TrackerError`` when the mark cannot be kept: the file must not lose it."""
    data = read_stream(Path(old))
    if not data:
        return
    try:
        write_stream(Path(new), data)
    except OSError:
        raise TrackerError(f"{shown_name} came from the internet or an email (Windows marks such files), and "
                           "claimbook could not keep that mark on the saved file, which would unblock its macros. "
                           "Copy the file to a folder on this computer's own disk and run again; the file was not "
                           "changed.") from None
