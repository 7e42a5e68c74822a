"""What kind of file is this? Decided from the content (ISA header, GS08, ST01), never the extension."""

from __future__ import annotations

import os

_SNIFF_BYTES = 64 * 1024


def sniff(path: str | os.PathLike[str]) -> str | None:
    """``"835"``, ``"277"`` (277 or 277CA), ``"csv"``, or None when claimbook cannot import the file."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except OSError:
        return None
    return sniff_bytes(head)


def sniff_bytes(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its BOM (Excel's "Unicode Text")
        head = head[: len(head) // 2 * 2].decode("utf-16", errors="replace").encode("utf-8")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if b"\x00" in head or head.startswith(b"PK\x03\x04"):
        return None  # binary: a workbook, a zip, UTF-16 ...
    text = head.decode("latin-1").lstrip(" \t\r\n")
    if text.startswith("ISA"):
        return _sniff_x12(text)
    return "csv" if _looks_delimited(text) else None


def _sniff_x12(text: str) -> str | None:
    from .envelope import pad_isa

    text, _ = pad_isa(text)  # "ISA*00* *00* *ZZ*NVMED *...": fields not padded to their widths
    if len(text) < 106:
        return None
    ele = text[3]
    seg_term = text[105]
    gs08 = st01 = ""
    for raw in text.split(seg_term)[1:40]:
        parts = raw.strip().split(ele)
        if parts[0] == "GS" and len(parts) > 8 and not gs08:
            gs08 = parts[8].strip()
        elif parts[0] == "ST" and len(parts) > 1:
            st01 = parts[1].strip()
            break
    if st01 == "835" or gs08.startswith("005010X221"):
        return "835"
    if st01 == "277" or gs08 in ("005010X212", "005010X214"):
        return "277"
    return None


def _looks_delimited(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return False
    # A report exported to CSV may start with a title line or two of one cell each (no delimiter) above
    # its column headings: any of the first lines being delimited makes it a CSV.
    return any(delim in line for line in lines[:10] for delim in (",", ";", "\t", "|"))
