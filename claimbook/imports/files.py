"""Every file of an import read, recognised (CSV, 835, 277) and checked before anything is planned."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from claimbook.errors import ImportFileError
from claimbook.imports.csvfile import read_claims_csv

def sniff(path: Path, head: bytes) -> str:
    """The kind of a file from its first bytes: "x12" or "csv" (by ``claimbook.x12.sniff_bytes``);
    ImportFileError saying what the file is instead. Any ISA envelope counts as X12, so an 837 or a
    4010 file is refused by the X12 reader with the segment named."""
    from claimbook.x12.detect import sniff_bytes

    from claimbook.x12.envelope import no_envelope

    if no_envelope(head.decode("latin-1")):
        return "x12"  # an 835/277 without its ISA/GS envelope: the X12 reader says so
    kind = sniff_bytes(head)
    if kind == "csv":
        return "csv"
    if kind is not None or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"ISA"):
        return "x12"
    if head.lstrip(b"\xef\xbb\xbf").startswith(b"PK\x03\x04"):
        raise ImportFileError(f"{path.name} is a workbook or zip file; export the claims as CSV and import that")
    if b"\x00" in head:
        hint = ""
        if head.count(b"\x00") * 4 >= len(head):  # every other byte zero: UTF-16 text without its BOM
            hint = (". If it is a claims list saved from Excel as \"Unicode Text\", open it in Excel and use "
                    "File > Save As > \"CSV UTF-8 (Comma delimited)\", then import that file")
        raise ImportFileError(f"{path.name} is not a text file claimbook can import (CSV, 835 or 277){hint}")
    raise ImportFileError(f"{path.name} is not a CSV file with a header row, an 835 or a 277 file: no line near its "
                          "top has columns separated by commas, semicolons or tabs. claimbook expects the claim "
                          "list as CSV, with a row of column headings (Claim ID, Payer, Date of Service...). Export "
                          "it from your practice system as CSV (the data export, not the printed report), or open "
                          "it in Excel and save it as \"CSV UTF-8 (Comma delimited)\", then import that file.")


def read_x12(path: Path):
    """Parse an 835/277 file with ``claimbook.x12`` (validated; a bad file raises ImportFileError)."""
    try:
        from claimbook.x12 import read_payer_file
    except ImportError:
        raise ImportFileError(f"{path.name} is an X12 (835/277) file; importing those is not available in "
                              "this version") from None
    return read_payer_file(path)


@dataclass
class Batch:
    """One file, read and checked: ``label`` None means it was skipped (already imported) or refused
    (``refused`` holds why: the file cannot be read safely, nothing is imported from it)."""

    path: Path
    digest: str
    label: str | None  # "claims CSV", "X12" or None
    payload: object  # CSV records, or the parsed Remittance / StatusReport
    notes: list[str]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why): rows left out when read
    refused: str | None = None  # the reason the whole file was refused (ImportFileError's message)


def prepare(files, aliases: dict[str, str], seen: dict[str, object], again: bool = False) -> list[Batch]:
    """Read, recognise, parse and validate every file. A file that cannot be read safely becomes a refused
    batch (its reason kept); the other files are still imported. When no file can be imported and at
    least one was refused, ``ImportFileError`` says why for each (one file: its own message)."""
    batches: list[Batch] = []
    for f in map(Path, files):
        try:
            batches.append(_prepare_one(f, aliases, seen, again, batches))
        except ImportFileError as err:
            batches.append(Batch(f, "", None, [], [], refused=str(err)))
    refused = [b for b in batches if b.refused]
    if refused and not any(b.label for b in batches):
        if len(refused) == 1:
            raise ImportFileError(refused[0].refused)
        raise ImportFileError("No file was imported; every file was refused or already imported:\n"
                              + "\n".join(f"  {b.refused}" for b in refused))
    return batches


def _prepare_one(f: Path, aliases: dict[str, str], seen: dict[str, object], again: bool,
                 batches: list[Batch]) -> Batch:
    """One file read and checked (``ImportFileError`` when it cannot be imported)."""
    try:  # hashed and read in pieces: a large CSV is never held whole in memory
        with open(f, "rb") as stream:
            head = stream.read(4096)
            stream.seek(0)
            digest = hashlib.file_digest(stream, "sha256").hexdigest()
    except FileNotFoundError:
        raise ImportFileError(f"{f} was not found; nothing was imported from it") from None
    except OSError as err:
        raise ImportFileError(f"{f.name} could not be read ({err.strerror}); nothing was imported from it") \
            from None
    if digest in seen and not again:
        when = seen[digest]
        when = when.strftime("%m/%d/%Y") if hasattr(when, "strftime") else "before"
        return Batch(f, digest, None, [], [f"already imported {when}; skipped (use --again to import it again)"])
    if any(b.digest == digest and b.label is not None for b in batches):
        return Batch(f, digest, None, [], ["the same file is listed twice; imported once"])
    if sniff(f, head) == "csv":
        records, notes, skipped = read_claims_csv(f, None, aliases)
        return Batch(f, digest, "claims CSV", records, notes, skipped)
    # parsed (and validated) now; planned against the rows as they stand when its turn comes
    return Batch(f, digest, "X12", read_x12(f), [])
