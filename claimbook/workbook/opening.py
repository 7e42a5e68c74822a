"""Opening a tracker file with openpyxl: refuse a file Excel has open, a file that is not a workbook,
and content openpyxl would change or lose on saving (dates it cannot read, pictures, buttons, rules).
"""

from __future__ import annotations

import os
import posixpath
import re
import warnings
import zipfile
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path

from claimbook.errors import TrackerError, UnreadableWorkbook


CLAIMS_NAME = "Claims"
LOG_NAMES = ("FollowUpLog", "Follow-up Log", "FollowupLog", "Log")
SETTINGS_SHEET = "Settings"
DATE_FORMAT = "mm/dd/yyyy"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_PLAIN = (str, int, float, bool, datetime, date, time, timedelta, type(None))


def _lock_files(path: Path) -> list[Path]:
    # Excel's owner file is "~$" + the name, with the first two characters dropped for long names.
    names = {"~$" + path.name, "~$" + path.name[2:]} if len(path.name) > 2 else {"~$" + path.name}
    found = [path.with_name(n) for n in names]
    real = Path(os.path.realpath(path))
    if real != path:  # a link: Excel may have the real file open
        found += [p for p in _lock_files(real) if p not in found]
    return found


# Files that are imported into a tracker, not refreshed: point to ``claimbook import``.
_IMPORT_SUFFIXES = (".csv", ".tsv", ".txt", ".835", ".277", ".edi", ".x12", ".era")


def check_not_open(path: Path) -> None:
    """Refuse a workbook whose Excel lock file (``~$...``) is beside it."""
    for lock in _lock_files(path):
        if lock.exists():
            raise TrackerError(f"{path.name} seems to be open in Excel (its lock file {lock.name} is beside it). "
                               f"Close Excel and run again; if Excel is not open, {lock.name} is left over from "
                               "an earlier Excel session: delete it (it may be a hidden file) and run again.")


def check_file(path: Path) -> None:
    """Refuse a workbook that is missing, of another kind, or open in Excel (nothing is changed)."""
    if path.is_dir():
        raise TrackerError(f"{path} is a folder, not a tracker file. Give the workbook's file name, "
                           f"e.g. {path / 'ClaimTracker.xlsm'}.")
    if not path.is_file():
        raise TrackerError(f"{path} was not found. Check the file name and folder.")
    suffix = path.suffix.lower()
    if suffix in _IMPORT_SUFFIXES:
        raise TrackerError(f"{path.name} is a file to import, not a tracker workbook (.xlsx or .xlsm). To bring "
                           f"it into your tracker, run: claimbook import {path.name} --into ClaimTracker.xlsm "
                           "(with your tracker's name).")
    if suffix not in (".xlsx", ".xlsm"):
        raise TrackerError(f"{path.name} is not an .xlsx or .xlsm workbook. Save it from Excel as .xlsm and try again.")
    check_not_open(path)
    check_writable(path)


def check_writable(path: Path) -> None:
    """Refuse, in plain words, a file that another program has locked or that is read-only."""
    try:
        with open(path, "r+b"):
            pass
    except PermissionError:
        raise TrackerError(f"{path.name} is locked or read-only (open in another program?). "
                           "Close it or check its permissions, then run again.") from None


def load(path: Path):
    """The workbook, macros and ribbon kept for .xlsm. Damaged files raise ``TrackerError``."""
    import openpyxl

    check_file(path)
    from claimbook.workbook.limits import check_workbook

    check_workbook(path)  # sized from the zip before openpyxl builds any cell
    try:
        cannot_keep = content_openpyxl_drops(path)
        with warnings.catch_warnings(record=True) as said, _no_lotus_leap_day():
            warnings.simplefilter("always")  # openpyxl's own warnings are no message for a person: kept here
            wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm", rich_text=False)
    except PermissionError:
        raise TrackerError(f"{path.name} is locked (open in another program?). Close it, then run again.") from None
    except Exception as err:  # noqa: BLE001 - zip, XML and openpyxl errors all mean "cannot read this"
        raise UnreadableWorkbook(
            f"{path.name} could not be read as an Excel workbook ({type(err).__name__}): the file may be "
            "damaged. Open it in Excel to repair it, or use a backup copy.", type(err).__name__
        ) from None
    _reindex_styles(wb)
    wb._claimbook_cannot_keep = (path.name, cannot_keep)  # refused at save_atomic, before anything is written
    wb._claimbook_lost_dates = (path.name, _lost_dates(wb, [str(w.message) for w in said]))  # likewise
    return wb


# openpyxl turns a date-formatted number it cannot make a date of into the error #VALUE! (and warns), and
# reads Excel's serial 60 (the 29 February 1900 that Excel counts, for Lotus 1-2-3) as 28 February, which
# it saves back as 59. Saving either would change the practice's own cell, so both are refused.
_DATE_WARNING = re.compile(r"Cell (\$?[A-Z]{1,3}\$?\d+) is marked as a date but the serial value (\S+) is outside")


@contextmanager
def _no_lotus_leap_day():
    """While loading: serial 60 (1900-02-29) fails like an out-of-range date, so openpyxl warns about it."""
    from openpyxl.utils.datetime import WINDOWS_EPOCH
    from openpyxl.worksheet import _reader

    original = getattr(_reader, "from_excel", None)
    if original is None:
        yield
        return

    def from_excel(value, epoch=WINDOWS_EPOCH, timedelta=False):
        if not timedelta and epoch == WINDOWS_EPOCH and isinstance(value, (int, float)) and 60 <= value < 61:
            raise ValueError("29 February 1900 is not a date")
        return original(value, epoch, timedelta=timedelta)

    _reader.from_excel = from_excel
    try:
        yield
    finally:
        _reader.from_excel = original


def _lost_dates(wb, warned: list[str]) -> list[tuple[str, str, str]]:
    """(sheet, cell, serial) of each date-formatted number openpyxl could not read as a date. Its warning
    names the cell only; sheets are read in order, so each warning belongs to the first sheet (from the
    previous warning's on) whose cell there now holds the error #VALUE!."""
    found = []
    sheets = wb.worksheets
    at = 0
    for text in warned:
        m = _DATE_WARNING.search(text)
        if not m:
            continue
        coord, serial = m.group(1).replace("$", ""), m.group(2)
        for i in range(at, len(sheets)):
            cell = sheets[i]._cells.get(_coordinate(coord))
            if cell is not None and cell.data_type == "e" and cell._value == "#VALUE!":
                found.append((sheets[i].title, coord, serial))
                at = i
                break
        else:
            found.append(("", coord, serial))
    return found


def _coordinate(coord: str) -> tuple[int, int]:
    from openpyxl.utils.cell import coordinate_to_tuple

    return coordinate_to_tuple(coord)


def _lost_dates_message(source: str, lost: list[tuple[str, str, str]]) -> str:
    sheet, coord, serial = lost[0]
    where = f"cell {coord}" + (f" on the {sheet} sheet" if sheet else "")
    others = [f"{s}!{c}" if s else c for s, c, _v in lost[1:6]] + ([f"{len(lost) - 6} more"] if len(lost) > 6 else [])
    more = f" The same problem is in {', '.join(others)}." if others else ""
    try:
        number = float(serial)
    except ValueError:
        number = None
    if number is not None and 60 <= number < 61:
        return (f"{source}: {where} holds the date 02/29/1900, a day that did not exist (Excel keeps it for old "
                "Lotus files), and claimbook would save it as 02/28/1900. Correct that date in Excel, save, and "
                f"run again; the file was not changed.{more}")
    # The number itself is never quoted: it may be an account number or a patient's ID.
    return (f"{source}: {where} holds a number formatted as a date but too large (or too small) to be "
            "one, and claimbook would save it as #VALUE!. In Excel, format that cell as Number or Text (or type "
            f"the right date), save, and run again; the file was not changed.{more}")


# What openpyxl loses when it saves a workbook it loaded, found in the file itself (zip parts and XML),
# so that claimbook refuses to save rather than silently drop a practice's pictures, buttons or rules.
_EXT_KINDS = (("dataValidation", "data validation"), ("conditionalFormatting", "conditional formatting"),
              ("sparkline", "sparklines"), ("slicer", "slicers"), ("timeline", "timelines"))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rels(z: zipfile.ZipFile, part: str) -> list[tuple[str, str]]:
    """(relationship type, target part) of a part, targets resolved to zip names."""
    from xml.etree import ElementTree as ET

    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    try:
        root = ET.fromstring(z.read(rels_name))
    except (KeyError, ET.ParseError):
        return []
    out = []
    for rel in root:
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External":
            continue
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out.append((rel.get("Type") or "", resolved))
    return out


def _drawing_kinds(xml: bytes) -> set[str]:
    """What a sheet's DrawingML drawing holds: "charts", "pictures or shapes", "shapes or controls"."""
    from xml.etree import ElementTree as ET

    kinds: set[str] = set()
    for anchor in ET.fromstring(xml):
        for child in anchor:
            name = _local(child.tag)
            if name in ("from", "to", "pos", "ext", "clientData"):
                continue
            if name == "pic":
                kinds.add("pictures or shapes")
            elif name == "graphicFrame" and any(_local(e.tag) == "chart" for e in child.iter()):
                kinds.add("charts")
            else:  # sp, grpSp, cxnSp, SmartArt, AlternateContent (form controls, slicers, new chart types)
                kinds.add("pictures or shapes" if name != "AlternateContent" else "shapes or controls")
    return kinds


def content_openpyxl_drops(path: Path) -> list[str]:
    """What saving this workbook with openpyxl would lose, per sheet ("pictures or shapes on the Claims
    sheet"). claimbook's own content is allowed: cell comments, and the charts it draws on the Dashboard."""
    import re
    from xml.etree import ElementTree as ET

    from claimbook import sheets as S

    found: dict[str, set[str]] = {}
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return []  # openpyxl's load says the file is damaged
    with z:
        names = set(z.namelist())
        try:
            book = ET.fromstring(z.read("xl/workbook.xml"))
            rel_ids = {}
            for rel in ET.fromstring(z.read("xl/_rels/workbook.xml.rels")):
                t = rel.get("Target") or ""
                rel_ids[rel.get("Id")] = t.lstrip("/") if t.startswith("/") else posixpath.normpath(
                    posixpath.join("xl", t))
        except (KeyError, ET.ParseError):
            return []
        for el in book.iter():
            if _local(el.tag) != "sheet":
                continue
            title = el.get("name") or "?"
            part = rel_ids.get(next((v for k, v in el.attrib.items() if _local(k) == "id"), None), "")
            if part not in names:
                continue
            kinds: set[str] = set()
            chartsheet = part.startswith("xl/chartsheets/")
            if chartsheet:
                kinds.add("a chart sheet")
            for typ, target in _rels(z, part):
                kind = typ.rsplit("/", 1)[-1]
                if kind == "drawing" and target in names and not chartsheet:
                    got = _drawing_kinds(z.read(target))
                    if title == S.DASHBOARD:
                        got.discard("charts")  # claimbook's own charts, redrawn at every refresh
                    kinds |= got
                elif kind == "vmlDrawing" and target in names:
                    objects = set(re.findall(rb'ObjectType\s*=\s*"(\w+)"', z.read(target)))
                    if objects - {b"Note"}:  # notes are cell comments, which openpyxl keeps
                        kinds.add("form buttons or controls")
                elif kind in ("ctrlProp", "control"):
                    kinds.add("form buttons or controls")
                elif kind == "image":
                    kinds.add("a background picture")
            xml = z.read(part)
            at = re.search(rb"<(\w+:)?extLst\b", xml)
            if at:
                ext = xml[at.start():]
                for needle, what in _EXT_KINDS:
                    if needle.encode() in ext:
                        kinds.add(f"Excel 2010+ {what}")
                if not any(k.startswith("Excel 2010+") for k in kinds) and re.search(rb"<(\w+:)?ext\b", ext):
                    kinds.add("Excel 2010+ features")
            if kinds:
                found[title] = kinds
        pictures = any("picture" in k for ks in found.values() for k in ks)
        if not pictures and any(n.startswith("xl/media/") for n in names):
            found.setdefault("", set()).add("pictures")  # e.g. in a header or footer
    out = []
    for title, kinds in found.items():
        what = " and ".join(sorted(kinds))
        out.append(f"{what} on the {title} sheet" if title else what)
    return out


def _reindex_styles(wb) -> None:
    """openpyxl renumbers custom number formats in the loaded cell styles after indexing them, so an
    identical style written later is not found and is added again (the file changes on every save until
    it settles). Re-index the loaded styles by their current values."""
    styles = wb._cell_styles
    index: dict = {}
    for i, style in enumerate(styles):
        index.setdefault(style, i)
    styles._dict = index
    styles.clean = True
