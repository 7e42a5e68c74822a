"""The sizes claimbook accepts, checked before a file is loaded (docs/data-safety.md lists them).

openpyxl builds every cell of a workbook in memory (about 500 bytes a cell), so a workbook is sized
before it is loaded, from the zip file itself: its size on disk, the unpacked size and compression
ratio of every part (a "zip bomb" unpacks to gigabytes), and the cells and rows of every worksheet,
counted by streaming each sheet's XML through zlib and counting ``<c`` and ``<row`` tags (about a
second per 100 MB of XML, stopping as soon as a limit is passed; nothing is parsed). Cells count as
written in the file: one stray cell far below the claims is one cell, not a million rows.

A claims CSV is read as a stream and refused past ``MAX_CSV_BYTES`` or ``MAX_CSV_ROWS`` rows; an import
that would take the Claims table past ``MAX_CLAIMS`` claims is refused before anything is written.
The memory these limits allow is measured by ``benchmarks/stress_limits.py``.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

from claimbook.errors import TrackerError
from claimbook.imports.sizes import MAX_CLAIMS, MAX_CSV_BYTES, MAX_CSV_ROWS, MB, claims_past_limit_message  # noqa: F401

MAX_FILE_BYTES = 100 * MB  # the workbook file on disk
MAX_UNPACKED_BYTES = 1_000 * MB  # all its parts unpacked
MAX_PARTS = 10_000  # files inside the workbook's zip
MAX_RATIO = 100  # unpacked / packed, for any part bigger than RATIO_FROM
RATIO_FROM = 1 * MB
MAX_CELLS = 3_800_000  # cells written in the file, all sheets together (measured: 2.1 GB to refresh)
MAX_SHEET_ROWS = 250_000  # rows written in the file, in any one sheet

_CHUNK = 1 << 20
_WORKSHEET_REL = "/worksheet"


def _advice(name: str) -> str:
    return (f" Move older claims to an archive workbook (or delete sheets you no longer need) and run again; "
            f"{name} was not changed.")


def _refuse(name: str, what: str) -> TrackerError:
    return TrackerError(f"{name} is too large for claimbook: {what}.{_advice(name)}")


def _worksheet_parts(z: zipfile.ZipFile, names: set[str]) -> list[str]:
    from xml.etree import ElementTree as ET

    try:
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError, zipfile.BadZipFile, OSError):
        return sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    out = []
    for rel in rels:
        if not (rel.get("Type") or "").endswith(_WORKSHEET_REL):
            continue
        t = rel.get("Target") or ""
        part = t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join("xl", t))
        if part in names:
            out.append(part)
    return out


def count_tags(stream, stop_cells: int | None = None) -> tuple[int, int]:
    """(cells, rows) written in a worksheet's XML, read from a binary stream in 1 MB pieces. Counting stops
    once ``stop_cells`` is passed."""
    head = stream.read(_CHUNK)
    m = re.search(rb"<(\w{1,16}:)?worksheet[\s>]", head)
    prefix = (m.group(1) or b"") if m else b""
    cell_tags = (b"<" + prefix + b"c ", b"<" + prefix + b"c>")
    row_tags = (b"<" + prefix + b"row ", b"<" + prefix + b"row>")
    cells = rows = 0
    tail = b""
    buf = head
    while buf:
        both = tail + buf
        cells += sum(both.count(t) - tail.count(t) for t in cell_tags)
        rows += sum(both.count(t) - tail.count(t) for t in row_tags)
        if stop_cells is not None and cells > stop_cells:
            break
        tail = both[-24:]
        buf = stream.read(_CHUNK)
    return cells, rows


def check_workbook(path: Path) -> None:
    """``TrackerError`` (nothing loaded, nothing changed) for a workbook past the limits. A file that is
    no zip at all is left to the loader, which calls it damaged."""
    name = path.name
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _refuse(name, f"the file is {size / MB:,.0f} MB, and claimbook opens workbooks up to "
                            f"{MAX_FILE_BYTES // MB:,} MB")
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with z:
        infos = z.infolist()
        if len(infos) > MAX_PARTS:
            raise _refuse(name, f"it is made of {len(infos):,} parts (claimbook's limit is {MAX_PARTS:,})")
        for i in infos:
            if i.file_size > RATIO_FROM and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise TrackerError(f"{name} cannot be opened safely: a part inside it unpacks to "
                                   f"{i.file_size // max(i.compress_size, 1):,} times its packed size (claimbook "
                                   f"accepts up to {MAX_RATIO} times), as damaged or booby-trapped files do. Open "
                                   f"it in Excel and save it again, or use a backup copy; {name} was not changed.")
        unpacked = sum(i.file_size for i in infos)
        if unpacked > MAX_UNPACKED_BYTES:
            raise _refuse(name, f"it unpacks to {unpacked / MB:,.0f} MB, and claimbook's limit is "
                                f"{MAX_UNPACKED_BYTES // MB:,} MB")
        names = {i.filename for i in infos}
        cells = 0
        for part in _worksheet_parts(z, names):
            try:
                with z.open(part) as stream:
                    got, rows = count_tags(stream, MAX_CELLS - cells)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
                return  # damaged: the loader says so
            cells += got
            if cells > MAX_CELLS:
                raise _refuse(name, f"it has more than {MAX_CELLS:,} cells with something in them, and "
                                    f"claimbook's limit is {MAX_CELLS:,}")
            if rows > MAX_SHEET_ROWS:
                raise _refuse(name, f"one of its sheets has {rows:,} rows with something in them, and "
                                    f"claimbook's limit is {MAX_SHEET_ROWS:,} a sheet")


def claims_limit_message(name: str, rows: int) -> str:
    return (f"This import would give {name} {rows:,} claim rows, and claimbook keeps at most {MAX_CLAIMS:,} in "
            "one tracker. Move older (closed) claims to an archive workbook, or import a shorter export (a "
            f"narrower date range); {name} was not changed.")

