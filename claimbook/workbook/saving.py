"""Saving atomically: a temporary file in the same folder, flushed, then ``os.replace``; rotating
backups beside the workbook. The same workbook saves to the same bytes (fixed zip timestamps and entry
order); the dead temporary file of a killed save is removed by the next run (``claimbook.workbook.lock``);
Windows' mark of the web on the file being replaced is kept (``claimbook.workbook.zone``); a save that
loses a race says so in the lock's words, never "No such file or directory".
"""

from __future__ import annotations

import os
import shutil
import stat
import warnings
import zipfile
from datetime import datetime
from pathlib import Path

from claimbook.errors import TrackerError
from claimbook.workbook import zone
from claimbook.workbook.lock import busy_message
from claimbook.workbook.opening import _lost_dates_message, _ZIP_TIME, check_not_open, check_writable


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


class _StableZip(zipfile.ZipFile):
    """A zip whose entries carry a fixed timestamp and come in a fixed order, so the same workbook saves
    to the same bytes. openpyxl copies the parts it keeps from a macro workbook (the VBA project, the
    ribbon) in set order, which changes from run to run: those (``defer``) are written at the end, sorted."""

    defer: frozenset = frozenset()

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        if (name in self.defer or name == _TYPES) and not getattr(self, "_flushing", False):
            self.__dict__.setdefault("_deferred", {})[name] = (data, compress_type, compresslevel)
            return None
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

    def close(self):
        deferred = self.__dict__.pop("_deferred", {})
        if deferred and self.fp is not None:
            self._flushing = True
            types = deferred.pop(_TYPES, None)
            for name in sorted(deferred):
                data, compress_type, compresslevel = deferred[name]
                self.writestr(name, data, compress_type, compresslevel)
            if types is not None:  # last, once every part is known
                data, compress_type, compresslevel = types
                self.writestr(_TYPES, declare_types(data, self.namelist()), compress_type, compresslevel)
        super().close()


_TYPES = "[Content_Types].xml"
# openpyxl's list of content types leaves out two kinds of part it copies or writes itself: the macros
# (xl/vbaProject.bin) and the notes' shapes (.vml). A part without a content type makes Excel call the file
# damaged and offer a repair that may drop the macros.
_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_VBA = "application/vnd.ms-office.vbaProject"


def declare_types(types_xml: bytes | str, names: list[str]) -> bytes:
    """``[Content_Types].xml`` with a type for the macros and the .vml parts when nothing declares one."""
    import re

    text = types_xml.decode("utf-8") if isinstance(types_xml, bytes) else types_xml
    declared = {m.lower() for m in re.findall(r'<Default\b[^>]*\bExtension="([^"]+)"', text)}
    overridden = set(re.findall(r'<Override\b[^>]*\bPartName="/?([^"]+)"', text))
    add = ""
    if "vml" not in declared and any(n.lower().endswith(".vml") and n not in overridden for n in names):
        add += f'<Default Extension="vml" ContentType="{_VML}"/>'
    for n in names:
        if n.lower().endswith("vbaproject.bin") and n not in overridden and "bin" not in declared:
            add += f'<Override PartName="/{n}" ContentType="{_VBA}"/>'
    if add:
        at = text.index(">", text.index("<Types")) + 1
        text = text[:at] + add + text[at:]
    return text.encode("utf-8")


def write_workbook(wb, target: Path) -> None:
    """openpyxl's save, with stable zip timestamps and the loaded document dates kept (deterministic)."""
    from openpyxl.writer.excel import ExcelWriter

    props = wb.properties
    props.modified = props.modified or props.created or datetime(2000, 1, 1)
    props.created = props.created or props.modified
    archive = _StableZip(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    vba = getattr(wb, "vba_archive", None)
    archive.defer = frozenset(vba.namelist()) if vba is not None else frozenset()
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


def _remove_dead_temps(path: Path) -> None:
    """Temporary files of saves that were killed (their process is gone); a live one's is left alone."""
    from claimbook.workbook.lock import pid_alive

    for stale in path.parent.glob(f".{path.stem}.claimbook-*.tmp{path.suffix}"):
        pid = stale.name[len(path.stem) + 12:].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and pid_alive(int(pid)):
            continue
        try:
            stale.unlink()
        except OSError:
            pass


def replace_atomic(path: Path, write, backups_kept: int, check=None) -> None:
    """``write(temp_file)`` beside the file, fsync, rotate backups, ``os.replace``. Through a symbolic link
    the link's target is written (the link stays a link); the file keeps its permission bits (a tracker
    only its owner may read stays so), a new file gets the usual ones."""
    shown = Path(path)
    existed = shown.exists()
    path = Path(os.path.realpath(shown))
    _remove_dead_temps(path)
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
        if existed:
            zone.carry_mark(path, tmp, shown.name)
        _rotate_backups(path, backups_kept)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except FileNotFoundError:
        # Another program (or a claimbook without the lock) replaced or removed the file meanwhile.
        raise TrackerError(busy_message(shown.name)) from None
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

