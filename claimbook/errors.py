"""Errors a person can act on. The command line and the Excel buttons catch ``ClaimbookError`` and show
``str(error)``; anything else is a bug and is reported as one (without claim data).

    ClaimbookError
    ├── RulesError        the rules folder has errors; ``.problems`` lists every one with file:line
    ├── TrackerError      a workbook that cannot be read or written (locked, corrupt, not a tracker)
    │   ├── MissingColumnsError
    │   └── UnreadableWorkbook  openpyxl could not read it (damaged, or content openpyxl cannot read)
    └── ImportFileError   a CSV/835/277 file that cannot be imported; nothing was changed
"""

from __future__ import annotations


class ClaimbookError(Exception):
    """Base of every error whose message is meant for the person using claimbook."""

    exit_code = 2


class RulesError(ClaimbookError):
    exit_code = 1

    def __init__(self, problems, folder: str = ""):
        self.problems = tuple(problems)
        self.folder = folder
        errors = [p for p in self.problems if p.severity == "error"]
        head = f"The rules in {folder} have {len(errors)} problem{'s' if len(errors) != 1 else ''}" if folder else "The rules have problems"
        super().__init__(head + ":\n" + "\n".join(f"  {p}" for p in errors)
                         + "\nNothing was changed. Fix these lines in a text editor and run again.")


class TrackerError(ClaimbookError):
    """The workbook could not be used. The message is one line and says what to do."""


class MissingColumnsError(TrackerError):
    pass


class UnreadableWorkbook(TrackerError):
    """openpyxl could not read the file. ``kind``: the error's type name (no claim data)."""

    def __init__(self, message: str, kind: str = ""):
        super().__init__(message)
        self.kind = kind


class ImportFileError(ClaimbookError):
    """A file to import was refused whole; nothing was written."""
