"""Reading and writing a tracker workbook with openpyxl: open once, find the blocks, write cells, save.

Cell values are read straight from the worksheet's cell store, so reading never creates empty cells
(which would change the saved file). Text that came from outside is always written as a string cell,
never as a formula. Saving goes to a temporary file in the same folder, is flushed to disk, and only
then replaces the workbook (``os.replace``), so a crash leaves the original as it was.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from claimbook import table
from claimbook.errors import TrackerError
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
    return [path.with_name(n) for n in names]


def check_file(path: Path) -> None:
    """Refuse a workbook that is missing, of another kind, or open in Excel (nothing is changed)."""
    if not path.is_file():
        raise TrackerError(f"{path} was not found. Check the file name and folder.")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise TrackerError(f"{path.name} is not an .xlsx or .xlsm workbook. Save it from Excel as .xlsm and try again.")
    for lock in _lock_files(path):
        if lock.exists():
            raise TrackerError(f"{path.name} is open in Excel (its lock file {lock.name} is beside it). "
                               "Close it in Excel, then run again.")
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
    try:
        wb = openpyxl.load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm", rich_text=False)
    except PermissionError:
        raise TrackerError(f"{path.name} is locked (open in another program?). Close it, then run again.") from None
    except Exception as err:  # noqa: BLE001 - zip, XML and openpyxl errors all mean "cannot read this"
        raise TrackerError(
            f"{path.name} could not be read as an Excel workbook ({type(err).__name__}): the file may be "
            "damaged. Open it in Excel to repair it, or use a backup copy."
        ) from None
    _reindex_styles(wb)
    return wb


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


def write_computed(place: Place, computed: list[list]) -> None:
    """Write claimbook's computed columns, one row per data row, found by header (added when missing)."""
    cols = ensure_columns(place, table.COMPUTED_COLUMNS, table.map_computed_columns)
    ws = place.ws
    targets = [cols[h] for h in table.COMPUTED_COLUMNS]
    first = place.first_data_row
    for i, values in enumerate(computed):
        r = first + i
        for c, v in zip(targets, values):
            put(ws, r, c, v)


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
        ExcelWriter(wb, archive).save()
    finally:
        archive.close()


def backup_path(path: Path, n: int) -> Path:
    return path.with_name(f"{path.stem}.backup-{n}{path.suffix}")


def temp_path(path: Path) -> Path:
    return path.with_name(f".{path.stem}.claimbook-{os.getpid()}.tmp{path.suffix}")


def _rotate_backups(path: Path, kept: int) -> None:
    if kept <= 0:
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


def save_atomic(wb, path: Path, backups_kept: int = 5) -> None:
    """Save ``wb`` over ``path``: temp file beside it, fsync, rotate backups, ``os.replace``.

    The original is untouched unless the new file was written completely.
    """
    for stale in path.parent.glob(f".{path.stem}.claimbook-*.tmp{path.suffix}"):
        try:
            stale.unlink()  # left by a run that was killed while saving
        except OSError:
            pass
    tmp = temp_path(path)
    try:
        write_workbook(wb, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        _rotate_backups(path, backups_kept)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except PermissionError:
        raise TrackerError(f"{path.name} could not be saved: it is locked or read-only (open in Excel?). "
                           "Close it, then run again; the file was not changed.") from None
    except OSError as err:
        raise TrackerError(f"{path.name} could not be saved ({err.strerror or type(err).__name__}); "
                           "the file was not changed.") from None
    finally:
        if tmp.exists():
            try:
                tmp.unlink()
            except OSError:
                pass


# --------------------------------------------------------------------------------------------------
# Importing into the Claims table


@dataclass
class Change:
    claim_id: str
    field: str  # the column header
    old: object
    new: object


@dataclass
class ImportReport:
    """What one imported file did to the tracker."""

    file: str
    sha256: str
    kind: str  # "claims CSV", "835", "277"
    added: list[str]
    updated: list[str]
    changes: list[Change]
    skipped: list[tuple[str, str]]  # (where, why)
    notes: list[str]

    def line(self) -> str:
        s = (f"{self.file}: {len(self.added)} added, {len(self.updated)} updated "
             f"({len(self.changes)} changes), {len(self.skipped)} skipped")
        return s


def merge_records(place: Place, records, report: ImportReport, day_first: bool = False) -> None:
    """Merge imported claims into the Claims table by Claim ID.

    ``records`` are ``(where, {input header: raw value})`` pairs. New claims are appended to the table;
    existing ones get their non-blank imported values in input columns only; nothing is cleared or deleted.
    """
    header = place.header()
    cols = table.map_input_columns(header)  # field -> index
    sheet_col = {f: place.first_col + i for f, i in cols.items()}
    ws = place.ws
    cells = ws._cells
    id_col = sheet_col["claim_id"]

    def cell_value(r: int, c: int):
        return _value(cells.get((r, c)))

    # Rows by claim key; trailing blank rows of the table are reused before the table grows.
    rows_by_key: dict[str, list[int]] = {}
    last_used = place.header_row
    for r in range(place.first_data_row, place.last_row + 1):
        if not table.row_is_blank([cell_value(r, c) for c in range(place.first_col, place.last_col + 1)],
                                  range(place.last_col - place.first_col + 1)):
            last_used = r
        key = table.claim_key(cell_value(r, id_col))
        if key:
            rows_by_key.setdefault(key, []).append(r)
    next_row = last_used + 1
    missing_cols: set[str] = set()
    added_keys: set[str] = set()
    updated_keys: set[str] = set()

    for where, values in records:
        typed: dict[str, object] = {}
        problems: list[str] = []
        for header_name, raw in values.items():
            col = table.INPUT_BY_HEADER.get(header_name)
            if col is None or table.is_blank(raw):
                continue
            if col.field not in sheet_col:
                missing_cols.add(col.header)
                continue
            value, problem = table.typed_cell(col, raw, day_first)
            if problem:
                problems.append(problem)
                typed[col.field] = ("raw", raw)
            else:
                typed[col.field] = ("ok", value)
        cid = typed.get("claim_id")
        if not cid or cid[0] != "ok" or not cid[1]:
            report.skipped.append((where, "no Claim ID"))
            continue
        key = table.claim_key(cid[1])
        rows = rows_by_key.get(key, [])
        if len(rows) > 1:
            report.skipped.append((where, f"its Claim ID is on {len(rows)} rows of the tracker; fix the "
                                          "duplicate first"))
            continue
        if not rows:
            r = next_row
            next_row += 1
            for f, (state, v) in typed.items():
                put(ws, r, sheet_col[f], v if state == "ok" else str(v))
            rows_by_key[key] = [r]
            if key not in added_keys:
                report.added.append(str(cid[1]))
                added_keys.add(key)
            for p in problems:
                report.notes.append(f"{where}: {p} (stored as typed; it shows under Data Issues)")
            if r > place.last_row:
                place.last_row = r
            continue
        r = rows[0]
        changed = False
        for f, (state, v) in typed.items():
            if f == "claim_id":
                continue
            col = table.INPUT_BY_FIELD[f]
            if state != "ok":
                report.skipped.append((where, f"{col.header} not changed: {_problem_text(problems, col.header)}"))
                continue
            old = cell_value(r, sheet_col[f])
            if table.same_cell(col, old, v, day_first):
                continue
            put(ws, r, sheet_col[f], v)
            report.changes.append(Change(str(cid[1]), col.header, old, v))
            changed = True
        if changed and key not in updated_keys and key not in added_keys:
            report.updated.append(str(cid[1]))
            updated_keys.add(key)
    if missing_cols:
        report.notes.append("The tracker has no column for " + ", ".join(sorted(missing_cols))
                            + "; those values were not imported")
    set_table_ref(place)


def _problem_text(problems: list[str], header: str) -> str:
    for p in problems:
        if p.startswith(header):
            return p
    return "the value could not be read"


IMPORT_LOG_SHEET = "Import Log"
IMPORT_LOG_COLUMNS = ("Imported", "File", "SHA-256", "Kind", "Added", "Updated", "Skipped", "Claim ID", "Field",
                      "Old", "New", "Note")


def imported_hashes(wb) -> dict[str, object]:
    """SHA-256 -> import date of every file already on the Import Log."""
    ws = _sheet(wb, IMPORT_LOG_SHEET)
    if ws is None:
        return {}
    cells = ws._cells
    out = {}
    for r in range(2, _max_row(ws) + 1):
        h = _value(cells.get((r, 3)))
        if isinstance(h, str) and len(h) == 64 and h not in out:
            out[h] = _value(cells.get((r, 1)))
    return out


def write_import_log(wb, reports: list[ImportReport], when: datetime) -> None:
    """Append one summary row per file, then a row per change and per skipped row, to the Import Log."""
    ws = _sheet(wb, IMPORT_LOG_SHEET)
    if ws is None:
        ws = wb.create_sheet(IMPORT_LOG_SHEET)
        for c, h in enumerate(IMPORT_LOG_COLUMNS, 1):
            put(ws, 1, c, h)
        ws.freeze_panes = "A2"
        for letter, width in zip("ABCDEFGHIJKL", (18, 28, 18, 12, 8, 8, 8, 16, 16, 20, 20, 60)):
            ws.column_dimensions[letter].width = width
    r = max(_max_row(ws), 1) + 1
    stamp = when.replace(microsecond=0)
    for rep in reports:
        rows = [[stamp, rep.file, rep.sha256, rep.kind, len(rep.added), len(rep.updated), len(rep.skipped),
                 None, None, None, None, "; ".join(rep.notes) or None]]
        rows += [[stamp, rep.file, None, None, None, None, None, cid, "(new claim)", None, None, None]
                 for cid in rep.added]
        rows += [[stamp, rep.file, None, None, None, None, None, ch.claim_id, ch.field, ch.old, ch.new, None]
                 for ch in rep.changes]
        rows += [[stamp, rep.file, None, None, None, None, None, None, None, None, None, f"skipped {w}: {why}"]
                 for w, why in rep.skipped]
        for row in rows:
            for c, v in enumerate(row, 1):
                if isinstance(v, datetime) and c == 1:
                    put(ws, r, c, v)
                    ws.cell(row=r, column=c).number_format = "yyyy-mm-dd hh:mm"
                else:
                    put(ws, r, c, v if type(v) in _PLAIN else str(v))
            r += 1
