"""Windows user folders with letters Excel's macros cannot pass on (``claimbook excel install``).

xlwings' VBA (``xlwings.bas``) tests the interpreter with ``GetAttr``, reads the temp folder with
``Environ("Temp")`` and reads Python's messages back with ``Open``. Those VBA statements go through the
computer's ANSI code page: a path with a letter outside it (a Greek, Cyrillic or Chinese user name on a
Western Windows, say) turns into question marks, and the buttons fail with "Could not find Interpreter!"
or an unreadable error. ``excel install`` then writes paths the code page can hold: the 8.3 short form
of the same folder (``C:\\Users\\ZOE~1\\...``), or for xlwings' temporary files (the ``TEMP DIR``
setting of the xlwings.conf sheet) a folder under Public. When neither works it says so plainly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def ansi_codepage() -> str | None:
    """The Windows ANSI code page ('cp1252', ...); None elsewhere."""
    if not sys.platform.startswith("win"):
        return None
    import ctypes

    return f"cp{ctypes.windll.kernel32.GetACP()}"


def fits(path: str, codepage: str) -> bool:
    try:
        path.encode(codepage)
    except UnicodeEncodeError:
        return False
    except LookupError:  # a code page Python does not know: only plain ASCII is certain
        return path.isascii()
    return True


def short_path(path: str) -> str | None:
    """Windows' 8.3 short form of an existing path (None when the volume keeps no short names)."""
    if not sys.platform.startswith("win"):
        return None
    import ctypes

    size = ctypes.windll.kernel32.GetShortPathNameW(path, None, 0)
    if not size:
        return None
    buffer = ctypes.create_unicode_buffer(size)
    if not ctypes.windll.kernel32.GetShortPathNameW(path, buffer, size):
        return None
    return buffer.value


def public_temp(environ=os.environ) -> Path | None:
    public = environ.get("PUBLIC")
    return Path(public) / "claimbook" / "temp" if public else None


def windows_settings(interpreter: str, temp: str, codepage: str, shorten=short_path,
                     public: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """(xlwings.conf values to write, problems in plain words) for a Windows user folder."""
    values: dict[str, str] = {}
    problems: list[str] = []
    if not fits(interpreter, codepage):
        short = shorten(interpreter)
        if short and fits(short, codepage):
            values["INTERPRETER_WIN"] = short
        else:
            problems.append(
                f"The path of Python ({interpreter}) has letters Excel's macros cannot pass on, and Windows "
                "keeps no short name for it. Ask your IT person to install Python and claimbook in a folder "
                "whose name has only plain letters (for example C:\\claimbook), then run "
                "'claimbook excel install' from there.")
    if not fits(temp, codepage):
        short = shorten(temp)
        if short and fits(short, codepage):
            values["TEMP DIR"] = short
        elif public is not None and fits(str(public), codepage):
            public.mkdir(parents=True, exist_ok=True)
            values["TEMP DIR"] = str(public)
        else:
            problems.append(
                f"The temporary folder ({temp}) has letters Excel's macros cannot pass on. Ask your IT person "
                "for a temporary folder with only plain letters in its name and write it beside TEMP DIR on "
                "the tracker's xlwings.conf sheet.")
    return values, problems
