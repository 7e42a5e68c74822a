"""Reading and writing a tracker workbook with openpyxl: open once, find the blocks, write cells, save.

Cell values are read straight from the worksheet's cell store, so reading never creates empty cells
(which would change the saved file). Text that came from outside is always written as a string cell,
never as a formula. Saving goes to a temporary file in the same folder, is flushed to disk, and only
then replaces the workbook (``os.replace``), so a crash leaves the original as it was.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
import shutil
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from claimbook import table
from claimbook.errors import TrackerError
from claimbook.imports.report import (IMPORT_LOG_COLUMNS, IMPORT_LOG_SHEET, IMPORT_LOG_WIDTHS, STAMP_FORMAT, ImportReport,
                                      hashes_in_log, log_rows)
from claimbook.pipeline import Block

CLAIMS_NAME = "Claims"
LOG_NAMES = ("FollowUpLog", "Follow-up Log", "FollowupLog", "Log")
SETTINGS_SHEET = "Settings"
DATE_FORMAT = "mm/dd/yyyy"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_PLAIN = (str, int, float, bool, datetime, date, time, timedelta, type(None))


# --------------------------------------------------------------------------------------------------
# Opening


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


def check_new_file(path: Path, command: str, force: bool, backups_kept: int, example: str = "Demo.xlsm") -> None:
    """Before ``claimbook demo --out`` or ``template build --out`` writes a new workbook to ``path``: the
    folder must exist, and a file already there (maybe a tracker full of claims) is only replaced with
    ``--force``, after the same checks as a refresh (and then kept as a backup)."""
    if path.is_dir():
        raise TrackerError(f"{path} is a folder. Give a file name in it, e.g. {path / example}.")
    folder = path.parent
    if not folder.is_dir():
        raise TrackerError(f"The folder {folder} does not exist. Create it first, or give a file name in a folder "
                           "that exists; nothing was written.")
    if not (path.exists() or path.is_symlink()):
        return
    if not force:
        kept = (f" (the old file is then kept as {backup_path(path, 1).name})" if backups_kept > 0 else "")
        raise TrackerError(f"{path} already exists and claimbook {command} does not replace it: it may be a "
                           "tracker with your claims. Give a new file name, or add --force to replace it"
                           f"{kept}.")
    check_not_open(path)
    if path.exists():
        check_writable(path)


def load(path: Path):
    """The workbook, macros and ribbon kept for .xlsm. Damaged files raise ``TrackerError``."""
    import openpyxl

    check_file(path)
    try:
        cannot_keep = content_openpyxl_drops(path)
        with warnings.catch_warnings(record=True) as said, _no_lotus_leap_day():
            warnings.simplefilter("always")  # openpyxl's own warnings are no message for a person: kept here
            wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm", rich_text=False)
    except PermissionError:
        raise TrackerError(f"{path.name} is locked (open in another program?). Close it, then run again.") from None
    except Exception as err:  # noqa: BLE001 - zip, XML and openpyxl errors all mean "cannot read this"
        raise TrackerError(
            f"{path.name} could not be read as an Excel workbook ({type(err).__name__}): the file may be "
            "damaged. Open it in Excel to repair it, or use a backup copy."
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
    shown = (f"{int(number)}" if number is not None and number.is_integer() and abs(number) < 1e16
             else serial)
    return (f"{source}: {where} holds the number {shown}, formatted as a date but too large (or too small) to be "
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


# --------------------------------------------------------------------------------------------------
# Finding blocks


@dataclass
class Place:
    """A rectangle of the workbook: a table (or a sheet's used range) with its header row."""

    ws: object
    table: object | None  # openpyxl Table, or None for a plain sheet
    header_row: int
    first_col: int
    last_col: int
    last_row: int  # last data row (== header_row when there are no data rows)

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    def header(self) -> list:
        cells = self.ws._cells
        return [_value(cells.get((self.header_row, c))) for c in range(self.first_col, self.last_col + 1)]


def _value(cell):
    if cell is None:
        return None
    v = cell._value
    if type(v) in _PLAIN:
        return v
    text = getattr(v, "text", None)  # ArrayFormula / DataTableFormula
    return str(text) if isinstance(text, str) else "=(formula)"


def _bounds(ref: str) -> tuple[int, int, int, int]:
    from openpyxl.utils.cell import range_boundaries

    c1, r1, c2, r2 = range_boundaries(ref)
    return c1, r1, c2, r2


def _find_table(wb, names: tuple[str, ...]):
    wanted = {table.norm_header(n) for n in names}
    for ws in wb.worksheets:
        for t in ws.tables.values():
            if table.norm_header(t.name) in wanted or table.norm_header(t.displayName) in wanted:
                return ws, t
    return None, None


def _table_place(ws, t) -> Place:
    c1, r1, c2, r2 = _bounds(t.ref)
    last = r2 - (t.totalsRowCount or 0)
    return Place(ws, t, r1, c1, c2, max(last, r1))


def _sheet(wb, *names: str):
    wanted = {table.norm_header(n) for n in names}
    for ws in wb.worksheets:
        if table.norm_header(ws.title) in wanted:
            return ws
    return None


def _max_row(ws) -> int:
    return max((r for (r, _c) in ws._cells), default=0)


def _max_col(ws) -> int:
    return max((c for (_r, c) in ws._cells), default=0)


def find_claims(wb, path_name: str = "The workbook") -> Place:
    """The Claims table, else a sheet named Claims whose header row has a Claim ID column."""
    ws, t = _find_table(wb, (CLAIMS_NAME,))
    if t is not None:
        return _table_place(ws, t)
    ws = _sheet(wb, CLAIMS_NAME)
    if ws is not None:
        cells = ws._cells
        last_col = _max_col(ws)
        for r in range(1, 21):
            row = [_value(cells.get((r, c))) for c in range(1, last_col + 1)]
            if any(table.input_column_for(h) is not None and table.input_column_for(h).field == "claim_id"
                   for h in row if isinstance(h, str)):
                return Place(ws, None, r, 1, last_col, max(_max_row(ws), r))
    raise TrackerError(f"{path_name} is not a claim tracker: it has no Claims table and no Claims sheet with a "
                       "Claim ID header. Make one with 'claimbook init', or name your claims sheet 'Claims'.")


def find_log(wb) -> Place | None:
    ws, t = _find_table(wb, LOG_NAMES)
    if t is not None:
        return _table_place(ws, t)
    ws = _sheet(wb, "Follow-up Log", "Followup Log", "Log")
    if ws is None or not ws._cells:
        return None
    return Place(ws, None, 1, 1, _max_col(ws), max(_max_row(ws), 1))


def read_block(place: Place) -> Block:
    """The header and data rows of a place, as plain cell values (no cells are created)."""
    cells = place.ws._cells
    cols = range(place.first_col, place.last_col + 1)
    rows = []
    get = cells.get
    for r in range(place.first_data_row, place.last_row + 1):
        row = []
        for c in cols:
            cell = get((r, c))
            if cell is None:
                row.append(None)
            else:
                v = cell._value
                row.append(v if type(v) in _PLAIN else _value(cell))
        rows.append(row)
    return Block([v if v is not None else "" for v in place.header()], rows, first_row=place.first_data_row)


def read_settings_rows(wb) -> list[list]:
    ws = _sheet(wb, SETTINGS_SHEET)
    if ws is None:
        return []
    cells = ws._cells
    return [[_value(cells.get((r, 1))), _value(cells.get((r, 2)))] for r in range(1, min(_max_row(ws), 200) + 1)]


# --------------------------------------------------------------------------------------------------
# Writing


def put(ws, row: int, col: int, value) -> None:
    """Write one value. Text is always a string cell (never a formula); None clears an existing cell."""
    cells = ws._cells
    cell = cells.get((row, col))
    if cell is None:
        if value is None:
            return
        cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        value = table.clean_text(value)
        if cell.data_type == "s" and cell._value == value:
            return
        cell._value = value
        cell.data_type = "s"
        return
    if value is not None and cell.data_type == "n" and type(cell._value) is type(value) and cell._value == value:
        return
    if isinstance(value, (date, datetime)) and not cell.is_date:
        cell.number_format = DATE_FORMAT
    cell.value = value


def ensure_columns(place: Place, headers: tuple[str, ...] | list[str], mapper) -> dict[str, int]:
    """Sheet column of each header (found with ``mapper``); missing ones are added at the table's right."""
    found = mapper(place.header())
    cols = {h: place.first_col + i for h, i in found.items()}
    missing = [h for h in headers if h not in cols]
    for h in missing:
        place.last_col += 1
        put(place.ws, place.header_row, place.last_col, h)
        cols[h] = place.last_col
        if place.table is not None:
            from openpyxl.worksheet.table import TableColumn

            tcols = place.table.tableColumns
            next_id = max((tc.id for tc in tcols), default=0) + 1
            if tcols:
                tcols.append(TableColumn(id=next_id, name=h))
    if missing:
        set_table_ref(place)
    return cols


def set_table_ref(place: Place) -> None:
    """Make the table cover ``place`` (after columns or rows were added)."""
    t = place.table
    if t is None:
        return
    from openpyxl.utils import get_column_letter

    last = place.last_row + (t.totalsRowCount or 0)
    ref = f"{get_column_letter(place.first_col)}{place.header_row}:{get_column_letter(place.last_col)}{last}"
    t.ref = ref
    if t.autoFilter is not None:
        t.autoFilter.ref = (f"{get_column_letter(place.first_col)}{place.header_row}:"
                            f"{get_column_letter(place.last_col)}{place.last_row}")


def _marked(place: Place, col: int) -> bool:
    cell = place.ws._cells.get((place.header_row, col))
    comment = getattr(cell, "comment", None) if cell is not None else None
    return comment is not None and table.is_claimbook_mark(comment.text)


def unowned_computed_columns(place: Place) -> list[int]:
    """Sheet columns named like a computed column whose header lacks claimbook's mark. ``TrackerError``
    (nothing written) when such a column holds entries: it is the practice's own, never overwritten."""
    from openpyxl.utils import get_column_letter

    header = place.header()
    unmarked = [place.first_col + i for i in table.map_computed_columns(header).values()
                if not _marked(place, place.first_col + i)]
    cells = place.ws._cells
    for c in unmarked:
        for r in range(place.first_data_row, place.last_row + 1):
            cell = cells.get((r, c))
            if cell is not None and not table.is_blank(cell._value):
                raise TrackerError(table.column_clash_message(header[c - place.first_col], get_column_letter(c)))
    return unmarked


def mark_computed(place: Place, cols) -> None:
    """Put claimbook's note on these computed headers (a column claimbook added or took over empty)."""
    from openpyxl.comments import Comment

    for c in cols:
        if _marked(place, c):
            continue
        comment = Comment(table.COMPUTED_MARK, "claimbook")
        comment.width, comment.height = 240, 60
        place.ws.cell(place.header_row, c).comment = comment


def write_computed(place: Place, computed: list[list]) -> None:
    """Write claimbook's computed columns, one row per data row, found by header (added when missing).

    Only claimbook's own columns are written: a same-named column of the practice's, with entries and
    without claimbook's note on its header, stops the run (``TrackerError``) before any cell changes."""
    take_over = unowned_computed_columns(place)
    before = place.last_col
    cols = ensure_columns(place, table.COMPUTED_COLUMNS, table.map_computed_columns)
    ws = place.ws
    targets = [cols[h] for h in table.COMPUTED_COLUMNS]
    first = place.first_data_row
    for i, values in enumerate(computed):
        r = first + i
        for c, v in zip(targets, values):
            put(ws, r, c, v)
    mark_computed(place, [*take_over, *range(before + 1, place.last_col + 1)])


@contextmanager
def us_date_defaults():
    """While writing, a date put in a cell without a date format gets claimbook's ``mm/dd/yyyy`` instead
    of openpyxl's ``yyyy-mm-dd``: US offices read month first, and no stray number format is registered
    (a stray one changes styles.xml on every save, so two refreshes would not give the same file)."""
    from openpyxl.cell import cell as _cell

    saved = dict(_cell.TIME_FORMATS)
    _cell.TIME_FORMATS[date] = DATE_FORMAT
    _cell.TIME_FORMATS[datetime] = DATE_FORMAT
    try:
        yield
    finally:
        _cell.TIME_FORMATS.clear()
        _cell.TIME_FORMATS.update(saved)


# --------------------------------------------------------------------------------------------------
# Saving


class _StableZip(zipfile.ZipFile):
    """A zip whose entries carry a fixed timestamp, so the same workbook saves to the same bytes."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zi = zipfile.ZipInfo(zinfo_or_arcname, date_time=_ZIP_TIME)
            zi.compress_type = self.compression if compress_type is None else compress_type
            zi.external_attr = 0o600 << 16
            zinfo_or_arcname = zi
        return super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        zi = zipfile.ZipInfo(arcname or os.path.basename(filename), date_time=_ZIP_TIME)
        zi.compress_type = self.compression if compress_type is None else compress_type
        zi.external_attr = 0o600 << 16
        zi.file_size = os.path.getsize(filename)
        with open(filename, "rb") as src, self.open(zi, "w", force_zip64=zi.file_size > 2**31) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)


def write_workbook(wb, target: Path) -> None:
    """openpyxl's save, with stable zip timestamps and the loaded document dates kept (deterministic)."""
    from openpyxl.writer.excel import ExcelWriter

    props = wb.properties
    props.modified = props.modified or props.created or datetime(2000, 1, 1)
    props.created = props.created or props.modified
    archive = _StableZip(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ExcelWriter(wb, archive).save()
    finally:
        archive.close()


def backup_path(path: Path, n: int) -> Path:
    return path.with_name(f"{path.stem}.backup-{n}{path.suffix}")


def temp_path(path: Path) -> Path:
    return path.with_name(f".{path.stem}.claimbook-{os.getpid()}.tmp{path.suffix}")


def _rotate_backups(path: Path, kept: int) -> None:
    if kept <= 0 or not path.exists():
        return
    oldest = backup_path(path, kept)
    if oldest.exists():
        oldest.unlink()
    for n in range(kept - 1, 0, -1):
        b = backup_path(path, n)
        if b.exists():
            os.replace(b, backup_path(path, n + 1))
    first = backup_path(path, 1)
    try:
        os.link(path, first)  # the old file stays as the backup once the new one replaces it
    except OSError:
        shutil.copy2(path, first)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _new_file_mode() -> int:
    umask = os.umask(0o077)
    os.umask(umask)
    return 0o666 & ~umask


def save_atomic(wb, path: Path, backups_kept: int = 5, *, cannot_keep_advice: str | None = None,
                check=None) -> None:
    """Save ``wb`` over ``path``: temp file beside it, fsync, rotate backups, ``os.replace``.

    The original is untouched unless the new file was written completely. A workbook loaded with
    content openpyxl would drop (pictures, shapes, form buttons, Excel 2010+ rules), or with a cell
    openpyxl could not read as it is, is refused here. ``check(temp_file)`` may refuse the new file
    (``TrackerError``) before it replaces anything.
    """
    source, lost = getattr(wb, "_claimbook_cannot_keep", ("", []))
    if lost:
        advice = cannot_keep_advice or ("Move it to another workbook, or do this from Excel with the Claims ribbon "
                                        "(Refresh priorities, Import remittance)")
        raise TrackerError(
            f"{source} has content claimbook cannot keep when it saves the file ({'; '.join(lost)}). {advice}; "
            "the file was not changed.")
    source, dates = getattr(wb, "_claimbook_lost_dates", ("", []))
    if dates:
        raise TrackerError(_lost_dates_message(source, dates))
    replace_atomic(path, lambda tmp: write_workbook(wb, tmp), backups_kept, check=check)


def write_bytes_atomic(path: Path, data: bytes, backups_kept: int = 0) -> None:
    """Write ``data`` to ``path`` the way ``save_atomic`` saves a workbook."""
    replace_atomic(path, lambda tmp: tmp.write_bytes(data), backups_kept)


def replace_atomic(path: Path, write, backups_kept: int, check=None) -> None:
    """``write(temp_file)`` beside the file, fsync, rotate backups, ``os.replace``. Through a symbolic link
    the link's target is written (the link stays a link); the file keeps its permission bits (a tracker
    only its owner may read stays so), a new file gets the usual ones."""
    shown = Path(path)
    existed = shown.exists()
    path = Path(os.path.realpath(shown))
    for stale in path.parent.glob(f".{path.stem}.claimbook-*.tmp{path.suffix}"):
        try:
            stale.unlink()  # left by a run that was killed while saving
        except OSError:
            pass
    unchanged = "the file was not changed" if existed else "nothing was written"
    tmp = temp_path(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode) if existed else _new_file_mode()
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # private while it is written
        write(tmp)
        if check is not None:
            check(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        _rotate_backups(path, backups_kept)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except PermissionError:
        raise TrackerError(f"{shown.name} could not be saved: it is locked or read-only (open in Excel?). "
                           f"Close it, then run again; {unchanged}.") from None
    except OSError as err:
        raise TrackerError(f"{shown.name} could not be saved ({err.strerror or type(err).__name__}); "
                           f"{unchanged}.") from None
    finally:
        if tmp.exists():
            try:
                tmp.unlink()
            except OSError:
                pass


# --------------------------------------------------------------------------------------------------
# Importing into the Claims table (the plan is made by ``claimbook.imports``; this writes it)


def apply_edit(place: Place, edit) -> None:
    """Write an import's ``ClaimsEdit``: the changed cells of existing rows, then the filled rows; the
    table grows to cover new rows."""
    ws = place.ws
    first, c0 = place.first_data_row, place.first_col
    with us_date_defaults():
        for r, c in sorted(edit.changed):
            put(ws, first + r, c0 + c, edit.rows[r][c])
        for i, values in enumerate(edit.new_rows, start=edit.used):
            for j, v in enumerate(values):
                if v is not None:
                    put(ws, first + i, c0 + j, v)
    if edit.grows_by:
        place.last_row = place.header_row + len(edit.rows)
    set_table_ref(place)


def read_import_log(wb) -> list[list]:
    """The Import Log's data rows, columns A..L (date, file, SHA-256, ..., claim, field, old, new, note): the
    hashes say which files were imported, the change rows what each import wrote (``imports.memory``);
    [] when there is no such sheet."""
    ws = _sheet(wb, IMPORT_LOG_SHEET)
    if ws is None:
        return []
    cells = ws._cells
    return [[_value(cells.get((r, c))) for c in range(1, 13)] for r in range(2, _max_row(ws) + 1)]


def imported_hashes(wb) -> dict[str, object]:
    """SHA-256 -> import date of every file already on the Import Log."""
    return hashes_in_log(read_import_log(wb))


def write_import_log(wb, reports: list[ImportReport], when: datetime) -> None:
    """Append one summary row per file, then a row per change, PLB and skipped line, to the Import Log."""
    ws = _sheet(wb, IMPORT_LOG_SHEET)
    if ws is None:
        ws = wb.create_sheet(IMPORT_LOG_SHEET)
        for c, h in enumerate(IMPORT_LOG_COLUMNS, 1):
            put(ws, 1, c, h)
        ws.freeze_panes = "A2"
        for letter, width in zip("ABCDEFGHIJKL", IMPORT_LOG_WIDTHS):
            ws.column_dimensions[letter].width = width
    r = max(_max_row(ws), 1) + 1
    with us_date_defaults():
        for row in log_rows(reports, when):
            for c, v in enumerate(row, 1):
                put(ws, r, c, v if type(v) in _PLAIN else str(v))
                if c == 1 and isinstance(v, datetime):
                    ws.cell(row=r, column=c).number_format = STAMP_FORMAT
            r += 1
